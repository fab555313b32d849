// The few Slack Web API methods Keyholder calls, over fetch: one POST of a JSON body per call, Bearer bot token,
// Slack's `{"ok": ...}` answer. It replaces @slack/web-api, which with axios, form-data, p-queue, p-retry and
// their dependencies put 90+ KiB into every notifying bundle for four methods (README, "Lambda bundles").
// Like the client it replaces as configured here: no retries (the use cases retry with their own budget and audit
// each failure), a rate-limited call is refused at once with its Retry-After, and every call has a deadline.

/** The methods used (lambdas/adapters/slack/slack-web-api.ts). */
export type SlackMethod = 'chat.postMessage' | 'chat.update' | 'chat.postEphemeral' | 'views.open';

export type SlackFailureKind =
  /** Slack answered `ok: false`; `slackError` is its error code (`channel_not_found`, `invalid_auth`, ...). */
  | 'platform'
  /** HTTP 429: `retryAfterSeconds` is Slack's Retry-After. */
  | 'rate-limited'
  /** Any other non-2xx answer, or a body that is not Slack's JSON. */
  | 'http'
  /** No answer within the deadline. */
  | 'timeout'
  /** The request did not get through (DNS, connection refused or reset). */
  | 'request';

export class SlackApiError extends Error {
  readonly kind: SlackFailureKind;
  readonly method: SlackMethod;
  readonly slackError: string | undefined;
  readonly status: number | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(
    method: SlackMethod,
    kind: SlackFailureKind,
    message: string,
    details: {
      readonly slackError?: string | undefined;
      readonly status?: number | undefined;
      readonly retryAfterSeconds?: number | undefined;
      readonly cause?: unknown;
    } = {},
  ) {
    super(`Slack ${method}: ${message}`, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'SlackApiError';
    this.kind = kind;
    this.method = method;
    this.slackError = details.slackError;
    this.status = details.status;
    this.retryAfterSeconds = details.retryAfterSeconds;
  }
}

export interface SlackApiOptions {
  readonly token: string;
  /** Ends with `/api/`. @default https://slack.com/api/ */
  readonly baseUrl?: string | undefined;
  /** Per call. */
  readonly timeoutMs: number;
  readonly fetch?: typeof fetch;
}

/** An answer with `ok: true`; the method's own fields beside it. */
export type SlackAnswer = Readonly<Record<string, unknown>> & { readonly ok: true };

const SLACK_API_URL = 'https://slack.com/api/';

export class SlackApi {
  readonly #token: string;
  readonly #baseUrl: string;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;

  constructor(options: SlackApiOptions) {
    this.#token = options.token;
    const base = options.baseUrl ?? SLACK_API_URL;
    this.#baseUrl = base.endsWith('/') ? base : `${base}/`;
    this.#timeoutMs = options.timeoutMs;
    this.#fetch = options.fetch ?? fetch;
  }

  async call(method: SlackMethod, args: Readonly<Record<string, unknown>>): Promise<SlackAnswer> {
    let response: Response;
    let body: string;
    // One deadline for the whole exchange, the body included: a server that sends headers then stalls is caught.
    const signal = AbortSignal.timeout(this.#timeoutMs);
    try {
      response = await this.#fetch(new URL(method, this.#baseUrl), {
        method: 'POST',
        headers: {
          authorization: `Bearer ${this.#token}`,
          'content-type': 'application/json; charset=utf-8',
        },
        body: JSON.stringify(args),
        signal,
      });
      body = await response.text();
    } catch (error) {
      if (signal.aborted)
        throw new SlackApiError(method, 'timeout', `no answer within ${this.#timeoutMs} ms`, {
          cause: error,
        });
      throw new SlackApiError(method, 'request', `request failed: ${describe(error)}`, { cause: error });
    }
    if (response.status === 429) {
      const retryAfterSeconds = retryAfter(response.headers.get('retry-after'));
      throw new SlackApiError(
        method,
        'rate-limited',
        `rate limited${retryAfterSeconds === undefined ? '' : `, retry after ${retryAfterSeconds} s`}`,
        { status: 429, retryAfterSeconds },
      );
    }
    const answer = parse(body);
    if (!response.ok) {
      const slackError = typeof answer?.error === 'string' ? answer.error : undefined;
      throw new SlackApiError(
        method,
        'http',
        `HTTP ${response.status}${slackError ? ` (${slackError})` : ''}`,
        { status: response.status, slackError },
      );
    }
    if (!answer || typeof answer.ok !== 'boolean')
      throw new SlackApiError(method, 'http', 'the answer is not a Slack Web API answer', {
        status: response.status,
      });
    if (!answer.ok) {
      const slackError = typeof answer.error === 'string' ? answer.error : 'unknown_error';
      const messages = (answer.response_metadata as { messages?: unknown } | undefined)?.messages;
      const detail = Array.isArray(messages) && messages.length > 0 ? ` (${messages.join('; ')})` : '';
      throw new SlackApiError(method, 'platform', `${slackError}${detail}`, {
        slackError,
        status: response.status,
      });
    }
    return answer as SlackAnswer;
  }
}

function parse(body: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Slack sends whole seconds; an HTTP date is read too. */
function retryAfter(header: string | null): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}
