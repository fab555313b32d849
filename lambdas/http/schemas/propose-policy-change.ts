// POST /policy/proposals (lambdas/handlers/http/propose-policy-change.ts): a proposed change to the rules.

import * as z from '../../core/zod.ts';
import { text } from './fields.ts';

export const policyProposalBody = z
  .strictObject({
    changes: z
      .record(z.string(), z.unknown())
      .check(
        z.describe(
          'A partial policy (any rules of GET /policy), merged over the version in force and validated as KEYHOLDER_POLICY is',
        ),
      ),
    reason: text(4000).check(
      z.minLength(1, { message: 'is required' }),
      z.describe('Why the rules should change'),
    ),
  })
  .check(
    z.meta({
      examples: [
        { changes: { externalAdminCap: 3 }, reason: 'Fewer external admins after the audit finding' },
        { changes: { maxDuration: { admin: 'P3D' } }, reason: 'Shorter admin grants while the review runs' },
      ],
    }),
  );
