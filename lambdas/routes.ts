// The HTTP contract's routes, read by both the CDK API construct and the local gateway: one table, one truth.

/** What a handler may touch; the CDK turns these into IAM grants, nothing else gets any. */
export type Permission =
  | 'state:read'
  | 'state:write'
  | 'audit:read'
  | 'audit:append'
  | 'workflow:start'
  | 'workflow:callback'
  | 'workflow:stop'
  | 'mail:send'
  /** Read the audit anchors (S3, Object Lock) to check the trail against them. */
  | 'anchors:read'
  | 'anchors:write'
  /** Read or write the published transparency snapshot (S3). */
  | 'transparency:read'
  | 'transparency:write'
  /** Post to Slack: read the Slack app's secret (bot token, signing secret). */
  | 'slack:post'
  /** Read inbound replies that SES stored in the inbound-mail bucket. */
  | 'mail:receive'
  /** Grant, revoke and list access through the configured access providers (their secrets and platform APIs). */
  | 'providers:call'
  /** Read the SCIM provisioning clients' bearer secrets (Secrets Manager). */
  | 'scim:tokens'
  /** Send due notices to the notice queue (SQS), for the notifier to deliver (lambdas/use-cases/notice-outbox.ts). */
  | 'notices:enqueue';

/** What the notifier needs to tell people about outcomes (lambdas/use-cases/notices/). */
const NOTIFY: readonly Permission[] = ['mail:send', 'slack:post'];

/**
 * What every function that commits a change owing notices needs: their due records commit with the change and
 * the queue takes them to the notifier (lambdas/use-cases/notice-outbox.ts). No channel of its own.
 */
const ENQUEUE: readonly Permission[] = ['notices:enqueue'];

/** What every function that grants or ends access needs: the platform first (lambdas/use-cases/provisioning.ts). */
const PROVIDERS: readonly Permission[] = ['providers:call'];

export interface RouteSpec {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** API Gateway path syntax: `/requests/{id}`. */
  readonly path: string;
  /** Function name suffix (kebab-case) and the handler file (exports `handler`), relative to the repo root. */
  readonly name: string;
  readonly entry: string;
  /** `jwt`: the API's JWT authorizer; `none`: the handler authenticates (approval token) or the route is public. */
  readonly auth: 'jwt' | 'none';
  readonly needs: readonly Permission[];
}

const http = (file: string) => `lambdas/handlers/http/${file}.ts`;

export const ROUTES: readonly RouteSpec[] = [
  {
    method: 'POST',
    path: '/requests',
    name: 'submit-request',
    entry: http('submit-request'),
    auth: 'jwt',
    needs: ['state:read', 'state:write', 'audit:append', 'workflow:start'],
  },
  {
    method: 'GET',
    path: '/requests',
    name: 'list-requests',
    entry: http('list-requests'),
    auth: 'jwt',
    needs: ['state:read'],
  },
  {
    method: 'GET',
    path: '/requests/{id}',
    name: 'get-request',
    entry: http('get-request'),
    auth: 'jwt',
    needs: ['state:read'],
  },
  {
    method: 'POST',
    path: '/requests/{id}/decisions',
    name: 'decide-request',
    entry: http('decide-request'),
    auth: 'jwt',
    needs: ['state:read', 'state:write', 'audit:append', 'workflow:callback', ...ENQUEUE],
  },
  {
    method: 'POST',
    path: '/requests/{id}/cancel',
    name: 'cancel-request',
    entry: http('cancel-request'),
    auth: 'jwt',
    needs: ['state:read', 'state:write', 'audit:append', 'workflow:callback', ...ENQUEUE],
  },
  {
    method: 'POST',
    path: '/requests/{id}/revoke',
    name: 'revoke-request',
    entry: http('revoke-request'),
    auth: 'jwt',
    needs: ['state:read', 'state:write', 'audit:append', 'workflow:stop', ...ENQUEUE, ...PROVIDERS],
  },
  {
    method: 'GET',
    path: '/access',
    name: 'list-access',
    entry: http('list-access'),
    auth: 'jwt',
    needs: ['state:read'],
  },
  {
    method: 'GET',
    path: '/access.csv',
    name: 'access-csv',
    entry: http('access-csv'),
    auth: 'jwt',
    needs: ['state:read'],
  },
  {
    method: 'GET',
    path: '/audit.csv',
    name: 'audit-csv',
    entry: http('audit-csv'),
    auth: 'jwt',
    needs: ['state:read', 'audit:read'],
  },
  {
    method: 'GET',
    path: '/audit/verify',
    name: 'verify-audit',
    entry: http('verify-audit'),
    auth: 'jwt',
    needs: ['state:read', 'audit:read', 'anchors:read'],
  },
  {
    method: 'GET',
    path: '/transparency',
    name: 'transparency',
    entry: http('transparency'),
    auth: 'none',
    needs: ['state:read', 'audit:read', 'anchors:read', 'transparency:read'],
  },
  {
    method: 'GET',
    path: '/datasets',
    name: 'list-datasets',
    entry: http('list-datasets'),
    auth: 'jwt',
    needs: ['state:read'],
  },
  {
    method: 'PATCH',
    path: '/datasets/{id}',
    name: 'update-dataset',
    entry: http('update-dataset'),
    auth: 'jwt',
    // Reads the directory (owners must exist), writes the entry and its audit event.
    needs: ['state:read', 'state:write', 'audit:append'],
  },
  {
    method: 'GET',
    path: '/audit',
    name: 'list-audit',
    entry: http('list-audit'),
    auth: 'jwt',
    needs: ['state:read', 'audit:read'],
  },
  {
    method: 'GET',
    path: '/principals',
    name: 'list-principals',
    entry: http('list-principals'),
    auth: 'jwt',
    needs: ['state:read'],
  },
  {
    method: 'GET',
    path: '/approve/{token}',
    name: 'approval-page',
    entry: http('approval-page'),
    auth: 'none',
    needs: ['state:read', 'state:write', 'audit:append', 'workflow:callback', ...ENQUEUE],
  },
  {
    method: 'POST',
    path: '/approve/{token}',
    name: 'approval-page',
    entry: http('approval-page'),
    auth: 'none',
    needs: ['state:read', 'state:write', 'audit:append', 'workflow:callback', ...ENQUEUE],
  },
  {
    method: 'POST',
    path: '/slack/interactions',
    name: 'slack-interactions',
    entry: http('slack-interactions'),
    // Slack signs every request with the app's signing secret; the handler verifies it (no JWT from Slack).
    auth: 'none',
    // A review prompt's Revoke button ends access on the platform.
    needs: [
      'state:read',
      'state:write',
      'audit:append',
      'workflow:callback',
      // The clicked message is redrawn and dialogs opened in Slack itself; every notice goes through the queue.
      'slack:post',
      ...ENQUEUE,
      ...PROVIDERS,
    ],
  },
  {
    method: 'POST',
    path: '/requests/{id}/extend',
    name: 'extend-request',
    entry: http('extend-request'),
    auth: 'jwt',
    needs: ['state:read', 'state:write', 'audit:append', ...ENQUEUE],
  },
  {
    method: 'PATCH',
    path: '/principals/{id}',
    name: 'update-principal',
    entry: http('update-principal'),
    auth: 'jwt',
    // Deactivating or lapsing a holder revokes their grants in the same call: stop their executions, queue their
    // notices. mail:send: the directors are still told inline that someone was made an approver (update-principal.ts).
    needs: [
      'state:read',
      'state:write',
      'audit:append',
      'workflow:stop',
      'mail:send',
      ...ENQUEUE,
      ...PROVIDERS,
    ],
  },
  {
    method: 'GET',
    path: '/review/{token}',
    name: 'review-page',
    entry: http('review-page'),
    auth: 'none',
    needs: ['state:read', 'state:write', 'audit:append', 'workflow:stop', ...ENQUEUE, ...PROVIDERS],
  },
  {
    method: 'POST',
    path: '/review/{token}',
    name: 'review-page',
    entry: http('review-page'),
    auth: 'none',
    needs: ['state:read', 'state:write', 'audit:append', 'workflow:stop', ...ENQUEUE, ...PROVIDERS],
  },
  // The console's routes (issue 14): for every client, through the same use cases as the other channels.
  { method: 'GET', path: '/me', name: 'me', entry: http('me'), auth: 'jwt', needs: ['state:read'] },
  { method: 'GET', path: '/inbox', name: 'inbox', entry: http('inbox'), auth: 'jwt', needs: ['state:read'] },
  {
    method: 'GET',
    path: '/requests/{id}/timeline',
    name: 'request-timeline',
    entry: http('request-timeline'),
    auth: 'jwt',
    needs: ['state:read', 'audit:read'],
  },
  {
    method: 'POST',
    path: '/requests/{id}/reviews',
    name: 'review-request',
    entry: http('review-request'),
    auth: 'jwt',
    // The same decideReview as the review link: a Revoke ends access on the platform and stops the execution.
    needs: ['state:read', 'state:write', 'audit:append', 'workflow:stop', ...ENQUEUE, ...PROVIDERS],
  },
  {
    method: 'POST',
    path: '/requests/{id}/break-glass-reviews',
    name: 'review-break-glass',
    entry: http('review-break-glass'),
    auth: 'jwt',
    // A verdict on the request's stream; a failed one suspends the holder on theirs. Nothing is sent.
    needs: ['state:read', 'state:write', 'audit:append'],
  },
  {
    method: 'POST',
    path: '/principals/{id}/preview',
    name: 'preview-principal',
    entry: http('preview-principal'),
    auth: 'jwt',
    // Writes nothing: reads the principal, their requests and the catalogue.
    needs: ['state:read'],
  },
  {
    method: 'GET',
    path: '/access/timeline',
    name: 'access-timeline',
    entry: http('access-timeline'),
    auth: 'jwt',
    needs: ['state:read'],
  },
  // Policy as data (issue 16 §2): versions and proposals live in the state table, their events on the POLICY stream.
  {
    method: 'GET',
    path: '/policy',
    name: 'get-policy',
    entry: http('get-policy'),
    auth: 'jwt',
    needs: ['state:read'],
  },
  {
    method: 'GET',
    path: '/policy/versions',
    name: 'list-policy-versions',
    entry: http('list-policy-versions'),
    auth: 'jwt',
    needs: ['state:read'],
  },
  {
    method: 'GET',
    path: '/policy/proposals',
    name: 'list-policy-proposals',
    entry: http('list-policy-proposals'),
    auth: 'jwt',
    needs: ['state:read'],
  },
  {
    method: 'POST',
    path: '/policy/proposals',
    name: 'propose-policy-change',
    entry: http('propose-policy-change'),
    auth: 'jwt',
    needs: ['state:read', 'state:write', 'audit:append'],
  },
  {
    method: 'POST',
    path: '/policy/proposals/{id}/decisions',
    name: 'decide-policy-proposal',
    entry: http('decide-policy-proposal'),
    auth: 'jwt',
    needs: ['state:read', 'state:write', 'audit:append'],
  },
  { method: 'GET', path: '/health', name: 'health', entry: http('health'), auth: 'none', needs: [] },
  {
    method: 'GET',
    path: '/auth/config',
    name: 'auth-config',
    entry: http('auth-config'),
    auth: 'none',
    needs: [],
  },
  { method: 'GET', path: '/openapi.json', name: 'openapi', entry: http('openapi'), auth: 'none', needs: [] },
  ...SCIM_ROUTES(),
];

/**
 * SCIM 2.0 (lambdas/handlers/http/scim.ts): one function, authenticated by the provisioning client's bearer
 * secret (no JWT). A deactivation revokes grants in the same call, as PATCH /principals does: the same needs.
 */
function SCIM_ROUTES(): RouteSpec[] {
  const needs: readonly Permission[] = [
    'state:read',
    'state:write',
    'audit:append',
    'workflow:stop',
    'scim:tokens',
    'mail:send',
    ...ENQUEUE,
    ...PROVIDERS,
  ];
  const route = (method: RouteSpec['method'], path: string): RouteSpec => ({
    method,
    path: `/scim/v2${path}`,
    name: 'scim',
    entry: http('scim'),
    auth: 'none',
    needs,
  });
  return [
    route('GET', '/ServiceProviderConfig'),
    route('GET', '/ResourceTypes'),
    route('GET', '/Schemas'),
    ...['Users', 'Groups'].flatMap((kind) => [
      route('GET', `/${kind}`),
      route('POST', `/${kind}`),
      route('GET', `/${kind}/{id}`),
      route('PUT', `/${kind}/{id}`),
      route('PATCH', `/${kind}/{id}`),
      route('DELETE', `/${kind}/{id}`),
    ]),
  ];
}

/** The state machine's Task states and the functions behind them (lib/access-workflow.ts builds the machine). */
export interface WorkflowTaskSpec {
  readonly state: 'Validate' | 'AwaitApproval' | 'Grant' | 'RecordTimeout' | 'Expire';
  readonly name: string;
  readonly entry: string;
  readonly needs: readonly Permission[];
}

const task = (file: string) => `lambdas/handlers/workflow/${file}.ts`;

export const WORKFLOW_TASKS: readonly WorkflowTaskSpec[] = [
  {
    state: 'Validate',
    name: 'validate-request',
    entry: task('validate-request'),
    needs: ['state:read', 'state:write', 'audit:append', ...ENQUEUE],
  },
  {
    state: 'AwaitApproval',
    name: 'request-approval',
    entry: task('request-approval'),
    // workflow:callback: a request decided before this step began is answered on the step's own token.
    // The approval prompts are a due notice the notifier sends (mail, Slack): this step only enqueues.
    needs: ['state:read', 'state:write', 'audit:append', 'workflow:callback', ...ENQUEUE],
  },
  {
    state: 'Grant',
    name: 'grant-access',
    entry: task('grant-access'),
    needs: ['state:read', 'state:write', 'audit:append', ...ENQUEUE, ...PROVIDERS],
  },
  {
    state: 'RecordTimeout',
    name: 'record-timeout',
    entry: task('record-timeout'),
    needs: ['state:read', 'state:write', 'audit:append', ...ENQUEUE],
  },
  {
    state: 'Expire',
    name: 'expire-grant',
    entry: task('expire-grant'),
    needs: ['state:read', 'state:write', 'audit:append', ...ENQUEUE, ...PROVIDERS],
  },
];

/** A function invoked by an event source rather than a route or a workflow state. */
export interface EventHandlerSpec {
  readonly name: string;
  readonly entry: string;
  readonly needs: readonly Permission[];
}

/** SES receipt rule -> this function: a reply to an approval email, deciding as the approver it was sent to. */
export const INBOUND_MAIL_HANDLER: EventHandlerSpec = {
  name: 'inbound-reply',
  entry: 'lambdas/handlers/mail/inbound-reply.ts',
  needs: [
    'state:read',
    'state:write',
    'audit:append',
    'workflow:callback',
    'mail:receive',
    // The answer to the sender is a mail of its own; the decision's notices go through the queue.
    'mail:send',
    ...ENQUEUE,
  ],
};

/** The scheduled sweep (EventBridge Scheduler on AWS, a timer and POST /dev/sweep locally): lib/sweep.ts. */
export const SWEEP_HANDLER: EventHandlerSpec = {
  name: 'sweep',
  entry: 'lambdas/handlers/scheduled/sweep.ts',
  // notices:enqueue: what it ends, opens and reminds of owes notices, and due notices the queue never got are handed
  // to it again (lambdas/use-cases/notice-outbox.ts). It sends nothing itself.
  needs: ['state:read', 'state:write', 'audit:append', 'workflow:stop', ...ENQUEUE, ...PROVIDERS],
};

/** SQS (the notice queue) -> this function: delivers each due notice once and marks it sent (lib/notices.ts). */
export const NOTIFIER_HANDLER: EventHandlerSpec = {
  name: 'notifier',
  entry: 'lambdas/handlers/queue/notifier.ts',
  needs: ['state:read', 'state:write', 'audit:append', ...NOTIFY],
};

// Kept in their own module so a handler that only throws them does not carry the route table.
export { WORKFLOW_ERRORS } from './workflow-errors.ts';
