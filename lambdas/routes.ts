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
  | 'mail:send';

export interface RouteSpec {
  readonly method: 'GET' | 'POST';
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
    needs: ['state:read', 'state:write', 'audit:append', 'workflow:callback'],
  },
  {
    method: 'POST',
    path: '/requests/{id}/cancel',
    name: 'cancel-request',
    entry: http('cancel-request'),
    auth: 'jwt',
    needs: ['state:read', 'state:write', 'audit:append', 'workflow:callback'],
  },
  {
    method: 'POST',
    path: '/requests/{id}/revoke',
    name: 'revoke-request',
    entry: http('revoke-request'),
    auth: 'jwt',
    needs: ['state:read', 'state:write', 'audit:append', 'workflow:stop'],
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
    path: '/datasets',
    name: 'list-datasets',
    entry: http('list-datasets'),
    auth: 'jwt',
    needs: ['state:read'],
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
    needs: ['state:read', 'state:write', 'audit:append', 'workflow:callback'],
  },
  {
    method: 'POST',
    path: '/approve/{token}',
    name: 'approval-page',
    entry: http('approval-page'),
    auth: 'none',
    needs: ['state:read', 'state:write', 'audit:append', 'workflow:callback'],
  },
  { method: 'GET', path: '/health', name: 'health', entry: http('health'), auth: 'none', needs: [] },
  { method: 'GET', path: '/openapi.json', name: 'openapi', entry: http('openapi'), auth: 'none', needs: [] },
];

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
    needs: ['state:read', 'state:write', 'audit:append'],
  },
  {
    state: 'AwaitApproval',
    name: 'request-approval',
    entry: task('request-approval'),
    needs: ['state:read', 'state:write', 'audit:append', 'mail:send'],
  },
  {
    state: 'Grant',
    name: 'grant-access',
    entry: task('grant-access'),
    needs: ['state:read', 'state:write', 'audit:append'],
  },
  {
    state: 'RecordTimeout',
    name: 'record-timeout',
    entry: task('record-timeout'),
    needs: ['state:read', 'state:write', 'audit:append'],
  },
  {
    state: 'Expire',
    name: 'expire-grant',
    entry: task('expire-grant'),
    needs: ['state:read', 'state:write', 'audit:append'],
  },
];
