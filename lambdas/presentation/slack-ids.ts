// The identifiers Keyholder's Slack messages and dialogs carry and Slack echoes back in interaction payloads: the
// renderer (./slack-blocks.ts) sets them, the interactions parser routes on them, without the renderer.

/** Identifiers Slack echoes back in interaction payloads; the interactions handler routes on them. */
export const SLACK_IDS = {
  decisionBlock: 'keyholder_decision',
  approveAction: 'approve',
  denyAction: 'deny',
  denyCallback: 'keyholder_deny',
  reviewBlock: 'keyholder_review',
  keepAction: 'keep',
  revokeAction: 'revoke',
  revokeCallback: 'keyholder_revoke',
  reasonBlock: 'reason',
  reasonAction: 'reason',
} as const;
