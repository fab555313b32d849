// The stateful part: the state table and the append-only audit table, shaped by lambdas/adapters/dynamodb/schema.ts.
import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import {
  AUDIT_TABLE_KEYS,
  REQUESTER_INDEX,
  STATE_TABLE_KEYS,
  STATUS_INDEX,
} from '../lambdas/adapters/dynamodb/schema.ts';

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
  }
}
