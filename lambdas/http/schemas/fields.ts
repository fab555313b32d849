// The field types several routes' inputs share. Each is a function, not a schema built at load: a route's bundle
// imports this module whole, and pays only for the fields its own schema calls.

import type { Scope } from '../../core/model.ts';
import * as z from '../../core/zod.ts';

/** A string of at most `max` characters. */
export const text = (max: number) =>
  z.string().check(z.maxLength(max, { message: `must be at most ${max} characters` }));

/** An ISO-8601 instant, normalised to `Date#toISOString()` (the form every stored instant has, so they compare). */
export const instant = () =>
  z.pipe(
    z.iso.datetime({ offset: true, message: 'must be an ISO-8601 date-time, e.g. 2026-12-01T09:00:00Z' }),
    z.transform((value) => new Date(value).toISOString()),
  );

/** A query parameter naming one scope: `admin` or `dataset:<id>`. */
export const scopeParameter = () =>
  z.pipe(
    z
      .string()
      .check(z.regex(/^(admin|dataset:[A-Za-z0-9._-]{1,80})$/, { message: 'must be admin or dataset:<id>' })),
    z.transform((value) => value as Scope),
  );

/** `bom=true` starts a CSV export with a UTF-8 byte order mark, so Excel on Windows reads names as UTF-8. */
export const bomParameter = () =>
  z.pipe(
    z
      .optional(z.enum(['true', 'false'], { message: 'must be true or false' }))
      .check(z.describe('true: start with a UTF-8 byte order mark (for Excel on Windows); default: false')),
    z.transform((value) => value === 'true'),
  );
