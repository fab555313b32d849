// DynamoDB Local's lifetime: its java dies with a parent that is SIGKILLed, and a restart on a persisted directory
// finds it free (a leftover emulator on that directory, from a parent that had no parent-death signal, is killed);
// a port someone else holds is left for another.
import { spawn } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listensOn, startDynamoDbLocal } from '../../local/dynamodb-local.ts';
import { REPO_ROOT } from '../../local/stack.ts';
import { processesMentioning, waitUntil } from '../support/faults.ts';

/** The JDK behind `java` on PATH, so a child can find java without PATH (and so without setpriv). */
function javaHome(): string {
  if (process.env.JAVA_HOME) return process.env.JAVA_HOME;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, 'java');
    if (existsSync(candidate)) return path.dirname(path.dirname(realpathSync(candidate)));
  }
  throw new Error('no java on PATH');
}

/** A node process that starts DynamoDB Local on `dir`, creates a table, prints READY and waits to be killed. */
async function emulatorInAChild(dir: string, env: NodeJS.ProcessEnv = process.env) {
  const script = `
    import { startDynamoDbLocal } from ${JSON.stringify(path.join(REPO_ROOT, 'local', 'dynamodb-local.ts'))};
    import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
    const dynamo = await startDynamoDbLocal({ persistDir: process.argv[1] });
    const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'eu-west-2',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    await client.send(new CreateTableCommand({ TableName: 'kept', BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }] }));
    console.log('READY');
    setInterval(() => {}, 60_000);
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script, dir], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitUntil(
    () => {
      if (child.exitCode !== null) throw new Error(`the child exited:\n${output}`);
      return output.includes('READY') ? true : undefined;
    },
    'DynamoDB Local in the child',
    120_000,
  );
  return { child, exited };
}

async function tablesOn(endpoint: string): Promise<string[]> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'eu-west-2',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  try {
    return (await client.send(new ListTablesCommand({}))).TableNames ?? [];
  } finally {
    client.destroy();
  }
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'keyholder-dynamodb-local-'));
});
afterEach(async () => {
  for (const pid of processesMentioning(dir)) process.kill(pid, 'SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

describe('DynamoDB Local with --persist', () => {
  it('dies with a parent killed by SIGKILL, and the restart finds its data', {
    timeout: 240_000,
  }, async () => {
    // Prepare
    const { child, exited } = await emulatorInAChild(dir);

    // Act
    child.kill('SIGKILL');
    await exited;

    // Assess
    await waitUntil(
      () => (processesMentioning(dir).length === 0 ? true : undefined),
      'java to die with its parent',
      10_000,
    );
    const restarted = await startDynamoDbLocal({ persistDir: dir });
    try {
      expect(await tablesOn(restarted.endpoint)).toContain('kept');
    } finally {
      await restarted.stop();
    }
  });

  it('kills an emulator left on the directory by a parent without the parent-death signal', {
    timeout: 240_000,
  }, async () => {
    // Prepare: no setpriv on PATH (as on a machine without util-linux), so java outlives its parent
    const { child, exited } = await emulatorInAChild(dir, {
      ...process.env,
      PATH: path.dirname(process.execPath),
      JAVA_HOME: javaHome(),
    });
    child.kill('SIGKILL');
    await exited;
    const [orphan] = processesMentioning(dir);
    expect(orphan).toBeDefined();

    // Act
    const restarted = await startDynamoDbLocal({ persistDir: dir });

    // Assess
    try {
      expect(processesMentioning(dir)).not.toContain(orphan);
      expect(await tablesOn(restarted.endpoint)).toContain('kept');
      const client = new DynamoDBClient({
        endpoint: restarted.endpoint,
        region: 'eu-west-2',
        credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      });
      // Writable: the directory is not held by anyone else.
      await client.send(
        new CreateTableCommand({
          TableName: 'after-restart',
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        }),
      );
      client.destroy();
    } finally {
      await restarted.stop();
    }
  });
});

describe('DynamoDB Local on a port someone else holds', () => {
  it('moves to another port when its port is taken by another emulator, and never answers with the other one', {
    timeout: 240_000,
  }, async () => {
    // Prepare: an emulator of someone else's, with a table ours must not see
    const other = await startDynamoDbLocal();
    try {
      const client = new DynamoDBClient({
        endpoint: other.endpoint,
        region: 'eu-west-2',
        credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      });
      await client.send(
        new CreateTableCommand({
          TableName: 'someone-elses',
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        }),
      );
      client.destroy();
      const takenPort = Number(new URL(other.endpoint).port);

      // Act
      const ours = await startDynamoDbLocal({ ports: [takenPort] });

      // Assess
      try {
        expect(ours.endpoint).not.toBe(other.endpoint);
        expect(await tablesOn(ours.endpoint)).toEqual([]);
        expect(await tablesOn(other.endpoint)).toEqual(['someone-elses']);
      } finally {
        await ours.stop();
      }
    } finally {
      await other.stop();
    }
  });

  it('tells whether a process listens on a port', async () => {
    // Prepare
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const port = (server.address() as AddressInfo).port;

    // Act and assess
    try {
      expect(listensOn(process.pid, port)).toBe(true);
      expect(listensOn(process.pid, port === 65_535 ? 65_534 : port + 1)).toBe(false);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
