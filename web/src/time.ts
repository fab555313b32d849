// Times and durations in words for the console: the shared wording (lambdas/presentation/time-words.ts) the CLI,
// emails and Slack use, so the same instant and the same duration read the same everywhere. Only what the console
// alone needs is here: a duration's length in seconds (the request form's units), and a countdown to the second.
import { durationNanoseconds } from '../../lambdas/core/duration.ts';
import { relativeTime, spanInWords } from '../../lambdas/presentation/time-words.ts';

export {
  dateTimeInWords,
  durationInWords,
  formatDate,
  formatDateTime,
  relativeTime,
  spanInWords,
  whenInWords,
} from '../../lambdas/presentation/time-words.ts';

/** Seconds of an ISO-8601 duration (PnDTnHnMnS, PnW), as lambdas/core/duration.ts reads it; NaN when it is not one. */
export function durationSeconds(iso: string): number {
  try {
    return Number(durationNanoseconds(iso)) / 1e9;
  } catch {
    return Number.NaN;
  }
}

/**
 * How long until `at`, for a countdown: to the second under a minute ("in 29 seconds", where relativeTime says
 * "just now"), else as relativeTime words it ("in 12 min", "in 3 h 12 min"); "now" once it is past.
 */
export function countdownInWords(at: string | Date, now = Date.now()): string {
  const left = new Date(at).getTime() - now;
  if (!Number.isFinite(left)) return String(at);
  if (left <= 0) return 'now';
  return left < 60_000 ? `in ${spanInWords(Math.ceil(left / 1000) * 1000)}` : relativeTime(at, now);
}
