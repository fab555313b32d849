// SCIM User resources <-> principals: the known attributes (core, enterprise extension, Keyholder extension),
// normalised and type-checked, and which SCIM attribute is the principal id (KEYHOLDER_SCIM_PRINCIPAL_ID).
import { CLEARANCE_LEVELS, type Principal, ROLES, type Role, type ScimRecord } from '../model.ts';
import type { PrincipalClaim } from '../principal-claim.ts';
import { invalidValue } from './errors.ts';
import { memberOf } from './filter.ts';

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const KEYHOLDER_SCHEMA = 'urn:ietf:params:scim:schemas:extension:keyholder:2.0:User';
export const LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

export const SCIM_PRINCIPAL_IDS = ['userName', 'externalId'] as const;
export type ScimPrincipalId = (typeof SCIM_PRINCIPAL_IDS)[number];

/**
 * A principal as the User an identity provider would send: how the local seed provisions the directory and how a
 * principal made before SCIM (seeded, or by the API) is read, so a client can take it over. normaliseUser reads it back.
 */
export function userOfPrincipal(principal: Principal, idAttribute: ScimPrincipalId): Record<string, unknown> {
  const [givenName, ...family] = principal.name.trim().split(/\s+/);
  return {
    // The principal id under the configured attribute; with externalId (Entra ID's object id) the userName is the
    // sign-in name, as Entra ID's userPrincipalName is.
    userName: idAttribute === 'userName' ? principal.id : principal.email,
    ...(idAttribute === 'externalId' ? { externalId: principal.id } : {}),
    name: {
      formatted: principal.name,
      ...(family.length > 0 ? { givenName, familyName: family.join(' ') } : {}),
    },
    displayName: principal.name,
    emails: [{ value: principal.email, type: 'work', primary: true }],
    active: principal.active,
    [ENTERPRISE_SCHEMA]: { organization: principal.organisation },
    [KEYHOLDER_SCHEMA]: {
      grade: principal.grade,
      ...(principal.clearance
        ? { clearanceLevel: principal.clearance.level, clearanceExpiresAt: principal.clearance.expiresAt }
        : {}),
      ...(principal.slackUserId ? { slackUserId: principal.slackUserId } : {}),
    },
  };
}

/** The configured id attribute, or an error naming where it came from (`source`). */
export function parseScimPrincipalId(value: unknown, source: string): ScimPrincipalId {
  if (value === undefined || value === null || value === '') return 'userName';
  if (typeof value === 'string' && (SCIM_PRINCIPAL_IDS as readonly string[]).includes(value)) {
    return value as ScimPrincipalId;
  }
  throw new Error(`${source} must be one of ${SCIM_PRINCIPAL_IDS.join(', ')} (got ${JSON.stringify(value)})`);
}

/**
 * The SCIM id attribute and the token claim must name people the same way: Entra ID's object id is both
 * `externalId` (SCIM) and `oid` (token); a userName is the token's email / preferred_username / upn. `sub` is
 * taken with either (Cognito, Okta and the local stack put the directory id there).
 */
export function assertClaimAgrees(id: ScimPrincipalId, claim: PrincipalClaim): void {
  const agrees =
    claim === 'sub' ||
    (id === 'externalId' ? claim === 'oid' : ['email', 'preferred_username', 'upn'].includes(claim));
  if (!agrees) {
    throw new Error(
      `keyholder:scimPrincipalId ${id} does not agree with keyholder:principalClaim ${claim}: ` +
        (id === 'externalId' ? 'use oid or sub' : 'use email, preferred_username, upn or sub'),
    );
  }
}

/** Group display name -> role (policy or CDK context keyholder:scimGroupRoles); unmapped groups give nothing. */
export const DEFAULT_GROUP_ROLES: Readonly<Record<string, Role>> = {
  'Keyholder Access Admins': 'access-admin',
  'Keyholder Auditors': 'auditor',
};

export function parseGroupRoles(value: unknown, source: string): Readonly<Record<string, Role>> {
  if (value === undefined || value === null || value === '') return DEFAULT_GROUP_ROLES;
  const parsed = typeof value === 'string' ? safeJson(value) : value;
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error(`${source} must be a JSON object {"<group display name>": "<role>"}`);
  }
  for (const [group, role] of Object.entries(parsed)) {
    if (!(ROLES as readonly unknown[]).includes(role)) {
      throw new Error(
        `${source}: group ${JSON.stringify(group)} maps to ${JSON.stringify(role)}, not one of ${ROLES.join(', ')}`,
      );
    }
  }
  return parsed as Record<string, Role>;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

type Json = Record<string, unknown>;

const MAX_STRING = 512;
const MAX_EMAILS = 10;

function text(value: unknown, field: string, { required = false } = {}): string | undefined {
  if (value === undefined || value === null) {
    if (required) throw invalidValue(`${field} is required`);
    return undefined;
  }
  if (typeof value !== 'string') throw invalidValue(`${field} must be a string`);
  const trimmed = value.trim();
  // Control characters never belong in a directory attribute (and would end up in emails and logs).
  if ([...trimmed].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f))
    throw invalidValue(`${field} must not contain control characters`);
  if (trimmed.length > MAX_STRING) throw invalidValue(`${field} must be at most ${MAX_STRING} characters`);
  if (required && trimmed === '') throw invalidValue(`${field} must not be empty`);
  return trimmed === '' ? undefined : trimmed;
}

/** SCIM booleans, and Entra ID's "True" / "False" strings. */
function bool(value: unknown, field: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  throw invalidValue(`${field} must be a boolean`);
}

function object(value: unknown, field: string): Json | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidValue(`${field} must be an object`);
  return value as Json;
}

const compact = (value: Json): Json | undefined => {
  const entries = Object.entries(value).filter(([, member]) => member !== undefined);
  return entries.length ? Object.fromEntries(entries) : undefined;
};

/** The known attributes of a User, type-checked and normalised (unknown attributes are dropped, as RFC 7644 lets). */
export function normaliseUser(input: unknown): Json {
  const body = object(input, 'body');
  if (!body) throw invalidValue('a User must be an object');
  const name = object(memberOf(body, 'name'), 'name');
  const emailsIn = memberOf(body, 'emails');
  if (emailsIn !== undefined && emailsIn !== null && !Array.isArray(emailsIn))
    throw invalidValue('emails must be a list');
  if (Array.isArray(emailsIn) && emailsIn.length > MAX_EMAILS)
    throw invalidValue(`at most ${MAX_EMAILS} emails`);
  const emails = (Array.isArray(emailsIn) ? emailsIn : []).map((email, index) => {
    const item = object(email, `emails[${index}]`) ?? {};
    return compact({
      value: text(memberOf(item, 'value'), `emails[${index}].value`),
      type: text(memberOf(item, 'type'), `emails[${index}].type`)?.toLowerCase(),
      primary: bool(memberOf(item, 'primary'), `emails[${index}].primary`),
    });
  });
  const enterprise = object(memberOf(body, ENTERPRISE_SCHEMA), ENTERPRISE_SCHEMA) ?? {};
  const managerIn = memberOf(enterprise, 'manager');
  const manager =
    typeof managerIn === 'string'
      ? { value: text(managerIn, 'manager') }
      : compact({ value: text(memberOf(object(managerIn, 'manager') ?? {}, 'value'), 'manager.value') });
  const keyholder = object(memberOf(body, KEYHOLDER_SCHEMA), KEYHOLDER_SCHEMA) ?? {};
  const level = text(memberOf(keyholder, 'clearanceLevel'), 'clearanceLevel')?.toUpperCase();
  if (level !== undefined && !(CLEARANCE_LEVELS as readonly string[]).includes(level)) {
    throw invalidValue(`clearanceLevel must be one of ${CLEARANCE_LEVELS.join(', ')}`);
  }
  const expiresIn = text(memberOf(keyholder, 'clearanceExpiresAt'), 'clearanceExpiresAt');
  let clearanceExpiresAt: string | undefined;
  if (expiresIn !== undefined) {
    const ms = Date.parse(expiresIn);
    if (Number.isNaN(ms)) throw invalidValue('clearanceExpiresAt must be an ISO-8601 instant');
    clearanceExpiresAt = new Date(ms).toISOString();
  }
  return compact({
    userName: text(memberOf(body, 'userName'), 'userName', { required: true }),
    externalId: text(memberOf(body, 'externalId'), 'externalId'),
    name: name
      ? compact({
          formatted: text(memberOf(name, 'formatted'), 'name.formatted'),
          givenName: text(memberOf(name, 'givenName'), 'name.givenName'),
          familyName: text(memberOf(name, 'familyName'), 'name.familyName'),
        })
      : undefined,
    displayName: text(memberOf(body, 'displayName'), 'displayName'),
    title: text(memberOf(body, 'title'), 'title'),
    emails: emails.filter((email) => email !== undefined).length ? emails.filter(Boolean) : undefined,
    active: bool(memberOf(body, 'active'), 'active') ?? true,
    [ENTERPRISE_SCHEMA]: compact({
      organization: text(memberOf(enterprise, 'organization'), 'organization'),
      department: text(memberOf(enterprise, 'department'), 'department'),
      employeeNumber: text(memberOf(enterprise, 'employeeNumber'), 'employeeNumber'),
      manager,
    }),
    [KEYHOLDER_SCHEMA]: compact({
      grade: text(memberOf(keyholder, 'grade'), 'grade'),
      clearanceLevel: level,
      clearanceExpiresAt,
      slackUserId: text(memberOf(keyholder, 'slackUserId'), 'slackUserId'),
    }),
  }) as Json;
}

/**
 * The longest principal id, in characters: what the API's path parameters take (lambdas/http/request.ts), and
 * short enough for any encoding to stay within DynamoDB's key size (`PRINCIPAL#<id>`, a sort key: 1024 bytes).
 */
export const MAX_PRINCIPAL_ID = 200;

/** Whether `id` could name a principal or a Group at all: longer ones are looked up nowhere (no 500 from the store). */
export function fitsId(id: string): boolean {
  return id !== '' && id.length <= MAX_PRINCIPAL_ID;
}

/** The principal's id under the configured attribute; a User without it cannot be provisioned. */
export function principalIdOf(resource: Json, idAttribute: ScimPrincipalId): string {
  const id = resource[idAttribute];
  if (typeof id !== 'string' || id === '')
    throw invalidValue(`${idAttribute} is required: it is the principal id`);
  if (!fitsId(id))
    throw invalidValue(
      `${idAttribute} must be at most ${MAX_PRINCIPAL_ID} characters: it is the principal id`,
    );
  return id;
}

/** The principal fields a User gives (roles come from groups, not from the User). */
export function principalFieldsOf(resource: Json, homeOrganisation: string) {
  const name = resource.name as Json | undefined;
  const emails = (resource.emails as Json[] | undefined) ?? [];
  const email =
    emails.find((item) => item.primary === true)?.value ??
    emails.find((item) => item.type === 'work')?.value ??
    emails[0]?.value ??
    resource.userName;
  const enterprise = (resource[ENTERPRISE_SCHEMA] as Json | undefined) ?? {};
  const keyholder = (resource[KEYHOLDER_SCHEMA] as Json | undefined) ?? {};
  const given = [name?.givenName, name?.familyName].filter(Boolean).join(' ');
  return {
    name: String(resource.displayName ?? name?.formatted ?? (given || resource.userName)),
    email: String(email),
    organisation: String(enterprise.organization ?? homeOrganisation),
    grade: String(keyholder.grade ?? 'staff'),
    clearance:
      keyholder.clearanceLevel && keyholder.clearanceExpiresAt
        ? {
            level: keyholder.clearanceLevel as (typeof CLEARANCE_LEVELS)[number],
            expiresAt: String(keyholder.clearanceExpiresAt),
          }
        : null,
    slackUserId: (keyholder.slackUserId as string | undefined) ?? null,
    active: resource.active !== false,
  };
}

/** The User as a SCIM client reads it: the stored resource, the id, `schemas` and `meta` (version: the chain seq). */
export function userView(principal: Principal, record: ScimRecord, baseUrl: string, version: number): Json {
  const resource = record.resource as Json;
  const schemas = [USER_SCHEMA];
  if (resource[ENTERPRISE_SCHEMA]) schemas.push(ENTERPRISE_SCHEMA);
  if (resource[KEYHOLDER_SCHEMA]) schemas.push(KEYHOLDER_SCHEMA);
  return {
    schemas,
    id: principal.id,
    ...resource,
    active: principal.active,
    meta: {
      resourceType: 'User',
      created: record.created,
      lastModified: record.lastModified,
      location: `${baseUrl}/Users/${encodeURIComponent(principal.id)}`,
      version: `W/"${version}"`,
    },
  };
}
