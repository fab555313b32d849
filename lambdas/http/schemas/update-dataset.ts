// PATCH /datasets/{id} (lambdas/handlers/http/update-dataset.ts): a dataset's owners and holder limit.

import * as z from '../../core/zod.ts';
import { text } from './fields.ts';

export const datasetPatchBody = z
  .strictObject({
    owners: z
      .optional(z.array(text(128).check(z.minLength(1))).check(z.maxLength(20)))
      .check(
        z.describe(
          'Principal ids, or group:<SCIM group display name> for its members; [] removes every owner',
        ),
      ),
    maxConcurrentHolders: z
      .optional(z.nullable(z.number().check(z.int(), z.gte(1), z.lte(10_000))))
      .check(z.describe('null removes the limit')),
  })
  .check(
    z.refine((patch) => Object.keys(patch).length > 0, { message: 'must change at least one field' }),
    z.meta({ examples: [{ owners: ['dir-ben'], maxConcurrentHolders: 3 }] }),
  );
