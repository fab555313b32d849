// The Keyholder stack: composes the tables (stateful) with the workflow, the HTTP API and mail (stateless).
import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { ConfigurationSet } from 'aws-cdk-lib/aws-ses';
import type { Construct } from 'constructs';
import { ENV } from '../lambdas/commons/config.ts';
import { parseDuration } from '../lambdas/core/duration.ts';
import type { Policy } from '../lambdas/core/policy.ts';
import { ROUTES } from '../lambdas/routes.ts';
import { AccessWorkflow } from './access-workflow.ts';
import { KeyholderHttpApi } from './http-api.ts';
import type { KeyholderResources } from './keyholder-function.ts';
import { KeyholderTables } from './tables.ts';

export interface KeyholderStackProps extends StackProps {
  /** The effective policy (already resolved over the defaults). */
  readonly policy: Policy;
  readonly jwtIssuer: string;
  readonly jwtAudience: readonly string[];
  /** Verified SES sender of the approval emails. */
  readonly mailFrom: string;
  /** @default a name CloudFormation generates */
  readonly sesConfigurationSetName?: string;
  /** Base of the approval links in emails. @default the API's own endpoint URL */
  readonly publicBaseUrl?: string;
}

export class KeyholderStack extends Stack {
  readonly tables: KeyholderTables;
  readonly workflow: AccessWorkflow;
  readonly api: KeyholderHttpApi;

  constructor(scope: Construct, id: string, props: KeyholderStackProps) {
    super(scope, id, props);

    this.tables = new KeyholderTables(this, 'Tables');

    const configurationSet = new ConfigurationSet(this, 'MailConfigurationSet', {
      configurationSetName: props.sesConfigurationSetName,
      reputationMetrics: true,
    });

    this.api = new KeyholderHttpApi(this, 'Api', {
      jwtIssuer: props.jwtIssuer,
      jwtAudience: props.jwtAudience,
    });

    const environment = {
      [ENV.policyJson]: JSON.stringify(props.policy),
      [ENV.mailFrom]: props.mailFrom,
      [ENV.publicBaseUrl]: props.publicBaseUrl || this.api.url,
    };
    const resources: Omit<KeyholderResources, 'stateMachine'> = {
      stateTable: this.tables.stateTable,
      auditTable: this.tables.auditTable,
      encryptionKey: this.tables.encryptionKey,
      mail: { from: props.mailFrom, configurationSet },
    };

    // Step Functions counts whole seconds; round up so a short test policy never times out early.
    const approvalTimeoutSeconds = Math.ceil(
      parseDuration(props.policy.approvalTimeout, 'approvalTimeout') / 1000,
    );
    this.workflow = new AccessWorkflow(this, 'Workflow', {
      approvalTimeout: Duration.seconds(approvalTimeoutSeconds),
      environment,
      resources,
    });

    this.api.addRoutes(ROUTES, {
      environment,
      resources: { ...resources, stateMachine: this.workflow.stateMachine },
    });

    new CfnOutput(this, 'ApiUrl', { value: this.api.url });
    new CfnOutput(this, 'StateTableName', { value: this.tables.stateTable.tableName });
    new CfnOutput(this, 'AuditTableName', { value: this.tables.auditTable.tableName });
    new CfnOutput(this, 'StateMachineArn', { value: this.workflow.stateMachine.stateMachineArn });
  }
}
