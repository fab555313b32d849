// GET /audit/verify (lambdas/handlers/http/verify-audit.ts): it takes no query parameter.

import * as z from '../../core/zod.ts';

export const emptyQuery = z.strictObject({});
