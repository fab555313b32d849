// What every command works with: the API it talks to, the token it sends, where it prints, and how.
// The API: --api, else KEYHOLDER_API, else the API last logged in to, else http://127.0.0.1:3000.
// The token: KEYHOLDER_TOKEN (for scripts), else the stored login, refreshed with its refresh token once expired.
import { type Api, type ApiOptions, apiClient, unwrap } from './api.ts';
import { ConfigStore, configDir, type StoredLogin } from './config-store.ts';
import { CliError, UsageError } from './errors.ts';
import { type Style, styleFor } from './output.ts';

export const DEFAULT_API = 'http://127.0.0.1:3000';
/** An access token this close to its expiry is refreshed before use. */
const EXPIRY_MARGIN_MS = 30_000;

export interface Io {
  readonly stdout: { write(text: string): unknown; isTTY?: boolean };
  readonly stderr: { write(text: string): unknown; isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
  readonly now: () => number;
  readonly fetch?: typeof globalThis.fetch;
}

export const processIo: Io = {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  now: () => Date.now(),
};

/** `https://api.example/prod/` -> `https://api.example/prod`; anything but an http(s) URL is a usage error. */
export function normaliseApiUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--api: "${text}" is not a URL, e.g. ${DEFAULT_API}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`--api: "${text}" is not an http(s) URL, e.g. ${DEFAULT_API}`);
  url.hash = '';
  url.search = '';
  return url.href.replace(/\/+$/, '');
}

/** The `exp` claim of a JWT, in ms; undefined when the token is not a JWT or has none (nothing is verified here). */
export function tokenExpiry(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof claims.exp === 'number' ? claims.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

export class Context {
  readonly api: string;
  readonly io: Io;
  readonly store: ConfigStore;
  readonly json: boolean;
  readonly style: Style;
  private cachedToken: string | undefined;

  constructor(options: { api: string; io: Io; store: ConfigStore; json: boolean }) {
    this.api = options.api;
    this.io = options.io;
    this.store = options.store;
    this.json = options.json;
    this.style = styleFor(options.io.stdout, options.io.env);
  }

  static async create(options: {
    api?: string | undefined;
    json?: boolean | undefined;
    io: Io;
  }): Promise<Context> {
    const store = new ConfigStore(configDir(options.io.env), (line) => options.io.stderr.write(`${line}\n`));
    const given = options.api ?? options.io.env.KEYHOLDER_API ?? (await store.lastApi()) ?? DEFAULT_API;
    return new Context({ api: normaliseApiUrl(given), io: options.io, store, json: options.json === true });
  }

  now(): number {
    return this.io.now();
  }

  print(text: string): void {
    this.io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** Progress and prompts: to stderr, so stdout stays the answer (and --json stays parseable). */
  note(text: string): void {
    this.io.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  printJson(value: unknown): void {
    this.print(JSON.stringify(value, null, 2));
  }

  get tokenFromEnv(): string | undefined {
    return this.io.env.KEYHOLDER_TOKEN || undefined;
  }

  private get unauthenticatedHint(): string {
    return this.tokenFromEnv
      ? 'KEYHOLDER_TOKEN was refused: get a fresh token'
      : `run keyholder login --api ${this.api}`;
  }

  /** The API without a token (the public routes: /auth/config, /health). */
  publicApi(): Api {
    return apiClient(this.api, this.apiOptions());
  }

  /** The API as the person logged in (or KEYHOLDER_TOKEN); refuses at once when there is neither. */
  async authenticatedApi(): Promise<Api> {
    await this.accessToken();
    return apiClient(this.api, { ...this.apiOptions(), token: () => this.accessToken() });
  }

  /** The API with this token (a login being completed). */
  apiWithToken(token: string): Api {
    return apiClient(this.api, { ...this.apiOptions(), token: async () => token });
  }

  /** The answer's data, or a CliError saying why there is none. */
  call<T>(pending: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<NonNullable<T>> {
    return unwrap(this.api, pending, { unauthenticatedHint: this.unauthenticatedHint });
  }

  private apiOptions(): ApiOptions {
    return this.io.fetch ? { fetch: this.io.fetch } : {};
  }

  async accessToken(): Promise<string> {
    if (this.tokenFromEnv) return this.tokenFromEnv;
    if (this.cachedToken) return this.cachedToken;
    const login = await this.store.get(this.api);
    if (!login) {
      throw new CliError(
        `not logged in to ${this.api}: run keyholder login --api ${this.api} (or set KEYHOLDER_TOKEN)`,
      );
    }
    const fresh = isFresh(login, this.now()) ? login : await this.refresh(login);
    this.cachedToken = fresh.accessToken;
    return fresh.accessToken;
  }

  private async refresh(login: StoredLogin): Promise<StoredLogin> {
    if (!login.refreshToken) {
      throw new CliError(`your login to ${this.api} has expired: run keyholder login --api ${this.api}`);
    }
    const { refreshLogin } = await import('./oidc.ts');
    let refreshed: StoredLogin;
    try {
      refreshed = await refreshLogin(login, this.now());
    } catch (error) {
      throw new CliError(
        `your login to ${this.api} has expired and could not be renewed (${(error as Error).message}): ` +
          `run keyholder login --api ${this.api}`,
      );
    }
    await this.store.put(this.api, refreshed);
    return refreshed;
  }
}

export function isFresh(login: StoredLogin, now: number): boolean {
  const expiresAt = login.expiresAt ? Date.parse(login.expiresAt) : tokenExpiry(login.accessToken);
  return expiresAt === undefined || Number.isNaN(expiresAt) || expiresAt - EXPIRY_MARGIN_MS > now;
}

/** How the person is signed in, in words (for `whoami`). */
export async function sessionInWords(context: Context, relative: (at: string) => string): Promise<string> {
  if (context.tokenFromEnv) {
    const expiry = tokenExpiry(context.tokenFromEnv);
    return `with KEYHOLDER_TOKEN${expiry ? `, which expires ${relative(new Date(expiry).toISOString())}` : ''}`;
  }
  const login = await context.store.get(context.api);
  if (!login) return 'no';
  const expiresAt =
    login.expiresAt ??
    (tokenExpiry(login.accessToken) && new Date(tokenExpiry(login.accessToken) ?? 0).toISOString());
  return (
    `through ${login.issuer} (keyholder login)` +
    (expiresAt ? `; access token expires ${relative(expiresAt)}` : '') +
    (login.refreshToken ? ', renewed automatically' : '')
  );
}
