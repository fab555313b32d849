// The public transparency report on AWS: a private bucket for the daily snapshot (served by GET /transparency,
// never directly) and the daily function that verifies the trail and publishes the figures.
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { BlockPublicAccess, Bucket, BucketEncryption } from 'aws-cdk-lib/aws-s3';
import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Construct } from 'constructs';
import { KeyholderFunction, type KeyholderResources } from './keyholder-function.ts';

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
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.function = new KeyholderFunction(this, 'PublishFunction', {
      entry: 'lambdas/handlers/scheduled/publish-transparency.ts',
      description: 'Keyholder: daily transparency report (verifies the trail, publishes aggregate figures)',
      timeout: Duration.minutes(15),
      memorySize: 1024,
      environment: props.environment,
    }).allow(['state:read', 'audit:read', 'anchors:read', 'transparency:write'], {
      ...props.resources,
      transparencyBucket: this.bucket,
    });

    this.schedule = new Schedule(this, 'Daily', {
      schedule: ScheduleExpression.rate(props.every ?? Duration.days(1)),
      target: new LambdaInvoke(this.function, { retryAttempts: 3 }),
      description: 'Keyholder: publish the transparency report',
    });
  }
}
