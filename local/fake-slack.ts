// A local Slack Web API: chat.postMessage, chat.update, chat.postEphemeral and views.open as Slack serves them
// (form or JSON POST to /api/<method>, Bearer bot token, `{"ok": ...}` answers), recording every call so the
// dev routes and tests can see what Keyholder sent. Keyholder's client (lambdas/adapters/slack/slack-api.ts)
// talks to it via slackApiUrl.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { closeServer, createWaiters, listen, readBody, sendJson } from './http-util.ts';

export interface SlackCall {
  readonly method: string;
  readonly args: Record<string, unknown>;
  readonly ok: boolean;
  readonly error?: string;
  readonly at: string;
}

export interface SlackMessageRecord {
  readonly channel: string;
  readonly ts: string;
  /** The user whose direct message this is (posting to a user id opens the app's DM with them). */
  readonly user: string | undefined;
  text: string;
  blocks: Record<string, unknown>[];
  readonly postedAt: string;
  /** Earlier versions, oldest first; every chat.update pushes the version it replaced. */
  readonly history: { text: string; blocks: Record<string, unknown>[]; at: string }[];
}

export interface SlackEphemeral {
  readonly channel: string;
  readonly user: string;
  readonly text: string;
  readonly at: string;
}

export interface SlackView {
  readonly id: string;
  readonly triggerId: string;
  readonly user: string | undefined;
  readonly view: Record<string, unknown>;
  readonly at: string;
}

export interface FakeSlack {
  /** For `slackApiUrl` (ends with `/api/`). */
  readonly apiUrl: string;
  readonly botToken: string;
  readonly teamId: string;
  calls(): SlackCall[];
  messages(): SlackMessageRecord[];
  ephemerals(): SlackEphemeral[];
  views(): SlackView[];
  /** A trigger id as Slack puts in an interaction payload: valid for one views.open within 3 seconds. */
  issueTrigger(user: string): string;
  /** The next `count` calls of `method` fail: `{"ok":false,"error":...}`, or HTTP 500 with `http`. */
  failNext(
    method: string,
    count: number,
    failure?: { readonly error?: string; readonly http?: boolean },
  ): void;
  /** The next `count` calls of `method` hang for `ms` before they are answered as usual (a stalled channel). */
  delayNext(method: string, count: number, ms: number): void;
  waitFor<T>(probe: () => T | undefined, timeoutMs?: number): Promise<T>;
  stop(): Promise<void>;
}

const TRIGGER_LIFETIME_MS = 3000;

export async function startFakeSlack(options: { readonly botToken?: string } = {}): Promise<FakeSlack> {
  const botToken = options.botToken ?? `xoxb-local-${randomBytes(12).toString('hex')}`;
  const teamId = 'T0KEYHOLDER';
  const calls: SlackCall[] = [];
  const messages: SlackMessageRecord[] = [];
  const ephemerals: SlackEphemeral[] = [];
  const views: SlackView[] = [];
  const triggers = new Map<string, { user: string; expires: number }>();
  const failures = new Map<string, { count: number; error: string; http: boolean }>();
  const delays = new Map<string, { count: number; ms: number }>();
  const waiters = createWaiters();
  let counter = 0;
  const nextTs = () => `${Math.floor(Date.now() / 1000)}.${String(++counter).padStart(6, '0')}`;

  const methods: Record<string, (args: Record<string, unknown>) => Record<string, unknown>> = {
    'chat.postMessage': (args) => {
      const target = requireString(args, 'channel');
      if (args.text === undefined && args.blocks === undefined) throw new SlackFailure('no_text');
      const user = /^[UW]/.test(target) ? target : undefined;
      const channel = user ? `D${user.slice(1)}` : target;
      const message: SlackMessageRecord = {
        channel,
        ts: nextTs(),
        user,
        text: String(args.text ?? ''),
        blocks: blocksOf(args.blocks),
        postedAt: new Date().toISOString(),
        history: [],
      };
      messages.push(message);
      return { channel, ts: message.ts, message: { type: 'message', text: message.text, ts: message.ts } };
    },
    'chat.update': (args) => {
      const channel = requireString(args, 'channel');
      const ts = requireString(args, 'ts');
      const message = messages.find((candidate) => candidate.channel === channel && candidate.ts === ts);
      if (!message) throw new SlackFailure('message_not_found');
      message.history.push({ text: message.text, blocks: message.blocks, at: new Date().toISOString() });
      if (args.text !== undefined) message.text = String(args.text);
      if (args.blocks !== undefined) message.blocks = blocksOf(args.blocks);
      return { channel, ts, text: message.text };
    },
    'chat.postEphemeral': (args) => {
      const ephemeral: SlackEphemeral = {
        channel: requireString(args, 'channel'),
        user: requireString(args, 'user'),
        text: String(args.text ?? ''),
        at: new Date().toISOString(),
      };
      ephemerals.push(ephemeral);
      return { message_ts: nextTs() };
    },
    'views.open': (args) => {
      const triggerId = requireString(args, 'trigger_id');
      const trigger = triggers.get(triggerId);
      if (!trigger || trigger.expires < Date.now()) throw new SlackFailure('expired_trigger_id');
      triggers.delete(triggerId);
      const view =
        typeof args.view === 'string' ? (JSON.parse(args.view) as Record<string, unknown>) : args.view;
      if (typeof view !== 'object' || view === null) throw new SlackFailure('invalid_arguments');
      const record: SlackView = {
        id: `V${randomBytes(5).toString('hex').toUpperCase()}`,
        triggerId,
        user: trigger.user,
        view: view as Record<string, unknown>,
        at: new Date().toISOString(),
      };
      views.push(record);
      return { view: { id: record.id, team_id: teamId, ...record.view, state: { values: {} } } };
    },
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const method = path.startsWith('/api/') ? path.slice('/api/'.length) : '';
    if (req.method !== 'POST') return sendJson(res, 405, { ok: false, error: 'method_not_allowed' });
    const args = parseArgs(req.headers['content-type'], (await readBody(req, 1024 * 1024)).toString('utf8'));
    const delay = delays.get(method);
    if (delay && delay.count > 0) {
      delay.count -= 1;
      await new Promise((resolve) => setTimeout(resolve, delay.ms));
    }
    const at = new Date().toISOString();
    const failure = failures.get(method);
    if (failure && failure.count > 0) {
      failure.count -= 1;
      calls.push({ method, args, ok: false, error: failure.error, at });
      waiters.notify();
      if (failure.http) return sendJson(res, 500, { ok: false, error: failure.error });
      return sendJson(res, 200, { ok: false, error: failure.error });
    }
    const authorization = req.headers.authorization ?? '';
    const token = authorization.replace(/^Bearer\s+/i, '') || String(args.token ?? '');
    let answer: Record<string, unknown>;
    if (token !== botToken) answer = { ok: false, error: 'invalid_auth' };
    else if (!methods[method]) answer = { ok: false, error: 'unknown_method' };
    else {
      try {
        answer = { ok: true, ...methods[method](args) };
      } catch (error) {
        answer = { ok: false, error: error instanceof SlackFailure ? error.code : 'internal_error' };
      }
    }
    calls.push({
      method,
      args,
      ok: answer.ok === true,
      ...(answer.ok ? {} : { error: String(answer.error) }),
      at,
    });
    waiters.notify();
    sendJson(res, 200, answer);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      console.error('[fake slack]', error);
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: 'internal_error' });
    });
  });
  const { url } = await listen(server);

  return {
    apiUrl: `${url}/api/`,
    botToken,
    teamId,
    calls: () => calls.map((call) => ({ ...call })),
    messages: () => messages.map((message) => structuredClone(message)),
    ephemerals: () => [...ephemerals],
    views: () => [...views],
    issueTrigger(user) {
      const id = `${Date.now()}.${randomBytes(6).toString('hex')}`;
      triggers.set(id, { user, expires: Date.now() + TRIGGER_LIFETIME_MS });
      return id;
    },
    failNext(method, count, failure = {}) {
      failures.set(method, { count, error: failure.error ?? 'internal_error', http: failure.http ?? false });
    },
    delayNext(method, count, ms) {
      delays.set(method, { count, ms });
    },
    waitFor(probe, timeoutMs = 10_000) {
      return waiters.until(probe, timeoutMs, () => `no matching Slack call among ${calls.length}`);
    },
    stop: () => closeServer(server),
  };
}

class SlackFailure extends Error {
  readonly code: string;
  constructor(code: string) {
    super(code);
    this.code = code;
  }
}

function requireString(args: Record<string, unknown>, name: string): string {
  const value = args[name];
  if (typeof value !== 'string' || value === '')
    throw new SlackFailure(name === 'channel' ? 'channel_not_found' : 'invalid_arguments');
  return value;
}

/** The Web API takes either form fields (objects JSON-encoded, as Slack clients commonly send them) or a JSON body. */
function parseArgs(contentType: string | undefined, body: string): Record<string, unknown> {
  if ((contentType ?? '').includes('application/json'))
    return JSON.parse(body || '{}') as Record<string, unknown>;
  return Object.fromEntries(new URLSearchParams(body));
}

function blocksOf(value: unknown): Record<string, unknown>[] {
  if (value === undefined) return [];
  const parsed = typeof value === 'string' ? JSON.parse(value) : value;
  if (!Array.isArray(parsed)) throw new SlackFailure('invalid_blocks');
  return parsed as Record<string, unknown>[];
}
