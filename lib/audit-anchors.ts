// Tamper evidence beyond the table: an Object Lock (compliance mode) bucket and the hourly function that writes
// the digest of every audit stream head into it. Not even the account root can shorten a compliance retention.
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectLockRetention } from 'aws-cdk-lib/aws-s3';
import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';
import { acknowledge, regulated } from './compliance.ts';
import { functionSizing } from './function-sizing.ts';
import { KeyholderFunction, type KeyholderResources } from './keyholder-function.ts';
import { KeyholderOperations } from './operations.ts';
import { scheduledInvoke } from './scheduled-target.ts';

export interface AuditAnchorsProps {
  readonly resources: Omit<KeyholderResources, 'stateMachine'>;
  readonly environment: Readonly<Record<string, string>>;
  /** How long each anchor cannot be deleted or overwritten. @default 7 years (2557 days) */
  readonly retention?: Duration;
  /** @default every hour */
  readonly every?: Duration;
}

export class AuditAnchors extends Construct {
  readonly bucket: Bucket;
  readonly function: KeyholderFunction;
  readonly schedule: Schedule;

  constructor(scope: Construct, id: string, props: AuditAnchorsProps) {
    super(scope, id);

    this.bucket = new Bucket(this, 'AnchorBucket', {
      objectLockEnabled: true,
      objectLockDefaultRetention: ObjectLockRetention.compliance(props.retention ?? Duration.days(2557)),
      versioned: true,
      // The AWS-managed aws/s3 key: key use is logged in CloudTrail, and no grant is needed.
      encryption: BucketEncryption.KMS_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      serverAccessLogsBucket: KeyholderOperations.of(this).serverAccessLogs,
      serverAccessLogsPrefix: 'audit-anchors/',
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(
      this.bucket,
      regulated('S3BucketReplicationEnabled'),
      'Single-region deployment: anchors are under Object Lock compliance retention (nobody can delete or ' +
        'overwrite them) and the trail they anchor is in DynamoDB with PITR and AWS Backup; a replica needs a ' +
        'second region and Object Lock there, which an operator adds per organisation.',
    );

    this.function = new KeyholderFunction(this, 'AnchorFunction', {
      entry: 'lambdas/handlers/scheduled/anchor-audit.ts',
      description: 'Keyholder: hourly audit anchor (digest of every stream head) to the Object Lock bucket',
      ...functionSizing('scheduled', 'anchor-audit'),
      asynchronous: true,
      environment: props.environment,
    }).allow(['state:read', 'audit:read', 'anchors:write'], {
      ...props.resources,
      anchorBucket: this.bucket,
    });

    this.schedule = new Schedule(this, 'Hourly', {
      schedule: ScheduleExpression.rate(props.every ?? Duration.hours(1)),
      target: scheduledInvoke(this, this.function, { retryAttempts: 3, maxEventAge: Duration.minutes(30) }),
      description: 'Keyholder: anchor the audit trail',
    });
  }
}
