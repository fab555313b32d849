// /scim/v2: Keyholder as a SCIM 2.0 service provider (RFC 7643/7644) for Entra ID and Okta provisioning. One
// function for every SCIM route; authenticated by the provisioning client's bearer secret (no JWT authorizer),
// every change audited as `scim:<client>`. Errors answer in the SCIM error shape, as application/scim+json.
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { DynamoDbScimGroups } from '../../adapters/dynamodb/scim-groups.ts';
import { clientOf, scimTokenLoader } from '../../adapters/scim-tokens.ts';
import { documentClient } from '../../commons/clients.ts';
import { ENV, readConfig } from '../../commons/config.ts';
import { mailProvisioningDependencies } from '../../commons/mail-provisioning-dependencies.ts';
import { logger } from '../../commons/observability.ts';
import { readPolicyInForceFromInjected } from '../../commons/policy-in-force.ts';
import { secretsManagerClient } from '../../commons/secrets-manager-client.ts';
import { KeyholderError } from '../../core/errors.ts';
import { parsePrincipalClaim } from '../../core/principal-claim.ts';
import { invalidSyntax, invalidValue, SCIM_ERROR_SCHEMA, ScimError } from '../../core/scim/errors.ts';
import {
  assertClaimAgrees,
  ENTERPRISE_SCHEMA,
  GROUP_SCHEMA,
  KEYHOLDER_SCHEMA,
  LIST_SCHEMA,
  parseGroupRoles,
  parseScimPrincipalId,
  USER_SCHEMA,
} from '../../core/scim/user.ts';
import { httpHandler } from '../../http/handler.ts';
import { duplicateKeyIn, type HttpEvent } from '../../http/request.ts';
import * as scim from '../../use-cases/scim.ts';

type HttpResult = APIGatewayProxyStructuredResultV2;

export const SCIM_CONTENT_TYPE = 'application/scim+json';
const QUERY_PARAMETERS = new Set(['filter', 'startIndex', 'count', 'attributes', 'excludedAttributes']);

const tokens = scimTokenLoader({ env: process.env, secretsManager: secretsManagerClient });

function scimResponse(status: number, body?: unknown, headers: Record<string, string> = {}): HttpResult {
  return {
    statusCode: status,
    headers: {
      'content-type': `${SCIM_CONTENT_TYPE}; charset=utf-8`,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      ...headers,
    },
    body: body === undefined ? '' : JSON.stringify(body),
  };
}

/** Every failure as a SCIM error; a contract-guard or domain error keeps its status. */
export function scimError(error: unknown): HttpResult {
  let status = 500;
  let scimType: string | undefined;
  let detail = 'internal error';
  if (error instanceof ScimError) {
    status = error.status;
    scimType = error.scimType;
    detail = error.message;
  } else if (error instanceof KeyholderError) {
    status = {
      validation: 400,
      unauthenticated: 401,
      forbidden: 403,
      'not-found': 404,
      conflict: 409,
      gone: 410,
      'too-large': 413,
      unavailable: 503,
    }[error.kind];
    scimType =
      error.kind === 'validation' ? 'invalidValue' : error.kind === 'conflict' ? 'uniqueness' : undefined;
    detail = error.message;
  } else if ((error as Error | undefined)?.name === 'ConcurrentChangeError') {
    status = 503;
    detail = 'the resource is changing right now; nothing was written, try again';
  } else {
    logger.error('SCIM call failed', { error: (error as Error | undefined)?.message });
  }
  return scimResponse(
    status,
    {
      schemas: [SCIM_ERROR_SCHEMA],
      status: String(status),
      ...(scimType ? { scimType } : {}),
      detail,
    },
    status === 401 ? { 'www-authenticate': 'Bearer realm="scim"' } : {},
  );
}

function body(event: HttpEvent): unknown {
  const type = (event.headers?.['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== SCIM_CONTENT_TYPE && type !== 'application/json') {
    throw new ScimError(415, undefined, `content-type must be ${SCIM_CONTENT_TYPE}`);
  }
  const text = event.isBase64Encoded
    ? Buffer.from(event.body ?? '', 'base64').toString('utf8')
    : (event.body ?? '');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalidSyntax('the body is not JSON');
  }
  if (duplicateKeyIn(text) !== undefined) throw invalidSyntax('the body names an attribute twice');
  return parsed;
}

function query(event: HttpEvent, allowed: boolean): scim.ListQuery {
  const parameters = event.queryStringParameters ?? {};
  for (const name of Object.keys(parameters)) {
    if (!allowed || !QUERY_PARAMETERS.has(name)) throw invalidValue(`unknown query parameter ${name}`);
  }
  return { filter: parameters.filter, startIndex: parameters.startIndex, count: parameters.count };
}

function noBody(event: HttpEvent): void {
  if (event.body) throw invalidSyntax('this request takes no body');
}

let context: scim.ScimContext | undefined;
function scimContext(): scim.ScimContext {
  if (context) return context;
  const idAttribute = parseScimPrincipalId(process.env[ENV.scimPrincipalId], ENV.scimPrincipalId);
  assertClaimAgrees(idAttribute, parsePrincipalClaim(process.env[ENV.principalClaim], ENV.principalClaim));
  const config = readConfig();
  context = {
    deps: mailProvisioningDependencies(),
    groups: new DynamoDbScimGroups(documentClient(), config),
    idAttribute,
    groupRoles: parseGroupRoles(process.env[ENV.scimGroupRoles], ENV.scimGroupRoles),
    baseUrl: `${config.publicBaseUrl.replace(/\/$/, '')}/scim/v2`,
  };
  return context;
}

/** Tests wire their own dependencies (undefined: back to the environment's). */
export function useScimContext(wired: scim.ScimContext | undefined): void {
  context = wired;
  readPolicyInForceFromInjected(wired && (async () => wired.deps.policySource?.current()));
}

async function authenticate(event: HttpEvent): Promise<{ provisioner: string }> {
  const header = event.headers?.authorization ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  const client = clientOf(await tokens(), match?.[1]);
  if (!client) throw new ScimError(401, undefined, 'a valid provisioning bearer secret is required');
  return { provisioner: client };
}

const discovery = (base: string) => ({
  serviceProviderConfig: {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
    documentationUri: 'https://github.com/keyholder/keyholder#provisioning-from-entra-id--okta',
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: scim.MAX_PAGE },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: true },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'Bearer secret',
        description: 'A per-client bearer secret',
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${base}/ServiceProviderConfig` },
  },
  resourceTypes: [
    {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
      id: 'User',
      name: 'User',
      endpoint: '/Users',
      schema: USER_SCHEMA,
      schemaExtensions: [
        { schema: ENTERPRISE_SCHEMA, required: false },
        { schema: KEYHOLDER_SCHEMA, required: false },
      ],
      meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/User` },
    },
    {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
      id: 'Group',
      name: 'Group',
      endpoint: '/Groups',
      schema: GROUP_SCHEMA,
      meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/Group` },
    },
  ],
  schemas: [
    schemaOf(USER_SCHEMA, 'User', ['userName', 'externalId', 'displayName', 'title', 'active'], {
      name: ['givenName', 'familyName', 'formatted'],
      emails: ['value', 'type', 'primary'],
    }),
    schemaOf(GROUP_SCHEMA, 'Group', ['displayName', 'externalId'], { members: ['value'] }),
    schemaOf(ENTERPRISE_SCHEMA, 'EnterpriseUser', ['organization', 'department', 'employeeNumber'], {
      manager: ['value'],
    }),
    schemaOf(
      KEYHOLDER_SCHEMA,
      'KeyholderUser',
      ['grade', 'clearanceLevel', 'clearanceExpiresAt', 'slackUserId'],
      {},
    ),
  ],
});

function schemaOf(id: string, name: string, simple: string[], complex: Record<string, string[]>) {
  const attribute = (attr: string) => ({
    name: attr,
    type:
      attr === 'active' || attr === 'primary'
        ? 'boolean'
        : attr === 'clearanceExpiresAt'
          ? 'dateTime'
          : 'string',
    multiValued: false,
    required: attr === 'userName' || (name === 'Group' && attr === 'displayName'),
    caseExact: attr === 'externalId',
    mutability: 'readWrite',
    returned: 'default',
    uniqueness: attr === 'userName' ? 'server' : 'none',
    ...(attr === 'clearanceLevel' ? { canonicalValues: ['BPSS', 'SC', 'DV'] } : {}),
  });
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:Schema'],
    id,
    name,
    attributes: [
      ...simple.map(attribute),
      ...Object.entries(complex).map(([attr, subs]) => ({
        name: attr,
        type: 'complex',
        multiValued: attr === 'emails' || attr === 'members',
        required: false,
        mutability: 'readWrite',
        returned: 'default',
        subAttributes: subs.map(attribute),
      })),
    ],
    meta: { resourceType: 'Schema', location: `/Schemas/${id}` },
  };
}

const list = (resources: readonly unknown[]) => ({
  schemas: [LIST_SCHEMA],
  totalResults: resources.length,
  startIndex: 1,
  itemsPerPage: resources.length,
  Resources: resources,
});

const etagOf = (resource: Record<string, unknown>): Record<string, string> => {
  const version = (resource.meta as { version?: string } | undefined)?.version;
  return version ? { etag: version } : {};
};

export async function handleScim(event: HttpEvent): Promise<HttpResult> {
  const client = await authenticate(event);
  const ctx = scimContext();
  const id = event.pathParameters?.id ?? '';
  const ifMatch = event.headers?.['if-match'];
  const route = event.routeKey.replace(/^(\w+) \/scim\/v2/, '$1 ');
  const simple = !['GET /Users', 'GET /Groups'].includes(route);
  const q = query(event, !simple);
  if (['GET', 'DELETE'].includes(route.split(' ')[0] ?? '')) noBody(event);
  const user = (resource: Record<string, unknown>, status = 200) =>
    scimResponse(status, resource, etagOf(resource));
  switch (route) {
    case 'GET /ServiceProviderConfig':
      return scimResponse(200, discovery(ctx.baseUrl).serviceProviderConfig);
    case 'GET /ResourceTypes':
      return scimResponse(200, list(discovery(ctx.baseUrl).resourceTypes));
    case 'GET /Schemas':
      return scimResponse(200, list(discovery(ctx.baseUrl).schemas));
    case 'GET /Users':
      return scimResponse(200, await scim.listUsers(ctx, q));
    case 'POST /Users': {
      const created = await scim.createUser(ctx, client, body(event));
      return scimResponse(201, created, {
        ...etagOf(created),
        location: String((created.meta as { location: string }).location),
      });
    }
    case 'GET /Users/{id}':
      return user(await scim.getUser(ctx, id));
    case 'PUT /Users/{id}':
      return user(await scim.replaceUser(ctx, client, id, body(event), ifMatch));
    case 'PATCH /Users/{id}':
      return user(await scim.patchUser(ctx, client, id, body(event), ifMatch));
    case 'DELETE /Users/{id}':
      await scim.deleteUser(ctx, client, id, ifMatch);
      return scimResponse(204);
    case 'GET /Groups':
      return scimResponse(200, await scim.listGroups(ctx, q));
    case 'POST /Groups':
      return scimResponse(201, await scim.createGroup(ctx, client, body(event)));
    case 'GET /Groups/{id}':
      return scimResponse(200, await scim.getGroup(ctx, id));
    case 'PUT /Groups/{id}':
      return scimResponse(200, await scim.replaceGroup(ctx, client, id, body(event)));
    case 'PATCH /Groups/{id}':
      return scimResponse(200, await scim.patchGroup(ctx, client, id, body(event)));
    case 'DELETE /Groups/{id}':
      await scim.deleteGroup(ctx, client, id);
      return scimResponse(204);
    default:
      throw new ScimError(404, undefined, `no SCIM endpoint ${event.routeKey}`);
  }
}

export const handler = httpHandler(handleScim, scimError);
