// The HTTP contract's answers as zod schemas: what each route responds, for the OpenAPI document (lambdas/http/
// openapi.ts) and the contract tests. No handler imports this module: a route's bundle carries only the schema of
// the input it validates (its module beside this one), never every answer's shape.

import { AUDIT_ACTIONS } from '../../core/audit.ts';
import {
  BREAK_GLASS_OUTCOMES,
  CLEARANCE_LEVELS,
  EXTENSION_STATUSES,
  REQUEST_STATUSES,
  ROLES,
  SENSITIVITIES,
} from '../../core/model.ts';
import { PRINCIPAL_CLAIMS } from '../../core/principal-claim.ts';
import * as z from '../../core/zod.ts';

/** The answer to a submitted dialog that must stay open (the reason was empty). */
export const slackInteractionAnswer = z.object({
  response_action: z.optional(z.literal('errors')),
  errors: z.optional(z.record(z.string(), z.string())),
});

const breakGlassSuspension = z
  .object({ at: z.string(), requestId: z.string(), reason: z.enum(['NOT_JUSTIFIED', 'UNREVIEWED']) })
  .check(z.describe('Lost break-glass eligibility: PATCH with breakGlassSuspended null restores it'));

export const principalUpdateView = z.object({
  principal: z.object({
    id: z.string(),
    name: z.string(),
    email: z.string(),
    organisation: z.string(),
    grade: z.string(),
    clearance: z.optional(z.object({ level: z.enum(CLEARANCE_LEVELS), expiresAt: z.string() })),
    slackUserId: z.optional(z.string()),
    roles: z.array(z.enum(ROLES)),
    active: z.boolean(),
    approverFrom: z
      .optional(z.object({ at: z.string(), madeBy: z.string() }))
      .check(
        z.describe(
          'Made an approver by one access-admin: decides nothing before `at`; the directors were told',
        ),
      ),
    breakGlassSuspended: z.optional(breakGlassSuspension),
  }),
  changed: z.array(z.string()),
  revoked: z.array(z.object({ requestId: z.string(), reason: z.string() })),
  cancelled: z
    .array(z.object({ requestId: z.string(), reason: z.string() }))
    .check(
      z.describe(
        'Pending requests of a deactivated requester, cancelled at once (reason PRINCIPAL_INACTIVE)',
      ),
    ),
});

/** API Gateway's own answers (the JWT authorizer's 401, an unknown route's 404): not Keyholder's error shape. */
export const gatewayMessage = z
  .object({ message: z.string() })
  .check(z.meta({ examples: [{ message: 'Unauthorized' }] }));

/** SCIM's error shape (RFC 7644 §3.12), as application/scim+json. */
export const scimErrorResponse = z.object({
  schemas: z.array(z.literal('urn:ietf:params:scim:api:messages:2.0:Error')),
  status: z.string().check(z.describe('The HTTP status, as a string')),
  scimType: z.optional(z.string()),
  detail: z.string(),
});

export const errorResponse = z.object({
  error: z.object({ code: z.string(), message: z.string(), field: z.optional(z.string()) }),
});

const decisionView = z.object({
  approverId: z.string(),
  decision: z.enum(['approve', 'deny']),
  comment: z.optional(z.string()),
  at: z.string(),
  channel: z.string(),
});

export const requestView = z.object({
  id: z.string(),
  status: z.enum(REQUEST_STATUSES),
  requester: z.string(),
  requesterOrganisation: z.string(),
  external: z.boolean(),
  scopes: z.array(z.string()),
  duration: z.string(),
  justification: z.string(),
  ticket: z.optional(z.string()),
  createdAt: z.string(),
  approvalsRequired: z.number().check(z.int()),
  approvals: z.array(decisionView),
  approvalDeadline: z.string(),
  reason: z.optional(z.string()),
  closedBy: z.optional(z.string()),
  closedAt: z.optional(z.string()),
  grant: z.optional(
    z.object({
      grantedAt: z.string(),
      expiresAt: z.string(),
      approvedBy: z.array(z.string()),
      nextReviewAt: z.string(),
    }),
  ),
  review: z
    .optional(
      z.object({
        dueAt: z.string(),
        promptedAt: z.string(),
        deadline: z.string(),
        reviewers: z.array(z.string()),
      }),
    )
    .check(z.describe('An open recertification round')),
  reviews: z.optional(
    z.array(
      z.object({
        reviewerId: z.string(),
        decision: z.enum(['keep', 'revoke']),
        comment: z.optional(z.string()),
        at: z.string(),
        channel: z.string(),
      }),
    ),
  ),
  extension: z
    .optional(
      z.object({
        duration: z.string(),
        justification: z.string(),
        requestedAt: z.string(),
        expiresAt: z.string(),
        approvalsRequired: z.number().check(z.int()),
        approvals: z.array(decisionView),
        status: z.enum(EXTENSION_STATUSES),
        deadline: z.string(),
        closedAt: z.optional(z.string()),
      }),
    )
    .check(z.describe('The latest extension round')),
  revocation: z
    .optional(
      z.object({
        reason: z.string(),
        actor: z.object({ type: z.string(), id: z.string() }),
        requestedAt: z.string(),
        attempts: z.number().check(z.int()),
        lastError: z.string(),
      }),
    )
    .check(z.describe('A removal the platform has not done yet (still ACTIVE); the sweep retries it')),
  breakGlass: z
    .optional(
      z.object({
        reviewDeadline: z.string(),
        reviewersRequired: z.number().check(z.int()),
        reviews: z.array(
          z.object({
            reviewerId: z.string(),
            verdict: z.enum(['justified', 'not-justified']),
            comment: z.string(),
            at: z.string(),
          }),
        ),
        outcome: z.enum(BREAK_GLASS_OUTCOMES),
        settledAt: z.optional(z.string()),
      }),
    )
    .check(z.describe('Granted at once by break-glass; distinct directors review it by reviewDeadline')),
  message: z.optional(z.string()).check(z.describe('Why the answer is 202: what is still pending')),
  policyVersion: z
    .optional(z.number().check(z.int()))
    .check(
      z.describe(
        'The policy version it was last decided under (GET /policy/versions): at submission, approval, grant',
      ),
    ),
});

export const requestList = z.object({ requests: z.array(requestView) });

export const accessList = z.object({
  at: z.string(),
  access: z.array(
    z.object({
      principal: z.object({ id: z.string(), name: z.string(), organisation: z.string() }),
      requestId: z.string(),
      scopes: z.array(z.string()),
      grantedAt: z.string(),
      expiresAt: z.string(),
      approvedBy: z.array(z.string()),
      overRules: z
        .array(
          z.object({
            rule: z.enum(['externalAdminCap', 'organisationAdminCaps', 'maxDuration']),
            reason: z.string().check(z.describe('In words: what the grant breaks; it keeps running')),
          }),
        )
        .check(
          z.describe(
            'The rules in force this grant breaks since a policy change tightened them (none: empty)',
          ),
        ),
      breakGlass: z.optional(z.literal(true)).check(z.describe('Granted by break-glass, without approval')),
    }),
  ),
  outOfBand: z
    .array(
      z.object({
        provider: z.string(),
        principalId: z.string(),
        scope: z.string(),
        firstSeenAt: z.string(),
      }),
    )
    .check(z.describe('Access a platform holds without a Keyholder grant, as the last sweep found it')),
  outOfBandCount: z.number().check(z.int()),
});

const datasetView = z.object({
  id: z.string(),
  title: z.string(),
  sensitivity: z.enum(SENSITIVITIES),
  owners: z
    .array(z.object({ id: z.string(), name: z.string() }))
    .check(
      z.describe('Whose approval the dataset needs when the policy asks for owners (approvals.dataset)'),
    ),
  maxConcurrentHolders: z
    .optional(z.number().check(z.int()))
    .check(z.describe('At most this many hold it at once')),
});

export const datasetList = z.object({ datasets: z.array(datasetView) });

export const datasetUpdateView = z.object({ dataset: datasetView, changed: z.array(z.string()) });

export const principalList = z.object({
  principals: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      email: z.string(),
      organisation: z.string(),
      grade: z.string(),
      clearance: z.optional(z.object({ level: z.enum(CLEARANCE_LEVELS), expiresAt: z.string() })),
      slackUserId: z.optional(z.string()),
      roles: z.array(z.enum(ROLES)),
      active: z.boolean(),
      breakGlassSuspended: z.optional(breakGlassSuspension),
    }),
  ),
});

export const auditList = z.object({
  events: z.array(
    z.object({
      stream: z.string(),
      seq: z.number().check(z.int()),
      at: z.string(),
      action: z.enum(AUDIT_ACTIONS),
      actor: z.object({ type: z.enum(['principal', 'system']), id: z.string() }),
      subject: z.object({ requestId: z.string(), principalId: z.string(), scopes: z.array(z.string()) }),
      outcome: z.enum(['success', 'refused', 'failed']),
      reason: z.optional(z.string()),
      details: z.optional(z.record(z.string(), z.unknown())),
      prevHash: z.string(),
      hash: z.string(),
    }),
  ),
});

export const healthView = z.object({ status: z.literal('ok'), time: z.string() });

export const signInConfigView = z
  .object({
    issuer: z.string().check(
      z.meta({
        description: 'The OpenID provider API Gateway trusts (its discovery document is under it)',
      }),
    ),
    audience: z.string().check(z.meta({ description: 'The audience the API accepts in access tokens' })),
    clients: z.object({
      cli: z
        .string()
        .check(z.meta({ description: 'Public client of `keyholder login` (device authorization grant)' })),
      console: z
        .string()
        .check(z.meta({ description: 'Public client of the web console (authorization code with PKCE)' })),
    }),
    scopes: z.array(z.string()).check(
      z.meta({
        description: 'What to ask for at sign-in (the API scope of Entra ID, Okta or Cognito among them)',
      }),
    ),
    principalClaim: z
      .enum(PRINCIPAL_CLAIMS)
      .check(z.meta({ description: 'The access-token claim that is the principal id' })),
  })
  .check(
    z.meta({
      examples: [
        {
          issuer: 'https://login.microsoftonline.com/<tenant id>/v2.0',
          audience: 'api://keyholder',
          clients: { cli: '<application id>', console: '<application id>' },
          scopes: ['openid', 'profile', 'email', 'offline_access', 'api://keyholder/Access'],
          principalClaim: 'oid',
        },
      ],
    }),
  );

export const accessHistoryList = z.object({
  at: z.optional(z.string()),
  principal: z.optional(z.string()),
  scope: z.optional(z.string()),
  intervals: z.array(
    z.object({
      principal: z.object({ id: z.string(), name: z.string(), organisation: z.string() }),
      requestId: z.string(),
      scope: z.string(),
      from: z.string(),
      until: z.string(),
      to: z.optional(z.string()),
      endReason: z.optional(z.string()),
      reason: z.optional(z.string()),
      approvedBy: z.array(z.string()),
    }),
  ),
});

export const verifyView = z.object({
  ok: z.boolean(),
  verifiedAt: z.string(),
  streams: z.number().check(z.int()),
  events: z.number().check(z.int()),
  digest: z.optional(z.string()),
  anchor: z.optional(z.object({ key: z.string(), at: z.string(), matched: z.boolean() })),
  broken: z.optional(
    z.object({
      stream: z.string(),
      position: z.number().check(z.int()),
      seq: z.number().check(z.int()),
      eventsBefore: z.number().check(z.int()),
      problem: z.enum([
        'missing-or-reordered',
        'edited',
        'broken-link',
        'truncated',
        'head-mismatch',
        'anchor-mismatch',
      ]),
      detail: z.string(),
    }),
  ),
});

const countList = z.array(z.object({ key: z.string(), count: z.number().check(z.int()) }));

export const transparencyView = z.object({
  generatedAt: z.string(),
  window: z.object({ from: z.string(), to: z.string(), days: z.number().check(z.int()) }),
  externalAdminSeats: z.object({ inUse: z.number().check(z.int()), cap: z.number().check(z.int()) }),
  activeGrants: z.object({ total: z.number().check(z.int()), byScope: countList, byOrganisation: countList }),
  lastWindow: z.object({
    grants: z.number().check(z.int()),
    denials: z.number().check(z.int()),
    revocations: z.object({ total: z.number().check(z.int()), byReason: countList }),
    timeouts: z.number().check(z.int()),
    capRejections: z.number().check(z.int()),
    expiries: z.number().check(z.int()),
  }),
  medianApprovedDurationHours: z.nullable(z.number()),
  reviews: z.object({ onTime: z.number().check(z.int()), overdue: z.number().check(z.int()) }),
  outOfBandAccess: z
    .number()
    .check(
      z.int(),
      z.describe('Access found on the platforms without a Keyholder grant, not yet gone (a count)'),
    ),
  grantsOverRules: z
    .optional(z.object({ total: z.number().check(z.int()), byRule: countList }))
    .check(
      z.describe(
        'Active grants kept running that break the rules in force since a policy change tightened them',
      ),
    ),
  breakGlass: z
    .optional(
      z.object({
        grants: z.number().check(z.int()),
        reviewedOnTime: z.number().check(z.int()),
        notReviewedOnTime: z.number().check(z.int()),
      }),
    )
    .check(
      z.describe(
        'Break-glass grants in the window; its reviews justified on time, or not justified / unreviewed',
      ),
    ),
  chainHead: z.nullable(
    z.object({
      verified: z.boolean(),
      verifiedAt: z.string(),
      streams: z.optional(z.number().check(z.int())),
      events: z.optional(z.number().check(z.int())),
      digest: z.optional(z.string()),
    }),
  ),
});

// ---------------------------------------------------------------------------------------------------------------
// The console's routes (issue 14): GET /me, GET /inbox, GET /requests/{id}/timeline, POST /principals/{id}/preview,
// GET /access/timeline.

const clearanceView = z.object({ level: z.enum(CLEARANCE_LEVELS), expiresAt: z.string() });

export const meView = z
  .object({
    principal: z.object({
      id: z.string(),
      name: z.string(),
      email: z.string(),
      organisation: z.string(),
      grade: z.string(),
      clearance: z.optional(clearanceView),
      roles: z.array(z.enum(ROLES)),
      active: z.boolean(),
    }),
    external: z
      .boolean()
      .check(z.describe('Not of the home organisation (external admin access counts against the cap)')),
    capabilities: z.object({
      canRequest: z.boolean(),
      canApprove: z
        .boolean()
        .check(
          z.describe(
            'Meets the approver rules (home organisation, director grade, valid clearance), or owns a dataset and may act as its owner: has an inbox',
          ),
        ),
      canAudit: z
        .boolean()
        .check(z.describe('access-admin or auditor: the audit trail, its exports and verification')),
      canAdminister: z.boolean().check(z.describe('access-admin: may change the directory')),
    }),
    limits: z.object({
      minDuration: z.string(),
      maxDuration: z.object({ admin: z.string(), dataset: z.string() }),
      justificationMinLength: z.number().check(z.int()),
      requireTicket: z.boolean(),
      maxScopesPerRequest: z.number().check(z.int()),
      approvalTimeout: z.string(),
    }),
  })
  .check(
    z.meta({
      examples: [
        {
          principal: {
            id: 'dir-ada',
            name: 'Ada Director',
            email: 'dir-ada@nhse.example',
            organisation: 'NHSE',
            grade: 'director',
            clearance: { level: 'SC', expiresAt: '2029-12-31T00:00:00.000Z' },
            roles: [],
            active: true,
          },
          external: false,
          capabilities: { canRequest: true, canApprove: true, canAudit: false, canAdminister: false },
          limits: {
            minDuration: 'PT15M',
            maxDuration: { admin: 'P7D', dataset: 'P90D' },
            justificationMinLength: 20,
            requireTicket: false,
            maxScopesPerRequest: 20,
            approvalTimeout: 'PT72H',
          },
        },
      ],
    }),
  );

export const inboxView = z
  .object({
    items: z.array(
      z.object({
        kind: z.enum(['request', 'extension', 'review']),
        request: requestView.check(z.describe('The request as GET /requests/{id} returns it')),
        requester: z.object({
          id: z.string(),
          name: z.string(),
          organisation: z.string(),
          grade: z.string(),
          clearance: z.optional(clearanceView),
        }),
        seats: z
          .optional(z.object({ inUse: z.number().check(z.int()), cap: z.number().check(z.int()) }))
          .check(
            z.describe(
              'External-admin seats in use and the cap: only on an external principal’s admin access',
            ),
          ),
        dueBy: z.string().check(z.describe('The approval, extension or review deadline')),
      }),
    ),
  })
  .check(
    z.describe('Soonest due first'),
    z.meta({
      examples: [
        {
          items: [
            {
              kind: 'request',
              request: {
                id: 'req-01JF3Q',
                status: 'PENDING_APPROVAL',
                requester: 'ext-kim',
                requesterOrganisation: 'Northwind',
                external: true,
                scopes: ['admin'],
                duration: 'PT8H',
                justification: 'Investigating a data quality incident in the admissions feed',
                createdAt: '2026-12-01T09:00:00.000Z',
                approvalsRequired: 2,
                approvals: [],
                approvalDeadline: '2026-12-04T09:00:00.000Z',
              },
              requester: {
                id: 'ext-kim',
                name: 'Kim Northwind',
                organisation: 'Northwind',
                grade: 'consultant',
                clearance: { level: 'SC', expiresAt: '2029-12-31T00:00:00.000Z' },
              },
              seats: { inUse: 3, cap: 5 },
              dueBy: '2026-12-04T09:00:00.000Z',
            },
          ],
        },
      ],
    }),
  );

export const requestTimelineView = z
  .object({
    events: z.array(
      z.object({
        at: z.string(),
        type: z.enum(AUDIT_ACTIONS),
        actor: z
          .nullable(z.object({ id: z.string(), name: z.string() }))
          .check(z.describe('null when Keyholder itself acted (the workflow, the sweep)')),
        summary: z.string().check(z.describe('One plain-English sentence')),
      }),
    ),
  })
  .check(
    z.meta({
      examples: [
        {
          events: [
            {
              at: '2026-12-01T09:00:00.000Z',
              type: 'REQUEST_SUBMITTED',
              actor: { id: 'ext-kim', name: 'Kim Northwind' },
              summary: 'Kim Northwind requested dataset:hes-apc for PT8H.',
            },
            {
              at: '2026-12-01T09:20:00.000Z',
              type: 'REQUEST_APPROVED',
              actor: { id: 'dir-ada', name: 'Ada Director' },
              summary: 'Ada Director approved through the API; the request is approved.',
            },
            {
              at: '2026-12-01T09:20:01.000Z',
              type: 'GRANT_ACTIVATED',
              actor: null,
              summary: 'Kim Northwind was granted dataset:hes-apc until 2026-12-01T17:20:01.000Z.',
            },
          ],
        },
      ],
    }),
  );

const changeEffect = z.object({
  requestId: z.string(),
  scopes: z.array(z.string()),
  reason: z
    .string()
    .check(z.describe('The code recorded on the request, e.g. PRINCIPAL_INACTIVE, CLEARANCE_LAPSED')),
  detail: z.string(),
});

export const principalPreviewView = z
  .object({
    principal: principalUpdateView.shape.principal.check(
      z.describe('The principal as the change would leave them'),
    ),
    changed: z.array(z.string()),
    revokes: z.array(changeEffect).check(z.describe('ACTIVE grants the PATCH would revoke at once')),
    endsPending: z
      .array(changeEffect)
      .check(
        z.describe(
          'Requests not yet granted that end: cancelled at once when the requester is deactivated, else refused at grant time',
        ),
      ),
    approverEligibility: z.object({
      before: z.boolean(),
      after: z.boolean().check(z.describe('false while a hold runs: see from')),
      from: z
        .optional(z.string())
        .check(
          z.describe(
            'Set when the change makes them an approver held back by approverPromotionDelay: they may decide from this instant, and the directors are told',
          ),
        ),
    }),
  })
  .check(
    z.describe('What PATCH /principals/{id} with this body would do; nothing is written'),
    z.meta({
      examples: [
        {
          principal: {
            id: 'ext-hal',
            name: 'Hal AcmeSoft',
            email: 'ext-hal@acmesoft.example',
            organisation: 'AcmeSoft',
            grade: 'engineer',
            roles: [],
            active: false,
          },
          changed: ['active'],
          revokes: [
            {
              requestId: 'req-01JF3Q',
              scopes: ['dataset:hes-apc'],
              reason: 'PRINCIPAL_INACTIVE',
              detail: 'ext-hal is not active',
            },
          ],
          endsPending: [],
          approverEligibility: { before: false, after: false },
        },
      ],
    }),
  );

export const accessTimelineView = z
  .object({
    from: z.string(),
    to: z.string(),
    cap: z.number().check(z.int(), z.describe('The external-admin cap')),
    intervals: z.array(
      z.object({
        requestId: z.string(),
        principal: z.object({
          id: z.string(),
          name: z.string(),
          organisation: z.string(),
          external: z.boolean(),
        }),
        scope: z.string(),
        from: z.string(),
        to: z.nullable(z.string()).check(z.describe('null while access runs')),
        endReason: z.nullable(z.string()).check(z.describe('EXPIRED, REVOKED, ...; null while access runs')),
      }),
    ),
    adminsOverTime: z
      .array(z.object({ at: z.string(), count: z.number().check(z.int()) }))
      .check(
        z.describe(
          'External admins (counted against the cap) at the window’s start and after each change in it',
        ),
      ),
  })
  .check(
    z.meta({
      examples: [
        {
          from: '2026-11-24T09:00:00.000Z',
          to: '2026-12-01T09:00:00.000Z',
          cap: 5,
          intervals: [
            {
              requestId: 'req-01JF3Q',
              principal: { id: 'ext-kim', name: 'Kim Northwind', organisation: 'Northwind', external: true },
              scope: 'admin',
              from: '2026-11-25T10:00:00.000Z',
              to: '2026-11-25T18:00:00.000Z',
              endReason: 'EXPIRED',
            },
          ],
          adminsOverTime: [
            { at: '2026-11-24T09:00:00.000Z', count: 0 },
            { at: '2026-11-25T10:00:00.000Z', count: 1 },
            { at: '2026-11-25T18:00:00.000Z', count: 0 },
          ],
        },
      ],
    }),
  );

// ---------------------------------------------------------------------------------------------------------------
// Policy as data (issue 16 §2): GET /policy, GET /policy/versions, GET/POST /policy/proposals and their decisions.

const policyRules = z
  .record(z.string(), z.unknown())
  .check(z.describe('Every rule, as KEYHOLDER_POLICY names them (externalAdminCap, maxDuration, ...)'));

export const policyVersionView = z.object({
  version: z
    .number()
    .check(z.int(), z.describe('1 is the deployed policy; each approved proposal makes the next')),
  policy: policyRules,
  activatedAt: z.optional(z.string()).check(z.describe('When it came into force; absent for version 1')),
  proposalId: z.optional(z.string()),
  proposedBy: z.optional(z.string()),
  approvedBy: z.optional(z.string()),
});

export const policyVersionList = z.object({ versions: z.array(policyVersionView) });

export const policyProposalView = z.object({
  id: z.string(),
  proposer: z.string(),
  reason: z.string(),
  changes: z.record(z.string(), z.unknown()),
  baseVersion: z.number().check(z.int(), z.describe('The version the change was proposed over')),
  proposed: policyRules.check(z.describe('The whole policy that becomes the next version if approved')),
  diff: z
    .array(z.object({ path: z.string(), from: z.unknown(), to: z.unknown() }))
    .check(z.describe('Each rule that changes: its dotted path, the value in force and the proposed one')),
  createdAt: z.string(),
  deadline: z.string().check(z.describe('Open until then (approvalTimeout); after it the sweep expires it')),
  status: z.enum(['OPEN', 'APPROVED', 'DENIED', 'EXPIRED']),
  decision: z.optional(
    z.object({
      by: z.string(),
      decision: z.enum(['approve', 'deny']),
      comment: z.optional(z.string()),
      at: z.string(),
    }),
  ),
  closedAt: z.optional(z.string()),
  activatedVersion: z.optional(z.number().check(z.int())).check(z.describe('The version an approval made')),
});

export const policyProposalList = z.object({
  proposals: z.array(policyProposalView).check(z.describe('Newest first')),
});
