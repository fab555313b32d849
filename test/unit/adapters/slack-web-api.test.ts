// The Slack adapter on our own fetch client (lambdas/adapters/slack/slack-api.ts), against the fake Slack the local
// stack runs and, for what the fake does not do (429, a stall, a body that is not Slack's), a bare HTTP server.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackApi, SlackApiError } from '../../../lambdas/adapters/slack/slack-api.ts';
import {
  SlackChatApprovals,
  SlackConnection,
  SlackInteractionChat,
  SlackNotifier,
} from '../../../lambdas/adapters/slack/slack-web-api.ts';
import type { Principal } from '../../../lambdas/core/model.ts';
import { type FakeSlack, startFakeSlack } from '../../../local/fake-slack.ts';

const ada: Principal = {
  id: 'dir-ada',
  name: 'Ada Director',
  email: 'dir-ada@nhse.example',
  organisation: 'NHSE',
  grade: 'director',
  slackUserId: 'U0DIRADA',
  roles: [],
  active: true,
};

const notice = {
  kind: 'granted',
  requestId: 'req-1',
  subject: 'Access granted',
  headline: 'Your access to HES APC is active',
  facts: [['Dataset', 'HES APC']] as const,
};

describe('Slack adapter on the fetch client, against the fake Slack', () => {
  let slack: FakeSlack;
  let connection: SlackConnection;

  beforeAll(async () => {
    slack = await startFakeSlack();
    connection = new SlackConnection({
      secrets: async () => ({ botToken: slack.botToken, signingSecret: 'shh', teamId: slack.teamId }),
      slackApiUrl: slack.apiUrl,
    });
  });
  afterAll(() => slack.stop());

  it('posts a notice as a DM with its blocks, and names the message it posted', async () => {
    // Act
    const sent = await new SlackNotifier(connection).send(ada, notice);

    // Assess
    const message = slack.messages().find((one) => one.user === 'U0DIRADA' && one.text.includes('HES APC'));
    expect(message).toBeDefined();
    expect(sent.messageId).toBe(`${message?.channel}/${message?.ts}`);
    expect(message?.blocks.length).toBeGreaterThan(0);
    const call = slack.calls().find((one) => one.method === 'chat.postMessage');
    expect(call?.args.unfurl_links).toBe(false);
  });

  it.each([
    ['ChatApprovals', SlackChatApprovals],
    ["the interactions function's replies", SlackInteractionChat],
  ])('sends an ephemeral note and opens the deny-reason modal (%s)', async (_, Chat) => {
    // Prepare
    const chat = new Chat(connection);
    const trigger = slack.issueTrigger('U0DIRADA');

    // Act
    await chat.explain({ channel: 'DDIRADA', user: 'U0DIRADA' }, 'Already decided by Ben');
    await chat.askDenyReason(trigger, {
      requestId: 'req-1',
      summary: 'HES APC for Kim',
      prompt: { channel: 'DDIRADA', ts: '1.000001' },
    });

    // Assess
    expect(slack.ephemerals().at(-1)).toMatchObject({ user: 'U0DIRADA', text: 'Already decided by Ben' });
    expect(slack.views().at(-1)).toMatchObject({ triggerId: trigger, user: 'U0DIRADA' });
    expect(slack.views().at(-1)?.view.type).toBe('modal');
  });

  it("fails with Slack's error code when Slack answers ok:false (what the audited failure names)", async () => {
    // Prepare
    slack.failNext('chat.postMessage', 1, { error: 'service_unavailable' });

    // Act
    const failure = await new SlackNotifier(connection).send(ada, notice).catch((error: unknown) => error);

    // Assess
    expect(failure).toBeInstanceOf(SlackApiError);
    expect(failure).toMatchObject({ kind: 'platform', slackError: 'service_unavailable' });
    expect(String(failure)).toContain('service_unavailable');
  });

  it('fails on an HTTP 500 and on an expired trigger, without retrying either', async () => {
    // Prepare
    const chat = new SlackChatApprovals(connection);
    slack.failNext('chat.postEphemeral', 1, { http: true });
    const before = slack.calls().length;

    // Act
    const http = await chat.explain({ channel: 'D1', user: 'U1' }, 'x').catch((error: unknown) => error);
    const expired = await chat
      .askDenyReason('no-such-trigger', {
        requestId: 'r',
        summary: 's',
        prompt: { channel: 'D1', ts: '1.1' },
      })
      .catch((error: unknown) => error);

    // Assess
    expect(http).toMatchObject({ kind: 'http', status: 500, slackError: 'internal_error' });
    expect(expired).toMatchObject({ kind: 'platform', slackError: 'expired_trigger_id' });
    expect(slack.calls().length - before).toBe(2);
  });

  it('refuses a wrong token as Slack does (invalid_auth)', async () => {
    // Prepare
    const api = new SlackApi({ token: 'xoxb-wrong', baseUrl: slack.apiUrl, timeoutMs: 2000 });

    // Act
    const failure = await api.call('chat.postMessage', { channel: 'U1', text: 'x' }).catch((e: unknown) => e);

    // Assess
    expect(failure).toMatchObject({ kind: 'platform', slackError: 'invalid_auth' });
  });

  it('does not cache a failed secret read: the next call reads it again', async () => {
    // Prepare
    let reads = 0;
    const flaky = new SlackConnection({
      secrets: async () => {
        reads += 1;
        if (reads === 1) throw new Error('secrets manager down');
        return { botToken: slack.botToken, signingSecret: 's' };
      },
      slackApiUrl: slack.apiUrl,
    });

    // Act
    const first = await new SlackNotifier(flaky).send(ada, notice).catch((error: unknown) => error);
    const second = await new SlackNotifier(flaky).send(ada, notice);

    // Assess
    expect(String(first)).toContain('secrets manager down');
    expect(second.messageId).toMatch(/^D0DIRADA\//);
  });
});

describe('SlackApi on what the fake Slack does not do', () => {
  let answer: (req: IncomingMessage, res: ServerResponse) => void = () => undefined;
  let seen: { authorization: string | undefined; contentType: string | undefined; body: string }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    req.on('end', () => {
      seen.push({ authorization: req.headers.authorization, contentType: req.headers['content-type'], body });
      answer(req, res);
    });
  });
  let baseUrl = '';
  const api = () => new SlackApi({ token: 'xoxb-t', baseUrl, timeoutMs: 300 });

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('POSTs the arguments as JSON with the bot token to /api/<method>, and returns the answer', async () => {
    // Prepare
    seen = [];
    answer = (req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ ok: true, channel: 'D1', ts: '2.000001', path: req.url }));
    };

    // Act
    const result = await api().call('chat.update', {
      channel: 'D1',
      ts: '2.000001',
      blocks: [{ type: 'x' }],
    });

    // Assess
    expect(result).toEqual({ ok: true, channel: 'D1', ts: '2.000001', path: '/api/chat.update' });
    expect(seen).toEqual([
      {
        authorization: 'Bearer xoxb-t',
        contentType: 'application/json; charset=utf-8',
        body: JSON.stringify({ channel: 'D1', ts: '2.000001', blocks: [{ type: 'x' }] }),
      },
    ]);
  });

  it('refuses a rate-limited call at once, with its Retry-After, and tries it once only', async () => {
    // Prepare
    seen = [];
    answer = (_req, res) => {
      res.writeHead(429, { 'retry-after': '7', 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: false, error: 'ratelimited' }));
    };

    // Act
    const started = performance.now();
    const failure = await api()
      .call('chat.postMessage', { channel: 'U1', text: 'x' })
      .catch((e: unknown) => e);

    // Assess
    expect(failure).toBeInstanceOf(SlackApiError);
    expect(failure).toMatchObject({ kind: 'rate-limited', status: 429, retryAfterSeconds: 7 });
    expect(String(failure)).toContain('retry after 7 s');
    expect(seen).toHaveLength(1);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('gives up at the deadline on a Slack that does not answer, and on one that stalls mid-body', async () => {
    // Prepare
    answer = () => undefined;

    // Act
    const started = performance.now();
    const hung = await api()
      .call('chat.postMessage', { channel: 'U1', text: 'x' })
      .catch((e: unknown) => e);
    const hungMs = performance.now() - started;
    answer = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"ok":');
    };
    const stalled = await api()
      .call('chat.postMessage', { channel: 'U1', text: 'x' })
      .catch((e: unknown) => e);

    // Assess
    expect(hung).toMatchObject({ kind: 'timeout', method: 'chat.postMessage' });
    expect(String(hung)).toContain('no answer within 300 ms');
    expect(hungMs).toBeGreaterThanOrEqual(250);
    expect(hungMs).toBeLessThan(2000);
    expect(stalled).toMatchObject({ kind: 'timeout' });
  });

  it('fails on a 200 whose body is not a Slack answer', async () => {
    // Prepare
    answer = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>captive portal</html>');
    };

    // Act
    const failure = await api()
      .call('views.open', { trigger_id: 't', view: {} })
      .catch((e: unknown) => e);

    // Assess
    expect(failure).toMatchObject({ kind: 'http', status: 200 });
  });

  it('fails as a request error when nothing listens', async () => {
    // Prepare
    const closed = new SlackApi({ token: 't', baseUrl: 'http://127.0.0.1:9/api/', timeoutMs: 2000 });

    // Act
    const failure = await closed
      .call('chat.postMessage', { channel: 'U1', text: 'x' })
      .catch((e: unknown) => e);

    // Assess
    expect(failure).toMatchObject({ kind: 'request' });
    expect(String(failure)).toContain('request failed');
  });
});
