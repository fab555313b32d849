// The courtesy holder-limit check at submission (per-dataset maxConcurrentHolders): a request naming a dataset whose
// holders are all taken is refused before anything is written. The binding check stays the conditional write of the
// holder counter at grant time (lifecycle.ts holdersFor, the store's commit).
import { HolderLimitReachedError } from './errors.ts';
import type { AccessRequest, Dataset } from './model.ts';
import { datasetIdOf } from './scopes.ts';

/** The datasets `request` names that set a holder limit: those whose holder counts the check needs. */
export function limitedDatasetsOf(
  request: Pick<AccessRequest, 'scopes'>,
  catalogue: ReadonlyMap<string, Dataset>,
): Dataset[] {
  return request.scopes.flatMap((scope) => {
    const dataset = catalogue.get(datasetIdOf(scope) ?? '');
    return dataset?.maxConcurrentHolders === undefined ? [] : [dataset];
  });
}

/**
 * Throws HolderLimitReachedError, naming the dataset by its title, when a dataset `request` names already has
 * `maxConcurrentHolders` holders by `holders` (per dataset id; a dataset absent has none).
 */
export function assertHoldersLikelyAvailable(
  request: Pick<AccessRequest, 'scopes'>,
  catalogue: ReadonlyMap<string, Dataset>,
  holders: ReadonlyMap<string, number>,
): void {
  for (const dataset of limitedDatasetsOf(request, catalogue)) {
    const max = dataset.maxConcurrentHolders ?? 0;
    if ((holders.get(dataset.id) ?? 0) >= max) {
      throw new HolderLimitReachedError(
        `${dataset.title} already has ${max} concurrent ${max === 1 ? 'holder' : 'holders'}, its limit; try again when one ends`,
      );
    }
  }
}
