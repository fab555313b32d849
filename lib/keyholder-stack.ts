// The Keyholder stack: composes the tables (stateful) with the workflow, the HTTP API and mail (stateless).
import { CfnOutput, Duration, Lazy, Stack, type StackProps } from 'aws-cdk-lib';
import { ConfigurationSet } from 'aws-cdk-lib/aws-ses';
import type { Construct } from 'constructs';
import { ENV } from '../lambdas/commons/config.ts';
import { DEFAULT_SIGN_IN } from '../lambdas/commons/sign-in-config.ts';
import { parseDuration } from '../lambdas/core/duration.ts';
import type { Role } from '../lambdas/core/model.ts';
import type { Policy } from '../lambdas/core/policy.ts';
import { DEFAULT_PRINCIPAL_CLAIM, type PrincipalClaim } from '../lambdas/core/principal-claim.ts';
import { DEFAULT_GROUP_ROLES, type ScimPrincipalId } from '../lambdas/core/scim/user.ts';
import { ROUTES } from '../lambdas/routes.ts';
import { KeyholderAccessProviders } from './access-providers.ts';
import { AccessWorkflow } from './access-workflow.ts';
import { AuditAnchors } from './audit-anchors.ts';
import { BreakGlassAlarms } from './break-glass-alarms.ts';
import { KeyholderConsole } from './console.ts';
import { DriftAlarms } from './drift-alarms.ts';
import { KeyholderHttpApi } from './http-api.ts';
import type { KeyholderResources } from './keyholder-function.ts';
import { InboundMail } from './mail-inbound.ts';
import { KeyholderNotices } from './notices.ts';
import { KeyholderOperations } from './operations.ts';
import { KeyholderScimSecret } from './scim.ts';
import { KeyholderSlack } from './slack.ts';
import { KeyholderSweep } from './sweep.ts';
import { KeyholderTables } from './tables.ts';
import { TransparencyReports } from './transparency.ts';

export interface KeyholderStackProps extends StackProps {
  /** The effective policy (already resolved over the defaults). */
  readonly policy: Policy;
  readonly jwtIssuer: string;
  readonly jwtAudience: readonly string[];
  /** Verified SES sender of the approval emails. */
  readonly mailFrom: string;
  /** @default a name CloudFormation generates */
  readonly sesConfigurationSetName?: string;
  /** Base of the approval links in emails. @default the API's own endpoint URL */
  readonly publicBaseUrl?: string;
  /** Slack prompts and messages; the stack creates the app's secret (name optional). @default Slack off */
  readonly slack?: { readonly secretName?: string | undefined };
  /** Domain of the reply-to-decide addresses, received by SES. @default no email replies */
  readonly inboundMailDomain?: string;
  /** How often the scheduled sweep runs (context `keyholder:sweepRate`). @default 15 minutes */
  readonly sweepRate?: Duration | undefined;
  /** API stage throttling (context `keyholder:apiRateLimit`, `keyholder:apiBurstLimit`). @default 50/s, 100 */
  readonly apiThrottle?: { readonly rateLimit: number; readonly burstLimit: number } | undefined;
  /**
   * Sign-in (context `keyholder:principalClaim`, `keyholder:cliClientId`, `keyholder:consoleClientId`,
   * `keyholder:signInScopes`): which token claim is the principal id, and what GET /auth/config tells the clients.
   * @default `sub`, clients keyholder-cli / keyholder-console, scopes openid profile email offline_access
   */
  readonly signIn?: {
    readonly principalClaim?: PrincipalClaim | undefined;
    readonly cliClientId?: string | undefined;
    readonly consoleClientId?: string | undefined;
    readonly scopes?: readonly string[] | undefined;
  };
  /**
   * The web console on CloudFront (issue 14; context `keyholder:consoleDomain`, `keyholder:consoleCertificateArn`,
   * `keyholder:consoleAssets`). @default the *.cloudfront.net domain, the build in web/dist (a placeholder if none)
   */
  readonly console?: {
    readonly domain?: { readonly name: string; readonly certificateArn: string } | undefined;
    readonly assets?: string | undefined;
  };
  /**
   * SCIM provisioning (issue 15; context `keyholder:scimPrincipalId`, `keyholder:scimGroupRoles`), for the SCIM
   * function only. @default externalId when the claim is oid, else userName; DEFAULT_GROUP_ROLES
   */
  readonly scim?: {
    readonly principalId?: ScimPrincipalId | undefined;
    readonly groupRoles?: Readonly<Record<string, Role>> | undefined;
  };
}

export class KeyholderStack extends Stack {
  readonly tables: KeyholderTables;
  readonly workflow: AccessWorkflow;
  readonly api: KeyholderHttpApi;
  readonly console: KeyholderConsole;

  constructor(scope: Construct, id: string, props: KeyholderStackProps) {
    super(scope, id, props);

    this.tables = new KeyholderTables(this, 'Tables');

    const configurationSet = new ConfigurationSet(this, 'MailConfigurationSet', {
      configurationSetName: props.sesConfigurationSetName,
      reputationMetrics: true,
    });

    this.api = new KeyholderHttpApi(this, 'Api', {
      jwtIssuer: props.jwtIssuer,
      jwtAudience: props.jwtAudience,
      throttle: props.apiThrottle,
      // The console is made below: it needs the API's URL, the API's CORS needs the console's origin.
      corsOrigins: [Lazy.string({ produce: () => this.console.origin })],
    });

    const environment = {
      [ENV.policyJson]: JSON.stringify(props.policy),
      [ENV.mailFrom]: props.mailFrom,
      [ENV.publicBaseUrl]: props.publicBaseUrl || this.api.url,
      ...(props.inboundMailDomain ? { [ENV.replyDomain]: props.inboundMailDomain } : {}),
      [ENV.principalClaim]: props.signIn?.principalClaim ?? DEFAULT_PRINCIPAL_CLAIM,
      [ENV.oidcIssuer]: props.jwtIssuer,
      [ENV.oidcAudience]: props.jwtAudience[0] ?? '',
      [ENV.cliClientId]: props.signIn?.cliClientId ?? DEFAULT_SIGN_IN.cliClientId,
      [ENV.consoleClientId]: props.signIn?.consoleClientId ?? DEFAULT_SIGN_IN.consoleClientId,
      [ENV.signInScopes]: (props.signIn?.scopes ?? DEFAULT_SIGN_IN.scopes).join(' '),
    };
    // Slack and email replies (issue 3): optional channels, composed here and granted through `needs`.
    const slack = props.slack
      ? new KeyholderSlack(this, 'Slack', { secretName: props.slack.secretName })
      : undefined;
    const scimSecret = new KeyholderScimSecret(this, 'Scim').secret;
    // Notices leave the caller's path through the queue (issue 17); every `notices:enqueue` need is granted on it.
    const notices = new KeyholderNotices(this, 'Notices');
    const resources: Omit<KeyholderResources, 'stateMachine'> = {
      noticeQueue: notices.queue,
      stateTable: this.tables.stateTable,
      auditTable: this.tables.auditTable,
      encryptionKey: this.tables.encryptionKey,
      mail: { from: props.mailFrom, configurationSet },
      slackSecret: slack?.secret,
      // SCIM provisioning (issue 15): the clients' bearer secrets, granted through the `scim:tokens` need.
      scimSecret,
      // Access providers (issue 7): their secret and platforms, granted through the `providers:call` need.
      providers: new KeyholderAccessProviders(this, 'AccessProviders', {
        policy: props.policy,
        sweepRate: props.sweepRate,
      }).resources,
    };

    notices.addNotifier({ environment, resources });

    // Tamper evidence outside the table, and the public report (issue 5).
    const auditAnchors = new AuditAnchors(this, 'AuditAnchors', { environment, resources });
    const transparency = new TransparencyReports(this, 'Transparency', {
      environment,
      resources: { ...resources, anchorBucket: auditAnchors.bucket },
    });

    // Step Functions counts whole seconds; round up so a short test policy never times out early.
    const approvalTimeoutSeconds = Math.ceil(
      parseDuration(props.policy.approvalTimeout, 'approvalTimeout') / 1000,
    );
    this.workflow = new AccessWorkflow(this, 'Workflow', {
      approvalTimeout: Duration.seconds(approvalTimeoutSeconds),
      environment,
      resources,
    });
    KeyholderOperations.of(this).watchStateMachine(this.workflow.stateMachine);

    this.api.addRoutes(ROUTES, {
      environment,
      resources: {
        ...resources,
        stateMachine: this.workflow.stateMachine,
        anchorBucket: auditAnchors.bucket,
        transparencyBucket: transparency.bucket,
      },
    });

    // SCIM provisioning: which attribute is the principal id and which groups give roles (the SCIM function's own).
    const scimFunction = this.api.functions.get('scim');
    if (!scimFunction) throw new Error('no SCIM function: lambdas/routes.ts names no scim route');
    const principalClaim = props.signIn?.principalClaim ?? DEFAULT_PRINCIPAL_CLAIM;
    scimFunction.addEnvironment(
      ENV.scimPrincipalId,
      props.scim?.principalId ?? (principalClaim === 'oid' ? 'externalId' : 'userName'),
    );
    scimFunction.addEnvironment(
      ENV.scimGroupRoles,
      JSON.stringify(props.scim?.groupRoles ?? DEFAULT_GROUP_ROLES),
    );

    // The web console (issue 14): CloudFront in front of a private bucket, config.json pointing at this API.
    this.console = new KeyholderConsole(this, 'Console', {
      config: {
        issuer: props.jwtIssuer,
        clientId: props.signIn?.consoleClientId ?? DEFAULT_SIGN_IN.consoleClientId,
        apiUrl: this.api.url,
        audience: props.jwtAudience[0] ?? '',
      },
      apiEndpoint: this.api.httpApi.apiEndpoint,
      domain: props.console?.domain,
      assets: props.console?.assets,
    });

    // Reviews, the expiry safety net, lapsed holders and seat reconciliation (issue 4).
    new KeyholderSweep(this, 'Sweep', {
      environment,
      resources: { ...resources, stateMachine: this.workflow.stateMachine },
      rate: props.sweepRate,
    });
    new DriftAlarms(this, 'DriftAlarms', { policy: props.policy, sweepRate: props.sweepRate });
    new BreakGlassAlarms(this, 'BreakGlassAlarms');

    if (props.inboundMailDomain) {
      const inbound = new InboundMail(this, 'InboundMail', {
        domain: props.inboundMailDomain,
        environment,
        resources: { ...resources, stateMachine: this.workflow.stateMachine },
      });
      new CfnOutput(this, 'InboundRuleSetName', { value: inbound.ruleSet.receiptRuleSetName });
    }
    if (slack) new CfnOutput(this, 'SlackSecretArn', { value: slack.secret.secretArn });

    new CfnOutput(this, 'ApiUrl', { value: this.api.url });
    // The SCIM clients' bearer secrets (README: Provisioning from Entra ID / Okta): {"entra": "<generated>"} at first.
    new CfnOutput(this, 'ScimSecretArn', { value: scimSecret.secretArn });
    new CfnOutput(this, 'ConsoleUrl', { value: this.console.url });
    new CfnOutput(this, 'StateTableName', { value: this.tables.stateTable.tableName });
    new CfnOutput(this, 'AuditTableName', { value: this.tables.auditTable.tableName });
    new CfnOutput(this, 'StateMachineArn', { value: this.workflow.stateMachine.stateMachineArn });
    new CfnOutput(this, 'AuditAnchorBucket', { value: auditAnchors.bucket.bucketName });
    new CfnOutput(this, 'TransparencyBucket', { value: transparency.bucket.bucketName });
  }
}
