// The notice queue (lambdas/use-cases/notice-outbox.ts): an encrypted SQS queue with a dead-letter queue whose depth
// alarms, and the notifier function reading it with batch item failures. Functions that commit an outcome send to
// it through the `notices:enqueue` need; the local stack's queue (local/notice-queue.ts) reads these settings.
import { Duration } from 'aws-cdk-lib';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { NOTIFIER_HANDLER } from '../lambdas/routes.ts';
import { functionSizing } from './function-sizing.ts';
import { KeyholderFunction, type KeyholderResources } from './keyholder-function.ts';
import { KeyholderOperations } from './operations.ts';

const NOTIFIER_TIMEOUT = functionSizing('queue', NOTIFIER_HANDLER.name).timeout;

export const NOTICE_QUEUE_SETTINGS = {
  /** AWS's advice for a Lambda event source: six times the function's timeout, so no live batch is redelivered. */
  visibilityTimeout: Duration.seconds(NOTIFIER_TIMEOUT.toSeconds() * 6),
  /** Receives before a message goes to the dead-letter queue (and the alarm fires). */
  maxReceiveCount: 5,
  batchSize: 10,
} as const;

export interface NotifierProps {
  readonly environment: Readonly<Record<string, string>>;
  readonly resources: KeyholderResources;
}

export class KeyholderNotices extends Construct {
  readonly queue: Queue;
  readonly deadLetters: Queue;
  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.deadLetters = new Queue(this, 'DeadLetters', {
      // SQS-managed keys: the messages name a request and a notice key, never a token or a person.
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: NOTICE_QUEUE_SETTINGS.visibilityTimeout,
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetters, maxReceiveCount: NOTICE_QUEUE_SETTINGS.maxReceiveCount },
    });
    KeyholderOperations.of(this).watchDeadLetters(
      'NoticeDeadLettersAlarm',
      this.deadLetters,
      'Notices failed after every redelivery: see the notice dead-letter queue',
    );
  }

  /** The notifier reading the queue; made once the resources it sends with (and the queue itself) are known. */
  addNotifier(props: NotifierProps): KeyholderFunction {
    const notifier = new KeyholderFunction(this, 'NotifierFunction', {
      entry: NOTIFIER_HANDLER.entry,
      description: 'Keyholder: notifier (delivers each due notice once, by mail and Slack)',
      ...functionSizing('queue', NOTIFIER_HANDLER.name),
      environment: props.environment,
    }).allow(NOTIFIER_HANDLER.needs, props.resources);
    notifier.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: NOTICE_QUEUE_SETTINGS.batchSize,
        maxBatchingWindow: Duration.seconds(0),
        reportBatchItemFailures: true,
        // Bounds how many notifiers mail and post at once (SES and Slack rate limits), without throttling.
        maxConcurrency: 5,
      }),
    );
    return notifier;
  }
}
