// Memory, timeout and reserved concurrency of every Keyholder function, decided here in one table.
import { Duration } from 'aws-cdk-lib';

export interface FunctionSizing {
  /** MB; on ARM, CPU grows with memory, so CPU-bound work (hashing, CSV) gets more. */
  readonly memorySize: number;
  readonly timeout: Duration;
  /**
   * Reserved concurrency: both a ceiling (a flood cannot exhaust the DynamoDB or mail quotas through one
   * function) and a floor (other functions in the account cannot starve this one).
   * Absent: not reserved, for the reason in `unreservedBecause`.
   */
  readonly reservedConcurrency?: number;
  readonly unreservedBecause?: string;
}

/** How a function is invoked decides its defaults. */
export type Trigger = 'http' | 'workflow' | 'scheduled' | 'mail' | 'queue';

const DEFAULTS: Readonly<Record<Trigger, FunctionSizing>> = {
  // Below API Gateway's 29 s integration limit, well above one DynamoDB transaction.
  http: {
    memorySize: 512,
    timeout: Duration.seconds(10),
    unreservedBecause:
      'The API stage throttle (keyholder:apiRateLimit / apiBurstLimit) bounds every route together; ' +
      'reserving per route would set aside 200+ executions, and AWS keeps 100 unreserved, so the stack ' +
      'would not deploy in accounts on the default or a new-account concurrency quota.',
  },
  // Sends mail and Slack prompts, or calls access providers: a webhook spends up to maxAttempts x timeout plus
  // backoff, Identity Center polls an assignment's provisioning status for up to ~45 s. No API limit applies here.
  workflow: {
    memorySize: 512,
    timeout: Duration.minutes(2),
    unreservedBecause:
      'Invoked synchronously by Step Functions; a reservation would throttle the state machine into ' +
      'Lambda.TooManyRequestsException, which the workflow does not retry, failing a grant or an expiry. ' +
      'Executions are bounded by the API stage throttle that starts them.',
  },
  // One run at a time: an overlapping sweep or anchor would only repeat the same idempotent work.
  scheduled: { memorySize: 512, timeout: Duration.minutes(5), reservedConcurrency: 1 },
  // SES retries an Event invocation that was throttled; a few at once is more than replies ever arrive.
  mail: { memorySize: 512, timeout: Duration.seconds(30), reservedConcurrency: 5 },
  // A batch of notices, each sent with retries (a hanging Slack is cut off by its client's timeout).
  queue: {
    memorySize: 512,
    timeout: Duration.seconds(60),
    unreservedBecause:
      'The SQS event source maxConcurrency bounds it; a reservation would throttle the pollers, and a throttled ' +
      'receive counts towards maxReceiveCount, sending live notices to the dead-letter queue.',
  },
};

/** Functions that differ from their trigger's defaults, by the name in lambdas/routes.ts (or the file name). */
const OVERRIDES: Readonly<Record<string, Partial<FunctionSizing>>> = {
  // Exports and the trail walk hash or render every row: CPU-bound, so more memory, still inside 29 s.
  'access-csv': { memorySize: 1024, timeout: Duration.seconds(25) },
  'audit-csv': { memorySize: 1024, timeout: Duration.seconds(25) },
  'verify-audit': { memorySize: 1024, timeout: Duration.seconds(25) },
  // Routes that end access call the platform first (lambdas/use-cases/provisioning.ts): a slow or retried webhook
  // must fit, so they get the most API Gateway allows (29 s), leaving a second to answer.
  'revoke-request': { timeout: Duration.seconds(28) },
  'update-principal': { timeout: Duration.seconds(28) },
  'review-page': { timeout: Duration.seconds(28) },
  'slack-interactions': { timeout: Duration.seconds(28) },
  // Verifies the whole trail before publishing; a long trail takes minutes, once a day.
  'publish-transparency': { memorySize: 1024, timeout: Duration.minutes(15) },
};

export function functionSizing(trigger: Trigger, name: string): FunctionSizing {
  return { ...DEFAULTS[trigger], ...OVERRIDES[name] };
}
