// Every operation of GET /openapi.json replayed against one local stack: at least one real request built from the
// operation's examples (or a realistic one where it has none) answering the documented success status, refusals
// (400 naming the field, 401, 403, 404) for most, and each answer's status, content type and body validated
// against the document with Ajv (JSON Schema 2020-12). An operation in the document without a replay fails.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackSignature } from '../../lambdas/core/slack-signature.ts';
import { startTestStack, type TestStack, waitFor } from '../support/local-stack.ts';
import { openApiContract } from '../support/openapi-contract.ts';
import { promptTo } from '../support/slack.ts';

const justification = 'Investigating a data quality incident in the admissions feed';
const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

interface Replay {
  /** The concrete path, e.g. /requests/REQ-1; default the operation's own path. */
  readonly path?: string;
  readonly query?: Record<string, string>;
  readonly as?: string;
  readonly bearer?: string;
  readonly json?: unknown;
  readonly form?: Record<string, string>;
  readonly contentType?: string;
  readonly headers?: Record<string, string>;
}

describe('the OpenAPI document, replayed against the local stack', () => {
  let stack: TestStack;
  let contract: ReturnType<typeof openApiContract>;
  let document: Record<string, any>;
  const replayed = new Map<string, number>();
  const mismatches: string[] = [];
  let requests = 0;

  beforeAll(async () => {
    stack = await startTestStack({
      policy: {
        minDuration: 'PT1S',
        review: { admin: 'PT2S', dataset: 'PT2S', grace: 'PT1M' },
        breakGlass: {
          eligible: ['ext-ned'],
          scopes: ['dataset:*'],
          maxDuration: 'PT1H',
          reviewWithin: 'PT24H',
          reviewersRequired: 2,
        },
      },
      sweepIntervalMs: 0,
    });
    document = (await (await fetch(`${stack.url}/openapi.json`)).json()) as Record<string, any>;
    contract = openApiContract(document);
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  /** Sends one request for the operation `key`, checks the answer against the document, and returns it. */
  async function replay(key: string, input: Replay = {}) {
    const [method = '', template = ''] = key.split(' ');
    const headers: Record<string, string> = { ...input.headers };
    if (input.as) headers.authorization = `Bearer ${await stack.tokenFor(input.as)}`;
    if (input.bearer) headers.authorization = `Bearer ${input.bearer}`;
    let body: string | undefined;
    if (input.json !== undefined) {
      body = JSON.stringify(input.json);
      headers['content-type'] = input.contentType ?? 'application/json';
    }
    if (input.form) {
      body = new URLSearchParams(input.form).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    const query = input.query ? `?${new URLSearchParams(input.query)}` : '';
    const response = await fetch(`${stack.url}${input.path ?? template}${query}`, {
      method,
      headers,
      body,
      redirect: 'manual',
    });
    const text = await response.text();
    const contentType = response.headers.get('content-type');
    requests += 1;
    replayed.set(key, (replayed.get(key) ?? 0) + 1);
    mismatches.push(...contract.problems(key, { status: response.status, contentType, text }));
    const parsed = (contentType ?? '').includes('json') && text ? JSON.parse(text) : text;
    return { status: response.status, body: parsed as any, text, headers: response.headers };
  }

  const statusOf = async (key: string, input: Replay = {}) => (await replay(key, input)).status;

  /** The first example the document gives for the operation's request body. */
  function exampleOf(key: string, index = 0): any {
    const [method = '', path = ''] = key.split(' ');
    const content = document.paths[path][method.toLowerCase()].requestBody.content;
    const example = (Object.values(content)[0] as { schema: { examples?: unknown[] } }).schema.examples?.[
      index
    ];
    expect(example, `${key} has a request example`).toBeDefined();
    return example;
  }

  const refusedNaming = (answer: { status: number; body: any }, status: number, field: string) => {
    expect.soft(answer.status, JSON.stringify(answer.body)).toBe(status);
    expect.soft(answer.body?.error?.field, JSON.stringify(answer.body)).toBe(field);
  };

  async function submit(as: string, dataset = 'hes-apc') {
    const answer = await replay('POST /requests', {
      as,
      json: { scopes: [`dataset:${dataset}`], justification, duration: 'PT1H' },
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    return answer.body as { id: string };
  }

  const linkTo = (kind: 'approve' | 'review', to: string, requestId: string) =>
    waitFor(() => {
      const message = stack.mailbox
        .messages()
        .find((m) => m.to === to && m.subject.includes(requestId) && m.text.includes(`/${kind}/`));
      return message ? new RegExp(`/${kind}/[A-Za-z0-9_-]+`).exec(message.text)?.[0] : undefined;
    }, `a ${kind} link to ${to} for ${requestId}`);

  it('replays the public and caller routes', async () => {
    expect.soft(await statusOf('GET /health')).toBe(200);
    expect.soft(await statusOf('GET /auth/config')).toBe(200);
    expect.soft(await statusOf('GET /openapi.json')).toBe(200);
    expect.soft(await statusOf('GET /health', { query: { x: '1' } })).toBe(400);
    expect.soft(await statusOf('GET /transparency')).toBe(200);
    expect.soft(await statusOf('GET /transparency', { query: { format: 'json' } })).toBe(200);
    refusedNaming(await replay('GET /transparency', { query: { format: 'pdf' } }), 400, 'format');
    expect.soft(await statusOf('GET /me', { as: 'ext-kim' })).toBe(200);
    expect.soft(await statusOf('GET /me')).toBe(401);
    expect.soft(await statusOf('GET /inbox', { as: 'dir-ada' })).toBe(200);
    expect.soft(await statusOf('GET /inbox', { as: 'ext-kim' })).toBe(403);
    expect.soft(await statusOf('GET /datasets', { as: 'ext-kim' })).toBe(200);
    expect.soft(await statusOf('GET /datasets', { bearer: 'not-a-jwt' })).toBe(401);
    expect.soft(await statusOf('GET /principals', { as: 'adm-eve' })).toBe(200);
    expect.soft(await statusOf('GET /principals', { as: 'ext-kim' })).toBe(403);
  });

  it('replays a request through submit, link approval, decision, cancel, extension and revocation', async () => {
    const first = await submit('ext-kim');
    const second = await submit('ext-lee', 'gp-records');
    const third = await submit('ext-ivy');
    refusedNaming(await replay('POST /requests', { as: 'ext-kim', json: { scopes: [] } }), 400, 'scopes');
    expect.soft(await statusOf('POST /requests')).toBe(401);

    expect.soft(await statusOf('GET /requests', { as: 'ext-kim' })).toBe(200);
    refusedNaming(await replay('GET /requests', { as: 'ext-kim', query: { status: 'NOPE' } }), 400, 'status');
    expect
      .soft(await statusOf('GET /requests/{id}', { path: `/requests/${first.id}`, as: 'ext-kim' }))
      .toBe(200);
    expect
      .soft(await statusOf('GET /requests/{id}', { path: `/requests/${first.id}`, as: 'ext-gus' }))
      .toBe(404);
    expect
      .soft(await statusOf('GET /requests/{id}', { path: '/requests/REQ-NONE', as: 'adm-eve' }))
      .toBe(404);
    const timeline = `/requests/${first.id}/timeline`;
    expect.soft(await statusOf('GET /requests/{id}/timeline', { path: timeline, as: 'ext-kim' })).toBe(200);
    expect.soft(await statusOf('GET /requests/{id}/timeline', { path: timeline, as: 'ext-gus' })).toBe(404);

    // The approval link: GET decides nothing, POST decides, a second POST finds it used
    const link = await linkTo('approve', 'dir-ada@nhse.example', first.id);
    expect.soft(await statusOf('GET /approve/{token}', { path: link })).toBe(200);
    expect
      .soft(await statusOf('GET /approve/{token}', { path: '/approve/not-a-token' }))
      .toBeGreaterThanOrEqual(403);
    refusedHtml(await replay('POST /approve/{token}', { path: link, form: { decision: 'maybe' } }), 400);
    expect
      .soft(await statusOf('POST /approve/{token}', { path: link, form: { decision: 'approve' } }))
      .toBe(200);
    expect
      .soft(await statusOf('POST /approve/{token}', { path: link, form: { decision: 'approve' } }))
      .toBe(410);
    await stack.waitForStatus(first.id, 'ACTIVE');

    const decisions = `/requests/${second.id}/decisions`;
    await linkTo('approve', 'dir-ben@nhse.example', second.id);
    refusedNaming(
      await replay('POST /requests/{id}/decisions', {
        path: decisions,
        as: 'dir-ben',
        json: { decision: 'maybe' },
      }),
      400,
      'decision',
    );
    expect
      .soft(
        await statusOf('POST /requests/{id}/decisions', {
          path: decisions,
          as: 'ext-kim',
          json: { decision: 'approve' },
        }),
      )
      .toBe(403);
    const decided = await replay('POST /requests/{id}/decisions', {
      path: decisions,
      as: 'dir-ben',
      json: { decision: 'approve' },
    });
    expect(decided.status, JSON.stringify(decided.body)).toBe(200);
    await stack.waitForStatus(second.id, 'ACTIVE');

    const cancel = `/requests/${third.id}/cancel`;
    expect.soft(await statusOf('POST /requests/{id}/cancel', { path: cancel, as: 'ext-kim' })).toBe(404);
    expect.soft(await statusOf('POST /requests/{id}/cancel', { path: cancel, as: 'adm-eve' })).toBe(403);
    expect.soft(await statusOf('POST /requests/{id}/cancel', { path: cancel, as: 'ext-ivy' })).toBe(200);
    expect.soft(await statusOf('POST /requests/{id}/cancel', { path: cancel, as: 'ext-ivy' })).toBe(409);

    const extend = `/requests/${first.id}/extend`;
    refusedNaming(
      await replay('POST /requests/{id}/extend', { path: extend, as: 'ext-kim', json: { duration: 'PT1H' } }),
      400,
      'justification',
    );
    const extended = await replay('POST /requests/{id}/extend', {
      path: extend,
      as: 'ext-kim',
      json: { duration: 'PT1H', justification },
    });
    expect(extended.status, JSON.stringify(extended.body)).toBe(200);
    state.first = first.id;
    state.second = second.id;
  });

  const state: { first?: string; second?: string } = {};
  const refusedHtml = (answer: { status: number; headers: Headers }, status: number) => {
    expect.soft(answer.status).toBe(status);
    expect.soft(answer.headers.get('content-type')).toMatch(/^text\/html/);
  };

  it('replays the reviews, by link and by API, then the revocation', async () => {
    const first = state.first as string;
    const second = state.second as string;
    await waitFor(async () => {
      await stack.call('POST', '/dev/sweep');
      const due = stack.mailbox.messages().filter((m) => m.subject.startsWith('Review needed'));
      return due.some((m) => m.subject.includes(first)) && due.some((m) => m.subject.includes(second))
        ? true
        : undefined;
    }, 'review prompts for both grants');

    const link = await linkTo('review', 'dir-ada@nhse.example', first);
    expect.soft(await statusOf('GET /review/{token}', { path: link })).toBe(200);
    expect
      .soft(await statusOf('GET /review/{token}', { path: '/review/not-a-token' }))
      .toBeGreaterThanOrEqual(403);
    refusedHtml(await replay('POST /review/{token}', { path: link, form: { decision: 'maybe' } }), 400);
    expect.soft(await statusOf('POST /review/{token}', { path: link, form: { decision: 'keep' } })).toBe(200);

    const reviews = `/requests/${second}/reviews`;
    refusedNaming(
      await replay('POST /requests/{id}/reviews', {
        path: reviews,
        as: 'dir-ada',
        json: { decision: 'revoke' },
      }),
      400,
      'comment',
    );
    expect
      .soft(
        await statusOf('POST /requests/{id}/reviews', {
          path: reviews,
          as: 'adm-eve',
          json: exampleOf('POST /requests/{id}/reviews'),
        }),
      )
      .toBe(403);
    const kept = await replay('POST /requests/{id}/reviews', {
      path: reviews,
      as: 'dir-ada',
      json: exampleOf('POST /requests/{id}/reviews'),
    });
    expect(kept.status, JSON.stringify(kept.body)).toBe(200);

    const revoke = `/requests/${second}/revoke`;
    refusedNaming(
      await replay('POST /requests/{id}/revoke', { path: revoke, as: 'adm-eve', json: {} }),
      400,
      'reason',
    );
    const revoked = await replay('POST /requests/{id}/revoke', {
      path: revoke,
      as: 'adm-eve',
      json: { reason: 'The incident is closed' },
    });
    expect([200, 202], JSON.stringify(revoked.body)).toContain(revoked.status);
    expect
      .soft(
        await statusOf('POST /requests/{id}/revoke', {
          path: '/requests/REQ-NONE/revoke',
          as: 'adm-eve',
          json: { reason: 'x' },
        }),
      )
      .toBe(404);
  });

  it('replays a break-glass request and its review', async () => {
    const created = await replay('POST /requests', {
      as: 'ext-ned',
      json: { scopes: ['dataset:hes-apc'], justification, duration: 'PT1H', breakGlass: true },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await stack.waitForStatus(created.body.id, 'ACTIVE');
    const reviews = `/requests/${created.body.id}/break-glass-reviews`;
    refusedNaming(
      await replay('POST /requests/{id}/break-glass-reviews', {
        path: reviews,
        as: 'dir-ada',
        json: { verdict: 'justified' },
      }),
      400,
      'comment',
    );
    const reviewed = await replay('POST /requests/{id}/break-glass-reviews', {
      path: reviews,
      as: 'dir-ada',
      json: exampleOf('POST /requests/{id}/break-glass-reviews'),
    });
    expect(reviewed.status, JSON.stringify(reviewed.body)).toBe(200);
    expect(reviewed.body.breakGlass.reviews).toHaveLength(1);
  });

  it('replays the access and audit reads and the CSV exports', async () => {
    const first = state.first as string;
    expect.soft(await statusOf('GET /access', { as: 'aud-fay' })).toBe(200);
    expect.soft(await statusOf('GET /access', { as: 'aud-fay', query: { principal: 'ext-kim' } })).toBe(200);
    expect.soft(await statusOf('GET /access', { as: 'ext-kim' })).toBe(403);
    expect.soft(await statusOf('GET /access.csv', { as: 'aud-fay' })).toBe(200);
    refusedNaming(await replay('GET /access.csv', { as: 'aud-fay', query: { at: 'yesterday' } }), 400, 'at');
    expect
      .soft(await statusOf('GET /audit.csv', { as: 'aud-fay', query: { from: '2026-01-01T00:00:00Z' } }))
      .toBe(200);
    refusedNaming(await replay('GET /audit.csv', { as: 'aud-fay' }), 400, 'from');
    expect
      .soft(await statusOf('GET /audit.csv', { as: 'ext-kim', query: { from: '2026-01-01T00:00:00Z' } }))
      .toBe(403);
    expect.soft(await statusOf('GET /audit', { as: 'aud-fay', query: { requestId: first } })).toBe(200);
    refusedNaming(await replay('GET /audit', { as: 'aud-fay' }), 400, 'requestId');
    expect.soft(await statusOf('GET /audit', { as: 'aud-fay', query: { requestId: 'REQ-NONE' } })).toBe(404);
    expect.soft(await statusOf('GET /audit/verify', { as: 'aud-fay' })).toBe(200);
    expect.soft(await statusOf('GET /audit/verify', { as: 'ext-kim' })).toBe(403);
    expect.soft(await statusOf('GET /access/timeline', { as: 'aud-fay' })).toBe(200);
    refusedNaming(
      await replay('GET /access/timeline', { as: 'aud-fay', query: { from: 'soon' } }),
      400,
      'from',
    );
  });

  it('replays the directory changes from their examples', async () => {
    const admin = { as: 'adm-eve', path: '/principals/ext-gus' };
    const preview = await replay('POST /principals/{id}/preview', {
      ...admin,
      path: `${admin.path}/preview`,
      json: exampleOf('POST /principals/{id}/preview'),
    });
    expect(preview.status, JSON.stringify(preview.body)).toBe(200);
    const unknown = { as: 'adm-eve', path: '/principals/nobody/preview', json: { active: false } };
    expect.soft(await statusOf('POST /principals/{id}/preview', unknown)).toBe(404);
    const patched = await replay('PATCH /principals/{id}', {
      ...admin,
      json: exampleOf('PATCH /principals/{id}', 1),
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    refusedNaming(
      await replay('PATCH /principals/{id}', { ...admin, json: { active: 'no' } }),
      400,
      'active',
    );
    const self = { as: 'ext-gus', path: admin.path, json: { active: false } };
    expect.soft(await statusOf('PATCH /principals/{id}', self)).toBe(403);
  });

  it('replays the policy: read it, propose from the example, refuse the proposer, approve as a director', async () => {
    expect.soft(await statusOf('GET /policy', { as: 'ext-kim' })).toBe(200);
    refusedNaming(await replay('GET /policy', { as: 'ext-kim', query: { at: 'yesterday' } }), 400, 'at');
    expect.soft(await statusOf('GET /policy')).toBe(401);
    expect.soft(await statusOf('GET /policy/versions', { as: 'aud-fay' })).toBe(200);
    const proposed = await replay('POST /policy/proposals', {
      as: 'adm-eve',
      json: { ...exampleOf('POST /policy/proposals', 1), changes: { expiryReminderLead: 'PT2H' } },
    });
    expect(proposed.status, JSON.stringify(proposed.body)).toBe(201);
    refusedNaming(
      await replay('POST /policy/proposals', {
        as: 'adm-eve',
        json: { changes: { externalAdminCap: -1 }, reason: 'Negative' },
      }),
      400,
      'changes.externalAdminCap',
    );
    const notAdmin = { as: 'dir-ada', json: exampleOf('POST /policy/proposals') };
    expect.soft(await statusOf('POST /policy/proposals', notAdmin)).toBe(403);
    expect.soft(await statusOf('GET /policy/proposals', { as: 'dir-ada' })).toBe(200);
    expect.soft(await statusOf('GET /policy/proposals', { as: 'ext-kim' })).toBe(403);
    const decisions = `/policy/proposals/${proposed.body.id}/decisions`;
    const decide = (as: string, path = decisions) =>
      replay('POST /policy/proposals/{id}/decisions', {
        as,
        path,
        json: exampleOf('POST /policy/proposals/{id}/decisions'),
      });
    expect.soft((await decide('adm-eve')).status).toBe(403);
    expect.soft((await decide('dir-ada', '/policy/proposals/pol-none/decisions')).status).toBe(404);
    const approved = await decide('dir-ada');
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body).toMatchObject({ status: 'APPROVED', activatedVersion: 2 });
    expect.soft((await decide('dir-ben')).status).toBe(409);
  });

  it('replays a dataset change from its example, and refuses an unknown owner naming the field', async () => {
    const admin = { as: 'adm-eve', path: '/datasets/cancer-registry' };
    const patched = await replay('PATCH /datasets/{id}', {
      ...admin,
      json: exampleOf('PATCH /datasets/{id}'),
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    refusedNaming(
      await replay('PATCH /datasets/{id}', { ...admin, json: { owners: ['nobody'] } }),
      400,
      'owners[0]',
    );
    expect
      .soft(await statusOf('PATCH /datasets/{id}', { ...admin, as: 'dir-ada', json: { owners: [] } }))
      .toBe(403);
    const missing = { as: 'adm-eve', path: '/datasets/none', json: { owners: [] } };
    expect.soft(await statusOf('PATCH /datasets/{id}', missing)).toBe(404);
  });

  it('replays a Slack click, signed, and refuses an unsigned one', async () => {
    const request = await submit('ext-jon');
    const prompt = await waitFor(() => {
      try {
        return promptTo(stack, request.id, 'U0DIRADA');
      } catch {
        return undefined;
      }
    }, 'a Slack prompt');
    const payload = JSON.stringify({
      type: 'block_actions',
      user: { id: 'U0DIRADA' },
      team: { id: stack.channels.slack.teamId },
      trigger_id: 'x',
      container: { channel_id: 'D0DIRADA', message_ts: prompt.ts },
      actions: [{ action_id: 'approve', value: request.id }],
    });
    const form = { payload };
    const body = new URLSearchParams(form).toString();
    const now = String(Math.floor(Date.now() / 1000));
    expect.soft(await statusOf('POST /slack/interactions', { form })).toBe(401);
    const clicked = await replay('POST /slack/interactions', {
      form,
      headers: {
        'x-slack-request-timestamp': now,
        'x-slack-signature': slackSignature(stack.channels.signingSecret, now, body),
      },
    });
    expect(clicked.status, clicked.text).toBe(200);
    await stack.waitForStatus(request.id, 'ACTIVE');
  });

  it('replays SCIM provisioning with the client secret', async () => {
    const scim = (key: string, input: Replay = {}) =>
      replay(key, { bearer: stack.scim.token, contentType: 'application/scim+json', ...input });
    for (const key of [
      'GET /scim/v2/ServiceProviderConfig',
      'GET /scim/v2/ResourceTypes',
      'GET /scim/v2/Schemas',
    ])
      expect((await scim(key)).status).toBe(200);
    expect((await scim('GET /scim/v2/Users', { bearer: 'f'.repeat(64) })).status).toBe(401);
    const user = {
      schemas: [USER_SCHEMA],
      userName: 'replay-rae',
      displayName: 'Rae Replayed',
      emails: [{ value: 'rae@nhse.example', type: 'work', primary: true }],
      active: true,
    };
    const group = { schemas: [GROUP_SCHEMA], displayName: 'Replay Readers', members: [] };
    const kinds = [
      {
        kind: 'Users',
        resource: user,
        invalid: { schemas: [USER_SCHEMA] },
        query: { filter: 'userName eq "replay-rae"' },
        operations: [{ op: 'Replace', path: 'active', value: 'False' }],
      },
      {
        kind: 'Groups',
        resource: group,
        invalid: { schemas: [GROUP_SCHEMA] },
        query: { filter: 'displayName eq "Replay Readers"' },
        operations: [{ op: 'add', path: 'members', value: [{ value: 'ext-kim' }] }],
      },
    ];
    for (const { kind, resource, invalid, query, operations } of kinds) {
      const base = `/scim/v2/${kind}`;
      const created = await scim(`POST ${base}`, { json: resource });
      expect(created.status, created.text).toBe(201);
      expect.soft((await scim(`POST ${base}`, { json: resource })).status, kind).toBe(409);
      expect.soft((await scim(`POST ${base}`, { json: invalid })).status, kind).toBe(400);
      expect((await scim(`GET ${base}`, { query })).status).toBe(200);
      expect.soft((await scim(`GET ${base}`, { query: { filter: 'userName zz' } })).status, kind).toBe(400);
      const one = { path: `${base}/${created.body.id}` };
      const nobody = { path: `${base}/nobody` };
      const patch = { json: { schemas: [PATCH_SCHEMA], Operations: operations } };
      expect((await scim(`GET ${base}/{id}`, one)).status).toBe(200);
      expect.soft((await scim(`GET ${base}/{id}`, nobody)).status, kind).toBe(404);
      const put = { json: { ...resource, displayName: 'Replaced by PUT' } };
      const replaced = await scim(`PUT ${base}/{id}`, { ...one, ...put });
      expect(replaced.status, replaced.text).toBe(200);
      expect.soft((await scim(`PUT ${base}/{id}`, { ...nobody, ...put })).status, kind).toBe(404);
      const patched = await scim(`PATCH ${base}/{id}`, { ...one, ...patch });
      expect(patched.status, patched.text).toBe(200);
      expect.soft((await scim(`PATCH ${base}/{id}`, { ...nobody, ...patch })).status, kind).toBe(404);
      expect((await scim(`DELETE ${base}/{id}`, one)).status).toBe(204);
      expect.soft((await scim(`DELETE ${base}/{id}`, nobody)).status, kind).toBe(404);
    }
  });

  it("refuses an oversized body in the handler's shape (64 KiB) and in the gateway's (10 MiB), both documented", async () => {
    const big = (bytes: number) => ({
      scopes: ['dataset:hes-apc'],
      justification: 'x'.repeat(bytes),
      duration: 'PT1H',
    });
    const guarded = await replay('POST /requests', { as: 'ext-kim', json: big(70 * 1024) });
    const gateway = await replay('POST /requests', { as: 'ext-kim', json: big(11 * 1024 * 1024) });
    expect(guarded.status).toBe(413);
    expect(guarded.body.error.code).toEqual(expect.any(String));
    expect(gateway.status).toBe(413);
    expect(gateway.body).toEqual({ message: 'Request Entity Too Large' });
  });

  it('the validator is not vacuous: a wrong body, status or content type is named', () => {
    const json = 'application/json; charset=utf-8';
    expect(
      contract.problems('GET /health', { status: 200, contentType: json, text: '{"ok":"yes"}' }),
    ).not.toEqual([]);
    expect(contract.problems('GET /health', { status: 418, contentType: json, text: '{}' })).toEqual([
      expect.stringContaining('418, not documented'),
    ]);
    expect(contract.problems('GET /access.csv', { status: 200, contentType: json, text: '{}' })).toEqual([
      expect.stringContaining('content type application/json'),
    ]);
    expect(
      contract.problems('DELETE /scim/v2/Users/{id}', { status: 204, contentType: null, text: '{}' }),
    ).toEqual([expect.stringContaining('without content')]);
  });

  it('replayed every operation in the document, and every answer matched it', () => {
    const missing = contract.operations.filter((key) => !replayed.has(key));
    expect(missing, 'operations without a replay').toEqual([]);
    expect(mismatches.join('\n')).toBe('');
    expect(contract.operations.length).toBe(52);
    expect(requests).toBeGreaterThan(contract.operations.length);
    console.info(`replayed ${requests} requests over ${contract.operations.length} operations`);
  });
});
