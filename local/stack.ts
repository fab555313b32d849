// The whole of Keyholder on one machine: DynamoDB Local, the state machine synthesized from the CDK app on
// aws-local-stepfunctions, the dev mailbox (a local SES v2 endpoint) and the local HTTP gateway, all running
// the same handler code Lambda runs. Used by `npm start`, the end-to-end tests and the benchmark.
import { randomBytes, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
  SQSBatchResponse,
} from 'aws-lambda';
import { DynamoDbDirectory } from '../lambdas/adapters/dynamodb/directory.ts';
import { parseScimTokens } from '../lambdas/adapters/scim-tokens.ts';
import { ENV } from '../lambdas/commons/config.ts';
import { dependencies, resetDependencies } from '../lambdas/commons/dependencies.ts';
import type { Dataset, Principal } from '../lambdas/core/model.ts';
import { type Policy, resolvePolicy } from '../lambdas/core/policy.ts';
import { DEFAULT_PRINCIPAL_CLAIM, type PrincipalClaim } from '../lambdas/core/principal-claim.ts';
import {
  assertClaimAgrees,
  parseGroupRoles,
  parseScimPrincipalId,
  type ScimPrincipalId,
} from '../lambdas/core/scim/user.ts';
import { INBOUND_MAIL_HANDLER, NOTIFIER_HANDLER, ROUTES, WORKFLOW_TASKS } from '../lambdas/routes.ts';
import { resendUnsentNotices } from '../lambdas/use-cases/notice-outbox.ts';
import { functionSizing } from '../lib/function-sizing.ts';
import { startConsoleServer } from './console-server.ts';
import { startDevMailbox } from './dev-mailbox.ts';
import type { DevPlatform } from './dev-platform.ts';
import { startDevProviders } from './dev-providers.ts';
import { devError, devRouter } from './dev-routes.ts';
import { localSweep } from './dev-sweep.ts';
import { startDynamoDbLocal } from './dynamodb-local.ts';
import { lambdaContext, startGateway } from './gateway.ts';
import {
  type LocalNoticeQueue,
  type LocalNoticeQueueOptions,
  startLocalNoticeQueue,
} from './notice-queue.ts';
import { type LocalNotificationChannels, startLocalNotificationChannels } from './notification-channels.ts';
import {
  API_AUDIENCE,
  type LocalOidcProvider,
  oidcKeyFile,
  startLocalOidcProvider,
} from './oidc-provider.ts';
import { rearmAfterRestart } from './rearm.ts';
import { provisionThroughScim, type ScimInvoke, type ScimSeedReport, seedDirectory } from './seed.ts';
import { startLocalStepFunctions } from './step-functions.ts';
import { createTables, deleteTables } from './tables.ts';
import { workflowDefinition } from './workflow-definition.ts';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_SEED_FILE = path.join(REPO_ROOT, 'local', 'seed.json');

export interface LocalStackOptions {
  /** HTTP port; 0 picks a free one. */
  readonly port?: number;
  /** A partial policy merged over the defaults (what a KEYHOLDER_POLICY file holds). */
  readonly policy?: unknown;
  /** Keep DynamoDB Local's data in this folder across restarts. */
  readonly persistDir?: string | undefined;
  readonly seedFile?: string;
  /** How often the local sweep runs. @default 15 minutes, as on AWS; 0: only on POST /dev/sweep */
  readonly sweepIntervalMs?: number;
  /** Signing secrets of the policy's webhook providers, by provider name (AWS keeps them in Secrets Manager). */
  readonly providerSecrets?: Readonly<Record<string, string>>;
  /** Start a local platform (local/dev-platform.ts) and map `admin` to it through a webhook provider. */
  readonly devPlatform?: boolean;
  /** The OpenID provider's port (local/oidc-provider.ts). @default KEYHOLDER_OIDC_PORT or 3100; free when `port` is 0 */
  readonly oidcPort?: number;
  /** The token claim that is the principal id (KEYHOLDER_PRINCIPAL_CLAIM). @default 'sub' */
  readonly principalClaim?: PrincipalClaim;
  /** The web console's port (local/console-server.ts). @default KEYHOLDER_CONSOLE_PORT or 3200; a free one when `port` is 0 */
  readonly consolePort?: number;
  /**
   * Which SCIM attribute is the principal id (KEYHOLDER_SCIM_PRINCIPAL_ID). @default the variable, else externalId
   * when the claim is `oid` (Entra ID's object id is both), else userName
   */
  readonly scimPrincipalId?: ScimPrincipalId;
  /**
   * The local notice queue's timings (local/notice-queue.ts). `held: true` keeps every message queued, never
   * delivered (KEYHOLDER_LOCAL_NOTICES_HELD=1): a process killed then has notices committed and never sent.
   */
  readonly noticeQueue?: LocalNoticeQueueOptions & { readonly held?: boolean };
  /**
   * A DynamoDB Local already running (the test run's), and a prefix for this stack's own tables in it, instead of
   * starting a JVM for this stack alone. Not with `persistDir`: persisted data belongs to its own emulator.
   */
  readonly sharedDynamoDb?: { readonly endpoint: string; readonly tablePrefix: string };
}

export interface LocalStack {
  readonly url: string;
  /** The web console (web/, served by local/console-server.ts). */
  readonly consoleUrl: string;
  readonly policy: Policy;
  readonly dynamodbEndpoint: string;
  readonly tables: { readonly stateTable: string; readonly auditTable: string };
  readonly stateMachineArn: string;
  readonly mailbox: Awaited<ReturnType<typeof startDevMailbox>>;
  /** The fake Slack, its signing secret, the reply domain and the inbound mail bucket (issue 3). */
  readonly channels: LocalNotificationChannels;
  /** The notice queue between the committing functions and the notifier (SQS on AWS). */
  readonly noticeQueue: LocalNoticeQueue;
  readonly stepFunctions: Awaited<ReturnType<typeof startLocalStepFunctions>>;
  readonly seed: { readonly principals: Principal[]; readonly datasets: Dataset[] };
  /** The local platform behind the `dev-platform` webhook provider, when `devPlatform` was asked for. */
  readonly platform: DevPlatform | undefined;
  /** The local OpenID provider: sign-in as in production (authorization code + PKCE, device flow, refresh). */
  readonly oidc: {
    readonly issuer: string;
    readonly audience: string;
    readonly clients: { readonly console: string; readonly cli: string };
    readonly scopes: readonly string[];
  };
  /**
   * SCIM 2.0 (`<url>/scim/v2`) and a provisioning client's bearer secret: KEYHOLDER_SCIM_TOKENS when set (its
   * first client), else one client `local` with a secret made up at start.
   */
  readonly scim: { readonly url: string; readonly client: string; readonly token: string };
  /** How the seed's people were provisioned at this start: through the SCIM handler, timed. */
  readonly provisioning: ScimSeedReport & { readonly idAttribute: ScimPrincipalId };
  /** A dev access token for a principal id, from the provider's key set (what POST /dev/token answers). */
  tokenFor(sub: string): Promise<string>;
  /** What the local JWT authorizer checks tokens against, for tests that forge tokens (test/security). */
  readonly jwt: {
    readonly issuer: string;
    readonly audience: string;
    readonly privateKey: LocalOidcProvider['signingKey']['privateKey'];
  };
  stop(): Promise<void>;
}

const REGION = 'eu-west-2';
const ACCOUNT = '000000000000';
const JWT_AUDIENCE = API_AUDIENCE;

type Handler = (event: unknown, context: Context) => Promise<unknown>;

/**
 * The SCIM clients' bearer secrets (KEYHOLDER_SCIM_TOKENS=name:secret[,name:secret]): the environment's when set,
 * else one client `local` with a random secret. The first client is the one `npm start` and the tests use.
 */
function localScimTokens(env: NodeJS.ProcessEnv): { tokens: string; client: string; token: string } {
  const tokens = env[ENV.scimTokens] || `local:${randomBytes(32).toString('hex')}`;
  parseScimTokens(tokens, ENV.scimTokens); // a malformed variable fails the start, not the first SCIM call
  const first = tokens.split(',')[0]?.trim() ?? '';
  const colon = first.indexOf(':');
  return { tokens, client: first.slice(0, colon), token: first.slice(colon + 1) };
}

async function loadHandler(entry: string): Promise<Handler> {
  const module = (await import(pathToFileURL(path.join(REPO_ROOT, entry)).href)) as { handler: Handler };
  return module.handler;
}

/** What this module last wrote to KEYHOLDER_SCIM_PRINCIPAL_ID: a later stack in the process does not take it as asked. */
let scimPrincipalIdWritten: string | undefined;

/** The SCIM id attribute and group mapping for this start, validated (a bad value fails the start, naming it). */
function localScimDirectory(
  env: NodeJS.ProcessEnv,
  principalClaim: PrincipalClaim,
  asked: ScimPrincipalId | undefined,
): { idAttribute: ScimPrincipalId; groupRoles: ReturnType<typeof parseGroupRoles> } {
  const fromEnv = env[ENV.scimPrincipalId];
  const idAttribute =
    asked ??
    (fromEnv && fromEnv !== scimPrincipalIdWritten
      ? parseScimPrincipalId(fromEnv, ENV.scimPrincipalId)
      : principalClaim === 'oid'
        ? 'externalId'
        : 'userName');
  try {
    assertClaimAgrees(idAttribute, principalClaim);
  } catch (error) {
    throw new Error(
      `${ENV.scimPrincipalId} ${idAttribute} does not agree with ${ENV.principalClaim} ${principalClaim}: ${
        (error as Error).message.split(': ').at(-1) ?? ''
      }`,
    );
  }
  return { idAttribute, groupRoles: parseGroupRoles(env[ENV.scimGroupRoles], ENV.scimGroupRoles) };
}

const SCIM_HANDLER = ROUTES.find((route) => route.name === 'scim');

/**
 * Calls the SCIM function in-process with the payload 2.0 event API Gateway would hand it, before the gateway
 * opens: the directory is whole by the time anyone can reach the API, and no route is opened early for it.
 */
async function scimInvoker(options: { token: string; host: string }): Promise<ScimInvoke> {
  if (!SCIM_HANDLER) throw new Error('no SCIM route in lambdas/routes.ts');
  const url = pathToFileURL(path.join(REPO_ROOT, SCIM_HANDLER.entry)).href;
  const module = (await import(url)) as {
    handler: Handler;
    useScimContext?: (wired: undefined) => void;
  };
  // The function keeps its context (dependencies, id attribute) per cold start; a new stack is a new cold start.
  const { useScimContext: resetScimContext } = module; // not a React hook: Biome goes by the name
  resetScimContext?.(undefined);
  return async (call) => {
    const routePath = `/scim/v2/${call.resource}${call.id === undefined ? '' : '/{id}'}`;
    const rawPath = `/scim/v2/${call.resource}${call.id === undefined ? '' : `/${encodeURIComponent(call.id)}`}`;
    const rawQueryString = new URLSearchParams(call.query ?? {}).toString();
    const body = call.body === undefined ? undefined : JSON.stringify(call.body);
    const now = new Date();
    const event: APIGatewayProxyEventV2 = {
      version: '2.0',
      routeKey: `${call.method} ${routePath}`,
      rawPath,
      rawQueryString,
      headers: {
        host: options.host,
        authorization: `Bearer ${options.token}`,
        'user-agent': 'keyholder-local-seed',
        ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }),
        ...(call.ifMatch ? { 'if-match': call.ifMatch } : {}),
      },
      ...(call.query ? { queryStringParameters: { ...call.query } } : {}),
      ...(call.id === undefined ? {} : { pathParameters: { id: call.id } }),
      requestContext: {
        accountId: ACCOUNT,
        apiId: 'localapigw',
        domainName: options.host,
        domainPrefix: options.host.split('.')[0] ?? options.host,
        http: {
          method: call.method,
          path: rawPath,
          protocol: 'HTTP/1.1',
          sourceIp: '127.0.0.1',
          userAgent: 'keyholder-local-seed',
        },
        requestId: randomUUID(),
        routeKey: `${call.method} ${routePath}`,
        stage: '$default',
        time: now.toISOString(),
        timeEpoch: now.getTime(),
      },
      ...(body === undefined ? {} : { body }),
      isBase64Encoded: false,
    };
    const result = (await module.handler(
      event,
      lambdaContext(SCIM_HANDLER.name, REGION, ACCOUNT),
    )) as APIGatewayProxyStructuredResultV2;
    const text = typeof result.body === 'string' ? result.body : '';
    return { status: result.statusCode ?? 200, body: text === '' ? undefined : JSON.parse(text) };
  };
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  let policy = resolvePolicy(options.policy ?? {}, 'KEYHOLDER_POLICY');
  // Checked before anything starts: a bad KEYHOLDER_SCIM_* variable fails the start, naming it.
  const scimDirectory = localScimDirectory(
    process.env,
    options.principalClaim ?? DEFAULT_PRINCIPAL_CLAIM,
    options.scimPrincipalId,
  );
  const seed = JSON.parse(
    await readFile(options.seedFile ?? DEFAULT_SEED_FILE, 'utf8'),
  ) as LocalStack['seed'];
  const stateMachineArn = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:keyholder-access`;
  const shared = options.sharedDynamoDb;
  if (shared && options.persistDir) throw new Error('sharedDynamoDb and persistDir do not go together');
  const tables = shared
    ? { stateTable: `${shared.tablePrefix}-state`, auditTable: `${shared.tablePrefix}-audit` }
    : { stateTable: 'keyholder-state', auditTable: 'keyholder-audit' };
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const stopOne of stops.reverse()) await stopOne().catch(() => undefined);
  };
  try {
    // The JVM boots while the workflow is synthesized (or read from the cache): the two slowest steps overlap.
    const ownDynamo = shared ? undefined : startDynamoDbLocal({ persistDir: options.persistDir });
    const dynamoStarting: Promise<{ readonly endpoint: string }> =
      ownDynamo ?? Promise.resolve({ endpoint: shared?.endpoint ?? '' });
    dynamoStarting.catch(() => undefined); // observed below; this only keeps Node from calling it unhandled
    if (ownDynamo) stops.push(async () => (await ownDynamo).stop());
    const mailbox = await startDevMailbox();
    stops.push(mailbox.stop);
    const channels = await startLocalNotificationChannels();
    stops.push(channels.stop);
    const noticeQueue = await startLocalNoticeQueue(options.noticeQueue);
    stops.push(noticeQueue.stop);
    const providers = await startDevProviders({ ...options, policy, secrets: channels.secrets });
    stops.push(providers.stop);
    policy = providers.policy;
    const { definition } = await workflowDefinition({ policy });
    const dynamo = await dynamoStarting;

    const sweeper = localSweep({ intervalMs: options.sweepIntervalMs });
    stops.push(sweeper.stop);
    // The console first: the OpenID provider registers its redirect URIs, and the gateway allows its origin (CORS).
    const port = options.port ?? 3000;
    const consoleServer = await startConsoleServer({
      port: options.consolePort ?? (port === 0 ? 0 : Number(process.env.KEYHOLDER_CONSOLE_PORT ?? 3200)),
      config: () => ({
        issuer: consoleIssuer(),
        clientId: 'keyholder-console',
        apiUrl: gateway.url,
        audience: JWT_AUDIENCE,
      }),
    });
    stops.push(consoleServer.stop);
    // Client `keyholder-console` of the OpenID provider: `${consoleUrl}/callback`, `${consoleUrl}/silent-renew.html`,
    // post-logout `${consoleUrl}/`.
    const consoleUrl = consoleServer.url;
    /** The issuer the console signs in with: the local OpenID provider's. */
    const consoleIssuer = () => oidc.issuer;
    // The OpenID provider: its accounts are the directory's principals (read when someone signs in, once seeded).
    let directoryForSignIn: DynamoDbDirectory | undefined;
    const signInDirectory = () => {
      if (!directoryForSignIn) throw new Error('the directory is not ready yet');
      return directoryForSignIn;
    };
    const principalClaim = options.principalClaim ?? DEFAULT_PRINCIPAL_CLAIM;
    const oidc = await startLocalOidcProvider({
      port: options.oidcPort ?? (port === 0 ? 0 : Number(process.env.KEYHOLDER_OIDC_PORT ?? 3100)),
      principalClaim,
      consoleUrl,
      keyFile: options.persistDir ? oidcKeyFile(options.persistDir) : undefined,
      principals: {
        get: (id) => signInDirectory().getPrincipal(id),
        list: () => signInDirectory().listPrincipals(),
      },
    });
    stops.push(oidc.stop);
    const issuer = oidc.issuer;
    const gateway = await startGateway({
      port,
      cors: { allowOrigins: [consoleUrl] },
      // Closed (503, `GET /health` {"status":"starting"}) until the tables, the seed and the workflow engine are up.
      startClosed: true,
      routes: ROUTES,
      loadHandler,
      // As API Gateway's JWT authorizer: the issuer's discovery document and JWKS (no key handed over).
      jwt: { issuer, audience: JWT_AUDIENCE },
      devRoutes: devRouter([
        {
          method: 'POST',
          path: '/dev/token',
          handle: async ({ body }) => {
            const sub = (body as { sub?: unknown } | undefined)?.sub;
            if (typeof sub !== 'string' || sub === '') {
              return devError(400, 'VALIDATION_FAILED', 'sub must be a principal id', 'sub');
            }
            return { status: 200, body: { token: await tokenFor(sub) } };
          },
        },
        {
          method: 'GET',
          path: '/dev/principals',
          handle: async () => ({
            status: 200,
            body: await new DynamoDbDirectory(documentClient, tables).listPrincipals(),
          }),
        },
        {
          method: 'GET',
          path: '/dev/mailbox',
          handle: async () => ({ status: 200, body: mailbox.messages() }),
        },
        ...sweeper.routes,
        ...noticeQueue.routes,
        ...channels.routes({
          gatewayUrl: () => gateway.url,
          invokeInboundMail: async (event) =>
            (await loadHandler(INBOUND_MAIL_HANDLER.entry))(
              event,
              lambdaContext(INBOUND_MAIL_HANDLER.name, REGION, ACCOUNT),
            ),
        }),
      ]),
    });
    stops.push(gateway.stop);
    const tokenFor = (sub: string) => oidc.mintAccessToken(sub);

    const stepFunctions = await startLocalStepFunctions({
      definition,
      stateMachineArn,
      taskHandlers: Object.fromEntries(
        WORKFLOW_TASKS.map((task) => [
          task.state,
          async (payload: unknown) =>
            (await loadHandler(task.entry))(
              payload,
              // The function's own timeout, as Lambda would give it (the API's 30 s limit is not theirs).
              lambdaContext(
                task.name,
                REGION,
                ACCOUNT,
                functionSizing('workflow', task.name).timeout.toMilliseconds(),
              ),
            ),
        ]),
      ),
    });
    stops.push(stepFunctions.stop);

    const scim = localScimTokens(process.env);
    // The handlers find everything through the same variables Lambda gets, plus the SDK's endpoint overrides.
    Object.assign(process.env, {
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_SFN: stepFunctions.endpoint,
      AWS_ENDPOINT_URL_SESV2: mailbox.endpoint,
      AWS_ENDPOINT_URL_SQS: noticeQueue.endpoint,
      [ENV.noticeQueueUrl]: noticeQueue.queueUrl,
      [ENV.stateTable]: tables.stateTable,
      [ENV.auditTable]: tables.auditTable,
      [ENV.stateMachineArn]: stateMachineArn,
      [ENV.policyJson]: JSON.stringify(policy),
      [ENV.mailFrom]: 'keyholder@nhse.example',
      [ENV.publicBaseUrl]: gateway.url,
      ...channels.environment,
      ...providers.environment,
      // What GET /auth/config tells the console and the CLI, and the claim that names the principal.
      [ENV.oidcIssuer]: issuer,
      [ENV.oidcAudience]: oidc.audience,
      [ENV.cliClientId]: oidc.clients.cli,
      [ENV.consoleClientId]: oidc.clients.console,
      [ENV.signInScopes]: oidc.scopes.join(' '),
      [ENV.principalClaim]: principalClaim,
      // SCIM provisioning clients (lambdas/adapters/scim-tokens.ts); on AWS a Secrets Manager secret instead.
      [ENV.scimTokens]: scim.tokens,
      [ENV.scimPrincipalId]: scimDirectory.idAttribute,
    });
    scimPrincipalIdWritten = scimDirectory.idAttribute;
    resetDependencies();

    const documentClient = DynamoDBDocumentClient.from(
      new DynamoDBClient({
        endpoint: dynamo.endpoint,
        region: REGION,
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      }),
      { marshallOptions: { removeUndefinedValues: true } },
    );
    await createTables(documentClient, tables);
    // A shared emulator outlives the stack: only its tables go, after everything else has stopped.
    if (shared) stops.unshift(() => deleteTables(documentClient, tables));
    const directory = new DynamoDbDirectory(documentClient, tables);
    // The datasets are written directly (SCIM has no such resource), on a fresh directory as before; the people go
    // through the SCIM handler on every start (a restart over persisted data PUTs the ones that exist).
    if ((await directory.listPrincipals()).length === 0) {
      await seedDirectory(directory, { principals: [], datasets: seed.datasets });
    }
    const provisioning = await provisionThroughScim(
      await scimInvoker({ token: scim.token, host: new URL(gateway.url).host }),
      seed.principals,
      scimDirectory,
      ENV.scimGroupRoles,
    );
    directoryForSignIn = directory;
    // Executions live in memory; after a restart on persisted data, what they carried is picked up from DynamoDB:
    // pending approvals (same execution name; approvers already mailed are not mailed again, their links still
    // work), approved requests not yet granted, and the expiry of grants whose Wait was lost (local/rearm.ts).
    const rearmed = await rearmAfterRestart(dependencies(), { sweepNow: sweeper.runNow });
    stops.push(rearmed.stop);
    // The queue lived in memory: notices a killed process committed and never marked sent go to the new one.
    const notifier = await loadHandler(NOTIFIER_HANDLER.entry);
    const held = options.noticeQueue?.held ?? process.env.KEYHOLDER_LOCAL_NOTICES_HELD === '1';
    if (!held) {
      noticeQueue.start(
        async (event) =>
          (await notifier(
            event,
            lambdaContext(
              NOTIFIER_HANDLER.name,
              REGION,
              ACCOUNT,
              functionSizing('queue', NOTIFIER_HANDLER.name).timeout.toMilliseconds(),
            ),
          )) as SQSBatchResponse,
      );
    }
    await resendUnsentNotices(dependencies(), { dueBy: new Date().toISOString() });
    sweeper.start();
    // Every handler module is loaded before the first request can reach one: a route that cannot load fails the
    // start, not a caller, and the first call of each route pays no import.
    await Promise.all(
      [...ROUTES, ...WORKFLOW_TASKS, INBOUND_MAIL_HANDLER, NOTIFIER_HANDLER].map((spec) =>
        loadHandler(spec.entry),
      ),
    );
    gateway.open();

    return {
      url: gateway.url,
      consoleUrl,
      policy,
      dynamodbEndpoint: dynamo.endpoint,
      tables,
      stateMachineArn,
      mailbox,
      channels,
      noticeQueue,
      stepFunctions,
      seed,
      platform: providers.platform,
      scim: { url: `${gateway.url}/scim/v2`, client: scim.client, token: scim.token },
      provisioning: { ...provisioning, idAttribute: scimDirectory.idAttribute },
      tokenFor,
      oidc: { issuer, audience: oidc.audience, clients: oidc.clients, scopes: oidc.scopes },
      jwt: { issuer, audience: JWT_AUDIENCE, privateKey: oidc.signingKey.privateKey },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
