// What cfn-lint reported on the synthesized template, checked in-process so `npm test` catches it where cfn-lint is
// not installed (`npm run lint:cfn` runs cfn-lint itself): no DependsOn naming a resource the same resource already
// reaches through Ref, Fn::GetAtt or Fn::Sub (W3005) unless it carries cfn-lint's ignore metadata, and no S3 bucket
// with the legacy AccessControl property (W3045).
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type CfnResourceJson,
  type CfnTemplateJson,
  LINT_CONFIGURATIONS,
  synthesizeTemplates,
} from '../../local/cfn-lint.ts';

/** The logical ids a value reaches through Ref, Fn::GetAtt and Fn::Sub (pseudo parameters left out). */
function referencedIds(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) referencedIds(item, into);
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'Ref' && typeof inner === 'string') into.add(inner);
      else if (key === 'Fn::GetAtt') {
        const target = Array.isArray(inner) ? inner[0] : String(inner).split('.')[0];
        if (typeof target === 'string') into.add(target);
      } else if (key === 'Fn::Sub') {
        const text = Array.isArray(inner) ? inner[0] : inner;
        for (const match of String(text).matchAll(/\$\{([^}!.]+)[^}]*\}/g)) into.add(match[1] as string);
      }
      referencedIds(inner, into);
    }
  }
  for (const id of into) if (id.startsWith('AWS::')) into.delete(id);
  return into;
}

function ignoresCheck(resource: CfnResourceJson, check: string): boolean {
  const config = (resource.Metadata?.['cfn-lint'] as { config?: { ignore_checks?: string[] } } | undefined)
    ?.config;
  return config?.ignore_checks?.includes(check) ?? false;
}

/** W3005: `<resource> DependsOn <target>` where the resource's properties already reference the target. */
function redundantDependsOn(template: CfnTemplateJson): string[] {
  return Object.entries(template.Resources).flatMap(([id, resource]) => {
    if (ignoresCheck(resource, 'W3005')) return [];
    const referenced = referencedIds(resource.Properties);
    return [resource.DependsOn ?? []]
      .flat()
      .filter((target) => referenced.has(target))
      .map((target) => `${id} DependsOn ${target}`);
  });
}

/** W3045: S3 buckets with the legacy ACL property (a bucket policy and BucketOwnerEnforced instead). */
function bucketsWithAccessControl(template: CfnTemplateJson): string[] {
  return Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === 'AWS::S3::Bucket' && !ignoresCheck(resource, 'W3045'))
    .filter(([, resource]) => (resource.Properties as Record<string, unknown> | undefined)?.AccessControl)
    .map(([id]) => id);
}

const templates = new Map<string, CfnTemplateJson>();

beforeAll(() => {
  for (const [name, context] of Object.entries(LINT_CONFIGURATIONS)) {
    for (const [stack, template] of Object.entries(synthesizeTemplates(context)))
      templates.set(`${name}/${stack}`, template);
  }
});

describe.each(Object.keys(LINT_CONFIGURATIONS))('the template with the %s configuration', (name) => {
  const each = () => [...templates.entries()].filter(([key]) => key.startsWith(`${name}/`));

  it('names no dependency in DependsOn that a Ref or Fn::GetAtt already makes (W3005)', () => {
    expect(each().length).toBeGreaterThan(0);
    for (const [key, template] of each()) expect(redundantDependsOn(template), key).toEqual([]);
  });

  it('keeps the functions ordered after their managed policy, which nothing else references', () => {
    for (const [, template] of each()) {
      const functions = Object.values(template.Resources).filter(
        (resource) => resource.Type === 'AWS::Lambda::Function',
      );
      expect(functions.length).toBeGreaterThan(10);
      for (const fn of functions) {
        const policies = [fn.DependsOn ?? []]
          .flat()
          .filter((target) => template.Resources[target]?.Type === 'AWS::IAM::ManagedPolicy');
        expect(policies, JSON.stringify(fn.DependsOn)).toHaveLength(1);
      }
    }
  });

  it('has no S3 bucket with the legacy AccessControl property (W3045)', () => {
    for (const [key, template] of each()) expect(bucketsWithAccessControl(template), key).toEqual([]);
  });
});

describe('the checks themselves', () => {
  const template: CfnTemplateJson = {
    Resources: {
      Role: { Type: 'AWS::IAM::Role' },
      Policy: { Type: 'AWS::IAM::ManagedPolicy' },
      Fn: {
        Type: 'AWS::Lambda::Function',
        Properties: {
          Role: { 'Fn::GetAtt': ['Role', 'Arn'] },
          Environment: { Sub: { 'Fn::Sub': ['$' + '{Queue.Arn}', {}] } },
        },
        DependsOn: ['Policy', 'Role', 'Queue'],
      },
      Queue: { Type: 'AWS::SQS::Queue' },
      Waived: {
        Type: 'AWS::SQS::QueuePolicy',
        Properties: { Queues: [{ Ref: 'Queue' }] },
        DependsOn: 'Queue',
        Metadata: { 'cfn-lint': { config: { ignore_checks: ['W3005'] } } },
      },
      Logs: { Type: 'AWS::S3::Bucket', Properties: { AccessControl: 'LogDeliveryWrite' } },
    },
  };

  it('find a DependsOn reached by GetAtt or Sub, and respect the ignore metadata', () => {
    expect(redundantDependsOn(template)).toEqual(['Fn DependsOn Role', 'Fn DependsOn Queue']);
  });

  it('find a bucket with AccessControl', () => {
    expect(bucketsWithAccessControl(template)).toEqual(['Logs']);
  });
});
