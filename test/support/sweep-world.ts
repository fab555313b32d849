// A small world for sweep tests against DynamoDB Local: the real DynamoDB adapters, a clock the test moves, a
// workflow and a mailer that record what they are asked, and grants committed through the real core and store.
import { randomUUID } from 'node:crypto';
import { BatchWriteCommand, type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbDirectory } from '../../lambdas/adapters/dynamodb/directory.ts';
import { DynamoDbRequestStore } from '../../lambdas/adapters/dynamodb/request-store.ts';
import { keys } from '../../lambdas/adapters/dynamodb/schema.ts';
import { cryptoIds } from '../../lambdas/adapters/system.ts';
import { decideRequest, grantAccess, submitRequest } from '../../lambdas/core/lifecycle.ts';
import type { Principal, Scope } from '../../lambdas/core/model.ts';
import type { Policy } from '../../lambdas/core/policy.ts';
import type { EmailMessage, StoredRequest } from '../../lambdas/core/ports.ts';
import { openReview } from '../../lambdas/core/review.ts';
import { commitTransition, type Dependencies } from '../../lambdas/use-cases/context.ts';
import type { TestTables } from './dynamodb.ts';
import { catalogue, datasets, directory, people, policyWith } from './fixtures.ts';

export interface SweepWorld {
  readonly deps: Dependencies;
  readonly store: DynamoDbRequestStore;
  readonly directory: DynamoDbDirectory;
  readonly mail: EmailMessage[];
  readonly stopped: string[];
  /** Sets the clock every use case reads. */
  setNow(now: string): void;
}

export async function sweepWorld(
  tables: TestTables,
  options: { readonly client?: DynamoDBDocumentClient; readonly policy?: Policy; readonly now: string },
): Promise<SweepWorld> {
  const client = options.client ?? tables.documentClient;
  const store = new DynamoDbRequestStore(client, tables);
  const dir = new DynamoDbDirectory(client, tables);
  await Promise.all(
    directory.map((principal) =>
      new DynamoDbDirectory(tables.documentClient, tables).putPrincipal(principal),
    ),
  );
  await Promise.all(
    Object.values(datasets).map((dataset) =>
      new DynamoDbDirectory(tables.documentClient, tables).putDataset(dataset),
    ),
  );
  let now = options.now;
  const mail: EmailMessage[] = [];
  const stopped: string[] = [];
  const deps: Dependencies = {
    store,
    directory: dir,
    workflow: {
      start: async (requestId) => requestId,
      approvalDecided: async () => undefined,
      stop: async (requestId) => {
        stopped.push(requestId);
      },
    },
    mailer: {
      send: async (message) => {
        mail.push(message);
        return { messageId: randomUUID() };
      },
    },
    clock: { now: () => now },
    ids: cryptoIds,
    policy: options.policy ?? policyWith(),
    publicBaseUrl: 'https://keyholder.test',
  };
  return {
    deps,
    store,
    directory: dir,
    mail,
    stopped,
    setNow: (value) => {
      now = value;
    },
  };
}

/** An ACTIVE grant made through the real core and store: submitted, approved and granted at `grantedAt`. */
export async function activeGrant(
  deps: Pick<Dependencies, 'store' | 'policy'>,
  options: {
    readonly id: string;
    readonly requester: Principal;
    readonly scopes?: readonly Scope[];
    readonly duration: string;
    readonly grantedAt: string;
  },
): Promise<StoredRequest> {
  const { policy } = deps;
  // Submitted, approved and granted in the same instant: only the grant's own times matter to a sweep.
  const submittedAt = options.grantedAt;
  const submitted = await commitTransition(
    deps,
    undefined,
    submitRequest({
      id: options.id,
      input: {
        scopes: options.scopes ?? [`dataset:${datasets.hesIdentifiable.id}`],
        justification: 'Investigating a data quality incident in the admissions feed',
        duration: options.duration,
      },
      requester: options.requester,
      catalogue,
      policy,
      now: submittedAt,
    }),
  );
  let current = submitted;
  for (const approver of [people.homeDirector, people.executiveDirector].slice(
    0,
    submitted.approvalsRequired,
  )) {
    current = await commitTransition(
      deps,
      current,
      decideRequest({
        request: current,
        approver,
        decision: 'approve',
        channel: 'api',
        policy,
        now: submittedAt,
      }),
    );
  }
  return await commitTransition(deps, current, grantAccess(current, policy, options.grantedAt));
}

/** Opens the grant's review round at `at` (its review must be due by then), as the sweep would. */
export async function reviewOpened(
  deps: Pick<Dependencies, 'store' | 'policy'>,
  request: StoredRequest,
  at: string,
): Promise<StoredRequest> {
  return await commitTransition(
    deps,
    request,
    openReview({ request, reviewers: [people.homeDirector.id], policy: deps.policy, now: at }),
  );
}

/**
 * `count` more ACTIVE grants, fast: copies of a template grant's request item and grant row (exactly what the store
 * wrote) under new ids, BatchWritten. They stay in the indexes with the template's due times.
 */
export async function cloneActiveGrants(
  tables: TestTables,
  template: StoredRequest,
  count: number,
  prefix: string,
): Promise<void> {
  const read = async (key: { pk: string; sk: string }) =>
    (
      await tables.documentClient.send(
        new GetCommand({ TableName: tables.stateTable, Key: key, ConsistentRead: true }),
      )
    ).Item ?? {};
  const scope = template.scopes[0] ?? 'admin';
  const requestItem = await read(keys.request(template.id));
  const grantItem = await read(keys.grant(template.id, scope));
  const items: Record<string, unknown>[] = [];
  for (let index = 0; index < count; index++) {
    const id = `${prefix}-${index}`;
    const rename = (value: unknown) =>
      typeof value === 'string' ? value.replaceAll(template.id, id) : value;
    for (const item of [requestItem, grantItem]) {
      items.push(Object.fromEntries(Object.entries(item).map(([name, value]) => [name, rename(value)])));
    }
  }
  const batches: Record<string, unknown>[][] = [];
  for (let start = 0; start < items.length; start += 25) batches.push(items.slice(start, start + 25));
  let next = 0;
  await Promise.all(
    Array.from({ length: 24 }, async () => {
      while (next < batches.length) {
        const batch = batches[next++] ?? [];
        let pending: Record<string, unknown>[] | undefined = batch.map((Item) => ({ PutRequest: { Item } }));
        while (pending && pending.length > 0) {
          const answer = await tables.documentClient.send(
            new BatchWriteCommand({ RequestItems: { [tables.stateTable]: pending as never } }),
          );
          pending = answer.UnprocessedItems?.[tables.stateTable] as Record<string, unknown>[] | undefined;
        }
      }
    }),
  );
}
