// The composition root for the audit and transparency side: the trail as a whole, access history, and the S3
// anchors and snapshots when their buckets are configured (on AWS; locally they are not, and are skipped).
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDbAccessHistory } from '../adapters/dynamodb/access-history.ts';
import { DynamoDbAuditLedger } from '../adapters/dynamodb/audit-ledger.ts';
import { S3AnchorStore, S3TransparencySnapshots } from '../adapters/s3-anchors.ts';
import type { AccessHistory, AnchorStore, AuditLedger, TransparencySnapshots } from '../core/ports.ts';
import { documentClient } from './clients.ts';
import { ENV } from './config.ts';

export interface AuditDependencies {
  readonly ledger: AuditLedger;
  readonly history: AccessHistory;
  readonly anchors?: AnchorStore | undefined;
  readonly snapshots?: TransparencySnapshots | undefined;
}

let s3: S3Client | undefined;
const s3Client = () => {
  s3 ??= new S3Client({});
  return s3;
};

export function auditDependencies(env: NodeJS.ProcessEnv = process.env): AuditDependencies {
  const tables = { stateTable: env[ENV.stateTable] ?? '', auditTable: env[ENV.auditTable] ?? '' };
  if (!tables.stateTable || !tables.auditTable) {
    throw new Error(`Environment variables ${ENV.stateTable} and ${ENV.auditTable} must be set`);
  }
  const anchorBucket = env[ENV.anchorBucket];
  const transparencyBucket = env[ENV.transparencyBucket];
  return {
    ledger: new DynamoDbAuditLedger(documentClient(), tables),
    history: new DynamoDbAccessHistory(documentClient(), tables),
    anchors: anchorBucket ? new S3AnchorStore(s3Client(), anchorBucket) : undefined,
    snapshots: transparencyBucket ? new S3TransparencySnapshots(s3Client(), transparencyBucket) : undefined,
  };
}
