// KeyholderFunction on its own: what allow() grants for each need, and the mistakes it refuses.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { describe, expect, it } from 'vitest';
import type { Permission } from '../../lambdas/routes.ts';
import {
  BUNDLE_ALIASES,
  bundleAliases,
  ESBUILD_ARGS,
  KeyholderFunction,
  type KeyholderResources,
  PROJECT_ROOT,
} from '../../lib/keyholder-function.ts';

const ENTRY = 'lambdas/handlers/http/health.ts';

function setUp() {
  const app = new App({
    context: { 'aws:cdk:bundling-stacks': [], 'aws:cdk:disable-stack-trace': true },
    builtinCloudFormationValidation: false,
  });
  const stack = new Stack(app, 'Test');
  const table = (id: string) =>
    new Table(stack, id, { partitionKey: { name: 'pk', type: AttributeType.STRING } });
  const resources: KeyholderResources = { stateTable: table('State'), auditTable: table('Audit') };
  const fn = new KeyholderFunction(stack, 'Fn', { entry: ENTRY });
  return { app, stack, fn, resources };
}

const allowedActions = (template: Template): string[] =>
  Object.values(template.findResources('AWS::IAM::ManagedPolicy'))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
    .filter((statement: { Effect: string }) => statement.Effect === 'Allow')
    .flatMap((statement: { Action: string | string[] }) => statement.Action);

describe('KeyholderFunction', () => {
  it('grants audit:append as PutItem on the audit table and nothing else there', () => {
    // Prepare
    const { stack, fn, resources } = setUp();
    // Act
    fn.allow(['audit:append'], resources);
    // Assess
    const template = Template.fromStack(stack);
    expect(allowedActions(template).filter((action) => action.startsWith('dynamodb:'))).toEqual([
      'dynamodb:PutItem',
    ]);
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: ['dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'],
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Audit'), 'Arn'] },
          }),
        ]),
      },
    });
  });

  it('sets both table names even for a function with no needs', () => {
    // Prepare
    const { stack, fn, resources } = setUp();
    // Act
    fn.allow([], resources);
    // Assess
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          KEYHOLDER_STATE_TABLE: { Ref: Match.stringLikeRegexp('^State') },
          KEYHOLDER_AUDIT_TABLE: { Ref: Match.stringLikeRegexp('^Audit') },
        }),
      },
    });
  });

  it.each<Permission>(['workflow:start', 'workflow:callback', 'workflow:stop'])(
    'refuses %s without a state machine (the workflow tasks must not need their own machine)',
    (need) => {
      // Prepare
      const { fn, resources } = setUp();
      // Act
      const allow = () => fn.allow([need], resources);
      // Assess
      expect(allow).toThrow(`needs "${need}" but no state machine was given`);
    },
  );

  it('refuses mail:send without mail settings', () => {
    // Prepare
    const { fn, resources } = setUp();
    // Act
    const allow = () => fn.allow(['mail:send'], resources);
    // Assess
    expect(allow).toThrow('needs "mail:send" but no mail settings were given');
  });

  it('refuses to synthesize a function whose needs were never declared', () => {
    // Prepare
    const { app } = setUp();
    // Act
    const synth = () => app.synth();
    // Assess
    expect(synth).toThrow(/Test\/Fn: call allow\(needs, resources\)/);
  });

  it("swaps the mail parser's charset packages at bundle time, with arguments esbuild takes as CDK passes them", async () => {
    // Prepare
    const out = mkdtempSync(path.join(tmpdir(), 'keyholder-alias-'));
    for (const target of Object.values(bundleAliases())) expect(existsSync(target), target).toBe(true);

    // Act
    const args = await bundleAsCdkDoes('lambdas/adapters/mail-inbound/mime.ts', out, [
      `--metafile=${path.join(out, 'meta.json')}`,
    ]);

    // Assess
    const inputs = Object.keys(JSON.parse(readFileSync(path.join(out, 'meta.json'), 'utf8')).inputs);
    rmSync(out, { recursive: true, force: true });
    expect(args).toHaveLength(Object.keys(BUNDLE_ALIASES).length);
    expect(
      inputs.filter((input) => /node_modules\/(?:iconv-lite|encoding-japanese|he)\//.test(input)),
    ).toEqual([]);
    expect(inputs).toContain('lambdas/adapters/mail-inbound/shims/iconv-lite.ts');
  });

  it('bundles health so that node:crypto loads on first use, not at import, as CDK passes the arguments', async () => {
    // Prepare
    const out = mkdtempSync(path.join(tmpdir(), 'keyholder-lazy-crypto-'));
    await bundleAsCdkDoes('lambdas/handlers/http/health.ts', out, ['--external:@aws-sdk/*']);
    // Node's list of the internal modules it loaded: `NativeModule crypto` appears once node:crypto is loaded.
    const probe = [
      'const before = new Set(process.moduleLoadList);',
      'const crypto = () => process.moduleLoadList.some((m) => !before.has(m) && m === "NativeModule crypto");',
      `await import(${JSON.stringify(path.join(out, 'index.mjs'))});`,
      'const atImport = crypto();',
      'const shim = await import(process.argv[1]);',
      'const digest = shim.createHash("sha256").update("x").digest("hex");',
      'console.log(JSON.stringify({ atImport, afterUse: crypto(), digest }));',
    ].join('\n');

    // Act
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        probe,
        path.join(PROJECT_ROOT, 'lambdas/commons/shims/lazy-node-crypto.ts'),
      ],
      { env: { ...process.env, AWS_REGION: 'eu-west-2' } },
    );
    rmSync(out, { recursive: true, force: true });

    // Assess
    expect(JSON.parse(stdout)).toEqual({
      atImport: false,
      afterUse: true,
      digest: createHash('sha256').update('x').digest('hex'),
    });
  });
});

/**
 * esbuild over `entry` into `<out>/index.mjs` with KeyholderFunction's aliases, given as CDK passes them: it turns an
 * array value into `<key>:<item>` arguments (aws-lambda-nodejs toCliArgsArray). Returns those arguments.
 */
async function bundleAsCdkDoes(entry: string, out: string, extra: readonly string[]): Promise<string[]> {
  const args = Object.entries(ESBUILD_ARGS).flatMap(([key, items]) => items.map((item) => `${key}:${item}`));
  await promisify(execFile)(
    path.join(PROJECT_ROOT, 'node_modules', '.bin', 'esbuild'),
    [
      '--bundle',
      entry,
      '--platform=node',
      '--format=esm',
      `--outfile=${path.join(out, 'index.mjs')}`,
      ...extra,
      ...args,
    ],
    { cwd: PROJECT_ROOT },
  );
  return args;
}
