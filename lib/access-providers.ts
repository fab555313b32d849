// The AWS side of the access providers the policy configures: the webhook signing secrets (one Secrets Manager
// secret), what `providers:call` grants on Identity Center, and the alarm on access that could not be removed.
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { DEPROVISIONING_FAILED_METRIC, METRICS_NAMESPACE } from '../lambdas/commons/metrics.ts';
import type { Policy } from '../lambdas/core/policy.ts';
import { acknowledge, regulated } from './compliance.ts';
import type { ProviderResources } from './keyholder-function.ts';
import { KeyholderOperations } from './operations.ts';

export interface AccessProvidersProps {
  readonly policy: Policy;
  /** @default a name CloudFormation generates */
  readonly secretName?: string;
  /** How often the sweep retries a pending removal: the alarm looks at one such period. @default 15 minutes */
  readonly sweepRate?: Duration | undefined;
}

export class KeyholderAccessProviders extends Construct {
  /** For KeyholderResources.providers; undefined when the policy configures only the ledger. */
  readonly resources: ProviderResources | undefined;
  readonly webhookSecret: Secret | undefined;
  readonly deprovisioningFailed: Alarm | undefined;

  constructor(scope: Construct, id: string, props: AccessProvidersProps) {
    super(scope, id);
    const configs = Object.entries(props.policy.providers);
    const webhooks = configs.filter(([, config]) => config.type === 'webhook').map(([name]) => name);
    const identityCenter = configs.flatMap(([, config]) =>
      config.type === 'aws-identity-center'
        ? [
            {
              instanceArn: config.instanceArn,
              identityStoreId: config.identityStoreId,
              accountId: config.accountId,
              permissionSetArns: [...new Set(Object.values(config.permissionSets))],
            },
          ]
        : [],
    );
    this.webhookSecret = webhooks.length > 0 ? this.signingSecret(webhooks, props.secretName) : undefined;
    const platforms = webhooks.length > 0 || identityCenter.length > 0;
    this.resources = platforms ? { webhookSecret: this.webhookSecret, identityCenter } : undefined;
    this.deprovisioningFailed = platforms ? this.alarm(props.sweepRate ?? Duration.minutes(15)) : undefined;
  }

  /**
   * Starts with a random secret for the first webhook provider (copy it to the platform) and must be completed
   * by the operator with one per further provider: until then the providers fail visibly (README: "Access providers").
   */
  private signingSecret(webhooks: readonly string[], secretName: string | undefined): Secret {
    const key = new Key(this, 'SecretKey', {
      description: 'Keyholder: encrypts the access providers signing secrets',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const secret = new Secret(this, 'WebhookSecrets', {
      secretName,
      encryptionKey: key,
      description: `Keyholder webhook providers' HMAC secrets: {${webhooks.map((name) => `"${name}":"..."`).join(',')}}`,
      generateSecretString: {
        secretStringTemplate: JSON.stringify({}),
        generateStringKey: webhooks[0] ?? 'webhook',
        excludePunctuation: true,
        passwordLength: 48,
      },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(
      secret,
      ['AwsSolutions-SMG4', ...regulated('SecretsManagerRotationEnabled')],
      'Each signing secret is shared with a platform that verifies it; rotating it means changing both sides ' +
        'together, which the operator does with the platform owner (README: Access providers).',
    );
    return secret;
  }

  /**
   * Every failed removal publishes one DeprovisioningFailed; the sweep retries each pending one every run, so the
   * alarm stays on while any access that should have ended is still on a platform.
   */
  private alarm(period: Duration): Alarm {
    const alarm = new Alarm(this, 'DeprovisioningFailedAlarm', {
      metric: new Metric({
        namespace: METRICS_NAMESPACE,
        metricName: DEPROVISIONING_FAILED_METRIC,
        statistic: 'Sum',
        period,
      }),
      alarmDescription:
        'Access that should have ended is still on a platform (a provider failed to remove it); the sweep retries. ' +
        'See the DEPROVISIONING_FAILED audit events and the requests with a pending revocation.',
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new SnsAction(KeyholderOperations.of(this).alarmTopic));
    return alarm;
  }
}
