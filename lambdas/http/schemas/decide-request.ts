// POST /requests/{id}/decisions (lambdas/handlers/http/decide-request.ts): an approver's decision.

import * as z from '../../core/zod.ts';
import { text } from './fields.ts';

export const decisionBody = z.strictObject({
  decision: z.enum(['approve', 'deny']),
  comment: z.optional(text(4000)),
});
