// ISO-8601 durations (PnW, PnDTnHnMnS), the one parser every duration Keyholder reads goes through (API
// bodies, policy, provider timeouts, console words). Years and months are refused: their length depends on
// the calendar, and a grant's end must not. As ISO 8601 (and Temporal) allow, the smallest unit given may
// carry a decimal fraction with "." or "," (PT2.5H, PT0,5H, PT3.125M) of at most 9 digits; fractions are
// for hours, minutes and seconds only (a fractional day is again calendar-dependent across DST).
// Arithmetic is exact in nanoseconds; the millisecond value is rounded half up.
import { ValidationError } from './errors.ts';

const DURATION =
  /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)(?:[.,](\d+))?H)?(?:(\d+)(?:[.,](\d+))?M)?(?:(\d+)(?:[.,](\d+))?S)?)?$/;
const MAX_FRACTION_DIGITS = 9;
/** The largest span a JavaScript Date can hold: anything longer cannot be an expiry. */
const MAX_MS = 8.64e15;

const NS_PER = {
  W: 604_800n * 10n ** 9n,
  D: 86_400n * 10n ** 9n,
  H: 3_600n * 10n ** 9n,
  M: 60n * 10n ** 9n,
  S: 10n ** 9n,
};

const EXAMPLES = 'such as PT8H or P7D';
const malformed = (field: string, value: string) =>
  new ValidationError(field, `${field} must be an ISO-8601 duration ${EXAMPLES} (got "${value}")`);

/** The exact length of an ISO-8601 duration in nanoseconds (zero included), or a ValidationError. */
export function durationNanoseconds(value: string, field = 'duration'): bigint {
  const match = typeof value === 'string' ? DURATION.exec(value) : null;
  if (!match || value === 'P' || value.endsWith('T')) throw malformed(field, value);
  const [, weeks, days, hours, hourFraction, minutes, minuteFraction, seconds, secondFraction] = match;
  const parts: Array<[string | undefined, string | undefined, bigint]> = [
    [weeks, undefined, NS_PER.W],
    [days, undefined, NS_PER.D],
    [hours, hourFraction, NS_PER.H],
    [minutes, minuteFraction, NS_PER.M],
    [seconds, secondFraction, NS_PER.S],
  ];
  const present = parts.filter(([whole]) => whole !== undefined);
  let total = 0n;
  for (const [index, [whole, fraction, unit]] of present.entries()) {
    total += BigInt(whole ?? '0') * unit;
    if (fraction === undefined) continue;
    if (index !== present.length - 1) {
      throw new ValidationError(
        field,
        `${field} may have a fraction only on its smallest unit, such as PT2.5H or PT1H30.5M (got "${value}")`,
      );
    }
    if (fraction.length > MAX_FRACTION_DIGITS) {
      throw new ValidationError(
        field,
        `${field} may have at most ${MAX_FRACTION_DIGITS} fractional digits, such as PT0.000000001S (got "${value}")`,
      );
    }
    total += (BigInt(fraction.padEnd(MAX_FRACTION_DIGITS, '0')) * unit) / 10n ** 9n;
  }
  return total;
}

export function parseDuration(value: string, field = 'duration'): number {
  const ns = durationNanoseconds(value, field);
  if (ns <= 0n) throw new ValidationError(field, `${field} must be longer than zero`);
  const ms = (ns + 500_000n) / 1_000_000n;
  if (ms === 0n) {
    throw new ValidationError(
      field,
      `${field} must be at least one millisecond, such as PT0.001S (got "${value}")`,
    );
  }
  if (ms > BigInt(MAX_MS)) {
    throw new ValidationError(
      field,
      `${field} is too long to be a grant's length, such as P90D (got "${value}")`,
    );
  }
  return Number(ms);
}

export function isDuration(value: string): boolean {
  try {
    parseDuration(value);
    return true;
  } catch {
    return false;
  }
}

/** The canonical ISO-8601 form of a number of milliseconds: days, then hours, minutes and seconds (`P1DT2H30M`). */
export function formatDuration(ms: number): string {
  if (!Number.isSafeInteger(ms) || ms < 0)
    throw new RangeError(`not a whole, non-negative number of ms: ${ms}`);
  const days = Math.floor(ms / 86_400_000);
  let rest = ms - days * 86_400_000;
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  const millis = rest - seconds * 1000;
  const time = [
    hours ? `${hours}H` : '',
    minutes ? `${minutes}M` : '',
    seconds || millis
      ? `${seconds}${millis ? `.${String(millis).padStart(3, '0').replace(/0+$/, '')}` : ''}S`
      : '',
  ].join('');
  if (!days && !time) return 'PT0S';
  return `P${days ? `${days}D` : ''}${time ? `T${time}` : ''}`;
}

export function addDuration(from: string | Date, duration: string): string {
  const start = typeof from === 'string' ? Date.parse(from) : from.getTime();
  return new Date(start + parseDuration(duration)).toISOString();
}
