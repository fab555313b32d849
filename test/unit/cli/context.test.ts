// Which API and which token: --api > KEYHOLDER_API > the API last logged in to > http://127.0.0.1:3000; KEYHOLDER_TOKEN
// overrides the stored login; a stored access token near its expiry is refreshed, one without a refresh token is not.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigStore, type StoredLogin } from '../../../cli/config-store.ts';
import {
  Context,
  DEFAULT_API,
  type Io,
  isFresh,
  normaliseApiUrl,
  tokenExpiry,
} from '../../../cli/context.ts';

const NOW = Date.parse('2026-12-05T18:00:00Z');
const jwt = (claims: Record<string, unknown>) =>
  `e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.signature`;

const stored = (extra: Partial<StoredLogin> = {}): StoredLogin => ({
  issuer: 'https://login.example',
  clientId: 'keyholder-cli',
  accessToken: 'stored-token',
  savedAt: '2026-12-05T17:00:00.000Z',
  ...extra,
});

describe('tokens', () => {
  it('reads the exp of a JWT without verifying it, and nothing from anything else', () => {
    expect(tokenExpiry(jwt({ exp: 1_800_000_000 }))).toBe(1_800_000_000_000);
    expect(tokenExpiry(jwt({ sub: 'x' }))).toBeUndefined();
    expect(tokenExpiry('opaque')).toBeUndefined();
    expect(tokenExpiry('a.%%%.c')).toBeUndefined();
  });

  it('is fresh until 30 s before its expiry (stored, else the token exp); unknown expiry counts as fresh', () => {
    expect(isFresh(stored({ expiresAt: '2026-12-05T18:01:00Z' }), NOW)).toBe(true);
    expect(isFresh(stored({ expiresAt: '2026-12-05T18:00:20Z' }), NOW)).toBe(false);
    expect(isFresh(stored({ accessToken: jwt({ exp: NOW / 1000 - 1 }) }), NOW)).toBe(false);
    expect(isFresh(stored({ accessToken: jwt({ exp: NOW / 1000 + 3600 }) }), NOW)).toBe(true);
    expect(isFresh(stored(), NOW)).toBe(true);
  });

  it('normalises API URLs', () => {
    expect(normaliseApiUrl('http://127.0.0.1:3000/')).toBe('http://127.0.0.1:3000');
    expect(normaliseApiUrl('https://x.execute-api.eu-west-2.amazonaws.com/prod/?a=1#b')).toBe(
      'https://x.execute-api.eu-west-2.amazonaws.com/prod',
    );
    expect(() => normaliseApiUrl('localhost:3000')).toThrow(/not an http\(s\) URL/);
    expect(() => normaliseApiUrl('not a url')).toThrow(/not a URL, e\.g\. http:\/\/127\.0\.0\.1:3000/);
  });
});

describe('Context', () => {
  let home: string;
  beforeEach(async () => {
    home = await mkdtemp(path.join(tmpdir(), 'keyholder-context-'));
  });
  afterEach(async () => {
    await rm(home, { recursive: true, force: true });
  });
  const io = (env: NodeJS.ProcessEnv): Io => ({
    stdout: { write: () => true },
    stderr: { write: () => true },
    env: { XDG_CONFIG_HOME: home, ...env },
    now: () => NOW,
  });
  const store = () => new ConfigStore(path.join(home, 'keyholder'));

  it('picks the API: --api, else KEYHOLDER_API, else the last login, else the default', async () => {
    expect((await Context.create({ io: io({}) })).api).toBe(DEFAULT_API);
    await store().put('https://last.example', stored());
    expect((await Context.create({ io: io({}) })).api).toBe('https://last.example');
    expect((await Context.create({ io: io({ KEYHOLDER_API: 'https://env.example/' }) })).api).toBe(
      'https://env.example',
    );
    expect(
      (
        await Context.create({
          api: 'https://flag.example',
          io: io({ KEYHOLDER_API: 'https://env.example' }),
        })
      ).api,
    ).toBe('https://flag.example');
  });

  it('KEYHOLDER_TOKEN overrides the stored login', async () => {
    await store().put('https://api.example', stored());
    const context = await Context.create({
      api: 'https://api.example',
      io: io({ KEYHOLDER_TOKEN: 'from-env' }),
    });
    expect(await context.accessToken()).toBe('from-env');
  });

  it('uses a fresh stored token, and refuses an expired one that cannot be refreshed', async () => {
    await store().put('https://api.example', stored({ expiresAt: '2026-12-05T19:00:00Z' }));
    await store().put('https://old.example', stored({ expiresAt: '2026-12-05T17:00:00Z' }));
    expect(await (await Context.create({ api: 'https://api.example', io: io({}) })).accessToken()).toBe(
      'stored-token',
    );
    await expect(
      (await Context.create({ api: 'https://old.example', io: io({}) })).accessToken(),
    ).rejects.toThrow(
      'your login to https://old.example has expired: run keyholder login --api https://old.example',
    );
    await expect(
      (await Context.create({ api: 'https://none.example', io: io({}) })).accessToken(),
    ).rejects.toThrow(/^not logged in to https:\/\/none\.example/);
  });
});
