// The composition root: wires the DynamoDB, Step Functions and SES adapters to the use cases, once per cold start.
// Locally the same wiring runs against DynamoDB Local, the local Step Functions endpoint and the dev mailbox,
// reached through AWS_ENDPOINT_URL_* (see local/stack.ts).
import { DynamoDbDirectory } from '../adapters/dynamodb/directory.ts';
import { DynamoDbDriftLedger } from '../adapters/dynamodb/drift-items.ts';
import { DynamoDbNotificationLedger } from '../adapters/dynamodb/notification-ledger.ts';
import { DynamoDbPolicyStore } from '../adapters/dynamodb/policy-store.ts';
import { DynamoDbRequestStore } from '../adapters/dynamodb/request-store.ts';
import { EmailNotifier } from '../adapters/email-notifier.ts';
import { SesMailer } from '../adapters/ses-mailer.ts';
import { slackSecretsLoader } from '../adapters/slack/secrets.ts';
import { SlackChatApprovals, SlackConnection, SlackNotifier } from '../adapters/slack/slack-web-api.ts';
import { StepFunctionsWorkflow } from '../adapters/step-functions-workflow.ts';
import { cryptoIds, systemClock } from '../adapters/system.ts';
import type { Mailer } from '../core/ports.ts';
import type { Dependencies } from '../use-cases/context.ts';
import { PolicySource } from '../use-cases/policy-source.ts';
import { documentClient, secretsManagerClient, sesClient, sfnClient } from './clients.ts';
import { ENV, readConfig } from './config.ts';
import { readNotificationConfig } from './notification-config.ts';
import { readPolicyInForceWith } from './policy-in-force.ts';
import { accessProvidersFor } from './provider-dependencies.ts';

let cached: Dependencies | undefined;

// Before each invocation the wrappers read the version in force into this cold start's PolicySource.
readPolicyInForceWith(async () => dependencies().policySource?.current());

export function dependencies(): Dependencies {
  if (cached) return cached;
  const config = readConfig();
  const tables = { stateTable: config.stateTable, auditTable: config.auditTable };
  const mailer = new SesMailer(sesClient(), config.mailFrom, config.sesConfigurationSet);
  const directory = new DynamoDbDirectory(documentClient(), tables);
  const policyStore = new DynamoDbPolicyStore(documentClient(), tables);
  const policySource = new PolicySource(policyStore, config.policy, systemClock);
  cached = {
    store: new DynamoDbRequestStore(documentClient(), tables),
    directory,
    workflow: new StepFunctionsWorkflow(sfnClient(), config.stateMachineArn),
    mailer,
    clock: systemClock,
    ids: cryptoIds,
    /** The version in force as this invocation read it (policyInForce() ran first), not the deployed one. */
    get policy() {
      return policySource.latest().policy;
    },
    publicBaseUrl: config.publicBaseUrl,
    driftLedger: new DynamoDbDriftLedger(documentClient(), tables),
    policyStore,
    policySource,
    ...notificationDependencies(mailer, tables),
    providers: accessProvidersFor(config.policy, {
      secretId: process.env[ENV.providerSecretsId] || undefined,
      secretsManager: secretsManagerClient,
      directory,
    }),
  };
  return cached;
}

let slack: SlackConnection | undefined;

/** Email always; Slack (prompts and direct messages) when its secret is configured; the reply domain when set. */
function notificationDependencies(mailer: Mailer, tables: { readonly stateTable: string }) {
  const settings = readNotificationConfig();
  slack = settings.slack
    ? new SlackConnection({
        secrets: slackSecretsLoader(secretsManagerClient, settings.slack.secretId),
        slackApiUrl: settings.slack.apiUrl,
      })
    : undefined;
  return {
    notifiers: [new EmailNotifier(mailer), ...(slack ? [new SlackNotifier(slack)] : [])],
    notificationLedger: new DynamoDbNotificationLedger(documentClient(), tables),
    chatApprovals: slack ? new SlackChatApprovals(slack) : undefined,
    replyDomain: settings.replyDomain,
  } satisfies Partial<Dependencies>;
}

/** The Slack connection of this cold start (its signing secret authenticates interactions), if Slack is on. */
export function slackConnection(): SlackConnection | undefined {
  dependencies();
  return slack;
}

/** For the local stack and tests that restart with a new configuration in the same process. */
export function resetDependencies(): void {
  cached = undefined;
}
