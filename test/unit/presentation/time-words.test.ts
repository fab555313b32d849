// Durations and times in words (lambdas/presentation/time-words.ts), shared by the CLI, the console, emails and
// Slack: deterministic, UTC, British English; and what people type turned into ISO-8601.
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../lambdas/core/errors.ts';
import {
  dateTimeInWords,
  durationInWords,
  formatClock,
  formatDate,
  formatDateTime,
  parseHumanDuration,
  parseHumanInstant,
  relativeTime,
  spanInWords,
  whenInWords,
} from '../../../lambdas/presentation/time-words.ts';

const NOW = new Date('2026-12-05T18:06:00Z');

describe('durationInWords', () => {
  it.each([
    ['PT4H', '4 hours'],
    ['PT1H30M', '1 hour 30 minutes'],
    ['P7D', '7 days'],
    ['PT15M', '15 minutes'],
    ['PT1H', '1 hour'],
    ['PT1M', '1 minute'],
    ['PT90M', '1 hour 30 minutes'],
    ['P1W', '7 days'],
    ['P1DT2H', '1 day 2 hours'],
    ['PT36H', '1 day 12 hours'],
    ['PT2.5H', '2 hours 30 minutes'],
    ['PT45S', '45 seconds'],
    ['PT1S', '1 second'],
    ['PT0.5S', '0.5 seconds'],
    ['PT0S', '0 minutes'],
  ])('%s -> %s', (iso, words) => {
    expect(durationInWords(iso)).toBe(words);
  });

  it('gives back what is not a duration unchanged', () => {
    expect(durationInWords('8 hours')).toBe('8 hours');
    expect(durationInWords('P1M')).toBe('P1M');
  });

  it('spanInWords reads milliseconds', () => {
    expect(spanInWords(5_400_000)).toBe('1 hour 30 minutes');
    expect(spanInWords(600_000)).toBe('10 minutes');
    expect(spanInWords(-1)).toBe('-1');
  });
});

describe('formatDateTime and friends', () => {
  it('reads an instant in UTC: weekday, day, month, year, clock', () => {
    expect(formatDateTime('2026-12-08T21:18:00Z')).toBe('Tue 8 Dec 2026, 21:18 UTC');
    expect(formatDateTime(new Date('2027-01-01T00:05:59.999Z'))).toBe('Fri 1 Jan 2027, 00:05 UTC');
    // Another offset is the same instant, said in UTC
    expect(formatDateTime('2026-12-08T22:18:00+01:00')).toBe('Tue 8 Dec 2026, 21:18 UTC');
    expect(formatDate('2026-12-08T21:18:00Z')).toBe('Tue 8 Dec 2026');
    expect(formatClock('2026-12-08T09:03:00Z')).toBe('09:03 UTC');
  });

  it('gives back what it cannot read', () => {
    expect(formatDateTime('not a time')).toBe('not a time');
    expect(dateTimeInWords('soon', NOW)).toBe('soon');
  });

  it('dateTimeInWords puts the relative time after the absolute one', () => {
    expect(dateTimeInWords('2026-12-08T21:18:00Z', NOW)).toBe('Tue 8 Dec 2026, 21:18 UTC (in 3 days)');
  });

  it('whenInWords: relative first, the date only when it is not today', () => {
    expect(whenInWords('2026-12-05T21:18:30Z', NOW)).toBe('in 3 h 12 min, 21:18 UTC');
    expect(whenInWords('2026-12-03T18:00:00Z', NOW)).toBe('2 days ago, Thu 3 Dec 2026, 18:00 UTC');
  });
});

describe('relativeTime', () => {
  it.each([
    ['2026-12-05T18:06:20Z', 'just now'],
    ['2026-12-05T18:05:10Z', 'just now'],
    ['2026-12-05T18:18:00Z', 'in 12 min'],
    ['2026-12-05T17:54:00Z', '12 min ago'],
    ['2026-12-05T21:18:30Z', 'in 3 h 12 min'],
    ['2026-12-05T23:06:00Z', 'in 5 h'],
    ['2026-12-05T13:06:00Z', '5 h ago'],
    ['2026-12-06T22:06:00Z', 'in 1 day 4 h'],
    ['2026-12-06T18:06:00Z', 'in 1 day'],
    ['2026-12-03T18:00:00Z', '2 days ago'],
    ['2026-12-08T21:18:00Z', 'in 3 days'],
    ['2027-02-05T18:06:00Z', 'in 2 months'],
    ['2029-12-31T00:00:00Z', 'in 3 years'],
  ])('%s -> %s', (at, words) => {
    expect(relativeTime(at, NOW)).toBe(words);
  });

  it('takes now as a Date, a string or milliseconds', () => {
    const at = '2026-12-05T19:06:00Z';
    expect(relativeTime(at, NOW)).toBe('in 1 h');
    expect(relativeTime(at, NOW.toISOString())).toBe('in 1 h');
    expect(relativeTime(at, NOW.getTime())).toBe('in 1 h');
  });
});

describe('parseHumanDuration', () => {
  it.each([
    ['4h', 'PT4H'],
    ['90m', 'PT1H30M'],
    ['1h30m', 'PT1H30M'],
    ['1h 30m', 'PT1H30M'],
    ['1 hour and 30 minutes', 'PT1H30M'],
    ['1.5h', 'PT1H30M'],
    ['2 days', 'P2D'],
    ['1 day, 2 hours', 'P1DT2H'],
    ['1w', 'P7D'],
    ['2 weeks', 'P14D'],
    ['15 mins', 'PT15M'],
    ['45s', 'PT45S'],
    ['4H', 'PT4H'],
  ])('%s -> %s', (text, iso) => {
    expect(parseHumanDuration(text)).toBe(iso);
  });

  it('passes an ISO-8601 duration through, checked by the core parser', () => {
    expect(parseHumanDuration('PT4H')).toBe('PT4H');
    expect(parseHumanDuration('P7D')).toBe('P7D');
    expect(parseHumanDuration('pt8h')).toBe('PT8H');
    expect(parseHumanDuration('PT2.5H')).toBe('PT2.5H');
  });

  it.each(['soon', '90', '4x', '0m', 'PX', 'P1M', 'PT0S', '', '4h soon', 'h4'])(
    'refuses %j with a message that shows an example',
    (text) => {
      const attempt = () => parseHumanDuration(text);
      expect(attempt).toThrow(ValidationError);
      expect(attempt).toThrow(/e\.g\. 4h, 90m, 1h30m, 2 days, 1w or PT4H/);
    },
  );

  it('names the field it was given', () => {
    try {
      parseHumanDuration('soon', 'for');
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ field: 'for', code: 'VALIDATION_FAILED' });
    }
  });
});

describe('parseHumanInstant', () => {
  it.each([
    ['now', '2026-12-05T18:06:00.000Z'],
    ['3h ago', '2026-12-05T15:06:00.000Z'],
    ['2 days ago', '2026-12-03T18:06:00.000Z'],
    ['2026-12-01', '2026-12-01T00:00:00.000Z'],
    ['2026-12-01 09:00', '2026-12-01T09:00:00.000Z'],
    ['2026-12-01T09:00', '2026-12-01T09:00:00.000Z'],
    ['2026-12-01T09:00Z', '2026-12-01T09:00:00.000Z'],
    ['2026-12-01T10:00:00+01:00', '2026-12-01T09:00:00.000Z'],
  ])('%s -> %s', (text, iso) => {
    expect(parseHumanInstant(text, NOW)).toBe(iso);
  });

  it.each(['yesterday', 'soon ago', '2026-13-45', '2026-12-01 09:00 BST', '12/01/2026'])(
    'refuses %j',
    (text) => {
      expect(() => parseHumanInstant(text, NOW)).toThrow(/is not a time: e\.g\. now, 3h ago/);
    },
  );
});
