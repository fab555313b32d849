// Starts AWS's DynamoDB Local (the jar shipped in the amplify-dynamodb-simulator npm package) on a free port.
import { type ChildProcess, spawn } from 'node:child_process';
import {
  accessSync,
  constants,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import path from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';

export interface DynamoDbLocalOptions {
  /** Keep the data in this directory across restarts; in memory when absent. */
  readonly persistDir?: string | undefined;
  /** How long to wait for the emulator to answer before giving up. */
  readonly startTimeoutMs?: number | undefined;
  /** Ports to try first, in order, before free ones are drawn (tests use it to hand over a taken port). */
  readonly ports?: readonly number[] | undefined;
}

export interface DynamoDbLocal {
  readonly endpoint: string;
  /** Milliseconds from spawning java until the first ListTables answered. */
  readonly startupMs: number;
  stop(): Promise<void>;
}

export class DynamoDbLocalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DynamoDbLocalError';
  }
}

const PORT_ATTEMPTS = 4;
const OUTPUT_KEPT = 8_192;

/** The emulator directory inside the installed package, wherever npm hoisted it. */
export function emulatorDirectory(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('amplify-dynamodb-simulator/package.json')), 'emulator');
}

function javaExecutable(): string {
  const javaHome = process.env.JAVA_HOME;
  return javaHome ? path.join(javaHome, 'bin', 'java') : 'java';
}

/** Where a persisted emulator records its pid, so a restart can find one its dead parent left behind. */
export const PID_FILE = 'dynamodb-local.pid';

function executableOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  return undefined;
}

/**
 * On Linux, `setpriv --pdeathsig KILL` (util-linux) makes the kernel kill java the moment its parent dies, however it
 * dies: the exit and signal hooks below cannot run when the parent is SIGKILLed, and an orphaned JVM would keep its
 * port, its memory and (with --persist) the data directory.
 */
function parentDeathPrefix(): string[] {
  if (process.platform !== 'linux') return [];
  const setpriv = executableOnPath('setpriv');
  return setpriv ? [setpriv, '--pdeathsig', 'KILL', '--'] : [];
}

/**
 * Linux hands out ephemeral ports (ip_local_port_range, 32768-60999 by default) to every outgoing connection too, so a
 * port probed free there can be taken by a client socket in the second before java binds it, as happened under a
 * busy test run. The emulator's port is drawn below that range instead, and probed on the address java binds.
 */
const PORT_RANGE = { low: 20_000, high: 32_000 } as const;

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '0.0.0.0', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

async function freePort(): Promise<number> {
  for (let probe = 0; probe < 50; probe++) {
    const port = PORT_RANGE.low + Math.floor(Math.random() * (PORT_RANGE.high - PORT_RANGE.low));
    if (await portIsFree(port)) return port;
  }
  throw new DynamoDbLocalError(
    `no free port between ${PORT_RANGE.low} and ${PORT_RANGE.high} after 50 probes`,
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Attempt {
  readonly child: ChildProcess;
  readonly output: () => string;
  /** Settles when the child exits or fails to spawn; the value says why. */
  readonly ended: Promise<{ readonly code: number | null; readonly spawnError?: NodeJS.ErrnoException }>;
}

function spawnEmulator(port: number, persistDir: string | undefined): Attempt {
  const emulator = emulatorDirectory();
  const storage = persistDir ? ['-dbPath', persistDir] : ['-inMemory'];
  // -sharedDb: one database for every credential and region, so the local stack's handlers (default credential
  // chain) and the tests (dummy credentials) see the same tables. -disableTelemetry: nothing leaves the machine.
  const [command = javaExecutable(), ...prefix] = [...parentDeathPrefix(), javaExecutable()];
  const child = spawn(
    command,
    [
      ...prefix,
      `-Djava.library.path=${path.join(emulator, 'DynamoDBLocal_lib')}`,
      '-jar',
      path.join(emulator, 'DynamoDBLocal.jar'),
      ...storage,
      '-sharedDb',
      '-disableTelemetry',
      '-port',
      String(port),
    ],
    { cwd: emulator, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_KEPT);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const ended = new Promise<{ code: number | null; spawnError?: NodeJS.ErrnoException }>((resolve) => {
    child.once('error', (spawnError: NodeJS.ErrnoException) => resolve({ code: null, spawnError }));
    child.once('close', (code) => resolve({ code }));
  });
  return { child, output: () => output, ended };
}

async function answers(client: DynamoDBClient): Promise<boolean> {
  try {
    await client.send(new ListTablesCommand({ Limit: 1 }), { abortSignal: AbortSignal.timeout(1_000) });
    return true;
  } catch {
    return false;
  }
}

function localClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'eu-west-2',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
}

const isPortClash = (output: string) => /BindException|Address already in use/i.test(output);

/**
 * Whether process `pid` holds a listening TCP socket on `port` (Linux: its socket inodes against /proc/net/tcp{,6}).
 * Elsewhere, or when /proc cannot be read, it answers true and the port-clash check in the output stands alone.
 */
export function listensOn(pid: number | undefined, port: number): boolean {
  if (process.platform !== 'linux' || !pid) return true;
  let inodes: Set<string>;
  try {
    inodes = new Set(
      readdirSync(`/proc/${pid}/fd`).flatMap((fd) => {
        try {
          const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
          return match?.[1] ? [match[1]] : [];
        } catch {
          return [];
        }
      }),
    );
  } catch {
    return true;
  }
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let lines: string[];
    try {
      lines = readFileSync(table, 'utf8').split('\n').slice(1);
    } catch {
      continue;
    }
    for (const line of lines) {
      // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
      const fields = line.trim().split(/\s+/);
      const [, local, , state, , , , , , inode] = fields;
      if (state === '0A' && local?.endsWith(`:${hexPort}`) && inode && inodes.has(inode)) return true;
    }
  }
  return false;
}

/** Waits until the emulator answers; resolves false when the child exited first (e.g. the port was taken). */
async function waitUntilReady(attempt: Attempt, port: number, timeoutMs: number): Promise<boolean> {
  const endpoint = `http://127.0.0.1:${port}`;
  const client = localClient(endpoint);
  let exited = false;
  void attempt.ended.then(() => {
    exited = true;
  });
  const deadline = Date.now() + timeoutMs;
  try {
    while (Date.now() < deadline) {
      if (exited) return false;
      // Java's main thread dies on a taken port but its other threads keep the JVM up: stop it and try another port.
      // Checked before every probe, so a server of someone else's on that port is never taken for ours.
      if (isPortClash(attempt.output())) {
        attempt.child.kill('SIGKILL');
        await attempt.ended;
        return false;
      }
      // An answer counts only from our own java: another emulator may hold the port while ours is still failing to bind.
      if ((await answers(client)) && listensOn(attempt.child.pid, port)) return true;
      await sleep(100);
    }
  } finally {
    client.destroy();
  }
  attempt.child.kill('SIGKILL');
  throw new DynamoDbLocalError(
    `DynamoDB Local did not answer on ${endpoint} within ${timeoutMs} ms. Its output:\n${attempt.output()}`,
  );
}

function failureMessage(
  spawnError: NodeJS.ErrnoException | undefined,
  code: number | null,
  output: string,
): string {
  if (spawnError?.code === 'ENOENT' || /failed to execute .*No such file/.test(output)) {
    return (
      `Java was not found (${javaExecutable()}). DynamoDB Local needs a Java 17+ runtime: install one ` +
      `(e.g. apt-get install default-jre-headless) or set JAVA_HOME.`
    );
  }
  if (spawnError) return `DynamoDB Local could not be started: ${spawnError.message}`;
  return `DynamoDB Local exited with code ${code} before it was ready. Its output:\n${output}`;
}

/**
 * Starts DynamoDB Local on a port of its own (so two local stacks or test runs can run side by side), waits until
 * it answers, and makes sure the java process dies with this one.
 */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  const persistDir = options.persistDir ? path.resolve(options.persistDir) : undefined;
  if (persistDir) {
    mkdirSync(persistDir, { recursive: true });
    await killLeftoverEmulator(persistDir);
  }
  // Generous: a JVM on a loaded 2-core machine has been seen to need more than 30 s.
  const timeoutMs = options.startTimeoutMs ?? 90_000;

  const preferred = [...(options.ports ?? [])];
  const attempts = PORT_ATTEMPTS + preferred.length;
  for (let tries = 1; tries <= attempts; tries++) {
    const port = preferred.shift() ?? (await freePort());
    const endpoint = `http://127.0.0.1:${port}`;
    const startedAt = performance.now();
    const attempt = spawnEmulator(port, persistDir);
    const release = killWithThisProcess(attempt.child);
    const pidFile = persistDir && attempt.child.pid ? path.join(persistDir, PID_FILE) : undefined;
    if (pidFile) writeFileSync(pidFile, String(attempt.child.pid));
    if (await waitUntilReady(attempt, port, timeoutMs)) {
      // The pipes must keep draining, but they should not keep the event loop alive on their own.
      attempt.child.unref();
      for (const stream of [attempt.child.stdout, attempt.child.stderr]) {
        (stream as unknown as { unref?: () => void } | null)?.unref?.();
      }
      return {
        endpoint,
        startupMs: Math.round(performance.now() - startedAt),
        stop: async () => {
          release();
          await stopChild(attempt);
          if (pidFile) rmSync(pidFile, { force: true });
        },
      };
    }
    release();
    const { code, spawnError } = await attempt.ended;
    // Another process took the port between our probe and java's bind: pick another one.
    if (!spawnError && isPortClash(attempt.output()) && tries < attempts) continue;
    throw new DynamoDbLocalError(failureMessage(spawnError, code, attempt.output()));
  }
  throw new DynamoDbLocalError(`DynamoDB Local found no free port in ${PORT_ATTEMPTS} attempts`);
}

/** The command line of a live process, or undefined when it is gone (or this is not Linux). */
function commandLineOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return undefined;
  }
}

/**
 * A previous run on this data directory whose parent was killed without the parent-death signal (no setpriv):
 * its emulator may still hold the directory. It is ours only if its command line names the jar and this directory.
 */
async function killLeftoverEmulator(persistDir: string): Promise<void> {
  const pidFile = path.join(persistDir, PID_FILE);
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile, 'utf8').trim());
  } catch {
    return;
  }
  const isLeftover = () => {
    const commandLine = Number.isInteger(pid) && pid > 0 ? commandLineOf(pid) : undefined;
    return commandLine?.includes('DynamoDBLocal.jar') === true && commandLine.includes(persistDir);
  };
  if (isLeftover()) {
    process.kill(pid, 'SIGKILL');
    const deadline = Date.now() + 5_000;
    while (isLeftover() && Date.now() < deadline) await sleep(50);
  }
  rmSync(pidFile, { force: true });
}

async function stopChild(attempt: Attempt): Promise<void> {
  const { child } = attempt;
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const forced = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await attempt.ended;
  clearTimeout(forced);
}

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * Kills the child when this process exits or is interrupted. After killing, a signal is re-raised when nobody
 * else listens for it, so adding our listener does not swallow Ctrl-C. Returns the function that unhooks it.
 */
function killWithThisProcess(child: ChildProcess): () => void {
  const killChild = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  const onSignal = (signal: NodeJS.Signals) => {
    killChild();
    unhook();
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  const unhook = () => {
    process.off('exit', killChild);
    for (const signal of SIGNALS) process.off(signal, onSignal);
  };
  process.on('exit', killChild);
  for (const signal of SIGNALS) process.on(signal, onSignal);
  return unhook;
}
