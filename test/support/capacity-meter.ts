// A document client that asks DynamoDB for the consumed capacity of every call and adds it up: how the sweep-capacity
// test and the benchmark show that a sweep costs what is due, not the size of the table.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { documentClientFor } from '../../lambdas/commons/clients.ts';

const READS = new Set([
  'QueryCommand',
  'GetItemCommand',
  'BatchGetItemCommand',
  'TransactGetItemsCommand',
  'ScanCommand',
]);

export interface CapacityMeter {
  readonly client: ReturnType<typeof documentClientFor>;
  /** Read and write capacity units consumed since the last reset. */
  reads(): number;
  writes(): number;
  /** Every command sent since the last reset, by name, in order. */
  readonly commands: string[];
  reset(): void;
  destroy(): void;
}

/** Its own low-level client on `endpoint`, so only what goes through `client` is counted. */
export function meteredClient(endpoint: string): CapacityMeter {
  const low = new DynamoDBClient({
    endpoint,
    region: 'eu-west-2',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  let reads = 0;
  let writes = 0;
  const commands: string[] = [];
  low.middlewareStack.add(
    (next, context) => async (args) => {
      (args.input as Record<string, unknown>).ReturnConsumedCapacity = 'TOTAL';
      const result = await next(args);
      const name = String(context.commandName);
      commands.push(name);
      const consumed = [(result.output as { ConsumedCapacity?: unknown }).ConsumedCapacity].flat();
      const units = consumed.reduce(
        (sum: number, entry) =>
          sum + Number((entry as { CapacityUnits?: number } | undefined)?.CapacityUnits ?? 0),
        0,
      );
      if (READS.has(name)) reads += units;
      else writes += units;
      return result;
    },
    { step: 'initialize', name: 'consumedCapacityMeter' },
  );
  return {
    client: documentClientFor(low),
    reads: () => reads,
    writes: () => writes,
    commands,
    reset: () => {
      reads = 0;
      writes = 0;
      commands.length = 0;
    },
    destroy: () => low.destroy(),
  };
}
