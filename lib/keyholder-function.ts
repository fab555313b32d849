// The one base Lambda construct: runtime, bundling, tracing and logs fixed once; IAM derived from declared needs.

import path from 'node:path';
import { ArnFormat, type CfnResource, Duration, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, ManagedPolicy, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IConfigurationSet } from 'aws-cdk-lib/aws-ses';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { ENV } from '../lambdas/commons/config.ts';
import type { Permission } from '../lambdas/routes.ts';
import { ANY_RESOURCE, acknowledge, regulated, wildcardResource } from './compliance.ts';
import { ManagedPolicyRole } from './managed-policy-role.ts';
import { KeyholderOperations } from './operations.ts';

/** Handler entries in lambdas/routes.ts are relative to the repository root, not to this file. */
export const PROJECT_ROOT = path.resolve(import.meta.dirname, '..');

// The bundle is ESM, but some dependencies still call require(); give them one that works.
const ESM_REQUIRE_BANNER =
  "import { createRequire as __keyholderCreateRequire } from 'node:module'; const require = __keyholderCreateRequire(import.meta.url);";

/**
 * Packages swapped at bundle time (esbuild `alias`), each for a file of this repository (paths relative to it):
 * what inbound mail parsing (mailparser, libmime) calls of them, on what Node already has, instead of their own
 * tables; and `node:crypto`, loaded on first use. libmime is pinned to its CommonJS build: mailparser imports it and @zone-eu/mailsplit requires it, and
 * without the pin a bundle holds both builds. The bench (bench/sections/bundles.ts) builds with the same; README,
 * "Lambda bundles", says what each saves.
 */
export const BUNDLE_ALIASES: Readonly<Record<string, string>> = {
  'iconv-lite': './lambdas/adapters/mail-inbound/shims/iconv-lite.ts',
  'encoding-japanese': './lambdas/adapters/mail-inbound/shims/encoding-japanese.ts',
  he: './lambdas/adapters/mail-inbound/shims/he.ts',
  libmime: './node_modules/libmime/dist/cjs/libmime.js',
  // Loaded on first use: 14 ms of init in the functions that load no SDK (the shim says why).
  'node:crypto': './lambdas/commons/shims/lazy-node-crypto.ts',
};

/** BUNDLE_ALIASES as esbuild takes them, resolved against a checkout (`root`). */
export function bundleAliases(root: string = PROJECT_ROOT): Record<string, string> {
  return Object.fromEntries(Object.entries(BUNDLE_ALIASES).map(([from, to]) => [from, path.join(root, to)]));
}

/** What KeyholderFunction adds to NodejsFunction's esbuild command: `--alias:<package>=<file>` per swap. */
export const ESBUILD_ARGS: Readonly<Record<string, string[]>> = {
  '--alias': Object.entries(bundleAliases()).map(([from, to]) => `${from}=${to}`),
};

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
  /** From lib/function-sizing.ts; without it, `unreservedBecause` must say why. */
  readonly reservedConcurrency?: number;
  readonly unreservedBecause?: string;
  /**
   * Invoked asynchronously (Scheduler, SES): failed events go to the stack's dead-letter queue after Lambda's
   * retries. Synchronous callers (API Gateway, Step Functions) get the error themselves. @default false
   */
  readonly asynchronous?: boolean;
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
  /** The SCIM provisioning clients' bearer secrets (lib/scim.ts), read through `scim:tokens`. */
  readonly scimSecret?: ISecret;
  /** Where SES stores inbound replies (lib/mail-inbound.ts). */
  readonly inboundMail?: { readonly bucket: IBucket; readonly prefix: string };
  /** The access providers' secret and platforms (lib/access-providers.ts); absent: the ledger only. */
  readonly providers?: ProviderResources;
  /** The notice queue (lib/notices.ts), sent to through `notices:enqueue`. */
  readonly noticeQueue?: IQueue;
}

/** What `providers:call` grants: the webhook signing secrets and the Identity Center instances in the policy. */
export interface ProviderResources {
  /** JSON `{"<provider name>": "<HMAC secret>"}`; only when a webhook provider is configured. */
  readonly webhookSecret?: ISecret | undefined;
  readonly identityCenter: readonly {
    readonly instanceArn: string;
    readonly identityStoreId: string;
    readonly accountId: string;
    readonly permissionSetArns: readonly string[];
  }[];
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
// Spelled out rather than `kms:ReEncrypt*` / `kms:GenerateDataKey*`, so no wildcard action needs a waiver.
const KEY_WRITE_ACTIONS = [
  ...KEY_READ_ACTIONS,
  'kms:Encrypt',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext',
];
export const AUDIT_FORBIDDEN_ACTIONS = [
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
];

export class KeyholderFunction extends NodejsFunction {
  private allowed = false;

  constructor(scope: Construct, id: string, props: KeyholderFunctionProps) {
    const operations = KeyholderOperations.of(scope);
    const logGroup = operations.logGroup(scope, `${id}Logs`, props.logRetention);
    // No AWSLambdaBasicExecutionRole (logs:* on every log group): the role may write to its own group only.
    const role = new ManagedPolicyRole(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Keyholder function ${id}`,
    });
    logGroup.grantWrite(role);
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
      role,
      reservedConcurrentExecutions: props.reservedConcurrency,
      deadLetterQueue: props.asynchronous ? operations.deadLetters : undefined,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        // Powertools Logger and Metrics (lambdas/commons/observability.ts) read these.
        POWERTOOLS_SERVICE_NAME: 'keyholder',
        POWERTOOLS_METRICS_NAMESPACE: 'Keyholder',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        ...props.environment,
      },
      bundling: {
        minify: true,
        sourceMap: true,
        sourceMapMode: SourceMapMode.DEFAULT,
        format: OutputFormat.ESM,
        target: 'node24',
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        tsconfig: path.join(PROJECT_ROOT, 'tsconfig.json'),
        esbuildArgs: ESBUILD_ARGS,
      },
    });
    this.acknowledgeFindings(props, role);
    role.assumedBy(this.node.defaultChild as CfnResource);
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
          this.acknowledgeWildcard(
            `${stateTable.tableArn}/index/*`,
            "Queries by status and by requester go through the state table's global secondary indexes; the " +
              "wildcard covers only this table's indexes, for read actions only.",
          );
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
          this.acknowledgeWildcard(
            executions,
            'Revoking a grant stops its workflow execution, whose name is only known at run time; the wildcard ' +
              'covers executions of this one state machine and only StopExecution.',
          );
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
          this.acknowledgeWildcard(
            bucket.arnForObjects(`${prefix}*`),
            'SES names each stored reply by its message id; the function may only read objects under the ' +
              'inbound prefix of the reply bucket.',
          );
          this.addEnvironment(ENV.inboundMailBucket, bucket.bucketName);
          this.addEnvironment(ENV.inboundMailPrefix, prefix);
          break;
        }
        case 'scim:tokens':
          if (!resources.scimSecret)
            throw new Error(`${this.node.path} needs "${need}" but no SCIM secret was given`);
          resources.scimSecret.grantRead(this);
          this.addEnvironment(ENV.scimSecretId, resources.scimSecret.secretArn);
          break;
        case 'notices:enqueue':
          // Without a queue (a test stack of one construct) the function sends its notices inline.
          if (resources.noticeQueue) {
            this.allowActions(['sqs:SendMessage'], [resources.noticeQueue.queueArn]);
            this.addEnvironment(ENV.noticeQueueUrl, resources.noticeQueue.queueUrl);
          }
          break;
        case 'providers:call':
          // Ledger only: nothing to call, nothing granted.
          if (resources.providers) this.allowProviders(resources.providers);
          break;
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

  /** The waivers every Keyholder function shares; each names what compensates. */
  private acknowledgeFindings(props: KeyholderFunctionProps, role: ManagedPolicyRole): void {
    acknowledge(
      this,
      regulated('LambdaInsideVPC'),
      'Keyholder owns no network resources: every dependency (DynamoDB, Step Functions, S3, SES, Secrets ' +
        'Manager, the identity provider) is an AWS or internet API reached over TLS and authorised by IAM or ' +
        'signatures; a VPC would add NAT or endpoint cost and no control over data in transit.',
    );
    acknowledge(
      role,
      [ANY_RESOURCE],
      'Active X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level ' +
        'permissions, so AWS requires Resource "*" for them (every other statement names its resources).',
    );
    if (!props.asynchronous) {
      acknowledge(
        this,
        regulated('LambdaDLQ'),
        'Invoked synchronously (API Gateway or Step Functions): the caller receives the error and owns the ' +
          'retry, and Lambda never queues these events, so a dead-letter queue would stay empty.',
      );
    }
    // Neither given: the finding stays, and test/infra/nag.test.ts fails until someone decides.
    if (props.reservedConcurrency === undefined && props.unreservedBecause) {
      acknowledge(this, regulated('LambdaConcurrency'), props.unreservedBecause);
    }
  }

  /**
   * Identity Center: assignments only for the configured instance, permission sets and account; users looked up
   * in the configured identity store only.
   */
  private allowProviders(providers: ProviderResources): void {
    if (providers.webhookSecret) {
      providers.webhookSecret.grantRead(this);
      this.addEnvironment(ENV.providerSecretsId, providers.webhookSecret.secretArn);
    }
    const stack = Stack.of(this);
    for (const center of providers.identityCenter) {
      const account = `arn:${stack.partition}:sso:::account/${center.accountId}`;
      this.allowActions(
        ['sso:CreateAccountAssignment', 'sso:DeleteAccountAssignment', 'sso:ListAccountAssignments'],
        [center.instanceArn, ...center.permissionSetArns, account],
      );
      this.allowActions(
        ['sso:DescribeAccountAssignmentCreationStatus', 'sso:DescribeAccountAssignmentDeletionStatus'],
        [center.instanceArn],
      );
      const users = `arn:${stack.partition}:identitystore:::user/*`;
      this.allowActions(
        ['identitystore:GetUserId', 'identitystore:DescribeUser'],
        [
          `arn:${stack.partition}:identitystore::${stack.account}:identitystore/${center.identityStoreId}`,
          users,
        ],
      );
      this.acknowledgeWildcard(
        users,
        'Identity Center user ids are only known at run time; lookups are limited to the one identity store ' +
          'named in the policy, for read actions only.',
      );
    }
  }

  /**
   * `workflow:callback` for one of the machine's own tasks (AwaitApproval answers its own token when the request
   * was decided before the step began). In a policy of its own, attached from the policy's side: the function then
   * does not depend on the machine that invokes it, which would be a cycle. No machine ARN in the environment
   * either: a callback needs only the token.
   */
  allowCallbacksFrom(machine: StateMachine): this {
    const policy = new ManagedPolicy(this, 'CallbackPolicy', {
      description: `Keyholder function ${this.node.id}: answer the task tokens of its own state machine`,
      statements: [
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'],
          resources: [machine.stateMachineArn],
        }),
      ],
    });
    if (this.role) policy.attachToRole(this.role);
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
    this.acknowledgeWildcard(
      bucket.arnForObjects('*'),
      'Anchors and snapshots are keyed by time, so the object names are not known in advance; the wildcard ' +
        'covers one bucket, with get (readers) or put (writers) only and never delete.',
    );
  }

  private acknowledgeWildcard(arn: string, reason: string): void {
    const role = this.role;
    if (role) acknowledge(role, [wildcardResource(this, arn)], reason);
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
