// Builds the CDK app from context values; shared by bin/app.ts (cdk synth) and local/synthesize.ts (local stack).
import { App } from 'aws-cdk-lib';
import { resolvePolicy } from '../lambdas/core/policy.ts';
import { parsePrincipalClaim } from '../lambdas/core/principal-claim.ts';
import { assertClaimAgrees, parseGroupRoles, parseScimPrincipalId } from '../lambdas/core/scim/user.ts';
import { DEFAULT_API_THROTTLE } from './http-api.ts';
import { KeyholderStack } from './keyholder-stack.ts';
import { sweepRateFrom } from './sweep.ts';

export const CONTEXT_KEYS = {
  policy: 'keyholder:policy',
  jwtIssuer: 'keyholder:jwtIssuer',
  jwtAudience: 'keyholder:jwtAudience',
  mailFrom: 'keyholder:mailFrom',
  publicBaseUrl: 'keyholder:publicBaseUrl',
  sesConfigurationSet: 'keyholder:sesConfigurationSet',
  /** How often the scheduled sweep runs, e.g. PT15M (the default). */
  sweepRate: 'keyholder:sweepRate',
  /** `true` turns Slack on (the stack creates the app's secret); `keyholder:slackSecretName` names it. */
  slack: 'keyholder:slack',
  slackSecretName: 'keyholder:slackSecretName',
  /** The domain SES receives reply-to-decide emails for (its MX must point at SES inbound). */
  inboundMailDomain: 'keyholder:inboundMailDomain',
  /** API stage throttling: steady requests per second and burst, for all routes together (50 and 100). */
  apiRateLimit: 'keyholder:apiRateLimit',
  apiBurstLimit: 'keyholder:apiBurstLimit',
  /** The access-token claim that is the principal id: sub (default), oid (Entra ID), email, preferred_username, upn. */
  principalClaim: 'keyholder:principalClaim',
  /** Public clients GET /auth/config names for `keyholder login` and the console, and the scopes they ask for. */
  cliClientId: 'keyholder:cliClientId',
  consoleClientId: 'keyholder:consoleClientId',
  signInScopes: 'keyholder:signInScopes',
  /** The console's custom domain and its ACM certificate (in us-east-1, as CloudFront requires); both or neither. */
  consoleDomain: 'keyholder:consoleDomain',
  consoleCertificateArn: 'keyholder:consoleCertificateArn',
  /** The built console to deploy (a directory with index.html). @default web/dist, a placeholder page if unbuilt */
  consoleAssets: 'keyholder:consoleAssets',
  /**
   * SCIM provisioning: which User attribute is the principal id, userName or externalId (Entra ID's object id); it
   * must agree with keyholder:principalClaim. @default externalId when the claim is oid, else userName
   */
  scimPrincipalId: 'keyholder:scimPrincipalId',
  /** SCIM group display name -> role, JSON. @default {"Keyholder Access Admins":"access-admin","Keyholder Auditors":"auditor"} */
  scimGroupRoles: 'keyholder:scimGroupRoles',
} as const;

export const STACK_ID = 'Keyholder';

export interface KeyholderApp {
  readonly app: App;
  readonly stack: KeyholderStack;
}

export interface BuildOptions {
  /** Where the cloud assembly goes. @default CDK's default (cdk.out under the CLI, a temp dir otherwise) */
  readonly outdir?: string;
  /**
   * CDK's built-in CloudFormation template validation (a WebAssembly engine: seconds per synth).
   * @default true — `cdk synth` keeps it; the local stack and most tests turn it off for speed.
   */
  readonly validation?: boolean;
}

/**
 * `context` is merged under what the CDK CLI passes (cdk.json, `-c`), as App does. Missing or malformed values
 * fail here, naming the context key, instead of producing a stack that cannot work.
 */
export function buildKeyholderApp(
  context: Record<string, unknown> = {},
  options: BuildOptions = {},
): KeyholderApp {
  const validation = options.validation ?? true;
  const app = new App({
    context,
    outdir: options.outdir,
    builtinCloudFormationValidation: validation,
  });
  const read = (key: string): unknown => app.node.tryGetContext(key);
  const principalClaim = parsePrincipalClaim(
    read(CONTEXT_KEYS.principalClaim),
    `CDK context "${CONTEXT_KEYS.principalClaim}"`,
  );

  const stack = new KeyholderStack(app, STACK_ID, {
    description: 'Keyholder: governed, time-limited, capped and audited access to sensitive data',
    policy: resolvePolicy(parsePolicy(read(CONTEXT_KEYS.policy)), `CDK context "${CONTEXT_KEYS.policy}"`),
    jwtIssuer: requiredString(CONTEXT_KEYS.jwtIssuer, read(CONTEXT_KEYS.jwtIssuer)),
    jwtAudience: stringList(CONTEXT_KEYS.jwtAudience, read(CONTEXT_KEYS.jwtAudience)),
    mailFrom: requiredString(CONTEXT_KEYS.mailFrom, read(CONTEXT_KEYS.mailFrom)),
    publicBaseUrl: optionalString(CONTEXT_KEYS.publicBaseUrl, read(CONTEXT_KEYS.publicBaseUrl)),
    sesConfigurationSetName: optionalString(
      CONTEXT_KEYS.sesConfigurationSet,
      read(CONTEXT_KEYS.sesConfigurationSet),
    ),
    sweepRate: sweepRateFrom(read(CONTEXT_KEYS.sweepRate), CONTEXT_KEYS.sweepRate),
    slack: flag(CONTEXT_KEYS.slack, read(CONTEXT_KEYS.slack))
      ? { secretName: optionalString(CONTEXT_KEYS.slackSecretName, read(CONTEXT_KEYS.slackSecretName)) }
      : undefined,
    inboundMailDomain: domainName(CONTEXT_KEYS.inboundMailDomain, read(CONTEXT_KEYS.inboundMailDomain)),
    signIn: {
      principalClaim,
      cliClientId: optionalString(CONTEXT_KEYS.cliClientId, read(CONTEXT_KEYS.cliClientId)),
      consoleClientId: optionalString(CONTEXT_KEYS.consoleClientId, read(CONTEXT_KEYS.consoleClientId)),
      scopes: scopeList(CONTEXT_KEYS.signInScopes, read(CONTEXT_KEYS.signInScopes)),
    },
    console: {
      domain: consoleDomain(read(CONTEXT_KEYS.consoleDomain), read(CONTEXT_KEYS.consoleCertificateArn)),
      assets: optionalString(CONTEXT_KEYS.consoleAssets, read(CONTEXT_KEYS.consoleAssets)),
    },
    scim: scimSettings(read(CONTEXT_KEYS.scimPrincipalId), read(CONTEXT_KEYS.scimGroupRoles), principalClaim),
    apiThrottle: {
      rateLimit:
        positiveNumber(CONTEXT_KEYS.apiRateLimit, read(CONTEXT_KEYS.apiRateLimit)) ??
        DEFAULT_API_THROTTLE.rateLimit,
      burstLimit:
        positiveNumber(CONTEXT_KEYS.apiBurstLimit, read(CONTEXT_KEYS.apiBurstLimit)) ??
        DEFAULT_API_THROTTLE.burstLimit,
    },
  });
  return { app, stack };
}

/** `-c keyholder:policy='{"externalAdminCap":3}'` arrives as a string; cdk.json gives an object. */
function parsePolicy(value: unknown): unknown {
  if (value === undefined || value === '') return {};
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch (error) {
    throw new Error(`CDK context "${CONTEXT_KEYS.policy}" is not valid JSON: ${(error as Error).message}`);
  }
}

/** The SCIM id attribute (agreeing with the sign-in claim) and the group mapping, or an error naming the key. */
function scimSettings(
  principalIdValue: unknown,
  groupRolesValue: unknown,
  principalClaim: ReturnType<typeof parsePrincipalClaim>,
) {
  const principalId =
    principalIdValue === undefined || principalIdValue === null || principalIdValue === ''
      ? principalClaim === 'oid'
        ? 'externalId'
        : 'userName'
      : parseScimPrincipalId(principalIdValue, `CDK context "${CONTEXT_KEYS.scimPrincipalId}"`);
  assertClaimAgrees(principalId, principalClaim); // its message names both keys
  const groupRoles = parseGroupRoles(groupRolesValue, `CDK context "${CONTEXT_KEYS.scimGroupRoles}"`);
  for (const group of Object.keys(groupRoles)) {
    if (group.trim() === '' || group.length > 256) {
      throw new Error(
        `CDK context "${CONTEXT_KEYS.scimGroupRoles}": a group display name must be 1 to 256 characters`,
      );
    }
  }
  return { principalId, groupRoles };
}

function requiredString(key: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new Error(`CDK context "${key}" must be set to a non-empty string (cdk.json or -c ${key}=...)`);
  }
  return value.trim();
}

function optionalString(key: string, value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  return requiredString(key, value);
}

/** One audience or several: a JSON array, or a comma-separated string from the command line. */
function stringList(key: string, value: unknown): string[] {
  const items = Array.isArray(value) ? value : requiredString(key, value).split(',');
  const list = items.map((item) => requiredString(key, item));
  if (list.length === 0) throw new Error(`CDK context "${key}" must name at least one value`);
  return list;
}

/** OAuth scopes: a JSON array, or one space- or comma-separated string; each without white space inside. */
function scopeList(key: string, value: unknown): string[] | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const items = Array.isArray(value) ? value : requiredString(key, value).split(/[\s,]+/);
  const scopes = items.map((item) => requiredString(key, item));
  if (!scopes.includes('openid') || scopes.some((scope) => /\s/.test(scope))) {
    throw new Error(
      `CDK context "${key}" must list OAuth scopes including openid, e.g. "openid profile offline_access"`,
    );
  }
  return scopes;
}

/** `-c keyholder:apiRateLimit=20` arrives as a string, cdk.json may give a number. */
function positiveNumber(key: string, value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const number = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(number) || number <= 0)
    throw new Error(`CDK context "${key}" must be a positive number`);
  return number;
}

/** `-c keyholder:slack=true` arrives as a string, cdk.json may give a boolean. */
function flag(key: string, value: unknown): boolean {
  if (value === undefined || value === null || value === '' || value === false || value === 'false')
    return false;
  if (value === true || value === 'true') return true;
  throw new Error(`CDK context "${key}" must be true or false`);
}

function domainName(key: string, value: unknown): string | undefined {
  const domain = optionalString(key, value)?.toLowerCase();
  if (
    domain !== undefined &&
    !/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(domain)
  ) {
    throw new Error(`CDK context "${key}" must be a domain name such as replies.example.org`);
  }
  return domain;
}

/** CloudFront takes certificates from ACM in us-east-1 only, whatever the stack's region. */
const US_EAST_1_CERTIFICATE = /^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/[0-9a-f-]{36}$/;

function consoleDomain(
  domainValue: unknown,
  certificateValue: unknown,
): { name: string; certificateArn: string } | undefined {
  const name = domainName(CONTEXT_KEYS.consoleDomain, domainValue);
  const certificateArn = optionalString(CONTEXT_KEYS.consoleCertificateArn, certificateValue);
  if (name === undefined && certificateArn === undefined) return undefined;
  if (name === undefined) {
    throw new Error(
      `CDK context "${CONTEXT_KEYS.consoleCertificateArn}" is set without "${CONTEXT_KEYS.consoleDomain}": ` +
        'set both (the console domain and its certificate) or neither',
    );
  }
  if (certificateArn === undefined) {
    throw new Error(
      `CDK context "${CONTEXT_KEYS.consoleDomain}" needs "${CONTEXT_KEYS.consoleCertificateArn}": the ARN of an ` +
        'ACM certificate for that domain in us-east-1',
    );
  }
  if (!US_EAST_1_CERTIFICATE.test(certificateArn)) {
    throw new Error(
      `CDK context "${CONTEXT_KEYS.consoleCertificateArn}" must be an ACM certificate ARN in us-east-1 ` +
        '(CloudFront requires it), e.g. arn:aws:acm:us-east-1:123456789012:certificate/<id>',
    );
  }
  return { name, certificateArn };
}
