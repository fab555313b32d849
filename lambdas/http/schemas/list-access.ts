// GET /access (lambdas/handlers/http/list-access.ts): its query (now, at an instant, or one principal's or scope's
// history).

import * as z from '../../core/zod.ts';
import { instant, scopeParameter, text } from './fields.ts';

export const accessQuery = z.strictObject({
  at: z.optional(instant()).check(z.describe('Who held access at this instant (from recorded history)')),
  principal: z.optional(text(100).check(z.minLength(1))).check(z.describe("One principal's access history")),
  scope: z.optional(scopeParameter()).check(z.describe("One scope's access history, e.g. dataset:hes-apc")),
});
