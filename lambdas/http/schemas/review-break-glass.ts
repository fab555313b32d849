// POST /requests/{id}/break-glass-reviews (lambdas/handlers/http/review-break-glass.ts): a director's review of
// break-glass access.

import * as z from '../../core/zod.ts';
import { text } from './fields.ts';

export const breakGlassReviewBody = z
  .strictObject({
    verdict: z.enum(['justified', 'not-justified']),
    comment: text(4000).check(
      z.minLength(1, { message: 'is required' }),
      z.describe('Why the break-glass was or was not justified'),
    ),
  })
  .check(
    z.meta({
      examples: [{ verdict: 'justified', comment: 'The admissions feed was down; the fix needed admin' }],
    }),
  );
