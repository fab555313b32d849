// POST /requests (lambdas/handlers/http/submit-request.ts): the body of an access request.

import * as z from '../../core/zod.ts';
import { text } from './fields.ts';

export const submitRequestBody = z.strictObject({
  scopes: z
    .array(text(80))
    .check(z.minLength(1), z.maxLength(25), z.describe('["admin"] alone, or one or more "dataset:<id>"')),
  justification: text(4000).check(z.describe('Why the access is needed (policy minimum length applies)')),
  duration: text(32).check(z.describe('ISO-8601 duration, e.g. PT8H or P7D')),
  ticket: z.optional(text(120)).check(z.describe('Change or service ticket reference')),
  breakGlass: z
    .optional(z.boolean())
    .check(
      z.describe(
        'Emergency access: ACTIVE at once without approval, for those the policy names; reviewed afterwards',
      ),
    ),
});
