// The composition root: wires the DynamoDB, Step Functions and SES adapters to the use cases, once per cold start.
// Locally the same wiring runs against DynamoDB Local, the local Step Functions endpoint and the dev mailbox,
// reached through AWS_ENDPOINT_URL_* (see local/stack.ts).
import { DynamoDbDirectory } from '../adapters/dynamodb/directory.ts';
import { DynamoDbRequestStore } from '../adapters/dynamodb/request-store.ts';
import { SesMailer } from '../adapters/ses-mailer.ts';
import { StepFunctionsWorkflow } from '../adapters/step-functions-workflow.ts';
import { cryptoIds, systemClock } from '../adapters/system.ts';
import type { Dependencies } from '../use-cases/context.ts';
import { documentClient, sesClient, sfnClient } from './clients.ts';
import { readConfig } from './config.ts';

let cached: Dependencies | undefined;

export function dependencies(): Dependencies {
  if (cached) return cached;
  const config = readConfig();
  const tables = { stateTable: config.stateTable, auditTable: config.auditTable };
  cached = {
    store: new DynamoDbRequestStore(documentClient(), tables),
    directory: new DynamoDbDirectory(documentClient(), tables),
    workflow: new StepFunctionsWorkflow(sfnClient(), config.stateMachineArn),
    mailer: new SesMailer(sesClient(), config.mailFrom, config.sesConfigurationSet),
    clock: systemClock,
    ids: cryptoIds,
    policy: config.policy,
    publicBaseUrl: config.publicBaseUrl,
  };
  return cached;
}

/** For the local stack and tests that restart with a new configuration in the same process. */
export function resetDependencies(): void {
  cached = undefined;
}
