// POST /review/{token} (lambdas/handlers/http/review-page.ts): the review link's form.

import * as z from '../../core/zod.ts';
import { text } from './fields.ts';

export const reviewForm = z.strictObject({
  decision: z.enum(['keep', 'revoke']),
  comment: z.optional(text(4000)),
});
