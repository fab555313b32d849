// keyholder login | logout | whoami: signing in with the API's OpenID provider (device authorization grant, RFC 8628)
// and who the API takes you for (GET /me).
import { formatDateTime, relativeTime, spanInWords } from '../../lambdas/presentation/time-words.ts';
import { type Context, sessionInWords } from '../context.ts';
import { CliError } from '../errors.ts';
import { meDetail } from '../views.ts';

/** openid-client's refusals (RFC 8628 error codes) in words. */
function loginFailure(error: unknown, issuer: string): CliError {
  if (error instanceof CliError) return error;
  const oauth = error as {
    error?: string;
    error_description?: string;
    cause?: { code?: string };
    message?: string;
  };
  switch (oauth.error) {
    case 'expired_token':
      return new CliError('the code expired before the sign-in finished: run keyholder login again');
    case 'access_denied':
      return new CliError('the sign-in was refused at the provider (access_denied)');
    default: {
      const why =
        oauth.error_description ?? oauth.error ?? oauth.cause?.code ?? oauth.message ?? String(error);
      return new CliError(`login failed at ${issuer}: ${why}`);
    }
  }
}

export async function login(context: Context): Promise<void> {
  const signIn = await context.call(context.publicApi().GET('/auth/config'));
  const { deviceLogin } = await import('../oidc.ts');
  let stored: Awaited<ReturnType<typeof deviceLogin>>;
  try {
    stored = await deviceLogin(signIn, {
      now: () => context.now(),
      prompt: ({ verificationUri, verificationUriComplete, userCode, expiresInSeconds }) => {
        const { bold, cyan } = context.style;
        context.note(
          [
            `To log in to Keyholder at ${context.api}, open this page in a browser:`,
            '',
            `  ${cyan(verificationUriComplete ?? verificationUri)}`,
            '',
            verificationUriComplete
              ? `or go to ${verificationUri} and enter the code ${bold(userCode)}`
              : `and enter the code ${bold(userCode)}`,
            `(the code expires in ${spanInWords(expiresInSeconds * 1000)}). Waiting for you to finish…`,
          ].join('\n'),
        );
      },
    });
  } catch (error) {
    throw loginFailure(error, signIn.issuer);
  }
  const me = await context.call(context.apiWithToken(stored.accessToken).GET('/me'));
  await context.store.put(context.api, {
    ...stored,
    principal: { id: me.principal.id, name: me.principal.name },
  });
  if (context.json) return context.printJson({ api: context.api, issuer: signIn.issuer, me });
  const expires = stored.expiresAt
    ? `; the access token expires ${relativeTime(stored.expiresAt, context.now())}`
    : '';
  context.print(
    `Logged in to ${context.api} as ${context.style.bold(`${me.principal.name} (${me.principal.id})`)}${expires}` +
      `${stored.refreshToken ? ' and is renewed automatically' : ''}.`,
  );
  if (context.tokenFromEnv)
    context.note('Note: KEYHOLDER_TOKEN is set and overrides this login until you unset it.');
}

export async function logout(context: Context): Promise<void> {
  const stored = await context.store.get(context.api);
  let revoked = false;
  let revocationProblem: string | undefined;
  if (stored?.refreshToken) {
    const { revokeLogin } = await import('../oidc.ts');
    try {
      revoked = await revokeLogin(stored);
    } catch (error) {
      revocationProblem = (error as Error).message;
    }
  }
  const forgotten = await context.store.remove(context.api);
  if (context.json) return context.printJson({ api: context.api, forgotten, revoked });
  if (!forgotten) context.print(`Not logged in to ${context.api}; nothing to forget.`);
  else {
    const how = revoked
      ? 'the refresh token is revoked at the provider'
      : revocationProblem
        ? `the provider could not revoke the refresh token (${revocationProblem}); it was forgotten here`
        : 'the provider offers no revocation; the tokens were forgotten here';
    context.print(`Logged out of ${context.api}: ${how}.`);
  }
  if (context.tokenFromEnv) context.note('Note: KEYHOLDER_TOKEN is still set; unset it to stop using it.');
}

export async function whoami(context: Context): Promise<void> {
  const api = await context.authenticatedApi();
  const me = await context.call(api.GET('/me'));
  if (context.json) return context.printJson(me);
  const now = context.now();
  const session = await sessionInWords(context, (at) => `${relativeTime(at, now)} (${formatDateTime(at)})`);
  context.print(meDetail(me, { now, style: context.style, api: context.api, session }));
}
