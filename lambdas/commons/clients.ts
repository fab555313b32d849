// AWS SDK clients, created once per process and reused across invocations: DynamoDB here, each other service in a
// module of its own (./sfn-client.ts, ...), so a function imports only the SDK clients it uses (the runtime loads
// every external import, used or not). Endpoints come from the SDK's own
// AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE> variables, so the same code runs against AWS and the local stack.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, type TranslateConfig } from '@aws-sdk/lib-dynamodb';

export const DOCUMENT_TRANSLATION: TranslateConfig = {
  // Optional domain fields are `undefined` rather than absent; DynamoDB has no such value.
  marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  unmarshallOptions: { wrapNumbers: false },
};

/** Wraps a low-level client the way every Keyholder adapter expects (tests use it with their own endpoint). */
export function documentClientFor(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, DOCUMENT_TRANSLATION);
}

/**
 * One client per process, created on first use rather than at import so that importing a handler (in tests, in the
 * CDK app) needs no region or credentials. It is rebuilt only when the endpoint or region variables change, which
 * happens when a test process starts a second local stack; in Lambda they never change.
 */
export function perProcess<T extends { destroy(): void }>(service: string, create: () => T): () => T {
  let client: T | undefined;
  let builtFor: string | undefined;
  return () => {
    const env = process.env;
    const settings = `${env[`AWS_ENDPOINT_URL_${service}`] ?? env.AWS_ENDPOINT_URL ?? ''}|${env.AWS_REGION ?? ''}`;
    if (!client || builtFor !== settings) {
      client?.destroy();
      client = create();
      builtFor = settings;
    }
    return client;
  };
}

export const documentClient: () => DynamoDBDocumentClient = perProcess('DYNAMODB', () =>
  documentClientFor(new DynamoDBClient({})),
);
