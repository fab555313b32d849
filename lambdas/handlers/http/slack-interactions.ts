// POST /slack/interactions: Slack's buttons and dialogs. No JWT: Slack's signature over the raw body is the
// authentication; anything unsigned, stale or tampered is a 401 and changes nothing.
import {
  assertFromWorkspace,
  assertSignedBySlack,
  parseInteraction,
  rawBodyOf,
  SLACK_INTERACTION_INPUTS,
  SLACK_MAX_BODY_BYTES,
  slackResponse,
} from '../../adapters/slack/interaction-request.ts';
import {
  slackConnection,
  slackInteractionReplies,
  slackProvisioningDependencies,
} from '../../commons/slack-provisioning-dependencies.ts';
import { fixedInputsHttpHandler } from '../../http/handler.ts';
import { answerSlackInteraction, SlackNotConfiguredError } from '../../use-cases/slack-interaction.ts';

export const handler = fixedInputsHttpHandler(
  SLACK_INTERACTION_INPUTS,
  async (event) => {
    const deps = slackProvisioningDependencies();
    const slack = slackConnection();
    const replies = slackInteractionReplies();
    if (!slack || !replies) throw new SlackNotConfiguredError();
    const rawBody = rawBodyOf(event);
    assertSignedBySlack(event, rawBody, await slack.signingSecret(), Math.floor(Date.now() / 1000));
    assertFromWorkspace(rawBody, await slack.teamId());
    const interaction = parseInteraction(rawBody);
    return slackResponse(interaction ? await answerSlackInteraction(deps, replies, interaction) : undefined);
  },
  undefined,
  { maxBodyBytes: SLACK_MAX_BODY_BYTES },
);
