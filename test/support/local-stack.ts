// Test helpers around a running local stack: an HTTP client that acts as a given principal, and polling.
import { randomUUID } from 'node:crypto';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../local/stack.ts';
import { dynamodbEndpoint } from './dynamodb.ts';

export interface Answer<T = any> {
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
}

export interface TestStack extends LocalStack {
  call<T = any>(
    method: string,
    path: string,
    options?: { as?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<Answer<T>>;
  waitForStatus(requestId: string, status: string, timeoutMs?: number): Promise<any>;
  approvalLinks(approverId: string, requestId: string): string[];
}

export interface TestStackOptions extends LocalStackOptions {
  /**
   * Start this stack's own DynamoDB Local (a JVM) instead of its own tables on the run's shared one. Stacks that
   * persist their data always get their own.
   */
  readonly ownDynamoDb?: boolean;
}

export async function startTestStack(options: TestStackOptions = {}): Promise<TestStack> {
  const { ownDynamoDb, ...stackOptions } = options;
  // One JVM for the whole run (test/support/global-setup.ts): a stack of its own costs seconds of both cores.
  const sharedDynamoDb =
    ownDynamoDb || options.persistDir || options.sharedDynamoDb
      ? options.sharedDynamoDb
      : { endpoint: dynamodbEndpoint(), tablePrefix: `kh-stack-${randomUUID().slice(0, 8)}` };
  const stack = await startLocalStack({ port: 0, ...stackOptions, sharedDynamoDb });
  const tokens = new Map<string, string>();
  const tokenOf = async (sub: string) => {
    const cached = tokens.get(sub);
    if (cached) return cached;
    const token = await stack.tokenFor(sub);
    tokens.set(sub, token);
    return token;
  };
  const call: TestStack['call'] = async (method, path, options = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.as) headers.authorization = `Bearer ${await tokenOf(options.as)}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(`${stack.url}${path}`, { method, headers, body, redirect: 'manual' });
    const text = await response.text();
    let parsed: unknown = text;
    if ((response.headers.get('content-type') ?? '').includes('json')) parsed = JSON.parse(text);
    return { status: response.status, body: parsed as any, headers: response.headers };
  };
  const waitForStatus: TestStack['waitForStatus'] = async (requestId, status, timeoutMs = 20_000) => {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    while (Date.now() < deadline) {
      const answer = await call('GET', `/requests/${requestId}`, { as: 'adm-eve' });
      last = answer.body;
      if (answer.status === 200 && answer.body.status === status) return answer.body;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(
      `request ${requestId} did not reach ${status} in ${timeoutMs} ms; last seen ${JSON.stringify(last)}`,
    );
  };
  const approvalLinks: TestStack['approvalLinks'] = (approverId, requestId) => {
    const approver = stack.seed.principals.find((principal) => principal.id === approverId);
    return stack.mailbox
      .messages()
      .filter((message) => message.to === approver?.email && message.subject.includes(requestId))
      .filter((message) => message.text.includes('/approve/')) // outcome notices name the request, without a link
      .map((message) => {
        const match = /(https?:\/\/\S+\/approve\/[A-Za-z0-9_-]+)/.exec(message.text);
        if (!match?.[1]) throw new Error(`no approval link in ${message.subject}`);
        return match[1];
      });
  };
  return { ...stack, call, waitForStatus, approvalLinks };
}

export async function waitFor<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}
