// The CDK app's context handling: policy validation at synth time, required values, and their way into the stack.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ENV } from '../../lambdas/commons/config.ts';
import { buildKeyholderApp } from '../../lib/keyholder-app.ts';
import { withoutCdkHandlers } from '../support/cdk-handlers.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

const CONTEXT = {
  'aws:cdk:bundling-stacks': [],
  'aws:cdk:disable-stack-trace': true,
  'keyholder:jwtIssuer': 'https://login.example.org/',
  'keyholder:jwtAudience': 'keyholder',
  'keyholder:mailFrom': 'keyholder@example.org',
};

describe('buildKeyholderApp', () => {
  it('refuses an unknown policy key, naming it', () => {
    // Act
    const build = () => buildKeyholderApp({ ...CONTEXT, 'keyholder:policy': { externalAdminCapp: 3 } });
    // Assess
    expect(build).toThrow(/keyholder:policy.*unknown key "externalAdminCapp"/);
  });

  it('refuses an unknown nested policy key given as a JSON string, naming its path', () => {
    // Act
    const build = () => buildKeyholderApp({ ...CONTEXT, 'keyholder:policy': '{"review":{"admn":"P1D"}}' });
    // Assess
    expect(build).toThrow(/unknown key "review\.admn"/);
  });

  it('refuses a policy that is not JSON', () => {
    // Act
    const build = () => buildKeyholderApp({ ...CONTEXT, 'keyholder:policy': '{externalAdminCap: 3' });
    // Assess
    expect(build).toThrow(/keyholder:policy.*not valid JSON/);
  });

  it('refuses to build without an issuer, naming the context key', () => {
    // Act
    const build = () => buildKeyholderApp({ ...CONTEXT, 'keyholder:jwtIssuer': '' });
    // Assess
    expect(build).toThrow(/keyholder:jwtIssuer/);
  });

  it('merges a policy given as a JSON string over the defaults and hands it to every function', () => {
    // Prepare
    const context = {
      ...CONTEXT,
      'keyholder:policy': '{"externalAdminCap":3,"organisationAdminCaps":{"SomeVendor":1}}',
      'keyholder:publicBaseUrl': 'https://keyholder.example.org',
    };
    // Act
    const template = Template.fromStack(buildKeyholderApp(context, { validation: false }).stack);
    // Assess
    withoutCdkHandlers(template).allResourcesProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          [ENV.policyJson]: Match.serializedJson(
            Match.objectLike({
              externalAdminCap: 3,
              organisationAdminCaps: { SomeVendor: 1 },
              approvalTimeout: 'PT72H',
              approvalsRequired: { externalAdmin: 2, default: 1 },
            }),
          ),
          [ENV.publicBaseUrl]: 'https://keyholder.example.org',
        }),
      },
    });
  });

  it('defaults the public base URL to the API endpoint', () => {
    // Act
    const template = Template.fromStack(buildKeyholderApp(CONTEXT, { validation: false }).stack);
    // Assess
    const [apiId] = Object.keys(template.findResources('AWS::ApiGatewayV2::Api'));
    withoutCdkHandlers(template).allResourcesProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          [ENV.publicBaseUrl]: { 'Fn::Join': ['', Match.arrayWith(['https://', { Ref: apiId }])] },
        }),
      },
    });
  });
});

describe('bin/app.ts', () => {
  it('fails the synth naming an unknown policy key, before any bundling', () => {
    // Prepare
    const outdir = mkdtempSync(path.join(tmpdir(), 'keyholder-cdk-out-'));
    const context = { ...CONTEXT, 'keyholder:policy': { approvalTimeOut: 'PT1H' } };
    try {
      // Act
      const result = spawnSync(process.execPath, ['bin/app.ts'], {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify(context), CDK_OUTDIR: outdir },
        timeout: 20_000,
      });
      // Assess
      expect(result.status).not.toBe(0);
      expect(result.stderr).toContain('unknown key "approvalTimeOut"');
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});
