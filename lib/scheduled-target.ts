// How EventBridge Scheduler invokes a Keyholder function: its own role, a retry policy and the stack's DLQ.
import { type Duration, Stack } from 'aws-cdk-lib';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { Construct } from 'constructs';
import { acknowledge, wildcardResource } from './compliance.ts';
import type { KeyholderFunction } from './keyholder-function.ts';
import { ManagedPolicyRole } from './managed-policy-role.ts';
import { KeyholderOperations } from './operations.ts';

export interface ScheduledInvokeOptions {
  /** Scheduler's retries of a failed delivery (not of a failed run: Lambda retries those, then the DLQ). */
  readonly retryAttempts: number;
  /** A run not delivered within this is dropped to the DLQ: it would overlap the next one. */
  readonly maxEventAge: Duration;
}

export function scheduledInvoke(
  scope: Construct,
  fn: KeyholderFunction,
  options: ScheduledInvokeOptions,
): LambdaInvoke {
  const stack = Stack.of(scope);
  const role = new ManagedPolicyRole(scope, 'SchedulerRole', {
    assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
      conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
    }),
    description: `Keyholder: EventBridge Scheduler invoking ${fn.node.path}`,
  });
  acknowledge(
    role,
    [wildcardResource(scope, `${fn.functionArn}:*`)],
    'CDK grants lambda:InvokeFunction on the scheduled function and its versions and aliases (`<arn>:*`); ' +
      'the role can invoke nothing else.',
  );
  return new LambdaInvoke(fn, {
    role,
    retryAttempts: options.retryAttempts,
    maxEventAge: options.maxEventAge,
    deadLetterQueue: KeyholderOperations.of(scope).deadLetters,
  });
}
