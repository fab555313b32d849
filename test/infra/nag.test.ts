// cdk-nag on the synthesized app (AWS Solutions, HIPAA Security, NIST 800-53 rev 5), per configuration: no
// unacknowledged finding, and every acknowledgement names one rule with a specific reason.
import { type App, Stack, Validations } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { compliancePacks, MIN_REASON_LENGTH } from '../../lib/compliance.ts';
import { buildKeyholderApp } from '../../lib/keyholder-app.ts';

const BASE = {
  // Skips esbuild: the rules look at the template, not at the bundles.
  'aws:cdk:bundling-stacks': [],
  'keyholder:jwtIssuer': 'https://login.example.org/',
  'keyholder:jwtAudience': 'keyholder',
  'keyholder:mailFrom': 'keyholder@example.org',
};

/**
 * Every optional feature on: Slack, email replies, a named configuration set, a custom sweep rate, providers, the
 * console on a custom domain.
 */
const ALL_FEATURES = {
  ...BASE,
  'keyholder:slack': 'true',
  'keyholder:slackSecretName': 'keyholder/slack',
  'keyholder:inboundMailDomain': 'replies.example.org',
  'keyholder:sesConfigurationSet': 'keyholder-mail',
  'keyholder:sweepRate': 'PT5M',
  'keyholder:publicBaseUrl': 'https://keyholder.example.org',
  'keyholder:consoleDomain': 'console.keyholder.example.org',
  'keyholder:consoleCertificateArn':
    'arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012',
  'keyholder:policy': {
    providers: {
      ledger: { type: 'ledger' },
      platform: { type: 'webhook', url: 'https://platform.example.org/keyholder' },
      aws: {
        type: 'aws-identity-center',
        instanceArn: 'arn:aws:sso:::instance/ssoins-1234567890abcdef',
        identityStoreId: 'd-1234567890',
        accountId: '123456789012',
        permissionSets: { admin: 'arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-1234567890abcdef' },
      },
    },
    scopeProviders: { admin: 'aws' },
  },
};

const CONFIGURATIONS = { default: BASE, 'all features': ALL_FEATURES } as const;

interface Finding {
  readonly rule: string;
  readonly severity: string;
  readonly path: string;
}

interface Acknowledgement {
  readonly path: string;
  readonly id: string;
  readonly reason: string;
}

/** Runs the three packs over an already synthesized app, as the validation plugin does under `cdk synth`. */
function findingsOf(app: App): Finding[] {
  return compliancePacks().flatMap((pack) =>
    pack.validateScope(app).violations.flatMap((violation) =>
      violation.violatingResources.map((resource) => ({
        rule: violation.ruleName,
        severity: violation.severity ?? 'error',
        path: resource.constructPath ?? '?',
      })),
    ),
  );
}

function acknowledgementsOf(root: IConstruct): Acknowledgement[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          id,
          reason,
        })),
      ),
  );
}

const synthesized = new Map<string, App>();

beforeAll(() => {
  // Prepare: one synthesized app per configuration, shared by every assertion below
  for (const [name, context] of Object.entries(CONFIGURATIONS)) {
    const { app } = buildKeyholderApp(context, { validation: false });
    app.synth();
    synthesized.set(name, app);
  }
});

describe.each(Object.keys(CONFIGURATIONS))('the app with %s', (name) => {
  const app = () => synthesized.get(name) as App;

  it('has no unacknowledged AwsSolutions, HIPAA.Security or NIST.800.53.R5 error or warning', () => {
    // Act
    const findings = findingsOf(app());
    // Assess
    expect(findings.map((f) => `${f.severity} ${f.rule} at ${f.path}`)).toEqual([]);
  });

  it('acknowledges findings one rule at a time, each with a specific reason', () => {
    // Act
    const acknowledgements = acknowledgementsOf(app());
    // Assess
    expect(acknowledgements.length).toBeGreaterThan(0);
    const reasons = new Map<string, Set<string>>();
    for (const { path, id, reason } of acknowledgements) {
      expect(reason.trim().length, `${id} at ${path}`).toBeGreaterThanOrEqual(MIN_REASON_LENGTH);
      // A bare IAM5 id would waive every wildcard of the resource; only named wildcards may be waived.
      expect(id, path).not.toMatch(/AwsSolutions-IAM[45]$/);
      expect(path, id).not.toBe('');
      reasons.set(
        reason,
        (reasons.get(reason) ?? new Set()).add(id.replace(/^.*?::/, '').split('[')[0] ?? id),
      );
    }
    // One reason per concern: a reason reused across unrelated rules would be a blanket reason.
    for (const [reason, rules] of reasons) {
      const families = new Set(
        [...rules].map((rule) => rule.replace(/^(HIPAA\.Security|NIST\.800\.53\.R5)-/, '')),
      );
      expect(families.size, reason).toBeLessThanOrEqual(2);
    }
  });

  it('acknowledges nothing at the app or stack level', () => {
    // Act
    const acknowledgements = acknowledgementsOf(app());
    const stack = app().node.children.find((child) => child instanceof Stack) as Stack;
    // Assess
    const broad = acknowledgements.filter((a) => a.path === '' || a.path === stack.node.path);
    expect(broad).toEqual([]);
  });
});

describe('the packs', () => {
  it('do report a non-compliant resource added to the app (the check is live)', () => {
    // Prepare
    const { app, stack } = buildKeyholderApp(BASE, { validation: false });
    new Bucket(stack, 'UnloggedBucket');
    app.synth();
    // Act
    const findings = findingsOf(app).filter((f) => f.path.includes('UnloggedBucket'));
    // Assess
    expect(findings.map((f) => f.rule)).toEqual(
      expect.arrayContaining([
        'AwsSolutions-S1',
        'HIPAA.Security-S3BucketLoggingEnabled',
        'NIST.800.53.R5-S3BucketLoggingEnabled',
      ]),
    );
  });
});
