// ISO-8601 durations against a reference implementation of the standard (Temporal, via temporal-polyfill):
// every string either both accept (with the same exact length) or Keyholder refuses for a reason it states.
import fc from 'fast-check';
import { Temporal } from 'temporal-polyfill';
import { afterAll, describe, expect, it } from 'vitest';
import {
  durationNanoseconds,
  formatDuration,
  isDuration,
  parseDuration,
} from '../../../lambdas/core/duration.ts';
import { ValidationError } from '../../../lambdas/core/errors.ts';

/** The reference: Temporal's reading, narrowed to what Keyholder allows (no calendar units, no sign, uppercase). */
function referenceNanoseconds(value: string): bigint | undefined {
  if (!/^P[0-9WDTHMS.,]*$/.test(value)) return undefined; // sign, lowercase, years: outside Keyholder's grammar
  let duration: Temporal.Duration;
  try {
    duration = Temporal.Duration.from(value);
  } catch {
    return undefined;
  }
  if (duration.years || duration.months) return undefined;
  const big = (n: number) => BigInt(n);
  return (
    big(duration.weeks) * 604_800_000_000_000n +
    big(duration.days) * 86_400_000_000_000n +
    big(duration.hours) * 3_600_000_000_000n +
    big(duration.minutes) * 60_000_000_000n +
    big(duration.seconds) * 1_000_000_000n +
    big(duration.milliseconds) * 1_000_000n +
    big(duration.microseconds) * 1_000n +
    big(duration.nanoseconds)
  );
}

const ours = (value: string): bigint | undefined => {
  try {
    return durationNanoseconds(value);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(/such as P/); // every refusal shows an example
    return undefined;
  }
};

const digits = (max: number) => fc.integer({ min: 0, max }).map(String);
const fraction = fc.option(
  fc.tuple(fc.constantFrom('.', ','), fc.stringMatching(/^[0-9]{1,11}$/)).map(([s, d]) => s + d),
  { nil: '' },
);
/** Well-formed-ish durations: each component optional, fractions anywhere (so misplaced ones occur too). */
const isoLike = fc
  .record({
    w: fc.option(digits(60), { nil: undefined }),
    d: fc.option(digits(400), { nil: undefined }),
    h: fc.option(fc.tuple(digits(200), fraction), { nil: undefined }),
    m: fc.option(fc.tuple(digits(5000), fraction), { nil: undefined }),
    s: fc.option(fc.tuple(digits(100_000), fraction), { nil: undefined }),
    t: fc.boolean(),
  })
  .map(({ w, d, h, m, s, t }) => {
    const time = [h && `${h[0]}${h[1]}H`, m && `${m[0]}${m[1]}M`, s && `${s[0]}${s[1]}S`]
      .filter(Boolean)
      .join('');
    return `P${w ? `${w}W` : ''}${d ? `${d}D` : ''}${time || t ? 'T' : ''}${time}`;
  });
/** Noise over the duration alphabet: signs, lowercase, years and months, separators in odd places. */
const noise = fc
  .array(fc.constantFrom(...'PTWDHMSY0123456789.,-+ptdhms'.split('')), { minLength: 1, maxLength: 12 })
  .map((chars) => chars.join(''));

const counts = { accepted: 0, refused: 0, roundTrips: 0 };
afterAll(() => {
  console.log(
    `ISO-8601 durations vs Temporal: ${counts.accepted} accepted, ${counts.refused} refused, all agreeing; ${counts.roundTrips} format round-trips`,
  );
});

describe('durations against Temporal', () => {
  it('accepts exactly what the reference accepts (minus calendar units) with the same length', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          isoLike,
          noise,
          fc.constant('P').map((p) => `${p}1W`),
        ),
        (value) => {
          const reference = referenceNanoseconds(value);
          const mine = ours(value);
          expect(mine).toBe(reference);
          if (mine !== undefined && isDuration(value)) counts.accepted++;
          else counts.refused++;
        },
      ),
      { numRuns: 20_000 },
    );
  });

  it('formats milliseconds so that both Keyholder and Temporal read the same length back', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8.64e15 }), (ms) => {
        const iso = formatDuration(ms);
        expect(parseDuration(iso)).toBe(ms);
        expect(referenceNanoseconds(iso)).toBe(BigInt(ms) * 1_000_000n);
        counts.roundTrips++;
      }),
      { numRuns: 5_000 },
    );
  });

  it('round-trips Temporal-formatted durations through parse and format', () => {
    fc.assert(
      fc.property(
        fc.record({
          days: fc.integer({ min: 0, max: 3650 }),
          hours: fc.integer({ min: 0, max: 48 }),
          minutes: fc.integer({ min: 0, max: 120 }),
          seconds: fc.integer({ min: 0, max: 120 }),
          milliseconds: fc.integer({ min: 0, max: 999 }),
        }),
        (fields) => {
          const iso = Temporal.Duration.from(fields).toString();
          const ms = Temporal.Duration.from(fields).total({ unit: 'milliseconds', relativeTo: '2026-01-01' });
          if (ms === 0) return;
          expect(parseDuration(iso)).toBe(ms);
          expect(parseDuration(formatDuration(parseDuration(iso)))).toBe(ms);
          counts.roundTrips++;
        },
      ),
      { numRuns: 2_000 },
    );
  });
});

describe('fractions as ISO 8601 allows them', () => {
  it.each([
    ['PT2.5H', 9_000_000],
    ['PT0,5H', 1_800_000],
    ['PT3.125M', 187_500],
    ['PT1H30.5M', 5_430_000],
    ['PT0.000000001H', 0], // 3.6 µs: refused below as shorter than a millisecond
    ['P1W', 604_800_000],
    ['PT1.999999999S', 2_000],
  ])('%s', (value, ms) => {
    if (ms === 0) expect(() => parseDuration(value)).toThrow('at least one millisecond, such as PT0.001S');
    else expect(parseDuration(value)).toBe(ms);
  });

  it.each([
    ['PT1.5H30M', 'a fraction only on its smallest unit, such as PT2.5H'],
    ['PT0.1234567891S', 'at most 9 fractional digits'],
    ['P1.5D', 'such as PT8H or P7D'],
    ['P1.5W', 'such as PT8H or P7D'],
    ['PT.5H', 'such as PT8H or P7D'],
    ['PT5.H', 'such as PT8H or P7D'],
    ['P1Y', 'such as PT8H or P7D'],
    ['P1M', 'such as PT8H or P7D'],
    ['P99999999999D', "too long to be a grant's length, such as P90D"],
  ])('refuses %s with an example', (value, message) => {
    expect(() => parseDuration(value)).toThrow(message);
  });
});
