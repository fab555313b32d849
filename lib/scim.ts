// SCIM provisioning (issue 15): the bearer secrets of the provisioning clients, {"<client name>": "<secret>"},
// KMS-encrypted; read by the SCIM function once per cold start through the `scim:tokens` need.
import { RemovalPolicy } from 'aws-cdk-lib';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledge, regulated } from './compliance.ts';

export class KeyholderScimSecret extends Construct {
  readonly secret: Secret;

  constructor(scope: Construct, id: string, props: { readonly secretName?: string | undefined } = {}) {
    super(scope, id);
    const key = new Key(this, 'SecretKey', {
      description: 'Keyholder: encrypts the SCIM provisioning clients bearer secrets',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.secret = new Secret(this, 'Tokens', {
      secretName: props.secretName,
      encryptionKey: key,
      description:
        'Keyholder SCIM clients bearer secrets: {"entra":"...","okta":"..."} (a list value: two, rotating)',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({}),
        generateStringKey: 'entra',
        excludePunctuation: true,
        passwordLength: 64,
      },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(
      this.secret,
      ['AwsSolutions-SMG4', ...regulated('SecretsManagerRotationEnabled')],
      'Each bearer secret is pasted into the identity provider (Entra ID, Okta); rotating means adding the new ' +
        'secret beside the old one (both valid), updating the provider, then removing the old (README: Provisioning).',
    );
  }
}
