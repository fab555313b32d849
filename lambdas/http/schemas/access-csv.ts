// GET /access.csv (lambdas/handlers/http/access-csv.ts): its query.

import * as z from '../../core/zod.ts';
import { bomParameter, instant } from './fields.ts';

export const accessCsvQuery = z.strictObject({
  at: z.optional(instant()).check(z.describe('Default: now')),
  bom: bomParameter(),
});
