// Use case: PATCH /datasets/{id}, an access-admin sets a dataset's owners and its limit of concurrent holders.

import { auditStreamOfDataset } from '../adapters/dynamodb/schema.ts';
import { chainEvent } from '../core/audit.ts';
import { type DatasetPatch, planDatasetChange } from '../core/dataset-changes.ts';
import { NotFoundError } from '../core/errors.ts';
import type { Dataset, Principal } from '../core/model.ts';
import { type Dependencies, withOptimisticRetry } from './context.ts';

export interface DatasetUpdate {
  readonly dataset: Dataset;
  readonly changed: readonly string[];
}

export async function updateDataset(
  deps: Pick<Dependencies, 'directory' | 'clock'>,
  caller: Principal,
  datasetId: string,
  patch: DatasetPatch,
): Promise<DatasetUpdate> {
  const [principals, groups] = await Promise.all([
    deps.directory.listPrincipals(),
    deps.directory.listGroupNames(),
  ]);
  const directory = new Map(principals.map((who) => [who.id, who]));
  return await withOptimisticRetry(async () => {
    const stored = await deps.directory.getDatasetRecord(datasetId);
    if (!stored) throw new NotFoundError('dataset', datasetId);
    const change = planDatasetChange({
      caller,
      dataset: stored.dataset,
      patch,
      directory,
      groups,
      now: deps.clock.now(),
    });
    if (change.event) {
      const event = chainEvent(auditStreamOfDataset(datasetId), stored.audit, change.event);
      await deps.directory.updateDataset({ dataset: change.dataset, event, expectedHead: stored.audit });
    }
    return { dataset: change.dataset, changed: change.changed };
  });
}
