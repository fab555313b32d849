// Fault injection for the fault tests: the local stack as a real child process that can be SIGKILLed and restarted
// on its data, a DynamoDB client middleware that fails or loses TransactWriteItems calls, a Step Functions Retry
// emulator, and one read of everything that must stay consistent (seats, grant rows, one event per transition).
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  DynamoDBClient,
  ProvisionedThroughputExceededException,
  ThrottlingException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { auditStreamOfRequest } from '../../lambdas/adapters/dynamodb/schema.ts';
import { documentClientFor } from '../../lambdas/commons/clients.ts';
import type { ActiveGrant, RequestStore, SeatHolder, StoredRequest } from '../../lambdas/core/ports.ts';
import { REPO_ROOT } from '../../local/stack.ts';

// ---------------------------------------------------------------------------------------------------------------
// The local stack as a process

export interface StackProcess {
  readonly pid: number;
  readonly url: string;
  readonly dynamodbEndpoint: string;
  output(): string;
  call<T = any>(method: string, route: string, options?: { as?: string; body?: unknown }): Promise<Answer<T>>;
  /** SIGKILL to the whole process group: node and DynamoDB Local's java at once, nothing gets to clean up. */
  killGroup(): Promise<void>;
  /** SIGKILL to node alone: java must not outlive it (the parent-death signal in local/dynamodb-local.ts). */
  killParent(): Promise<void>;
  /** SIGTERM, as Ctrl-C would: the stack stops itself. */
  stop(): Promise<void>;
}

export interface Answer<T = any> {
  readonly status: number;
  readonly body: T;
}

/**
 * `node local/start.ts --persist <dataDir>` on a free port (PORT=0; the URL is read from what it prints), in its own
 * process group so the test can kill all of it.
 */
export async function startStackProcess(options: {
  readonly dataDir: string;
  readonly policyFile: string;
  readonly timeoutMs?: number;
  /** More environment for the stack process (e.g. KEYHOLDER_LOCAL_NOTICES_HELD=1). */
  readonly env?: Readonly<Record<string, string>>;
}): Promise<StackProcess> {
  const child = spawn(
    process.execPath,
    [path.join(REPO_ROOT, 'local', 'start.ts'), '--persist', options.dataDir],
    {
      cwd: REPO_ROOT,
      detached: true,
      env: { ...process.env, PORT: '0', KEYHOLDER_POLICY: options.policyFile, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + (options.timeoutMs ?? 150_000);
  let urls: { url: string; dynamodbEndpoint: string } | undefined;
  while (!urls) {
    const api = /API\s+(http:\/\/\S+)/.exec(output)?.[1];
    const dynamo = /DynamoDB Local\s+(http:\/\/\S+)/.exec(output)?.[1];
    if (api && dynamo) urls = { url: api, dynamodbEndpoint: dynamo };
    else if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      killTree(child, 'SIGKILL');
      throw new Error(`the local stack did not start:\n${output}`);
    } else await sleep(100);
  }
  const { url, dynamodbEndpoint } = urls;
  const tokens = new Map<string, string>();
  const tokenOf = async (sub: string) => {
    const known = tokens.get(sub);
    if (known) return known;
    const answer = await fetch(`${url}/dev/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sub }),
    });
    const { token } = (await answer.json()) as { token: string };
    tokens.set(sub, token);
    return token;
  };
  const pid = child.pid as number;
  return {
    pid,
    url,
    dynamodbEndpoint,
    output: () => output,
    call: async (method, route, callOptions = {}) => {
      const headers: Record<string, string> = {};
      if (callOptions.as) headers.authorization = `Bearer ${await tokenOf(callOptions.as)}`;
      if (callOptions.body !== undefined) headers['content-type'] = 'application/json';
      const response = await fetch(`${url}${route}`, {
        method,
        headers,
        body: callOptions.body === undefined ? undefined : JSON.stringify(callOptions.body),
      });
      const text = await response.text();
      const json = (response.headers.get('content-type') ?? '').includes('json');
      return { status: response.status, body: json ? JSON.parse(text) : text };
    },
    killGroup: async () => {
      killTree(child, 'SIGKILL');
      await exited;
    },
    killParent: async () => {
      child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const forced = setTimeout(() => killTree(child, 'SIGKILL'), 15_000);
      await exited;
      clearTimeout(forced);
    },
  };
}

function killTree(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}

/** Live processes whose command line mentions `text` (Linux /proc): what a killed stack left behind. */
export function processesMentioning(text: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const commandLine = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      // A zombie has an empty command line: it is dead, only not yet reaped.
      if (commandLine.includes(text)) found.push(Number(entry));
    } catch {
      // Exited while we looked.
    }
  }
  return found;
}

export async function waitUntil<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  what: string,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------------------------
// DynamoDB faults

export type FaultKind = 'throttling' | 'provisioned' | 'conflict' | 'lost-response' | 'reset-before-write';
export const FAULT_KINDS: readonly FaultKind[] = [
  'throttling',
  'provisioned',
  'conflict',
  'lost-response',
  'reset-before-write',
];

/** Decides, for each TransactWriteItems attempt on the wire (counted from the last setSchedule), whether it fails. */
export type FaultSchedule = (attempt: number, itemCount: number) => FaultKind | undefined;

/** Fails the first `count` attempts, cycling through `kinds`. */
export function firstN(count: number, kinds: readonly FaultKind[] = FAULT_KINDS): FaultSchedule {
  return (attempt) => (attempt <= count ? kinds[(attempt - 1) % kinds.length] : undefined);
}

/** A small seeded generator (mulberry32): the same seed replays the same faults. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Each attempt fails with probability `fraction`, with a kind drawn from `kinds`. */
export function randomFraction(
  random: () => number,
  fraction: number,
  kinds: readonly FaultKind[] = FAULT_KINDS,
): FaultSchedule {
  return () => (random() < fraction ? kinds[Math.floor(random() * kinds.length)] : undefined);
}

export interface FaultCounts {
  /** TransactWriteItems attempts that reached the middleware (the SDK's own retries included). */
  attempts: number;
  injected: Record<FaultKind, number>;
}

export interface FaultyClient {
  readonly client: DynamoDBClient;
  readonly documentClient: DynamoDBDocumentClient;
  readonly counts: FaultCounts;
  /** Swaps the schedule (undefined: no faults). */
  setSchedule(schedule: FaultSchedule | undefined): void;
  destroy(): void;
}

/**
 * A DynamoDB client whose TransactWriteItems fail as DynamoDB can make them fail. The middleware sits at the
 * `finalizeRequest` step below the SDK's retry middleware, so the SDK's own retries see the faults first, as they
 * would in Lambda:
 * - throttling / provisioned: refused before anything is written (ThrottlingException,
 *   ProvisionedThroughputExceededException);
 * - conflict: TransactionCanceledException with a TransactionConflict reason on one item, nothing written;
 * - lost-response: the transaction IS applied, then the connection resets before the answer arrives (ECONNRESET);
 * - reset-before-write: the connection resets before DynamoDB saw the request (ECONNRESET, nothing written).
 */
export function faultyDynamoDbClient(options: {
  readonly endpoint: string;
  /** The SDK's own attempts per call (Lambda's default is 3; its throttling backoff starts at 500 ms). @default 1 */
  readonly sdkMaxAttempts?: number;
}): FaultyClient {
  const client = new DynamoDBClient({
    endpoint: options.endpoint,
    region: 'eu-west-2',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: options.sdkMaxAttempts ?? 1,
  });
  const counts: FaultCounts = {
    attempts: 0,
    injected: { throttling: 0, provisioned: 0, conflict: 0, 'lost-response': 0, 'reset-before-write': 0 },
  };
  let schedule: FaultSchedule | undefined;
  let scheduled = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'TransactWriteItemsCommand') return next(args);
      counts.attempts += 1;
      scheduled += 1;
      const items = ((args.input as { TransactItems?: unknown[] }).TransactItems ?? []).length;
      const fault = schedule?.(scheduled, items);
      if (!fault) return next(args);
      counts.injected[fault] += 1;
      const $metadata = { httpStatusCode: 400, attempts: counts.attempts };
      switch (fault) {
        case 'throttling':
          throw new ThrottlingException({
            message: 'Rate of requests exceeds the allowed throughput',
            $metadata,
          });
        case 'provisioned':
          throw new ProvisionedThroughputExceededException({
            message: 'The level of configured provisioned throughput for the table was exceeded',
            $metadata,
          });
        case 'conflict': {
          const conflictAt = counts.attempts % Math.max(1, items);
          throw new TransactionCanceledException({
            message: 'Transaction cancelled, please refer cancellation reasons for specific reasons',
            $metadata,
            CancellationReasons: Array.from({ length: items }, (_, index) =>
              index === conflictAt
                ? { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' }
                : { Code: 'None' },
            ),
          });
        }
        case 'lost-response': {
          await next(args);
          throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
        }
        case 'reset-before-write':
          throw Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
      }
    },
    { step: 'finalizeRequest', priority: 'low', name: 'keyholderFaultInjection' },
  );
  return {
    client,
    documentClient: documentClientFor(client),
    counts,
    setSchedule: (next) => {
      schedule = next;
      scheduled = 0;
    },
    destroy: () => client.destroy(),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The workflow's Retry, emulated

export interface Retrier {
  readonly errors: readonly string[];
  readonly maxAttempts: number;
}

export interface StepRun<T> {
  readonly result?: T;
  /** The error that ended the step (not matched by a Retry, or attempts exhausted): the execution fails. */
  readonly failure?: Error;
  /** Invocations, the first included. */
  readonly invocations: number;
}

/**
 * Invokes a Task's handler as Step Functions would: again when a retrier matches the error's name, each retrier
 * counting its own attempts, until one runs out.
 */
export async function runStep<T>(
  retriers: readonly Retrier[],
  invoke: () => Promise<T>,
): Promise<StepRun<T>> {
  const used = retriers.map(() => 0);
  for (let invocation = 1; ; invocation++) {
    try {
      return { result: await invoke(), invocations: invocation };
    } catch (error) {
      const failure = error as Error;
      const index = retriers.findIndex(
        (retrier) => retrier.errors.includes(failure.name) || retrier.errors.includes('States.ALL'),
      );
      const retrier = retriers[index];
      if (!retrier || (used[index] ?? 0) >= retrier.maxAttempts) return { failure, invocations: invocation };
      used[index] = (used[index] ?? 0) + 1;
      // The real interval (1 s, backoff 2) only spaces the attempts out; a short pause keeps the test fast.
      await sleep(5 * invocation);
    }
  }
}

/** The Retry a Task state declares in an ASL definition. */
export function retriersOf(definition: object, stateName: string): Retrier[] {
  const states = (definition as { States?: Record<string, { Retry?: unknown[] }> }).States ?? {};
  const retry = states[stateName]?.Retry as
    | Array<{ ErrorEquals?: string[]; MaxAttempts?: number }>
    | undefined;
  if (!retry?.length) throw new Error(`state ${stateName} declares no Retry`);
  return retry.map((retrier) => ({
    errors: retrier.ErrorEquals ?? [],
    maxAttempts: retrier.MaxAttempts ?? 3,
  }));
}

// ---------------------------------------------------------------------------------------------------------------
// What must stay consistent

export interface RequestFacts {
  readonly request: StoredRequest;
  /** Audit actions of the request's stream, in order. */
  readonly actions: string[];
  readonly grantRows: Array<{ scope: string; active: boolean; endStatus?: string }>;
}

export interface LedgerFacts {
  readonly requests: Map<string, RequestFacts>;
  readonly seats: { total: number; byOrganisation: Record<string, number> };
  readonly holders: readonly SeatHolder[];
  readonly activeGrants: readonly ActiveGrant[];
}

export async function readLedgerFacts(
  store: RequestStore,
  client: DynamoDBDocumentClient,
  stateTable: string,
  requestIds: readonly string[],
): Promise<LedgerFacts> {
  const requests = new Map<string, RequestFacts>();
  for (const id of requestIds) {
    const request = await store.getRequest(id);
    if (!request) throw new Error(`request ${id} is missing`);
    const actions = (await store.readAuditStream(auditStreamOfRequest(id))).map((event) => event.action);
    const rows = await client.send(
      new QueryCommand({
        TableName: stateTable,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :grant)',
        ExpressionAttributeValues: { ':pk': `REQUEST#${id}`, ':grant': 'GRANT#' },
        ConsistentRead: true,
      }),
    );
    const grantRows = (rows.Items ?? []).map((item) => ({
      scope: String(item.scope),
      active: item.gsi1pk === 'GRANT#ACTIVE',
      ...(item.endStatus ? { endStatus: String(item.endStatus) } : {}),
    }));
    requests.set(id, { request, actions, grantRows });
  }
  const ledger = await store.seatLedger();
  return {
    requests,
    seats: { total: ledger.seats.total, byOrganisation: { ...ledger.seats.byOrganisation } },
    holders: ledger.holders,
    activeGrants: await store.listActiveGrants(),
  };
}

const GRANTED_STATUSES = new Set(['ACTIVE', 'EXPIRED', 'REVOKED']);
const ENDED_STATUSES = new Set(['EXPIRED', 'REVOKED']);

/**
 * Every way the store could have double-counted or lost something, as a list of readable problems (empty: all
 * consistent). Seat counters are compared with the whole table's ACTIVE external admins among `facts.requests`,
 * so pass every request the table holds.
 */
export function inconsistencies(facts: LedgerFacts): string[] {
  const problems: string[] = [];
  const count = (actions: string[], action: string) => actions.filter((each) => each === action).length;
  const activeExternalAdmins: StoredRequest[] = [];
  for (const [id, { request, actions, grantRows }] of facts.requests) {
    const granted = GRANTED_STATUSES.has(request.status);
    if (count(actions, 'GRANT_ACTIVATED') !== (granted ? 1 : 0)) {
      problems.push(`${id} (${request.status}) has ${count(actions, 'GRANT_ACTIVATED')} GRANT_ACTIVATED`);
    }
    const ends = count(actions, 'GRANT_EXPIRED') + count(actions, 'GRANT_REVOKED');
    if (ends !== (ENDED_STATUSES.has(request.status) ? 1 : 0)) {
      problems.push(`${id} (${request.status}) has ${ends} GRANT_EXPIRED/GRANT_REVOKED events`);
    }
    const expectedRows = granted ? request.scopes.length : 0;
    if (grantRows.length !== expectedRows) {
      problems.push(`${id} (${request.status}) has ${grantRows.length} grant rows, not ${expectedRows}`);
    }
    for (const row of grantRows) {
      if (row.active !== (request.status === 'ACTIVE')) {
        problems.push(`${id} (${request.status}): grant row ${row.scope} active=${row.active}`);
      }
      if (!row.active && row.endStatus !== request.status) {
        problems.push(`${id} (${request.status}): grant row ${row.scope} closed as ${row.endStatus}`);
      }
    }
    if (request.status === 'ACTIVE' && request.countsAgainstCap) activeExternalAdmins.push(request);
  }
  const byOrganisation: Record<string, number> = {};
  for (const request of activeExternalAdmins) {
    byOrganisation[request.requesterOrganisation] = (byOrganisation[request.requesterOrganisation] ?? 0) + 1;
  }
  if (facts.seats.total !== activeExternalAdmins.length) {
    problems.push(`seat counter ${facts.seats.total}, ACTIVE external admins ${activeExternalAdmins.length}`);
  }
  for (const [organisation, seats] of Object.entries(facts.seats.byOrganisation)) {
    if (seats !== (byOrganisation[organisation] ?? 0)) {
      problems.push(
        `${organisation}: seat counter ${seats}, ACTIVE external admins ${byOrganisation[organisation] ?? 0}`,
      );
    }
  }
  const holders = facts.holders.map((holder) => holder.requestId).sort();
  const expectedHolders = activeExternalAdmins.map((request) => request.id).sort();
  if (JSON.stringify(holders) !== JSON.stringify(expectedHolders)) {
    problems.push(
      `SEAT_HOLDERS ${holders.join(',')} but ACTIVE external admins ${expectedHolders.join(',')}`,
    );
  }
  const activeRows = new Set(facts.activeGrants.map((grant) => `${grant.requestId}/${grant.scope}`));
  for (const [id, { request }] of facts.requests) {
    for (const scope of request.scopes) {
      if (activeRows.has(`${id}/${scope}`) !== (request.status === 'ACTIVE')) {
        problems.push(`${id} (${request.status}): GRANT#ACTIVE index entry for ${scope} is wrong`);
      }
    }
  }
  return problems;
}

/** A document client on another process's DynamoDB Local (the stack under test). */
export function documentClientOn(endpoint: string): {
  client: DynamoDBClient;
  documentClient: DynamoDBDocumentClient;
} {
  const client = new DynamoDBClient({
    endpoint,
    region: 'eu-west-2',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  return { client, documentClient: documentClientFor(client) };
}
