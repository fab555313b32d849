// The Slack app's credentials: one Secrets Manager secret {"botToken","signingSecret"} that the functions which
// post to Slack or verify its requests may read (granted per function through the `slack:post` need).
import { RemovalPolicy } from 'aws-cdk-lib';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledge, regulated } from './compliance.ts';

export interface KeyholderSlackProps {
  /** @default a name CloudFormation generates */
  readonly secretName?: string;
}

export class KeyholderSlack extends Construct {
  readonly secret: Secret;

  constructor(scope: Construct, id: string, props: KeyholderSlackProps = {}) {
    super(scope, id);
    // The signing secret starts as a random value nobody knows, so nothing verifies until the operator puts the
    // Slack app's real values in (README: "Slack"); the bot token placeholder makes every post fail visibly.
    // A customer-managed key: reading the bot token needs a grant on the key as well as on the secret.
    const key = new Key(this, 'SecretKey', {
      description: 'Keyholder: encrypts the Slack app secret',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.secret = new Secret(this, 'Secret', {
      secretName: props.secretName,
      encryptionKey: key,
      description:
        'Keyholder Slack app: {"botToken":"xoxb-...","signingSecret":"...","teamId":"T... (optional: refuse other workspaces)"}',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ botToken: 'xoxb-replace-me' }),
        generateStringKey: 'signingSecret',
        excludePunctuation: true,
        passwordLength: 40,
      },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(
      this.secret,
      ['AwsSolutions-SMG4', ...regulated('SecretsManagerRotationEnabled')],
      'The bot token and signing secret are issued by Slack and can only be regenerated in the Slack app ' +
        'settings, so a rotation Lambda has nothing to call; the operator rotates them there (README: Slack).',
    );
  }
}
