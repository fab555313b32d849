// The HTTP contract's shapes as zod schemas: they validate requests and generate the OpenAPI document.
import { z } from 'zod';
import { AUDIT_ACTIONS } from '../core/audit.ts';
import { CLEARANCE_LEVELS, REQUEST_STATUSES, ROLES, SENSITIVITIES } from '../core/model.ts';

const text = (max: number) => z.string().max(max, { message: `must be at most ${max} characters` });

export const submitRequestBody = z.strictObject({
  scopes: z.array(text(80)).min(1).max(25).describe('["admin"] alone, or one or more "dataset:<id>"'),
  justification: text(4000).describe('Why the access is needed (policy minimum length applies)'),
  duration: text(32).describe('ISO-8601 duration, e.g. PT8H or P7D'),
  ticket: text(120).optional().describe('Change or service ticket reference'),
});

export const decisionBody = z.strictObject({
  decision: z.enum(['approve', 'deny']),
  comment: text(4000).optional(),
});

export const revokeBody = z.strictObject({ reason: text(4000).min(1, { message: 'is required' }) });

export const listRequestsQuery = z.strictObject({ status: z.enum(REQUEST_STATUSES).optional() });
export const auditQuery = z.strictObject({ requestId: text(100).min(1, { message: 'is required' }) });
export const emptyQuery = z.strictObject({});

export const approvalForm = z.strictObject({
  decision: z.enum(['approve', 'deny']),
  comment: text(4000).optional(),
});

export const errorResponse = z.object({
  error: z.object({ code: z.string(), message: z.string(), field: z.string().optional() }),
});

const decisionView = z.object({
  approverId: z.string(),
  decision: z.enum(['approve', 'deny']),
  comment: z.string().optional(),
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
  ticket: z.string().optional(),
  createdAt: z.string(),
  approvalsRequired: z.number().int(),
  approvals: z.array(decisionView),
  approvalDeadline: z.string(),
  reason: z.string().optional(),
  closedBy: z.string().optional(),
  closedAt: z.string().optional(),
  grant: z
    .object({
      grantedAt: z.string(),
      expiresAt: z.string(),
      approvedBy: z.array(z.string()),
      nextReviewAt: z.string(),
    })
    .optional(),
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
    }),
  ),
});

export const datasetList = z.object({
  datasets: z.array(z.object({ id: z.string(), title: z.string(), sensitivity: z.enum(SENSITIVITIES) })),
});

export const principalList = z.object({
  principals: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      email: z.string(),
      organisation: z.string(),
      grade: z.string(),
      clearance: z.object({ level: z.enum(CLEARANCE_LEVELS), expiresAt: z.string() }).optional(),
      slackUserId: z.string().optional(),
      roles: z.array(z.enum(ROLES)),
      active: z.boolean(),
    }),
  ),
});

export const auditList = z.object({
  events: z.array(
    z.object({
      stream: z.string(),
      seq: z.number().int(),
      at: z.string(),
      action: z.enum(AUDIT_ACTIONS),
      actor: z.object({ type: z.enum(['principal', 'system']), id: z.string() }),
      subject: z.object({ requestId: z.string(), principalId: z.string(), scopes: z.array(z.string()) }),
      outcome: z.enum(['success', 'refused', 'failed']),
      reason: z.string().optional(),
      details: z.record(z.string(), z.unknown()).optional(),
      prevHash: z.string(),
      hash: z.string(),
    }),
  ),
});

export const healthView = z.object({ status: z.literal('ok'), time: z.string() });
