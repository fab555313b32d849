// local/synthesize.ts: the CDK-defined state machine as plain ASL that aws-local-stepfunctions can run.
import { type RunOptions, StateMachine } from 'aws-local-stepfunctions';
import { beforeAll, describe, expect, it } from 'vitest';
import { type SynthesizedWorkflow, synthesizeWorkflow } from '../../local/synthesize.ts';

const STATES = [
  'Validate',
  'AwaitApproval',
  'Grant',
  'IsActive',
  'WaitUntilExpiry',
  'Expire',
  'RecordTimeout',
  'Closed',
];

type LocalHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;
type TaskResult = Awaited<ReturnType<LocalHandlers[string]>>;

let synthesized: SynthesizedWorkflow;
let elapsedMs: number;

beforeAll(() => {
  // Prepare
  const started = performance.now();
  // Act
  synthesized = synthesizeWorkflow({ policy: { approvalTimeout: 'PT2S', minDuration: 'PT1S' } });
  elapsedMs = performance.now() - started;
});

/** Runs the definition with every Task bound to a local function, the way the local stack does. */
async function run(handlers: LocalHandlers) {
  const machine = new StateMachine(synthesized.definition);
  const execution = machine.run(
    { requestId: 'req-1' },
    {
      overrides: { taskResourceLocalHandlers: handlers },
      context: { Task: { Token: 'token-1' } },
    },
  );
  const entered: string[] = [];
  for await (const event of execution.eventLogs) {
    if (event.type === 'StateEntered') entered.push(event.state.name);
  }
  return { output: await execution.result, entered };
}

describe('synthesizeWorkflow', () => {
  it('synthesizes without bundling, fast enough for npm start', () => {
    // Assess
    console.info(`synthesizeWorkflow took ${Math.round(elapsedMs)} ms`);
    // About one second when run with node directly; vitest and a busy CI machine add several.
    expect(elapsedMs).toBeLessThan(15_000);
  });

  it('returns plain ASL with the eight states and no unresolved tokens', () => {
    // Prepare
    const { definition } = synthesized;
    const plain: { States: Record<string, Record<string, unknown>> } = JSON.parse(JSON.stringify(definition));
    const states = plain.States;
    const resources = Object.values(states).flatMap((state) => [
      state.Resource,
      (state.Parameters as { FunctionName?: unknown } | undefined)?.FunctionName,
    ]);
    // Assess
    expect(Object.keys(definition.States).sort()).toEqual([...STATES].sort());
    expect(definition.StartAt).toBe('Validate');
    expect(plain).toEqual(definition);
    const text = JSON.stringify(definition);
    expect(text).not.toMatch(/\$\{Token\[|Fn::|"Ref"|\[object Object\]/);
    for (const resource of resources.filter((r) => r !== undefined)) {
      expect(resource).toMatch(
        /^arn:aws:(lambda:local:000000000000:function:Workflow\w+Function[0-9A-F]{8}|states:::lambda:invoke\.waitForTaskToken)$/,
      );
    }
    expect(states.AwaitApproval?.TimeoutSeconds).toBe(2);
  });

  it('returns the whole template beside the definition', () => {
    // Assess
    const types = Object.values(synthesized.template.Resources).map((r) => r.Type);
    expect(types).toContain('AWS::StepFunctions::StateMachine');
    expect(types).toContain('AWS::ApiGatewayV2::Api');
  });

  it('runs an approved-and-expired request on the local engine in eight transitions or fewer', async () => {
    // Prepare
    const calls: string[] = [];
    const task = (name: string, result: TaskResult) => async (input: unknown) => {
      calls.push(name);
      expect(input).toMatchObject(
        name === 'AwaitApproval'
          ? { Payload: { requestId: 'req-1', taskToken: 'token-1' } }
          : { requestId: 'req-1' },
      );
      return result;
    };
    // Act
    const { output, entered } = await run({
      Validate: task('Validate', { ok: true }),
      AwaitApproval: task('AwaitApproval', { approvals: 1 }),
      Grant: task('Grant', { status: 'ACTIVE', expiresAt: new Date(Date.now() + 300).toISOString() }),
      Expire: task('Expire', { status: 'EXPIRED' }),
    });
    // Assess
    console.info(`approved-and-expired: ${entered.length} state transitions (${entered.join(' -> ')})`);
    // The check after Expire (IsActive, then Closed) is what lets an approved extension re-arm the wait.
    expect(entered).toEqual([
      'Validate',
      'AwaitApproval',
      'Grant',
      'IsActive',
      'WaitUntilExpiry',
      'Expire',
      'IsActive',
      'Closed',
    ]);
    expect(entered.length).toBeLessThanOrEqual(8);
    expect(calls).toEqual(['Validate', 'AwaitApproval', 'Grant', 'Expire']);
    expect(output).toMatchObject({ requestId: 'req-1', grant: { status: 'EXPIRED' } });
  });

  it('closes a denied request without granting', async () => {
    // Prepare
    const denied = Object.assign(new Error('denied by approver'), { name: 'KeyholderDenied' });
    // Act
    const { entered, output } = await run({
      Validate: async () => ({}),
      AwaitApproval: async () => {
        throw denied;
      },
      Grant: async () => {
        throw new Error('must not grant');
      },
    });
    // Assess
    expect(entered).toEqual(['Validate', 'AwaitApproval', 'Closed']);
    expect(output).toMatchObject({ requestId: 'req-1', error: { Error: 'KeyholderDenied' } });
  });

  it('closes a request whose grant was rejected (cap full) without waiting', async () => {
    // Act
    const { entered } = await run({
      Validate: async () => ({}),
      AwaitApproval: async () => ({}),
      Grant: async () => ({ status: 'REJECTED' }),
    });
    // Assess
    expect(entered).toEqual(['Validate', 'AwaitApproval', 'Grant', 'IsActive', 'Closed']);
  });

  it('records a timeout when no approval arrives in time, keeping the request id', async () => {
    // Prepare
    const recorded: unknown[] = [];
    // Act
    const { entered } = await run({
      Validate: async () => ({}),
      AwaitApproval: () => new Promise(() => {}),
      RecordTimeout: async (input) => {
        recorded.push(input);
        return {};
      },
    });
    // Assess
    expect(entered).toEqual(['Validate', 'AwaitApproval', 'RecordTimeout', 'Closed']);
    expect(recorded).toEqual([{ requestId: 'req-1' }]);
  });
});
