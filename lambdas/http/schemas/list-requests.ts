// GET /requests (lambdas/handlers/http/list-requests.ts): its query.

import { REQUEST_STATUSES } from '../../core/model.ts';
import * as z from '../../core/zod.ts';

export const listRequestsQuery = z.strictObject({ status: z.optional(z.enum(REQUEST_STATUSES)) });
