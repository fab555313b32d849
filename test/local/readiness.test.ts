// Ready means ready: `npm start` answers nothing but 503 {"status":"starting"} (or refuses the connection) until the
// tables exist, the directory is seeded and the workflow engine runs; the first 200 from GET /health means every route
// answers, the banner is out at that moment, and the same holds after a --persist restart. Also the one-line
// refusals of the preflight that runs before `npm start` and `npm test`.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { missingPrerequisite } from '../../local/preflight.mjs';
import { REPO_ROOT } from '../../local/stack.ts';

const SEED = JSON.parse(await readFile(path.join(REPO_ROOT, 'local', 'seed.json'), 'utf8')) as {
  principals: Array<{ id: string }>;
};

async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

interface Started {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<void>;
}

function npmStart(port: number, dataDir: string): Started {
  // The README's command, through npm: the preflight and the project's own Node run as a user's would.
  const child = spawn('npm', ['start', '--', '--persist', dataDir], {
    cwd: REPO_ROOT,
    detached: true,
    env: { ...process.env, PORT: String(port), KEYHOLDER_OIDC_PORT: '0', KEYHOLDER_CONSOLE_PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, output: () => output, exited };
}

async function stopGroup(started: Started): Promise<void> {
  if (started.child.exitCode !== null || started.child.signalCode !== null) return;
  try {
    process.kill(-(started.child.pid as number), 'SIGTERM');
  } catch {}
  const forced = setTimeout(() => {
    try {
      process.kill(-(started.child.pid as number), 'SIGKILL');
    } catch {}
  }, 15_000);
  await started.exited;
  clearTimeout(forced);
}

interface Watched {
  /** What GET /health answered before its first 200: 'refused', or `503 {"status":"starting"}`-like strings. */
  readonly before: string[];
  readonly bannerAtFirst200: boolean;
  readonly principals: { status: number; body: Array<{ id: string }> };
  readonly datasets: { status: number; body: unknown };
  readonly tokenStatus: number;
}

/** Polls /health as fast as it answers; the moment it says 200, calls a dev route and a JWT route in the same tick. */
async function watchStart(url: string, started: Started): Promise<Watched> {
  const before: string[] = [];
  const deadline = Date.now() + 150_000;
  for (;;) {
    if (Date.now() > deadline || started.child.exitCode !== null)
      throw new Error(`no 200 from /health:\n${started.output()}`);
    let health: Response;
    try {
      health = await fetch(`${url}/health`);
    } catch {
      before.push('refused');
      await new Promise((resolve) => setTimeout(resolve, 20));
      continue;
    }
    if (health.status !== 200) {
      before.push(`${health.status} ${await health.text()}`);
      continue;
    }
    // Same tick as the first 200: nothing else has run in between.
    const bannerAtFirst200 = started.output().includes('Keyholder is running locally');
    const [principals, token] = await Promise.all([
      fetch(`${url}/dev/principals`),
      fetch(`${url}/dev/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ sub: 'ext-kim' }),
      }),
      health.text(),
    ]);
    const tokenBody = (await token.json()) as { token: string };
    const datasets = await fetch(`${url}/datasets`, {
      headers: { authorization: `Bearer ${tokenBody.token}` },
    });
    return {
      before,
      bannerAtFirst200,
      principals: { status: principals.status, body: (await principals.json()) as Array<{ id: string }> },
      datasets: { status: datasets.status, body: await datasets.json() },
      tokenStatus: token.status,
    };
  }
}

function expectWhole(watched: Watched): void {
  expect(watched.tokenStatus).toBe(200);
  expect(watched.principals.status).toBe(200);
  expect(watched.principals.body.map((p) => p.id).sort()).toEqual(SEED.principals.map((p) => p.id).sort());
  expect(watched.datasets.status).toBe(200);
  expect(JSON.stringify(watched.datasets.body)).toContain('hes-apc');
  // Before the first 200 the stack was either not listening or said it was starting, never anything else.
  for (const answer of watched.before) expect(answer).toMatch(/^(refused|503 \{"status":"starting"\})$/);
  expect(watched.bannerAtFirst200).toBe(true);
}

describe('npm start is ready when it says so', () => {
  let dataDir: string | undefined;
  let started: Started | undefined;
  afterAll(async () => {
    if (started) await stopGroup(started);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('serves the whole directory and a JWT route at the first 200 from /health, fresh and after a --persist restart', async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'keyholder-ready-'));
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;

    started = npmStart(port, dataDir);
    const fresh = await watchStart(url, started);
    expectWhole(fresh);
    // It was seen starting (the gateway refuses routes until the stack behind it is whole).
    expect(fresh.before.some((answer) => answer.startsWith('503'))).toBe(true);

    await stopGroup(started);
    started = npmStart(port, dataDir);
    const restarted = await watchStart(url, started);
    expectWhole(restarted);
  }, 240_000);
});

describe('preflight before npm start and npm test', () => {
  it('names a missing Java in one line with how to install it, within a second', () => {
    const begun = Date.now();
    const problem = missingPrerequisite({ java: '/nonexistent/bin/java', platform: 'linux' });
    expect(Date.now() - begun).toBeLessThan(1000);
    expect(problem).toMatch(
      /^Java 17 or newer is needed for DynamoDB Local and none was found .*apt-get install/,
    );
    expect(problem).not.toContain('\n');
  });

  it('names an old Node and points at npm, which runs the project-pinned Node 24', () => {
    const problem = missingPrerequisite({ nodeVersion: '20.20.2' });
    expect(problem).toMatch(/^Node 24 or newer is needed and this is v20\.20\.2: run it through npm/);
  });

  it('asks for npm install when nothing is installed', () => {
    expect(missingPrerequisite({ projectRoot: tmpdir() })).toMatch(/run `npm install` first/);
  });

  it('passes on this machine', () => {
    expect(missingPrerequisite()).toBeUndefined();
  });

  it('stops npm start with one line and exit 1, not a stack trace, when Java is missing', async () => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'local', 'preflight.mjs')], {
      env: { ...process.env, JAVA_HOME: '/nonexistent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^keyholder: Java 17 or newer is needed/);
  });
});
