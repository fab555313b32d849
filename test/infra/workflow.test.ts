// Infrastructure assertions on the access-request state machine: states, transitions, timeouts, catches, logging.
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildKeyholderApp } from '../../lib/keyholder-app.ts';

const CONTEXT = {
  'aws:cdk:bundling-stacks': [],
  'aws:cdk:disable-stack-trace': true,
  'keyholder:jwtIssuer': 'https://login.example.org/',
  'keyholder:jwtAudience': 'keyholder',
  'keyholder:mailFrom': 'keyholder@example.org',
};

/**
 * The DefinitionString is an Fn::Join of JSON text and tokens. Tokens become `<LogicalId.Attribute>` so the
 * result is one JSON string that Match.serializedJson can read.
 */
function withJoinedDefinition(template: Template): Template {
  const json = template.toJSON();
  const flatten = (part: unknown): string => {
    if (typeof part === 'string') return part;
    const intrinsic = part as {
      Ref?: string;
      'Fn::GetAtt'?: [string, string];
      'Fn::Join'?: [string, unknown[]];
    };
    if (intrinsic.Ref) return `<${intrinsic.Ref}>`;
    if (intrinsic['Fn::GetAtt']) return `<${intrinsic['Fn::GetAtt'].join('.')}>`;
    if (intrinsic['Fn::Join']) return intrinsic['Fn::Join'][1].map(flatten).join(intrinsic['Fn::Join'][0]);
    throw new Error(`Unexpected part of the definition: ${JSON.stringify(part)}`);
  };
  for (const resource of Object.values(json.Resources) as {
    Type: string;
    Properties: Record<string, unknown>;
  }[]) {
    if (resource.Type === 'AWS::StepFunctions::StateMachine') {
      resource.Properties.DefinitionString = flatten(resource.Properties.DefinitionString);
    }
  }
  return Template.fromJSON(json);
}

function synthesize(policy: unknown): Template {
  const { stack } = buildKeyholderApp({ ...CONTEXT, 'keyholder:policy': policy }, { validation: false });
  return withJoinedDefinition(Template.fromStack(stack));
}

let defaultTemplate: Template | undefined;
/** Synthesis takes seconds; tests that only read the default-policy template share one. */
const withDefaultPolicy = (): Template => {
  defaultTemplate ??= synthesize({});
  return defaultTemplate;
};

const fn = (name: string) => Match.stringLikeRegexp(`^<Workflow${name}Function[0-9A-F]{8}\\.Arn>$`);
const requestIdOnly = { 'requestId.$': '$.requestId' };

describe('access workflow', () => {
  it('has exactly the eight states, wired validate -> approval -> grant -> wait -> expire', () => {
    // Prepare
    const template = withDefaultPolicy();
    // Assess
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      DefinitionString: Match.serializedJson({
        StartAt: 'Validate',
        States: {
          Validate: Match.objectLike({
            Type: 'Task',
            Resource: fn('ValidateRequest'),
            Parameters: requestIdOnly,
            ResultPath: '$.validation',
            Next: 'AwaitApproval',
            Catch: [{ ErrorEquals: ['KeyholderRequestClosed'], ResultPath: '$.error', Next: 'Closed' }],
          }),
          AwaitApproval: Match.objectLike({
            Type: 'Task',
            Resource: Match.stringLikeRegexp(
              '^arn:<AWS::Partition>:states:::lambda:invoke\\.waitForTaskToken$',
            ),
            Parameters: {
              FunctionName: fn('RequestApproval'),
              Payload: { 'requestId.$': '$.requestId', 'taskToken.$': '$$.Task.Token' },
            },
            TimeoutSeconds: 72 * 3600,
            ResultPath: '$.approval',
            Next: 'Grant',
            Catch: [
              { ErrorEquals: ['States.Timeout'], ResultPath: '$.error', Next: 'RecordTimeout' },
              {
                ErrorEquals: ['KeyholderDenied', 'KeyholderCancelled', 'KeyholderRequestClosed'],
                ResultPath: '$.error',
                Next: 'Closed',
              },
            ],
          }),
          Grant: Match.objectLike({
            Type: 'Task',
            Resource: fn('GrantAccess'),
            Parameters: requestIdOnly,
            ResultPath: '$.grant',
            Next: 'IsActive',
            Retry: Match.arrayWith([
              { ErrorEquals: ['KeyholderTransient'], IntervalSeconds: 1, BackoffRate: 2, MaxAttempts: 5 },
            ]),
          }),
          IsActive: {
            Type: 'Choice',
            Choices: [{ Variable: '$.grant.status', StringEquals: 'ACTIVE', Next: 'WaitUntilExpiry' }],
            Default: 'Closed',
          },
          WaitUntilExpiry: { Type: 'Wait', TimestampPath: '$.grant.expiresAt', Next: 'Expire' },
          Expire: Match.objectLike({
            Type: 'Task',
            Resource: fn('ExpireGrant'),
            Parameters: requestIdOnly,
            // The grant's current state: IsActive loops back to the Wait when an extension moved expiresAt.
            ResultPath: '$.grant',
            Next: 'IsActive',
            Retry: Match.arrayWith([Match.objectLike({ ErrorEquals: ['KeyholderTransient'] })]),
          }),
          RecordTimeout: Match.objectLike({
            Type: 'Task',
            Resource: fn('RecordTimeout'),
            Parameters: requestIdOnly,
            Next: 'Closed',
          }),
          Closed: { Type: 'Succeed' },
        },
      }),
    });
  });

  it('keeps the Lambda service-exception retries on every task', () => {
    // Prepare
    const template = withDefaultPolicy();
    const serviceRetry = Match.objectLike({ ErrorEquals: Match.arrayWith(['Lambda.ServiceException']) });
    const task = Match.objectLike({ Retry: Match.arrayWith([serviceRetry]) });
    // Assess
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      DefinitionString: Match.serializedJson(
        Match.objectLike({
          States: Match.objectLike({
            Validate: task,
            AwaitApproval: task,
            Grant: task,
            Expire: task,
            RecordTimeout: task,
          }),
        }),
      ),
    });
  });

  it('takes the approval timeout from the policy', () => {
    // Prepare
    const template = synthesize({ approvalTimeout: 'PT90M' });
    // Assess
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      DefinitionString: Match.serializedJson(
        Match.objectLike({
          States: Match.objectLike({ AwaitApproval: Match.objectLike({ TimeoutSeconds: 5400 }) }),
        }),
      ),
    });
  });

  it('rounds a sub-second approval timeout up to whole seconds', () => {
    // Prepare
    const template = synthesize({ approvalTimeout: 'PT2.5S', minDuration: 'PT1S' });
    // Assess
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      DefinitionString: Match.serializedJson(
        Match.objectLike({
          States: Match.objectLike({ AwaitApproval: Match.objectLike({ TimeoutSeconds: 3 }) }),
        }),
      ),
    });
  });

  it('traces and logs every transition without execution data (task tokens stay out of the logs)', () => {
    // Prepare
    const template = withDefaultPolicy();
    // Assess
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: {
        Level: 'ALL',
        IncludeExecutionData: false,
        Destinations: [
          { CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] } } },
        ],
      },
    });
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
  });

  it('writes the definition in JSONPath, not JSONata', () => {
    // Prepare
    const template = withDefaultPolicy();
    const [machine] = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
    // Act
    const definition = JSON.parse(machine?.Properties.DefinitionString as string);
    // Assess
    expect(JSON.stringify(definition)).not.toContain('JSONata');
    expect(JSON.stringify(definition)).not.toContain('{%');
  });
});
