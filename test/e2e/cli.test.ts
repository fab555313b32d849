// The `keyholder` command line against the local stack, each command a fresh process (`node bin/keyholder.ts`), each
// person with a config directory of their own (XDG_CONFIG_HOME): an external contractor logs in through the real
// device authorization grant (the test plays her browser on the local OpenID provider's pages), asks for admin, two
// directors approve (KEYHOLDER_TOKEN, as scripts do), the grant shows in `keyholder access`, an expired access token
// is refreshed, a director revokes; and the refusals: self-approval, bad durations, not logged in.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../local/stack.ts';
import { startTestStack, type TestStack, waitFor } from '../support/local-stack.ts';

const BIN = path.join(REPO_ROOT, 'bin', 'keyholder.ts');
const justification = 'Restoring the admissions feed after INC-1042';

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

describe('keyholder CLI on the local stack', () => {
  let stack: TestStack;
  let root: string;
  const homes = new Map<string, string>();

  beforeAll(async () => {
    stack = await startTestStack({ policy: { minDuration: 'PT1S' } });
    root = await mkdtemp(path.join(tmpdir(), 'keyholder-cli-e2e-'));
  });
  afterAll(async () => {
    await stack?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  /** The config directory of one person (XDG_CONFIG_HOME), made on first use. */
  const homeOf = (person: string) => {
    const home = homes.get(person) ?? path.join(root, person);
    homes.set(person, home);
    return home;
  };

  function start(args: readonly string[], options: { home: string; token?: string }): ChildProcess {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      XDG_CONFIG_HOME: options.home,
      KEYHOLDER_API: stack.url,
      NO_COLOR: '1',
    };
    delete env.KEYHOLDER_TOKEN;
    delete env.FORCE_COLOR;
    if (options.token) env.KEYHOLDER_TOKEN = options.token;
    return spawn(process.execPath, [BIN, ...args], {
      cwd: REPO_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }

  function finish(child: ChildProcess): Promise<Run> {
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    return new Promise((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  }

  /** `keyholder ...` as `person`: with their stored login, or with KEYHOLDER_TOKEN when `token` is set. */
  async function keyholder(
    person: string,
    args: readonly string[],
    options: { token?: boolean } = {},
  ): Promise<Run> {
    const token = options.token ? await stack.tokenFor(person) : undefined;
    return finish(start(args, { home: homeOf(person), token }));
  }

  /** The person's browser: a cookie jar, redirects followed by hand, HTML forms submitted as a browser would. */
  function browser() {
    const cookies = new Map<string, string>();
    const go = async (url: string, init: { method?: string; form?: URLSearchParams } = {}) => {
      let target = url;
      let method = init.method ?? 'GET';
      let body: string | undefined = init.form?.toString();
      for (let hop = 0; hop < 20; hop += 1) {
        const response = await fetch(target, {
          method,
          redirect: 'manual',
          headers: {
            cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; '),
            ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
          },
          body,
        });
        for (const line of response.headers.getSetCookie()) {
          const [pair] = line.split(';');
          const [name, ...value] = (pair ?? '').split('=');
          if (name) cookies.set(name.trim(), value.join('='));
        }
        const location = response.headers.get('location');
        if (response.status >= 300 && response.status < 400 && location) {
          await response.body?.cancel();
          target = new URL(location, target).href;
          method = 'GET';
          body = undefined;
          continue;
        }
        return { url: target, status: response.status, html: await response.text() };
      }
      throw new Error(`too many redirects from ${url}`);
    };
    /** Submits the page's form (the one with `id`, else the first) with its hidden fields and `fields`. */
    const submit = async (
      page: { url: string; html: string },
      fields: Record<string, string> = {},
      id?: string,
    ) => {
      const forms = [...page.html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)];
      const form = id ? forms.find((match) => match[1]?.includes(`id="${id}"`)) : forms[0];
      if (!form) throw new Error(`no form${id ? ` ${id}` : ''} on ${page.url}: ${page.html.slice(0, 400)}`);
      const action = /action="([^"]*)"/.exec(form[1] ?? '')?.[1] ?? page.url;
      const data = new URLSearchParams();
      for (const input of (form[2] ?? '').matchAll(/<input\b[^>]*type="hidden"[^>]*>/g)) {
        const name = /name="([^"]*)"/.exec(input[0])?.[1];
        const value = /value="([^"]*)"/.exec(input[0])?.[1] ?? '';
        if (name) data.set(name, value.replaceAll('&amp;', '&'));
      }
      for (const [name, value] of Object.entries(fields)) data.set(name, value);
      return go(new URL(action.replaceAll('&amp;', '&'), page.url).href, { method: 'POST', form: data });
    };
    return { go, submit };
  }

  /** `keyholder login` through the device flow, confirming as `person` in the provider's pages. */
  async function loginThroughDeviceFlow(person: string): Promise<Run> {
    const child = start(['login'], { home: homeOf(person) });
    const done = finish(child);
    let prompt = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      prompt += chunk.toString('utf8');
    });
    const link = await waitFor(
      () => /(http\S+\/device\?user_code=\S+)/.exec(prompt)?.[1],
      'the login prompt',
      20_000,
    );
    const code = /enter the code (\S+)/.exec(prompt)?.[1];
    expect(code).toMatch(/^[A-Z]{4}-[A-Z]{4}$/);
    expect(decodeURIComponent(link)).toContain(`user_code=${code}`);
    expect(link.startsWith(stack.oidc.issuer)).toBe(true);

    const { go, submit } = browser();
    // The verification_uri_complete page carries the code in a form a browser submits by itself
    const autoSubmit = await go(link);
    expect(autoSubmit.status).toBe(200);
    const confirm = await submit(autoSubmit);
    expect(confirm.html).toContain(code);
    // "Is this your command line?": Continue
    const login = await submit(confirm, {}, 'op.deviceConfirmForm');
    expect(login.html).toContain('Sign in');
    // The local provider's sign-in: pick the person (no passwords locally)
    const signedIn = await submit(login, { principal: person });
    expect(signedIn.status).toBe(200);
    expect(signedIn.html).toContain('The command line is signed in');
    return done;
  }

  it('a whole lifecycle driven only through the CLI, with a real device-flow login', async () => {
    // Prepare: Kim logs in through the device authorization grant
    const login = await loginThroughDeviceFlow('ext-kim');
    expect(login.code, login.stderr).toBe(0);
    expect(login.stdout).toMatch(/^Logged in to http:\/\/127\.0\.0\.1:\d+ as Kim Consultant \(ext-kim\)/);
    expect(login.stderr).toMatch(/open this page in a browser/);
    const credentials = path.join(homeOf('ext-kim'), 'keyholder', 'credentials.json');
    expect((await stat(credentials)).mode & 0o777).toBe(0o600);
    expect((await stat(path.dirname(credentials))).mode & 0o777).toBe(0o700);
    const stored = JSON.parse(await readFile(credentials, 'utf8'));
    expect(stored.lastApi).toBe(stack.url);
    expect(stored.logins[stack.url]).toMatchObject({ issuer: stack.oidc.issuer, clientId: 'keyholder-cli' });
    expect(stored.logins[stack.url].refreshToken).toEqual(expect.any(String));

    const whoami = await keyholder('ext-kim', ['whoami']);
    expect(whoami.code, whoami.stderr).toBe(0);
    expect(whoami.stdout).toContain('Kim Consultant (ext-kim)');
    expect(whoami.stdout).toMatch(/organisation\s+Northwind \(external\)/);

    // Act: Kim asks for admin, in human words
    const asked = await keyholder('ext-kim', [
      'request',
      'admin',
      '--for',
      '1h30m',
      '--why',
      justification,
      '--ticket',
      'INC-1',
      '--json',
    ]);
    expect(asked.code, asked.stderr).toBe(0);
    const request = JSON.parse(asked.stdout);
    expect(request).toMatchObject({
      status: 'PENDING_APPROVAL',
      scopes: ['admin'],
      duration: 'PT1H30M',
      ticket: 'INC-1',
    });
    const id = request.id as string;

    // Refusal: Kim cannot approve her own request
    const self = await keyholder('ext-kim', ['approve', id]);
    expect(self.code).toBe(1);
    expect(self.stderr).toMatch(/^keyholder: .*\(SELF_APPROVAL\)\n$/);

    // Two directors approve, as scripts with KEYHOLDER_TOKEN
    const first = await keyholder('dir-ada', ['approve', id, '--comment', 'Checked with the incident lead'], {
      token: true,
    });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(
      new RegExp(`^Approved ${id}: PENDING_APPROVAL, 1 of 2 approvals, times out in 3 days`),
    );
    const second = await keyholder('dir-ben', ['approve', id], { token: true });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/approvals\s+2 of 2/);

    // Assess: ACTIVE in `keyholder access`
    await waitFor(async () => {
      const access = await keyholder('dir-ada', ['access', '--json'], { token: true });
      return (
        JSON.parse(access.stdout).access.some((row: { requestId: string }) => row.requestId === id) ||
        undefined
      );
    }, 'the grant in keyholder access');
    const access = await keyholder('dir-ada', ['access'], { token: true });
    expect(access.code).toBe(0);
    expect(access.stdout).toMatch(/^Who holds access now \(/);
    expect(access.stdout).toMatch(
      new RegExp(
        `Kim Consultant \\(ext-kim\\)\\s+Northwind\\s+Admin: the whole safe haven\\s+just now\\s+in 1 h (?:29|30) min, (?:[A-Z][a-z]{2} \\d{1,2} [A-Z][a-z]{2} \\d{4}, )?\\d\\d:\\d\\d UTC\\s+dir-ada, dir-ben\\s+${id}`,
      ),
    );
    const shown = await keyholder('ext-kim', ['show', id]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(new RegExp(`^${id}  ACTIVE  expires in 1 h (?:29|30) min`));
    expect(shown.stdout).toMatch(/Kim Consultant requested admin for 1 hour 30 minutes\./);
    expect(shown.stdout).toMatch(/Ben Director approved through the API; the request is approved\./);
    expect(shown.stdout).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}/);
    const mine = await keyholder('ext-kim', ['requests']);
    expect(mine.stdout).toMatch(
      new RegExp(
        `${id}\\s+ACTIVE\\s+Admin: the whole safe haven\\s+1 hour 30 minutes\\s+ext-kim\\s+expires in`,
      ),
    );

    // An expired access token is renewed with the refresh token, without a word to the person
    const before = JSON.parse(await readFile(credentials, 'utf8')).logins[stack.url];
    await writeFile(
      credentials,
      JSON.stringify({
        version: 1,
        lastApi: stack.url,
        logins: { [stack.url]: { ...before, expiresAt: '2020-01-01T00:00:00.000Z' } },
      }),
      { mode: 0o600 },
    );
    const renewed = await keyholder('ext-kim', ['requests', '--status', 'active', '--json']);
    expect(renewed.code, renewed.stderr).toBe(0);
    expect(JSON.parse(renewed.stdout).requests.map((r: { id: string }) => r.id)).toContain(id);
    const after = JSON.parse(await readFile(credentials, 'utf8')).logins[stack.url];
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(Date.parse(after.expiresAt)).toBeGreaterThan(Date.now());

    // A director revokes; the history says so
    const revoked = await keyholder('dir-ada', ['revoke', id, '--reason', 'Incident closed'], {
      token: true,
    });
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toMatch(
      new RegExp(`^Revoked ${id}: REVOKED, revoked just now \\(Incident closed\\)`),
    );
    const history = await keyholder('dir-ada', ['access', '--principal', 'ext-kim'], { token: true });
    expect(history.stdout).toMatch(
      new RegExp(`Kim Consultant \\(ext-kim\\)\\s+Admin: the whole safe haven.*REVOKED\\s+${id}`),
    );
    const csv = await keyholder('aud-fay', ['access', '--csv', '--at', '1 sec ago'], { token: true });
    expect(csv.code, csv.stderr).toBe(0);
    expect(csv.stdout.split('\r\n')[0]).toMatch(/^principal_id,principal_name,/);

    // Kim logs out: the refresh token is revoked at the provider, and she is no longer logged in
    const logout = await keyholder('ext-kim', ['logout']);
    expect(logout.code, logout.stderr).toBe(0);
    expect(logout.stdout).toBe(`Logged out of ${stack.url}: the refresh token is revoked at the provider.\n`);
    const gone = await keyholder('ext-kim', ['requests']);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toBe(
      `keyholder: not logged in to ${stack.url}: run keyholder login --api ${stack.url} (or set KEYHOLDER_TOKEN)\n`,
    );
  }, 120_000);

  it('refuses bad durations, short reasons and strangers in one line each, with the right exit code', async () => {
    // Not a duration at all: a usage error (2), nothing sent
    const soon = await keyholder('ext-lee', ['request', 'admin', '--for', 'soon', '--why', justification], {
      token: true,
    });
    expect(soon.code).toBe(2);
    expect(soon.stderr).toMatch(
      /^keyholder: option '--for <duration>' argument 'soon' is invalid\. "soon" is not a duration: e\.g\. 4h, 90m, 1h30m, 2 days, 1w or PT4H\n$/,
    );
    // A duration the policy refuses (admin at most 7 days): the API's refusal (1), naming the field
    const tooLong = await keyholder(
      'ext-lee',
      ['request', 'admin', '--for', '8 days', '--why', justification],
      { token: true },
    );
    expect(tooLong.code).toBe(1);
    expect(tooLong.stderr).toMatch(/^keyholder: duration: .+ \(VALIDATION_FAILED\)\n$/);
    const short = await keyholder(
      'ext-lee',
      ['request', 'dataset:hes-apc', '--for', '4h', '--why', 'too short'],
      { token: true },
    );
    expect(short.code).toBe(1);
    expect(short.stderr).toBe(
      'keyholder: justification: must be at least 20 characters (VALIDATION_FAILED)\n',
    );
    // Nobody logged in, no token
    const stranger = await keyholder('nobody', ['requests']);
    expect(stranger.code).toBe(1);
    expect(stranger.stderr.trim().split('\n')).toHaveLength(1);
    expect(stranger.stderr).toMatch(
      /^keyholder: not logged in to http:\/\/127\.0\.0\.1:\d+: run keyholder login/,
    );
    // Someone the directory does not know
    const unknown = await keyholder('nobody-here', ['datasets'], { token: true });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^keyholder: .+ \(UNKNOWN_PRINCIPAL\)\n$/);
    // Datasets by title, for anyone who is someone
    const datasets = await keyholder('ext-lee', ['datasets'], { token: true });
    expect(datasets.stdout).toMatch(
      /dataset:hes-apc\s+Hospital Episode Statistics — Admitted Patient Care\s+identifiable/,
    );
  }, 60_000);
});
