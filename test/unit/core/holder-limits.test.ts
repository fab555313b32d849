// Unit tests for the courtesy holder-limit check at submission: only datasets with a limit count, a full one is
// refused by its title, and a place free (or a dataset never held) lets the request through.
import { describe, expect, it } from 'vitest';
import { HolderLimitReachedError } from '../../../lambdas/core/errors.ts';
import { assertHoldersLikelyAvailable, limitedDatasetsOf } from '../../../lambdas/core/holder-limits.ts';
import type { Scope } from '../../../lambdas/core/model.ts';
import { catalogueOf, dataset, thrownBy } from '../../support/fixtures.ts';

const hes = dataset({ id: 'hes-apc', title: 'Hospital Episode Statistics', maxConcurrentHolders: 1 });
const mhsds = dataset({ id: 'mhsds', title: 'Mental Health Services', maxConcurrentHolders: 3 });
const open = dataset({ id: 'covid-agg', title: 'COVID-19 counts' });
const catalogue = catalogueOf(hes, mhsds, open);
const both = { scopes: ['dataset:hes-apc', 'dataset:mhsds', 'dataset:covid-agg'] as Scope[] };

describe('limitedDatasetsOf', () => {
  it('names only the datasets of the request that set a limit', () => {
    expect(limitedDatasetsOf(both, catalogue).map((entry) => entry.id)).toEqual(['hes-apc', 'mhsds']);
    expect(limitedDatasetsOf({ scopes: ['admin', 'dataset:covid-agg'] as Scope[] }, catalogue)).toEqual([]);
  });
});

describe('assertHoldersLikelyAvailable', () => {
  it('lets a request through while every limited dataset has a place, counting a never-held one as empty', () => {
    expect(() =>
      assertHoldersLikelyAvailable(
        both,
        catalogue,
        new Map([
          ['mhsds', 2],
          ['covid-agg', 40],
        ]),
      ),
    ).not.toThrow();
  });

  it('refuses a request naming a full dataset, in words naming it by title', () => {
    const refused = thrownBy(() => assertHoldersLikelyAvailable(both, catalogue, new Map([['mhsds', 3]])));

    expect(refused).toBeInstanceOf(HolderLimitReachedError);
    expect(refused).toMatchObject({ code: 'HOLDER_LIMIT_REACHED' });
    expect((refused as Error).message).toBe(
      'Mental Health Services already has 3 concurrent holders, its limit; try again when one ends',
    );
  });

  it('speaks of one holder when the limit is one', () => {
    const refused = thrownBy(() => assertHoldersLikelyAvailable(both, catalogue, new Map([['hes-apc', 1]])));

    expect((refused as Error).message).toBe(
      'Hospital Episode Statistics already has 1 concurrent holder, its limit; try again when one ends',
    );
  });
});
