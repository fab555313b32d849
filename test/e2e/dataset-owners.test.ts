// Dataset owners on the local stack (policy approvals.dataset: owner): owners are mailed and decide, a director who
// owns none of the datasets is refused, a two-dataset request needs both owners, and maxConcurrentHolders 1 holds (at grant time, and at submission once it is full).
// A dataset owned by a SCIM group (the seed's "Cancer Registry IAOs", provisioned through SCIM at start) is decided
// by its members; many concurrent approvals against its holder limit grant exactly the limit (like cap-race); a
// member removed from the group through SCIM is refused at once. Extending a dataset grant asks its owner likewise.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack, waitFor } from '../support/local-stack.ts';

const JUSTIFICATION = 'Investigating a data quality incident in the admissions feed';
const IAOS = 'Cancer Registry IAOs';
const LIMIT = 3;
/** Everyone with the clearance an identifiable dataset needs who is not in the group (nor used above). */
const RACERS = ['ext-hal', 'ext-ivy', 'ext-jon', 'ext-lee', 'ext-max', 'ext-ned', 'dir-ada', 'dir-ben'];

describe('dataset owners and holder limits', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ policy: { approvals: { dataset: 'owner' }, minDuration: 'PT1S' } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const submit = async (as: string, scopes: string[]) => {
    const answer = await stack.call('POST', '/requests', {
      as,
      body: { scopes, justification: JUSTIFICATION, duration: 'PT1H' },
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    return answer.body.id as string;
  };
  const decide = (as: string, id: string) =>
    stack.call('POST', `/requests/${id}/decisions`, { as, body: { decision: 'approve' } });
  const settled = (id: string, statuses: string[]) =>
    waitFor(
      async () => {
        const answer = await stack.call('GET', `/requests/${id}`, { as: 'adm-eve' });
        return statuses.includes(answer.body.status) ? answer.body : undefined;
      },
      `request ${id} to become ${statuses.join(' or ')}`,
    );
  const recipients = (id: string) =>
    stack.mailbox
      .messages()
      .filter((message) => message.subject.includes(id))
      .map((message) => message.to)
      .sort();

  it('routes approval to the owners, refuses other directors, needs every owner, and holds the limit', async () => {
    // Prepare: an access-admin names the owners and a limit of one holder
    const hes = await stack.call('PATCH', '/datasets/hes-apc', {
      as: 'adm-eve',
      body: { owners: ['mgr-dan'], maxConcurrentHolders: 1 },
    });
    expect(hes.status, JSON.stringify(hes.body)).toBe(200);
    const gp = await stack.call('PATCH', '/datasets/gp-records', {
      as: 'adm-eve',
      body: { owners: ['dir-ben'] },
    });
    expect(gp.status).toBe(200);
    const catalogue = await stack.call('GET', '/datasets', { as: 'ext-kim' });
    expect(catalogue.body.datasets.find((entry: { id: string }) => entry.id === 'hes-apc')).toMatchObject({
      owners: [{ id: 'mgr-dan', name: 'Dan Manager' }],
      maxConcurrentHolders: 1,
    });
    // An owner below director grade decides what they own: the console shows them an inbox
    const dan = await stack.call('GET', '/me', { as: 'mgr-dan' });
    expect(dan.body.capabilities.canApprove).toBe(true);
    expect((await stack.call('GET', '/inbox', { as: 'mgr-dan' })).status).toBe(200);

    // Act: one dataset, one owner; a second request for its one place is submitted while the place is free
    const first = await submit('ext-kim', ['dataset:hes-apc']);
    const second = await submit('ext-gus', ['dataset:hes-apc', 'dataset:gp-records']);
    await waitFor(() => (recipients(first).length > 0 ? true : undefined), 'the approval mail');
    const byDirector = await decide('dir-ada', first);
    const inbox = await stack.call('GET', '/inbox', { as: 'mgr-dan' });
    const byOwner = await decide('mgr-dan', first);

    // Assess
    expect(recipients(first)).toEqual(['mgr-dan@nhse.example']);
    expect(byDirector.status).toBe(403);
    expect(byDirector.body.error.code).toBe('NOT_DATASET_OWNER');
    expect(byDirector.body.error.message).toContain('Hospital Episode Statistics');
    expect(inbox.status).toBe(200);
    expect(inbox.body.items.map((item: { request: { id: string } }) => item.request.id)).toContain(first);
    expect(byOwner.status, JSON.stringify(byOwner.body)).toBe(200);
    expect((await settled(first, ['ACTIVE'])).status).toBe('ACTIVE');

    // Act: two datasets need both owners; the first dataset's one place is taken by now
    await waitFor(() => (recipients(second).length >= 2 ? true : undefined), 'mail to both owners');
    const oneOwner = await decide('mgr-dan', second);
    const afterOne = await stack.call('GET', `/requests/${second}`, { as: 'adm-eve' });
    const otherOwner = await decide('dir-ben', second);

    // Assess
    expect(recipients(second)).toEqual(['dir-ben@nhse.example', 'mgr-dan@nhse.example']);
    expect(oneOwner.status).toBe(200);
    expect(afterOne.body.status).toBe('PENDING_APPROVAL');
    expect(otherOwner.status).toBe(200);
    const held = await settled(second, ['REJECTED', 'ACTIVE']);
    expect(held).toMatchObject({ status: 'REJECTED', reason: 'HOLDER_LIMIT_REACHED' });
    // Asked while the place is taken: refused at submission, in words, with nothing recorded
    const late = await stack.call('POST', '/requests', {
      as: 'ext-gus',
      body: { scopes: ['dataset:hes-apc'], justification: JUSTIFICATION, duration: 'PT1H' },
    });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('HOLDER_LIMIT_REACHED');
    expect(late.body.error.message).toContain('Hospital Episode Statistics');
    const verify = await stack.call('GET', '/audit/verify', { as: 'aud-fay' });
    expect(verify.body.ok).toBe(true);
  });

  it('routes an extension of a dataset grant to its owner: another director is refused, the owner extends', async () => {
    // Prepare: an active grant of gp-records (owned by dir-ben since the first case)
    const id = await submit('ext-kim', ['dataset:gp-records']);
    expect((await decide('dir-ben', id)).status).toBe(200);
    const granted = await settled(id, ['ACTIVE']);

    // Act
    const asked = await stack.call('POST', `/requests/${id}/extend`, {
      as: 'ext-kim',
      body: { duration: 'PT1H', justification: JUSTIFICATION },
    });
    const prompted = () =>
      stack.mailbox
        .messages()
        .filter(
          (message) => message.subject.startsWith('Extension needs approval') && message.subject.includes(id),
        )
        .map((message) => message.to);
    await waitFor(() => (prompted().length > 0 ? true : undefined), 'the extension mail');
    const inbox = await stack.call('GET', '/inbox', { as: 'dir-ben' });
    const byOtherDirector = await decide('dir-ada', id);
    const byOwner = await decide('dir-ben', id);

    // Assess
    expect(asked.status, JSON.stringify(asked.body)).toBe(200);
    expect(prompted()).toEqual(['dir-ben@nhse.example']);
    expect(
      inbox.body.items
        .filter((item: { kind: string }) => item.kind === 'extension')
        .map((item: { request: { id: string } }) => item.request.id),
    ).toContain(id);
    expect(byOtherDirector.status).toBe(403);
    expect(byOtherDirector.body.error.code).toBe('NOT_DATASET_OWNER');
    expect(byOwner.status, JSON.stringify(byOwner.body)).toBe(200);
    expect(byOwner.body.extension).toMatchObject({ status: 'APPROVED' });
    expect(byOwner.body.grant.expiresAt).toBe(
      new Date(Date.parse(granted.grant.expiresAt) + 3_600_000).toISOString(),
    );
  });

  /** Submitted while the group-owned dataset still had room, decided after its limit filled (the last case). */
  let submittedBefore = '';

  it(`lets the members of a group owner decide, and grants exactly ${LIMIT} of ${RACERS.length} approved at once`, async () => {
    // Prepare: the group owns the cancer registry, which takes at most LIMIT holders
    const patched = await stack.call('PATCH', '/datasets/cancer-registry', {
      as: 'adm-eve',
      body: { owners: [`group:${IAOS}`], maxConcurrentHolders: LIMIT },
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    const unknown = await stack.call('PATCH', '/datasets/cancer-registry', {
      as: 'adm-eve',
      body: { owners: ['mgr-dan', 'group:No Such Group'] },
    });
    const catalogue = await stack.call('GET', '/datasets', { as: 'ext-hal' });
    submittedBefore = await submit('ext-kim', ['dataset:cancer-registry']);
    const requests = [];
    for (const requester of RACERS) requests.push(await submit(requester, ['dataset:cancer-registry']));
    const [probe] = requests as [string];
    await waitFor(() => (recipients(probe).length >= 2 ? true : undefined), 'mail to the group members');
    // Asked before anyone decides: the outcome mail that follows goes to the requester too
    const asked = recipients(probe);
    const outsider = await decide('dir-ben', requests[1] as string);

    // Act: every approval at once, by either member
    const answers = await Promise.all(
      requests.map((id, index) => decide(index % 2 === 0 ? 'mgr-dan' : 'exd-cleo', id)),
    );

    // Assess
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'owners[1]' });
    expect(unknown.body.error.message).toContain('No Such Group');
    expect(
      catalogue.body.datasets.find((entry: { id: string }) => entry.id === 'cancer-registry'),
    ).toMatchObject({
      owners: [{ id: `group:${IAOS}`, name: `Members of ${IAOS}` }],
      maxConcurrentHolders: LIMIT,
    });
    expect(asked).toEqual(['exd-cleo@nhse.example', 'mgr-dan@nhse.example']);
    expect(outsider.status).toBe(403);
    expect(outsider.body.error.code).toBe('NOT_DATASET_OWNER');
    expect(answers.map((answer) => answer.status)).toEqual(requests.map(() => 200));
    const finals = await Promise.all(requests.map((id) => settled(id, ['ACTIVE', 'REJECTED'])));
    const active = finals.filter((request) => request.status === 'ACTIVE');
    const rejected = finals.filter((request) => request.status === 'REJECTED');
    expect(active).toHaveLength(LIMIT);
    expect(rejected).toHaveLength(RACERS.length - LIMIT);
    expect(rejected.every((request) => request.reason === 'HOLDER_LIMIT_REACHED')).toBe(true);
    const access = await stack.call('GET', '/access', { as: 'adm-eve' });
    expect(
      access.body.access.filter((entry: { scopes: string[] }) =>
        entry.scopes.includes('dataset:cancer-registry'),
      ),
    ).toHaveLength(LIMIT);
    const verify = await stack.call('GET', '/audit/verify', { as: 'aud-fay' });
    expect(verify.body.ok).toBe(true);
  });

  it('refuses a member the identity provider took out of the group, on a request submitted before', async () => {
    // Prepare: a request pending for the group-owned dataset, then a SCIM PATCH removing mgr-dan from the group;
    // the limit is full now, so the same request asked today is refused at once
    const pending = submittedBefore;
    const refused = await stack.call('POST', '/requests', {
      as: 'ext-kim',
      body: { scopes: ['dataset:cancer-registry'], justification: JUSTIFICATION, duration: 'PT1H' },
    });
    const scim = (method: string, path: string, body?: unknown) =>
      stack.call(method, `/scim/v2${path}`, {
        headers: {
          authorization: `Bearer ${stack.scim.token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }),
        },
        ...(body === undefined ? {} : { body }),
      });
    const found = await scim('GET', `/Groups?filter=${encodeURIComponent(`displayName eq "${IAOS}"`)}`);
    const groupId = found.body.Resources[0].id as string;

    // Act
    const removed = await scim('PATCH', `/Groups/${groupId}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'remove', path: `members[value eq "mgr-dan"]` }],
    });
    const leaver = await decide('mgr-dan', pending);
    const member = await decide('exd-cleo', pending);

    // Assess
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('HOLDER_LIMIT_REACHED');
    expect(removed.status, JSON.stringify(removed.body)).toBe(200);
    expect(leaver.status).toBe(403);
    expect(leaver.body.error.code).toBe('NOT_DATASET_OWNER');
    expect(member.status, JSON.stringify(member.body)).toBe(200);
    // The limit is still full: the member's approval ends as the race's losers did
    expect(await settled(pending, ['REJECTED', 'ACTIVE'])).toMatchObject({
      status: 'REJECTED',
      reason: 'HOLDER_LIMIT_REACHED',
    });
  });
});
