// GET /audit (lambdas/handlers/http/list-audit.ts): its query.

import * as z from '../../core/zod.ts';
import { text } from './fields.ts';

export const auditQuery = z.strictObject({
  requestId: text(100).check(z.minLength(1, { message: 'is required' })),
});
