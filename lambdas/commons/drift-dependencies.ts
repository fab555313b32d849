// The drift ledger (what the platforms hold that no grant explains), for the functions that record or show drift:
// the sweep, which checks the platforms, and GET /access and the transparency report, which list what is open.
// Apart from the core so every other function carries none of it.
import { DynamoDbDriftLedger } from '../adapters/dynamodb/drift-items.ts';
import type { DriftLedger } from '../core/ports.ts';
import { documentClient } from './clients.ts';
import { builtOnCore, extendWiring } from './core-dependencies.ts';

export interface DriftDependencies {
  readonly driftLedger: DriftLedger;
}

export const driftDependencies: () => DriftDependencies = builtOnCore(({ config }) => ({
  driftLedger: new DynamoDbDriftLedger(documentClient(), {
    stateTable: config.stateTable,
    auditTable: config.auditTable,
  }),
}));

/** `deps` and the drift ledger, its `policy` getter kept (the version in force per invocation). */
export function withDriftLedger<Deps extends object>(deps: Deps): Deps & DriftDependencies {
  return extendWiring(deps, driftDependencies());
}
