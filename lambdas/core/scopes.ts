// Scope syntax: `admin` stands alone; `dataset:<id>` names one dataset of the catalogue.
import { ValidationError } from './errors.ts';
import type { Dataset, Scope } from './model.ts';

const DATASET_SCOPE = /^dataset:([A-Za-z0-9][A-Za-z0-9._-]{0,63})$/;

export function datasetIdOf(scope: Scope): string | undefined {
  return DATASET_SCOPE.exec(scope)?.[1];
}

/** Validates the requested scopes against the catalogue; returns them in canonical form. */
export function parseScopes(
  raw: readonly string[],
  catalogue: ReadonlyMap<string, Dataset>,
  maxScopes: number,
): Scope[] {
  if (raw.length === 0) throw new ValidationError('scopes', 'scopes must name at least one scope');
  if (raw.length > maxScopes)
    throw new ValidationError('scopes', `scopes may name at most ${maxScopes} scopes`);
  if (new Set(raw).size !== raw.length) throw new ValidationError('scopes', 'scopes must not repeat a scope');
  if (raw.includes('admin')) {
    if (raw.length > 1)
      throw new ValidationError('scopes', 'admin stands alone: request it without datasets');
    return ['admin'];
  }
  return raw.map((scope) => {
    const id = DATASET_SCOPE.exec(scope)?.[1];
    if (!id) throw new ValidationError('scopes', `"${scope}" is not a scope: use "admin" or "dataset:<id>"`);
    if (!catalogue.has(id)) throw new ValidationError('scopes', `dataset ${id} is not in the catalogue`);
    return `dataset:${id}` as Scope;
  });
}
