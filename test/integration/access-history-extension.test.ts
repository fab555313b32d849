// Who had access when, across an approved extension: the grant's interval stretches to the new expiry in the same
// transaction as the approval, so point-in-time answers after the original expiry still show the holder.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbAccessHistory } from '../../lambdas/adapters/dynamodb/access-history.ts';
import { DynamoDbAuditLedger } from '../../lambdas/adapters/dynamodb/audit-ledger.ts';
import { DynamoDbRequestStore } from '../../lambdas/adapters/dynamodb/request-store.ts';
import { auditStreamOfRequest } from '../../lambdas/adapters/dynamodb/schema.ts';
import { chainEvent, EMPTY_CHAIN } from '../../lambdas/core/audit.ts';
import { decideExtension, requestExtension } from '../../lambdas/core/extension.ts';
import {
  decideRequest,
  expireGrant,
  grantAccess,
  submitRequest,
  type Transition,
} from '../../lambdas/core/lifecycle.ts';
import type { Directory, RequestStore, StoredRequest } from '../../lambdas/core/ports.ts';
import { accessHistory } from '../../lambdas/use-cases/access-history.ts';
import { createTestTables, type TestTables } from '../support/dynamodb.ts';
import { catalogue, directory, JUSTIFICATION, people, policy } from '../support/fixtures.ts';
import { at, T0 } from '../support/scripted-history.ts';

let tables: TestTables;
let store: RequestStore;

async function commit(
  stored: StoredRequest | undefined,
  transition: Transition | undefined,
): Promise<StoredRequest> {
  if (!transition) throw new Error('the scripted transition did not apply');
  const head = stored?.audit ?? EMPTY_CHAIN;
  const event = chainEvent(auditStreamOfRequest(transition.request.id), head, transition.event);
  return store.commit({ transition, event, expectedHead: head });
}

function deps() {
  return {
    clock: { now: () => at('P3D') },
    policy,
    directory: { listPrincipals: async () => [...directory] } as unknown as Directory,
    store,
    history: new DynamoDbAccessHistory(tables.documentClient, tables),
    ledger: new DynamoDbAuditLedger(tables.documentClient, tables),
  };
}

const holdersAt = async (offset: string) =>
  (await accessHistory(deps(), people.auditor, { at: at(offset) })).map(
    (entry) => `${entry.requestId}:${entry.scope}`,
  );

let extendedTo = '';

beforeAll(async () => {
  tables = await createTestTables();
  store = new DynamoDbRequestStore(tables.documentClient, tables);
  const holder = people.externalScA;
  const input = { scopes: ['dataset:hes-apc'], justification: JUSTIFICATION, duration: 'PT8H' };
  let request = await commit(
    undefined,
    submitRequest({ id: 'x1', input, requester: holder, catalogue, policy, now: T0 }),
  );
  request = await commit(
    request,
    decideRequest({
      request,
      approver: people.homeDirector,
      decision: 'approve',
      channel: 'api',
      policy,
      now: at('PT1H'),
    }),
  );
  request = await commit(request, grantAccess(request, policy, at('PT2H'))); // expires at +10h
  request = await commit(
    request,
    requestExtension({
      request,
      holder,
      input: { duration: 'PT8H', justification: JUSTIFICATION },
      catalogue,
      policy,
      now: at('PT3H'),
    }),
  );
  request = await commit(
    request,
    decideExtension({
      request,
      approver: people.homeDirector,
      holder,
      decision: 'approve',
      channel: 'api',
      catalogue,
      policy,
      now: at('PT4H'),
    }),
  );
  extendedTo = request.grant?.expiresAt ?? '';
  await commit(request, expireGrant(request, policy, extendedTo));
});

afterAll(async () => {
  await tables.cleanup();
});

describe('point-in-time access across an extension', () => {
  it('moved the expiry by the extension (from +10h to +18h)', () => {
    expect(extendedTo).toBe(at('PT18H'));
  });

  it.each([
    ['before the grant', 'PT1H', []],
    ['during the original window', 'PT5H', ['x1:dataset:hes-apc']],
    ['after the original expiry, inside the extension', 'PT11H', ['x1:dataset:hes-apc']],
    ['the instant of the extended expiry', 'PT18H', []],
  ])('%s (T0 + %s)', async (_case, offset, expected) => {
    expect(await holdersAt(offset)).toEqual(expected);
  });

  it('records one interval for the scope, ending at the extended expiry', async () => {
    const history = await accessHistory(deps(), people.auditor, { scope: 'dataset:hes-apc' });
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({
      requestId: 'x1',
      from: at('PT2H'),
      to: at('PT18H'),
      endReason: 'EXPIRED',
    });
  });
});
