// POST /requests/{id}/extend (lambdas/handlers/http/extend-request.ts): the holder's request for more time.

import * as z from '../../core/zod.ts';
import { text } from './fields.ts';

export const extendBody = z.strictObject({
  duration: text(32).check(
    z.describe('How much longer, ISO-8601 (e.g. PT8H); the total stays within maxTotalDuration'),
  ),
  justification: text(4000).check(z.describe('Why more time is needed (policy minimum length applies)')),
});
