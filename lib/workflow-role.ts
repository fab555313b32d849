// The state machine's role: a managed policy (not CDK's inline default) and the waivers its grants need.
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { ANY_RESOURCE, acknowledge, wildcardResource } from './compliance.ts';
import { ManagedPolicyRole } from './managed-policy-role.ts';

/** `functions` are the tasks the machine invokes; their grants are added later by the LambdaInvoke states. */
export function workflowRole(scope: Construct, functions: readonly IFunction[]): ManagedPolicyRole {
  const role = new ManagedPolicyRole(scope, 'StateMachineRole', {
    assumedBy: new ServicePrincipal('states.amazonaws.com'),
    description: 'Keyholder access-request workflow',
  });
  acknowledge(
    role,
    [ANY_RESOURCE],
    'Step Functions needs Resource "*" for X-Ray (PutTraceSegments, GetSamplingRules) and for CloudWatch Logs ' +
      'delivery (CreateLogDelivery and related), none of which supports resource-level permissions.',
  );
  for (const fn of functions) {
    acknowledge(
      role,
      [wildcardResource(scope, `${fn.functionArn}:*`)],
      'CDK grants lambda:InvokeFunction on the task function and its versions and aliases (`<arn>:*`); ' +
        "it covers only the workflow's own task functions.",
    );
  }
  return role;
}
