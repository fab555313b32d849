// The web console locally: serves the built single-page app (web/dist, built by Vite at start when missing or older
// than its sources), a generated /config.json (where the API and the OpenID issuer are), and the same security
// headers CloudFront sends (web/security-headers.ts). Any path without a file extension is the app (client routes:
// /callback, /inbox, ...).
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SELF_FRAMED_PATHS, securityHeaders } from '../web/security-headers.ts';
import { closeServer, listen } from './http-util.ts';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const WEB_ROOT = path.join(REPO_ROOT, 'web');
export const WEB_DIST = path.join(WEB_ROOT, 'dist');

/** What the console reads at start (GET /config.json). */
export interface ConsoleConfig {
  readonly issuer: string;
  readonly clientId: string;
  readonly apiUrl: string;
  readonly audience: string;
}

export interface ConsoleServerOptions {
  /** 0 = a free port. */
  readonly port: number;
  /** Read per request: the API and the issuer may only be known after the console listens. */
  readonly config: () => ConsoleConfig;
}

export interface ConsoleServer {
  readonly url: string;
  stop(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.webmanifest': 'application/manifest+json',
  '.map': 'application/json',
};

/** Newest modification time of the console's sources (web/ without dist), in ms. */
async function newestSource(dir = WEB_ROOT): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name === 'dist' || entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? await newestSource(full) : (await stat(full)).mtimeMs);
  }
  return newest;
}

/** Written into web/dist by a production build here: a build without it (another mode, by hand) is built again. */
const PRODUCTION_MARK = '.production-build';

async function builtAt(): Promise<number> {
  try {
    if (!existsSync(path.join(WEB_DIST, PRODUCTION_MARK))) return 0;
    return (await stat(path.join(WEB_DIST, 'index.html'))).mtimeMs;
  } catch {
    return 0;
  }
}

/**
 * Runs `body` with NODE_ENV=production. Vite takes the bundle's process.env.NODE_ENV from NODE_ENV when it is set
 * (vitest sets it to `test`), and React is a development build unless it is `production`: under test, that console
 * would run StrictMode's doubled effects and development checks that what CloudFront serves does not.
 */
async function asProduction<T>(body: () => Promise<T>): Promise<T> {
  const before = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    return await body();
  } finally {
    if (before === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = before;
  }
}

/**
 * Builds web/dist with Vite when it is missing or older than any source. Several stacks may start at once (test
 * workers): one builds under a lock directory, the others wait for it; the build lands in a temporary folder and is
 * moved into place page by page, so nobody serves half a build.
 */
export async function ensureConsoleBuilt(): Promise<void> {
  if ((await builtAt()) >= (await newestSource())) return;
  const lock = path.join(WEB_ROOT, '.build-lock');
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch {
      if (Date.now() > deadline) await rm(lock, { recursive: true, force: true }); // a crashed builder's lock
      await new Promise((resolve) => setTimeout(resolve, 200));
      if (!existsSync(lock) && (await builtAt()) >= (await newestSource())) return;
    }
  }
  try {
    if ((await builtAt()) >= (await newestSource())) return;
    const outDir = path.join(WEB_ROOT, `.dist-${process.pid}`);
    const { build } = await import('vite');
    await asProduction(() =>
      build({
        configFile: path.join(WEB_ROOT, 'vite.config.ts'),
        mode: 'production',
        logLevel: 'warn',
        build: { outDir, emptyOutDir: true },
      }),
    );
    // Into place without a gap: the hashed assets next to the old ones (a page loaded a moment ago still finds its
    // scripts), then the HTML pages, each renamed over its old self.
    await mkdir(path.join(WEB_DIST, 'assets'), { recursive: true });
    await cp(outDir, WEB_DIST, { recursive: true, filter: (source) => !source.endsWith('.html') });
    for (const page of (await readdir(outDir)).filter((name) => name.endsWith('.html')))
      await rename(path.join(outDir, page), path.join(WEB_DIST, page));
    await writeFile(path.join(WEB_DIST, PRODUCTION_MARK), `${new Date().toISOString()}\n`);
    await rm(outDir, { recursive: true, force: true });
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

export async function startConsoleServer(options: ConsoleServerOptions): Promise<ConsoleServer> {
  await ensureConsoleBuilt();
  const server = createServer((req, res) => {
    void (async () => {
      const config = options.config();
      const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://console').pathname);
      const headers = securityHeaders(
        { apiUrl: config.apiUrl, issuer: config.issuer },
        { framedBySelf: (SELF_FRAMED_PATHS as readonly string[]).includes(pathname) },
      );
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { ...headers, allow: 'GET, HEAD' });
        return res.end();
      }
      if (pathname === '/config.json') {
        const body = JSON.stringify(config);
        res.writeHead(200, { ...headers, 'content-type': 'application/json', 'cache-control': 'no-store' });
        return res.end(body);
      }
      const file = path.normalize(path.join(WEB_DIST, pathname));
      const extension = path.extname(pathname);
      if (extension !== '') {
        try {
          if (!file.startsWith(WEB_DIST + path.sep)) throw new Error('outside the build');
          const body = await readFile(file);
          res.writeHead(200, {
            ...headers,
            'content-type': TYPES[extension] ?? 'application/octet-stream',
            // Vite puts a content hash in every asset name: those never change; the rest is revalidated.
            'cache-control': pathname.startsWith('/assets/')
              ? 'public, max-age=31536000, immutable'
              : 'no-cache',
          });
          return res.end(req.method === 'HEAD' ? undefined : body);
        } catch {
          res.writeHead(404, { ...headers, 'content-type': 'text/plain; charset=utf-8' });
          return res.end('Not found');
        }
      }
      // Read per request: a rebuild (another stack starting after a source change) replaces the asset names.
      const index = await readFile(path.join(WEB_DIST, 'index.html'));
      res.writeHead(200, {
        ...headers,
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-cache',
      });
      res.end(req.method === 'HEAD' ? undefined : index);
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  const { url } = await listen(server, options.port);
  return { url, stop: () => closeServer(server) };
}
