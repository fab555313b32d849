// Dataset owners on the local stack (policy approvals.dataset: owner): owners are mailed and decide, a director who
// owns none of the datasets is refused, a two-dataset request needs both owners, and maxConcurrentHolders 1 holds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack, waitFor } from '../support/local-stack.ts';

const JUSTIFICATION = 'Investigating a data quality incident in the admissions feed';

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

    // Act: one dataset, one owner
    const first = await submit('ext-kim', ['dataset:hes-apc']);
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

    // Act: two datasets need both owners; the first dataset's one place is taken
    const second = await submit('ext-gus', ['dataset:hes-apc', 'dataset:gp-records']);
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
    const verify = await stack.call('GET', '/audit/verify', { as: 'aud-fay' });
    expect(verify.body.ok).toBe(true);
  });
});
