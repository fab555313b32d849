// PATCH /principals/{id} (lambdas/handlers/http/update-principal.ts): a change to a principal. POST
// /principals/{id}/preview (preview-principal.ts) takes the same body: what this PATCH would do.

import { CLEARANCE_LEVELS } from '../../core/model.ts';
import * as z from '../../core/zod.ts';
import { text } from './fields.ts';

export const principalPatchBody = z
  .strictObject({
    active: z.optional(z.boolean()),
    clearance: z
      .optional(
        z.nullable(
          z.strictObject({
            level: z.enum(CLEARANCE_LEVELS),
            expiresAt: z.iso.datetime({ offset: true, message: 'must be an ISO-8601 date-time' }),
          }),
        ),
      )
      .check(z.describe('null removes the clearance')),
    grade: z.optional(text(60).check(z.minLength(1))),
    organisation: z.optional(text(120).check(z.minLength(1))),
    slackUserId: z
      .optional(z.nullable(text(40).check(z.minLength(1))))
      .check(z.describe('null removes the Slack mapping')),
    breakGlassSuspended: z.optional(z.null()).check(z.describe('null restores break-glass eligibility')),
  })
  .check(
    z.refine((patch) => Object.keys(patch).length > 0, { message: 'must change at least one field' }),
    z.meta({
      examples: [{ active: false }, { clearance: { level: 'SC', expiresAt: '2027-06-30T00:00:00Z' } }],
    }),
  );
