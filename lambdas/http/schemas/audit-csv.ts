// GET /audit.csv (lambdas/handlers/http/audit-csv.ts): its query.

import * as z from '../../core/zod.ts';
import { bomParameter, instant } from './fields.ts';

export const auditCsvQuery = z.strictObject({
  from: instant().check(z.describe('First instant included')),
  to: z.optional(instant()).check(z.describe('First instant excluded; default: now')),
  bom: bomParameter(),
});
