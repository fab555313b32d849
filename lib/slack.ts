// The Slack app's credentials: one Secrets Manager secret {"botToken","signingSecret"} that the functions which
// post to Slack or verify its requests may read (granted per function through the `slack:post` need).
import { RemovalPolicy } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

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
    this.secret = new Secret(this, 'Secret', {
      secretName: props.secretName,
      description: 'Keyholder Slack app: {"botToken":"xoxb-...","signingSecret":"..."}',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ botToken: 'xoxb-replace-me' }),
        generateStringKey: 'signingSecret',
        excludePunctuation: true,
        passwordLength: 40,
      },
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
