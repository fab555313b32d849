// Durations and instants in words, for people: the CLI, the console, emails and Slack. Pure and deterministic (no
// Intl, no locale, always UTC, British English), so the same instant reads the same everywhere. Durations are
// ISO-8601 as Keyholder stores them; parseHumanDuration turns what a person types (4h, 90m, 2 days) into one.
import { durationNanoseconds, formatDuration, parseDuration } from '../core/duration.ts';
import { ValidationError } from '../core/errors.ts';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

const plural = (count: number, unit: string) => `${count} ${unit}${count === 1 ? '' : 's'}`;
const two = (value: number) => String(value).padStart(2, '0');

function toDate(at: string | Date): Date {
  return typeof at === 'string' ? new Date(at) : at;
}

function toMs(at: string | Date | number): number {
  return typeof at === 'number' ? at : toDate(at).getTime();
}

/** A number of milliseconds in words: `5400000` -> "1 hour 30 minutes"; days, hours, minutes and seconds. */
export function spanInWords(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return String(ms);
  if (ms === 0) return '0 minutes';
  const parts: string[] = [];
  let rest = ms;
  for (const [unit, size] of [
    ['day', DAY],
    ['hour', HOUR],
    ['minute', MINUTE],
  ] as const) {
    const count = Math.floor(rest / size);
    if (count > 0) parts.push(plural(count, unit));
    rest -= count * size;
  }
  if (rest > 0) {
    const seconds = rest / SECOND;
    parts.push(
      `${Number.isInteger(seconds) ? seconds : Number(seconds.toFixed(3))} second${seconds === 1 ? '' : 's'}`,
    );
  }
  return parts.join(' ');
}

/**
 * An ISO-8601 duration in words: 'PT4H' -> "4 hours", 'PT1H30M' -> "1 hour 30 minutes", 'P7D' -> "7 days",
 * 'PT90M' -> "1 hour 30 minutes". What is not a duration comes back unchanged (words are never worth an error).
 */
export function durationInWords(iso: string): string {
  let ns: bigint;
  try {
    ns = durationNanoseconds(iso);
  } catch {
    return iso;
  }
  return spanInWords(Number((ns + 500_000n) / 1_000_000n));
}

/** 'Tue 8 Dec 2026, 21:18 UTC'. An unreadable instant comes back as given. */
export function formatDateTime(at: string | Date): string {
  const date = toDate(at);
  if (Number.isNaN(date.getTime())) return String(at);
  return `${formatDate(date)}, ${formatClock(date)}`;
}

/** 'Tue 8 Dec 2026'. */
export function formatDate(at: string | Date): string {
  const date = toDate(at);
  if (Number.isNaN(date.getTime())) return String(at);
  return `${DAYS[date.getUTCDay()]} ${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}`;
}

/** '21:18 UTC'. */
export function formatClock(at: string | Date): string {
  const date = toDate(at);
  if (Number.isNaN(date.getTime())) return String(at);
  return `${two(date.getUTCHours())}:${two(date.getUTCMinutes())} UTC`;
}

/**
 * How far an instant is from now, short: 'just now' (under a minute), 'in 12 min', 'in 3 h 12 min', '5 h ago',
 * 'in 1 day 4 h', '2 days ago', 'in 3 days' (from two days on, whole days, rounded), 'in 2 months' (from 45
 * days), 'in 3 years' (from a year).
 */
export function relativeTime(at: string | Date, now: string | Date | number = Date.now()): string {
  const delta = toMs(at) - toMs(now);
  if (!Number.isFinite(delta)) return String(at);
  const span = Math.abs(delta);
  if (span < MINUTE) return 'just now';
  let words: string;
  if (span < HOUR) words = `${Math.floor(span / MINUTE)} min`;
  else if (span < DAY) {
    const hours = Math.floor(span / HOUR);
    const minutes = Math.floor((span - hours * HOUR) / MINUTE);
    words = minutes > 0 ? `${hours} h ${minutes} min` : `${hours} h`;
  } else if (span < 2 * DAY) {
    const hours = Math.floor((span - DAY) / HOUR);
    words = hours > 0 ? `1 day ${hours} h` : '1 day';
  } else if (span < 45 * DAY) words = plural(Math.round(span / DAY), 'day');
  else if (span < 365 * DAY) words = plural(Math.round(span / (30.44 * DAY)), 'month');
  else words = plural(Math.round(span / (365.25 * DAY)), 'year');
  return delta > 0 ? `in ${words}` : `${words} ago`;
}

/** 'Tue 8 Dec 2026, 21:18 UTC (in 3 days)'. */
export function dateTimeInWords(at: string | Date, now: string | Date | number = Date.now()): string {
  const date = toDate(at);
  if (Number.isNaN(date.getTime())) return String(at);
  return `${formatDateTime(date)} (${relativeTime(date, now)})`;
}

/**
 * Relative first, then the clock, with the date only when it is not today (UTC): 'in 3 h 12 min, 14:05 UTC',
 * '2 days ago, Sun 6 Dec 2026, 09:00 UTC'. For a column or a sentence: "expires in 3 h 12 min, 14:05 UTC".
 */
export function whenInWords(at: string | Date, now: string | Date | number = Date.now()): string {
  const date = toDate(at);
  if (Number.isNaN(date.getTime())) return String(at);
  const today = new Date(toMs(now)).toISOString().slice(0, 10) === date.toISOString().slice(0, 10);
  return `${relativeTime(date, now)}, ${today ? formatClock(date) : formatDateTime(date)}`;
}

// ---------------------------------------------------------------------------------------------------------------
// What people type -> ISO-8601.

const UNIT_MS: ReadonlyArray<readonly [RegExp, number]> = [
  [/^(w|wk|wks|week|weeks)$/, WEEK],
  [/^(d|day|days)$/, DAY],
  [/^(h|hr|hrs|hour|hours)$/, HOUR],
  [/^(m|min|mins|minute|minutes)$/, MINUTE],
  [/^(s|sec|secs|second|seconds)$/, SECOND],
];

const EXAMPLE = 'e.g. 4h, 90m, 1h30m, 2 days, 1w or PT4H';

/**
 * A duration as a person writes it -> ISO-8601: '4h' -> 'PT4H', '90m' -> 'PT1H30M', '1h30m' -> 'PT1H30M',
 * '2 days' -> 'P2D', '1w' -> 'P7D', '1.5h' -> 'PT1H30M', '1 hour and 30 minutes' -> 'PT1H30M'. An ISO-8601
 * duration passes through (checked by lambdas/core/duration.ts). Anything else is a ValidationError on `field`
 * whose message shows an example.
 */
export function parseHumanDuration(text: string, field = 'duration'): string {
  const given = String(text ?? '').trim();
  const refuse = (why = 'is not a duration') => new ValidationError(field, `"${given}" ${why}: ${EXAMPLE}`);
  if (given === '') throw refuse('is empty');
  if (/^p/i.test(given)) {
    const iso = given.toUpperCase();
    try {
      parseDuration(iso, field);
    } catch (error) {
      throw new ValidationError(field, `${(error as Error).message}; ${EXAMPLE}`);
    }
    return iso;
  }
  const words = given.toLowerCase().replace(/,|\band\b/g, ' ');
  const part = /(\d+(?:\.\d+)?)\s*([a-z]+)/gy;
  let total = 0;
  let index = 0;
  let parts = 0;
  const rest = () => words.slice(index).trimStart();
  while (rest() !== '') {
    index = words.length - rest().length;
    part.lastIndex = index;
    const match = part.exec(words);
    if (!match) throw refuse();
    const [, amount, unit] = match;
    const size = UNIT_MS.find(([pattern]) => pattern.test(unit ?? ''))?.[1];
    if (size === undefined) throw refuse(`has an unknown unit "${unit}"`);
    total += Number(amount) * size;
    index = part.lastIndex;
    parts += 1;
  }
  if (parts === 0) throw refuse();
  const ms = Math.round(total);
  if (ms <= 0) throw refuse('must be longer than zero');
  if (!Number.isSafeInteger(ms)) throw refuse('is too long');
  return formatDuration(ms);
}

/**
 * An instant as a person writes it -> ISO-8601 (UTC): 'now', '3h ago', '2 days ago', '2026-12-01' (midnight UTC),
 * '2026-12-01 09:00' (UTC), or an ISO-8601 date-time with its offset. Anything else is a ValidationError on `field`.
 */
export function parseHumanInstant(
  text: string,
  now: string | Date | number = Date.now(),
  field = 'at',
): string {
  const given = String(text ?? '').trim();
  const refuse = () =>
    new ValidationError(
      field,
      `"${given}" is not a time: e.g. now, 3h ago, 2 days ago, 2026-12-01, 2026-12-01 09:00 or 2026-12-01T09:00:00Z`,
    );
  if (/^now$/i.test(given)) return new Date(toMs(now)).toISOString();
  const ago = /^(.+?)\s+ago$/i.exec(given);
  if (ago?.[1]) {
    let ms: number;
    try {
      ms = parseDuration(parseHumanDuration(ago[1], field), field);
    } catch {
      throw refuse();
    }
    return new Date(toMs(now) - ms).toISOString();
  }
  const local = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?$/.exec(given);
  const iso = local ? `${local[1]}T${local[2] ?? '00:00'}Z` : given;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/i.test(iso))
    throw refuse();
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw refuse();
  return new Date(ms).toISOString();
}
