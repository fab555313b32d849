// An IAM role whose grants land in one customer-managed policy instead of CDK's inline default policy.
import { CfnResource, Lazy, Stack } from 'aws-cdk-lib';
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

  /**
   * A function, a state machine or CDK's BucketDeployment handler that runs as this role depends on the role
   * construct (aws-cdk-lib does `node.addDependency(role)`), which puts both the role and its managed policy in
   * the resource's DependsOn. The role is already reached through the `Fn::GetAtt` of its ARN, so naming it again
   * is redundant (cfn-lint W3005); the policy must stay, as nothing else orders it before the resource. This
   * renders DependsOn, once every dependency is known (at synth), without the role.
   */
  assumedBy(resource: CfnResource): void {
    const role = this.node.defaultChild as CfnResource;
    const stack = Stack.of(resource);
    resource.addOverride(
      'DependsOn',
      Lazy.any({
        produce: () => {
          const kept = resource
            .obtainDependencies()
            .filter((dependency) => CfnResource.isCfnResource(dependency) && dependency !== role)
            .filter((dependency) => Stack.of(dependency) === stack)
            .map((dependency) => (dependency as CfnResource).logicalId);
          return kept.length > 0 ? kept : undefined;
        },
      }),
    );
  }
}
