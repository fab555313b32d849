// Local Secrets Manager: GetSecretValue over the awsJson1_1 protocol, serving the secrets the local stack sets
// (the Slack app's), so handlers read them through the same SDK call they make on AWS.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { closeServer, listen, readBody, sendJson } from './http-util.ts';

export interface LocalSecrets {
  /** For `AWS_ENDPOINT_URL_SECRETS_MANAGER`. */
  readonly endpoint: string;
  /** The ARN handlers are given; the secret's name is its last part. */
  put(name: string, value: unknown): string;
  stop(): Promise<void>;
}

const REGION = 'eu-west-2';
const ACCOUNT = '000000000000';

export async function startLocalSecrets(): Promise<LocalSecrets> {
  const secrets = new Map<
    string,
    { arn: string; name: string; value: string; versionId: string; created: number }
  >();
  const json = (res: Parameters<typeof sendJson>[0], status: number, body: unknown) =>
    sendJson(res, status, body, {
      'content-type': 'application/x-amz-json-1.1',
      'x-amzn-requestid': randomUUID(),
    });

  const server = createServer((req, res) => {
    void (async () => {
      const target = req.headers['x-amz-target'];
      const body = JSON.parse((await readBody(req, 64 * 1024)).toString('utf8') || '{}') as {
        SecretId?: string;
      };
      if (req.method !== 'POST' || target !== 'secretsmanager.GetSecretValue') {
        return json(res, 400, {
          __type: 'UnknownOperationException',
          message: `${String(target)} is not emulated`,
        });
      }
      const secret = [...secrets.values()].find(
        (entry) => entry.arn === body.SecretId || entry.name === body.SecretId,
      );
      if (!secret) {
        return json(res, 400, {
          __type: 'ResourceNotFoundException',
          message: "Secrets Manager can't find the specified secret.",
        });
      }
      json(res, 200, {
        ARN: secret.arn,
        Name: secret.name,
        SecretString: secret.value,
        VersionId: secret.versionId,
        VersionStages: ['AWSCURRENT'],
        CreatedDate: secret.created,
      });
    })().catch((error: unknown) => {
      console.error('[local secrets]', error);
      if (!res.headersSent) json(res, 500, { __type: 'InternalServiceError', message: String(error) });
    });
  });
  const { url } = await listen(server);
  return {
    endpoint: url,
    put(name, value) {
      const arn = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-${randomUUID().slice(0, 6)}`;
      secrets.set(name, {
        arn,
        name,
        value: typeof value === 'string' ? value : JSON.stringify(value),
        versionId: randomUUID(),
        created: Math.floor(Date.now() / 1000),
      });
      return arn;
    },
    stop: () => closeServer(server),
  };
}
