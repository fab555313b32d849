// The logins `keyholder login` keeps: one JSON file, `credentials.json`, in the user's config directory
// ($XDG_CONFIG_HOME/keyholder, else %APPDATA%\keyholder on Windows, else ~/.config/keyholder), readable by the user
// alone (file 0600, directory 0700; a looser file is tightened and reported), keyed by API URL, with the API used
// last. Written to a temporary file and renamed, so a crash never leaves half a file. (On Windows the modes are not
// enforced by the file system; %APPDATA% is per user.)
import { chmod, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { CliError } from './errors.ts';

export interface StoredLogin {
  readonly issuer: string;
  readonly clientId: string;
  readonly accessToken: string;
  readonly refreshToken?: string | undefined;
  readonly idToken?: string | undefined;
  /** When the access token expires (ISO-8601); unknown when neither the provider nor the token says. */
  readonly expiresAt?: string | undefined;
  readonly scope?: string | undefined;
  /** Who the API said this is at login (shown by `whoami` when the API cannot be reached). */
  readonly principal?: { readonly id: string; readonly name: string } | undefined;
  readonly savedAt: string;
}

export interface CredentialsFile {
  readonly version: 1;
  readonly lastApi?: string | undefined;
  readonly logins: Readonly<Record<string, StoredLogin>>;
}

export const CREDENTIALS_FILE = 'credentials.json';
const EMPTY: CredentialsFile = { version: 1, logins: {} };

/** The user's Keyholder config directory. */
export function configDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  if (env.XDG_CONFIG_HOME) return path.join(env.XDG_CONFIG_HOME, 'keyholder');
  if (platform === 'win32' && env.APPDATA) return path.join(env.APPDATA, 'keyholder');
  return path.join(home, '.config', 'keyholder');
}

export class ConfigStore {
  readonly dir: string;
  readonly file: string;
  /** Where a warning goes (a file whose permissions had to be tightened). */
  private readonly warn: (line: string) => void;

  constructor(
    dir: string = configDir(),
    warn: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
  ) {
    this.dir = dir;
    this.file = path.join(dir, CREDENTIALS_FILE);
    this.warn = warn;
  }

  async read(): Promise<CredentialsFile> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return EMPTY;
      throw new CliError(`cannot read ${this.file}: ${(error as Error).message}`);
    }
    await this.tighten();
    try {
      const parsed = JSON.parse(text) as Partial<CredentialsFile>;
      if (parsed.version !== 1 || typeof parsed.logins !== 'object' || parsed.logins === null)
        throw new Error();
      return { version: 1, lastApi: parsed.lastApi, logins: parsed.logins };
    } catch {
      throw new CliError(
        `${this.file} is not a Keyholder credentials file: remove it and run keyholder login`,
      );
    }
  }

  async get(api: string): Promise<StoredLogin | undefined> {
    return (await this.read()).logins[api];
  }

  async lastApi(): Promise<string | undefined> {
    return (await this.read()).lastApi;
  }

  async put(api: string, login: StoredLogin): Promise<void> {
    const current = await this.read();
    await this.write({ version: 1, lastApi: api, logins: { ...current.logins, [api]: login } });
  }

  /** Forgets the login to `api`; true when there was one. */
  async remove(api: string): Promise<boolean> {
    const current = await this.read();
    if (!current.logins[api]) return false;
    const { [api]: _gone, ...logins } = current.logins;
    await this.write({ ...current, logins });
    return true;
  }

  async rememberApi(api: string): Promise<void> {
    const current = await this.read();
    if (current.lastApi !== api) await this.write({ ...current, lastApi: api });
  }

  private async write(content: CredentialsFile): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await chmod(this.dir, 0o700);
    const temporary = `${this.file}.${process.pid}.tmp`;
    try {
      await writeFile(temporary, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
      await chmod(temporary, 0o600);
      await rename(temporary, this.file);
    } catch (error) {
      await rm(temporary, { force: true });
      throw new CliError(`cannot write ${this.file}: ${(error as Error).message}`);
    }
  }

  /** A credentials file others may read is made private again, and said so. */
  private async tighten(): Promise<void> {
    if (process.platform === 'win32') return;
    const { mode } = await stat(this.file);
    if ((mode & 0o077) === 0) return;
    await chmod(this.file, 0o600);
    this.warn(
      `keyholder: ${this.file} was readable by others (mode ${(mode & 0o777).toString(8)}); now 600 — ` +
        'consider logging in again',
    );
  }
}
