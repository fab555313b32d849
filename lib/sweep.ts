// The scheduled sweep: one function (lambdas/handlers/scheduled/sweep.ts) invoked by an EventBridge Scheduler
// schedule at a fixed rate. It is the system's convergence loop, so a missed run is simply caught up by the next.
import { Duration } from 'aws-cdk-lib';
import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';
import { isDuration, parseDuration } from '../lambdas/core/duration.ts';
import { SWEEP_HANDLER } from '../lambdas/routes.ts';
import { functionSizing } from './function-sizing.ts';
import { KeyholderFunction, type KeyholderResources } from './keyholder-function.ts';
import { scheduledInvoke } from './scheduled-target.ts';

export const DEFAULT_SWEEP_RATE = Duration.minutes(15);

export interface KeyholderSweepProps {
  readonly environment: Readonly<Record<string, string>>;
  /** With the state machine: a revoked grant's execution is stopped. */
  readonly resources: KeyholderResources;
  /** Whole minutes, at least one (Scheduler's finest rate). @default 15 minutes */
  readonly rate?: Duration;
}

export class KeyholderSweep extends Construct {
  readonly function: KeyholderFunction;
  readonly schedule: Schedule;

  constructor(scope: Construct, id: string, props: KeyholderSweepProps) {
    super(scope, id);
    const rate = props.rate ?? DEFAULT_SWEEP_RATE;
    const minutes = rate.toMinutes({ integral: false });
    if (!Number.isInteger(minutes) || minutes < 1) {
      throw new Error(
        `the sweep rate must be a whole number of minutes, at least 1 (got ${rate.toHumanString()})`,
      );
    }

    this.function = new KeyholderFunction(this, 'SweepFunction', {
      entry: SWEEP_HANDLER.entry,
      description:
        'Keyholder: scheduled sweep (expiry safety net, reviews, lapsed holders, seat reconciliation)',
      // Reads are bounded by what is due; a long backlog after an outage is worked off over several runs.
      ...functionSizing('scheduled', SWEEP_HANDLER.name),
      asynchronous: true,
      environment: props.environment,
    }).allow(SWEEP_HANDLER.needs, props.resources);

    this.schedule = new Schedule(this, 'Schedule', {
      schedule: ScheduleExpression.rate(rate),
      // No retries: every sweep is idempotent and the next one is at most one rate away.
      target: scheduledInvoke(this, this.function, {
        retryAttempts: 0,
        // Scheduler accepts at most a day; a run older than one rate would only overlap the next.
        maxEventAge: Duration.minutes(Math.min(minutes, 24 * 60)),
      }),
      description: `Keyholder: sweep every ${rate.toHumanString()}`,
    });
  }
}

/** `keyholder:sweepRate` is an ISO-8601 duration such as PT15M (or a number of minutes). */
export function sweepRateFrom(value: unknown, key: string): Duration | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'number') return Duration.minutes(value);
  // The one ISO-8601 parser (lambdas/core/duration.ts), then whole minutes: what EventBridge Scheduler can run.
  const ms = typeof value === 'string' && isDuration(value) ? parseDuration(value) : Number.NaN;
  if (!(ms >= 60_000 && ms % 60_000 === 0)) {
    throw new Error(
      `CDK context "${key}" must be a duration in whole minutes such as PT15M or PT1H (got ${String(value)})`,
    );
  }
  return Duration.minutes(ms / 60_000);
}
