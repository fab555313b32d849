// Benchmark section: SCIM provisioning as Entra ID's provisioning service does it (issue 15). An initial sync of
// `users` Entra-shaped Users, each looked up by `GET /Users?filter=userName eq "..."` and then created by POST, a
// bounded number at a time; then a delta of `delta` of them, each looked up again and changed by an Entra-style PATCH
// (capitalised ops: Replace displayName and the Keyholder grade, some Replace active "False"). Both calls of every
// user are counted and timed, through the local gateway with the stack's SCIM bearer secret.
//
// Concurrency: Microsoft publishes no parallelism figure for its provisioning service. What it does document is that
// a SCIM app must "support at least 25 requests per second per tenant" (Entra app gallery provisioning requirements,
// learn.microsoft.com/entra/identity/enterprise-apps/app-gallery-user-provisioning-requirements), and a provisioning
// job talks to one tenant's endpoint with limited parallelism. We model it with 8 requests in flight (within the 5-10
// range this benchmark assumes), a size (`--scim-concurrency`).
//
// Memory: the local stack runs in this process (gateway, handlers, workflow engine); only DynamoDB Local is a child
// process (a JVM). The peak is process.memoryUsage().rss of this process, sampled every 100 ms: gateway + handlers +
// this load generator. The JVM's resident set (/proc/<pid>/status VmRSS, Linux only) is sampled alongside and
// reported on its own; it is not in the process figure.
import { readdirSync, readFileSync } from 'node:fs';
import { PATCH_OP_SCHEMA } from '../../lambdas/core/scim/patch.ts';
import { ENTERPRISE_SCHEMA, KEYHOLDER_SCHEMA, USER_SCHEMA } from '../../lambdas/core/scim/user.ts';
import type { LocalStack } from '../../local/stack.ts';
import { errorMessage, type Percentiles, percentiles } from '../support.ts';

/** Entra ID's provisioning service, modelled: requests in flight at once (see the top of this file). */
export const ENTRA_CONCURRENCY = 8;
/** Calls Entra makes per user: the lookup by filter, then the create (or, in a delta, the PATCH). */
const CALLS_PER_USER = 2;

type CallKind = 'lookup' | 'create' | 'patch';

export interface ScimPhase {
  readonly users: number;
  readonly concurrency: number;
  /** Users whose lookup and write both answered 2xx (and as expected). */
  readonly completed: number;
  readonly calls: number;
  readonly callsByKind: Partial<Record<CallKind, number>>;
  /** Non-2xx answers by status, fetch failures by their message, and lookups that found what they should not. */
  readonly errors: number;
  readonly errorsByStatus: Record<string, number>;
  readonly firstErrors: readonly string[];
  readonly wallMs: number;
  readonly usersPerSecond: number;
  readonly callsPerSecond: number;
  /** Every call, sent -> body read. */
  readonly callMs: Percentiles;
  readonly callMsByKind: Partial<Record<CallKind, Percentiles>>;
  readonly memory: PhaseMemory;
}

export interface PhaseMemory {
  /** This process (gateway + handlers + load generator) when the phase began, and its peak during it. */
  readonly rssAtStartBytes: number;
  readonly peakRssBytes: number;
  readonly peakHeapUsedBytes: number;
  /** DynamoDB Local's JVM, peak resident set during the phase; null where it cannot be read (not Linux). */
  readonly dynamoDbLocalPeakRssBytes: number | null;
  readonly samples: number;
}

export interface ScimResult {
  readonly concurrency: number;
  readonly callsPerUser: number;
  /** What the memory figures are. */
  readonly memoryMeasured: string;
  readonly initial: ScimPhase;
  readonly delta: ScimPhase;
  /** Read back after the delta (GET /Users totals, less what the seed held before). */
  readonly directory: {
    readonly provisioned: number;
    readonly deactivated: number;
    readonly expectedProvisioned: number;
    readonly expectedDeactivated: number;
  };
}

// ---- Entra-shaped Users

const GIVEN = ['Ada', 'Grace', 'Alan', 'Mary', 'Tim', 'Rosalind', 'Edsger', 'Barbara', 'Ken', 'Frances'];
const FAMILY = [
  'Lovelace',
  'Hopper',
  'Turing',
  'Somerville',
  'Lee',
  'Franklin',
  'Dijkstra',
  'Liskov',
  'Thompson',
];
const ORGANISATIONS = ['NHSE', 'NHSE', 'NHSE', 'VendorCo', 'Leeds Teaching Hospitals'];
const DEPARTMENTS = ['Data Services', 'Analytics', 'Clinical Informatics', 'Platform Engineering'];
const GRADES = ['analyst', 'engineer', 'senior-analyst', 'contractor', 'data-scientist'];
const CLEARANCES = ['BPSS', 'SC', 'SC', 'DV'];

/** A stable, GUID-shaped Entra object id for user `index`. */
const objectId = (index: number) =>
  `${((0x9f5b0c1e ^ index) >>> 0).toString(16).padStart(8, '0')}-b0c1-4a4a-9a9a-${index.toString(16).padStart(12, '0')}`;

function entraUser(index: number) {
  const given = GIVEN[index % GIVEN.length] as string;
  const family = FAMILY[Math.floor(index / GIVEN.length) % FAMILY.length] as string;
  const number = String(index + 1).padStart(5, '0');
  const userName = `${given}.${family}.${number}@nhse-bench.example`.toLowerCase();
  return {
    schemas: [USER_SCHEMA, ENTERPRISE_SCHEMA, KEYHOLDER_SCHEMA],
    externalId: objectId(index),
    userName,
    // Entra sends a boolean; older tenants (and some attribute mappings) the string "True".
    active: index % 3 === 0 ? 'True' : true,
    displayName: `${given} ${family}`,
    title: index % 2 === 0 ? 'Data Analyst' : 'Software Engineer',
    name: { givenName: given, familyName: family, formatted: `${given} ${family}` },
    emails: [{ primary: true, type: 'work', value: userName }],
    [ENTERPRISE_SCHEMA]: {
      organization: ORGANISATIONS[index % ORGANISATIONS.length],
      department: DEPARTMENTS[index % DEPARTMENTS.length],
      employeeNumber: `E${number}`,
    },
    [KEYHOLDER_SCHEMA]: {
      grade: GRADES[index % GRADES.length],
      clearanceLevel: CLEARANCES[index % CLEARANCES.length],
      clearanceExpiresAt: `${2027 + (index % 4)}-03-31T00:00:00Z`,
    },
  };
}

/** The delta's change to user `index` (the `order`-th changed): a rename, every other a new grade, every 5th leaves. */
function entraPatch(index: number, order: number) {
  const user = entraUser(index);
  const operations: { op: string; path: string; value: string }[] = [
    {
      op: 'Replace',
      path: 'displayName',
      value: `${user.displayName} (${user[ENTERPRISE_SCHEMA].department})`,
    },
  ];
  if (order % 2 === 0)
    operations.push({
      op: 'Replace',
      path: `${KEYHOLDER_SCHEMA}:grade`,
      value: GRADES[(index + 1) % GRADES.length] as string,
    });
  if (isDeactivated(order)) operations.push({ op: 'Replace', path: 'active', value: 'False' });
  return { schemas: [PATCH_OP_SCHEMA], Operations: operations };
}

const isDeactivated = (order: number) => order % 5 === 4;

// ---- memory sampling

/** Resident set of DynamoDB Local's JVM (the java process listening on the stack's DynamoDB port), Linux only. */
function dynamoDbLocalPid(endpoint: string): number | undefined {
  if (process.platform !== 'linux') return undefined;
  const port = new URL(endpoint).port;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      const at = args.indexOf('-port');
      if (args.some((arg) => arg.endsWith('DynamoDBLocal.jar')) && at >= 0 && args[at + 1] === port)
        return Number(entry);
    } catch {
      // gone, or not ours to read
    }
  }
  return undefined;
}

function rssOf(pid: number): number | undefined {
  try {
    const kib = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kib === undefined ? undefined : Number(kib) * 1024;
  } catch {
    return undefined;
  }
}

interface Sample {
  readonly rss: number;
  readonly heapUsed: number;
  readonly jvm: number | undefined;
}

/** Samples every `everyMs` until stopped; `window()` starts a phase's own peak. */
function memorySampler(jvmPid: number | undefined, everyMs = 100) {
  let current: Sample[] = [];
  const sample = () => {
    const usage = process.memoryUsage();
    current.push({
      rss: usage.rss,
      heapUsed: usage.heapUsed,
      jvm: jvmPid === undefined ? undefined : rssOf(jvmPid),
    });
  };
  const timer = setInterval(sample, everyMs);
  timer.unref();
  return {
    window() {
      current = [];
      sample();
      const mine = current;
      return (): PhaseMemory => {
        sample();
        const jvm = mine.map((one) => one.jvm).filter((value): value is number => value !== undefined);
        return {
          rssAtStartBytes: mine[0]?.rss ?? 0,
          peakRssBytes: Math.max(...mine.map((one) => one.rss)),
          peakHeapUsedBytes: Math.max(...mine.map((one) => one.heapUsed)),
          dynamoDbLocalPeakRssBytes: jvm.length > 0 ? Math.max(...jvm) : null,
          samples: mine.length,
        };
      };
    },
    stop: () => clearInterval(timer),
  };
}

// ---- calls

interface Called<T> {
  readonly status: number;
  readonly body: T;
}

function scimCaller(stack: Pick<LocalStack, 'scim'>) {
  return async <T = Record<string, unknown>>(method: string, path: string, body?: unknown) => {
    const response = await fetch(`${stack.scim.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${stack.scim.token}`,
        accept: 'application/scim+json',
        ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      // not JSON: keep the text for the error report
    }
    return { status: response.status, body: parsed as T } satisfies Called<T>;
  };
}

type Caller = ReturnType<typeof scimCaller>;

const lookupPath = (userName: string) => `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`;

interface Tally {
  readonly timings: Map<CallKind, number[]>;
  readonly errors: Record<string, number>;
  readonly firstErrors: string[];
}

/** One timed call; a non-2xx answer or a failed fetch is counted as an error and answers undefined. */
async function timed<T>(
  tally: Tally,
  kind: CallKind,
  call: () => Promise<Called<T>>,
): Promise<Called<T> | undefined> {
  const sent = performance.now();
  let answer: Called<T> | undefined;
  let error: string | undefined;
  try {
    answer = await call();
    if (answer.status < 200 || answer.status > 299) {
      const detail = (answer.body as { detail?: string } | undefined)?.detail;
      error = `${answer.status}`;
      if (tally.firstErrors.length < 5)
        tally.firstErrors.push(`${kind} ${answer.status} ${detail ?? ''}`.trim());
      answer = undefined;
    }
  } catch (failure) {
    error = `fetch: ${errorMessage(failure)}`;
    if (tally.firstErrors.length < 5) tally.firstErrors.push(`${kind} ${error}`);
  }
  const list = tally.timings.get(kind) ?? [];
  list.push(performance.now() - sent);
  tally.timings.set(kind, list);
  if (error) tally.errors[error] = (tally.errors[error] ?? 0) + 1;
  return answer;
}

function unexpected(tally: Tally, kind: string, what: string) {
  tally.errors[kind] = (tally.errors[kind] ?? 0) + 1;
  if (tally.firstErrors.length < 5) tally.firstErrors.push(what);
}

/** `items` users, `concurrency` at a time, each through `perUser` (which reports whether it completed). */
async function phase(
  items: readonly number[],
  concurrency: number,
  sampler: ReturnType<typeof memorySampler>,
  perUser: (index: number, order: number, tally: Tally) => Promise<boolean>,
  progress: (line: string) => void,
): Promise<ScimPhase> {
  const tally: Tally = { timings: new Map(), errors: {}, firstErrors: [] };
  const memory = sampler.window();
  let next = 0;
  let completed = 0;
  const began = performance.now();
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, async () => {
      while (next < items.length) {
        const order = next++;
        if (await perUser(items[order] as number, order, tally)) completed++;
        if ((order + 1) % 1000 === 0)
          progress(
            `  ... ${order + 1}/${items.length} users, ${((performance.now() - began) / 1000).toFixed(0)} s`,
          );
      }
    }),
  );
  const wallMs = performance.now() - began;
  const all = [...tally.timings.values()].flat();
  const seconds = wallMs / 1000;
  return {
    users: items.length,
    concurrency,
    completed,
    calls: all.length,
    callsByKind: Object.fromEntries([...tally.timings].map(([kind, list]) => [kind, list.length])),
    errors: Object.values(tally.errors).reduce((sum, count) => sum + count, 0),
    errorsByStatus: tally.errors,
    firstErrors: tally.firstErrors,
    wallMs,
    usersPerSecond: completed / seconds,
    callsPerSecond: all.length / seconds,
    callMs: percentiles(all),
    callMsByKind: Object.fromEntries([...tally.timings].map(([kind, list]) => [kind, percentiles(list)])),
    memory: memory(),
  };
}

interface ListAnswer {
  totalResults?: number;
  Resources?: { id: string }[];
}

async function totals(scim: Caller): Promise<{ users: number; inactive: number }> {
  const all = await scim<ListAnswer>('GET', '/Users?count=0');
  const inactive = await scim<ListAnswer>(
    'GET',
    `/Users?count=0&filter=${encodeURIComponent('active eq false')}`,
  );
  if (all.status !== 200 || inactive.status !== 200)
    throw new Error(`GET /Users answered ${all.status} / ${inactive.status}`);
  return { users: all.body.totalResults ?? Number.NaN, inactive: inactive.body.totalResults ?? Number.NaN };
}

export async function benchScim(
  stack: Pick<LocalStack, 'scim' | 'dynamodbEndpoint'>,
  options: {
    readonly users: number;
    readonly delta: number;
    readonly concurrency: number;
    readonly log: (line: string) => void;
  },
): Promise<ScimResult> {
  const scim = scimCaller(stack);
  const concurrency = Math.max(1, options.concurrency);
  const before = await totals(scim);
  const jvmPid = dynamoDbLocalPid(stack.dynamodbEndpoint);
  const sampler = memorySampler(jvmPid);
  try {
    const everyone = Array.from({ length: options.users }, (_, index) => index);
    const initial = await phase(
      everyone,
      concurrency,
      sampler,
      async (index, _order, tally) => {
        const user = entraUser(index);
        const found = await timed(tally, 'lookup', () => scim<ListAnswer>('GET', lookupPath(user.userName)));
        if (!found) return false;
        if (found.body.totalResults !== 0) {
          unexpected(tally, 'lookup found the user', `lookup of ${user.userName} found it before its create`);
          return false;
        }
        return (await timed(tally, 'create', () => scim('POST', '/Users', user))) !== undefined;
      },
      options.log,
    );
    options.log(
      `  initial sync: ${initial.completed}/${initial.users} users, ${initial.usersPerSecond.toFixed(1)} users/s, ` +
        `${initial.calls} calls, ${initial.errors} errors, call p95 ${initial.callMs.p95.toFixed(0)} ms`,
    );

    const changes = Math.min(options.delta, options.users);
    const changed = Array.from({ length: changes }, (_, order) =>
      Math.floor((order * options.users) / changes),
    );
    const delta = await phase(
      changed,
      concurrency,
      sampler,
      async (index, order, tally) => {
        const { userName } = entraUser(index);
        const found = await timed(tally, 'lookup', () => scim<ListAnswer>('GET', lookupPath(userName)));
        if (!found) return false;
        const id = found.body.Resources?.[0]?.id;
        if (found.body.totalResults !== 1 || !id) {
          unexpected(tally, 'lookup did not find the user', `lookup of ${userName} found no User`);
          return false;
        }
        const patched = await timed(tally, 'patch', () =>
          scim('PATCH', `/Users/${encodeURIComponent(id)}`, entraPatch(index, order)),
        );
        return patched !== undefined;
      },
      options.log,
    );
    options.log(
      `  delta: ${delta.completed}/${delta.users} users, ${delta.usersPerSecond.toFixed(1)} users/s, ` +
        `${delta.calls} calls, ${delta.errors} errors, call p95 ${delta.callMs.p95.toFixed(0)} ms`,
    );

    const after = await totals(scim);
    return {
      concurrency,
      callsPerUser: CALLS_PER_USER,
      memoryMeasured:
        'rss of the process running the local stack in-process (gateway, handlers, workflow engine) and the load ' +
        'generator, sampled every 100 ms; DynamoDB Local is a separate JVM, its VmRSS sampled alongside',
      initial,
      delta,
      directory: {
        provisioned: after.users - before.users,
        deactivated: after.inactive - before.inactive,
        expectedProvisioned: options.users,
        expectedDeactivated: changed.filter((_, order) => isDeactivated(order)).length,
      },
    };
  } finally {
    sampler.stop();
  }
}
