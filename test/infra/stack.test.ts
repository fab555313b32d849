// Infrastructure assertions on the synthesized Keyholder stack: tables, functions, logs, HTTP API and IAM.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '../../lambdas/commons/config.ts';
import { ROUTES, WORKFLOW_TASKS } from '../../lambdas/routes.ts';
import { pascalCase } from '../../lib/access-workflow.ts';
import { buildKeyholderApp } from '../../lib/keyholder-app.ts';
import { isCdkHandler, withoutCdkHandlers } from '../support/cdk-handlers.ts';

const CONTEXT = {
  // Skips esbuild: these tests look at the template, not at the bundles.
  'aws:cdk:bundling-stacks': [],
  'keyholder:jwtIssuer': 'https://login.example.org/realms/keyholder',
  'keyholder:jwtAudience': 'keyholder-api,keyholder-cli',
  'keyholder:mailFrom': 'keyholder@example.org',
  'keyholder:sesConfigurationSet': 'keyholder-mail',
};

interface Statement {
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Sid?: string;
}

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

let template: Template;
let resources: Resources;
let validationReport: { pluginReports: { summary?: unknown; violations?: unknown[] }[] };
const outdir = mkdtempSync(path.join(tmpdir(), 'keyholder-stack-test-'));

const logicalIdOf = (type: string, prefix: string): string => {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.startsWith(prefix));
  expect(ids, `${type} ${prefix}*`).toHaveLength(1);
  return ids[0] as string;
};
const actionsOf = (statement: Statement): string[] =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];
const mentions = (value: unknown, logicalId: string): boolean =>
  JSON.stringify(value).includes(`"${logicalId}"`);

const propertiesOf = (logicalId: string): Record<string, unknown> => {
  const resource = resources[logicalId];
  if (!resource) throw new Error(`The template has no resource ${logicalId}`);
  return resource.Properties;
};
const getAttTarget = (value: unknown): string =>
  (value as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];

/** Functions' roles keep their grants in a customer-managed policy (lib/managed-policy-role.ts). */
const iamPolicies = () => ({
  ...template.findResources('AWS::IAM::Policy'),
  ...template.findResources('AWS::IAM::ManagedPolicy'),
});

/** The statements of the policies attached to the role of the function with this logical id. */
function statementsOfFunction(functionId: string): Statement[] {
  const roleId = getAttTarget(propertiesOf(functionId).Role);
  return Object.values(iamPolicies())
    .filter((policy) => mentions(policy.Properties.Roles, roleId))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
}

/** Keyholder's own functions (not CDK's BucketDeployment handler). */
const functionIds = (): string[] =>
  Object.keys(template.findResources('AWS::Lambda::Function')).filter((id) => !isCdkHandler(id));

beforeAll(() => {
  // Prepare: this one synth keeps CDK's built-in CloudFormation validation on, as `cdk synth` does.
  const { app, stack } = buildKeyholderApp(CONTEXT, { outdir });
  // Act
  const assembly = app.synth();
  template = Template.fromJSON(assembly.getStackArtifact(stack.artifactId).template);
  resources = template.toJSON().Resources as Resources;
  validationReport = JSON.parse(readFileSync(path.join(outdir, 'validation-report.json'), 'utf8'));
});

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('template', () => {
  it("passes CDK's built-in CloudFormation validation without a violation", () => {
    // Assess
    expect(validationReport.pluginReports.flatMap((report) => report.violations ?? [])).toEqual([]);
  });
});

describe('tables', () => {
  it('keeps the state table durable, encrypted with a rotating customer key, and shaped by the schema', () => {
    // Assess
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        DeletionProtectionEnabled: true,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: Match.anyValue() },
        TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
        GlobalSecondaryIndexes: [
          {
            IndexName: 'byStatus',
            KeySchema: [
              { AttributeName: 'gsi1pk', KeyType: 'HASH' },
              { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
          {
            IndexName: 'byRequester',
            KeySchema: [
              { AttributeName: 'gsi2pk', KeyType: 'HASH' },
              { AttributeName: 'gsi2sk', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      }),
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('keys the audit table by stream and numeric sequence, with the same durability', () => {
    // Assess
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        KeySchema: [
          { AttributeName: 'stream', KeyType: 'HASH' },
          { AttributeName: 'seq', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: Match.arrayWith([{ AttributeName: 'seq', AttributeType: 'N' }]),
        DeletionProtectionEnabled: true,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: Match.objectLike({ SSEEnabled: true, SSEType: 'KMS' }),
      }),
    });
    template.resourceCountIs('AWS::DynamoDB::Table', 2);
  });
});

describe('functions', () => {
  it('creates one function per route name and per workflow task', () => {
    // Assess
    const scheduled = 1 + 2; // the sweep (lib/sweep.ts); the audit anchor and the transparency publisher
    const queued = 1; // the notifier (lib/notices.ts)
    const expected =
      new Set(ROUTES.map((route) => route.name)).size + WORKFLOW_TASKS.length + scheduled + queued;
    expect(functionIds()).toHaveLength(expected);
  });

  it('runs every function on Node 24, ARM, with active tracing and its own one-year log group', () => {
    // Assess
    withoutCdkHandlers(template).allResourcesProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: { LogGroup: { Ref: Match.anyValue() } },
    });
    for (const id of functionIds()) {
      const logGroupId = (propertiesOf(id).LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
      expect(resources[logGroupId]?.Type).toBe('AWS::Logs::LogGroup');
      expect(resources[logGroupId]?.Properties.RetentionInDays).toBe(365);
    }
  });

  it('gives every function the policy, the table names, the sender and the public base URL', () => {
    // Assess
    withoutCdkHandlers(template).allResourcesProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          [ENV.policyJson]: Match.serializedJson(
            Match.objectLike({ homeOrganisation: 'NHSE', externalAdminCap: 5 }),
          ),
          [ENV.stateTable]: { Ref: Match.stringLikeRegexp('^TablesStateTable') },
          [ENV.auditTable]: { Ref: Match.stringLikeRegexp('^TablesAuditTable') },
          [ENV.mailFrom]: 'keyholder@example.org',
          [ENV.publicBaseUrl]: Match.anyValue(),
        }),
      },
    });
  });

  it('gives the state machine ARN to API functions that need it and never to the workflow tasks', () => {
    // Assess
    const submit = logicalIdOf('AWS::Lambda::Function', 'ApiSubmitRequestFunction');
    expect(resources[submit]?.Properties).toMatchObject({
      Environment: {
        Variables: { [ENV.stateMachineArn]: { Ref: expect.stringMatching(/^WorkflowStateMachine/) } },
      },
    });
    for (const id of functionIds().filter((id) => id.startsWith('Workflow'))) {
      expect(JSON.stringify(resources[id]?.Properties.Environment)).not.toContain(ENV.stateMachineArn);
    }
  });
});

describe('HTTP API', () => {
  it('authorizes with a JWT authorizer whose issuer and audience come from context', () => {
    // Assess
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Issuer: 'https://login.example.org/realms/keyholder',
        Audience: ['keyholder-api', 'keyholder-cli'],
      },
    });
  });

  it('puts the authorizer on every jwt route and none on the approval, health and OpenAPI routes', () => {
    // Prepare
    const authorizerId = logicalIdOf('AWS::ApiGatewayV2::Authorizer', 'ApiHttpApiJwtAuthorizer');
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route'));
    // Assess
    expect(routes).toHaveLength(ROUTES.length);
    for (const spec of ROUTES) {
      const route = routes.find((r) => r.Properties.RouteKey === `${spec.method} ${spec.path}`);
      expect(route, `${spec.method} ${spec.path}`).toBeDefined();
      if (spec.auth === 'jwt') {
        expect(route?.Properties).toMatchObject({
          AuthorizationType: 'JWT',
          AuthorizerId: { Ref: authorizerId },
        });
      } else {
        expect(route?.Properties.AuthorizationType).toBe('NONE');
        expect(route?.Properties.AuthorizerId).toBeUndefined();
      }
    }
    const unauthenticated = ROUTES.filter((r) => r.auth === 'none').map((r) => `${r.method} ${r.path}`);
    expect(unauthenticated.sort()).toEqual(
      [
        'GET /approve/{token}',
        'POST /approve/{token}',
        'GET /health',
        'GET /openapi.json',
        // How to sign in: read before a client has a token (test/infra/sign-in.test.ts).
        'GET /auth/config',
        // Slack signs its requests; the handler verifies the signature (test/e2e/slack.test.ts).
        'POST /slack/interactions',
        // The review link's single-use token is the authentication, as for approval links.
        'GET /review/{token}',
        'POST /review/{token}',
        // The public transparency report: counts only, no personal data (test/browser/transparency-page.test.ts).
        'GET /transparency',
        // SCIM 2.0: the provisioning client's bearer secret, checked by the handler (lambdas/handlers/http/scim.ts).
        ...ROUTES.filter((r) => r.path.startsWith('/scim/v2/')).map((r) => `${r.method} ${r.path}`),
      ].sort(),
    );
  });

  it("throttles and access-logs the default stage, with CORS for the console's origin only", () => {
    // Assess
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingBurstLimit: Match.anyValue(), ThrottlingRateLimit: Match.anyValue() },
      AccessLogSettings: {
        DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ApiAccessLogs'), 'Arn'] },
        Format: Match.serializedJson(
          Match.objectLike({ requestId: '$context.requestId', status: '$context.status' }),
        ),
      },
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'HTTP',
      CorsConfiguration: Match.objectLike({
        AllowOrigins: [
          {
            'Fn::Join': [
              '',
              ['https://', { 'Fn::GetAtt': [Match.stringLikeRegexp('^ConsoleDistribution'), 'DomainName'] }],
            ],
          },
        ],
      }),
    });
  });

  it('creates an SES configuration set with the name from context', () => {
    // Assess
    template.hasResourceProperties('AWS::SES::ConfigurationSet', { Name: 'keyholder-mail' });
  });
});

describe('IAM', () => {
  const auditTableId = () => logicalIdOf('AWS::DynamoDB::Table', 'TablesAuditTable');

  it('lets no principal update, delete or batch-write audit items', () => {
    // Prepare
    const forbidden = /^(dynamodb:(UpdateItem|DeleteItem|BatchWriteItem|\*|Update\*|Delete\*|Batch\*)|\*)$/;
    const statements = Object.values(iamPolicies()).flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement as Statement[],
    );
    // Act
    const offending = statements.filter(
      (s) =>
        s.Effect === 'Allow' &&
        actionsOf(s).some((action) => forbidden.test(action)) &&
        (mentions(s.Resource, auditTableId()) || JSON.stringify(s.Resource) === '"*"'),
    );
    // Assess
    expect(offending).toEqual([]);
  });

  it('denies changing audit items explicitly in every function role', () => {
    // Assess
    for (const id of functionIds()) {
      const deny = statementsOfFunction(id).find((s) => s.Effect === 'Deny');
      expect(deny, id).toBeDefined();
      expect(actionsOf(deny as Statement).sort()).toEqual(
        ['dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:UpdateItem'].sort(),
      );
      expect(deny?.Resource).toEqual({ 'Fn::GetAtt': [auditTableId(), 'Arn'] });
    }
  });

  it('allows only PutItem on the audit table to functions that append to it', () => {
    // Prepare
    const submit = logicalIdOf('AWS::Lambda::Function', 'ApiSubmitRequestFunction');
    // Act
    const onAudit = statementsOfFunction(submit).filter(
      (s) => s.Effect === 'Allow' && mentions(s.Resource, auditTableId()),
    );
    // Assess
    expect(onAudit.flatMap(actionsOf)).toEqual(['dynamodb:PutItem']);
  });

  it('gives the health, OpenAPI and sign-in config functions no DynamoDB, KMS, Step Functions or SES access', () => {
    // Assess
    for (const prefix of ['ApiHealthFunction', 'ApiOpenapiFunction', 'ApiAuthConfigFunction']) {
      const allowed = statementsOfFunction(logicalIdOf('AWS::Lambda::Function', prefix))
        .filter((s) => s.Effect === 'Allow')
        .flatMap(actionsOf);
      expect(
        allowed.filter((action) => /^(dynamodb|kms|states|ses):/.test(action)),
        prefix,
      ).toEqual([]);
    }
  });

  it('lets only the audit reader read the audit table', () => {
    // Prepare
    const readers = functionIds().filter((id) =>
      statementsOfFunction(id).some(
        (s) =>
          s.Effect === 'Allow' &&
          mentions(s.Resource, auditTableId()) &&
          actionsOf(s).includes('dynamodb:Query'),
      ),
    );
    // Assess
    // ... and the audit exports, verification and the scheduled anchor and transparency functions (issue 5).
    const issue5 = ['ApiAuditCsvFunction', 'ApiVerifyAuditFunction', 'ApiTransparencyFunction'];
    const scheduled = ['AuditAnchorsAnchorFunction', 'TransparencyPublishFunction'];
    // ... and a request's plain-words timeline, read from its audit stream (issue 14).
    const issue14 = ['ApiRequestTimelineFunction'];
    const expected = ['ApiListAuditFunction', ...issue5, ...scheduled, ...issue14].map((prefix) =>
      logicalIdOf('AWS::Lambda::Function', prefix),
    );
    expect(readers.sort()).toEqual(expected.sort());
  });

  it('scopes workflow callbacks to the machine, stops to its executions, and mail to one sender', () => {
    // Prepare
    const machineId = logicalIdOf('AWS::StepFunctions::StateMachine', 'WorkflowStateMachine');
    const decide = statementsOfFunction(logicalIdOf('AWS::Lambda::Function', 'ApiDecideRequestFunction'));
    const revoke = statementsOfFunction(logicalIdOf('AWS::Lambda::Function', 'ApiRevokeRequestFunction'));
    // The notifier sends the mail (the approval step only enqueues its prompts).
    const mailer = statementsOfFunction(logicalIdOf('AWS::Lambda::Function', 'NoticesNotifierFunction'));
    const approvalStep = statementsOfFunction(
      logicalIdOf('AWS::Lambda::Function', 'WorkflowRequestApprovalFunction'),
    );
    // Assess
    expect(decide).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Action: ['states:SendTaskSuccess', 'states:SendTaskFailure'],
        Resource: { Ref: machineId },
      }),
    );
    const stop = revoke.find((s) => actionsOf(s).includes('states:StopExecution'));
    expect(JSON.stringify(stop?.Resource)).toMatch(
      /:execution:",\{"Fn::GetAtt":\["WorkflowStateMachine\w+","Name"\]\},":\*"/,
    );
    const send = mailer.find((s) => actionsOf(s).includes('ses:SendEmail')) as Statement & {
      Condition: unknown;
    };
    expect(send.Condition).toEqual({ StringEquals: { 'ses:FromAddress': 'keyholder@example.org' } });
    expect(JSON.stringify(send.Resource)).toContain(':configuration-set/');
    expect(approvalStep.flatMap(actionsOf)).not.toContain('ses:SendEmail');
  });

  it('lets exactly the workflow tasks that declare workflow:callback answer task tokens of their own machine', () => {
    // Prepare
    const machineId = logicalIdOf('AWS::StepFunctions::StateMachine', 'WorkflowStateMachine');
    const callbacks = (task: (typeof WORKFLOW_TASKS)[number]) =>
      statementsOfFunction(
        logicalIdOf('AWS::Lambda::Function', `Workflow${pascalCase(task.name)}Function`),
      ).filter((statement) => actionsOf(statement).some((action) => action.startsWith('states:SendTask')));

    // Act
    const granted = WORKFLOW_TASKS.filter((task) => callbacks(task).length > 0).map((task) => task.name);
    const declared = WORKFLOW_TASKS.filter((task) => task.needs.includes('workflow:callback')).map(
      (task) => task.name,
    );

    // Assess: AwaitApproval answers its own token when the request was decided before the step began
    expect(declared).toContain('request-approval');
    expect(granted).toEqual(declared);
    const approval = WORKFLOW_TASKS.find((task) => task.name === 'request-approval');
    expect(approval && callbacks(approval)).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Action: ['states:SendTaskSuccess', 'states:SendTaskFailure'],
        Resource: { Ref: machineId },
      }),
    ]);
  });

  it('lets the state machine invoke exactly the five workflow functions', () => {
    // Prepare
    const machineId = logicalIdOf('AWS::StepFunctions::StateMachine', 'WorkflowStateMachine');
    const roleId = getAttTarget(propertiesOf(machineId).RoleArn);
    const invoked = Object.values(iamPolicies())
      .filter((policy) => mentions(policy.Properties.Roles, roleId))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[])
      .filter((s) => actionsOf(s).includes('lambda:InvokeFunction'))
      .map((s) => JSON.stringify(s.Resource).match(/"(Workflow\w+Function[0-9A-F]{8})"/)?.[1]);
    // Assess
    expect(new Set(invoked).size).toBe(WORKFLOW_TASKS.length);
    expect(invoked.every((id) => id !== undefined)).toBe(true);
  });
});

describe('outputs', () => {
  it('exports the API URL, both table names and the state machine ARN', () => {
    // Assess
    for (const name of ['ApiUrl', 'StateTableName', 'AuditTableName', 'StateMachineArn']) {
      template.hasOutput(name, { Value: Match.anyValue() });
    }
  });
});
