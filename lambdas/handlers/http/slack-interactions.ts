// POST /slack/interactions: Slack's buttons and dialogs. No JWT: Slack's signature over the raw body is the
// authentication; anything unsigned, stale or tampered is a 401 and changes nothing.
import {
  assertFromWorkspace,
  assertSignedBySlack,
  parseInteraction,
  rawBodyOf,
  SLACK_MAX_BODY_BYTES,
  slackResponse,
} from '../../adapters/slack/interaction-request.ts';
import {
  slackConnection,
  slackProvisioningDependencies,
} from '../../commons/slack-provisioning-dependencies.ts';
import { httpHandler } from '../../http/handler.ts';
import { answerSlackInteraction, SlackNotConfiguredError } from '../../use-cases/slack-interaction.ts';

export const handler = httpHandler(
  async (event) => {
    const deps = slackProvisioningDependencies();
    const slack = slackConnection();
    if (!slack) throw new SlackNotConfiguredError();
    const rawBody = rawBodyOf(event);
    assertSignedBySlack(event, rawBody, await slack.signingSecret(), Math.floor(Date.now() / 1000));
    assertFromWorkspace(rawBody, await slack.teamId());
    const interaction = parseInteraction(rawBody);
    return slackResponse(interaction ? await answerSlackInteraction(deps, interaction) : undefined);
  },
  undefined,
  { maxBodyBytes: SLACK_MAX_BODY_BYTES },
);
