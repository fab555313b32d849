// Tamper evidence beyond the table: an Object Lock (compliance mode) bucket and the hourly function that writes
// the digest of every audit stream head into it. Not even the account root can shorten a compliance retention.
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectLockRetention } from 'aws-cdk-lib/aws-s3';
import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Construct } from 'constructs';
import { KeyholderFunction, type KeyholderResources } from './keyholder-function.ts';

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
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.function = new KeyholderFunction(this, 'AnchorFunction', {
      entry: 'lambdas/handlers/scheduled/anchor-audit.ts',
      description: 'Keyholder: hourly audit anchor (digest of every stream head) to the Object Lock bucket',
      timeout: Duration.minutes(5),
      environment: props.environment,
    }).allow(['state:read', 'audit:read', 'anchors:write'], {
      ...props.resources,
      anchorBucket: this.bucket,
    });

    this.schedule = new Schedule(this, 'Hourly', {
      schedule: ScheduleExpression.rate(props.every ?? Duration.hours(1)),
      target: new LambdaInvoke(this.function, { retryAttempts: 3 }),
      description: 'Keyholder: anchor the audit trail',
    });
  }
}
