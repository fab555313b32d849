// keyholder audit verify: walks every audit stream's hash chain straight in DynamoDB (not through the API), compares
// each stream with its recorded head and, given an anchor bucket, the whole trail with the latest hourly anchor.
// Exit code 0: intact; 1: broken; 2: usage or access error. Loads the AWS SDK only when run.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDbAuditLedger } from '../../lambdas/adapters/dynamodb/audit-ledger.ts';
import { S3AnchorStore } from '../../lambdas/adapters/s3-anchors.ts';
import { systemClock } from '../../lambdas/adapters/system.ts';
import { documentClientFor } from '../../lambdas/commons/clients.ts';
import { ENV } from '../../lambdas/commons/config.ts';
import { verifyAuditTrail } from '../../lambdas/use-cases/verify-audit.ts';
import type { Io } from '../context.ts';
import { EXIT, UsageError } from '../errors.ts';

export interface AuditVerifyOptions {
  readonly stateTable?: string;
  readonly auditTable?: string;
  readonly anchorBucket?: string;
  readonly endpoint?: string;
  readonly region?: string;
  readonly json?: boolean;
}

export async function auditVerify(options: AuditVerifyOptions, io: Io): Promise<number> {
  const env = io.env;
  const stateTable = options.stateTable ?? env[ENV.stateTable];
  const auditTable = options.auditTable ?? env[ENV.auditTable];
  if (!stateTable || !auditTable) {
    throw new UsageError(
      `the state and audit table names are required (--state-table and --audit-table, or ${ENV.stateTable} and ${ENV.auditTable})`,
    );
  }
  const region = options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  const client = new DynamoDBClient({ region, endpoint: options.endpoint ?? env.AWS_ENDPOINT_URL_DYNAMODB });
  const anchorBucket = options.anchorBucket ?? env[ENV.anchorBucket];
  const started = performance.now();
  try {
    const verdict = await verifyAuditTrail({
      ledger: new DynamoDbAuditLedger(documentClientFor(client), { stateTable, auditTable }),
      anchors: anchorBucket ? new S3AnchorStore(new S3Client({ region }), anchorBucket) : undefined,
      clock: systemClock,
    });
    const seconds = (performance.now() - started) / 1000;
    if (options.json) {
      io.stdout.write(`${JSON.stringify(verdict, null, 2)}\n`);
    } else if (verdict.ok) {
      const anchor = verdict.anchor ? `; matches anchor ${verdict.anchor.key}` : '; no anchor checked';
      io.stdout.write(
        `ok: ${verdict.events} events in ${verdict.streams} streams verified in ${seconds.toFixed(2)} s${anchor}\n` +
          `chain head digest: ${verdict.digest}\n`,
      );
    } else {
      const { broken } = verdict;
      io.stdout.write(
        `BROKEN (${broken.problem}): stream ${broken.stream}, event ${broken.seq} at position ${broken.position} ` +
          `(event #${broken.eventsBefore + 1} of the trail): ${broken.detail}\n`,
      );
    }
    return verdict.ok ? EXIT.ok : EXIT.refused;
  } catch (error) {
    // Not a verdict: the tables or the bucket could not be read (credentials, names, endpoint).
    throw new UsageError((error as Error).message);
  } finally {
    client.destroy();
  }
}
