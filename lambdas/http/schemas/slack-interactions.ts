// POST /slack/interactions: the form Slack posts, as the OpenAPI document describes it. The handler
// (lambdas/handlers/http/slack-interactions.ts) checks Slack's signature over the raw body and reads the payload itself.

import * as z from '../../core/zod.ts';

/** Slack's interaction request: signed with X-Slack-Signature / X-Slack-Request-Timestamp over the raw body. */
export const slackInteractionForm = z.strictObject({
  payload: z
    .string()
    .check(z.describe('JSON: a block_actions (Approve / Deny) or view_submission (deny reason) payload')),
});
