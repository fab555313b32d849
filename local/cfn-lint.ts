// `npm run lint:cfn`: synthesizes the stack (no bundling) in two configurations, the defaults and every optional
// feature on, and runs cfn-lint on each template (cfn-lint must be on PATH: `pip install cfn-lint`). The classes of
// warning it used to report, W3005 and W3045, are also checked in-process by test/infra/cfn-lint.test.ts, which
// `npm test` runs on machines without cfn-lint.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildKeyholderApp } from '../lib/keyholder-app.ts';

const BASE = {
  // Skips esbuild: cfn-lint reads the template, not the bundles.
  'aws:cdk:bundling-stacks': [],
  'keyholder:jwtIssuer': 'https://login.example.org/',
  'keyholder:jwtAudience': 'keyholder',
  'keyholder:mailFrom': 'keyholder@example.org',
};

/** The configurations linted: what `cdk synth` makes with the required values only, and with every feature. */
export const LINT_CONFIGURATIONS: Readonly<Record<string, Record<string, unknown>>> = {
  default: BASE,
  'all-features': {
    ...BASE,
    'keyholder:slack': 'true',
    'keyholder:inboundMailDomain': 'replies.example.org',
    'keyholder:sesConfigurationSet': 'keyholder-mail',
    'keyholder:publicBaseUrl': 'https://keyholder.example.org',
    'keyholder:consoleDomain': 'console.keyholder.example.org',
    'keyholder:consoleCertificateArn':
      'arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012',
    'keyholder:policy': {
      providers: { platform: { type: 'webhook', url: 'https://platform.example.org/keyholder' } },
      scopeProviders: { admin: 'platform' },
    },
  },
};

export interface CfnTemplateJson {
  readonly Resources: Record<string, CfnResourceJson>;
}

export interface CfnResourceJson {
  readonly Type: string;
  readonly Properties?: unknown;
  readonly DependsOn?: string | string[];
  readonly Metadata?: Record<string, unknown>;
}

/** Every stack template of the app built with `context`, by stack name. */
export function synthesizeTemplates(context: Record<string, unknown>): Record<string, CfnTemplateJson> {
  const { app } = buildKeyholderApp(context, { validation: false });
  const assembly = app.synth();
  return Object.fromEntries(
    assembly.stacks.map((stack) => [stack.stackName, stack.template as CfnTemplateJson]),
  );
}

if (import.meta.main) {
  const dir = mkdtempSync(path.join(tmpdir(), 'keyholder-cfn-lint-'));
  const files: string[] = [];
  for (const [name, context] of Object.entries(LINT_CONFIGURATIONS)) {
    for (const [stack, template] of Object.entries(synthesizeTemplates(context))) {
      const file = path.join(dir, `${name}.${stack}.template.json`);
      writeFileSync(file, JSON.stringify(template, null, 1));
      files.push(file);
    }
  }
  const result = spawnSync('cfn-lint', ['--', ...files], { stdio: 'inherit' });
  if (result.error) {
    console.error(
      `cfn-lint could not run (${result.error.message}): install it with \`pip install cfn-lint\``,
    );
    process.exit(2);
  }
  if (result.status === 0) console.log(`cfn-lint: no finding in ${files.length} templates (${dir})`);
  process.exit(result.status ?? 1);
}
