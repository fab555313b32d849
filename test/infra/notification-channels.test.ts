// Infrastructure of the notification channels: the Slack secret and who may read it, the signature-authenticated
// interactions route, and the SES receipt rule (S3, then the inbound-reply function) for email replies.
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '../../lambdas/commons/config.ts';
import { buildKeyholderApp } from '../../lib/keyholder-app.ts';
import { secretsBesidesScim, withoutCdkHandlers } from '../support/cdk-handlers.ts';

const BASE = {
  'aws:cdk:bundling-stacks': [],
  'keyholder:jwtIssuer': 'https://login.example.org/',
  'keyholder:jwtAudience': 'keyholder',
  'keyholder:mailFrom': 'keyholder@example.org',
};

type Resources = Record<string, { Type: string; Properties: Record<string, any> }>;

function synth(context: Record<string, unknown>) {
  const { stack } = buildKeyholderApp({ ...BASE, ...context }, { validation: false });
  const template = Template.fromStack(stack);
  return { template, resources: template.toJSON().Resources as Resources };
}

function functionId(resources: Resources, prefix: string): string {
  const ids = Object.keys(resources).filter(
    (id) => id.startsWith(prefix) && resources[id]?.Type === 'AWS::Lambda::Function',
  );
  expect(ids, prefix).toHaveLength(1);
  return ids[0] as string;
}

function statementsOf(resources: Resources, fnId: string): any[] {
  const role = resources[fnId]?.Properties.Role['Fn::GetAtt'][0];
  return Object.values(resources)
    .filter(
      (r) =>
        /^AWS::IAM::(Managed)?Policy$/.test(r.Type) &&
        JSON.stringify(r.Properties.Roles).includes(`"${role}"`),
    )
    .flatMap((r) => r.Properties.PolicyDocument.Statement);
}

describe('with Slack and email replies on', () => {
  let template: Template;
  let resources: Resources;
  beforeAll(() => {
    ({ template, resources } = synth({
      'keyholder:slack': 'true',
      'keyholder:slackSecretName': 'keyholder/slack',
      'keyholder:inboundMailDomain': 'Replies.Example.org',
    }));
  });

  it('keeps the Slack credentials in one retained secret', () => {
    expect(secretsBesidesScim(template)).toHaveLength(1);
    template.hasResource('AWS::SecretsManager::Secret', {
      DeletionPolicy: 'Retain',
      Properties: {
        Name: 'keyholder/slack',
        GenerateSecretString: {
          GenerateStringKey: 'signingSecret',
          SecretStringTemplate: Match.serializedJson({ botToken: Match.anyValue() }),
        },
      },
    });
  });

  it('lets exactly the functions that post to Slack read the secret, and tells them where it is', () => {
    const secretId = Object.keys(resources).find(
      (id) => resources[id]?.Type === 'AWS::SecretsManager::Secret',
    ) as string;
    // The notifier posts every notice; the interactions function redraws the clicked message and opens dialogs.
    for (const prefix of ['ApiSlackInteractionsFunction', 'NoticesNotifierFunction']) {
      const id = functionId(resources, prefix);
      const read = statementsOf(resources, id).find((s) =>
        JSON.stringify(s.Action).includes('secretsmanager:GetSecretValue'),
      );
      expect(JSON.stringify(read?.Resource), prefix).toContain(secretId);
      expect(resources[id]?.Properties.Environment.Variables[ENV.slackSecretId], prefix).toEqual({
        Ref: secretId,
      });
    }
    // Functions that commit notices only enqueue them (issue 17 §2): no Slack secret for the decision, the
    // workflow's steps or the inbound reply.
    for (const prefix of [
      'ApiHealthFunction',
      'ApiListAccessFunction',
      'ApiSubmitRequestFunction',
      'ApiDecideRequestFunction',
      'WorkflowGrantAccessFunction',
      'WorkflowRequestApprovalFunction',
      'InboundMailInboundReplyFunction',
    ]) {
      const actions = JSON.stringify(
        statementsOf(resources, functionId(resources, prefix)).map((s) => s.Action),
      );
      expect(actions, prefix).not.toContain('secretsmanager');
    }
  });

  it('serves POST /slack/interactions without the JWT authorizer', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'POST /slack/interactions',
      AuthorizationType: 'NONE',
      AuthorizerId: Match.absent(),
    });
  });

  it('receives the reply domain into a private bucket, then invokes the inbound-reply function', () => {
    const fnId = functionId(resources, 'InboundMailInboundReplyFunction');
    const bucketId = Object.keys(resources).find(
      (id) => id.startsWith('InboundMailBucket') && resources[id]?.Type === 'AWS::S3::Bucket',
    ) as string;
    template.hasResourceProperties('AWS::SES::ReceiptRule', {
      Rule: {
        Enabled: true,
        Recipients: ['replies.example.org'],
        ScanEnabled: true,
        TlsPolicy: 'Require',
        Actions: [
          { S3Action: { BucketName: { Ref: bucketId }, ObjectKeyPrefix: 'inbound/' } },
          { LambdaAction: { FunctionArn: { 'Fn::GetAtt': [fnId, 'Arn'] }, InvocationType: 'Event' } },
        ],
      },
    });
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 30, Status: 'Enabled' })] },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Effect: 'Allow',
            Action: 's3:PutObject',
            Principal: { Service: 'ses.amazonaws.com' },
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'ses.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [fnId, 'Arn'] },
    });
  });

  it('lets the inbound function read only the stored replies, and gives every function the reply domain', () => {
    const fnId = functionId(resources, 'InboundMailInboundReplyFunction');
    const get = statementsOf(resources, fnId).find((s) => s.Action === 's3:GetObject');
    expect(JSON.stringify(get?.Resource)).toContain('/inbound/*');
    expect(resources[fnId]?.Properties.Environment.Variables).toMatchObject({
      [ENV.inboundMailPrefix]: 'inbound/',
      [ENV.replyDomain]: 'replies.example.org',
    });
    withoutCdkHandlers(template).allResourcesProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ [ENV.replyDomain]: 'replies.example.org' }) },
    });
    template.hasOutput('InboundRuleSetName', { Value: Match.anyValue() });
  });
});

describe('with neither', () => {
  it('creates no secret, no receipt rules, and sets no Slack or reply settings', () => {
    const { template } = synth({});
    expect(secretsBesidesScim(template)).toEqual([]);
    template.resourceCountIs('AWS::SES::ReceiptRuleSet', 0);
    expect(JSON.stringify(template.toJSON())).not.toContain(ENV.slackSecretId);
    expect(JSON.stringify(template.toJSON())).not.toContain(ENV.replyDomain);
  });

  it('refuses a malformed reply domain and a non-boolean Slack flag, naming the context key', () => {
    expect(() => synth({ 'keyholder:inboundMailDomain': 'not a domain' })).toThrow(
      /keyholder:inboundMailDomain/,
    );
    expect(() => synth({ 'keyholder:slack': 'yes' })).toThrow(/keyholder:slack/);
  });
});
