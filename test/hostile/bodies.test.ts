// Bodies meant to exhaust the API, played by an attacker against the local stack: 1 MB and 10 MB JSON and a body
// nested 10,000 levels deep, sent to the routes that take a body. Each is answered with a clear 413 or 400, nothing
// is written, /health answers within a few seconds afterwards and the audit still verifies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackSignature } from '../../lambdas/core/slack-signature.ts';
import { expectStillServingAndAuditIntact, JUSTIFICATION, submitted } from '../support/hostile.ts';
import { startTestStack, type TestStack } from '../support/local-stack.ts';
import {
  apiErrorProblem,
  gatewayErrorProblem,
  quietSnapshot,
  type RawAnswer,
  type RawClient,
  rawClient,
  scimErrorProblem,
  snapshotTables,
  type TableSnapshot,
  tableChanges,
} from '../support/security.ts';

const MB = 1024 * 1024;

/** A JSON object of about `bytes` bytes: a valid submission whose justification is padded out. */
const bigJson = (bytes: number, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ ...extra, justification: `${JUSTIFICATION} ${'A'.repeat(bytes)}` });

/** `{"a":{"a":...}}` nested `depth` levels: small on the wire, deep for a parser. */
const nestedJson = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

describe('oversized and deeply nested bodies', () => {
  let stack: TestStack;
  let client: RawClient;
  let pendingId: string;
  let before: TableSnapshot;
  let sent = 0;

  /** Sends `json`; to Slack inside a signed payload from this workspace, so that the body is all that is wrong. */
  const send = async (method: string, path: string, json: string, headers: Record<string, string>) => {
    sent += 1;
    if (path !== '/slack/interactions') return client.send({ method, path, body: json, headers });
    const team = JSON.stringify({ id: stack.channels.slack.teamId });
    const body = `payload=${encodeURIComponent(`{"type":"block_actions","team":${team},"actions":${json}}`)}`;
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = slackSignature(stack.channels.signingSecret, timestamp, body);
    return client.send({
      method,
      path,
      body,
      headers: { ...headers, 'x-slack-request-timestamp': timestamp, 'x-slack-signature': signature },
    });
  };
  /** The targets: each route that takes a body, with the credentials it needs (so only the body is wrong). */
  const targets = async () => {
    const json = { 'content-type': 'application/json' };
    const as = async (sub: string) => ({ ...json, authorization: `Bearer ${await stack.tokenFor(sub)}` });
    const link = stack.approvalLinks('dir-ada', pendingId)[0] as string;
    return [
      {
        name: 'POST /requests',
        method: 'POST',
        path: '/requests',
        headers: await as('ext-kim'),
        shape: 'api',
      },
      {
        name: 'POST /requests/{id}/decisions',
        method: 'POST',
        path: `/requests/${pendingId}/decisions`,
        headers: await as('dir-ben'),
        shape: 'api',
      },
      {
        name: 'PATCH /principals/{id}',
        method: 'PATCH',
        path: '/principals/ext-gus',
        headers: await as('adm-eve'),
        shape: 'api',
      },
      {
        name: 'PATCH /datasets/{id}',
        method: 'PATCH',
        path: '/datasets/gp-records',
        headers: await as('adm-eve'),
        shape: 'api',
      },
      {
        name: 'POST /scim/v2/Users',
        method: 'POST',
        path: '/scim/v2/Users',
        headers: { 'content-type': 'application/scim+json', authorization: `Bearer ${stack.scim.token}` },
        shape: 'scim',
      },
      {
        name: 'POST /approve/{token}',
        method: 'POST',
        path: new URL(link).pathname,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        shape: 'page',
      },
      {
        name: 'POST /slack/interactions',
        method: 'POST',
        path: '/slack/interactions',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        shape: 'api',
      },
    ] as const;
  };
  /** What is wrong with the answer to an attack, or undefined: the status, and a body that says why. */
  const problemOf = (answer: RawAnswer, status: number, shape: string): string | undefined => {
    if (answer.status !== status)
      return `status ${answer.status}, expected ${status}: ${answer.text.slice(0, 200)}`;
    // A body over the gateway's own 10 MB limit is refused by it, in API Gateway's shape
    if (status === 413 && gatewayErrorProblem(answer, 413) === undefined) return undefined;
    if (shape === 'scim') return scimErrorProblem(answer);
    if (shape === 'page')
      return /text\/html/.test(String(answer.headers['content-type'])) ? undefined : 'not a page';
    return apiErrorProblem(answer);
  };

  beforeAll(async () => {
    stack = await startTestStack({ sweepIntervalMs: 0 });
    client = rawClient(stack.url, 4);
    pendingId = await submitted(stack, 'ext-lee');
    before = await quietSnapshot(stack);
  }, 120_000);

  afterAll(async () => {
    client?.close();
    await stack?.stop();
  });

  it.each([
    ['a 1 MB JSON body', () => bigJson(MB, { scopes: ['dataset:hes-apc'], duration: 'PT1H' }), 413],
    ['a 10 MB JSON body', () => bigJson(10 * MB, { scopes: ['dataset:hes-apc'], duration: 'PT1H' }), 413],
    ['a body nested 10,000 levels deep', () => nestedJson(10_000), 400],
  ] as const)(
    '%s: %i on every route that takes a body, in its error shape, nothing written',
    async (_name, make, status) => {
      // Prepare
      const body = make();
      const problems: string[] = [];

      // Act (one at a time: the machine is small, and this is about the answer, not about load)
      for (const target of await targets()) {
        const answer = await send(target.method, target.path, body, target.headers);
        const problem = problemOf(answer, status, target.shape);
        if (problem) problems.push(`${target.name}: ${problem}`);
      }

      // Assess
      expect(problems).toEqual([]);
      expect(tableChanges(before, await snapshotTables(stack))).toEqual({});
    },
  );

  it('still serves: /health within a few seconds, an ordinary request goes through, the audit verifies', async () => {
    // Assess
    expect(sent).toBe(21);
    await expectStillServingAndAuditIntact(stack);
  });
});
