// Synthesizes the CDK app without bundling and returns the state machine as plain ASL for the local engine.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { buildKeyholderApp, CONTEXT_KEYS } from '../lib/keyholder-app.ts';

export interface SynthesizeWorkflowOptions {
  /** A partial policy (merged over the defaults, unknown keys fail) or an already resolved one. */
  readonly policy?: unknown;
  readonly jwtIssuer?: string;
  readonly jwtAudience?: string;
  readonly mailFrom?: string;
  readonly publicBaseUrl?: string;
}

export interface SynthesizedWorkflow {
  /** Amazon States Language with every CloudFormation token replaced by a placeholder. */
  readonly definition: StateMachineDefinition;
  /** The whole CloudFormation template, for anyone who wants more than the workflow. */
  readonly template: CfnTemplate;
}

interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

export interface CfnTemplate {
  readonly Resources: Record<string, CfnResource>;
  readonly [key: string]: unknown;
}

const PLACEHOLDER = { partition: 'aws', region: 'local', account: '000000000000' } as const;

const PSEUDO_PARAMETERS: Record<string, string> = {
  'AWS::Partition': PLACEHOLDER.partition,
  'AWS::Region': PLACEHOLDER.region,
  'AWS::AccountId': PLACEHOLDER.account,
  'AWS::URLSuffix': 'amazonaws.com',
};

export function synthesizeWorkflow(options: SynthesizeWorkflowOptions = {}): SynthesizedWorkflow {
  const outdir = mkdtempSync(path.join(tmpdir(), 'keyholder-synth-'));
  try {
    const { app, stack } = buildKeyholderApp(
      {
        // An empty list skips esbuild for every stack: the local engine needs the definition, not the bundles.
        'aws:cdk:bundling-stacks': [],
        // Construct stack traces are for debugging synth errors; capturing them costs time on every construct.
        'aws:cdk:disable-stack-trace': true,
        [CONTEXT_KEYS.policy]: options.policy ?? {},
        [CONTEXT_KEYS.jwtIssuer]: options.jwtIssuer ?? 'http://localhost/',
        [CONTEXT_KEYS.jwtAudience]: options.jwtAudience ?? 'keyholder',
        [CONTEXT_KEYS.mailFrom]: options.mailFrom ?? 'keyholder@localhost',
        [CONTEXT_KEYS.publicBaseUrl]: options.publicBaseUrl ?? 'http://localhost:3000',
      },
      { outdir, validation: false },
    );
    const template = app.synth().getStackArtifact(stack.artifactId).template as CfnTemplate;
    return { definition: stateMachineDefinition(template), template };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** Finds the one state machine in a template and turns its DefinitionString into plain ASL JSON. */
export function stateMachineDefinition(template: CfnTemplate): StateMachineDefinition {
  const machines = Object.values(template.Resources).filter(
    (r) => r.Type === 'AWS::StepFunctions::StateMachine',
  );
  if (machines.length !== 1)
    throw new Error(`Expected one state machine in the template, found ${machines.length}`);
  const definitionString = machines[0]?.Properties?.DefinitionString;
  const json = resolveIntrinsic(definitionString, template);
  if (typeof json !== 'string') throw new Error('The state machine definition did not resolve to a string');
  return JSON.parse(json) as StateMachineDefinition;
}

function resolveIntrinsic(value: unknown, template: CfnTemplate): unknown {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`Cannot resolve ${JSON.stringify(value)} in the state machine definition`);
  }
  const entries = Object.entries(value);
  const [fn, args] = entries[0] ?? [];
  if (fn === undefined || entries.length > 1)
    throw new Error(`Not an intrinsic function: ${JSON.stringify(value)}`);
  switch (fn) {
    case 'Fn::Join': {
      const [separator, parts] = args as [string, unknown[]];
      return parts.map((part) => resolveIntrinsic(part, template)).join(separator);
    }
    case 'Ref':
      return resolveRef(args as string, template);
    case 'Fn::GetAtt': {
      const [logicalId, attribute] = (typeof args === 'string' ? args.split('.') : args) as [string, string];
      return resolveGetAtt(logicalId, attribute, template);
    }
    default:
      throw new Error(`Intrinsic ${fn} is not supported in the state machine definition`);
  }
}

function resolveRef(name: string, template: CfnTemplate): string {
  const pseudo = PSEUDO_PARAMETERS[name];
  if (pseudo) return pseudo;
  if (!template.Resources[name]) throw new Error(`Ref to unknown resource ${name}`);
  // Ref of a function, queue or table is its name; the logical id is a stable, readable stand-in.
  return name;
}

function resolveGetAtt(logicalId: string, attribute: string, template: CfnTemplate): string {
  const resource = template.Resources[logicalId];
  if (!resource) throw new Error(`Fn::GetAtt of unknown resource ${logicalId}`);
  if (attribute !== 'Arn') return `${logicalId}.${attribute}`;
  const [, service = 'unknown', kind = 'resource'] = resource.Type.split('::');
  const { partition, region, account } = PLACEHOLDER;
  if (resource.Type === 'AWS::Lambda::Function') {
    return `arn:${partition}:lambda:${region}:${account}:function:${logicalId}`;
  }
  return `arn:${partition}:${service.toLowerCase()}:${region}:${account}:${kind.toLowerCase()}/${logicalId}`;
}
