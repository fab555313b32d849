// Local API Gateway (HTTP API): routes, a JWT authorizer that refuses what AWS refuses, and payload 2.0 events.
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, Context } from 'aws-lambda';
import {
  type CryptoKey,
  createRemoteJWKSet,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
  type KeyObject,
  SignJWT,
} from 'jose';
import { API_CORS } from '../lambdas/http/cors.ts';
import type { RouteSpec } from '../lambdas/routes.ts';
import { closeServer, listen, PayloadTooLargeError, readBody, sendJson } from './http-util.ts';

export type GatewayHandler = (event: APIGatewayProxyEventV2WithJWTAuthorizer, context: Context) => unknown;

export interface GatewayJwtConfig {
  readonly issuer: string;
  /** The authorizer's audience list: a token's `aud` (or, without `aud`, its `client_id`) must match one entry. */
  readonly audience: string | readonly string[];
  /**
   * RSA public key; a JWK with a `kid` also pins the token's `kid`, as a JWKS lookup would. Absent: as API Gateway
   * does, the keys come from the issuer's discovery document (`jwks_uri`), looked up by `kid` and refetched when an
   * unknown `kid` arrives, so a key rotation is picked up without a restart.
   */
  readonly publicKey?: CryptoKey | KeyObject | JWK;
}

export interface GatewayOptions {
  /** 0 = a free port. */
  readonly port: number;
  readonly routes: readonly RouteSpec[];
  readonly loadHandler: (entry: string) => Promise<GatewayHandler>;
  readonly jwt: GatewayJwtConfig;
  /** Local-only routes, consulted before the route table; resolve true when the request was answered. */
  readonly devRoutes?: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;
  readonly region?: string;
  readonly accountId?: string;
  /**
   * Start closed: until `open()`, every request answers 503 (`GET /health`: `{"status":"starting"}`), so nothing that
   * waits on health can reach a route before the stack behind it is whole. @default false (open at once)
   */
  readonly startClosed?: boolean;
  /**
   * CORS as the HTTP API's corsPreflight does it (policy: lambdas/http/cors.ts): an OPTIONS preflight is answered by
   * the gateway without calling a handler, and Access-Control-Allow-Origin is sent only to an allowed origin.
   * `allowOrigins` is read per request (the console's URL may be known after the gateway starts).
   */
  readonly cors?: { readonly allowOrigins: readonly string[] };
}

export interface Gateway {
  readonly url: string;
  readonly port: number;
  /** Serve every route from now on (a gateway started with `startClosed`). */
  open(): void;
  stop(): Promise<void>;
}

export interface LocalSigningKey {
  readonly alg: 'RS256';
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
  /** The public half as a JWK (with `kid`, `alg`, `use`), e.g. to publish as a JWKS. */
  readonly publicJwk: JWK;
}

/** API Gateway's limits: 10 MB request payload, 30 s integration timeout. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;
const INTEGRATION_TIMEOUT_MS = 30_000;
/** HTTP API JWT authorizers verify RSA signatures only. */
const RSA_ALGORITHMS = ['RS256', 'RS384', 'RS512'];
const API_ID = 'localapigw';
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

interface CompiledRoute {
  readonly spec: RouteSpec;
  readonly routeKey: string;
  readonly pattern: RegExp;
  readonly parameterNames: string[];
  /** Literal routes win over parameterised ones, as in API Gateway. */
  readonly literalSegments: number;
}

interface HttpResult {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly cookies: string[];
  readonly body: Buffer;
}

class MalformedResponseError extends Error {
  constructor(reason: string) {
    super(`Malformed Lambda proxy response: ${reason}`);
    this.name = 'MalformedResponseError';
  }
}

export async function createLocalSigningKey(): Promise<LocalSigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = randomBytes(8).toString('hex');
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  return { alg: 'RS256', kid, privateKey, publicKey, publicJwk };
}

/** Signs an RS256 token; `key` is a LocalSigningKey (its `kid` goes in the header) or a bare RSA private key. */
export async function signLocalToken(options: {
  readonly sub: string;
  readonly key: LocalSigningKey | CryptoKey | KeyObject;
  readonly issuer: string;
  readonly audience: string;
  readonly ttlSeconds: number;
  readonly claims?: JWTPayload;
}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const { key } = options;
  const signing = 'privateKey' in key ? key : undefined;
  return new SignJWT({ ...options.claims })
    .setProtectedHeader({ alg: 'RS256', ...(signing ? { kid: signing.kid } : {}), typ: 'JWT' })
    .setSubject(options.sub)
    .setIssuer(options.issuer)
    .setAudience(options.audience)
    .setIssuedAt(now)
    .setExpirationTime(now + options.ttlSeconds)
    .setJti(randomUUID())
    .sign(signing ? signing.privateKey : (key as CryptoKey | KeyObject));
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const routes = options.routes.map(compileRoute);
  const verify = await createVerifier(options.jwt);
  const handlers = new Map<string, Promise<GatewayHandler>>();
  const region = options.region ?? 'eu-west-2';
  const accountId = options.accountId ?? '123456789012';

  const handlerFor = (entry: string): Promise<GatewayHandler> => {
    let handler = handlers.get(entry);
    if (!handler) {
      handler = options.loadHandler(entry);
      handlers.set(entry, handler);
      // A failed load is retried on the next request instead of being cached.
      handler.catch(() => handlers.delete(entry));
    }
    return handler;
  };

  let open = options.startClosed !== true;

  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const apiRequestId = randomBytes(10).toString('base64').replace(/=+$/, '=');
    const origin = req.headers.origin;
    const corsAllowed =
      options.cors !== undefined && origin !== undefined && options.cors.allowOrigins.includes(origin);
    const gatewayHeaders: Record<string, string> = {
      'apigw-requestid': apiRequestId,
      ...(corsAllowed
        ? {
            'access-control-allow-origin': origin,
            'access-control-expose-headers': API_CORS.exposeHeaders.join(','),
            vary: 'origin',
          }
        : {}),
    };
    if (options.cors && req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
      req.resume();
      const requested = String(req.headers['access-control-request-method']).toUpperCase();
      const methodAllowed = (API_CORS.allowMethods as readonly string[]).includes(requested);
      res.writeHead(
        204,
        corsAllowed && methodAllowed
          ? {
              'apigw-requestid': apiRequestId,
              'access-control-allow-origin': origin,
              'access-control-allow-methods': API_CORS.allowMethods.join(','),
              'access-control-allow-headers': API_CORS.allowHeaders.join(','),
              'access-control-max-age': String(API_CORS.maxAgeSeconds),
              vary: 'origin',
            }
          : { 'apigw-requestid': apiRequestId },
      );
      res.end();
      return;
    }
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
    if (!open) {
      req.resume();
      const starting = { 'retry-after': '1', 'cache-control': 'no-store', ...gatewayHeaders };
      return url.pathname === '/health'
        ? sendJson(res, 503, { status: 'starting' }, starting)
        : sendJson(res, 503, { message: 'Service Unavailable: Keyholder is starting' }, starting);
    }
    if (options.devRoutes && (await options.devRoutes(req, res, url))) return;

    const rawTarget = req.url ?? '/';
    const queryStart = rawTarget.indexOf('?');
    const rawPath = queryStart === -1 ? rawTarget : rawTarget.slice(0, queryStart);
    const rawQueryString = queryStart === -1 ? '' : (rawTarget.slice(queryStart + 1).split('#')[0] ?? '');
    const matched = matchRoute(routes, req.method ?? 'GET', rawPath);
    if (!matched) return sendJson(res, 404, { message: 'Not Found' }, gatewayHeaders);

    let body: Buffer;
    try {
      body = await readBody(req, MAX_PAYLOAD_BYTES);
    } catch (error) {
      if (error instanceof PayloadTooLargeError) {
        res.setHeader('connection', 'close');
        return sendJson(res, 413, { message: 'Request Entity Too Large' }, gatewayHeaders);
      }
      throw error;
    }

    let claims: JWTPayload | undefined;
    if (matched.route.spec.auth === 'jwt') {
      claims = await verify(req.headers.authorization);
      if (!claims) {
        return sendJson(
          res,
          401,
          { message: 'Unauthorized' },
          {
            ...gatewayHeaders,
            'www-authenticate': req.headers.authorization ? 'Bearer error="invalid_token"' : 'Bearer',
          },
        );
      }
    }

    const now = new Date();
    const event = buildEvent({
      req,
      route: matched.route,
      pathParameters: matched.pathParameters,
      rawPath,
      rawQueryString,
      body,
      claims,
      requestId: apiRequestId,
      accountId,
      now,
    });
    const context = lambdaContext(matched.route.spec.name, region, accountId);

    let result: HttpResult;
    try {
      const handler = await handlerFor(matched.route.spec.entry);
      const outcome = await withTimeout(Promise.resolve(handler(event, context)), INTEGRATION_TIMEOUT_MS);
      if (outcome === timedOut) {
        console.error(
          `[gateway] ${matched.route.routeKey} did not answer within ${INTEGRATION_TIMEOUT_MS} ms`,
        );
        return sendJson(res, 503, { message: 'Service Unavailable' }, gatewayHeaders);
      }
      result = toHttpResult(outcome);
    } catch (error) {
      console.error(`[gateway] ${matched.route.routeKey} failed:`, error);
      return sendJson(res, 500, { message: 'Internal Server Error' }, gatewayHeaders);
    }
    const headers: Record<string, string | string[]> = { ...result.headers, ...gatewayHeaders };
    if (result.cookies.length > 0) headers['set-cookie'] = result.cookies;
    headers['content-length'] = String(result.body.length);
    res.writeHead(result.statusCode, headers);
    res.end(result.body);
  };

  const server = createServer((req, res) => {
    serve(req, res).catch((error: unknown) => {
      console.error('[gateway] request failed:', error);
      if (!res.headersSent) sendJson(res, 500, { message: 'Internal Server Error' });
      else res.end();
    });
  });
  const { url, port } = await listen(server, options.port);
  return {
    url,
    port,
    open: () => {
      open = true;
    },
    stop: () => closeServer(server),
  };
}

function compileRoute(spec: RouteSpec): CompiledRoute {
  const parameterNames: string[] = [];
  let literalSegments = 0;
  const source = spec.path
    .split('/')
    .map((segment) => {
      const parameter = /^\{([^}+]+)(\+?)\}$/.exec(segment);
      if (!parameter) {
        literalSegments += 1;
        return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      }
      parameterNames.push(parameter[1] as string);
      return parameter[2] ? '(.+)' : '([^/]+)';
    })
    .join('/');
  return {
    spec,
    routeKey: `${spec.method} ${spec.path}`,
    pattern: new RegExp(`^${source}$`),
    parameterNames,
    literalSegments,
  };
}

function matchRoute(
  routes: readonly CompiledRoute[],
  method: string,
  rawPath: string,
): { route: CompiledRoute; pathParameters: Record<string, string> } | undefined {
  const candidates = routes
    .filter((route) => route.spec.method === method)
    .map((route) => ({ route, match: route.pattern.exec(rawPath) }))
    .filter((candidate) => candidate.match !== null)
    .sort((a, b) => b.route.literalSegments - a.route.literalSegments);
  const best = candidates[0];
  if (!best?.match) return undefined;
  const pathParameters: Record<string, string> = {};
  best.route.parameterNames.forEach((name, index) => {
    pathParameters[name] = safeDecode(best.match?.[index + 1] ?? '');
  });
  return { route: best.route, pathParameters };
}

/** The issuer's JWKS, found through its discovery document on first use (retried after a failure). */
function issuerKeySet(issuer: () => string): JWTVerifyGetKey {
  let keySet: Promise<JWTVerifyGetKey> | undefined;
  const load = async (): Promise<JWTVerifyGetKey> => {
    const response = await fetch(`${issuer().replace(/\/$/, '')}/.well-known/openid-configuration`);
    if (!response.ok) throw new Error(`discovery answered ${response.status}`);
    const { jwks_uri: jwksUri, issuer: advertised } = (await response.json()) as {
      jwks_uri?: string;
      issuer?: string;
    };
    if (!jwksUri || advertised !== issuer()) throw new Error('discovery document does not match the issuer');
    return createRemoteJWKSet(new URL(jwksUri), { cooldownDuration: 1000 });
  };
  return async (header, token) => {
    keySet ??= load();
    try {
      return await (await keySet)(header, token);
    } catch (error) {
      keySet = undefined;
      throw error;
    }
  };
}

async function createVerifier(
  config: GatewayJwtConfig,
): Promise<(authorization: string | undefined) => Promise<JWTPayload | undefined>> {
  let key: CryptoKey | KeyObject | JWTVerifyGetKey;
  let jwk: JWK | undefined;
  if (config.publicKey === undefined) {
    key = issuerKeySet(() => config.issuer);
  } else {
    jwk = isKeyObjectOrCryptoKey(config.publicKey) ? undefined : (config.publicKey as JWK);
    if (jwk && jwk.kty !== 'RSA') throw new Error('The JWT authorizer accepts RSA keys only (kty RSA)');
    key = jwk
      ? ((await importJWK(jwk, jwk.alg ?? 'RS256')) as CryptoKey)
      : (config.publicKey as CryptoKey | KeyObject);
    if (!jwk && !isRsaKey(key)) throw new Error('The JWT authorizer accepts RSA keys only');
  }
  const audiences: readonly string[] =
    typeof config.audience === 'string' ? [config.audience] : config.audience;

  return async (authorization) => {
    const token = authorization?.replace(/^Bearer\s+/i, '').trim();
    if (!token) return undefined;
    try {
      if (jwk?.kid !== undefined && decodeProtectedHeader(token).kid !== jwk.kid) return undefined;
      // jose refuses alg "none" and any algorithm outside this list; exp, nbf and iss are checked here too.
      // The issuer is read per request: the local stack only knows it (its own URL) once the gateway listens.
      const { payload } = await jwtVerify(token, key as CryptoKey, {
        issuer: config.issuer,
        algorithms: RSA_ALGORITHMS,
        requiredClaims: ['exp'],
      });
      const tokenAudiences = typeof payload.aud === 'string' ? [payload.aud] : (payload.aud ?? []);
      const audienceMatches =
        tokenAudiences.length > 0
          ? tokenAudiences.some((audience) => audiences.includes(audience))
          : typeof payload.client_id === 'string' && audiences.includes(payload.client_id);
      if (!audienceMatches) return undefined;
      if (typeof payload.iat === 'number' && payload.iat > Math.floor(Date.now() / 1000)) return undefined;
      return payload;
    } catch {
      return undefined;
    }
  };
}

function isKeyObjectOrCryptoKey(key: unknown): boolean {
  return typeof key === 'object' && key !== null && 'type' in key && !('kty' in key);
}

function isRsaKey(key: unknown): boolean {
  const algorithm = (key as { algorithm?: { name?: string } }).algorithm?.name;
  const asymmetricKeyType = (key as { asymmetricKeyType?: string }).asymmetricKeyType;
  return algorithm === 'RSASSA-PKCS1-v1_5' || asymmetricKeyType === 'rsa';
}

function buildEvent(input: {
  req: IncomingMessage;
  route: CompiledRoute;
  pathParameters: Record<string, string>;
  rawPath: string;
  rawQueryString: string;
  body: Buffer;
  claims: JWTPayload | undefined;
  requestId: string;
  accountId: string;
  now: Date;
}): APIGatewayProxyEventV2WithJWTAuthorizer {
  const { req, route, now } = input;
  const sourceIp = (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
  // Maps, then Object.fromEntries: a header or parameter named `__proto__` or `constructor` becomes an own
  // property, as JSON.parse makes it of the event on AWS, instead of hitting (or reading) Object.prototype.
  const headerMap = new Map<string, string>();
  const cookies: string[] = [];
  for (let index = 0; index < req.rawHeaders.length; index += 2) {
    const name = (req.rawHeaders[index] as string).toLowerCase();
    const value = req.rawHeaders[index + 1] as string;
    // Payload 2.0 moves cookies out of the headers into `cookies`.
    if (name === 'cookie') {
      cookies.push(
        ...value
          .split(';')
          .map((cookie) => cookie.trim())
          .filter(Boolean),
      );
      continue;
    }
    const earlier = headerMap.get(name);
    headerMap.set(name, earlier === undefined ? value : `${earlier},${value}`);
  }
  const headers: Record<string, string> = Object.fromEntries(headerMap);
  headers['x-forwarded-for'] = headers['x-forwarded-for']
    ? `${headers['x-forwarded-for']}, ${sourceIp}`
    : sourceIp;
  headers['x-forwarded-port'] = String(req.socket.localPort ?? '');
  headers['x-forwarded-proto'] = 'http';
  headers['x-amzn-trace-id'] ??=
    `Root=1-${Math.floor(now.getTime() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;

  const queryMap = new Map<string, string>();
  for (const [name, value] of new URLSearchParams(input.rawQueryString)) {
    const earlier = queryMap.get(name);
    queryMap.set(name, earlier === undefined ? value : `${earlier},${value}`);
  }
  const queryStringParameters: Record<string, string> = Object.fromEntries(queryMap);
  const domainName = headers.host ?? 'localhost';
  const hasBody = input.body.length > 0;
  const isBase64Encoded = hasBody && !isTextContentType(headers['content-type']);

  const event = {
    version: '2.0',
    routeKey: route.routeKey,
    rawPath: input.rawPath,
    rawQueryString: input.rawQueryString,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(Object.keys(queryStringParameters).length > 0 ? { queryStringParameters } : {}),
    requestContext: {
      accountId: input.accountId,
      apiId: API_ID,
      ...(input.claims
        ? // Scopes are only filled in for routes with authorization scopes; ours have none, so AWS sends null.
          { authorizer: { jwt: { claims: claimsAsStrings(input.claims), scopes: null } } }
        : {}),
      domainName,
      domainPrefix: domainName.split('.')[0] ?? domainName,
      http: {
        method: req.method ?? 'GET',
        path: input.rawPath,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: input.requestId,
      routeKey: route.routeKey,
      stage: '$default',
      time: formatRequestTime(now),
      timeEpoch: now.getTime(),
    },
    ...(hasBody ? { body: input.body.toString(isBase64Encoded ? 'base64' : 'utf8') } : {}),
    ...(Object.keys(input.pathParameters).length > 0 ? { pathParameters: input.pathParameters } : {}),
    isBase64Encoded,
  };
  return event as unknown as APIGatewayProxyEventV2WithJWTAuthorizer;
}

/** API Gateway hands claims over as strings: numbers printed, arrays as `[a b]`. */
function claimsAsStrings(claims: JWTPayload): Record<string, string> {
  const flattened: Record<string, string> = {};
  for (const [name, value] of Object.entries(claims)) {
    if (Array.isArray(value)) flattened[name] = `[${value.join(' ')}]`;
    else if (typeof value === 'object' && value !== null) flattened[name] = JSON.stringify(value);
    else flattened[name] = String(value);
  }
  return flattened;
}

/** HTTP APIs base64-encode every body whose content type is not text. */
function isTextContentType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const mediaType = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  return (
    mediaType.startsWith('text/') ||
    mediaType.endsWith('+json') ||
    mediaType.endsWith('+xml') ||
    ['application/json', 'application/xml', 'application/javascript', 'application/ecmascript'].includes(
      mediaType,
    )
  );
}

const timedOut = Symbol('timedOut');

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | typeof timedOut> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof timedOut>((resolve) => {
    timer = setTimeout(() => resolve(timedOut), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Maps a handler's result to HTTP by API Gateway's payload 2.0 rules. */
function toHttpResult(result: unknown): HttpResult {
  const structured = typeof result === 'object' && result !== null && 'statusCode' in result;
  if (!structured) {
    const body = typeof result === 'string' ? result : JSON.stringify(result ?? null);
    return {
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      cookies: [],
      body: Buffer.from(body),
    };
  }
  const response = result as Record<string, unknown>;
  const { statusCode, body, isBase64Encoded } = response;
  if (
    typeof statusCode !== 'number' ||
    !Number.isInteger(statusCode) ||
    statusCode < 100 ||
    statusCode > 599
  ) {
    throw new MalformedResponseError(`statusCode ${String(statusCode)}`);
  }
  if (body !== undefined && body !== null && typeof body !== 'string') {
    throw new MalformedResponseError('body must be a string');
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(
    (response.headers as Record<string, unknown> | undefined) ?? {},
  )) {
    if (typeof value === 'object' && value !== null) throw new MalformedResponseError(`header ${name}`);
    headers[name.toLowerCase()] = String(value);
  }
  const cookies = response.cookies ?? [];
  if (!Array.isArray(cookies) || cookies.some((cookie) => typeof cookie !== 'string')) {
    throw new MalformedResponseError('cookies must be strings');
  }
  const text = body ?? '';
  return {
    statusCode,
    headers,
    cookies: cookies as string[],
    body: isBase64Encoded === true ? Buffer.from(text, 'base64') : Buffer.from(text),
  };
}

/** A Lambda context object as the runtime gives one; the local stack uses it for workflow tasks too. */
export function lambdaContext(
  name: string,
  region = 'eu-west-2',
  accountId = '000000000000',
  timeoutMs = INTEGRATION_TIMEOUT_MS,
): Context {
  const functionName = `keyholder-${name}`;
  const deadline = Date.now() + timeoutMs;
  const unsupported = () => {
    throw new Error('Callback-style handlers are not supported; return a promise');
  };
  const day = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:${accountId}:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `${day}/[$LATEST]${randomBytes(16).toString('hex')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}

function formatRequestTime(date: Date): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  return (
    `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
  );
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
