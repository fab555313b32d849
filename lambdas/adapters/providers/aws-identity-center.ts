// The `aws-identity-center` provider: a grant is an account assignment of the scope's permission set to the
// principal's Identity Center user (matched by userName = email), provisioned asynchronously and polled.
import {
  DescribeUserCommand,
  GetUserIdCommand,
  type IdentitystoreClient,
} from '@aws-sdk/client-identitystore';
import {
  type AccountAssignmentOperationStatus,
  CreateAccountAssignmentCommand,
  DeleteAccountAssignmentCommand,
  DescribeAccountAssignmentCreationStatusCommand,
  DescribeAccountAssignmentDeletionStatusCommand,
  ListAccountAssignmentsCommand,
  type SSOAdminClient,
} from '@aws-sdk/client-sso-admin';
import {
  type AccessAssignment,
  type AccessProvider,
  ProviderError,
  type ProviderOutcome,
  type ProvisioningTarget,
} from '../../core/access-provider.ts';
import type { Scope } from '../../core/model.ts';
import type { ProviderConfig } from '../../core/policy.ts';
import type { Directory } from '../../core/ports.ts';
import { backoffDelay, realSleep, type Sleep } from './retry.ts';

export type IdentityCenterConfig = Extract<ProviderConfig, { type: 'aws-identity-center' }>;

export interface IdentityCenterProviderOptions {
  readonly name: string;
  readonly config: IdentityCenterConfig;
  readonly ssoAdmin: SSOAdminClient;
  readonly identityStore: IdentitystoreClient;
  /** Maps Identity Center users back to principals (userName = principal email) when listing. */
  readonly directory: Pick<Directory, 'listPrincipals'>;
  readonly sleep?: Sleep;
  readonly random?: () => number;
  /** Attempts per AWS call when it is throttled or fails transiently. */
  readonly maxAttempts?: number;
  /** Status checks of one provisioning request before giving up (retryably). */
  readonly maxPolls?: number;
}

const CALL_BACKOFF = { baseDelayMs: 500, maxDelayMs: 8_000 };
const POLL_BACKOFF = { baseDelayMs: 500, maxDelayMs: 4_000 };
const DEFAULT_MAX_ATTEMPTS = 5;
const DEFAULT_MAX_POLLS = 15;

/**
 * Errors a retry can fix. SSO Admin's ConflictException means a concurrent write has not propagated yet
 * (AWS says: retry with backoff); an assignment that already exists is told apart before it gets here.
 */
const TRANSIENT_ERRORS = new Set([
  'ThrottlingException',
  'InternalServerException',
  'ConflictException',
  'ServiceUnavailableException',
  'TimeoutError',
  'RequestTimeout',
]);
const TRANSIENT_NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN']);

interface AwsErrorShape {
  readonly name?: string;
  readonly code?: string;
  readonly message?: string;
  readonly $retryable?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

function errorName(error: unknown): string | undefined {
  return (error as AwsErrorShape | undefined)?.name;
}

function isTransient(error: unknown): boolean {
  if (error instanceof ProviderError || typeof error !== 'object' || error === null) return false;
  const shape = error as AwsErrorShape;
  return (
    TRANSIENT_ERRORS.has(shape.name ?? '') ||
    Boolean(shape.$retryable) ||
    (shape.$metadata?.httpStatusCode ?? 0) >= 500 ||
    TRANSIENT_NETWORK_CODES.has(shape.code ?? '')
  );
}

function describeError(error: unknown): string {
  const shape = error as AwsErrorShape | undefined;
  return `${shape?.name ?? 'Error'}: ${shape?.message ?? String(error)}`;
}

export function createIdentityCenterProvider(options: IdentityCenterProviderOptions): AccessProvider {
  const { name, config, ssoAdmin, identityStore, directory } = options;
  const sleep = options.sleep ?? realSleep;
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const maxPolls = options.maxPolls ?? DEFAULT_MAX_POLLS;
  const callBackoff = { ...CALL_BACKOFF, random: options.random };
  const pollBackoff = { ...POLL_BACKOFF, random: options.random };
  // Identity store user ids never change for a user, so a warm Lambda resolves each person once.
  const userIdByEmail = new Map<string, string>();
  const userNameById = new Map<string, string>();

  /** Retries transient failures; a final transient failure is a retryable ProviderError, others pass through. */
  async function withRetries<T>(operation: string, call: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await call();
      } catch (error) {
        if (!isTransient(error)) throw error;
        if (attempt >= maxAttempts) {
          throw new ProviderError(
            name,
            `${operation}: ${describeError(error)} (gave up after ${attempt} attempts)`,
            true,
          );
        }
        await sleep(backoffDelay(attempt, callBackoff));
      }
    }
  }

  function asProviderError(operation: string, error: unknown): ProviderError {
    if (error instanceof ProviderError) return error;
    return new ProviderError(name, `${operation}: ${describeError(error)}`, false);
  }

  function permissionSetFor(scope: Scope): string {
    const arn = config.permissionSets[scope];
    if (!arn) throw new ProviderError(name, `no permission set is configured for scope ${scope}`, false);
    return arn;
  }

  async function userIdFor(email: string): Promise<string | undefined> {
    const cached = userIdByEmail.get(email);
    if (cached) return cached;
    try {
      const { UserId } = await withRetries('GetUserId', () =>
        identityStore.send(
          new GetUserIdCommand({
            IdentityStoreId: config.identityStoreId,
            AlternateIdentifier: { UniqueAttribute: { AttributePath: 'userName', AttributeValue: email } },
          }),
        ),
      );
      if (!UserId) return undefined;
      userIdByEmail.set(email, UserId);
      return UserId;
    } catch (error) {
      // Not cached: the user may be provisioned into Identity Center later.
      if (errorName(error) === 'ResourceNotFoundException') return undefined;
      throw asProviderError('GetUserId', error);
    }
  }

  async function userNameOf(userId: string): Promise<string | undefined> {
    const cached = userNameById.get(userId);
    if (cached) return cached;
    try {
      const { UserName } = await withRetries('DescribeUser', () =>
        identityStore.send(
          new DescribeUserCommand({ IdentityStoreId: config.identityStoreId, UserId: userId }),
        ),
      );
      if (UserName) userNameById.set(userId, UserName);
      return UserName;
    } catch (error) {
      if (errorName(error) === 'ResourceNotFoundException') return undefined;
      throw asProviderError('DescribeUser', error);
    }
  }

  async function assignmentsOf(permissionSetArn: string) {
    const found: { principalType: string; principalId: string }[] = [];
    let nextToken: string | undefined;
    do {
      const token = nextToken;
      const page = await withRetries('ListAccountAssignments', () =>
        ssoAdmin.send(
          new ListAccountAssignmentsCommand({
            InstanceArn: config.instanceArn,
            AccountId: config.accountId,
            PermissionSetArn: permissionSetArn,
            NextToken: token,
          }),
        ),
      );
      for (const assignment of page.AccountAssignments ?? []) {
        if (assignment.PrincipalId)
          found.push({
            principalType: assignment.PrincipalType ?? 'USER',
            principalId: assignment.PrincipalId,
          });
      }
      nextToken = page.NextToken;
    } while (nextToken);
    return found;
  }

  async function hasAssignment(permissionSetArn: string, userId: string): Promise<boolean> {
    const assignments = await assignmentsOf(permissionSetArn);
    return assignments.some((a) => a.principalType === 'USER' && a.principalId === userId);
  }

  /** Follows an asynchronous provisioning request to its end; FAILED and a bounded wait become ProviderErrors. */
  async function awaitCompletion(
    kind: 'creation' | 'deletion',
    initial: AccountAssignmentOperationStatus | undefined,
  ): Promise<string | undefined> {
    let status = initial;
    for (let poll = 1; status?.Status === 'IN_PROGRESS' && status.RequestId; poll++) {
      const requestId = status.RequestId;
      if (poll > maxPolls) {
        throw new ProviderError(
          name,
          `assignment ${kind} ${requestId} still IN_PROGRESS after ${maxPolls} status checks`,
          true,
        );
      }
      await sleep(backoffDelay(poll, pollBackoff));
      status =
        kind === 'creation'
          ? (
              await withRetries('DescribeAccountAssignmentCreationStatus', () =>
                ssoAdmin.send(
                  new DescribeAccountAssignmentCreationStatusCommand({
                    InstanceArn: config.instanceArn,
                    AccountAssignmentCreationRequestId: requestId,
                  }),
                ),
              )
            ).AccountAssignmentCreationStatus
          : (
              await withRetries('DescribeAccountAssignmentDeletionStatus', () =>
                ssoAdmin.send(
                  new DescribeAccountAssignmentDeletionStatusCommand({
                    InstanceArn: config.instanceArn,
                    AccountAssignmentDeletionRequestId: requestId,
                  }),
                ),
              )
            ).AccountAssignmentDeletionStatus;
    }
    if (status?.Status === 'FAILED') {
      // Provisioning failures are AWS-side (propagation, quotas): worth another try by the workflow or sweep.
      throw new ProviderError(
        name,
        `assignment ${kind} ${status.RequestId ?? ''} FAILED: ${status.FailureReason ?? 'no reason given'}`,
        true,
      );
    }
    return status?.RequestId;
  }

  function assignmentInput(permissionSetArn: string, userId: string) {
    return {
      InstanceArn: config.instanceArn,
      TargetId: config.accountId,
      TargetType: 'AWS_ACCOUNT' as const,
      PermissionSetArn: permissionSetArn,
      PrincipalType: 'USER' as const,
      PrincipalId: userId,
    };
  }

  async function grant(target: ProvisioningTarget): Promise<ProviderOutcome> {
    const permissionSetArn = permissionSetFor(target.scope);
    const userId = await userIdFor(target.principal.email);
    if (!userId) {
      throw new ProviderError(name, `no Identity Center user has userName ${target.principal.email}`, false);
    }
    try {
      const created = await withRetries('CreateAccountAssignment', async () => {
        try {
          const output = await ssoAdmin.send(
            new CreateAccountAssignmentCommand(assignmentInput(permissionSetArn, userId)),
          );
          return { status: output.AccountAssignmentCreationStatus };
        } catch (error) {
          if (errorName(error) === 'ConflictException' && (await hasAssignment(permissionSetArn, userId)))
            return { alreadyInPlace: true };
          throw error;
        }
      });
      if (created.alreadyInPlace) return { alreadyInPlace: true };
      return { reference: await awaitCompletion('creation', created.status), alreadyInPlace: false };
    } catch (error) {
      throw asProviderError('CreateAccountAssignment', error);
    }
  }

  async function revoke(target: ProvisioningTarget): Promise<ProviderOutcome> {
    const permissionSetArn = permissionSetFor(target.scope);
    const userId = await userIdFor(target.principal.email);
    // No user, no assignment: the access is already gone.
    if (!userId) return { alreadyInPlace: true };
    try {
      const output = await withRetries('DeleteAccountAssignment', () =>
        ssoAdmin.send(new DeleteAccountAssignmentCommand(assignmentInput(permissionSetArn, userId))),
      );
      return {
        reference: await awaitCompletion('deletion', output.AccountAssignmentDeletionStatus),
        alreadyInPlace: false,
      };
    } catch (error) {
      if (errorName(error) === 'ResourceNotFoundException') return { alreadyInPlace: true };
      throw asProviderError('DeleteAccountAssignment', error);
    }
  }

  async function list(): Promise<AccessAssignment[]> {
    try {
      const principals = await directory.listPrincipals();
      const principalByEmail = new Map(principals.map((p) => [p.email.toLowerCase(), p.id]));
      const found: AccessAssignment[] = [];
      for (const [scope, permissionSetArn] of Object.entries(config.permissionSets)) {
        for (const assignment of await assignmentsOf(permissionSetArn)) {
          found.push({
            principalId: await principalIdOf(assignment, principalByEmail),
            scope: scope as Scope,
          });
        }
      }
      return found;
    } catch (error) {
      throw asProviderError('ListAccountAssignments', error);
    }
  }

  async function principalIdOf(
    assignment: { principalType: string; principalId: string },
    principalByEmail: ReadonlyMap<string, string>,
  ): Promise<string> {
    // A group assignment gives its members access Keyholder never granted: report the group itself.
    if (assignment.principalType !== 'USER') return `${name}:group:${assignment.principalId}`;
    const userName = await userNameOf(assignment.principalId);
    const principalId = userName ? principalByEmail.get(userName.toLowerCase()) : undefined;
    return principalId ?? `${name}:${assignment.principalId}`;
  }

  return { name, type: 'aws-identity-center', grant, revoke, list };
}
