// Starts one DynamoDB Local for the whole test run (each test file creates its own uniquely named tables) and finds
// the run's Chromium.
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../local/dynamodb-local.ts';
import { chromiumPath } from './browser.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** http://127.0.0.1:<port> of the run's DynamoDB Local. */
    dynamodbEndpoint: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // The packaged Chromium unpacks itself on first use: once here, not racing in two workers.
  const [dynamo, chromium] = await Promise.all([startDynamoDbLocal(), chromiumPath()]);
  process.env.CHROMIUM_PATH = chromium;
  project.provide('dynamodbEndpoint', dynamo.endpoint);
  // Also for code that runs outside a test's context (forked workers inherit the environment).
  process.env.DYNAMODB_ENDPOINT = dynamo.endpoint;
  return async () => {
    await dynamo.stop();
  };
}
