// GET /transparency (lambdas/handlers/http/transparency.ts): its query (HTML by default, or JSON).

import * as z from '../../core/zod.ts';

export const transparencyQuery = z.strictObject({ format: z.optional(z.enum(['html', 'json'])) });
