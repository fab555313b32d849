// The HTTP contract's shapes as zod schemas, all together: for the OpenAPI document (lambdas/http/openapi.ts) and
// the tests, never for a handler. A route's input schema lives in the module named after its handler
// (lambdas/handlers/http/decide-request.ts validates with schemas/decide-request.ts; preview-principal takes the body
// of update-principal's PATCH), the fields several inputs share in fields.ts, and every answer's shape in
// responses.ts. A handler imports its own module only: zod builds a schema when its module loads, so esbuild keeps
// every schema of every module a bundle imports.

export * from './access-csv.ts';
export * from './access-timeline.ts';
export * from './approval-page.ts';
export * from './audit-csv.ts';
export * from './decide-policy-proposal.ts';
export * from './decide-request.ts';
export * from './extend-request.ts';
export * from './get-policy.ts';
export * from './list-access.ts';
export * from './list-audit.ts';
export * from './list-requests.ts';
export * from './propose-policy-change.ts';
export * from './responses.ts';
export * from './review-break-glass.ts';
export * from './review-page.ts';
export * from './review-request.ts';
export * from './revoke-request.ts';
export * from './slack-interactions.ts';
export * from './submit-request.ts';
export * from './transparency.ts';
export * from './update-dataset.ts';
export * from './update-principal.ts';
export * from './verify-audit.ts';
