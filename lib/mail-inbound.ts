// Email replies: an SES receipt rule set for the reply domain that stores each message in a private bucket and
// then invokes the inbound-reply function, which decides (or refuses) as the approver the address belongs to.
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { BlockPublicAccess, Bucket, BucketEncryption } from 'aws-cdk-lib/aws-s3';
import { ReceiptRuleSet, TlsPolicy } from 'aws-cdk-lib/aws-ses';
import { Lambda as LambdaAction, LambdaInvocationType, S3 as S3Action } from 'aws-cdk-lib/aws-ses-actions';
import { Construct } from 'constructs';
import { INBOUND_MAIL_HANDLER } from '../lambdas/routes.ts';
import { acknowledge, regulated } from './compliance.ts';
import { functionSizing } from './function-sizing.ts';
import { KeyholderFunction, type KeyholderResources } from './keyholder-function.ts';
import { KeyholderOperations } from './operations.ts';

export interface InboundMailProps {
  /** The domain whose MX points at SES inbound; reply addresses are `approvals+<token>@<domain>`. */
  readonly domain: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly resources: KeyholderResources;
  /** @default 30 days: a reply is acted on within seconds; the copy is kept only to investigate refusals. */
  readonly retention?: Duration;
}

const PREFIX = 'inbound/';

/**
 * SES allows one active receipt rule set per region and CloudFormation cannot activate one: after the first
 * deploy, `aws ses set-active-receipt-rule-set --rule-set-name <InboundRuleSetName output>` (README).
 */
export class InboundMail extends Construct {
  readonly bucket: Bucket;
  readonly ruleSet: ReceiptRuleSet;
  readonly function: KeyholderFunction;

  constructor(scope: Construct, id: string, props: InboundMailProps) {
    super(scope, id);
    this.bucket = new Bucket(this, 'Bucket', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      lifecycleRules: [
        { expiration: props.retention ?? Duration.days(30), noncurrentVersionExpiration: Duration.days(1) },
      ],
      serverAccessLogsBucket: KeyholderOperations.of(this).serverAccessLogs,
      serverAccessLogsPrefix: 'inbound-mail/',
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(
      this.bucket,
      regulated('S3DefaultEncryptionKMS'),
      "SES writes each reply as the SES service principal, which cannot use the account's aws/s3 key; " +
        'replies are SSE-S3 encrypted at rest, TLS-only, and expire after 30 days.',
    );
    acknowledge(
      this.bucket,
      regulated('S3BucketReplicationEnabled'),
      'Stored replies are transient inputs (acted on within seconds, kept 30 days only to investigate ' +
        'refusals); the decision they carry is recorded in the audit trail, not here.',
    );
    this.function = new KeyholderFunction(this, 'InboundReplyFunction', {
      entry: INBOUND_MAIL_HANDLER.entry,
      description: 'Keyholder inbound email replies (approve / deny by reply)',
      ...functionSizing('mail', INBOUND_MAIL_HANDLER.name),
      asynchronous: true,
      environment: { ...props.environment },
    }).allow(INBOUND_MAIL_HANDLER.needs, {
      ...props.resources,
      inboundMail: { bucket: this.bucket, prefix: PREFIX },
    });
    this.ruleSet = new ReceiptRuleSet(this, 'RuleSet');
    this.ruleSet.addRule('Replies', {
      recipients: [props.domain],
      scanEnabled: true,
      tlsPolicy: TlsPolicy.REQUIRE,
      // S3 first: the Lambda action's event carries the verdicts but not the message itself.
      actions: [
        new S3Action({ bucket: this.bucket, objectKeyPrefix: PREFIX }),
        new LambdaAction({ function: this.function, invocationType: LambdaInvocationType.EVENT }),
      ],
    });
  }
}
