// The CLI's stored logins: in the user's config directory, private (0600 in a 0700 directory), keyed by API URL,
// remembering the API used last, written atomically.
import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigStore, configDir, type StoredLogin } from '../../../cli/config-store.ts';

const login = (token: string): StoredLogin => ({
  issuer: 'https://login.example/tenant/v2.0',
  clientId: 'keyholder-cli',
  accessToken: token,
  refreshToken: `refresh-${token}`,
  expiresAt: '2026-12-05T19:00:00.000Z',
  savedAt: '2026-12-05T18:00:00.000Z',
});

const mode = async (file: string) => (await stat(file)).mode & 0o777;

describe('configDir', () => {
  it('is $XDG_CONFIG_HOME/keyholder when set, on any platform', () => {
    expect(configDir({ XDG_CONFIG_HOME: '/x/cfg' }, 'linux', '/home/kim')).toBe(
      path.join('/x/cfg', 'keyholder'),
    );
    expect(configDir({ XDG_CONFIG_HOME: '/x/cfg', APPDATA: 'C:/A' }, 'win32', '/h')).toBe(
      path.join('/x/cfg', 'keyholder'),
    );
  });

  it('is ~/.config/keyholder otherwise, and %APPDATA%\\keyholder on Windows', () => {
    expect(configDir({}, 'linux', '/home/kim')).toBe(path.join('/home/kim', '.config', 'keyholder'));
    expect(configDir({}, 'darwin', '/Users/kim')).toBe(path.join('/Users/kim', '.config', 'keyholder'));
    expect(configDir({ APPDATA: 'C:/Users/kim/AppData/Roaming' }, 'win32', 'C:/Users/kim')).toBe(
      path.join('C:/Users/kim/AppData/Roaming', 'keyholder'),
    );
  });
});

describe.skipIf(process.platform === 'win32')('ConfigStore', () => {
  let root: string;
  let dir: string;
  let warnings: string[];
  let store: ConfigStore;
  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'keyholder-config-'));
    dir = path.join(root, 'nested', 'keyholder');
    warnings = [];
    store = new ConfigStore(dir, (line) => warnings.push(line));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('reads as empty before anything is stored, and creates nothing', async () => {
    expect(await store.read()).toEqual({ version: 1, logins: {} });
    expect(await store.get('http://127.0.0.1:3000')).toBeUndefined();
    await expect(stat(dir)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('writes the file 0600 in a directory 0700, keyed by API, remembering the last', async () => {
    await store.put('http://127.0.0.1:3000', login('local'));
    await store.put('https://keyholder.example.nhs.uk', login('aws'));

    expect(await mode(dir)).toBe(0o700);
    expect(await mode(store.file)).toBe(0o600);
    expect(await store.get('http://127.0.0.1:3000')).toMatchObject({ accessToken: 'local' });
    expect(await store.get('https://keyholder.example.nhs.uk')).toMatchObject({ accessToken: 'aws' });
    expect(await store.lastApi()).toBe('https://keyholder.example.nhs.uk');
    // Atomic: no temporary file left behind
    expect(await readdir(dir)).toEqual(['credentials.json']);
    expect(JSON.parse(await readFile(store.file, 'utf8'))).toMatchObject({
      version: 1,
      lastApi: 'https://keyholder.example.nhs.uk',
    });
    expect(warnings).toEqual([]);
  });

  it('makes a looser directory private again when it writes', async () => {
    await store.put('http://a', login('a'));
    await chmod(dir, 0o755);
    await store.put('http://b', login('b'));
    expect(await mode(dir)).toBe(0o700);
  });

  it('tightens a credentials file others can read, and says so', async () => {
    await store.put('http://a', login('a'));
    await chmod(store.file, 0o644);

    expect(await store.get('http://a')).toMatchObject({ accessToken: 'a' });

    expect(await mode(store.file)).toBe(0o600);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/readable by others \(mode 644\); now 600/);
  });

  it('forgets one API and keeps the others', async () => {
    await store.put('http://a', login('a'));
    await store.put('http://b', login('b'));

    expect(await store.remove('http://a')).toBe(true);
    expect(await store.remove('http://a')).toBe(false);

    expect(await store.get('http://a')).toBeUndefined();
    expect(await store.get('http://b')).toMatchObject({ accessToken: 'b' });
    expect(await mode(store.file)).toBe(0o600);
  });

  it('refuses a file that is not its own, saying what to do', async () => {
    await store.put('http://a', login('a'));
    await writeFile(store.file, '{"something":"else"}', { mode: 0o600 });
    await expect(store.read()).rejects.toThrow(
      /is not a Keyholder credentials file: remove it and run keyholder login/,
    );
  });
});
