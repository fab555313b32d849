// Every shipped provider keeps the same contract: the ledger trivially, the webhook against the dev platform,
// Identity Center against the in-memory fake.
import { createIdentityCenterProvider } from '../../../lambdas/adapters/providers/aws-identity-center.ts';
import { createLedgerProvider } from '../../../lambdas/adapters/providers/ledger.ts';
import { createWebhookProvider } from '../../../lambdas/adapters/providers/webhook.ts';
import { startDevPlatform } from '../../../local/dev-platform.ts';
import { describeProviderContract, principal } from './contract.ts';
import {
  ACCOUNT_ID,
  createFakeIdentityCenter,
  IDENTITY_STORE_ID,
  INSTANCE_ARN,
} from './fake-identity-center.ts';

const noWait = async () => {};
const ada = principal('p-ada', 'ada@nhse.example');
const bob = principal('p-bob', 'bob@partner.example');

describeProviderContract('ledger', async () => ({
  provider: createLedgerProvider(),
  principals: [ada, bob],
  platform: null,
  stop: async () => {},
}));

describeProviderContract('webhook', async () => {
  const secret = 'contract-secret';
  const platform = await startDevPlatform({ secret, pageSize: 1 });
  const maxAttempts = 3;
  return {
    provider: createWebhookProvider({
      name: 'platform-admin-api',
      config: { type: 'webhook', url: platform.url, timeout: 'PT5S', maxAttempts },
      secret,
      sleep: noWait,
    }),
    principals: [ada, bob],
    platform: {
      assignments: async () => platform.assignments(),
      addOutOfBand: async ({ principalId, scope }) => platform.addOutOfBand(principalId, scope),
      failNext: (count, kind) => platform.failNext(count, kind === 'transient' ? 'error' : 'refuse'),
      maxAttempts,
    },
    stop: () => platform.stop(),
  };
});

describeProviderContract('aws-identity-center', async () => {
  const permissionSets = {
    admin: 'arn:aws:sso:::permissionSet/ssoins-1111111111111111/ps-admin',
    'dataset:hes-apc': 'arn:aws:sso:::permissionSet/ssoins-1111111111111111/ps-hes',
    'dataset:ecds': 'arn:aws:sso:::permissionSet/ssoins-1111111111111111/ps-ecds',
  };
  const users = [
    { userId: 'u-ada', userName: ada.email },
    { userId: 'u-bob', userName: bob.email },
  ];
  const fake = createFakeIdentityCenter({ users });
  const maxAttempts = 3;
  const userIdOf = (principalId: string) => (principalId === ada.id ? 'u-ada' : 'u-bob');
  const principalIdOf = (userId: string) => (userId === 'u-ada' ? ada.id : bob.id);
  const scopeOf = (arn: string) => Object.entries(permissionSets).find(([, value]) => value === arn)?.[0];
  return {
    provider: createIdentityCenterProvider({
      name: 'identity-center',
      config: {
        type: 'aws-identity-center',
        instanceArn: INSTANCE_ARN,
        identityStoreId: IDENTITY_STORE_ID,
        accountId: ACCOUNT_ID,
        permissionSets,
      },
      ssoAdmin: fake.ssoAdmin,
      identityStore: fake.identityStore,
      directory: { listPrincipals: async () => [ada, bob] },
      sleep: noWait,
      maxAttempts,
    }),
    principals: [ada, bob],
    platform: {
      assignments: async () =>
        fake.assignments().map((a) => ({
          principalId: principalIdOf(a.principalId),
          scope: scopeOf(a.permissionSetArn) as never,
        })),
      addOutOfBand: async ({ principalId, scope }) =>
        fake.add({
          permissionSetArn: permissionSets[scope as keyof typeof permissionSets],
          principalType: 'USER',
          principalId: userIdOf(principalId),
        }),
      failNext: (count, kind) => fake.failNext(count, kind === 'transient' ? 'throttle' : 'denied'),
      maxAttempts,
    },
    stop: async () => fake.restore(),
  };
});
