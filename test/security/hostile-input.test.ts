// Property-based hostile input through the real local gateway: over 10,000 generated malformed requests across
// every route; each gets a 4xx in the API's error shape (an escaped HTML page on the link pages, 401 from Slack's
// endpoint, the SCIM error shape on /scim/v2) and both tables are exactly as they were afterwards.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFilter } from '../../lambdas/core/scim/filter.ts';
import { slackSignature } from '../../lambdas/core/slack-signature.ts';
import type * as z from '../../lambdas/core/zod.ts';
import { OPERATIONS } from '../../lambdas/http/openapi.ts';
import * as schemas from '../../lambdas/http/schemas/index.ts';
import { ROUTES } from '../../lambdas/routes.ts';
import { startTestStack, type TestStack, waitFor } from '../support/local-stack.ts';
import {
  apiErrorProblem,
  encodeSegment,
  gatewayErrorProblem,
  hostileKey,
  hostileString,
  htmlErrorProblem,
  is4xx,
  jsonObjectText,
  jsonValueText,
  POLLUTION_KEYS,
  quietSnapshot,
  RAW_SEGMENTS,
  type RawAnswer,
  type RawClient,
  type RawRequest,
  rawClient,
  reflectionProbes,
  runBounded,
  scimEmptyListProblem,
  scimErrorProblem,
  snapshotTables,
  type TableSnapshot,
  tableChanges,
  wrongTypeValue,
} from '../support/security.ts';

const JUSTIFICATION = 'Investigating a data quality incident in the admissions feed';
/** Requests per property run, sent at once; runs per route make at least 10,000 in all (50 routes x 440). */
const BATCH = 20;
const RUNS_PER_ROUTE = 22;
const CONCURRENCY = 12;
const SEED = Number(process.env.KEYHOLDER_FUZZ_SEED ?? Date.now() % 2_147_483_647);
/** Callers with valid tokens: requesters, directors, a manager, an access-admin, an auditor, one without clearance. */
const ROLES = [
  'ext-kim',
  'ext-gus',
  'dir-ada',
  'dir-ben',
  'exd-cleo',
  'mgr-dan',
  'adm-eve',
  'aud-fay',
  'ext-pat',
];

type Entries = Array<[string, unknown]>;

/** One generated request, before the caller's Authorization header is chosen. */
interface Draft {
  readonly method: string;
  readonly path: string;
  readonly query?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** What makes it malformed, for the failure report. */
  readonly defect: string;
  /** A status the defect must give (413 for an oversized body); otherwise any 4xx. */
  readonly status?: number;
  /** Strings an HTML page must not repeat unescaped. */
  readonly probes?: readonly string[];
  /** The caller, when the draft chooses it (SCIM: the bearer secret or a wrong one; '' for none). */
  readonly authorization?: string;
  /** SCIM: a hostile value inside a well-formed filter, answered by an empty list rather than a 4xx. */
  readonly emptyList?: boolean;
}

interface Case extends Draft {
  readonly expect: 'api' | 'page' | 'gateway-401' | 'slack-401' | 'scim';
}

interface Fixtures {
  readonly pendingId: string;
  readonly activeId: string;
  /** An open policy proposal of adm-eve's. */
  readonly proposalId: string;
  /** dir-ada's live approval link token for the pending request. */
  readonly approvalToken: string;
  readonly signingSecret: string;
  readonly tokens: ReadonlyMap<string, string>;
  /** The local SCIM client's bearer secret (stack.scim.token). */
  readonly scimToken: string;
}

// ---------------------------------------------------------------------------------------------------------
// Building blocks

const OVERSIZE = 64 * 1024;

function queryText(pairs: ReadonlyArray<readonly [string, string]>): string {
  return pairs.map(([key, value]) => `${encodeSegment(key)}=${encodeSegment(value)}`).join('&');
}

/** What the handler sees of a query string: API Gateway joins repeated names with commas. */
function parsedQuery(query: string): Record<string, string> {
  const seen = new Map<string, string>();
  for (const [key, value] of new URLSearchParams(query)) {
    const earlier = seen.get(key);
    seen.set(key, earlier === undefined ? value : `${earlier},${value}`);
  }
  return Object.fromEntries(seen);
}

const hostileValue = hostileString();
const pair = (key: fc.Arbitrary<string>) => fc.tuple(key, hostileValue);

/** Query parameters on a route that declares none. */
const undeclaredQuery = fc
  .array(pair(fc.oneof(hostileKey(), hostileValue)), { minLength: 1, maxLength: 3 })
  .map((pairs) => ({ query: queryText(pairs), defect: 'undeclared query' }));

/** A body on a route that takes none. */
const undeclaredBody = fc
  .tuple(
    fc.oneof(
      hostileValue.map((text) =>
        jsonObjectText([
          ['__proto__', { isAdmin: true }],
          ['x', text],
        ]),
      ),
      hostileValue,
    ),
    fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded'),
  )
  .filter(([body]) => body.length > 0)
  .map(([body, contentType]) => ({
    body,
    headers: { 'content-type': contentType },
    defect: 'undeclared body',
  }));

/** A path segment nothing is stored under: hostile text, raw escapes, and near misses of real ids. */
function hostileSegment(nearMisses: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    {
      arbitrary: hostileString(250)
        .filter((text) => text.length > 0)
        .map(encodeSegment),
      weight: 5,
    },
    { arbitrary: fc.constantFrom(...RAW_SEGMENTS), weight: 2 },
    {
      arbitrary: fc
        .tuple(
          fc.constantFrom(...nearMisses),
          fc.constantFrom(
            (id: string) => `${id}%00`,
            (id: string) => id.toUpperCase(),
            (id: string) => `${id}%20`,
            (id: string) => `%20${id}`,
            (id: string) => `${id}%2F..`,
            (id: string) => `..%2F${id}`,
            (id: string) => `${id}%E2%80%AE`,
            (id: string) => `${id}'%20OR%20'1'='1`,
          ),
        )
        .map(([id, miss]) => miss(id)),
      weight: 2,
    },
    {
      arbitrary: fc.string({ unit: 'binary-ascii', minLength: 201, maxLength: 400 }).map(encodeSegment),
      weight: 1,
    },
  );
}

interface BodyField {
  readonly name: string;
  readonly valid: fc.Arbitrary<unknown>;
  readonly required: boolean;
  /** Longest valid string; a longer one is a defect. */
  readonly max?: number;
  /** A value of the wrong type for this field. */
  readonly wrong?: fc.Arbitrary<unknown>;
}

const notString = wrongTypeValue().filter((value) => typeof value !== 'string' && !Array.isArray(value));

/** Field values drawn from hostile strings and valid ones alike; presence of optional fields varies. */
function baseEntries(fields: readonly BodyField[]): fc.Arbitrary<Entries> {
  return fc
    .tuple(
      ...fields.map((field) =>
        fc.tuple(
          fc.constant(field.name),
          fc.oneof(field.valid, hostileValue),
          field.required ? fc.constant(true) : fc.boolean(),
        ),
      ),
    )
    .map((chosen) =>
      chosen.filter(([, , present]) => present).map(([name, value]) => [name, value] as [string, unknown]),
    );
}

/** Breaks a JSON text so no parser takes it. */
const corruptions: ReadonlyArray<(text: string) => string> = [
  (text) => text.slice(0, Math.max(1, Math.floor(text.length / 2))),
  (text) => `${text.slice(0, -1)},}`,
  (text) => text.replaceAll('"', "'"),
  (text) => `\uFEFF${text}`,
  (text) => `${text}${text}`,
  (text) => `/* comment */${text}`,
  (text) => text.replace(':', ':NaN,"x":'),
  () => '{"a":1e999999999999999999999}x',
  () => '',
  () => `${'['.repeat(20_000)}${']'.repeat(20_000)}`,
  () => `{"a":"\\ud800\\u"}`,
];

/** Every way a JSON body route's body is made malformed; each case carries at least one of them. */
function jsonBodyDrafts(fields: readonly BodyField[]): fc.Arbitrary<Omit<Draft, 'method' | 'path'>> {
  const json = { 'content-type': 'application/json' };
  const names = fields.map((field) => field.name);
  const base = baseEntries(fields);
  const pick = <T>(items: readonly T[]) => fc.constantFrom(...items);
  const stringFields = fields.filter((field) => field.max !== undefined);
  return fc.oneof(
    fc.tuple(base, pick(POLLUTION_KEYS), wrongTypeValue(), fc.nat()).map(([entries, key, value, at]) => ({
      body: jsonObjectText(insertAt(entries, at, [key, value])),
      headers: json,
      defect: `pollution key ${key} at the top`,
    })),
    fc.tuple(base, pick(names), pick(POLLUTION_KEYS), hostileValue).map(([entries, name, key, text]) => ({
      body: jsonObjectText(
        replaceField(entries, name, { [key]: { isAdmin: true, polluted: text }, nested: { [key]: text } }),
      ),
      headers: json,
      defect: `pollution key ${key} nested in ${name}`,
    })),
    fc.tuple(base, pick(fields)).chain(([entries, field]) =>
      (field.wrong ?? notString).map((value) => ({
        body: jsonObjectText(replaceField(entries, field.name, value)),
        headers: json,
        defect: `wrong type for ${field.name}`,
      })),
    ),
    fc
      .tuple(
        base,
        hostileKey().filter((key) => !names.includes(key)),
        hostileValue,
      )
      .map(([entries, key, value]) => ({
        body: jsonObjectText([...entries, [key, value]]),
        headers: json,
        defect: `unknown field ${JSON.stringify(key)}`,
      })),
    fc.tuple(base, pick(fields), fc.boolean()).chain(([entries, field, same]) =>
      fc.oneof(field.valid, hostileValue).map((other) => {
        const present = entries.find(([name]) => name === field.name);
        const first = present?.[1] ?? other;
        return {
          body: jsonObjectText([...entries, [field.name, same ? first : other], [field.name, first]]),
          headers: json,
          defect: `duplicate key ${field.name}`,
        };
      }),
    ),
    fc.tuple(base, fc.nat()).map(([entries, at]) => {
      const required = fields.filter((field) => field.required);
      const dropped = required[at % Math.max(1, required.length)];
      return {
        body: jsonObjectText(dropped ? entries.filter(([name]) => name !== dropped.name) : []),
        headers: json,
        defect: dropped ? `missing ${dropped.name}` : 'empty object',
      };
    }),
    fc.tuple(base, pick(corruptions)).map(([entries, corrupt]) => {
      const text = corrupt(jsonObjectText(entries));
      return { body: isJson(text) ? `${text}{` : text, headers: json, defect: 'malformed JSON' };
    }),
    fc
      .oneof(fc.array(hostileValue, { maxLength: 3 }), hostileValue, fc.integer(), fc.constant(null))
      .map((value) => ({ body: JSON.stringify(value), headers: json, defect: 'not a JSON object' })),
    fc
      .tuple(
        base,
        pick([
          undefined,
          'text/plain',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=x',
          'application/jsonp',
          'application/json-patch+json',
          'text/json',
          'application/xml',
          'application/jso',
          '*/*',
          'application/json, text/plain',
        ]),
      )
      .map(([entries, contentType]) => ({
        body: jsonObjectText(entries),
        headers: contentType === undefined ? ({} as Record<string, string>) : { 'content-type': contentType },
        defect: `content-type ${String(contentType)}`,
      })),
    ...(stringFields.length > 0
      ? [
          fc
            .tuple(
              base,
              pick(stringFields),
              hostileValue.filter((text) => text.length > 0),
            )
            .map(([entries, field, text]) => ({
              body: jsonObjectText(replaceField(entries, field.name, longerThan(field.max ?? 0, text))),
              headers: json,
              defect: `${field.name} over ${field.max} characters`,
            })),
        ]
      : []),
    {
      arbitrary: fc.tuple(base, pick(names), fc.boolean()).map(([entries, name, wrongType]) => ({
        body: jsonObjectText(replaceField(entries, name, 'A'.repeat(OVERSIZE + 10))),
        headers: wrongType ? { 'content-type': 'text/plain' } : json,
        defect: 'body over 64 KiB',
        status: 413,
      })),
      weight: 1,
    },
  );
}

/** `text` repeated past `max` characters as zod counts them (code points, not UTF-16 units). */
function longerThan(max: number, text: string): string {
  return text.repeat(Math.ceil((max + 1) / [...text].length));
}

function insertAt(entries: Entries, at: number, entry: [string, unknown]): Entries {
  const copy = [...entries];
  copy.splice(at % (copy.length + 1), 0, entry);
  return copy;
}

function replaceField(entries: Entries, name: string, value: unknown): Entries {
  const present = entries.some(([key]) => key === name);
  return present
    ? entries.map(([key, old]) => [key, key === name ? value : old])
    : [...entries, [name, value]];
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Query strings a route's schema refuses: hostile values for its parameters, unknown and pollution keys. */
function invalidQuery(
  schema: z.ZodMiniType,
  names: readonly string[],
  valid: Record<string, fc.Arbitrary<string>>,
) {
  const known = fc.constantFrom(...names);
  const param = fc.oneof(
    { arbitrary: pair(known), weight: 4 },
    { arbitrary: known.chain((name) => fc.tuple(fc.constant(name), valid[name] ?? hostileValue)), weight: 2 },
    { arbitrary: pair(hostileKey()), weight: 2 },
  );
  return fc
    .array(param, { minLength: 1, maxLength: 4 })
    .map((pairs) => queryText(pairs))
    .filter((query) => !schema.safeParse(parsedQuery(query)).success)
    .map((query) => ({ query, defect: 'query the schema refuses' }));
}

const formDefects = (decisions: readonly string[]) => {
  const form = (pairs: ReadonlyArray<readonly [string, string]>) => queryText(pairs);
  const contentType = { 'content-type': 'application/x-www-form-urlencoded' };
  const decision = fc.constantFrom(...decisions);
  return fc.oneof(
    hostileValue
      .filter((value) => !decisions.includes(value))
      .map((value) => ({
        body: form([['decision', value]]),
        headers: contentType,
        defect: 'unknown decision',
      })),
    fc.tuple(decision, decision).map(([a, b]) => ({
      body: form([
        ['decision', a],
        ['decision', b],
      ]),
      headers: contentType,
      defect: 'decision twice',
    })),
    fc
      .tuple(
        decision,
        fc.constantFrom(...POLLUTION_KEYS),
        hostileValue.filter((v) => v.length > 0),
      )
      .map(([value, key, polluted]) => ({
        body: form([
          ['decision', value],
          [key, polluted],
        ]),
        headers: contentType,
        defect: `form field ${key}`,
      })),
    fc
      .tuple(
        decision,
        hostileKey().filter((key) => !['decision', 'comment'].includes(key)),
        hostileValue,
      )
      .map(([value, key, extra]) => ({
        body: `${form([['decision', value]])}&${encodeSegment(key)}=${encodeSegment(extra || 'x')}`,
        headers: contentType,
        defect: 'unknown form field',
      })),
    fc
      .tuple(
        decision,
        hostileValue.filter((v) => v.length > 0),
      )
      .map(([value, text]) => ({
        body: form([
          ['decision', value],
          ['comment', longerThan(4000, text)],
        ]),
        headers: contentType,
        defect: 'comment over 4000 characters',
      })),
    decision.map((value) => ({
      body: JSON.stringify({ decision: value }),
      headers: { 'content-type': 'application/json' },
      defect: 'JSON instead of a form',
    })),
    hostileValue.map((comment) => ({
      body: form([['comment', comment]]),
      headers: contentType,
      defect: 'no decision',
    })),
    fc.constant({ body: 'decision=%E0%A4%A&comment=%', headers: contentType, defect: 'broken escapes' }),
    {
      arbitrary: decision.map((value) => ({
        body: form([
          ['decision', value],
          ['comment', 'A'.repeat(OVERSIZE)],
        ]),
        headers: contentType,
        defect: 'form over 64 KiB',
        status: 413,
      })),
      weight: 1,
    },
  );
};

// ---------------------------------------------------------------------------------------------------------
// SCIM 2.0 (/scim/v2): authenticated by the provisioning client's bearer secret (no JWT), answering in the SCIM
// error shape. Every draft carries its own Authorization: a wrong one (401), or the valid secret with a defect.

const SCIM_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const SCIM_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const SCIM_PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const SCIM_ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const SCIM_KEYHOLDER = 'urn:ietf:params:scim:schemas:extension:keyholder:2.0:User';
const SCIM_JSON = { 'content-type': 'application/scim+json' };
const SCIM_QUERY = ['filter', 'startIndex', 'count', 'attributes', 'excludedAttributes'];
const MISSING_GROUP = '00000000-0000-4000-8000-000000000000';

type Input = Omit<Draft, 'method' | 'path'>;

/** Ids and values past what any id may be (200 characters): in bytes, past DynamoDB's key size too. */
const longText = fc
  .tuple(fc.constantFrom('€', '\u{1D518}', 'é', 'a'), fc.integer({ min: 201, max: 500 }))
  .map(([char, times]) => char.repeat(times));

function filterParses(text: string): boolean {
  try {
    parseFilter(text);
    return true;
  } catch {
    return false;
  }
}

/** Filters the grammar refuses (RFC 7644 §3.4.2.2): each must be 400 invalidFilter, never a 500 or a match. */
const BAD_FILTERS: readonly string[] = [
  '',
  'userName eq',
  'foo bar baz',
  'userName eq "unterminated',
  'userName eq "a" and',
  'userName eq "a" or',
  'userName eq "a" AND',
  '(userName eq "a"',
  'userName eq "a")',
  'not userName eq "a"',
  'not (userName eq "a"',
  'userName zz "a"',
  'userName eq unquoted',
  'userName eq 01x',
  'userName eq "a" "b"',
  'userName eq "\\x"',
  '"userName" eq "a"',
  'userName pr pr',
  'userName ge',
  'and',
  '[',
  ']',
  'emails[type eq "work"',
  'emails[type eq "work"]]',
  'emails.value[type eq "work"]',
  'meta.created.x gt "2020"',
  'urn:bad eq "x"',
  "userName eq 'single'",
  'userName eq "a" or (',
  `${'('.repeat(40)}userName eq "a"${')'.repeat(40)}`,
  `userName eq "${'a'.repeat(1100)}"`,
  `${'not ('.repeat(20)}userName pr${')'.repeat(20)}`,
];
const GOOD_FILTERS: readonly string[] = [
  'userName eq "ext-kim"',
  'emails[type eq "work"].value co "@"',
  'active eq true and not (title pr)',
  'displayName sw "Keyholder"',
  'externalId eq "x" or userName ew "example"',
];

const invalidFilters: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...BAD_FILTERS), weight: 4 },
  {
    arbitrary: fc
      .tuple(fc.constantFrom(...GOOD_FILTERS), fc.nat(), hostileValue)
      .map(([good, at, text]) => {
        const index = at % (good.length + 1);
        return `${good.slice(0, index)}${text}${good.slice(index)}`;
      })
      .filter((text) => !filterParses(text)),
    weight: 3,
  },
  { arbitrary: hostileValue.filter((text) => !filterParses(text)), weight: 2 },
);

const BAD_INTEGERS = [
  'abc',
  '1.5',
  '1e3',
  '',
  '0x10',
  '9999999999',
  ' 1',
  '1 ',
  '-',
  '１',
  '+1',
  'NaN',
  '1,2',
];
const badInteger = fc.oneof(
  fc.constantFrom(...BAD_INTEGERS),
  hostileValue.filter((text) => !/^-?\d{1,9}$/.test(text)),
);

/** A list route's query with a defect; or a hostile value inside a well-formed equality filter (an empty list). */
function scimListQuery(idAttributes: readonly string[]): fc.Arbitrary<Input> {
  const good = fc.option(fc.constantFrom(...GOOD_FILTERS), { nil: undefined });
  return fc.oneof(
    {
      arbitrary: invalidFilters.map((filter) => ({
        query: queryText([['filter', filter]]),
        defect: `invalid filter ${JSON.stringify(filter.slice(0, 60))}`,
      })),
      weight: 4,
    },
    fc.tuple(fc.constantFrom('startIndex', 'count'), badInteger, good).map(([name, value, filter]) => ({
      query: queryText([...(filter ? [['filter', filter] as const] : []), [name, value]]),
      defect: `${name}=${JSON.stringify(value.slice(0, 40))}`,
    })),
    fc
      .tuple(
        fc.oneof(fc.constantFrom('sortBy', 'sortOrder', 'filter[]', 'startindex ', 'q'), hostileKey()),
        hostileValue,
      )
      .filter(([name]) => !SCIM_QUERY.includes(name))
      .map(([name, value]) => ({ query: queryText([[name, value]]), defect: `unknown parameter ${name}` })),
    fc.constant({ query: 'count=1&count=2', defect: 'count twice' }),
    fc.constant({
      query: 'filter=userName%20eq%20%22a%22&filter=userName%20eq%20%22b%22',
      defect: 'filter twice',
    }),
    undeclaredBody,
    {
      arbitrary: fc
        .tuple(fc.constantFrom(...idAttributes), fc.oneof(hostileValue, longText))
        .map(([attribute, value]) => `${attribute} eq ${JSON.stringify(value)}`)
        .filter(filterParses)
        .map((filter) => ({
          query: queryText([['filter', filter]]),
          defect: `hostile value in a well-formed filter ${JSON.stringify(filter.slice(0, 60))}`,
          emptyList: true,
        })),
      weight: 2,
    },
  );
}

/** A body the SCIM handler must refuse whatever else it holds: malformed, mistyped or of the wrong type. */
function scimBodyDefects(base: Entries, wrongFields: ReadonlyArray<[string, fc.Arbitrary<unknown>]>) {
  return fc.oneof(
    {
      arbitrary: fc.constantFrom(...wrongFields).chain(([name, wrong]) =>
        wrong.map((value) => ({
          body: jsonObjectText(replaceField(base, name, value)),
          headers: SCIM_JSON,
          defect: `wrong ${name}: ${jsonValueText(value).slice(0, 60)}`,
        })),
      ),
      weight: 6,
    },
    fc.constantFrom(...corruptions).map((corrupt) => {
      const text = corrupt(jsonObjectText(base));
      return { body: isJson(text) ? `${text}{` : text, headers: SCIM_JSON, defect: 'malformed JSON' };
    }),
    fc
      .oneof(fc.array(hostileValue, { maxLength: 3 }), hostileValue, fc.integer(), fc.constant(null))
      .map((value) => ({ body: JSON.stringify(value), headers: SCIM_JSON, defect: 'not a JSON object' })),
    fc
      .constantFrom(
        undefined,
        'text/plain',
        'application/x-www-form-urlencoded',
        'application/xml',
        'application/scim',
        'application/scim+jsonx',
        'application/json-patch+json',
        'multipart/form-data; boundary=x',
        '*/*',
      )
      .map((contentType) => ({
        body: jsonObjectText(base),
        headers: contentType === undefined ? ({} as Record<string, string>) : { 'content-type': contentType },
        defect: `content-type ${String(contentType)}`,
        status: 415,
      })),
    fc.constantFrom(...base.map(([name]) => name)).map((name) => {
      const value = base.find(([key]) => key === name)?.[1];
      return {
        body: jsonObjectText([...base, [name, value]]),
        headers: SCIM_JSON,
        defect: `${name} twice`,
      };
    }),
    undeclaredQuery.map((input) => ({ ...input, body: jsonObjectText(base), headers: SCIM_JSON })),
    fc.constant({
      body: jsonObjectText(replaceField(base, 'displayName', 'A'.repeat(OVERSIZE + 10))),
      headers: SCIM_JSON,
      defect: 'body over 64 KiB',
      status: 413,
    }),
  );
}

const notJsonString = wrongTypeValue().filter((value) => typeof value !== 'string' && value !== null);
const notBooleanLike = fc.oneof(
  fc.constant({}),
  fc.constant({ value: true }),
  fc.array(fc.boolean(), { minLength: 1, maxLength: 2 }),
  fc.integer(),
  hostileValue.filter((text) => !/^(true|false)$/i.test(text)),
);

const scimUser = (userName: string): Entries => [
  ['schemas', [SCIM_USER]],
  ['userName', userName],
  ['displayName', 'Hostile Input'],
  ['emails', [{ value: `${userName}@nhse.example`, type: 'work', primary: true }]],
  ['active', true],
];

/** User bodies (POST, PUT) that are refused: each draft has at least one defect the handler must catch. */
function scimUserBodies(userName: string, taken: readonly string[], replacing: boolean): fc.Arbitrary<Input> {
  const base = scimUser(userName);
  const wrong: Array<[string, fc.Arbitrary<unknown>]> = [
    ['userName', fc.oneof(notJsonString, fc.constant(null))],
    [
      'userName',
      fc.oneof(
        fc.constantFrom('', '   ', 'a\u0001b', 'tab\tname', 'del\u007f'),
        fc.constant(`${'A'.repeat(513)}`),
        longText,
      ),
    ],
    ['active', notBooleanLike],
    [
      'emails',
      fc.oneof(hostileValue, fc.constant({ value: 'a@b.example' }), fc.integer(), fc.constant(true)),
    ],
    [
      'emails',
      fc.constantFrom(
        ['a@b.example'],
        [{ value: 5 }],
        [{ value: 'a@b.example', primary: 'yes' }],
        [[]],
        [{ type: 7 }],
        Array.from({ length: 11 }, (_, i) => ({ value: `e${i}@nhse.example` })),
      ),
    ],
    ['name', fc.oneof(hostileValue, fc.integer(), fc.array(hostileValue, { maxLength: 2 }))],
    ['displayName', notJsonString],
    ['title', notJsonString],
    ['externalId', notJsonString],
    ['displayName', fc.constant(`${'x'.repeat(513)}`)],
    [SCIM_ENTERPRISE, fc.oneof(hostileValue, fc.array(hostileValue, { maxLength: 2 }), fc.integer())],
    [SCIM_ENTERPRISE, fc.constantFrom({ manager: 5 }, { organization: [] }, { manager: { value: {} } })],
    [
      SCIM_KEYHOLDER,
      fc.constantFrom(
        { clearanceLevel: 'TOP', clearanceExpiresAt: '2029-12-31T00:00:00Z' },
        { clearanceLevel: 'SC', clearanceExpiresAt: 'soon' },
        { grade: 5 },
        { slackUserId: { $ne: null } },
      ),
    ],
  ];
  const withoutUserName = base.filter(([name]) => name !== 'userName');
  return fc.oneof(
    { arbitrary: scimBodyDefects(base, wrong), weight: 8 },
    fc
      .constantFrom<[string, Entries]>(
        ['no userName', withoutUserName],
        ['userName only under __proto__', [...withoutUserName, ['__proto__', { userName, active: true }]]],
        [
          'userName only under constructor.prototype',
          [...withoutUserName, ['constructor', { prototype: { userName } }]],
        ],
      )
      .map(([defect, entries]) => ({ body: jsonObjectText(entries), headers: SCIM_JSON, defect })),
    replacing
      ? fc.constantFrom(...taken.filter((id) => id !== userName), 'someone-new').map((other) => ({
          body: jsonObjectText(scimUser(other)),
          headers: SCIM_JSON,
          defect: `userName changed to ${other}`,
        }))
      : fc.constantFrom(...taken).map((id) => ({
          body: jsonObjectText(scimUser(id)),
          headers: SCIM_JSON,
          defect: `userName ${id} exists already`,
          status: 409,
        })),
  );
}

const patchOp = (operations: unknown): Entries => [
  ['schemas', [SCIM_PATCH]],
  ['Operations', operations],
];
const DEACTIVATE = [{ op: 'Replace', path: 'active', value: 'False' }];

const BAD_PATHS = [
  'emails[type eq "work"',
  'emails[type eq]',
  'name..givenName',
  '1abc',
  'emails[type eq "work"]x',
  'a b',
  'name.givenName.x',
  '__proto__',
  '[',
  'emails]',
  'emails[type eq "work"].value.x',
  'urn:x:y:',
  'emails[(type eq "work"]',
  'x'.repeat(513),
];

/** Operations that leave the User invalid, or make no sense: the whole PATCH is refused, nothing written. */
const BAD_OPERATIONS: ReadonlyArray<readonly [string, unknown]> = [
  ['userName replaced by a number', { op: 'replace', path: 'userName', value: 5 }],
  ['userName changed', { op: 'replace', path: 'userName', value: 'someone-else' }],
  ['userName removed', { op: 'remove', path: 'userName' }],
  ['active replaced by an object', { op: 'replace', path: 'active', value: {} }],
  ['active replaced by "maybe"', { op: 'Replace', path: 'active', value: 'maybe' }],
  ['emails replaced by a string', { op: 'replace', path: 'emails', value: 'x' }],
  ['a string added to emails', { op: 'add', path: 'emails', value: 'x' }],
  ['name replaced by a string', { op: 'replace', path: 'name', value: 'x' }],
  ['path-less userName number', { op: 'replace', value: { userName: 7 } }],
  ['path-less value not an object', { op: 'Add', value: 'x' }],
  ['remove without a path', { op: 'remove' }],
  ['work email value a number', { op: 'add', path: 'emails[type eq "work"].value', value: 5 }],
  ['clearance TOP', { op: 'replace', path: `${SCIM_KEYHOLDER}:clearanceLevel`, value: 'TOP' }],
  [
    'no target for an or filter',
    { op: 'replace', path: 'emails[type eq "x" or type eq "y"].value', value: 'a@b' },
  ],
];

/** PATCH bodies refused: bad ops, no Operations, bad paths, values that break the resource, and body defects. */
function scimPatchBodies(): fc.Arbitrary<Input> {
  const json = (entries: Entries, defect: string, status?: number): Input => ({
    body: jsonObjectText(entries),
    headers: SCIM_JSON,
    defect,
    ...(status === undefined ? {} : { status }),
  });
  const badOp = fc.oneof(
    fc.constantFrom<unknown>('explode', 'copy', 'move', 'test', '', 'Replace ', 'adds', 5, null, ['add']),
    hostileValue.filter((text) => !['add', 'replace', 'remove'].includes(text.toLowerCase())),
  );
  return fc.oneof(
    badOp.map((op) =>
      json(patchOp([{ op, path: 'active', value: false }]), `op ${jsonValueText(op).slice(0, 40)}`),
    ),
    fc.constant(json([['schemas', [SCIM_PATCH]]], 'no Operations')),
    fc
      .constantFrom<unknown>({}, 'x', [], null, 5, [null], [5])
      .map((operations) => json(patchOp(operations), `Operations ${jsonValueText(operations)}`)),
    fc
      .constantFrom<[string, Entries]>(
        ['no schemas', [['Operations', DEACTIVATE]]],
        [
          'schemas empty',
          [
            ['schemas', []],
            ['Operations', DEACTIVATE],
          ],
        ],
        [
          'schemas a string',
          [
            ['schemas', SCIM_PATCH],
            ['Operations', DEACTIVATE],
          ],
        ],
        [
          'schemas of a User',
          [
            ['schemas', [SCIM_USER]],
            ['Operations', DEACTIVATE],
          ],
        ],
      )
      .map(([defect, entries]) => json(entries, defect)),
    fc
      .tuple(
        fc.oneof(fc.constantFrom<unknown>(...BAD_PATHS), fc.integer(), fc.constant(true)),
        fc.constantFrom('replace', 'add', 'remove'),
      )
      .map(([path, op]) =>
        json(patchOp([{ op, path, value: 'x' }]), `${op} path ${jsonValueText(path).slice(0, 40)}`),
      ),
    fc
      .tuple(fc.constantFrom(...BAD_OPERATIONS), fc.boolean())
      .map(([[defect, operation], afterValid]) =>
        json(
          patchOp(afterValid ? [...DEACTIVATE, operation] : [operation]),
          afterValid ? `a valid op, then ${defect}` : defect,
        ),
      ),
    fc.constant(
      json(
        patchOp(Array.from({ length: 1001 }, () => ({ op: 'replace', path: 'active', value: false }))),
        '1001 operations',
      ),
    ),
    {
      arbitrary: scimBodyDefects(patchOp(DEACTIVATE), [
        ['Operations', fc.constantFrom<unknown>('x', 5, true)],
      ]),
      weight: 3,
    },
  );
}

/** If-Match naming a version the User is not at: 412 before anything is written. */
const staleVersion = fc
  .constantFrom('W/"999999"', '"123456789"', 'W/"x"', 'W/', '"-1", W/"999998"')
  .map((tag) => ({ 'if-match': tag }));

/** Group bodies (POST) that are refused; no Group exists, so any id route is 404 (or 400 for its body first). */
function scimGroupBodies(): fc.Arbitrary<Input> {
  const base: Entries = [
    ['schemas', [SCIM_GROUP]],
    ['displayName', 'Hostile Group'],
    ['members', [{ value: 'ext-kim' }]],
  ];
  return fc.oneof(
    scimBodyDefects(base, [
      ['displayName', fc.oneof(notJsonString, fc.constant(null))],
      ['displayName', fc.constantFrom('', '   ', 'G'.repeat(257))],
      ['members', fc.oneof(hostileValue, fc.constant({}), fc.integer())],
      ['members', longText.map((value) => [{ value }])],
      [
        'members',
        fc.constantFrom<unknown>(
          [{ value: 5 }],
          [{}],
          ['ext-kim'],
          [{ value: '' }],
          [null],
          [{ value: 'x'.repeat(513) }],
        ),
      ],
      ['externalId', notJsonString],
    ]),
    fc.constant({
      body: jsonObjectText([
        ['schemas', [SCIM_GROUP]],
        ['__proto__', { displayName: 'Polluted' }],
      ]),
      headers: SCIM_JSON,
      defect: 'displayName only under __proto__',
    }),
  );
}

function scimDrafts(key: string, f: Fixtures): DraftArbitrary {
  const [method = 'GET', template = ''] = key.split(' ');
  const route = template.slice('/scim/v2'.length);
  const users = route.startsWith('/Users');
  const byId = route.endsWith('/{id}');
  const pathFor = (id: string) => `/scim/v2${route.replace('{id}', id)}`;
  const principalIds = ['ext-kim', 'ext-gus', 'adm-eve', 'dir-ada', 'aud-fay'];
  const valid = `Bearer ${f.scimToken}`;
  const hex = fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 });

  // What a well-behaved client sends: refused by the credential alone.
  const goodInput = (id: string): Input => {
    if (method === 'GET' || method === 'DELETE') {
      return route === '/Users'
        ? { query: queryText([['filter', 'userName eq "ext-kim"']]), defect: 'valid' }
        : { defect: 'valid' };
    }
    if (method === 'PATCH')
      return { body: jsonObjectText(patchOp(DEACTIVATE)), headers: SCIM_JSON, defect: 'valid' };
    // PUT on a hostile id: a valid User of another name, so the unknown id (404) is what answers.
    const body = users
      ? scimUser(principalIds.includes(id) ? id : 'scim-newcomer')
      : [
          ['schemas', [SCIM_GROUP]],
          ['displayName', 'Newcomers'],
        ];
    return { body: jsonObjectText(body as Entries), headers: SCIM_JSON, defect: 'valid' };
  };
  const idFor = fc.oneof(users ? fc.constantFrom(...principalIds) : fc.constant(MISSING_GROUP));
  const badCaller = fc.oneof(
    fc.constant({ authorization: '', defect: 'no Authorization' }),
    fc
      .constantFrom(...f.tokens.values())
      .map((jwt) => ({ authorization: `Bearer ${jwt}`, defect: 'a JWT, not the SCIM secret' })),
    hex.map((secret) => ({ authorization: `Bearer ${secret}`, defect: 'an unknown secret' })),
    fc
      .constantFrom(
        `Basic ${f.scimToken}`,
        `Bearer ${f.scimToken}x`,
        `Bearer ${f.scimToken.slice(0, -1)}`,
        `Bearer ${f.scimToken.toUpperCase()}`,
        `Bearer local:${f.scimToken}`,
        `Bearer ${Buffer.from(f.scimToken).toString('base64')}`,
        `Bearer ${f.scimToken} ${f.scimToken}`,
        `Token ${f.scimToken}`,
        f.scimToken,
        'Bearer',
      )
      .filter((authorization) => authorization !== valid)
      .map((authorization) => ({ authorization, defect: `Authorization ${authorization.slice(0, 10)}…` })),
    hostileValue.map((text) => ({ authorization: `Bearer ${asciiHeader(text)}`, defect: 'hostile bearer' })),
  );
  const unauthenticated = fc.tuple(idFor, badCaller).map(
    ([id, caller]): Draft => ({
      method,
      path: pathFor(id),
      ...goodInput(id),
      ...caller,
      status: 401,
    }),
  );

  // With the valid secret: a defect on a real id (or no id), or a hostile id with any input.
  const defectsFor = (id: string): fc.Arbitrary<Input> => {
    switch (`${method} ${route}`) {
      case 'GET /ServiceProviderConfig':
      case 'GET /ResourceTypes':
      case 'GET /Schemas':
        return fc.oneof(undeclaredQuery, undeclaredBody);
      case 'GET /Users':
        return scimListQuery(['userName', 'id', 'externalId']);
      case 'GET /Groups':
        return scimListQuery(['displayName', 'id', 'externalId']);
      case 'POST /Users':
        return scimUserBodies(`scim-hostile-${id}`, principalIds, false);
      case 'PUT /Users/{id}':
        return fc.oneof(
          { arbitrary: scimUserBodies(id, principalIds, true), weight: 5 },
          staleVersion.map((headers) => ({
            body: jsonObjectText(scimUser(principalIds.includes(id) ? id : 'scim-newcomer')),
            headers: { ...SCIM_JSON, ...headers },
            defect: `stale If-Match ${headers['if-match']}`,
            status: 412,
          })),
        );
      case 'PATCH /Users/{id}':
        return fc.oneof(
          { arbitrary: scimPatchBodies(), weight: 5 },
          staleVersion.map((headers) => ({
            body: jsonObjectText(patchOp(DEACTIVATE)),
            headers: { ...SCIM_JSON, ...headers },
            defect: `stale If-Match ${headers['if-match']}`,
            status: 412,
          })),
        );
      case 'DELETE /Users/{id}':
        return fc.oneof(
          undeclaredQuery,
          undeclaredBody,
          staleVersion.map((headers) => ({
            headers,
            defect: `stale If-Match ${headers['if-match']}`,
            status: 412,
          })),
        );
      case 'POST /Groups':
        return scimGroupBodies();
      case 'PUT /Groups/{id}':
        return fc.oneof(
          scimGroupBodies(),
          fc.constant({ ...goodInput(id), defect: 'no such Group', status: 404 }),
        );
      case 'PATCH /Groups/{id}':
        return fc.oneof(
          scimPatchBodies(),
          fc.constant({ ...goodInput(id), defect: 'no such Group', status: 404 }),
        );
      case 'GET /Users/{id}':
      case 'GET /Groups/{id}':
      case 'DELETE /Groups/{id}':
        return fc.oneof(
          undeclaredQuery,
          undeclaredBody,
          ...(users ? [] : [fc.constant({ defect: 'no such Group', status: 404 })]),
        );
      default:
        throw new Error(`no hostile SCIM input for ${key}: add the route here`);
    }
  };
  const realIds = users ? principalIds : [MISSING_GROUP];
  const authenticated: DraftArbitrary = byId
    ? fc.oneof(
        {
          arbitrary: fc
            .constantFrom(...realIds)
            .chain((id) => defectsFor(id).map((input): Draft => ({ method, path: pathFor(id), ...input }))),
          weight: 3,
        },
        {
          arbitrary: fc
            .tuple(
              fc.oneof(
                {
                  arbitrary: users ? hostileSegment(realIds) : fc.oneof(fc.uuid(), hostileSegment(realIds)),
                  weight: 4,
                },
                { arbitrary: longText.map(encodeSegment), weight: 1 },
              ),
              fc.boolean(),
            )
            .chain(([id, good]) =>
              (good ? fc.constant(goodInput(id)) : defectsFor(id)).map(
                (input): Draft => ({
                  method,
                  path: pathFor(id),
                  ...input,
                  defect: `hostile id ${decodeLoose(id).slice(0, 40)}; ${input.defect}`,
                  // The id is looked up after the body is read and before the version is compared: a body
                  // defect answers first (its own status), an unknown id before a stale If-Match (404, not 412).
                  ...(good ? { status: 404 } : input.status === 412 ? { status: 404 } : {}),
                }),
              ),
            ),
          weight: 2,
        },
      )
    : fc
        .nat({ max: 1_000_000 })
        .chain((n) => defectsFor(String(n)).map((input): Draft => ({ method, path: pathFor(''), ...input })));
  return fc.oneof(
    { arbitrary: unauthenticated, weight: 1 },
    { arbitrary: authenticated.map((draft) => ({ ...draft, authorization: valid })), weight: 4 },
  );
}

// ---------------------------------------------------------------------------------------------------------
// Per route: what a malformed request to it looks like

type DraftArbitrary = fc.Arbitrary<Draft>;

function routeDrafts(key: string, f: Fixtures): DraftArbitrary {
  const requestIds = [f.pendingId, f.activeId];
  const principalIds = ['ext-kim', 'ext-gus', 'adm-eve', 'dir-ada', 'aud-fay'];
  const at = (method: string, path: string, arbitrary: fc.Arbitrary<Omit<Draft, 'method' | 'path'>>) =>
    arbitrary.map((part): Draft => ({ method, path, ...part }));
  const undeclared = fc.oneof(undeclaredQuery, undeclaredBody);
  /** A real id with an input defect, or a hostile id with any input. */
  const withId = (
    method: string,
    template: (id: string) => string,
    realIds: readonly string[],
    defects: fc.Arbitrary<Omit<Draft, 'method' | 'path'>>,
    validInput: fc.Arbitrary<Omit<Draft, 'method' | 'path'>>,
  ): DraftArbitrary =>
    fc
      .oneof(
        { arbitrary: fc.tuple(fc.constantFrom(...realIds), defects), weight: 3 },
        {
          arbitrary: fc
            .tuple(hostileSegment(realIds), fc.oneof(defects, validInput))
            .map(([id, input]) => [id, { ...input, defect: `hostile id; ${input.defect}` }] as const),
          weight: 2,
        },
      )
      .map(([id, input]) => ({ method, path: template(id), ...input }) as Draft);

  const submitFields: BodyField[] = [
    {
      name: 'scopes',
      valid: fc.constantFrom(['dataset:hes-apc'], ['admin'], ['dataset:gp-records', 'dataset:hes-apc']),
      required: true,
      wrong: notString,
    },
    { name: 'justification', valid: fc.constant(JUSTIFICATION), required: true, max: 4000 },
    { name: 'duration', valid: fc.constantFrom('PT1H', 'P1D', 'PT15M'), required: true, max: 32 },
    { name: 'ticket', valid: fc.constant('INC-1042'), required: false, max: 120 },
  ];
  const decisionFields: BodyField[] = [
    { name: 'decision', valid: fc.constantFrom('approve', 'deny'), required: true },
    { name: 'comment', valid: fc.constant('Looks fine'), required: false, max: 4000 },
  ];
  const revokeFields: BodyField[] = [
    { name: 'reason', valid: fc.constant('No longer needed'), required: true, max: 4000 },
  ];
  const extendFields: BodyField[] = [
    { name: 'duration', valid: fc.constant('PT1H'), required: true, max: 32 },
    { name: 'justification', valid: fc.constant(JUSTIFICATION), required: true, max: 4000 },
  ];
  const patchFields: BodyField[] = [
    {
      name: 'active',
      valid: fc.boolean(),
      required: false,
      wrong: notString.filter((v) => typeof v !== 'boolean'),
    },
    {
      name: 'clearance',
      valid: fc.constantFrom(null, { level: 'SC', expiresAt: '2029-12-31T00:00:00Z' }),
      required: false,
      wrong: fc.constantFrom(
        'SC',
        { level: 'TOP', expiresAt: '2029-12-31T00:00:00Z' },
        { level: 'SC', expiresAt: 'soon' },
        { level: 'SC', expiresAt: '2029-12-31T00:00:00Z', __proto__: { admin: true } },
        { level: 'SC', expiresAt: '2029-12-31T00:00:00Z', constructor: { prototype: { admin: true } } },
      ),
    },
    { name: 'grade', valid: fc.constant('director'), required: false, max: 60 },
    { name: 'organisation', valid: fc.constant('NHSE'), required: false, max: 120 },
    {
      name: 'slackUserId',
      valid: fc.constant('U0NEW'),
      required: false,
      max: 40,
      // null removes the Slack mapping: a valid value, not a wrong type.
      wrong: notString.filter((value) => value !== null),
    },
  ];
  const datasetFields: BodyField[] = [
    {
      name: 'owners',
      // A principal id, or a group of the seed (local/seed.json) by its display name: group:<name>.
      valid: fc.constantFrom(
        ['dir-ben'],
        [],
        ['group:Cancer Registry IAOs'],
        ['group:cancer registry iaos', 'dir-ben'],
      ),
      required: false,
      // Not a list of strings, or owner references that name no principal or provisioned group (400 owners[i]).
      wrong: fc.oneof(
        notString,
        fc.constantFrom(
          ['group:Nobody Here'],
          ['group:'],
          ['dir-ben', 'group:Cancer Registry IAOs\u0000'],
          ['group:../Cancer Registry IAOs'],
          ['GROUP:Cancer Registry IAOs'],
        ),
      ),
    },
    {
      name: 'maxConcurrentHolders',
      valid: fc.constantFrom(null, 3),
      required: false,
      wrong: fc.constantFrom(0, -1, 2.5, 10_001, true, {}, [3]),
    },
  ];
  const reviewFields: BodyField[] = [
    { name: 'decision', valid: fc.constantFrom('keep', 'revoke'), required: true },
    { name: 'comment', valid: fc.constant('No longer needed'), required: false, max: 4000 },
  ];
  const proposalFields: BodyField[] = [
    {
      name: 'changes',
      valid: fc.constantFrom({ externalAdminCap: 3 }, { maxDuration: { admin: 'P3D' } }),
      required: true,
      wrong: fc.constantFrom('externalAdminCap=3', 3, [{ externalAdminCap: 3 }], null, true),
    },
    { name: 'reason', valid: fc.constant('Fewer external admins'), required: true, max: 4000 },
  ];
  const breakGlassReviewFields: BodyField[] = [
    { name: 'verdict', valid: fc.constantFrom('justified', 'not-justified'), required: true },
    { name: 'comment', valid: fc.constant('The feed was down'), required: true, max: 4000 },
  ];
  const validJson = (entries: Entries) => ({
    body: jsonObjectText(entries),
    headers: { 'content-type': 'application/json' },
    defect: 'valid body',
  });

  if (key.includes(' /scim/v2/')) return scimDrafts(key, f);
  switch (key) {
    case 'POST /requests':
      return at(
        'POST',
        '/requests',
        fc.oneof({ arbitrary: jsonBodyDrafts(submitFields), weight: 9 }, undeclaredQuery),
      );
    case 'GET /requests':
      return at(
        'GET',
        '/requests',
        fc.oneof(
          invalidQuery(schemas.listRequestsQuery, ['status'], {
            status: fc.constantFrom('ACTIVE', 'active', 'ACTIVE '),
          }),
          undeclaredBody,
        ),
      );
    case 'GET /requests/{id}':
      return withId(
        'GET',
        (id) => `/requests/${id}`,
        requestIds,
        undeclared,
        fc.constant({ defect: 'none' }),
      );
    case 'POST /requests/{id}/decisions':
      return withId(
        'POST',
        (id) => `/requests/${id}/decisions`,
        requestIds,
        fc.oneof({ arbitrary: jsonBodyDrafts(decisionFields), weight: 9 }, undeclaredQuery),
        fc
          .constantFrom<Entries>(
            [['decision', 'approve']],
            [
              ['decision', 'deny'],
              ['comment', 'no'],
            ],
          )
          .map(validJson),
      );
    case 'POST /requests/{id}/cancel':
      return withId(
        'POST',
        (id) => `/requests/${id}/cancel`,
        requestIds,
        undeclared,
        fc.constant({ defect: 'none' }),
      );
    case 'POST /requests/{id}/revoke':
      return withId(
        'POST',
        (id) => `/requests/${id}/revoke`,
        requestIds,
        fc.oneof({ arbitrary: jsonBodyDrafts(revokeFields), weight: 9 }, undeclaredQuery),
        fc.constant(validJson([['reason', 'No longer needed']])),
      );
    case 'POST /requests/{id}/extend':
      return withId(
        'POST',
        (id) => `/requests/${id}/extend`,
        requestIds,
        fc.oneof({ arbitrary: jsonBodyDrafts(extendFields), weight: 9 }, undeclaredQuery),
        fc.constant(
          validJson([
            ['duration', 'PT1H'],
            ['justification', JUSTIFICATION],
          ]),
        ),
      );
    case 'PATCH /principals/{id}':
      return withId(
        'PATCH',
        (id) => `/principals/${id}`,
        principalIds,
        fc.oneof({ arbitrary: jsonBodyDrafts(patchFields), weight: 9 }, undeclaredQuery),
        fc.constantFrom<Entries>([['active', false]], [['grade', 'director']]).map(validJson),
      );
    case 'PATCH /datasets/{id}':
      return withId(
        'PATCH',
        (id) => `/datasets/${id}`,
        ['hes-apc', 'gp-records'],
        fc.oneof({ arbitrary: jsonBodyDrafts(datasetFields), weight: 9 }, undeclaredQuery),
        fc
          .constantFrom<Entries>(
            [['maxConcurrentHolders', 3]],
            [['owners', ['dir-ben']]],
            [['owners', ['group:Cancer Registry IAOs']]],
          )
          .map(validJson),
      );
    case 'GET /access':
      return at(
        'GET',
        '/access',
        fc.oneof(
          invalidQuery(schemas.accessQuery, ['at', 'principal', 'scope'], {
            at: fc.constantFrom('2026-13-01T00:00:00Z', '2026-01-01', 'yesterday', '2026-01-01T00:00:00'),
            principal: fc.constantFrom('', 'x'.repeat(101)),
            scope: fc.constantFrom('dataset:', 'dataset:a b', 'admin ', 'ADMIN', 'dataset:../x'),
          }),
          undeclaredBody,
        ),
      );
    case 'GET /access.csv':
      return at(
        'GET',
        '/access.csv',
        fc.oneof(
          invalidQuery(schemas.accessCsvQuery, ['at', 'bom'], {
            at: fc.constant('2026-02-30T25:00:00Z'),
            bom: fc.constantFrom('true', 'false', 'yes', 'TRUE', '1'),
          }),
          undeclaredBody,
        ),
      );
    case 'GET /audit.csv':
      return at(
        'GET',
        '/audit.csv',
        fc.oneof(
          invalidQuery(schemas.auditCsvQuery, ['from', 'to', 'bom'], {
            from: fc.constant('1 Jan 2026'),
            to: fc.constant('now'),
            bom: fc.constantFrom('true', 'false', 'yes', 'TRUE', '1'),
          }),
          undeclaredBody,
          fc.constant({ defect: 'no from' }),
          fc.constant({
            query: 'from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z',
            defect: 'from after to',
          }),
          fc.constant({
            query: 'from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z',
            defect: 'over 366 days',
          }),
        ),
      );
    case 'GET /audit':
      return at(
        'GET',
        '/audit',
        fc.oneof(
          invalidQuery(schemas.auditQuery, ['requestId'], { requestId: fc.constant('') }),
          // Well-formed but naming nothing (or refused by role): 403 or 404.
          hostileSegment(requestIds).map((id) => ({ query: `requestId=${id}`, defect: 'unknown requestId' })),
          undeclaredBody,
        ),
      );
    case 'GET /transparency':
      return at(
        'GET',
        '/transparency',
        fc.oneof(
          invalidQuery(schemas.transparencyQuery, ['format'], {
            format: fc.constantFrom('JSON', 'xml', 'html,json'),
          }),
          undeclaredBody,
        ),
      );
    case 'GET /requests/{id}/timeline':
      return withId(
        'GET',
        (id) => `/requests/${id}/timeline`,
        requestIds,
        undeclared,
        fc.constant({ defect: 'none' }),
      );
    case 'POST /requests/{id}/reviews':
      return withId(
        'POST',
        (id) => `/requests/${id}/reviews`,
        requestIds,
        fc.oneof({ arbitrary: jsonBodyDrafts(reviewFields), weight: 9 }, undeclaredQuery),
        fc
          .constantFrom<Entries>(
            [['decision', 'keep']],
            [
              ['decision', 'revoke'],
              ['comment', 'no longer needed'],
            ],
          )
          .map(validJson),
      );
    case 'POST /requests/{id}/break-glass-reviews':
      return withId(
        'POST',
        (id) => `/requests/${id}/break-glass-reviews`,
        requestIds,
        fc.oneof({ arbitrary: jsonBodyDrafts(breakGlassReviewFields), weight: 9 }, undeclaredQuery),
        fc
          .constant<Entries>([
            ['verdict', 'justified'],
            ['comment', 'The feed was down'],
          ])
          .map(validJson),
      );
    case 'POST /principals/{id}/preview':
      return withId(
        'POST',
        (id) => `/principals/${id}/preview`,
        principalIds,
        fc.oneof({ arbitrary: jsonBodyDrafts(patchFields), weight: 9 }, undeclaredQuery),
        fc.constantFrom<Entries>([['active', false]], [['grade', 'director']]).map(validJson),
      );
    case 'GET /access/timeline':
      return at(
        'GET',
        '/access/timeline',
        fc.oneof(
          invalidQuery(schemas.accessTimelineQuery, ['from', 'to'], {
            from: fc.constantFrom('2026-13-01T00:00:00Z', '2026-01-01', 'yesterday'),
            to: fc.constantFrom('now', '2026-02-30T25:00:00Z'),
          }),
          undeclaredBody,
          fc.constant({
            query: 'from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z',
            defect: 'from after to',
          }),
          fc.constant({
            query: 'from=2026-01-01T00:00:00Z&to=2026-06-01T00:00:00Z',
            defect: 'over 90 days',
          }),
        ),
      );
    case 'GET /policy':
      return at(
        'GET',
        '/policy',
        fc.oneof(
          invalidQuery(schemas.policyQuery, ['at'], {
            at: fc.constantFrom('yesterday', '2026-13-01T00:00:00Z', '2026-01-01'),
          }),
          undeclaredBody,
        ),
      );
    case 'POST /policy/proposals':
      return at(
        'POST',
        '/policy/proposals',
        fc.oneof(
          { arbitrary: jsonBodyDrafts(proposalFields), weight: 9 },
          undeclaredQuery,
          fc
            .constantFrom<Entries>(
              [['changes', { externalAdminCap: -1 }]],
              [['changes', { externalAdminKap: 3 }]],
              [['changes', { review: { grace: 'soon' } }]],
              [['changes', {}]],
            )
            .map((entries) => ({
              ...validJson([...entries, ['reason', 'Fewer external admins']]),
              defect: `invalid policy ${JSON.stringify(entries[0]?.[1])}`,
            })),
          fc.constant({
            body: '{"changes":{"__proto__":{"externalAdminCap":3}},"reason":"Fewer external admins"}',
            headers: { 'content-type': 'application/json' },
            defect: 'a __proto__ rule',
          }),
        ),
      );
    case 'POST /policy/proposals/{id}/decisions':
      return withId(
        'POST',
        (id) => `/policy/proposals/${id}/decisions`,
        [f.proposalId],
        fc.oneof({ arbitrary: jsonBodyDrafts(decisionFields), weight: 9 }, undeclaredQuery),
        fc.constantFrom<Entries>([['decision', 'approve']], [['decision', 'deny']]).map(validJson),
      );
    case 'GET /policy/versions':
    case 'GET /policy/proposals':
    case 'GET /me':
    case 'GET /inbox':
    case 'GET /audit/verify':
    case 'GET /datasets':
    case 'GET /principals':
    case 'GET /health':
    case 'GET /openapi.json':
    case 'GET /auth/config':
      return at('GET', key.slice(4), undeclared);
    case 'GET /approve/{token}':
    case 'GET /review/{token}': {
      const base = key.includes('approve') ? '/approve' : '/review';
      return linkDrafts('GET', base, f, undeclared);
    }
    case 'POST /approve/{token}':
      return linkDrafts(
        'POST',
        '/approve',
        f,
        fc.oneof({ arbitrary: formDefects(['approve', 'deny']), weight: 9 }, undeclaredQuery),
      );
    case 'POST /review/{token}':
      return linkDrafts(
        'POST',
        '/review',
        f,
        fc.oneof({ arbitrary: formDefects(['keep', 'revoke']), weight: 9 }, undeclaredQuery),
      );
    case 'POST /slack/interactions':
      return slackDrafts(f);
    default:
      throw new Error(`no hostile input for ${key}: add the route here`);
  }
}

/** Link pages: hostile or well-shaped unknown tokens with any input; the live token only with a defect. */
function linkDrafts(
  method: string,
  base: string,
  f: Fixtures,
  defects: fc.Arbitrary<Omit<Draft, 'method' | 'path'>>,
): DraftArbitrary {
  const wellShaped = fc.string({
    unit: fc.constantFrom(...'ABCDEFabcdef0123456789-_'),
    minLength: 43,
    maxLength: 43,
  });
  const token = fc.oneof(
    { arbitrary: hostileSegment([f.approvalToken]), weight: 4 },
    { arbitrary: wellShaped, weight: 1 },
  );
  const validForm = fc
    .constantFrom(
      'decision=approve',
      'decision=deny&comment=no',
      'decision=keep',
      'decision=revoke&comment=x',
    )
    .map((body) => ({
      body,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      defect: 'valid form',
    }));
  type Input = Omit<Draft, 'method' | 'path'>;
  const anyInput: fc.Arbitrary<Input> =
    method === 'GET' ? fc.oneof(defects, fc.constant({ defect: 'none' })) : fc.oneof(defects, validForm);
  // The live approval token is an unknown token on the review page, so any input is fair there.
  const live = base === '/approve' ? defects : anyInput;
  return fc
    .oneof(
      {
        arbitrary: fc
          .tuple(token, anyInput)
          .map(([t, input]) => ({ token: t, input, decoded: decodeLoose(t) })),
        weight: 3,
      },
      {
        arbitrary: live.map((input) => ({ token: f.approvalToken, input, decoded: f.approvalToken })),
        weight: 1,
      },
    )
    .map(({ token: t, input, decoded }) => ({
      method,
      path: `${base}/${t}`,
      ...input,
      defect: `token ${decoded.slice(0, 40)}; ${input.defect}`,
      probes: reflectionProbes([decoded, ...formValues(input.body), ...formValues(input.query)]),
    }));
}

function decodeLoose(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function formValues(text: string | undefined): string[] {
  if (!text) return [];
  return [...new URLSearchParams(text)].flat();
}

/** Slack's endpoint: never a valid fresh signature, so every answer is 401 (or 413, 400 for a query). */
function slackDrafts(f: Fixtures): DraftArbitrary {
  const now = () => Math.floor(Date.now() / 1000);
  const payload = fc.oneof(
    hostileValue,
    fc
      .tuple(fc.constantFrom('block_actions', 'view_submission', 'shortcut', '__proto__'), hostileValue)
      .map(([type, value]) =>
        JSON.stringify({
          type,
          user: { id: 'U0DIRADA' },
          trigger_id: 'x',
          container: { channel_id: 'D1', message_ts: '1.2' },
          actions: [{ action_id: 'approve', value: f.pendingId }],
          view: { callback_id: 'deny', private_metadata: value, state: { values: {} } },
        }),
      ),
  );
  const body = fc.oneof(
    payload.map((json) => new URLSearchParams({ payload: json }).toString()),
    hostileValue,
    fc.constant(''),
  );
  const signing = fc.oneof(
    fc.constant({ headers: {}, defect: 'unsigned' }),
    fc.tuple(hostileValue, hostileValue).map(([timestamp, signature]) => ({
      headers: {
        'x-slack-request-timestamp': asciiHeader(timestamp),
        'x-slack-signature': asciiHeader(signature),
      },
      defect: 'garbage signature headers',
    })),
    fc.constantFrom(-301, -3600, 301, 86_400).map((skew) => ({
      skew,
      defect: `validly signed, timestamp ${skew} s away`,
    })),
    fc.constant({ secret: 'not-the-signing-secret', defect: 'signed with another secret' }),
    fc.constant({ tamper: true, defect: 'body changed after signing' }),
    fc.constant({ version: 'v1', defect: 'wrong version prefix' }),
    fc.constant({ onlyTimestamp: true, defect: 'timestamp without signature' }),
  );
  return fc
    .tuple(
      body,
      signing,
      fc.constantFrom('application/x-www-form-urlencoded', 'application/json', 'text/plain'),
    )
    .map(([text, sign, contentType]) => {
      const headers: Record<string, string> = { 'content-type': contentType };
      let sent = text;
      if ('headers' in sign) Object.assign(headers, sign.headers);
      else {
        const timestamp = String(now() + ('skew' in sign ? sign.skew : 0));
        const secret = 'secret' in sign ? sign.secret : f.signingSecret;
        let signature = slackSignature(secret, timestamp, text);
        if ('tamper' in sign) sent = `${text}&x=1`;
        if ('version' in sign) signature = signature.replace(/^v0=/, `${sign.version}=`);
        headers['x-slack-request-timestamp'] = timestamp;
        if (!('onlyTimestamp' in sign)) headers['x-slack-signature'] = signature;
      }
      return { method: 'POST', path: '/slack/interactions', headers, body: sent, defect: sign.defect };
    });
}

/** Node refuses control and non-Latin-1 characters in header values; keep the hostile text as escapes. */
function asciiHeader(value: string): string {
  return encodeURIComponent(value.replace(/[\uD800-\uDFFF]/g, '?')) || '%';
}

/** A caller for a JWT route: mostly a valid token of some role, sometimes a broken one the authorizer refuses. */
function withCaller(route: (typeof ROUTES)[number], drafts: DraftArbitrary, f: Fixtures): fc.Arbitrary<Case> {
  const page = route.path.startsWith('/approve/') || route.path.startsWith('/review/');
  // SCIM takes no JWT: its drafts carry the SCIM bearer secret (or a wrong credential) themselves.
  if (route.path.startsWith('/scim/v2/')) return drafts.map((draft) => ({ ...draft, expect: 'scim' }));
  if (route.auth === 'none') {
    return drafts.map((draft) => ({
      ...draft,
      expect: page
        ? 'page'
        : route.path === '/slack/interactions' && draft.query === undefined && draft.status === undefined
          ? 'slack-401'
          : 'api',
    }));
  }
  const anyToken = [...f.tokens.values()];
  const valid = fc
    .constantFrom(...ROLES)
    .map((role) => ({ authorization: `Bearer ${f.tokens.get(role)}`, broken: false }));
  const broken = fc
    .oneof(
      fc.constant(''),
      fc.constantFrom(...anyToken).map((token) => `Bearer ${token.slice(0, -4)}AAAA`),
      fc.constantFrom(...anyToken).map((token) => `Basic ${token}`),
      fc.constantFrom(...anyToken).map((token) => `Bearer ${token.split('.').slice(0, 2).join('.')}.`),
      hostileValue.map((text) => `Bearer ${asciiHeader(text)}`),
      fc.constant('Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG0tZXZlIn0.'),
    )
    .map((authorization) => ({ authorization, broken: true }));
  return fc
    .tuple(drafts, fc.oneof({ arbitrary: valid, weight: 17 }, { arbitrary: broken, weight: 3 }))
    .map(([draft, caller]) => ({
      ...draft,
      ...(caller.authorization ? { authorization: caller.authorization } : {}),
      expect: caller.broken ? 'gateway-401' : 'api',
    }));
}

function toRequest(c: Case): RawRequest {
  const headers: Record<string, string> = { ...c.headers };
  if (c.authorization) headers.authorization = c.authorization;
  return {
    method: c.method,
    path: c.query === undefined ? c.path : `${c.path}?${c.query}`,
    headers,
    body: c.body,
  };
}

function problemWith(c: Case, answer: RawAnswer): string | undefined {
  if (c.expect === 'gateway-401') return gatewayErrorProblem(answer, 401);
  if (c.emptyList) return scimEmptyListProblem(answer);
  if (!is4xx(answer.status)) return `status ${answer.status}: ${answer.text.slice(0, 300)}`;
  if (c.status !== undefined && answer.status !== c.status)
    return `status ${answer.status}, expected ${c.status}`;
  if (c.expect === 'slack-401' && answer.status !== 401) return `status ${answer.status}, expected 401`;
  if (c.expect === 'scim') return scimErrorProblem(answer);
  return c.expect === 'page' ? htmlErrorProblem(answer, c.probes ?? []) : apiErrorProblem(answer);
}

function describeCase(c: Case): string {
  const body =
    c.body === undefined
      ? ''
      : ` body ${JSON.stringify(c.body.slice(0, 200))}${c.body.length > 200 ? `… (${c.body.length} chars)` : ''}`;
  return `${c.method} ${c.path.slice(0, 200)}${c.query ? `?${c.query.slice(0, 200)}` : ''} [${c.defect}] ${JSON.stringify(c.headers ?? {})}${body}`;
}

// ---------------------------------------------------------------------------------------------------------

describe('hostile input through the local gateway', () => {
  let stack: TestStack;
  let client: RawClient;
  let fixtures: Fixtures;
  let before: TableSnapshot;
  const sent = new Map<string, { requests: number; ms: number; statuses: Map<number, number> }>();

  beforeAll(async () => {
    stack = await startTestStack({ sweepIntervalMs: 0 });
    client = rawClient(stack.url, CONCURRENCY);
    const submit = async (as: string) => {
      const created = await stack.call('POST', '/requests', {
        as,
        body: { scopes: ['dataset:hes-apc'], justification: JUSTIFICATION, duration: 'PT1H' },
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      await waitFor(() => stack.approvalLinks('dir-ada', created.body.id)[0], 'approval email');
      return created.body.id as string;
    };
    const pendingId = await submit('ext-kim');
    const activeId = await submit('ext-lee');
    await stack.call('POST', `/requests/${activeId}/decisions`, {
      as: 'dir-ada',
      body: { decision: 'approve' },
    });
    await stack.waitForStatus(activeId, 'ACTIVE');
    const proposal = await stack.call('POST', '/policy/proposals', {
      as: 'adm-eve',
      body: { changes: { externalAdminCap: 4 }, reason: 'Hostile input: an open proposal to aim at' },
    });
    expect(proposal.status, JSON.stringify(proposal.body)).toBe(201);
    const link = stack.approvalLinks('dir-ada', pendingId)[0] ?? '';
    const tokens = new Map<string, string>();
    for (const role of ROLES) tokens.set(role, await stack.tokenFor(role));
    fixtures = {
      pendingId,
      activeId,
      proposalId: proposal.body.id as string,
      approvalToken: link.slice(link.lastIndexOf('/') + 1),
      signingSecret: stack.channels.signingSecret,
      tokens,
      scimToken: stack.scim.token,
    };
    before = await quietSnapshot(stack);
  }, 120_000);

  afterAll(async () => {
    client?.close();
    await stack?.stop();
  });

  const routes = ROUTES.filter((route) => !route.path.startsWith('/dev/'));

  it.each(routes.map((route) => [`${route.method} ${route.path}`, route] as const))(
    '%s: every generated malformed request gets a 4xx in the right shape',
    async (key, route) => {
      // Prepare
      const cases = withCaller(route, routeDrafts(key, fixtures), fixtures);
      const tally = { requests: 0, ms: 0, statuses: new Map<number, number>() };
      sent.set(key, tally);
      const started = performance.now();

      // Act + Assess: each run sends a batch at once; a failing batch names every case that went wrong
      await fc.assert(
        fc.asyncProperty(fc.array(cases, { minLength: BATCH, maxLength: BATCH }), async (batch) => {
          const answers = await runBounded(batch, CONCURRENCY, (c) => client.send(toRequest(c)));
          tally.requests += batch.length;
          const problems: string[] = [];
          batch.forEach((c, index) => {
            const answer = answers[index] as RawAnswer;
            tally.statuses.set(answer.status, (tally.statuses.get(answer.status) ?? 0) + 1);
            const problem = problemWith(c, answer);
            if (problem) problems.push(`${problem}\n    for ${describeCase(c)}`);
          });
          if (problems.length > 0)
            throw new Error(`${problems.length} of ${batch.length}:\n  ${problems.join('\n  ')}`);
        }),
        { numRuns: RUNS_PER_ROUTE, seed: SEED, endOnFailure: true },
      );
      tally.ms = performance.now() - started;
      expect(tally.requests).toBeGreaterThanOrEqual(BATCH * RUNS_PER_ROUTE);
    },
    120_000,
  );

  it('sent at least 10,000 of them across every route, and both tables are exactly as they were', async () => {
    // Prepare
    const total = [...sent.values()].reduce((sum, tally) => sum + tally.requests, 0);
    const lines = [...sent].map(
      ([key, tally]) =>
        `  ${key.padEnd(32)} ${String(tally.requests).padStart(5)} requests ${String(Math.round(tally.ms)).padStart(6)} ms  ${[
          ...tally.statuses,
        ]
          .sort(([a], [b]) => a - b)
          .map(([status, count]) => `${status}x${count}`)
          .join(' ')}`,
    );
    console.log(
      `hostile input (seed ${SEED}): ${total} requests over ${sent.size} routes\n${lines.join('\n')}`,
    );

    // Act
    const after = await snapshotTables(stack);

    // Assess
    expect(Object.keys(OPERATIONS).sort()).toEqual([...sent.keys()].sort());
    expect(total).toBeGreaterThanOrEqual(10_000);
    expect(tableChanges(before, after)).toEqual({});
  });
});
