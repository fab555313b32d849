// ISO-8601 durations (PnW, PnDTnHnMnS). Years and months are refused: their length depends on the calendar.
import { ValidationError } from './errors.ts';

const DURATION = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

export function parseDuration(value: string, field = 'duration'): number {
  const match = DURATION.exec(value);
  if (!match || value === 'P' || value.endsWith('T')) {
    throw new ValidationError(
      field,
      `${field} must be an ISO-8601 duration such as PT8H or P7D (got "${value}")`,
    );
  }
  const [, weeks, days, hours, minutes, seconds] = match;
  const ms =
    Number(weeks ?? 0) * 604_800_000 +
    Number(days ?? 0) * 86_400_000 +
    Number(hours ?? 0) * 3_600_000 +
    Number(minutes ?? 0) * 60_000 +
    Math.round(Number(seconds ?? 0) * 1000);
  if (ms <= 0) throw new ValidationError(field, `${field} must be longer than zero`);
  return ms;
}

export function isDuration(value: string): boolean {
  try {
    parseDuration(value);
    return true;
  } catch {
    return false;
  }
}

export function addDuration(from: string | Date, duration: string): string {
  const start = typeof from === 'string' ? Date.parse(from) : from.getTime();
  return new Date(start + parseDuration(duration)).toISOString();
}
