// The composition root every function shares: the state table's stores, the workflow, the policy and the clock.
// Nothing that tells people (mail, Slack) or reaches a platform (access providers): a function that does those
// builds on this with the root its needs call for (./queueing-dependencies.ts and the roots built on it), so a
// read-only route carries neither.
import { DynamoDbDirectory } from '../adapters/dynamodb/directory.ts';
import { DynamoDbPolicyStore } from '../adapters/dynamodb/policy-store.ts';
import { DynamoDbRequestStore } from '../adapters/dynamodb/request-store.ts';
import { StepFunctionsWorkflow } from '../adapters/step-functions-workflow.ts';
import { cryptoIds, systemClock } from '../adapters/system.ts';
import type { Dependencies } from '../use-cases/context.ts';
import { PolicySource } from '../use-cases/policy-source.ts';
import { documentClient } from './clients.ts';
import { readConfig } from './config.ts';
import { readPolicyInForceWith } from './policy-in-force.ts';
import { sfnClient } from './sfn-client.ts';

/** What a function that neither notifies nor provisions receives: `Dependencies` without those channels. */
export type CoreDependencies = Omit<
  Dependencies,
  'mailer' | 'notifiers' | 'notificationLedger' | 'chatApprovals' | 'replyDomain' | 'providers'
>;

let cached: { readonly deps: CoreDependencies; readonly config: ReturnType<typeof readConfig> } | undefined;

// Before each invocation the wrappers (policyInForce()) read the version in force into this cold start's source.
readPolicyInForceWith(async () => coreWiring().deps.policySource?.current());

export function coreDependencies(): CoreDependencies {
  return coreWiring().deps;
}

/** The configuration the core was built from, for the wirings that build on it. */
export function coreWiring(): {
  readonly deps: CoreDependencies;
  readonly config: ReturnType<typeof readConfig>;
} {
  if (cached) return cached;
  const config = readConfig();
  const tables = { stateTable: config.stateTable, auditTable: config.auditTable };
  const policyStore = new DynamoDbPolicyStore(documentClient(), tables);
  const policySource = new PolicySource(policyStore, config.policy, systemClock);
  const deps: CoreDependencies = {
    store: new DynamoDbRequestStore(documentClient(), tables),
    directory: new DynamoDbDirectory(documentClient(), tables),
    workflow: new StepFunctionsWorkflow(sfnClient(), config.stateMachineArn),
    clock: systemClock,
    ids: cryptoIds,
    /** The version in force as this invocation read it (policyInForce() ran first), not the deployed one. */
    get policy() {
      return policySource.latest().policy;
    },
    publicBaseUrl: config.publicBaseUrl,
    policyStore,
    policySource,
  };
  cached = { deps, config };
  return cached;
}

/**
 * A wiring built on another: its properties as they are (the `policy` getter stays a getter, where a spread would
 * freeze the version read at cold start), plus `more`.
 */
export function extendWiring<Base extends object, More extends object>(base: Base, more: More): Base & More {
  return Object.defineProperties(
    Object.defineProperties({}, Object.getOwnPropertyDescriptors(base)),
    Object.getOwnPropertyDescriptors(more),
  ) as Base & More;
}

/**
 * A wiring built on the core once per core: after resetCoreDependencies() (a test or the local stack restarting
 * with a new configuration in the same process) the next call builds it again, on the new core.
 */
export function builtOnCore<T>(build: (core: ReturnType<typeof coreWiring>) => T): () => T {
  let built: { readonly core: ReturnType<typeof coreWiring>; readonly wiring: T } | undefined;
  return () => {
    const core = coreWiring();
    if (built?.core !== core) built = { core, wiring: build(core) };
    return built.wiring;
  };
}

/** Every wiring starts again from the environment on its next call (they are all built on the core). */
export function resetCoreDependencies(): void {
  cached = undefined;
}
