// Unit tests for ISO-8601 duration parsing: accepted forms, refused forms and date arithmetic.
import { describe, expect, it } from 'vitest';
import { addDuration, isDuration, parseDuration } from '../../../lambdas/core/duration.ts';
import { ValidationError } from '../../../lambdas/core/errors.ts';
import { thrownBy } from '../../support/fixtures.ts';

describe('parseDuration', () => {
  it.each([
    ['PT8H', 8 * 3_600_000],
    ['P7D', 7 * 86_400_000],
    ['P1W', 7 * 86_400_000],
    ['PT15M', 15 * 60_000],
    ['PT1.5S', 1_500],
    ['P1DT2H', 26 * 3_600_000],
    ['P90D', 90 * 86_400_000],
    ['P1DT2H3M4S', 86_400_000 + 2 * 3_600_000 + 3 * 60_000 + 4_000],
  ])('accepts %s as %i ms', (value, expected) => {
    // Act
    const ms = parseDuration(value);

    // Assess
    expect(ms).toBe(expected);
    expect(isDuration(value)).toBe(true);
  });

  it.each(['P1Y', 'P1M', 'P', 'PT', '', '8h', 'P1DT', 'PT8h', ' PT8H', 'P1.5D', '-PT8H'])(
    'refuses %j as not an ISO-8601 duration, naming the field',
    (value) => {
      // Act
      const error = thrownBy(() => parseDuration(value, 'maxDuration'));

      // Assess
      expect(error).toBeInstanceOf(ValidationError);
      expect(error).toMatchObject({
        code: 'VALIDATION_FAILED',
        kind: 'validation',
        field: 'maxDuration',
        message: `maxDuration must be an ISO-8601 duration such as PT8H or P7D (got "${value}")`,
      });
      expect(isDuration(value)).toBe(false);
    },
  );

  it.each(['P0D', 'PT0S', 'PT0H0M', 'P0W'])('refuses the zero duration %s', (value) => {
    // Act
    const error = thrownBy(() => parseDuration(value));

    // Assess
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({
      code: 'VALIDATION_FAILED',
      field: 'duration',
      message: 'duration must be longer than zero',
    });
  });

  it('names the field "duration" when no field is given', () => {
    // Act
    const error = thrownBy(() => parseDuration('P1Y'));

    // Assess
    expect(error).toMatchObject({ field: 'duration' });
  });
});

describe('addDuration', () => {
  it('adds a duration to an ISO instant and returns an ISO instant', () => {
    // Act
    const result = addDuration('2026-12-01T09:00:00.000Z', 'PT8H');

    // Assess
    expect(result).toBe('2026-12-01T17:00:00.000Z');
  });

  it('adds to a Date as well as to a string', () => {
    // Act
    const result = addDuration(new Date('2026-12-01T09:00:00.000Z'), 'P1DT2H');

    // Assess
    expect(result).toBe('2026-12-02T11:00:00.000Z');
  });

  it('counts days as 24 hours, across month ends and fractional seconds', () => {
    // Act
    const result = addDuration('2026-12-31T23:59:59.000Z', 'PT1.5S');
    const week = addDuration('2026-12-28T00:00:00.000Z', 'P1W');

    // Assess
    expect(result).toBe('2027-01-01T00:00:00.500Z');
    expect(week).toBe('2027-01-04T00:00:00.000Z');
  });

  it('refuses an invalid duration', () => {
    // Act
    const error = thrownBy(() => addDuration('2026-12-01T09:00:00.000Z', 'P1M'));

    // Assess
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ field: 'duration' });
  });
});
