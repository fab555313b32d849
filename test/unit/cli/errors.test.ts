// How the CLI fails: the API's error as one line naming the field and the code; exit 2 for usage, 1 for a refusal
// or failure, 0 for success. Driven through run() with a fake API (no stack), so every mapping is exercised.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorOf, unwrap } from '../../../cli/api.ts';
import type { Io } from '../../../cli/context.ts';
import { apiErrorLine, describeFailure, UsageError } from '../../../cli/errors.ts';
import { AUDIT_ENV, run } from '../../../cli/main.ts';
import { ENV } from '../../../lambdas/commons/config.ts';

type Handler = (request: Request) => Response | Promise<Response>;

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

function fakeIo(env: NodeJS.ProcessEnv, handler: Handler) {
  const out: string[] = [];
  const err: string[] = [];
  const requests: Request[] = [];
  const io: Io = {
    stdout: { write: (text: string) => out.push(text), isTTY: false },
    stderr: { write: (text: string) => err.push(text), isTTY: false },
    env,
    now: () => Date.parse('2026-12-05T18:06:00Z'),
    fetch: (async (input: Request) => {
      requests.push(input.clone());
      return handler(input);
    }) as typeof fetch,
  };
  return { io, out: () => out.join(''), err: () => err.join(''), requests };
}

describe('apiErrorLine', () => {
  it('says the field once, then the message and the code', () => {
    expect(
      apiErrorLine({
        code: 'VALIDATION_FAILED',
        field: 'justification',
        message: 'justification must be at least 20 characters',
      }),
    ).toBe('justification: must be at least 20 characters (VALIDATION_FAILED)');
    expect(
      apiErrorLine({ code: 'VALIDATION_FAILED', field: 'scopes', message: 'unknown dataset nope' }),
    ).toBe('scopes: unknown dataset nope (VALIDATION_FAILED)');
    expect(
      apiErrorLine({ code: 'SELF_APPROVAL', message: 'a requester cannot approve\ntheir own request' }),
    ).toBe('a requester cannot approve their own request (SELF_APPROVAL)');
  });

  it('describeFailure prefixes keyholder: and keeps the exit code', () => {
    expect(describeFailure(new UsageError('--api: "x" is not a URL'))).toEqual({
      line: 'keyholder: --api: "x" is not a URL',
      exitCode: 2,
    });
    expect(describeFailure(new Error('boom'))).toEqual({ line: 'keyholder: boom', exitCode: 1 });
  });
});

describe('errorOf and unwrap', () => {
  it('reads the contract error body, and falls back to the status for anything else', () => {
    const fromBody = errorOf(new Response(null, { status: 409 }), {
      error: { code: 'CAP_REACHED', message: 'the external-admin cap of 5 is reached' },
    });
    expect(fromBody).toMatchObject({ status: 409, code: 'CAP_REACHED', exitCode: 1 });
    expect(fromBody.message).toBe('the external-admin cap of 5 is reached (CAP_REACHED)');

    const bare = errorOf(new Response(null, { status: 502, statusText: 'Bad Gateway' }), undefined);
    expect(bare.message).toBe('the API answered 502 Bad Gateway (HTTP_502)');
  });

  it('adds the hint to a 401 only', () => {
    const body = { error: { code: 'UNAUTHENTICATED', message: 'A valid bearer token is required' } };
    expect(errorOf(new Response(null, { status: 401 }), body, 'run keyholder login').message).toBe(
      'A valid bearer token is required (UNAUTHENTICATED); run keyholder login',
    );
    expect(errorOf(new Response(null, { status: 403 }), body, 'run keyholder login').message).not.toContain(
      'login',
    );
  });

  it('turns a network failure into "cannot reach" with the cause', async () => {
    const refused = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    await expect(unwrap('http://127.0.0.1:1', Promise.reject(refused))).rejects.toThrow(
      'cannot reach the Keyholder API at http://127.0.0.1:1 (ECONNREFUSED)',
    );
  });
});

describe('run: exit codes and one-line errors', () => {
  let home: string;
  beforeEach(async () => {
    home = await mkdtemp(path.join(tmpdir(), 'keyholder-cli-'));
  });
  afterEach(async () => {
    await rm(home, { recursive: true, force: true });
  });
  const env = (extra: NodeJS.ProcessEnv = {}) => ({
    XDG_CONFIG_HOME: home,
    KEYHOLDER_API: 'http://api.test',
    KEYHOLDER_TOKEN: 'token-of-kim',
    ...extra,
  });
  const noApi: Handler = () => {
    throw new Error('no call expected');
  };

  it('--help and --version exit 0; every command has an example', async () => {
    const help = fakeIo(env(), noApi);
    expect(await run(['--help'], help.io)).toBe(0);
    expect(help.out()).toContain('Usage: keyholder');
    const version = fakeIo(env(), noApi);
    expect(await run(['--version'], version.io)).toBe(0);
    expect(version.out().trim()).toMatch(/^\d+\.\d+\.\d+$/);
    for (const command of [
      'login',
      'logout',
      'whoami',
      'request',
      'requests',
      'show',
      'approve',
      'deny',
      'cancel',
      'extend',
      'revoke',
      'access',
      'datasets',
      'audit verify',
    ]) {
      const one = fakeIo(env(), noApi);
      expect(await run([...command.split(' '), '--help'], one.io)).toBe(0);
      expect(one.out(), command).toMatch(/Examples?:\n {2}\$ keyholder /);
      if (command !== 'audit verify') expect(one.out(), command).toContain('--json');
    }
  });

  it.each([
    [['nonsense'], /unknown command 'nonsense'/],
    [
      ['request', 'admin', '--why', 'Restoring the admissions feed'],
      /required option '--for <duration>' not specified/,
    ],
    [
      ['request', 'admin', '--for', 'soon', '--why', 'Restoring the admissions feed'],
      /"soon" is not a duration: e\.g\. 4h, 90m/,
    ],
    [
      ['request', 'everything', '--for', '4h', '--why', 'Restoring the admissions feed'],
      /a scope is admin or dataset:<id>/,
    ],
    [['requests', '--status', 'sleeping'], /one of PENDING_APPROVAL, /],
    [['access', '--at', 'yesterday'], /"yesterday" is not a time/],
    [['access', '--csv', '--json'], /cannot be used with/],
    [['approve'], /missing required argument 'id'/],
    [['deny', 'req-1'], /required option '--reason <text>'/],
    [['requests', '--api', 'ftp://x'], /--api: "ftp:\/\/x" is not an http\(s\) URL/],
  ])('%j is a usage error: exit 2, one line, nothing sent', async (argv, message) => {
    const cli = fakeIo(env(), noApi);
    expect(await run(argv, cli.io)).toBe(2);
    expect(cli.err()).toMatch(message);
    expect(cli.err()).toMatch(/^keyholder: /);
    expect(cli.err().trim().split('\n')).toHaveLength(1);
    expect(cli.requests).toHaveLength(0);
  });

  it("prints the API's refusal in one line naming the field, exit 1", async () => {
    const cli = fakeIo(env(), () =>
      json(400, {
        error: {
          code: 'VALIDATION_FAILED',
          field: 'justification',
          message: 'justification must be at least 20 characters',
        },
      }),
    );
    expect(await run(['request', 'admin', '--for', '4h', '--why', 'too short'], cli.io)).toBe(1);
    expect(cli.err()).toBe('keyholder: justification: must be at least 20 characters (VALIDATION_FAILED)\n');
    expect(cli.out()).toBe('');
    // What was sent: the contract's body, the duration in ISO-8601, the token as a bearer
    const [sent] = cli.requests;
    expect(sent?.method).toBe('POST');
    expect(sent?.url).toBe('http://api.test/requests');
    expect(sent?.headers.get('authorization')).toBe('Bearer token-of-kim');
    expect(await sent?.json()).toEqual({ scopes: ['admin'], justification: 'too short', duration: 'PT4H' });
  });

  it('not logged in: one line saying how to log in, exit 1, nothing sent', async () => {
    const cli = fakeIo(env({ KEYHOLDER_TOKEN: '' }), noApi);
    expect(await run(['requests'], cli.io)).toBe(1);
    expect(cli.err()).toBe(
      'keyholder: not logged in to http://api.test: run keyholder login --api http://api.test (or set KEYHOLDER_TOKEN)\n',
    );
    expect(cli.requests).toHaveLength(0);
  });

  it('a 401 with KEYHOLDER_TOKEN says the token was refused', async () => {
    const cli = fakeIo(env(), () =>
      json(401, { error: { code: 'UNAUTHENTICATED', message: 'A valid bearer token is required' } }),
    );
    expect(await run(['datasets'], cli.io)).toBe(1);
    expect(cli.err()).toBe(
      'keyholder: A valid bearer token is required (UNAUTHENTICATED); KEYHOLDER_TOKEN was refused: get a fresh token\n',
    );
  });

  it('retries a 503 (nothing was written) and then succeeds, exit 0', async () => {
    let calls = 0;
    const cli = fakeIo(env(), () => {
      calls += 1;
      return calls === 1
        ? json(503, { error: { code: 'BUSY', message: 'try again' } })
        : json(200, {
            datasets: [{ id: 'hes-apc', title: 'Hospital Episode Statistics', sensitivity: 'identifiable' }],
          });
    });
    expect(await run(['datasets', '--json'], cli.io)).toBe(0);
    expect(calls).toBe(2);
    expect(JSON.parse(cli.out())).toEqual({
      datasets: [{ id: 'hes-apc', title: 'Hospital Episode Statistics', sensitivity: 'identifiable' }],
    });
  });

  it('login against an API without sign-in configured: one call (no retry), one line, exit 1', async () => {
    const cli = fakeIo(env({ KEYHOLDER_TOKEN: '' }), () =>
      json(503, {
        error: { code: 'SIGN_IN_NOT_CONFIGURED', message: 'no OpenID issuer is configured for sign-in' },
      }),
    );
    expect(await run(['login'], cli.io)).toBe(1);
    expect(cli.requests.map((request) => request.url)).toEqual(['http://api.test/auth/config']);
    expect(cli.requests[0]?.headers.get('authorization')).toBeNull();
    expect(cli.err()).toBe(
      'keyholder: no OpenID issuer is configured for sign-in (SIGN_IN_NOT_CONFIGURED)\n',
    );
  });

  it('--api wins over KEYHOLDER_API, and a trailing slash is dropped', async () => {
    const cli = fakeIo(env(), () => json(200, { datasets: [] }));
    expect(await run(['datasets', '--api', 'https://keyholder.example/prod/'], cli.io)).toBe(0);
    expect(cli.requests[0]?.url).toBe('https://keyholder.example/prod/datasets');
    expect(cli.out()).toBe('The catalogue is empty.\n');
  });

  it('audit verify without table names is a usage error naming the variables', async () => {
    const cli = fakeIo({ XDG_CONFIG_HOME: home }, noApi);
    expect(await run(['audit', 'verify'], cli.io)).toBe(2);
    expect(cli.err()).toMatch(/^keyholder: the state and audit table names are required/);
    expect(AUDIT_ENV).toEqual({
      stateTable: ENV.stateTable,
      auditTable: ENV.auditTable,
      anchorBucket: ENV.anchorBucket,
    });
  });
});
