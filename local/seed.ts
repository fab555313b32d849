// Writes the directory (principals) and dataset catalogue, for the local stack and tests; the data is theirs.
import type { Dataset, Principal } from '../lambdas/core/model.ts';

/** What seeding needs from the directory adapter (DynamoDbDirectory has both). */
export interface DirectoryWriter {
  putPrincipal(principal: Principal): Promise<void>;
  putDataset(dataset: Dataset): Promise<void>;
}

export interface DirectorySeed {
  readonly principals: readonly Principal[];
  readonly datasets: readonly Dataset[];
}

const WRITES_IN_FLIGHT = 10;

/** Puts every principal and dataset (an existing one with the same id is replaced). */
export async function seedDirectory(directory: DirectoryWriter, seed: DirectorySeed): Promise<void> {
  const ids = new Set<string>();
  for (const principal of seed.principals) {
    if (ids.has(principal.id)) throw new Error(`the seed names principal ${principal.id} twice`);
    ids.add(principal.id);
  }
  const writes = [
    ...seed.principals.map((principal) => () => directory.putPrincipal(principal)),
    ...seed.datasets.map((dataset) => () => directory.putDataset(dataset)),
  ];
  // A few at a time: DynamoDB Local is a single JVM and the table may be shared with a running stack.
  for (let start = 0; start < writes.length; start += WRITES_IN_FLIGHT) {
    await Promise.all(writes.slice(start, start + WRITES_IN_FLIGHT).map((write) => write()));
  }
}
