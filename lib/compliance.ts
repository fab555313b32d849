// cdk-nag (v3) for the whole app: the three rule packs Keyholder is held to, and acknowledgements that name
// exactly which finding they waive and why.
import { type App, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, type NagPack, NIST80053R5Checks } from 'cdk-nag';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import type { IConstruct } from 'constructs';

/** Fresh pack instances (a pack keeps the violations of its last run). */
export function compliancePacks(): NagPack[] {
  return [new AwsSolutionsChecks(), new HIPAASecurityChecks(), new NIST80053R5Checks()];
}

/** `cdk synth` then fails on any unacknowledged error and reports every warning (bin/app.ts). */
export function applyCompliancePacks(app: App): void {
  Validations.of(app).addPlugins(...compliancePacks());
}

/** HIPAA Security and NIST 800-53 rev 5 share most rule names; one reason answers both. */
export const regulated = (rule: string): string[] => [`HIPAA.Security-${rule}`, `NIST.800.53.R5-${rule}`];

/** A reason short enough to be a shrug is refused here, not in review (test/infra/nag.test.ts checks again). */
export const MIN_REASON_LENGTH = 30;

/**
 * Acknowledges findings on `scope` and everything under it; put it on the smallest construct that holds the
 * resource, next to where the resource is made.
 */
export function acknowledge(scope: IConstruct, ids: readonly string[], reason: string): void {
  if (reason.trim().length < MIN_REASON_LENGTH) {
    throw new Error(`${scope.node.path}: the reason for acknowledging ${ids.join(', ')} is too short`);
  }
  Validations.of(scope).acknowledge(...ids.map((id) => ({ id, reason })));
}

/**
 * The id of the one AwsSolutions-IAM5 finding a wildcard resource raises, flattened as cdk-nag does
 * (`Resource::<TablesStateTable1234.Arn>/index/*`), so an acknowledgement can never cover another wildcard.
 */
export function wildcardResource(scope: IConstruct, arn: string): string {
  return `AwsSolutions-IAM5[Resource::${flattenCfnReference(Stack.of(scope).resolve(arn))}]`;
}

/** The same for a wildcard action, e.g. `xray:*`. */
export const wildcardAction = (action: string): string => `AwsSolutions-IAM5[Action::${action}]`;

/** Every IAM5 finding `Resource::*` (services whose actions take no resource ARN, such as X-Ray). */
export const ANY_RESOURCE = 'AwsSolutions-IAM5[Resource::*]';
