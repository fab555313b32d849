// The HTTP API: API Gateway HTTP API, JWT authorizer, and one function per route name from lambdas/routes.ts.
import { Duration } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { API_CORS } from '../lambdas/http/cors.ts';
import type { RouteSpec } from '../lambdas/routes.ts';
import { pascalCase } from './access-workflow.ts';
import { acknowledge } from './compliance.ts';
import { functionSizing } from './function-sizing.ts';
import { KeyholderFunction, type KeyholderResources } from './keyholder-function.ts';
import { KeyholderOperations } from './operations.ts';

/** Stage throttling for every route (context `keyholder:apiRateLimit` / `keyholder:apiBurstLimit`). */
export const DEFAULT_API_THROTTLE = { rateLimit: 50, burstLimit: 100 } as const;

const SCIM_REASON =
  'SCIM 2.0 provisioning (Entra ID, Okta): their provisioning services cannot obtain our JWTs; every call carries ' +
  "the client's bearer secret (Secrets Manager, KMS), checked in constant time before anything is read.";

/**
 * Why each route without the JWT authorizer may be called without one (AwsSolutions-APIG4). A new public route
 * fails the synth until it says here what authenticates it instead.
 */
export const UNAUTHENTICATED_ROUTES: Readonly<Record<string, string>> = {
  '/approve/{token}':
    'Emailed approval link: the single-use, expiring link token names the approver and the request ' +
    '(checked in lambdas/core), and approvers may have no account with the identity provider.',
  '/review/{token}':
    'Emailed access-review link: the single-use, expiring link token authenticates the reviewer, as for ' +
    'approval links.',
  '/slack/interactions':
    'Slack calls this endpoint: every request is authenticated by its HMAC signature with the signing secret ' +
    'and a five-minute timestamp window, verified before anything is read.',
  '/health': 'Liveness probe for monitors: answers a constant and reads no data at all.',
  '/openapi.json': 'The public API contract (OpenAPI document): static, contains no data.',
  '/auth/config':
    'How to sign in (issuer, audience, public client ids): what a client reads before it has a token; ' +
    'configuration only, no personal or request data.',
  '/transparency':
    'The public transparency report by design: aggregate counts only, no personal or request data.',
  '/scim/v2/ServiceProviderConfig': SCIM_REASON,
  '/scim/v2/ResourceTypes': SCIM_REASON,
  '/scim/v2/Schemas': SCIM_REASON,
  '/scim/v2/Users': SCIM_REASON,
  '/scim/v2/Users/{id}': SCIM_REASON,
  '/scim/v2/Groups': SCIM_REASON,
  '/scim/v2/Groups/{id}': SCIM_REASON,
};

export interface KeyholderHttpApiProps {
  /** The identity provider's issuer URL; API Gateway fetches its JWKS. */
  readonly jwtIssuer: string;
  /** Accepted `aud` values; a token must match one. */
  readonly jwtAudience: readonly string[];
  /** Default stage throttling for every route. @default DEFAULT_API_THROTTLE: 50 requests/s, bursts of 100 */
  readonly throttle?: { readonly rateLimit: number; readonly burstLimit: number };
  readonly logRetention?: RetentionDays;
  /**
   * The browser origins allowed to call the API (the console's, issue 14); API Gateway answers their preflight
   * with the headers and methods of lambdas/http/cors.ts. @default none: CORS off
   */
  readonly corsOrigins?: readonly string[];
}

export interface KeyholderRoutesOptions {
  readonly environment: Readonly<Record<string, string>>;
  readonly resources: KeyholderResources;
}

// The fields API Gateway HTTP APIs can log; no request bodies or headers, so no tokens end up in the logs.
const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  requestTime: '$context.requestTime',
  httpMethod: '$context.httpMethod',
  routeKey: '$context.routeKey',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  integrationLatency: '$context.integrationLatency',
  integrationError: '$context.integrationErrorMessage',
  authorizerError: '$context.authorizer.error',
  principalId: '$context.authorizer.claims.sub',
};

/**
 * Built in two steps because the routes' functions need the state machine, while the workflow needs this
 * API's URL for approval links: create the API, then the workflow, then `addRoutes`.
 */
export class KeyholderHttpApi extends Construct {
  readonly httpApi: HttpApi;
  readonly stage: HttpStage;
  readonly authorizer: HttpJwtAuthorizer;
  /** Function per route name (several routes may share one function). */
  readonly functions = new Map<string, KeyholderFunction>();
  private readonly integrations = new Map<string, { route: RouteSpec; integration: HttpLambdaIntegration }>();

  constructor(scope: Construct, id: string, props: KeyholderHttpApiProps) {
    super(scope, id);

    // CORS for the console's origin only (the approval and review pages are served by this API itself).
    this.httpApi = new HttpApi(this, 'HttpApi', {
      description: 'Keyholder: governed, time-limited access requests',
      createDefaultStage: false,
      ...(props.corsOrigins?.length
        ? {
            corsPreflight: {
              allowOrigins: [...props.corsOrigins],
              allowHeaders: [...API_CORS.allowHeaders],
              allowMethods: API_CORS.allowMethods.map((method) => CorsHttpMethod[method]),
              exposeHeaders: [...API_CORS.exposeHeaders],
              maxAge: Duration.seconds(API_CORS.maxAgeSeconds),
              allowCredentials: false,
            },
          }
        : {}),
    });

    const accessLogs = KeyholderOperations.of(this).logGroup(this, 'AccessLogs', props.logRetention);
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle ?? DEFAULT_API_THROTTLE,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });

    this.authorizer = new HttpJwtAuthorizer('JwtAuthorizer', props.jwtIssuer, {
      jwtAudience: [...props.jwtAudience],
    });
  }

  /** The API's base URL (ends with `/`); it names only the API, so functions anywhere may reference it. */
  get url(): string {
    return this.stage.url;
  }

  addRoutes(routes: readonly RouteSpec[], options: KeyholderRoutesOptions): void {
    for (const route of routes) {
      const added = this.httpApi.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration: this.integrationFor(route, options),
        authorizer: route.auth === 'jwt' ? this.authorizer : undefined,
      });
      if (route.auth === 'none') {
        const reason = UNAUTHENTICATED_ROUTES[route.path];
        if (!reason)
          throw new Error(
            `${route.method} ${route.path} has no authorizer: say why in UNAUTHENTICATED_ROUTES`,
          );
        for (const httpRoute of added) acknowledge(httpRoute, ['AwsSolutions-APIG4'], reason);
      }
    }
  }

  private integrationFor(route: RouteSpec, options: KeyholderRoutesOptions): HttpLambdaIntegration {
    const existing = this.integrations.get(route.name);
    if (existing) {
      // One function serves one set of needs: a route sharing it must not silently widen or narrow them.
      const same =
        existing.route.entry === route.entry &&
        [...existing.route.needs].sort().join() === [...route.needs].sort().join();
      if (!same) throw new Error(`Routes named "${route.name}" disagree on their entry or needs`);
      return existing.integration;
    }
    const fn = new KeyholderFunction(this, `${pascalCase(route.name)}Function`, {
      entry: route.entry,
      description: `Keyholder HTTP ${route.name}`,
      environment: options.environment,
      ...functionSizing('http', route.name),
    }).allow(route.needs, options.resources);
    const integration = new HttpLambdaIntegration(`${pascalCase(route.name)}Integration`, fn);
    this.functions.set(route.name, fn);
    this.integrations.set(route.name, { route, integration });
    return integration;
  }
}
