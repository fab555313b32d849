// A known history, committed through the real store at known instants: grants, a revocation, an expiry, a denial
// and a timeout. Point-in-time, CSV and transparency tests assert against it.
import { auditStreamOfRequest } from '../../lambdas/adapters/dynamodb/schema.ts';
import { chainEvent, EMPTY_CHAIN } from '../../lambdas/core/audit.ts';
import {
  decideRequest,
  expireGrant,
  grantAccess,
  revokeGrant,
  submitRequest,
  type Transition,
  timeOutRequest,
} from '../../lambdas/core/lifecycle.ts';
import type { Principal } from '../../lambdas/core/model.ts';
import type { RequestStore, StoredRequest } from '../../lambdas/core/ports.ts';
import { catalogue, JUSTIFICATION, later, NOW, people, policy } from './fixtures.ts';

export const T0 = NOW;
export const at = (duration: string) => later(duration, T0);

async function commit(
  store: RequestStore,
  stored: StoredRequest | undefined,
  transition: Transition | undefined,
): Promise<StoredRequest> {
  if (!transition) throw new Error('the scripted transition did not apply');
  const head = stored?.audit ?? EMPTY_CHAIN;
  const event = chainEvent(auditStreamOfRequest(transition.request.id), head, transition.event);
  return store.commit({ transition, event, expectedHead: head });
}

async function submit(
  store: RequestStore,
  id: string,
  requester: Principal,
  scopes: string[],
  duration: string,
  now: string,
): Promise<StoredRequest> {
  const input = { scopes, justification: JUSTIFICATION, duration };
  return commit(store, undefined, submitRequest({ id, input, requester, catalogue, policy, now }));
}

async function decide(
  store: RequestStore,
  request: StoredRequest,
  approver: Principal,
  decision: 'approve' | 'deny',
  now: string,
): Promise<StoredRequest> {
  const transition = decideRequest({
    request,
    approver,
    decision,
    comment: decision === 'deny' ? 'Not needed for this incident' : undefined,
    channel: 'api',
    policy,
    now,
  });
  return commit(store, request, transition);
}

/**
 * r1 xena.sc (Acme Analytics) dataset:hes-apc P1D: granted +2h, expires +26h (expiry step at +27h).
 * r2 yara.dv (Globex Consulting) admin PT8H: granted +3h, revoked +5h by ada.admin.
 * r3 ada.admin (NHSE) dataset:mhsds P7D: granted +5h, still active.
 * r4 yan.sc dataset:gpes-pseudo: denied +2h.
 * r5 xavier.dv admin: timed out at its deadline (+73h).
 */
export async function scriptHistory(store: RequestStore): Promise<void> {
  let r1 = await submit(store, 'r1', people.externalScA, ['dataset:hes-apc'], 'P1D', T0);
  r1 = await decide(store, r1, people.homeDirector, 'approve', at('PT1H'));
  r1 = await commit(store, r1, grantAccess(r1, policy, at('PT2H')));

  let r2 = await submit(store, 'r2', people.externalDvB, ['admin'], 'PT8H', T0);
  r2 = await decide(store, r2, people.homeDirector, 'approve', at('PT1H'));
  r2 = await decide(store, r2, people.executiveDirector, 'approve', at('PT1H'));
  r2 = await commit(store, r2, grantAccess(r2, policy, at('PT3H')));

  let r4 = await submit(store, 'r4', people.externalScB, ['dataset:gpes-pseudo'], 'PT8H', at('PT1H'));
  r4 = await decide(store, r4, people.homeDirector, 'deny', at('PT2H'));

  let r3 = await submit(store, 'r3', people.accessAdmin, ['dataset:mhsds'], 'P7D', at('PT4H'));
  r3 = await decide(store, r3, people.executiveDirector, 'approve', at('PT4H30M'));
  r3 = await commit(store, r3, grantAccess(r3, policy, at('PT5H')));

  r2 = await commit(
    store,
    r2,
    revokeGrant({
      request: r2,
      actor: { type: 'principal', id: people.accessAdmin.id },
      reason: 'Incident closed, access no longer needed',
      policy,
      now: at('PT5H'),
    }),
  );

  r1 = await commit(store, r1, expireGrant(r1, policy, at('PT27H')));

  const r5 = await submit(store, 'r5', people.externalDvA, ['admin'], 'PT8H', T0);
  await commit(store, r5, timeOutRequest(r5, r5.approvalDeadline));
}

/** Every principal of the script, for the no-personal-data checks. */
export const SCRIPTED_PEOPLE: readonly Principal[] = [
  people.externalScA,
  people.externalDvB,
  people.accessAdmin,
  people.externalScB,
  people.externalDvA,
  people.homeDirector,
  people.executiveDirector,
];
