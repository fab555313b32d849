#!/usr/bin/env node
// The Keyholder command line: `keyholder audit verify` walks every audit hash chain (and the latest anchor).
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDbAuditLedger } from '../lambdas/adapters/dynamodb/audit-ledger.ts';
import { S3AnchorStore } from '../lambdas/adapters/s3-anchors.ts';
import { systemClock } from '../lambdas/adapters/system.ts';
import { documentClientFor } from '../lambdas/commons/clients.ts';
import { ENV } from '../lambdas/commons/config.ts';
import { verifyAuditTrail } from '../lambdas/use-cases/verify-audit.ts';

const USAGE = `Usage: keyholder audit verify [options]

Walks every audit stream's hash chain, compares each stream with its recorded head and, when an anchor bucket
is given, the whole trail with the latest hourly anchor. Exit code 0: intact; 1: broken; 2: usage or access error.

Options (each falls back to an environment variable):
  --state-table <name>    ${ENV.stateTable}
  --audit-table <name>    ${ENV.auditTable}
  --anchor-bucket <name>  ${ENV.anchorBucket} (optional: without it anchors are not checked)
  --endpoint <url>        AWS_ENDPOINT_URL_DYNAMODB (e.g. DynamoDB Local)
  --region <region>       AWS_REGION
  --json                  print the verdict as JSON
  --help
`;

async function main(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      'state-table': { type: 'string' },
      'audit-table': { type: 'string' },
      'anchor-bucket': { type: 'string' },
      endpoint: { type: 'string' },
      region: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help || positionals.join(' ') !== 'audit verify') {
    (values.help ? process.stdout : process.stderr).write(USAGE);
    return values.help ? 0 : 2;
  }
  const env = process.env;
  const stateTable = values['state-table'] ?? env[ENV.stateTable];
  const auditTable = values['audit-table'] ?? env[ENV.auditTable];
  if (!stateTable || !auditTable) {
    process.stderr.write(`keyholder: the state and audit table names are required\n\n${USAGE}`);
    return 2;
  }
  const region = values.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  const client = new DynamoDBClient({ region, endpoint: values.endpoint ?? env.AWS_ENDPOINT_URL_DYNAMODB });
  const anchorBucket = values['anchor-bucket'] ?? env[ENV.anchorBucket];
  const started = performance.now();
  try {
    const verdict = await verifyAuditTrail({
      ledger: new DynamoDbAuditLedger(documentClientFor(client), { stateTable, auditTable }),
      anchors: anchorBucket ? new S3AnchorStore(new S3Client({ region }), anchorBucket) : undefined,
      clock: systemClock,
    });
    const seconds = (performance.now() - started) / 1000;
    if (values.json) {
      process.stdout.write(`${JSON.stringify(verdict, null, 2)}\n`);
    } else if (verdict.ok) {
      const anchor = verdict.anchor ? `; matches anchor ${verdict.anchor.key}` : '; no anchor checked';
      process.stdout.write(
        `ok: ${verdict.events} events in ${verdict.streams} streams verified in ${seconds.toFixed(2)} s${anchor}\n` +
          `chain head digest: ${verdict.digest}\n`,
      );
    } else {
      const { broken } = verdict;
      process.stdout.write(
        `BROKEN (${broken.problem}): stream ${broken.stream}, event ${broken.seq} at position ${broken.position} ` +
          `(event #${broken.eventsBefore + 1} of the trail): ${broken.detail}\n`,
      );
    }
    return verdict.ok ? 0 : 1;
  } catch (error) {
    process.stderr.write(`keyholder: ${(error as Error).message}\n`);
    return 2;
  } finally {
    client.destroy();
  }
}

process.exitCode = await main(process.argv.slice(2));
