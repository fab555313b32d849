// Functions CDK itself adds (the console's BucketDeployment handler, issue 14) are not Keyholder functions: they run
// only during a deployment, carry none of Keyholder's environment and are checked by cdk-nag (test/infra/nag.test.ts).
import { Template } from 'aws-cdk-lib/assertions';

const CDK_HANDLER = /^CustomCDKBucketDeployment/;

export const isCdkHandler = (logicalId: string): boolean => CDK_HANDLER.test(logicalId);

/** The template without CDK's own handler functions, for assertions about every Keyholder function. */
export function withoutCdkHandlers(template: Template): Template {
  const json = template.toJSON() as { Resources: Record<string, unknown> };
  return Template.fromJSON({
    ...json,
    Resources: Object.fromEntries(Object.entries(json.Resources).filter(([id]) => !isCdkHandler(id))),
  });
}

/** The SCIM clients' bearer secret (lib/scim.ts) is in every stack; the rest of the secrets come with a feature. */
export function secretsBesidesScim(template: Template): string[] {
  return Object.entries(template.findResources('AWS::SecretsManager::Secret'))
    .filter(([, secret]) => !String(secret.Properties?.Description ?? '').startsWith('Keyholder SCIM'))
    .map(([id]) => id);
}
