// An in-memory IAM Identity Center on aws-sdk-client-mock: account assignments that really appear and vanish,
// asynchronous provisioning statuses, paginated lists, an identity store of users, and failures on demand.
import {
  DescribeUserCommand,
  GetUserIdCommand,
  IdentitystoreClient,
  ResourceNotFoundException as UserNotFoundException,
} from '@aws-sdk/client-identitystore';
import {
  AccessDeniedException,
  ConflictException,
  CreateAccountAssignmentCommand,
  DeleteAccountAssignmentCommand,
  DescribeAccountAssignmentCreationStatusCommand,
  DescribeAccountAssignmentDeletionStatusCommand,
  ListAccountAssignmentsCommand,
  ResourceNotFoundException,
  SSOAdminClient,
  ThrottlingException,
} from '@aws-sdk/client-sso-admin';
import { mockClient } from 'aws-sdk-client-mock';

export const INSTANCE_ARN = 'arn:aws:sso:::instance/ssoins-1111111111111111';
export const IDENTITY_STORE_ID = 'd-1111111111';
export const ACCOUNT_ID = '111122223333';

export interface FakeUser {
  readonly userId: string;
  readonly userName: string;
}

export interface FakeAssignment {
  readonly permissionSetArn: string;
  readonly principalType: 'USER' | 'GROUP';
  readonly principalId: string;
}

export type FakeFailure = 'throttle' | 'denied' | 'conflict';

const metadata = { $metadata: {} };
const failureOf: Record<FakeFailure, () => Error> = {
  throttle: () => new ThrottlingException({ message: 'Rate exceeded', ...metadata }),
  denied: () => new AccessDeniedException({ message: 'not authorised to perform sso:*', ...metadata }),
  conflict: () => new ConflictException({ message: 'operation in progress', ...metadata }),
};

const keyOf = (a: FakeAssignment) => `${a.permissionSetArn}|${a.principalType}|${a.principalId}`;

export function createFakeIdentityCenter(options: { users: readonly FakeUser[]; pageSize?: number }) {
  const clientConfig = { region: 'eu-west-2', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
  const ssoAdmin = new SSOAdminClient(clientConfig);
  const identityStore = new IdentitystoreClient(clientConfig);
  const sso = mockClient(ssoAdmin);
  const store = mockClient(identityStore);
  const pageSize = options.pageSize ?? 2;
  const held = new Map<string, FakeAssignment>();
  const operations = new Map<string, { status: 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED'; polls: number }>();
  const failures: FakeFailure[] = [];
  /** Provisioning outcomes to hand out, in order: FAILED, or a number of polls it stays IN_PROGRESS. */
  const provisioning: ('FAILED' | number)[] = [];
  let counter = 0;

  function maybeFail(): void {
    const failure = failures.shift();
    if (failure) throw failureOf[failure]();
  }

  function startOperation(apply: () => void): { Status: 'IN_PROGRESS'; RequestId: string } {
    const requestId = `req-${++counter}`;
    const plan = provisioning.shift() ?? 1;
    if (plan === 'FAILED') operations.set(requestId, { status: 'FAILED', polls: 0 });
    else {
      apply();
      operations.set(requestId, { status: 'IN_PROGRESS', polls: plan });
    }
    return { Status: 'IN_PROGRESS', RequestId: requestId };
  }

  function describeOperation(requestId: string | undefined) {
    const operation = operations.get(requestId ?? '');
    if (!operation) throw new ResourceNotFoundException({ message: `no request ${requestId}`, ...metadata });
    if (operation.status === 'IN_PROGRESS' && --operation.polls <= 0) operation.status = 'SUCCEEDED';
    return {
      Status: operation.status,
      RequestId: requestId,
      ...(operation.status === 'FAILED'
        ? { FailureReason: 'Received a 404 status error: permission set not provisioned' }
        : {}),
    };
  }

  sso.on(CreateAccountAssignmentCommand).callsFake((input) => {
    maybeFail();
    const assignment: FakeAssignment = {
      permissionSetArn: input.PermissionSetArn,
      principalType: input.PrincipalType,
      principalId: input.PrincipalId,
    };
    if (held.has(keyOf(assignment)))
      throw new ConflictException({ message: 'assignment already exists', ...metadata });
    return { AccountAssignmentCreationStatus: startOperation(() => held.set(keyOf(assignment), assignment)) };
  });
  sso.on(DeleteAccountAssignmentCommand).callsFake((input) => {
    maybeFail();
    const key = keyOf({
      permissionSetArn: input.PermissionSetArn,
      principalType: input.PrincipalType,
      principalId: input.PrincipalId,
    });
    if (!held.has(key)) throw new ResourceNotFoundException({ message: 'no such assignment', ...metadata });
    return { AccountAssignmentDeletionStatus: startOperation(() => held.delete(key)) };
  });
  sso.on(DescribeAccountAssignmentCreationStatusCommand).callsFake((input) => {
    maybeFail();
    return { AccountAssignmentCreationStatus: describeOperation(input.AccountAssignmentCreationRequestId) };
  });
  sso.on(DescribeAccountAssignmentDeletionStatusCommand).callsFake((input) => {
    maybeFail();
    return { AccountAssignmentDeletionStatus: describeOperation(input.AccountAssignmentDeletionRequestId) };
  });
  sso.on(ListAccountAssignmentsCommand).callsFake((input) => {
    maybeFail();
    const matching = [...held.values()].filter((a) => a.permissionSetArn === input.PermissionSetArn);
    const offset = Number(input.NextToken ?? '0');
    const page = matching.slice(offset, offset + pageSize);
    return {
      AccountAssignments: page.map((a) => ({
        AccountId: input.AccountId,
        PermissionSetArn: a.permissionSetArn,
        PrincipalType: a.principalType,
        PrincipalId: a.principalId,
      })),
      NextToken: offset + pageSize < matching.length ? String(offset + pageSize) : undefined,
    };
  });
  store.on(GetUserIdCommand).callsFake((input) => {
    const userName = input.AlternateIdentifier?.UniqueAttribute?.AttributeValue;
    const user = options.users.find((u) => u.userName === userName);
    if (!user) throw new UserNotFoundException({ message: 'USER not found', ...metadata });
    return { UserId: user.userId, IdentityStoreId: input.IdentityStoreId };
  });
  store.on(DescribeUserCommand).callsFake((input) => {
    const user = options.users.find((u) => u.userId === input.UserId);
    if (!user) throw new UserNotFoundException({ message: 'USER not found', ...metadata });
    return { UserId: user.userId, UserName: user.userName, IdentityStoreId: input.IdentityStoreId };
  });

  return {
    ssoAdmin,
    identityStore,
    /** The mocks, for asserting the calls made. */
    sso,
    store,
    assignments: () => [...held.values()],
    add(assignment: FakeAssignment) {
      held.set(keyOf(assignment), assignment);
    },
    /** The next `count` SSO Admin calls throw. */
    failNext(count: number, failure: FakeFailure) {
      for (let i = 0; i < count; i++) failures.push(failure);
    },
    /** The next provisioning request ends FAILED, or stays IN_PROGRESS for `polls` status checks. */
    provisionNext(plan: 'FAILED' | number) {
      provisioning.push(plan);
    },
    restore() {
      sso.restore();
      store.restore();
    },
  };
}
