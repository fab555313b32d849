// GET /access/timeline (lambdas/handlers/http/access-timeline.ts): its window.

import * as z from '../../core/zod.ts';
import { instant } from './fields.ts';

export const accessTimelineQuery = z.strictObject({
  from: z
    .optional(instant())
    .check(
      z.describe('First instant of the window; default: 7 days before to'),
      z.meta({ examples: ['2026-11-24T00:00:00Z'] }),
    ),
  to: z
    .optional(instant())
    .check(
      z.describe('End of the window (excluded); default: now; at most 90 days after from'),
      z.meta({ examples: ['2026-12-01T00:00:00Z'] }),
    ),
});
