// POST /policy/proposals/{id}/decisions (lambdas/handlers/http/decide-policy-proposal.ts): a decision on a proposal.

import * as z from '../../core/zod.ts';
import { decisionBody } from './decide-request.ts';

/** The same shape as a request's decision. */
export const policyDecisionBody = decisionBody.check(
  z.meta({
    examples: [{ decision: 'approve', comment: 'Agreed at the governance board' }],
  }),
);
