// Structured JSON logs for every handler: one Powertools Logger that redacts secrets before anything is written,
// and the middy middleware that wires it in (and flushes Powertools Metrics, for the functions that record any:
// ./powertools-metrics.ts, imported only where a metric is recorded).
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';

export const SERVICE_NAME = 'keyholder';
export const REDACTED = '[REDACTED]';

/**
 * Keys whose values never reach a log, compared without case, dashes or underscores: credentials and anything
 * that can carry an email or message body (which may quote a token or patient data).
 */
const SECRET_KEYS = new Set(['authorization', 'cookie', 'body', 'text', 'html', 'raw', 'password', 'secret']);
// ...and any key ending like these: taskToken, linkToken, botToken, signingSecret, clientSecret, x-slack-signature.
const SECRET_KEY_ENDINGS = /(token|secret|password|signature|apikey|credentials?)$/;

const BEARER = /\bBearer\s+[A-Za-z0-9._~+/-]+=*/gi;
const JWT = /\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;
const SLACK_TOKEN = /\bxox[abeoprs]-[A-Za-z0-9-]+/g;
// Step Functions task tokens and link tokens are long unbroken base64 runs; no legitimate log text is.
const LONG_OPAQUE = /[A-Za-z0-9+/=_-]{100,}/g;

const normalisedKey = (key: string): string => key.toLowerCase().replace(/[-_]/g, '');

export function isSecretKey(key: string): boolean {
  const normalised = normalisedKey(key);
  return SECRET_KEYS.has(normalised) || SECRET_KEY_ENDINGS.test(normalised);
}

/** Blanks what looks like a credential inside free text (messages, error messages, stack traces). */
export function redactText(text: string): string {
  return text
    .replace(BEARER, `Bearer ${REDACTED}`)
    .replace(JWT, REDACTED)
    .replace(SLACK_TOKEN, REDACTED)
    .replace(LONG_OPAQUE, REDACTED);
}

/**
 * A JSON.stringify replacer: JSON.stringify calls it for every key at every depth, so nested objects, arrays
 * and formatted errors are all covered without a walk of our own.
 */
export function redact(key: string, value: unknown): unknown {
  if (value === undefined || value === null) return value;
  if (key !== '' && isSecretKey(key)) return REDACTED;
  if (typeof value === 'string') return redactText(value);
  return value;
}

type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';

/**
 * On Lambda the function's POWERTOOLS_LOG_LEVEL (lib/keyholder-function.ts) decides; elsewhere (local stack,
 * tests) only warnings and errors are written unless POWERTOOLS_LOG_LEVEL says otherwise.
 */
function defaultLogLevel(env: NodeJS.ProcessEnv): LogLevel {
  const level = env.POWERTOOLS_LOG_LEVEL?.toUpperCase();
  if (level === 'DEBUG' || level === 'INFO' || level === 'WARN' || level === 'ERROR' || level === 'SILENT')
    return level;
  return env.AWS_LAMBDA_FUNCTION_NAME ? 'INFO' : 'WARN';
}

export function createLogger(options: { serviceName?: string; logLevel?: LogLevel } = {}): Logger {
  return new Logger({
    serviceName: options.serviceName ?? process.env.POWERTOOLS_SERVICE_NAME ?? SERVICE_NAME,
    logLevel: options.logLevel ?? defaultLogLevel(process.env),
    jsonReplacerFn: redact,
  });
}

/** One per Lambda instance (module scope), like the SDK clients. */
export const logger = createLogger();

/** What the middleware needs of Powertools Metrics: publish what the invocation recorded. */
export interface StoredMetrics {
  hasStoredMetrics(): boolean;
  publishStoredMetrics(): void;
}

export interface ObservedRequest {
  readonly event: unknown;
  readonly context: Context | undefined;
  readonly response: unknown;
  readonly error?: unknown;
}

export interface ObservabilityOptions {
  readonly logger?: Logger;
  /** The function's metrics, when it records any; published after each invocation. */
  readonly metrics?: StoredMetrics;
  /** Safe, small facts about the invocation for its log line (route, status); never the event itself. */
  readonly describe?: (request: ObservedRequest) => Record<string, unknown>;
}

/**
 * Middy middleware, used first so it sees the final response: adds the Lambda context (request id, cold start)
 * to every log line, writes one line per invocation, and publishes the metrics recorded during it (if given).
 */
export function observability(options: ObservabilityOptions = {}) {
  const log = options.logger ?? logger;
  const recorded = options.metrics;
  const describe = options.describe ?? (() => ({}));
  // Per request, not per middleware: the local stack runs many invocations of one handler at once.
  const started = new WeakMap<object, number>();
  const facts = (request: ObservedRequest) => ({
    durationMs: Math.round(performance.now() - (started.get(request) ?? performance.now())),
    ...describe(request),
  });
  const flush = () => {
    if (recorded?.hasStoredMetrics()) recorded.publishStoredMetrics();
  };
  return {
    before: async (request: ObservedRequest) => {
      started.set(request, performance.now());
      if (request.context?.awsRequestId) log.addContext(request.context);
    },
    after: async (request: ObservedRequest) => {
      log.info('invocation done', facts(request));
      flush();
    },
    onError: async (request: ObservedRequest) => {
      const error = request.error as Error | undefined;
      const status = (request.response as { statusCode?: number } | null | undefined)?.statusCode;
      // An error already mapped to a 4xx answer is the caller's, not a failure of ours.
      if (status !== undefined && status < 500) {
        log.info('invocation answered an error', { ...facts(request), errorName: error?.name });
      } else {
        log.error('invocation failed', { ...facts(request), errorName: error?.name, error });
      }
      flush();
    },
  };
}
