// Local AWS Step Functions: the awsJson1_0 wire protocol of @aws-sdk/client-sfn, executions run by aws-local-stepfunctions.
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import {
  ExecutionError,
  ExecutionTimeoutError,
  type RunOptions,
  StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import { closeServer, createWaiters, listen, readBody, sendJson } from './http-util.ts';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED' | 'TIMED_OUT';

export interface ExecutionInfo {
  readonly executionArn: string;
  readonly name: string;
  readonly status: ExecutionStatus;
  readonly input: unknown;
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: string;
  /** State names in the order they were entered. */
  readonly stateEntered: string[];
}

/** Called with what the Lambda function would receive; returns what it would return, throws what it would throw. */
export type TaskHandler = (payload: unknown) => Promise<unknown>;

export interface LocalStepFunctionsOptions {
  /** The ASL definition (JSONPath), e.g. synthesized from the CDK app. */
  readonly definition: object;
  readonly stateMachineArn: string;
  /** One handler per Task state, keyed by state name. */
  readonly taskHandlers: Record<string, TaskHandler>;
}

export interface LocalStepFunctions {
  /** Base URL for `AWS_ENDPOINT_URL_SFN` or the SFN client's `endpoint`. */
  readonly endpoint: string;
  stop(): Promise<void>;
  executions(): ExecutionInfo[];
  waitForExecution(executionArn: string, timeoutMs?: number): Promise<ExecutionInfo>;
  /** State transitions as AWS bills them: states entered plus retries. */
  transitionsOf(executionArn: string): number;
}

type TaskOverrides = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;
type JsonValue = Parameters<TaskOverrides[string]>[0];

interface AslMachine {
  StartAt: string;
  States: Record<string, AslState>;
  TimeoutSeconds?: number;
}

interface AslState {
  Type: string;
  Resource?: string;
  TimeoutSeconds?: number;
  TimeoutSecondsPath?: string;
  Branches?: AslMachine[];
  ItemProcessor?: AslMachine;
  Iterator?: AslMachine;
  [field: string]: unknown;
}

type TaskKind = 'function' | 'invoke' | 'callback' | 'wait';

interface TaskBinding {
  readonly kind: TaskKind;
  /** Task timeout the engine enforces (callback tasks: the moment their token dies). */
  readonly timeoutSeconds: number | undefined;
}

interface PendingTask {
  readonly execution: ExecutionRecord;
  readonly resolve: (output: JsonValue) => void;
  readonly reject: (error: Error) => void;
  timer?: NodeJS.Timeout;
}

interface ExecutionRecord {
  readonly executionArn: string;
  readonly name: string;
  readonly inputJson: string;
  readonly input: unknown;
  readonly startDate: Date;
  readonly context: { Task: { Token: string }; [key: string]: unknown };
  readonly tokens: Set<string>;
  /** Stops local waits and refuses further task calls once the execution is over. */
  readonly halt: AbortController;
  readonly stateEntered: string[];
  status: ExecutionStatus;
  output?: unknown;
  error?: string;
  cause?: string;
  stopDate?: Date;
  transitions: number;
  settled: boolean;
  done?: Promise<void>;
  abortRun?: () => void;
}

/** AWS's default TimeoutSeconds for a Task; the engine's own default is 60 s. */
const AWS_DEFAULT_TASK_TIMEOUT_SECONDS = 99_999_999;
/** Node timers overflow past 2^31-1 ms and then fire after 1 ms, so every engine timer is capped here (~24.8 days). */
const MAX_TIMER_SECONDS = Math.floor((2 ** 31 - 1) / 1000);
const LOCAL_WAIT_RESOURCE = 'arn:aws:states:::local:wait';
const LAMBDA_INVOKE = /^arn:aws[\w-]*:states:::lambda:invoke$/;
const LAMBDA_INVOKE_CALLBACK = /^arn:aws[\w-]*:states:::lambda:invoke\.waitForTaskToken$/;
const OTHER_INTEGRATION = /^arn:aws[\w-]*:states:::/;
const EXECUTION_NAME = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/\p{Cc}]{1,80}$/u;
const MAX_PAYLOAD_BYTES = 256 * 1024;

class SfnError extends Error {
  readonly type: string;
  constructor(type: string, message: string) {
    super(message);
    this.name = 'SfnError';
    this.type = type;
  }
}

/** An error the engine must neither retry nor catch: the execution is over, nothing may run after it. */
class ExecutionHalted extends Error {
  readonly isRetryable = false;
  readonly isCatchable = false;
  constructor(reason: string) {
    super(reason);
    this.name = 'States.Runtime';
  }
}

export async function startLocalStepFunctions(
  options: LocalStepFunctionsOptions,
): Promise<LocalStepFunctions> {
  const { stateMachineArn, taskHandlers } = options;
  const smMatch = /^(arn:aws[\w-]*:states:[^:]+:\d+):stateMachine:([^:]+)$/.exec(stateMachineArn);
  if (!smMatch) throw new Error(`Not a state machine ARN: ${stateMachineArn}`);
  const executionArnPrefix = `${smMatch[1]}:execution:${smMatch[2]}:`;
  const stateMachineName = smMatch[2] as string;

  // Validate what the caller gave; the engine then runs a rewritten copy (timeouts capped, Waits made abortable).
  new StateMachine(options.definition as StateMachineDefinition);
  const { definition, bindings } = prepareDefinition(options.definition as AslMachine);
  checkHandlers(bindings, taskHandlers);
  const machine = new StateMachine(definition as unknown as StateMachineDefinition, {
    validationOptions: { noValidate: true },
  });

  const executions = new Map<string, ExecutionRecord>();
  const pending = new Map<string, PendingTask>();
  const closedTokens = new Set<string>();
  const waiters = createWaiters();

  const closeTask = (token: string): PendingTask | undefined => {
    const task = pending.get(token);
    if (!task) return undefined;
    pending.delete(token);
    closedTokens.add(token);
    clearTimeout(task.timer);
    return task;
  };

  const closeTasksOf = (execution: ExecutionRecord, reason: string) => {
    for (const token of execution.tokens) closeTask(token)?.reject(new ExecutionHalted(reason));
  };

  const invokeHandler = async (stateName: string, payload: unknown): Promise<JsonValue> => {
    const handler = taskHandlers[stateName] as TaskHandler;
    try {
      const result = await handler(payload);
      // Through JSON, as a real invocation would (Dates become strings, undefined becomes null).
      return result === undefined ? null : JSON.parse(JSON.stringify(result));
    } catch (error) {
      throw lambdaError(error);
    }
  };

  const bindTasks = (execution: ExecutionRecord): TaskOverrides => {
    const overrides: TaskOverrides = {};
    for (const [stateName, binding] of bindings) {
      overrides[stateName] = async (input) => {
        // The engine retries after an abort without looking (its backoff sleep ends early): refuse here.
        if (execution.halt.signal.aborted) throw new ExecutionHalted(`Execution ${execution.name} is over`);
        switch (binding.kind) {
          case 'function':
            return invokeHandler(stateName, input);
          case 'invoke':
            return {
              ExecutedVersion: '$LATEST',
              Payload: await invokeHandler(stateName, payloadOf(input)),
              StatusCode: 200,
            };
          case 'wait':
            await waitLocally(input, execution.halt.signal);
            return (input as { state: JsonValue }).state;
          case 'callback':
            return awaitCallback(execution, stateName, binding, input);
        }
      };
    }
    return overrides;
  };

  const awaitCallback = (
    execution: ExecutionRecord,
    stateName: string,
    binding: TaskBinding,
    input: JsonValue,
  ): Promise<JsonValue> => {
    // The engine resolved $$.Task.Token from our context object just now; the next entry gets a fresh token.
    const token = execution.context.Task.Token;
    execution.context.Task.Token = newTaskToken();
    const { promise, resolve, reject } = Promise.withResolvers<JsonValue>();
    const task: PendingTask = { execution, resolve, reject };
    pending.set(token, task);
    execution.tokens.add(token);
    if (binding.timeoutSeconds !== undefined) {
      // The engine raises States.Timeout at the same moment; this only makes late callbacks answer TaskTimedOut.
      task.timer = setTimeout(() => closeTask(token), binding.timeoutSeconds * 1000);
    }
    invokeHandler(stateName, payloadOf(input)).catch((error: Error) => {
      if (closeTask(token)) reject(error);
    });
    return promise;
  };

  const finish = (
    execution: ExecutionRecord,
    outcome: { ok: true; output: unknown } | { ok: false; error: unknown },
  ) => {
    if (execution.status === 'RUNNING') {
      execution.stopDate = new Date();
      if (outcome.ok) {
        execution.status = 'SUCCEEDED';
        execution.output = outcome.output;
      } else if (outcome.error instanceof ExecutionTimeoutError) {
        execution.status = 'TIMED_OUT';
        execution.error = 'States.Timeout';
      } else {
        const failure = outcome.error instanceof ExecutionError ? outcome.error.cause : outcome.error;
        execution.status = 'FAILED';
        execution.error = failure instanceof Error ? failure.name : 'States.Runtime';
        execution.cause = failure instanceof Error ? failure.message : String(failure);
      }
    }
    execution.halt.abort();
    closeTasksOf(execution, `Execution ${execution.name} is over`);
    execution.settled = true;
    waiters.notify();
  };

  const startExecution = (body: Record<string, unknown>) => {
    const arn = requiredString(body, 'stateMachineArn');
    if (arn !== stateMachineArn)
      throw new SfnError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    const name = optionalString(body, 'name') ?? randomUUID();
    if (!EXECUTION_NAME.test(name)) throw new SfnError('InvalidName', `Invalid Name: '${name}'`);
    const inputJson = optionalString(body, 'input') ?? '{}';
    const input = parseJson(inputJson, 'InvalidExecutionInput', 'Invalid State Machine Execution Input');
    const executionArn = executionArnPrefix + name;
    const existing = executions.get(executionArn);
    if (existing) {
      // AWS: same name and same input while running is the same call; anything else is a conflict.
      if (existing.status === 'RUNNING' && existing.inputJson === inputJson) {
        return { executionArn, startDate: epochSeconds(existing.startDate) };
      }
      throw new SfnError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }
    const execution: ExecutionRecord = {
      executionArn,
      name,
      inputJson,
      input,
      startDate: new Date(),
      context: {
        Execution: { Id: executionArn, Name: name },
        StateMachine: { Id: stateMachineArn, Name: stateMachineName },
        Task: { Token: newTaskToken() },
      },
      tokens: new Set(),
      halt: new AbortController(),
      stateEntered: [],
      status: 'RUNNING',
      transitions: 0,
      settled: false,
    };
    executions.set(executionArn, execution);
    const run = machine.run(input as JsonValue, {
      overrides: { taskResourceLocalHandlers: bindTasks(execution) },
      context: execution.context,
      noThrowOnAbort: true,
    });
    execution.abortRun = run.abort;
    const drained = (async () => {
      for await (const event of run.eventLogs) {
        if (event.type === 'StateEntered') {
          execution.stateEntered.push(event.state.name);
          execution.transitions += 1;
        } else if (event.type === 'StateRetried') {
          execution.transitions += 1;
        }
      }
    })();
    const outcome = run.result.then(
      (output) => ({ ok: true as const, output }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    execution.done = Promise.all([outcome, drained]).then(([settledOutcome]) =>
      finish(execution, settledOutcome),
    );
    return { executionArn, startDate: epochSeconds(execution.startDate) };
  };

  const stopExecution = (
    execution: ExecutionRecord,
    error: string | undefined,
    cause: string | undefined,
  ) => {
    if (execution.status !== 'RUNNING') return;
    execution.status = 'ABORTED';
    execution.stopDate = new Date();
    if (error !== undefined) execution.error = error;
    if (cause !== undefined) execution.cause = cause;
    execution.halt.abort();
    execution.abortRun?.();
    closeTasksOf(execution, `Execution ${execution.name} was stopped`);
  };

  const findExecution = (body: Record<string, unknown>): ExecutionRecord => {
    const executionArn = requiredString(body, 'executionArn');
    if (!executionArn.startsWith('arn:')) throw new SfnError('InvalidArn', `Invalid Arn: '${executionArn}'`);
    const execution = executions.get(executionArn);
    if (!execution)
      throw new SfnError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
    return execution;
  };

  const takeTask = (body: Record<string, unknown>): PendingTask => {
    const token = requiredString(body, 'taskToken');
    const task = closeTask(token);
    if (task) return task;
    if (closedTokens.has(token)) throw new SfnError('TaskTimedOut', 'Task Timed Out');
    throw new SfnError('TaskDoesNotExist', 'Task Does Not Exist');
  };

  const operations: Record<string, (body: Record<string, unknown>) => unknown> = {
    StartExecution: startExecution,
    DescribeExecution: (body) => describe(findExecution(body), stateMachineArn),
    StopExecution: (body) => {
      const execution = findExecution(body);
      stopExecution(execution, optionalString(body, 'error'), optionalString(body, 'cause'));
      return { stopDate: epochSeconds(execution.stopDate ?? new Date()) };
    },
    SendTaskSuccess: (body) => {
      const outputJson = requiredString(body, 'output');
      const output = parseJson(outputJson, 'InvalidOutput', 'Invalid Output');
      takeTask(body).resolve(output as JsonValue);
      return {};
    },
    SendTaskFailure: (body) => {
      const error = optionalString(body, 'error');
      const cause = optionalString(body, 'cause');
      const failure = new Error(cause ?? '');
      failure.name = error ?? '';
      takeTask(body).reject(failure);
      return {};
    },
    SendTaskHeartbeat: (body) => {
      const token = requiredString(body, 'taskToken');
      if (pending.has(token)) return {};
      if (closedTokens.has(token)) throw new SfnError('TaskTimedOut', 'Task Timed Out');
      throw new SfnError('TaskDoesNotExist', 'Task Does Not Exist');
    },
  };

  const server = createServer((req, res) => {
    void handleRequest(req, res, operations);
  });
  const { url } = await listen(server);

  const snapshot = (execution: ExecutionRecord): ExecutionInfo => ({
    executionArn: execution.executionArn,
    name: execution.name,
    status: execution.status,
    input: structuredClone(execution.input),
    ...(execution.output !== undefined ? { output: structuredClone(execution.output) } : {}),
    ...(execution.error !== undefined ? { error: execution.error } : {}),
    ...(execution.cause !== undefined ? { cause: execution.cause } : {}),
    stateEntered: [...execution.stateEntered],
  });

  return {
    endpoint: url,
    async stop() {
      for (const execution of executions.values())
        stopExecution(execution, 'States.Aborted', 'Local stack stopped');
      await Promise.all([...executions.values()].map((execution) => execution.done));
      await closeServer(server);
    },
    executions: () => [...executions.values()].map(snapshot),
    waitForExecution(executionArn, timeoutMs = 10_000) {
      return waiters.until(
        () => {
          const execution = executions.get(executionArn);
          return execution?.settled ? snapshot(execution) : undefined;
        },
        timeoutMs,
        () => {
          const execution = executions.get(executionArn);
          if (!execution) return `no execution ${executionArn}`;
          return `execution ${execution.name} is ${execution.status} after ${execution.stateEntered.join(' > ')}`;
        },
      );
    },
    transitionsOf(executionArn) {
      const execution = executions.get(executionArn);
      if (!execution) throw new Error(`No execution ${executionArn}`);
      return execution.transitions;
    },
  };
}

async function handleRequest(
  req: IncomingMessage,
  res: ServerResponse,
  operations: Record<string, (body: Record<string, unknown>) => unknown>,
): Promise<void> {
  const headers = { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': randomUUID() };
  try {
    const target = req.headers['x-amz-target'];
    const operationName =
      typeof target === 'string' && target.startsWith('AWSStepFunctions.') ? target.slice(17) : undefined;
    const raw = await readBody(req, 2 * MAX_PAYLOAD_BYTES);
    const operation = req.method === 'POST' && operationName ? operations[operationName] : undefined;
    if (!operation) throw new SfnError('UnknownOperationException', `Unknown operation ${String(target)}`);
    let body: unknown;
    try {
      body = raw.length === 0 ? {} : JSON.parse(raw.toString('utf8'));
    } catch {
      throw new SfnError('SerializationException', 'Malformed request body');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new SfnError('SerializationException', 'Request body must be a JSON object');
    }
    sendJson(res, 200, operation(body as Record<string, unknown>), headers);
  } catch (error) {
    if (error instanceof SfnError) {
      sendJson(res, 400, { __type: error.type, message: error.message }, headers);
    } else {
      console.error('[local step functions]', error);
      sendJson(res, 500, { __type: 'InternalFailure', message: String(error) }, headers);
    }
  }
}

function describe(execution: ExecutionRecord, stateMachineArn: string): Record<string, unknown> {
  return {
    executionArn: execution.executionArn,
    stateMachineArn,
    name: execution.name,
    status: execution.status,
    startDate: epochSeconds(execution.startDate),
    ...(execution.stopDate ? { stopDate: epochSeconds(execution.stopDate) } : {}),
    input: execution.inputJson,
    inputDetails: { included: true },
    ...(execution.status === 'SUCCEEDED'
      ? { output: JSON.stringify(execution.output ?? null), outputDetails: { included: true } }
      : {}),
    ...(execution.error !== undefined ? { error: execution.error } : {}),
    ...(execution.cause !== undefined ? { cause: execution.cause } : {}),
  };
}

/**
 * Copies the definition for the engine: Task timeouts get AWS's default instead of the engine's 60 s and are capped
 * below Node's timer overflow; Wait states become local tasks so that long waits do not end at once and StopExecution
 * ends them. Returns how each Task state is bound.
 */
function prepareDefinition(original: AslMachine): {
  definition: AslMachine;
  bindings: Map<string, TaskBinding>;
} {
  const definition = structuredClone(original);
  const bindings = new Map<string, TaskBinding>();
  if (definition.TimeoutSeconds !== undefined) {
    definition.TimeoutSeconds = Math.min(definition.TimeoutSeconds, MAX_TIMER_SECONDS);
  }
  const visit = (machine: AslMachine) => {
    for (const [stateName, state] of Object.entries(machine.States)) {
      if (state.Type === 'Task') {
        const kind = taskKind(stateName, String(state.Resource));
        let timeoutSeconds: number | undefined;
        if (state.TimeoutSecondsPath === undefined) {
          timeoutSeconds = Math.min(
            state.TimeoutSeconds ?? AWS_DEFAULT_TASK_TIMEOUT_SECONDS,
            MAX_TIMER_SECONDS,
          );
          state.TimeoutSeconds = timeoutSeconds;
        }
        bindings.set(stateName, { kind, timeoutSeconds });
      } else if (state.Type === 'Wait') {
        machine.States[stateName] = waitAsTask(state);
        bindings.set(stateName, { kind: 'wait', timeoutSeconds: MAX_TIMER_SECONDS });
      }
      for (const branch of state.Branches ?? []) visit(branch);
      const processor = state.ItemProcessor ?? state.Iterator;
      if (processor) visit(processor);
    }
  };
  visit(definition);
  return { definition, bindings };
}

function waitAsTask(state: AslState): AslState {
  const { Type: _type, Seconds, Timestamp, SecondsPath, TimestampPath, ...rest } = state;
  const parameters: Record<string, unknown> = { 'state.$': '$' };
  if (Seconds !== undefined) parameters.seconds = Seconds;
  if (Timestamp !== undefined) parameters.timestamp = Timestamp;
  if (SecondsPath !== undefined) parameters['seconds.$'] = SecondsPath;
  if (TimestampPath !== undefined) parameters['timestamp.$'] = TimestampPath;
  return {
    ...rest,
    Type: 'Task',
    Resource: LOCAL_WAIT_RESOURCE,
    Parameters: parameters,
    TimeoutSeconds: MAX_TIMER_SECONDS,
  };
}

function taskKind(stateName: string, resource: string): TaskKind {
  if (LAMBDA_INVOKE_CALLBACK.test(resource)) return 'callback';
  if (LAMBDA_INVOKE.test(resource)) return 'invoke';
  if (OTHER_INTEGRATION.test(resource)) {
    throw new Error(
      `Task ${stateName}: ${resource} is not supported locally (Lambda functions and lambda:invoke only)`,
    );
  }
  return 'function';
}

function checkHandlers(bindings: Map<string, TaskBinding>, taskHandlers: Record<string, TaskHandler>): void {
  const tasks = [...bindings].filter(([, binding]) => binding.kind !== 'wait').map(([name]) => name);
  const missing = tasks.filter((name) => typeof taskHandlers[name] !== 'function');
  const unknown = Object.keys(taskHandlers).filter((name) => !tasks.includes(name));
  if (missing.length > 0) throw new Error(`No task handler for Task state(s): ${missing.join(', ')}`);
  if (unknown.length > 0) throw new Error(`Task handler(s) for unknown Task state(s): ${unknown.join(', ')}`);
}

async function waitLocally(parameters: JsonValue, signal: AbortSignal): Promise<void> {
  const { seconds, timestamp } = parameters as { seconds?: unknown; timestamp?: unknown };
  let until: number;
  if (seconds !== undefined) {
    if (!Number.isInteger(seconds) || (seconds as number) < 0)
      throw new ExecutionHalted(`Invalid Wait seconds`);
    until = Date.now() + (seconds as number) * 1000;
  } else {
    until = typeof timestamp === 'string' ? Date.parse(timestamp) : Number.NaN;
    if (Number.isNaN(until)) throw new ExecutionHalted(`Invalid Wait timestamp ${String(timestamp)}`);
  }
  while (!signal.aborted && Date.now() < until) {
    await sleep(Math.min(until - Date.now(), 2 ** 31 - 1), signal);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** A handler failure as Step Functions reports a Lambda error: Error = the error's name, Cause = the runtime's JSON. */
function lambdaError(error: unknown): Error {
  const errorType = error instanceof Error ? error.name : 'Error';
  const errorMessage = error instanceof Error ? error.message : String(error);
  const trace = error instanceof Error && error.stack ? error.stack.split('\n') : [];
  const failure = new Error(JSON.stringify({ errorType, errorMessage, trace }));
  failure.name = errorType;
  return failure;
}

function payloadOf(input: JsonValue): unknown {
  return typeof input === 'object' && input !== null && !Array.isArray(input) ? input.Payload : undefined;
}

function newTaskToken(): string {
  return randomBytes(48).toString('base64url');
}

function epochSeconds(date: Date): number {
  return date.getTime() / 1000;
}

function parseJson(text: string, errorType: string, message: string): unknown {
  if (Buffer.byteLength(text) > MAX_PAYLOAD_BYTES)
    throw new SfnError(errorType, `${message}: larger than 256 KiB`);
  try {
    return JSON.parse(text);
  } catch {
    throw new SfnError(errorType, `${message}: not JSON`);
  }
}

function requiredString(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value.length === 0) {
    throw new SfnError('ValidationException', `1 validation error detected: '${field}' must not be null`);
  }
  return value;
}

function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new SfnError('ValidationException', `'${field}' must be a string`);
  return value;
}
