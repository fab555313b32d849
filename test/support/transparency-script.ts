// A small history driven through the local stack's HTTP API, for the audit routes and the transparency page:
// one dataset grant still active, one external admin granted then revoked, one request denied.
import { expect } from 'vitest';
import type { TestStack } from './local-stack.ts';

const justification = 'Investigating a data quality incident in the admissions feed';

export interface ScriptedIds {
  readonly active: string;
  readonly revoked: string;
  readonly denied: string;
}

async function submit(stack: TestStack, as: string, scopes: string[]): Promise<string> {
  const answer = await stack.call('POST', '/requests', {
    as,
    body: { scopes, justification, duration: 'PT2H' },
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body.id as string;
}

async function decide(stack: TestStack, as: string, id: string, decision: 'approve' | 'deny') {
  const answer = await stack.call('POST', `/requests/${id}/decisions`, { as, body: { decision } });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
}

export async function scriptThroughHttp(stack: TestStack): Promise<ScriptedIds> {
  const active = await submit(stack, 'ext-kim', ['dataset:hes-apc']);
  await decide(stack, 'dir-ada', active, 'approve');
  await stack.waitForStatus(active, 'ACTIVE');

  const revoked = await submit(stack, 'ext-gus', ['admin']);
  await decide(stack, 'dir-ada', revoked, 'approve');
  await decide(stack, 'dir-ben', revoked, 'approve');
  await stack.waitForStatus(revoked, 'ACTIVE');
  const revoke = await stack.call('POST', `/requests/${revoked}/revoke`, {
    as: 'adm-eve',
    body: { reason: 'Work finished early, said Gus Vendor' },
  });
  expect(revoke.status, JSON.stringify(revoke.body)).toBe(200);

  const denied = await submit(stack, 'ext-ivy', ['dataset:gp-records']);
  await decide(stack, 'dir-ben', denied, 'deny');
  return { active, revoked, denied };
}
