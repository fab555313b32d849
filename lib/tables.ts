// The stateful part: the state table and the append-only audit table, shaped by lambdas/adapters/dynamodb/schema.ts.
import { RemovalPolicy } from 'aws-cdk-lib';
import { BackupPlan, BackupResource, BackupVault } from 'aws-cdk-lib/aws-backup';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import {
  AUDIT_TABLE_KEYS,
  REQUESTER_INDEX,
  STATE_TABLE_KEYS,
  STATUS_INDEX,
} from '../lambdas/adapters/dynamodb/schema.ts';
import { acknowledge } from './compliance.ts';

const string = (name: string) => ({ name, type: AttributeType.STRING });

export class KeyholderTables extends Construct {
  readonly stateTable: Table;
  readonly auditTable: Table;
  /** Customer-managed, so key use shows up in CloudTrail and access to the data can be cut at the key. */
  readonly encryptionKey: Key;

  constructor(scope: Construct, id: string) {
    super(scope, id);

    this.encryptionKey = new Key(this, 'DataKey', {
      description: 'Keyholder: encrypts the access-request state and the audit trail',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // Who had access to what is the system's promise: neither table may vanish with a stack or a mistake.
    const durable = {
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.encryptionKey,
      removalPolicy: RemovalPolicy.RETAIN,
    } as const;

    this.stateTable = new Table(this, 'StateTable', {
      ...durable,
      partitionKey: string(STATE_TABLE_KEYS.partitionKey),
      sortKey: string(STATE_TABLE_KEYS.sortKey),
      timeToLiveAttribute: STATE_TABLE_KEYS.ttl,
    });
    for (const index of [STATUS_INDEX, REQUESTER_INDEX]) {
      this.stateTable.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: string(index.partitionKey),
        sortKey: string(index.sortKey),
        projectionType: ProjectionType.ALL,
      });
    }

    this.auditTable = new Table(this, 'AuditTable', {
      ...durable,
      partitionKey: string(AUDIT_TABLE_KEYS.partitionKey),
      sortKey: { name: AUDIT_TABLE_KEYS.sortKey, type: AttributeType.NUMBER },
    });

    // PITR covers the last 35 days; AWS Backup keeps daily, weekly and monthly copies outside the table for
    // years, in a vault of their own, so the trail outlives a mistake noticed late.
    const vault = new BackupVault(this, 'BackupVault', { removalPolicy: RemovalPolicy.RETAIN });
    const plan = BackupPlan.dailyWeeklyMonthly5YearRetention(this, 'BackupPlan', vault);
    const selection = plan.addSelection('Tables', {
      resources: [
        BackupResource.fromDynamoDbTable(this.stateTable),
        BackupResource.fromDynamoDbTable(this.auditTable),
      ],
    });
    acknowledge(
      selection,
      [
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
      ],
      'The AWS Backup service role policy is the one AWS maintains for Backup to snapshot the tables; this role ' +
        'is assumed only by backup.amazonaws.com for this selection.',
    );
  }
}
