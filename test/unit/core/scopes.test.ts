// Unit tests for scope syntax: admin alone, datasets from the catalogue, and every refusal.
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../lambdas/core/errors.ts';
import { datasetIdOf, parseScopes } from '../../../lambdas/core/scopes.ts';
import { catalogue, datasets, scopeOf, thrownBy } from '../../support/fixtures.ts';

const MAX = 20;

function refusal(raw: readonly string[], maxScopes = MAX): ValidationError {
  const error = thrownBy(() => parseScopes(raw, catalogue, maxScopes));
  expect(error).toBeInstanceOf(ValidationError);
  expect(error).toMatchObject({ code: 'VALIDATION_FAILED', kind: 'validation', field: 'scopes' });
  return error as ValidationError;
}

describe('parseScopes', () => {
  it('accepts admin on its own', () => {
    // Act
    const scopes = parseScopes(['admin'], catalogue, MAX);

    // Assess
    expect(scopes).toStrictEqual(['admin']);
  });

  it('accepts several catalogue datasets, in the order given', () => {
    // Act
    const scopes = parseScopes(
      [scopeOf(datasets.gpPseudonymised), scopeOf(datasets.hesIdentifiable)],
      catalogue,
      MAX,
    );

    // Assess
    expect(scopes).toStrictEqual(['dataset:gpes-pseudo', 'dataset:hes-apc']);
  });

  it('accepts exactly the maximum number of scopes', () => {
    // Act
    const scopes = parseScopes(Object.values(datasets).map(scopeOf), catalogue, 4);

    // Assess
    expect(scopes).toHaveLength(4);
  });

  it('refuses admin mixed with datasets', () => {
    // Act
    const error = refusal(['admin', scopeOf(datasets.hesIdentifiable)]);

    // Assess
    expect(error.message).toBe('admin stands alone: request it without datasets');
  });

  it('refuses a dataset that is not in the catalogue', () => {
    // Act
    const error = refusal([scopeOf(datasets.hesIdentifiable), 'dataset:no-such-data']);

    // Assess
    expect(error.message).toBe('dataset no-such-data is not in the catalogue');
  });

  it.each([
    ['dataset:hes-apc', 'dataset:hes-apc'],
    ['admin', 'admin'],
  ])('refuses the repeated scopes %s, %s', (...raw) => {
    // Act
    const error = refusal(raw);

    // Assess
    expect(error.message).toBe('scopes must not repeat a scope');
  });

  it.each([
    'Admin',
    ' admin',
    'dataset:',
    'dataset:-leading-dash',
    'dataset:has space',
    'datasets:hes-apc',
    'hes-apc',
    `dataset:${'a'.repeat(65)}`,
  ])('refuses the malformed scope %j', (raw) => {
    // Act
    const error = refusal([raw]);

    // Assess
    expect(error.message).toBe(`"${raw}" is not a scope: use "admin" or "dataset:<id>"`);
  });

  it('refuses an empty list', () => {
    // Act
    const error = refusal([]);

    // Assess
    expect(error.message).toBe('scopes must name at least one scope');
  });

  it('refuses more scopes than the policy allows', () => {
    // Act
    const error = refusal(Object.values(datasets).map(scopeOf), 3);

    // Assess
    expect(error.message).toBe('scopes may name at most 3 scopes');
  });
});

describe('datasetIdOf', () => {
  it('gives the dataset id of a dataset scope and nothing for admin', () => {
    // Assess
    expect(datasetIdOf('dataset:hes-apc')).toBe('hes-apc');
    expect(datasetIdOf('admin')).toBeUndefined();
  });
});
