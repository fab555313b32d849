// The Identity Center provider against the aws-sdk-client-mock fake: the calls it makes, provisioning status
// polling, throttling, ConflictException, missing users and permission sets, and mapping users back to principals.
import { GetUserIdCommand } from '@aws-sdk/client-identitystore';
import {
  CreateAccountAssignmentCommand,
  DeleteAccountAssignmentCommand,
  DescribeAccountAssignmentCreationStatusCommand,
} from '@aws-sdk/client-sso-admin';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createIdentityCenterProvider } from '../../../lambdas/adapters/providers/aws-identity-center.ts';
import type { AccessProvider, ProviderError } from '../../../lambdas/core/access-provider.ts';
import { principal, target } from './contract.ts';
import {
  ACCOUNT_ID,
  createFakeIdentityCenter,
  IDENTITY_STORE_ID,
  INSTANCE_ARN,
} from './fake-identity-center.ts';

const ADMIN_SET = 'arn:aws:sso:::permissionSet/ssoins-1111111111111111/ps-admin';
const HES_SET = 'arn:aws:sso:::permissionSet/ssoins-1111111111111111/ps-hes';
const ada = principal('p-ada', 'ada@nhse.example');
const carol = principal('p-carol', 'carol@nhse.example');

async function providerError(promise: Promise<unknown>): Promise<ProviderError> {
  return promise.then(
    () => {
      throw new Error('expected a ProviderError');
    },
    (error: ProviderError) => {
      expect(error.name).toBe('ProviderError');
      return error;
    },
  );
}

describe('aws-identity-center provider', () => {
  let fake: ReturnType<typeof createFakeIdentityCenter>;
  let provider: AccessProvider;
  let sleeps: number[];

  beforeEach(() => {
    fake = createFakeIdentityCenter({
      users: [
        { userId: 'u-ada', userName: 'Ada@NHSE.example' },
        { userId: 'u-ada-exact', userName: 'ada@nhse.example' },
        { userId: 'u-stranger', userName: 'stranger@elsewhere.example' },
      ],
    });
    sleeps = [];
    provider = createIdentityCenterProvider({
      name: 'identity-center',
      config: {
        type: 'aws-identity-center',
        instanceArn: INSTANCE_ARN,
        identityStoreId: IDENTITY_STORE_ID,
        accountId: ACCOUNT_ID,
        permissionSets: { admin: ADMIN_SET, 'dataset:hes-apc': HES_SET },
      },
      ssoAdmin: fake.ssoAdmin,
      identityStore: fake.identityStore,
      directory: { listPrincipals: async () => [ada, carol] },
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      random: () => 0,
      maxAttempts: 4,
      maxPolls: 3,
    });
  });
  afterEach(() => {
    fake.restore();
  });

  describe('grant', () => {
    it('assigns the scope permission set to the user named by the email, and polls until SUCCEEDED', async () => {
      // Prepare
      fake.provisionNext(2);
      // Act
      const outcome = await provider.grant(target(ada, 'admin', 'req-1'));
      // Assess
      expect(fake.store.commandCalls(GetUserIdCommand)[0]?.args[0].input).toEqual({
        IdentityStoreId: IDENTITY_STORE_ID,
        AlternateIdentifier: {
          UniqueAttribute: { AttributePath: 'userName', AttributeValue: 'ada@nhse.example' },
        },
      });
      expect(fake.sso.commandCalls(CreateAccountAssignmentCommand)[0]?.args[0].input).toEqual({
        InstanceArn: INSTANCE_ARN,
        TargetId: ACCOUNT_ID,
        TargetType: 'AWS_ACCOUNT',
        PermissionSetArn: ADMIN_SET,
        PrincipalType: 'USER',
        PrincipalId: 'u-ada-exact',
      });
      expect(fake.sso.commandCalls(DescribeAccountAssignmentCreationStatusCommand)).toHaveLength(2);
      // Backoff between status checks (jitter pinned low): 250 then 500 ms
      expect(sleeps).toEqual([250, 500]);
      expect(outcome).toEqual({ reference: 'req-1', alreadyInPlace: false });
      expect(fake.assignments()).toEqual([
        { permissionSetArn: ADMIN_SET, principalType: 'USER', principalId: 'u-ada-exact' },
      ]);
    });

    it('resolves each user once', async () => {
      // Act
      await provider.grant(target(ada, 'admin', 'req-1'));
      await provider.grant(target(ada, 'dataset:hes-apc', 'req-2'));
      await provider.revoke(target(ada, 'admin', 'req-1'));
      // Assess
      expect(fake.store.commandCalls(GetUserIdCommand)).toHaveLength(1);
    });

    it('a status that ends FAILED is a ProviderError carrying the reason', async () => {
      // Prepare
      fake.provisionNext('FAILED');
      // Act
      const error = await providerError(provider.grant(target(ada, 'admin', 'req-1')));
      // Assess
      expect(error).toMatchObject({ provider: 'identity-center', retryable: true });
      expect(error.message).toContain('FAILED: Received a 404 status error');
    });

    it('gives up retryably on a request still IN_PROGRESS after the bounded status checks', async () => {
      // Prepare
      fake.provisionNext(10);
      // Act
      const error = await providerError(provider.grant(target(ada, 'admin', 'req-1')));
      // Assess
      expect(error.retryable).toBe(true);
      expect(error.message).toContain('still IN_PROGRESS after 3 status checks');
      expect(fake.sso.commandCalls(DescribeAccountAssignmentCreationStatusCommand)).toHaveLength(3);
    });

    it('retries ThrottlingException with exponential backoff', async () => {
      // Prepare
      fake.failNext(3, 'throttle');
      // Act
      const outcome = await provider.grant(target(ada, 'admin', 'req-1'));
      // Assess: three call retries (caps 500, 1000, 2000 ms; jitter pinned at half), then one status check
      expect(sleeps).toEqual([250, 500, 1_000, 250]);
      expect(fake.sso.commandCalls(CreateAccountAssignmentCommand)).toHaveLength(4);
      expect(outcome.alreadyInPlace).toBe(false);
    });

    it('throttled on every attempt: a retryable ProviderError', async () => {
      // Prepare
      fake.failNext(4, 'throttle');
      // Act
      const error = await providerError(provider.grant(target(ada, 'admin', 'req-1')));
      // Assess
      expect(error.retryable).toBe(true);
      expect(error.message).toContain('ThrottlingException');
      expect(error.message).toContain('gave up after 4 attempts');
    });

    it('ConflictException for an assignment that exists is alreadyInPlace', async () => {
      // Prepare
      fake.add({ permissionSetArn: ADMIN_SET, principalType: 'USER', principalId: 'u-ada-exact' });
      // Act
      const outcome = await provider.grant(target(ada, 'admin', 'req-1'));
      // Assess
      expect(outcome).toEqual({ alreadyInPlace: true });
      expect(fake.assignments()).toHaveLength(1);
    });

    it('ConflictException from a concurrent write (no assignment yet) is retried', async () => {
      // Prepare
      fake.failNext(1, 'conflict');
      // Act
      const outcome = await provider.grant(target(ada, 'admin', 'req-1'));
      // Assess
      expect(outcome.alreadyInPlace).toBe(false);
      expect(fake.sso.commandCalls(CreateAccountAssignmentCommand)).toHaveLength(2);
      expect(fake.assignments()).toHaveLength(1);
    });

    it('a scope without a permission set is refused without calling AWS', async () => {
      // Act
      const error = await providerError(provider.grant(target(ada, 'dataset:ecds', 'req-1')));
      // Assess
      expect(error).toMatchObject({ retryable: false });
      expect(error.message).toContain('no permission set is configured for scope dataset:ecds');
      expect(fake.sso.calls()).toHaveLength(0);
    });

    it('a principal with no Identity Center user is refused, not retried', async () => {
      // Act
      const error = await providerError(provider.grant(target(carol, 'admin', 'req-1')));
      // Assess
      expect(error).toMatchObject({ retryable: false });
      expect(error.message).toContain('no Identity Center user has userName carol@nhse.example');
    });

    it('AccessDeniedException is a non-retryable ProviderError', async () => {
      // Prepare
      fake.failNext(1, 'denied');
      // Act
      const error = await providerError(provider.grant(target(ada, 'admin', 'req-1')));
      // Assess
      expect(error.retryable).toBe(false);
      expect(error.message).toContain('AccessDeniedException');
    });
  });

  describe('revoke', () => {
    it('deletes the assignment and polls the deletion status', async () => {
      // Prepare
      await provider.grant(target(ada, 'dataset:hes-apc', 'req-1'));
      // Act
      const outcome = await provider.revoke(target(ada, 'dataset:hes-apc', 'req-1'));
      // Assess
      expect(fake.sso.commandCalls(DeleteAccountAssignmentCommand)[0]?.args[0].input).toMatchObject({
        PermissionSetArn: HES_SET,
        PrincipalId: 'u-ada-exact',
        TargetId: ACCOUNT_ID,
      });
      expect(outcome).toEqual({ reference: 'req-2', alreadyInPlace: false });
      expect(fake.assignments()).toEqual([]);
    });

    it('an assignment already gone (ResourceNotFoundException) is alreadyInPlace', async () => {
      // Act
      const outcome = await provider.revoke(target(ada, 'admin', 'req-1'));
      // Assess
      expect(outcome).toEqual({ alreadyInPlace: true });
    });

    it('a principal with no Identity Center user has nothing to revoke', async () => {
      // Act
      const outcome = await provider.revoke(target(carol, 'admin', 'req-1'));
      // Assess
      expect(outcome).toEqual({ alreadyInPlace: true });
      expect(fake.sso.calls()).toHaveLength(0);
    });

    it('a deletion that ends FAILED is a ProviderError', async () => {
      // Prepare
      await provider.grant(target(ada, 'admin', 'req-1'));
      fake.provisionNext('FAILED');
      // Act
      const error = await providerError(provider.revoke(target(ada, 'admin', 'req-1')));
      // Assess
      expect(error.message).toContain('assignment deletion');
      expect(fake.assignments()).toHaveLength(1);
    });
  });

  describe('list', () => {
    it('lists every configured permission set across pages and maps users back to principals', async () => {
      // Prepare
      fake.add({ permissionSetArn: ADMIN_SET, principalType: 'USER', principalId: 'u-ada' });
      fake.add({ permissionSetArn: HES_SET, principalType: 'USER', principalId: 'u-ada-exact' });
      fake.add({ permissionSetArn: HES_SET, principalType: 'USER', principalId: 'u-stranger' });
      fake.add({ permissionSetArn: HES_SET, principalType: 'USER', principalId: 'u-deleted' });
      fake.add({ permissionSetArn: HES_SET, principalType: 'GROUP', principalId: 'g-analysts' });
      // Act
      const assignments = await provider.list();
      // Assess
      expect(assignments).toEqual([
        { principalId: 'p-ada', scope: 'admin' },
        { principalId: 'p-ada', scope: 'dataset:hes-apc' },
        { principalId: 'identity-center:u-stranger', scope: 'dataset:hes-apc' },
        { principalId: 'identity-center:u-deleted', scope: 'dataset:hes-apc' },
        { principalId: 'identity-center:group:g-analysts', scope: 'dataset:hes-apc' },
      ]);
    });

    it('retries a throttled page', async () => {
      // Prepare
      fake.add({ permissionSetArn: ADMIN_SET, principalType: 'USER', principalId: 'u-ada' });
      fake.failNext(2, 'throttle');
      // Act
      const assignments = await provider.list();
      // Assess
      expect(assignments).toEqual([{ principalId: 'p-ada', scope: 'admin' }]);
      expect(sleeps).toHaveLength(2);
    });
  });
});
