// The policy: every configurable rule, its defaults, and how a partial override merges over them.

import { isDuration, parseDuration } from './duration.ts';
import { CLEARANCE_LEVELS } from './model.ts';
import * as z from './zod.ts';

const duration = z
  .string()
  .check(z.refine(isDuration, { message: 'must be an ISO-8601 duration such as PT8H or P7D' }));
const clearance = z.enum(CLEARANCE_LEVELS);

/** How grants of a scope become real access (see lambdas/core/access-provider.ts). Secrets never live here. */
const providerConfig = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ledger') }),
  z.strictObject({
    type: z.literal('webhook'),
    /** The platform's admin API: grants and revokes are POSTed here, signed (docs/webhook-provider.md). */
    url: z.url({ protocol: /^https?$/ }),
    /** GET endpoint listing the access present on the platform; defaults to `url`. */
    listUrl: z.optional(z.url({ protocol: /^https?$/ })),
    timeout: z._default(duration, 'PT5S'),
    maxAttempts: z._default(z.number().check(z.int(), z.gte(1), z.lte(10)), 3),
  }),
  z.strictObject({
    type: z.literal('aws-identity-center'),
    instanceArn: z.string().check(z.startsWith('arn:')),
    identityStoreId: z.string().check(z.minLength(1)),
    /** The AWS account the permission sets are assigned in. */
    accountId: z.string().check(z.regex(/^\d{12}$/, 'must be a 12-digit AWS account id')),
    /** Permission set ARN per scope (`admin`, `dataset:<id>`). */
    permissionSets: z.record(z.string().check(z.minLength(1)), z.string().check(z.startsWith('arn:'))),
  }),
]);
export type ProviderConfig = z.infer<typeof providerConfig>;

export const policySchema = z
  .strictObject({
    homeOrganisation: z.string().check(z.minLength(1)),
    externalAdminCap: z.number().check(z.int(), z.gte(0)),
    organisationAdminCaps: z.record(z.string().check(z.minLength(1)), z.number().check(z.int(), z.gte(0))),
    approvalTimeout: duration,
    minDuration: duration,
    maxDuration: z.strictObject({ admin: duration, dataset: duration }),
    approvalsRequired: z.strictObject({
      externalAdmin: z.number().check(z.int(), z.gte(1), z.lte(10)),
      default: z.number().check(z.int(), z.gte(1), z.lte(10)),
    }),
    /** Who approves dataset requests: directors (as before), the datasets' owners, or both. */
    approvals: z.strictObject({ dataset: z.enum(['director', 'owner', 'owner-and-director']) }),
    approverGrades: z.array(z.string().check(z.minLength(1))).check(z.minLength(1)),
    minClearance: z.strictObject({
      admin: clearance,
      /** Applies to datasets whose sensitivity is `identifiable`. */
      dataset: clearance,
      /** Pseudonymised or aggregate datasets; `null` requires no clearance. */
      nonIdentifiableDataset: z.nullable(clearance),
    }),
    justificationMinLength: z.number().check(z.int(), z.gte(0)),
    requireTicket: z.boolean(),
    review: z.strictObject({ admin: duration, dataset: duration, grace: duration }),
    /** A grant with all its extensions lasts at most this long from grantedAt. */
    maxTotalDuration: z.strictObject({ admin: duration, dataset: duration }),
    /** At most this many scopes in one request (each becomes its own grant). */
    maxScopesPerRequest: z.number().check(z.int(), z.gte(1), z.lte(25)),
    /** How long before a grant expires its holder is reminded (sent by the scheduled sweep). */
    expiryReminderLead: duration,
    /** Named access providers; `ledger` (the grant record is the access) always exists. */
    providers: z.record(z.string().check(z.regex(/^[a-z][a-z0-9-]*$/)), providerConfig),
    /** Provider per scope: `admin`, `dataset:<id>`, or `dataset:*`; scopes not listed use `ledger`. */
    scopeProviders: z.record(z.string().check(z.minLength(1)), z.string().check(z.minLength(1))),
    /** Access found on a platform without a Keyholder grant is removed by the sweep (always reported). */
    removeOutOfBand: z.boolean(),
    /**
     * One access-admin's change that makes someone an approver takes effect only after this long, the directors
     * told at once; until then the new approver decides nothing (so not the request of whoever promoted them).
     */
    approverPromotionDelay: duration,
    /** Emergency access without approval (lambdas/core/break-glass.ts); `null`: off. */
    breakGlass: z.nullable(
      z.strictObject({
        /** Principal ids, `role:<role>`, `grade:<grade>` or `organisation:<name>`. */
        eligible: z.array(z.string().check(z.minLength(1))).check(z.minLength(1)),
        /** `admin`, `dataset:<id>` or `dataset:*`. */
        scopes: z
          .array(z.string().check(z.regex(/^(admin|dataset:.+)$/, 'must be admin or dataset:<id|*>')))
          .check(z.minLength(1)),
        maxDuration: duration,
        reviewWithin: duration,
        reviewersRequired: z.number().check(z.int(), z.gte(1), z.lte(10)),
      }),
    ),
  })
  .check(
    z.superRefine((policy, ctx) => {
      for (const [scope, name] of Object.entries(policy.scopeProviders)) {
        if (!(name in policy.providers)) {
          ctx.addIssue({
            code: 'custom',
            path: ['scopeProviders', scope],
            message: `names unknown provider "${name}"`,
          });
        }
      }
      // Only compare durations that are valid; invalid ones were already reported by their own key.
      if (![policy.minDuration, policy.maxDuration.admin, policy.maxDuration.dataset].every(isDuration))
        return;
      if (parseDuration(policy.minDuration) > parseDuration(policy.maxDuration.admin)) {
        ctx.addIssue({ code: 'custom', path: ['minDuration'], message: 'is longer than maxDuration.admin' });
      }
      if (parseDuration(policy.minDuration) > parseDuration(policy.maxDuration.dataset)) {
        ctx.addIssue({
          code: 'custom',
          path: ['minDuration'],
          message: 'is longer than maxDuration.dataset',
        });
      }
    }),
  );

export type Policy = z.infer<typeof policySchema>;

export const DEFAULT_POLICY: Policy = Object.freeze({
  homeOrganisation: 'NHSE',
  externalAdminCap: 5,
  organisationAdminCaps: {},
  approvalTimeout: 'PT72H',
  minDuration: 'PT15M',
  maxDuration: { admin: 'P7D', dataset: 'P90D' },
  approvalsRequired: { externalAdmin: 2, default: 1 },
  approvals: { dataset: 'director' },
  approverGrades: ['director', 'executive-director'],
  minClearance: { admin: 'SC', dataset: 'SC', nonIdentifiableDataset: null },
  justificationMinLength: 20,
  requireTicket: false,
  review: { admin: 'P7D', dataset: 'P30D', grace: 'P2D' },
  maxTotalDuration: { admin: 'P28D', dataset: 'P180D' },
  maxScopesPerRequest: 20,
  expiryReminderLead: 'PT1H',
  providers: { ledger: { type: 'ledger' } },
  scopeProviders: {},
  removeOutOfBand: false,
  approverPromotionDelay: 'PT24H',
  breakGlass: null,
}) as Policy;

export class PolicyError extends Error {
  /** Dotted path of the first rule at fault (`externalAdminCap`, `review.grace`); absent when the whole is. */
  readonly path: string | undefined;
  constructor(message: string, path?: string) {
    super(message);
    this.name = 'PolicyError';
    this.path = path;
  }
}

/** A JSON object (not an array, not null): what the policy's maps and shapes are. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const MAP_KEYS = new Set(['organisationAdminCaps', 'scopeProviders']);

/** Deep-merges plain objects; arrays and scalars in the override replace the default. */
function mergeOver(base: unknown, override: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(override)) return override === undefined ? base : override;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    // Maps, not shapes: the override replaces them whole (providers keep the built-in ledger).
    const next =
      key === 'providers'
        ? { ledger: { type: 'ledger' }, ...(isPlainObject(value) ? value : {}) }
        : MAP_KEYS.has(key)
          ? value
          : mergeOver(base[key], value);
    // An own property even for `__proto__`: a key like any other, so the strict schema refuses it by name.
    Object.defineProperty(merged, key, { value: next, enumerable: true, writable: true, configurable: true });
  }
  return merged;
}

/**
 * Builds the effective policy from a partial override. Unknown keys and invalid values are errors that
 * name the key, so a typo in a policy file fails at start-up instead of silently using a default.
 */
export function resolvePolicy(override: unknown = {}, source = 'policy'): Policy {
  return resolvePolicyOver(DEFAULT_POLICY, override, source);
}

/** The same merge and validation over another base: a proposed change over the policy in force. */
export function resolvePolicyOver(base: Policy, override: unknown, source = 'policy'): Policy {
  if (!isPlainObject(override)) throw new PolicyError(`${source} must be a JSON object`);
  const result = policySchema.safeParse(mergeOver(base, override));
  if (!result.success) {
    const messages = result.error.issues.map((issue) => {
      if (issue.code === 'unrecognized_keys') {
        const prefix = issue.path.length ? `${issue.path.join('.')}.` : '';
        return issue.keys.map((key) => `unknown key "${prefix}${key}"`).join('; ');
      }
      return `"${issue.path.join('.')}" ${issue.message}`;
    });
    const [first] = result.error.issues;
    const firstPath = first && [
      ...first.path,
      ...(first.code === 'unrecognized_keys' ? first.keys.slice(0, 1) : []),
    ];
    throw new PolicyError(`Invalid ${source}: ${messages.join('; ')}`, firstPath?.join('.') || undefined);
  }
  return result.data;
}
