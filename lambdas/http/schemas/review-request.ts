// POST /requests/{id}/reviews (lambdas/handlers/http/review-request.ts): a recertification verdict from the console.

import * as z from '../../core/zod.ts';
import { text } from './fields.ts';

export const reviewBody = z
  .strictObject({
    decision: z.enum(['keep', 'revoke']),
    comment: z.optional(text(4000)).check(z.describe('Why; required for revoke')),
  })
  .check(
    z.meta({ examples: [{ decision: 'keep' }, { decision: 'revoke', comment: 'The incident is closed' }] }),
  );
