// POST /approve/{token} (lambdas/handlers/http/approval-page.ts): the approval link's form.

import * as z from '../../core/zod.ts';
import { text } from './fields.ts';

export const approvalForm = z.strictObject({
  decision: z.enum(['approve', 'deny']),
  comment: z.optional(text(4000)),
});
