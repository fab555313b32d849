// An IAM role whose grants land in one customer-managed policy instead of CDK's inline default policy.
import {
  type AddToPrincipalPolicyResult,
  ManagedPolicy,
  type PolicyStatement,
  Role,
  type RoleProps,
} from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';

/**
 * HIPAA and NIST 800-53 ask for managed rather than inline policies (IAMNoInlinePolicy): a managed policy is
 * versioned, so every change to what a function may do is kept and can be rolled back. Every grant
 * (`addToRolePolicy`, `table.grant…`, `secret.grantRead`) goes through `addToPrincipalPolicy`, so overriding
 * it is enough.
 */
export class ManagedPolicyRole extends Role {
  readonly policy: ManagedPolicy;

  constructor(scope: Construct, id: string, props: RoleProps) {
    super(scope, id, props);
    this.policy = new ManagedPolicy(this, 'Policy', { roles: [this] });
  }

  override addToPrincipalPolicy(statement: PolicyStatement): AddToPrincipalPolicyResult {
    this.policy.addStatements(statement);
    return { statementAdded: true, policyDependable: this.policy };
  }
}
