// The OpenAPI 3.1 document, generated from the route table and the zod schemas of lambdas/http/schemas/ (what each
// route takes and answers).
import * as z from '../core/zod.ts';
import { ROUTES } from '../routes.ts';
import { serversOf } from './openapi-serving.ts';
import * as schemas from './schemas/index.ts';

interface Operation {
  readonly summary: string;
  readonly body?: z.ZodMiniType;
  readonly query?: z.ZodMiniObject;
  readonly form?: z.ZodMiniType;
  readonly response: {
    readonly status: number;
    readonly schema?: z.ZodMiniType;
    readonly html?: boolean;
    /** A text/csv body (RFC 4180, header row). */
    readonly csv?: boolean;
    /** Also answers as HTML (content negotiation by a query parameter). */
    readonly alsoHtml?: boolean;
    /** May also answer with an empty body and no content type (what it says then, in a word). */
    readonly empty?: string;
  };
  readonly errors: readonly number[];
  /** Also answers 202 with the response schema when the work is accepted but not done yet: when, in a word. */
  readonly accepted?: string;
}

/** Per route: what it does and what it takes and gives. A route without an entry fails the contract test. */
export const OPERATIONS: Readonly<Record<string, Operation>> = {
  'POST /requests': {
    summary: 'Request access',
    body: schemas.submitRequestBody,
    response: { status: 201, schema: schemas.requestView },
    errors: [400, 401, 403, 409, 503],
  },
  'GET /requests': {
    summary: 'Own requests and those awaiting my decision',
    query: schemas.listRequestsQuery,
    response: { status: 200, schema: schemas.requestList },
    errors: [400, 401, 403],
  },
  'GET /requests/{id}': {
    summary: 'One request',
    response: { status: 200, schema: schemas.requestView },
    errors: [401, 403, 404],
  },
  'POST /requests/{id}/decisions': {
    summary: 'Approve or deny',
    body: schemas.decisionBody,
    response: { status: 200, schema: schemas.requestView },
    errors: [400, 401, 403, 404, 409],
  },
  'POST /requests/{id}/cancel': {
    summary: 'Cancel a pending request (requester)',
    response: { status: 200, schema: schemas.requestView },
    errors: [401, 403, 404, 409],
  },
  'POST /requests/{id}/revoke': {
    summary: 'Revoke active access',
    body: schemas.revokeBody,
    response: { status: 200, schema: schemas.requestView },
    errors: [400, 401, 403, 404, 409],
    accepted: 'The platform has not removed the access yet: still ACTIVE, the revocation pending and retried',
  },
  'GET /access': {
    summary: 'Who has access now; at an instant (?at); the history of a principal or a scope',
    query: schemas.accessQuery,
    response: { status: 200, schema: z.union([schemas.accessList, schemas.accessHistoryList]) },
    errors: [400, 401, 403],
  },
  'GET /access.csv': {
    summary: 'Who has access now or at ?at, as CSV',
    query: schemas.accessCsvQuery,
    response: { status: 200, csv: true },
    errors: [400, 401, 403],
  },
  'GET /audit.csv': {
    summary: 'Audit events between ?from and ?to, as CSV',
    query: schemas.auditCsvQuery,
    response: { status: 200, csv: true },
    errors: [400, 401, 403],
  },
  'GET /audit/verify': {
    summary: 'Verify every hash chain, the recorded stream heads and the latest anchor',
    response: { status: 200, schema: schemas.verifyView },
    errors: [401, 403],
  },
  'GET /transparency': {
    summary: 'The public transparency report (HTML; ?format=json for JSON)',
    query: schemas.transparencyQuery,
    response: { status: 200, schema: schemas.transparencyView, alsoHtml: true },
    errors: [400],
  },
  'GET /datasets': {
    summary: 'The dataset catalogue',
    response: { status: 200, schema: schemas.datasetList },
    errors: [401],
  },
  'PATCH /datasets/{id}': {
    summary: "Set a dataset's owners and its limit of concurrent holders (access-admin); audited",
    body: schemas.datasetPatchBody,
    response: { status: 200, schema: schemas.datasetUpdateView },
    errors: [400, 401, 403, 404],
  },
  'GET /audit': {
    summary: "A request's audit events",
    query: schemas.auditQuery,
    response: { status: 200, schema: schemas.auditList },
    errors: [400, 401, 403, 404],
  },
  'GET /principals': {
    summary: 'The directory',
    response: { status: 200, schema: schemas.principalList },
    errors: [401, 403],
  },
  'GET /approve/{token}': {
    summary: 'Approval page (decides nothing)',
    response: { status: 200, html: true },
    errors: [403, 404, 410],
  },
  'POST /approve/{token}': {
    summary: 'Decide through the approval link',
    form: schemas.approvalForm,
    response: { status: 200, html: true },
    errors: [400, 403, 404, 410],
  },
  'POST /slack/interactions': {
    summary: 'Slack buttons and dialogs (authenticated by Slack request signing, not a JWT)',
    form: schemas.slackInteractionForm,
    response: {
      status: 200,
      schema: schemas.slackInteractionAnswer,
      empty: 'A button click is acknowledged with an empty body and no content type; a dialog answers JSON',
    },
    errors: [400, 401, 503],
  },
  'POST /requests/{id}/extend': {
    summary:
      'Ask for more time on an active grant (holder); approvers decide through /decisions or their link',
    body: schemas.extendBody,
    response: { status: 200, schema: schemas.requestView },
    errors: [400, 401, 403, 404, 409],
  },
  'PATCH /principals/{id}': {
    summary: 'Change a principal (access-admin); deactivating or lapsing a holder revokes their grants now',
    body: schemas.principalPatchBody,
    response: { status: 200, schema: schemas.principalUpdateView },
    errors: [400, 401, 403, 404, 409],
  },
  'GET /review/{token}': {
    summary: 'Review page for a grant due for recertification (decides nothing)',
    response: { status: 200, html: true },
    errors: [403, 404, 410],
  },
  'POST /review/{token}': {
    summary: 'Keep or revoke through the review link',
    form: schemas.reviewForm,
    response: { status: 200, html: true },
    errors: [400, 403, 404, 409, 410],
  },
  'GET /me': {
    summary: 'The caller: who they are to Keyholder, what they may do, and the request limits',
    response: { status: 200, schema: schemas.meView },
    errors: [401, 403],
  },
  'GET /inbox': {
    summary: 'What waits for my decision (directors): requests, extensions and reviews, soonest due first',
    response: { status: 200, schema: schemas.inboxView },
    errors: [401, 403],
  },
  'GET /requests/{id}/timeline': {
    summary: "A request's history in plain words (whoever may see the request)",
    response: { status: 200, schema: schemas.requestTimelineView },
    errors: [401, 403, 404],
  },
  'POST /requests/{id}/reviews': {
    summary: 'Keep or revoke a grant due for recertification (eligible directors); revoke needs a comment',
    body: schemas.reviewBody,
    response: { status: 200, schema: schemas.requestView },
    errors: [400, 401, 403, 404, 409],
    accepted:
      'Revoked, but the platform has not removed the access yet: still ACTIVE, the revocation retried',
  },
  'POST /requests/{id}/break-glass-reviews': {
    summary:
      'Justified or not justified: a director other than the holder reviews break-glass access (comment required)',
    body: schemas.breakGlassReviewBody,
    response: { status: 200, schema: schemas.requestView },
    errors: [400, 401, 403, 404, 409],
  },
  'POST /principals/{id}/preview': {
    summary: 'What PATCH /principals/{id} with this body would do (access-admin); writes nothing',
    body: schemas.principalPatchBody,
    response: { status: 200, schema: schemas.principalPreviewView },
    errors: [400, 401, 403, 404],
  },
  'GET /access/timeline': {
    summary:
      'Grant intervals per scope over a window (default the last 7 days, at most 90) and admins over time',
    query: schemas.accessTimelineQuery,
    response: { status: 200, schema: schemas.accessTimelineView },
    errors: [400, 401, 403],
  },
  'GET /policy': {
    summary: 'The rules in force now, or at ?at (any signed-in principal: the rules are not secret)',
    query: schemas.policyQuery,
    response: { status: 200, schema: schemas.policyVersionView },
    errors: [400, 401, 403, 404],
  },
  'GET /policy/versions': {
    summary: 'Every policy version, oldest first (any signed-in principal)',
    response: { status: 200, schema: schemas.policyVersionList },
    errors: [401, 403],
  },
  'GET /policy/proposals': {
    summary: 'Every policy proposal, newest first (access-admins and directors)',
    response: { status: 200, schema: schemas.policyProposalList },
    errors: [401, 403],
  },
  'POST /policy/proposals': {
    summary: 'Propose a change to the rules (access-admins): a partial policy and a reason; answers the diff',
    body: schemas.policyProposalBody,
    response: { status: 201, schema: schemas.policyProposalView },
    errors: [400, 401, 403, 409, 503],
  },
  'POST /policy/proposals/{id}/decisions': {
    summary:
      'Approve or deny a proposal (another access-admin or a director, never the proposer); approval makes the next version',
    body: schemas.policyDecisionBody,
    response: { status: 200, schema: schemas.policyProposalView },
    errors: [400, 401, 403, 404, 409, 503],
  },
  'GET /health': { summary: 'Liveness', response: { status: 200, schema: schemas.healthView }, errors: [] },
  'GET /auth/config': {
    summary: 'How to sign in: the OpenID issuer, the audience, the public clients of the console and the CLI',
    response: { status: 200, schema: schemas.signInConfigView },
    errors: [],
  },
  'GET /openapi.json': { summary: 'This document', response: { status: 200 }, errors: [] },
  ...scimOperations(),
};

/**
 * SCIM 2.0 (RFC 7644): application/scim+json bodies, validated by the SCIM handler itself (lambdas/core/scim),
 * and only the list routes take query parameters (filter, startIndex, count, attributes, excludedAttributes).
 */
function scimOperations(): Record<string, Operation> {
  const resource = z.record(z.string(), z.unknown());
  const listQuery = z.object({
    filter: z.optional(z.string().check(z.maxLength(1024))),
    startIndex: z.optional(z.string()),
    count: z.optional(z.string()),
    attributes: z.optional(z.string()),
    excludedAttributes: z.optional(z.string()),
  });
  const operations: Record<string, Operation> = {
    'GET /scim/v2/ServiceProviderConfig': {
      summary: 'SCIM: service provider configuration',
      response: { status: 200 },
      errors: [401],
    },
    'GET /scim/v2/ResourceTypes': {
      summary: 'SCIM: resource types',
      response: { status: 200 },
      errors: [401],
    },
    'GET /scim/v2/Schemas': { summary: 'SCIM: schemas', response: { status: 200 }, errors: [401] },
  };
  for (const kind of ['Users', 'Groups']) {
    const one = kind.slice(0, -1);
    operations[`GET /scim/v2/${kind}`] = {
      summary: `SCIM: list or filter ${kind}`,
      query: listQuery,
      response: { status: 200 },
      errors: [400, 401],
    };
    operations[`POST /scim/v2/${kind}`] = {
      summary: `SCIM: create a ${one}`,
      body: resource,
      response: { status: 201 },
      errors: [400, 401, 409, 415, 503],
    };
    operations[`GET /scim/v2/${kind}/{id}`] = {
      summary: `SCIM: one ${one}`,
      response: { status: 200 },
      errors: [401, 404],
    };
    operations[`PUT /scim/v2/${kind}/{id}`] = {
      summary: `SCIM: replace a ${one}`,
      body: resource,
      response: { status: 200 },
      errors: [400, 401, 404, 412, 415, 503],
    };
    operations[`PATCH /scim/v2/${kind}/{id}`] = {
      summary: `SCIM: patch a ${one}`,
      body: resource,
      response: { status: 200 },
      errors: [400, 401, 404, 412, 415, 503],
    };
    operations[`DELETE /scim/v2/${kind}/{id}`] = {
      summary: `SCIM: delete a ${one} (a User is kept, inactive, for the audit)`,
      response: { status: 204 },
      errors: [401, 404, 412, 503],
    };
  }
  return operations;
}

const jsonSchema = (schema: z.ZodMiniType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/**
 * What an operation answers, by status. SCIM answers application/scim+json (its errors as ScimError, a DELETE 204
 * with no content); the link pages answer every error as an HTML page (errorPage / reviewErrorPage); the rest JSON.
 * A body over the gateway's limit (413) and a crash (500) may also come from the gateway, as {"message":...}.
 */
function responsesOf(operation: Operation, scim: boolean): Record<string, unknown> {
  const { response } = operation;
  const errorContent: Record<string, unknown> = response.html
    ? { 'text/html': { schema: { type: 'string' } } }
    : scim
      ? { 'application/scim+json': { schema: ref('ScimError') } }
      : { 'application/json': { schema: ref('Error') } };
  const gatewayContent: Record<string, unknown> =
    scim || response.html
      ? { ...errorContent, 'application/json': { schema: ref('GatewayMessage') } }
      : { 'application/json': { schema: { anyOf: [ref('Error'), ref('GatewayMessage')] } } };
  const schema = response.schema ? jsonSchema(response.schema) : {};
  const success = response.html
    ? { 'text/html': { schema: { type: 'string' } } }
    : response.csv
      ? { 'text/csv': { schema: { type: 'string' } } }
      : scim
        ? { 'application/scim+json': { schema } }
        : {
            'application/json': { schema },
            ...(response.alsoHtml ? { 'text/html': { schema: { type: 'string' } } } : {}),
          };
  const responses: Record<string, unknown> = {
    [response.status]:
      scim && response.status === 204
        ? { description: operation.summary }
        : {
            description: response.empty ? `${operation.summary}. ${response.empty}` : operation.summary,
            content: success,
            ...(response.empty ? { 'x-empty-body': true } : {}),
          },
  };
  if (operation.accepted) {
    responses[202] = { description: operation.accepted, content: { 'application/json': { schema } } };
  }
  // Every route refuses undeclared input (400) and an oversized body (413): the guard in handler.ts.
  for (const status of new Set([...operation.errors, 400]))
    responses[status] = { description: `Error ${status}`, content: errorContent };
  responses[413] = {
    description:
      'A body over the limit: the handler\'s guard, or the gateway ({"message":"Request Entity Too Large"})',
    content: gatewayContent,
  };
  responses[500] = {
    description:
      'Something went wrong on our side: the handler, or the gateway ({"message":"Internal Server Error"})',
    content: gatewayContent,
  };
  return responses;
}

export function openApiDocument(options: { readonly serverUrl?: string } = {}) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of ROUTES) {
    const key = `${route.method} ${route.path}`;
    const operation = OPERATIONS[key];
    if (!operation) throw new Error(`No OpenAPI operation for ${key}`);
    const parameters = [
      ...[...route.path.matchAll(/\{(\w+)\}/g)].map((match) => ({
        name: match[1],
        in: 'path',
        required: true,
        schema: { type: 'string' },
      })),
      ...Object.entries(operation.query?.shape ?? {}).map(([name, schema]) => ({
        name,
        in: 'query',
        required: !(schema as z.ZodMiniType).safeParse(undefined).success,
        schema: jsonSchema(schema as z.ZodMiniType),
      })),
    ];
    const scim = route.path.startsWith('/scim/');
    const responses = responsesOf(operation, scim);
    // A missing or invalid token never reaches the handler: API Gateway's JWT authorizer answers it, in its shape.
    if (route.auth === 'jwt') responses[401] = { $ref: '#/components/responses/JwtUnauthorized' };
    paths[route.path] ??= {};
    (paths[route.path] as Record<string, unknown>)[route.method.toLowerCase()] = {
      operationId: `${route.method.toLowerCase()}${route.path.replace(/[^A-Za-z]+(\w)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
      summary: operation.summary,
      security: route.auth === 'jwt' ? [{ bearer: [] }] : [],
      parameters,
      requestBody: operation.body
        ? {
            required: true,
            content: scim
              ? {
                  'application/scim+json': { schema: jsonSchema(operation.body) },
                  'application/json': { schema: jsonSchema(operation.body) },
                }
              : { 'application/json': { schema: jsonSchema(operation.body) } },
          }
        : operation.form
          ? {
              required: true,
              content: { 'application/x-www-form-urlencoded': { schema: jsonSchema(operation.form) } },
            }
          : undefined,
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Keyholder',
      version: '0.1.0',
      description: 'Governed, time-limited, capped and audited privileged access.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: serversOf(options.serverUrl),
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: {
        Error: jsonSchema(schemas.errorResponse),
        ScimError: jsonSchema(schemas.scimErrorResponse),
        GatewayMessage: jsonSchema(schemas.gatewayMessage),
      },
      responses: {
        JwtUnauthorized: {
          description:
            'No token, or one the JWT authorizer refuses: API Gateway\'s own body, {"message":"Unauthorized"}',
          content: {
            'application/json': {
              schema: { $ref: '#/components/schemas/GatewayMessage' },
              example: { message: 'Unauthorized' },
            },
          },
        },
      },
    },
    paths,
  };
}
