// The one base Lambda construct: runtime, bundling, tracing and logs fixed once; IAM derived from declared needs.
import path from 'node:path';
import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IConfigurationSet } from 'aws-cdk-lib/aws-ses';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { ENV } from '../lambdas/commons/config.ts';
import type { Permission } from '../lambdas/routes.ts';

/** Handler entries in lambdas/routes.ts are relative to the repository root, not to this file. */
export const PROJECT_ROOT = path.resolve(import.meta.dirname, '..');

// The bundle is ESM, but some dependencies still call require(); give them one that works.
const ESM_REQUIRE_BANNER =
  "import { createRequire as __keyholderCreateRequire } from 'node:module'; const require = __keyholderCreateRequire(import.meta.url);";

export interface KeyholderFunctionProps {
  /** Handler file relative to the repository root (exports `handler`). */
  readonly entry: string;
  readonly description?: string;
  /** @default 512 — ARM at 512 MB keeps cold starts of an SDK-heavy handler well under a second. */
  readonly memorySize?: number;
  /** @default 10 seconds — below API Gateway's 29 s integration limit, above any single DynamoDB transaction. */
  readonly timeout?: Duration;
  /** @default one year: the function logs are part of what an auditor may ask for. */
  readonly logRetention?: RetentionDays;
  readonly environment?: Readonly<Record<string, string>>;
}

/** What a function may be granted access to; each Permission maps onto some of these. */
export interface KeyholderResources {
  readonly stateTable: ITable;
  readonly auditTable: ITable;
  /** The tables' customer-managed key, when they use one. */
  readonly encryptionKey?: IKey;
  /** Absent for the workflow's own tasks: they must never need the machine that invokes them. */
  readonly stateMachine?: StateMachine;
  readonly mail?: {
    readonly from: string;
    readonly configurationSet: IConfigurationSet;
  };
  /** The Object Lock bucket of hourly audit anchors (lib/audit-anchors.ts). */
  readonly anchorBucket?: IBucket;
  /** The private bucket of daily transparency snapshots (lib/transparency.ts). */
  readonly transparencyBucket?: IBucket;
  /** The Slack app's secret (lib/slack.ts); absent when Slack is off, and `slack:post` then grants nothing. */
  readonly slackSecret?: ISecret;
  /** Where SES stores inbound replies (lib/mail-inbound.ts). */
  readonly inboundMail?: { readonly bucket: IBucket; readonly prefix: string };
}

const STATE_READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:BatchGetItem'];
// TransactWriteItems is authorised per item, by these actions, so it needs no action of its own.
const STATE_WRITE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:ConditionCheckItem',
];
const AUDIT_READ_ACTIONS = ['dynamodb:Query', 'dynamodb:GetItem'];
/** Appending is a conditional PutItem; nothing else may ever touch an audit item. */
const AUDIT_APPEND_ACTIONS = ['dynamodb:PutItem'];
// The key actions CDK's own table grants use, for reading and for writing encrypted items.
const KEY_READ_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey'];
const KEY_WRITE_ACTIONS = [...KEY_READ_ACTIONS, 'kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'];
export const AUDIT_FORBIDDEN_ACTIONS = [
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
];

export class KeyholderFunction extends NodejsFunction {
  private allowed = false;

  constructor(scope: Construct, id: string, props: KeyholderFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: props.logRetention ?? RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    super(scope, id, {
      entry: path.join(PROJECT_ROOT, props.entry),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      description: props.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: Tracing.ACTIVE,
      logGroup,
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      bundling: {
        minify: true,
        sourceMap: true,
        sourceMapMode: SourceMapMode.DEFAULT,
        format: OutputFormat.ESM,
        target: 'node24',
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        tsconfig: path.join(PROJECT_ROOT, 'tsconfig.json'),
      },
    });
    // A function whose needs were never declared would also miss the audit-table Deny: refuse to synthesize it.
    this.node.addValidation({
      validate: () =>
        this.allowed ? [] : [`${this.node.path}: call allow(needs, resources) to declare its access`],
    });
  }

  /**
   * Grants exactly what `needs` names and sets the environment the handler reads (lambdas/commons/config.ts).
   * Every function also gets an explicit Deny on changing audit items, so a later broad grant cannot undo
   * append-only.
   */
  allow(needs: readonly Permission[], resources: KeyholderResources): this {
    const { stateTable, auditTable, encryptionKey } = resources;
    // readConfig() needs both table names, even in a function that touches neither.
    this.addEnvironment(ENV.stateTable, stateTable.tableName);
    this.addEnvironment(ENV.auditTable, auditTable.tableName);

    for (const need of new Set(needs)) {
      switch (need) {
        case 'state:read':
          this.allowActions(STATE_READ_ACTIONS, [stateTable.tableArn, `${stateTable.tableArn}/index/*`]);
          this.allowKey(KEY_READ_ACTIONS, encryptionKey);
          break;
        case 'state:write':
          this.allowActions(STATE_WRITE_ACTIONS, [stateTable.tableArn]);
          this.allowKey(KEY_WRITE_ACTIONS, encryptionKey);
          break;
        case 'audit:read':
          this.allowActions(AUDIT_READ_ACTIONS, [auditTable.tableArn]);
          this.allowKey(KEY_READ_ACTIONS, encryptionKey);
          break;
        case 'audit:append':
          this.allowActions(AUDIT_APPEND_ACTIONS, [auditTable.tableArn]);
          this.allowKey(KEY_WRITE_ACTIONS, encryptionKey);
          break;
        case 'workflow:start': {
          const machine = this.requireStateMachine(need, resources);
          this.allowActions(['states:StartExecution'], [machine.stateMachineArn]);
          break;
        }
        case 'workflow:callback': {
          // Task tokens are not resources; the machine ARN is what the service checks the callback against.
          const machine = this.requireStateMachine(need, resources);
          this.allowActions(['states:SendTaskSuccess', 'states:SendTaskFailure'], [machine.stateMachineArn]);
          break;
        }
        case 'workflow:stop': {
          const machine = this.requireStateMachine(need, resources);
          const executions = Stack.of(this).formatArn({
            service: 'states',
            resource: 'execution',
            resourceName: `${machine.stateMachineName}:*`,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          });
          this.allowActions(['states:StopExecution'], [executions]);
          break;
        }
        case 'mail:send':
          this.allowMail(resources);
          break;
        case 'anchors:read':
        case 'anchors:write':
        case 'transparency:read':
        case 'transparency:write':
          this.allowBucket(need, resources);
          break;
        case 'slack:post':
          // Slack is optional: without its secret the notifiers simply have no Slack channel.
          if (resources.slackSecret) {
            resources.slackSecret.grantRead(this);
            this.addEnvironment(ENV.slackSecretId, resources.slackSecret.secretArn);
          }
          break;
        case 'mail:receive': {
          if (!resources.inboundMail)
            throw new Error(`${this.node.path} needs "${need}" but no inbound mail was given`);
          const { bucket, prefix } = resources.inboundMail;
          this.allowActions(['s3:GetObject'], [bucket.arnForObjects(`${prefix}*`)]);
          this.addEnvironment(ENV.inboundMailBucket, bucket.bucketName);
          this.addEnvironment(ENV.inboundMailPrefix, prefix);
          break;
        }
        default:
          throw new Error(`${this.node.path}: unknown permission "${need satisfies never}"`);
      }
    }

    this.addToRolePolicy(
      new PolicyStatement({
        sid: 'AuditTrailIsAppendOnly',
        effect: Effect.DENY,
        actions: AUDIT_FORBIDDEN_ACTIONS,
        resources: [auditTable.tableArn],
      }),
    );
    this.allowed = true;
    return this;
  }

  private allowActions(actions: string[], resources: string[]): void {
    this.addToRolePolicy(new PolicyStatement({ effect: Effect.ALLOW, actions, resources }));
  }

  /** The table key is usable only through DynamoDB, never to decrypt anything directly. */
  private allowKey(actions: string[], key: IKey | undefined): void {
    if (!key) return;
    const stack = Stack.of(this);
    this.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions,
        resources: [key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${stack.region}.${stack.urlSuffix}` } },
      }),
    );
  }

  /** Reads list and get; writes only put: nothing in the stack can delete an anchor or a snapshot. */
  private allowBucket(
    need: 'anchors:read' | 'anchors:write' | 'transparency:read' | 'transparency:write',
    resources: KeyholderResources,
  ): void {
    const anchors = need.startsWith('anchors:');
    const bucket = anchors ? resources.anchorBucket : resources.transparencyBucket;
    if (!bucket) throw new Error(`${this.node.path} needs "${need}" but no bucket was given`);
    this.addEnvironment(anchors ? ENV.anchorBucket : ENV.transparencyBucket, bucket.bucketName);
    if (need.endsWith(':read')) {
      this.allowActions(['s3:ListBucket'], [bucket.bucketArn]);
      this.allowActions(['s3:GetObject'], [bucket.arnForObjects('*')]);
    } else {
      this.allowActions(['s3:PutObject'], [bucket.arnForObjects('*')]);
    }
  }

  private requireStateMachine(need: Permission, resources: KeyholderResources): StateMachine {
    if (!resources.stateMachine) {
      throw new Error(`${this.node.path} needs "${need}" but no state machine was given`);
    }
    this.addEnvironment(ENV.stateMachineArn, resources.stateMachine.stateMachineArn);
    return resources.stateMachine;
  }

  private allowMail(resources: KeyholderResources): void {
    if (!resources.mail)
      throw new Error(`${this.node.path} needs "mail:send" but no mail settings were given`);
    const { from, configurationSet } = resources.mail;
    const stack = Stack.of(this);
    const identity = (name: string) =>
      stack.formatArn({
        service: 'ses',
        resource: 'identity',
        resourceName: name,
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      });
    const domain = from.slice(from.lastIndexOf('@') + 1);
    this.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['ses:SendEmail'],
        // The sender may be verified as an address or as its domain; either way only this sender is allowed.
        resources: [
          identity(from),
          identity(domain),
          stack.formatArn({
            service: 'ses',
            resource: 'configuration-set',
            resourceName: configurationSet.configurationSetName,
            arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
          }),
        ],
        conditions: { StringEquals: { 'ses:FromAddress': from } },
      }),
    );
    this.addEnvironment(ENV.sesConfigurationSet, configurationSet.configurationSetName);
  }
}
