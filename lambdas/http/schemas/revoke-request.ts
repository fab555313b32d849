// POST /requests/{id}/revoke (lambdas/handlers/http/revoke-request.ts): why the access ends now.

import * as z from '../../core/zod.ts';
import { text } from './fields.ts';

export const revokeBody = z.strictObject({
  reason: text(4000).check(z.minLength(1, { message: 'is required' })),
});
