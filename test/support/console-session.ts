// People signed in to the web console, each in their own browser context (cookies and memory: one person), for the
// browser tests and the benchmark: open the console, press Sign in, pick the person on the provider's page.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { signLocalToken } from '../../local/gateway.ts';
import type { LocalStack } from '../../local/stack.ts';

export interface SignedIn {
  readonly context: BrowserContext;
  readonly page: Page;
}

/** A fresh browser context (its own cookies and memory: one person) with the console open, signed out. */
export async function openConsole(
  browser: Browser,
  stack: LocalStack,
  options: { viewport?: { width: number; height: number }; path?: string } = {},
): Promise<SignedIn> {
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 1280, height: 900 },
    locale: 'en-GB',
    timezoneId: 'UTC',
  });
  // Under the test's own timeout, so a failure names the locator that was waited for.
  context.setDefaultTimeout(15_000);
  await standInProvider(context, stack);

  const page = await context.newPage();
  await page.goto(`${stack.consoleUrl}${options.path ?? '/'}`);
  return { context, page };
}

/** Signs `sub` in through the console's Sign in button and the OpenID provider's page. */
export async function signIn(
  browser: Browser,
  stack: LocalStack,
  sub: string,
  options: { viewport?: { width: number; height: number }; path?: string } = {},
): Promise<SignedIn> {
  const opened = await openConsole(browser, stack, options);
  await opened.page.getByRole('button', { name: 'Sign in' }).click();
  await pickPerson(opened.page, sub);
  await opened.page.getByRole('button', { name: 'Sign out' }).waitFor();
  return opened;
}

/** On the provider's sign-in page: choose the person. */
export async function pickPerson(page: Page, sub: string): Promise<void> {
  const name = new RegExp(`\\b${sub}\\b`);
  const choice = page
    .getByRole('button', { name })
    .or(page.getByRole('link', { name }))
    .or(page.getByRole('radio', { name }))
    .first();
  // A choice that is a radio is then confirmed with the page's submit button; a button or a link signs in at once.
  const radio = (await choice.getAttribute('type')) === 'radio';
  await choice.click();
  if (radio) await page.locator('[type=submit]').first().click();
}

/**
 * INTERIM, test-only: answers the OpenID endpoints under the stack's issuer inside the browser context, signing with
 * the local key, until local/oidc-provider.ts runs in the stack. Its sign-in page lists people as buttons.
 */
async function standInProvider(context: BrowserContext, stack: LocalStack): Promise<void> {
  const config = (await (await fetch(`${stack.consoleUrl}/config.json`)).json()) as { issuer: string };
  const discovery = await fetch(`${config.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`).catch(
    () => undefined,
  );
  if (discovery?.ok) return; // the stack runs an OpenID provider: sign in through it
  const issuer = config.issuer;
  const cors = { 'access-control-allow-origin': '*', 'access-control-allow-headers': '*' };
  const codes = new Map<string, { sub: string; nonce: string | null }>();
  /** The provider's session in this context (a cookie, on a real provider): a reload signs in again silently. */
  let sessionSub: string | undefined;
  await context.route(`${issuer}/**`, async (route) => {
    const url = new URL(route.request().url());
    const endpoint = url.pathname.slice(new URL(issuer).pathname.length);
    if (route.request().method() === 'OPTIONS') return route.fulfill({ status: 204, headers: cors });
    if (endpoint === '/.well-known/openid-configuration') {
      return route.fulfill({
        headers: cors,
        json: {
          issuer,
          authorization_endpoint: `${issuer}/auth`,
          token_endpoint: `${issuer}/token`,
          end_session_endpoint: `${issuer}/session/end`,
          jwks_uri: `${issuer}/jwks`,
          response_types_supported: ['code'],
          code_challenge_methods_supported: ['S256'],
        },
      });
    }
    const silent = url.searchParams.get('prompt') === 'none';
    if (endpoint === '/auth' && (url.searchParams.get('sub') || silent)) {
      const back = new URL(url.searchParams.get('redirect_uri') as string);
      back.searchParams.set('state', url.searchParams.get('state') as string);
      const sub = url.searchParams.get('sub') ?? sessionSub;
      if (!sub) {
        back.searchParams.set('error', 'login_required');
        return route.fulfill({ status: 302, headers: { location: back.href } });
      }
      sessionSub = sub;
      const code = crypto.randomUUID();
      codes.set(code, { sub, nonce: url.searchParams.get('nonce') });
      back.searchParams.set('code', code);
      return route.fulfill({ status: 302, headers: { location: back.href } });
    }
    if (endpoint === '/auth') {
      const people = stack.seed.principals
        .map((p) => {
          const pick = new URL(url);
          pick.searchParams.set('sub', p.id);
          return `<li><a role="button" href="${pick.href}">${p.name} (${p.id})</a></li>`;
        })
        .join('');
      return route.fulfill({
        contentType: 'text/html',
        body: `<!doctype html><html lang="en"><title>Sign in</title><h1>Who are you?</h1><ul>${people}</ul></html>`,
      });
    }
    if (endpoint === '/token') {
      const form = new URLSearchParams(route.request().postData() ?? '');
      const grant = codes.get(form.get('code') ?? '');
      if (!grant) return route.fulfill({ status: 400, headers: cors, json: { error: 'invalid_grant' } });
      const idToken = await signLocalToken({
        sub: grant.sub,
        key: stack.jwt.privateKey,
        issuer,
        audience: 'keyholder-console',
        ttlSeconds: 3600,
        claims: grant.nonce ? { nonce: grant.nonce } : {},
      });
      return route.fulfill({
        headers: cors,
        json: {
          access_token: await stack.tokenFor(grant.sub),
          id_token: idToken,
          token_type: 'Bearer',
          expires_in: 3600,
          scope: 'openid profile',
        },
      });
    }
    if (endpoint === '/session/end') {
      sessionSub = undefined;
      const back = url.searchParams.get('post_logout_redirect_uri') ?? stack.consoleUrl;
      return route.fulfill({ status: 302, headers: { location: back } });
    }
    return route.fulfill({ status: 404, body: 'not found' });
  });
}
