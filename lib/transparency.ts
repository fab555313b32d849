// The public transparency report on AWS: a private bucket for the daily snapshot (served by GET /transparency,
// never directly) and the daily function that verifies the trail and publishes the figures.
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { BlockPublicAccess, Bucket, BucketEncryption } from 'aws-cdk-lib/aws-s3';
import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';
import { acknowledge, regulated } from './compliance.ts';
import { functionSizing } from './function-sizing.ts';
import { KeyholderFunction, type KeyholderResources } from './keyholder-function.ts';
import { KeyholderOperations } from './operations.ts';
import { scheduledInvoke } from './scheduled-target.ts';

export interface TransparencyReportsProps {
  readonly resources: Omit<KeyholderResources, 'stateMachine'> & { readonly anchorBucket: IBucket };
  readonly environment: Readonly<Record<string, string>>;
  /** @default every day */
  readonly every?: Duration;
}

export class TransparencyReports extends Construct {
  readonly bucket: Bucket;
  readonly function: KeyholderFunction;
  readonly schedule: Schedule;

  constructor(scope: Construct, id: string, props: TransparencyReportsProps) {
    super(scope, id);

    this.bucket = new Bucket(this, 'SnapshotBucket', {
      versioned: true,
      encryption: BucketEncryption.KMS_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      serverAccessLogsBucket: KeyholderOperations.of(this).serverAccessLogs,
      serverAccessLogsPrefix: 'transparency/',
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(
      this.bucket,
      regulated('S3BucketReplicationEnabled'),
      'The snapshots hold only aggregate figures, recomputed every day from the audit trail (DynamoDB with ' +
        'PITR and AWS Backup); a lost region loses nothing that the next run cannot publish again.',
    );

    this.function = new KeyholderFunction(this, 'PublishFunction', {
      entry: 'lambdas/handlers/scheduled/publish-transparency.ts',
      description: 'Keyholder: daily transparency report (verifies the trail, publishes aggregate figures)',
      ...functionSizing('scheduled', 'publish-transparency'),
      asynchronous: true,
      environment: props.environment,
    }).allow(['state:read', 'audit:read', 'anchors:read', 'transparency:write'], {
      ...props.resources,
      transparencyBucket: this.bucket,
    });

    this.schedule = new Schedule(this, 'Daily', {
      schedule: ScheduleExpression.rate(props.every ?? Duration.days(1)),
      target: scheduledInvoke(this, this.function, { retryAttempts: 3, maxEventAge: Duration.hours(6) }),
      description: 'Keyholder: publish the transparency report',
    });
  }
}
