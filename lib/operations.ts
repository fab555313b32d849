// What operators need to run Keyholder: one key for its logs and alarm topic, encrypted log groups with retention,
// one dead-letter queue for every asynchronous path, and alarms on it and on failed workflow executions.
import { ArnFormat, CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, type IMetric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY } from 'aws-cdk-lib/cx-api';
import { Construct, type IConstruct } from 'constructs';
import { acknowledge, regulated } from './compliance.ts';

const ID = 'Operations';

/**
 * One per stack, made on first use (`KeyholderOperations.of(this)`), so every construct that logs or fails
 * asynchronously gets the same key, queue and topic without threading them through every props interface.
 */
export class KeyholderOperations extends Construct {
  /** Encrypts every log group and the alarm topic; usable only by CloudWatch Logs, CloudWatch and SNS. */
  readonly key: Key;
  readonly alarmTopic: Topic;
  /** Where failed asynchronous invocations end up: Scheduler targets and async-invoked functions. */
  readonly deadLetters: Queue;

  static of(scope: IConstruct): KeyholderOperations {
    const stack = Stack.of(scope);
    return (
      (stack.node.tryFindChild(ID) as KeyholderOperations | undefined) ?? new KeyholderOperations(stack, ID)
    );
  }

  private constructor(scope: Stack, id: string) {
    super(scope, id);
    // S3 server access logs reach ServerAccessLogs through a bucket policy (logging.s3.amazonaws.com, conditioned
    // on the source bucket and account) instead of the legacy LogDeliveryWrite ACL (cfn-lint W3045). Set here,
    // before any child exists, so it holds in every app and test stack, not only in buildKeyholderApp's.
    this.node.setContext(S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true);
    this.key = new Key(this, 'Key', {
      description: 'Keyholder: encrypts the log groups and the alarm topic',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // CloudWatch Logs encrypts with the key only for this account's log groups (the documented condition).
    this.key.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal(`logs.${scope.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': scope.formatArn({
              service: 'logs',
              resource: 'log-group',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    // Alarms publish to the encrypted topic as CloudWatch, which must be able to use the key.
    this.key.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': scope.account } },
      }),
    );

    this.alarmTopic = new Topic(this, 'AlarmTopic', {
      displayName: 'Keyholder alarms',
      masterKey: this.key,
      enforceSSL: true,
    });
    new CfnOutput(scope, 'AlarmTopicArn', {
      value: this.alarmTopic.topicArn,
      description: 'Subscribe the on-call address or chat integration to this topic',
    });

    this.deadLetters = new Queue(this, 'DeadLetters', {
      // SQS-managed keys: Lambda and Scheduler can send without a key grant; the messages hold ids, not tokens.
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.alarm('DeadLettersAlarm', {
      metric: this.deadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
      description: 'A scheduled run or an inbound email failed after its retries: see the dead-letter queue',
    });
  }

  /** Alarms when a dead-letter queue holds anything (lib/notices.ts). */
  watchDeadLetters(id: string, queue: Queue, description: string): Alarm {
    return this.alarm(id, {
      metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
      description,
    });
  }

  private accessLogs?: Bucket;

  /** The target of every bucket's S3 server access logs, made on first use. */
  get serverAccessLogs(): Bucket {
    if (this.accessLogs) return this.accessLogs;
    const bucket = new Bucket(this, 'ServerAccessLogs', {
      // S3 delivers server access logs only to SSE-S3 buckets, not to SSE-KMS ones.
      encryption: BucketEncryption.S3_MANAGED,
      // No ACLs: the logging service writes through the bucket policy CDK adds per source bucket (the constructor sets
      // @aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy), not through the legacy LogDeliveryWrite ACL (W3045).
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      lifecycleRules: [{ expiration: Duration.days(400), noncurrentVersionExpiration: Duration.days(30) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(
      bucket,
      ['AwsSolutions-S1', ...regulated('S3BucketLoggingEnabled')],
      'This bucket is the server access log target of the others; logging it into itself would loop and ' +
        'logging it elsewhere would need a bucket that again has no log target.',
    );
    acknowledge(
      bucket,
      regulated('S3DefaultEncryptionKMS'),
      'S3 server access log delivery supports only SSE-S3 (AES-256) on the target bucket, not SSE-KMS.',
    );
    acknowledge(
      bucket,
      regulated('S3BucketReplicationEnabled'),
      'Access logs are operational records kept 400 days in one region; losing the region loses the ' +
        'service they describe, and the audit trail proper is in DynamoDB with PITR and AWS Backup.',
    );
    this.accessLogs = bucket;
    return bucket;
  }

  /** An encrypted, retained log group (one year unless said otherwise: auditors may ask for the logs). */
  logGroup(scope: Construct, id: string, retention = RetentionDays.ONE_YEAR): LogGroup {
    return new LogGroup(scope, id, {
      retention,
      encryptionKey: this.key,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /**
   * Failed or timed-out executions: a request stuck between states needs a person. Aborted ones are not
   * watched: revoking a grant stops its execution on purpose.
   */
  watchStateMachine(stateMachine: StateMachine): void {
    const period = Duration.minutes(5);
    for (const [id, metric] of [
      ['WorkflowFailedAlarm', stateMachine.metricFailed({ period })],
      ['WorkflowTimedOutAlarm', stateMachine.metricTimedOut({ period })],
    ] as const) {
      this.alarm(id, { metric, description: `Keyholder workflow: ${id.replace(/^Workflow|Alarm$/g, '')}` });
    }
  }

  private alarm(id: string, props: { metric: IMetric; description: string }): Alarm {
    const alarm = new Alarm(this, id, {
      metric: props.metric,
      alarmDescription: props.description,
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new SnsAction(this.alarmTopic));
    return alarm;
  }
}
