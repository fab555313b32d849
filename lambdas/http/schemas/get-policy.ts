// GET /policy (lambdas/handlers/http/get-policy.ts): its query.

import * as z from '../../core/zod.ts';
import { instant } from './fields.ts';

export const policyQuery = z.strictObject({
  at: z.optional(instant()).check(z.describe('The rules in force at this instant; default: now')),
});
