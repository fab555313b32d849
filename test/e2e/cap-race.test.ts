// Many concurrent external-admin approvals against a small cap: exactly the cap ends ACTIVE, never more.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../support/local-stack.ts';

const CAP = 3;
const EXTERNALS = ['ext-gus', 'ext-hal', 'ext-ivy', 'ext-jon', 'ext-kim', 'ext-lee', 'ext-max', 'ext-ned'];

describe('external admin cap under concurrent approvals', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ policy: { externalAdminCap: CAP, minDuration: 'PT1S' } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it(`grants exactly ${CAP} of ${EXTERNALS.length} simultaneous approvals and rejects the rest with CAP_REACHED`, async () => {
    // Prepare: all requests submitted while seats are free (the submission check is only a courtesy)
    const requests = [];
    for (const requester of EXTERNALS) {
      const answer = await stack.call('POST', '/requests', {
        as: requester,
        body: { scopes: ['admin'], justification: 'Emergency platform maintenance window', duration: 'PT1H' },
      });
      expect(answer.status, JSON.stringify(answer.body)).toBe(201);
      requests.push(answer.body);
    }
    for (const request of requests) {
      await stack.call('POST', `/requests/${request.id}/decisions`, {
        as: 'dir-ada',
        body: { decision: 'approve' },
      });
    }

    // Act: every second approval at once
    const answers = await Promise.all(
      requests.map((request) =>
        stack.call('POST', `/requests/${request.id}/decisions`, {
          as: 'dir-ben',
          body: { decision: 'approve' },
        }),
      ),
    );
    expect(answers.map((answer) => answer.status)).toEqual(requests.map(() => 200));

    // Assess
    const finals = await Promise.all(
      requests.map(async (request) => {
        for (let i = 0; i < 200; i++) {
          const answer = await stack.call('GET', `/requests/${request.id}`, { as: 'adm-eve' });
          if (answer.body.status === 'ACTIVE' || answer.body.status === 'REJECTED') return answer.body;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        throw new Error(`request ${request.id} never left APPROVED`);
      }),
    );
    const active = finals.filter((request) => request.status === 'ACTIVE');
    const rejected = finals.filter((request) => request.status === 'REJECTED');
    expect(active).toHaveLength(CAP);
    expect(rejected).toHaveLength(EXTERNALS.length - CAP);
    expect(rejected.every((request) => request.reason === 'CAP_REACHED')).toBe(true);
    const access = await stack.call('GET', '/access', { as: 'adm-eve' });
    expect(
      access.body.access.filter((entry: { scopes: string[] }) => entry.scopes.includes('admin')),
    ).toHaveLength(CAP);

    // With the cap full, a new external admin request is refused at once (courtesy check)
    const late = await stack.call('POST', '/requests', {
      as: 'ext-gus',
      body: { scopes: ['admin'], justification: 'Emergency platform maintenance window', duration: 'PT1H' },
    });
    expect(late).toMatchObject({ status: 409, body: { error: { code: 'CAP_REACHED' } } });
  });
});
