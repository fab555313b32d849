// The web console on AWS (issue 14): the built single-page app in a private S3 bucket, served only through
// CloudFront (origin access control), over TLS 1.2+ when a custom domain is configured, with the console's security
// headers (web/security-headers.ts, the same file the local console server uses) and a generated /config.json.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Annotations, type CfnResource, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  PriceClass,
  ResponseHeadersPolicy,
  type ResponseHeadersPolicyProps,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, type ISource, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import { Construct, type IConstruct } from 'constructs';
import { SELF_FRAMED_PATHS, securityHeaders } from '../web/security-headers.ts';
import { acknowledge, regulated, wildcardAction, wildcardResource } from './compliance.ts';
import { ManagedPolicyRole } from './managed-policy-role.ts';
import { KeyholderOperations } from './operations.ts';

const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Where `vite build` puts the console (web/vite.config.ts). */
export const DEFAULT_CONSOLE_ASSETS = path.join(PROJECT_ROOT, 'web', 'dist');

/** Deployed instead of the app when it has not been built (tests, a fresh clone): synth never runs Vite. */
export const PLACEHOLDER_INDEX =
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Keyholder console</title></head>' +
  '<body><h1>Keyholder console</h1><p>The console was not built when this stack was deployed. Run ' +
  '<code>npx vite build --config web/vite.config.ts</code>, then deploy again.</p></body></html>';

/** What the console reads at start (GET /config.json; web/src/config.ts). */
export interface ConsoleConfig {
  readonly issuer: string;
  readonly clientId: string;
  readonly apiUrl: string;
  readonly audience: string;
}

export interface KeyholderConsoleProps {
  /** config.json: the OpenID issuer, the console's public client id, the API's base URL and the audience. */
  readonly config: ConsoleConfig;
  /**
   * The API's origin as the CSP's connect-src names it (`https://<id>.execute-api.<region>.<suffix>`).
   * Used only with a custom domain: see `connectSrcApi` below for why.
   */
  readonly apiEndpoint: string;
  /** A custom domain (context keyholder:consoleDomain) and its ACM certificate in us-east-1. @default none */
  readonly domain?: { readonly name: string; readonly certificateArn: string } | undefined;
  /** The built console (a directory with index.html). @default web/dist; a placeholder page when not built */
  readonly assets?: string | undefined;
}

export class KeyholderConsole extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;
  readonly deployment: BucketDeployment;
  /** The one origin the HTTP API's CORS allows: `https://<custom domain>` or `https://<id>.cloudfront.net`. */
  readonly origin: string;
  /** The console's URL (stack output ConsoleUrl). */
  readonly url: string;
  /** Whether `assets` held a built console (false: the placeholder page is deployed). */
  readonly built: boolean;

  constructor(scope: Construct, id: string, props: KeyholderConsoleProps) {
    super(scope, id);
    const operations = KeyholderOperations.of(this);

    this.bucket = new Bucket(this, 'SiteBucket', {
      // SSE-S3: the AWS-managed aws/s3 key cannot be opened to CloudFront (its key policy is fixed).
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(90) }],
      serverAccessLogsBucket: operations.serverAccessLogs,
      serverAccessLogsPrefix: 'console/',
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(
      this.bucket,
      regulated('S3DefaultEncryptionKMS'),
      'The bucket holds only the console build (HTML, JavaScript, CSS) and config.json naming public ' +
        'endpoints, never personal data; SSE-S3 encrypts it at rest, and the aws/s3 KMS key cannot grant ' +
        'CloudFront origin access control the decrypt it would need.',
    );
    acknowledge(
      this.bucket,
      regulated('S3BucketReplicationEnabled'),
      'The console build is reproducible from the repository and redeployed by every cdk deploy; a replica ' +
        'would protect nothing that a deployment cannot restore.',
    );

    // CloudFront standard logs need a bucket with ACLs enabled (log delivery writes with an ACL grant), so
    // they cannot go to the shared server access log bucket (ACLs disabled).
    const logs = new Bucket(this, 'AccessLogs', {
      encryption: BucketEncryption.S3_MANAGED,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      lifecycleRules: [{ expiration: Duration.days(400), noncurrentVersionExpiration: Duration.days(30) }],
      serverAccessLogsBucket: operations.serverAccessLogs,
      serverAccessLogsPrefix: 'console-access-logs/',
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(
      logs,
      regulated('S3DefaultEncryptionKMS'),
      'CloudFront standard log delivery to an SSE-KMS bucket needs the key opened to the log delivery ' +
        'service; the logs (request lines without bodies or tokens) are encrypted with SSE-S3 instead.',
    );
    acknowledge(
      logs,
      regulated('S3BucketReplicationEnabled'),
      'CloudFront access logs are operational records kept 400 days in one region, as the S3 server access ' +
        'logs are; the audit trail proper is in DynamoDB with PITR and AWS Backup.',
    );

    const origins = { apiUrl: this.connectSrcApi(props), issuer: props.config.issuer };
    const headers = (id: string, framedBySelf: boolean) =>
      new ResponseHeadersPolicy(this, id, {
        comment: framedBySelf
          ? 'Keyholder console: security headers of the silent-renewal page (framed by the console only)'
          : 'Keyholder console: security headers (CSP without inline script, HSTS, no referrer, no framing)',
        ...responseHeadersBehaviours(securityHeaders(origins, { framedBySelf })),
      });
    const pageHeaders = headers('SecurityHeaders', false);
    const framedHeaders = headers('SelfFramedSecurityHeaders', true);

    const certificate = props.domain
      ? Certificate.fromCertificateArn(this, 'Certificate', props.domain.certificateArn)
      : undefined;
    const origin = S3BucketOrigin.withOriginAccessControl(this.bucket);
    const behaviour = {
      origin,
      viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      responseHeadersPolicy: pageHeaders,
    };
    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'Keyholder console',
      defaultBehavior: behaviour,
      additionalBehaviors: Object.fromEntries(
        SELF_FRAMED_PATHS.map((page) => [page, { ...behaviour, responseHeadersPolicy: framedHeaders }]),
      ),
      defaultRootObject: 'index.html',
      // Client-side routes (/inbox, /requests/…): S3 answers 403 for a key that does not exist (no ListBucket).
      errorResponses: [403, 404].map((httpStatus) => ({
        httpStatus,
        responseHttpStatus: 200,
        responsePagePath: '/index.html',
        ttl: Duration.seconds(10),
      })),
      ...(props.domain && certificate
        ? {
            domainNames: [props.domain.name],
            certificate,
            minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
          }
        : {}),
      priceClass: PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: logs,
      logFilePrefix: 'cloudfront/',
    });
    acknowledge(
      this.distribution,
      ['AwsSolutions-CFR1'],
      'No geo restriction: NHS staff and cleared contractors sign in from wherever they work, and the ' +
        'distribution serves only the static console; every piece of data is behind the API and its JWT ' +
        'authorizer, where country would be no substitute for identity.',
    );
    acknowledge(
      this.distribution,
      ['AwsSolutions-CFR2'],
      'No WAF web ACL: the distribution serves static files only (no origin that computes or stores anything), ' +
        'and a CloudFront web ACL must live in us-east-1 outside this stack; the API is throttled per stage.',
    );
    if (!props.domain) {
      acknowledge(
        this.distribution,
        ['AwsSolutions-CFR4'],
        'Without keyholder:consoleDomain the console is served on the default *.cloudfront.net certificate, ' +
          'whose security policy CloudFront fixes; setting the domain and its certificate selects TLSv1.2_2021.',
      );
    }
    const assets = props.assets ?? DEFAULT_CONSOLE_ASSETS;
    this.built = existsSync(path.join(assets, 'index.html'));
    if (!this.built) {
      Annotations.of(this).addInfoV2(
        'keyholder:console-placeholder',
        `No built console in ${assets}: a placeholder page is deployed (build web/ with Vite, then deploy)`,
      );
    }
    const sources: ISource[] = [
      this.built ? Source.asset(assets) : Source.data('index.html', PLACEHOLDER_INDEX),
      Source.jsonData('config.json', props.config),
    ];

    // Its own role and log group instead of AWSLambdaBasicExecutionRole and inline policies.
    const role = new ManagedPolicyRole(this, 'DeploymentRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'Keyholder: copies the console build and config.json into the console bucket',
    });
    const deploymentLogs = operations.logGroup(this, 'DeploymentLogs');
    deploymentLogs.grantWrite(role);
    this.deployment = new BucketDeployment(this, 'Deployment', {
      sources,
      destinationBucket: this.bucket,
      // Revalidated on every load (ETag): CloudFront keeps a no-cache object for the cache policy's minimum TTL
      // (1 s), so a deployment is visible at once without an invalidation (whose grant CDK writes on "*").
      cacheControl: [CacheControl.noCache()],
      role,
      logGroup: deploymentLogs,
    });
    this.acknowledgeDeployment(role);

    this.origin = props.domain
      ? `https://${props.domain.name}`
      : `https://${this.distribution.distributionDomainName}`;
    this.url = `${this.origin}/`;
  }

  /**
   * The API in the CSP's connect-src. The HTTP API's CORS names this distribution's domain, so with the default
   * *.cloudfront.net domain the headers policy cannot also name the API's generated id: CloudFormation would see
   * API -> distribution -> headers policy -> API. The policy then allows API Gateway endpoints of this region
   * (still no other host); with keyholder:consoleDomain the CORS origin is a plain string and the CSP names
   * exactly this API.
   */
  private connectSrcApi(props: KeyholderConsoleProps): string {
    if (props.domain) return props.apiEndpoint;
    const stack = Stack.of(this);
    return `https://*.execute-api.${stack.region}.${stack.urlSuffix}`;
  }

  /** BucketDeployment's handler is CDK's (one function per stack); what it cannot meet, with the reason. */
  private acknowledgeDeployment(role: ManagedPolicyRole): void {
    // The grants BucketDeployment gives its role: read the staged assets, replace the console bucket's objects.
    acknowledge(
      role,
      ['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*'].map(wildcardAction),
      "aws-cdk-lib's BucketDeployment grants: read the staged build in the CDK assets bucket, then sync it into " +
        'the console bucket (put, delete pruned files, abort multipart uploads); only those two buckets.',
    );
    acknowledge(
      role,
      [wildcardResource(this, this.bucket.arnForObjects('*'))],
      'The deployment replaces the whole console build, so it writes and prunes any key of the console bucket ' +
        '(which holds nothing else).',
    );
    acknowledge(
      role,
      stagedAssetWildcards(role).map((arn) => `AwsSolutions-IAM5[Resource::${arn}]`),
      'The build and config.json are staged by cdk deploy under generated keys of the CDK assets bucket; the ' +
        'deployment reads them from there and writes nothing to it.',
    );
    const handler = bucketDeploymentHandler(Stack.of(this));
    role.assumedBy(handler.node.defaultChild as CfnResource);
    acknowledge(
      handler,
      ['AwsSolutions-L1'],
      "CDK's BucketDeployment handler: its runtime is pinned by aws-cdk-lib and moves with it; it runs only " +
        'during cdk deploy, copying files, and serves no request.',
    );
    acknowledge(
      handler,
      regulated('LambdaInsideVPC'),
      'The deployment handler reaches only S3 and CloudFront APIs over TLS, authorised by IAM; a VPC would add ' +
        'NAT or endpoints and no control, as for the other Keyholder functions.',
    );
    acknowledge(
      handler,
      regulated('LambdaConcurrency'),
      'Invoked by CloudFormation once per deployment of the console: concurrency is bounded by deployments, ' +
        'so a reservation would only take capacity from the account.',
    );
    acknowledge(
      handler,
      regulated('LambdaDLQ'),
      'A CloudFormation custom resource: a failed copy fails the deployment, which CloudFormation reports and ' +
        'rolls back; there is no asynchronous event to keep.',
    );
  }
}

/** The CDK assets bucket's `/*` resources BucketDeployment grants read on (flattened as cdk-nag names them). */
function stagedAssetWildcards(role: ManagedPolicyRole): string[] {
  const READ = ['s3:GetBucket*', 's3:GetObject*', 's3:List*'].join();
  const document = Stack.of(role).resolve(role.policy.document.toJSON()) as {
    Statement: { Action: string | string[]; Resource: unknown }[];
  };
  const wildcards = document.Statement.filter(
    (statement) => [statement.Action].flat().sort().join() === READ,
  ).flatMap((statement) =>
    [statement.Resource].flat().map((resource) => flattenCfnReference(resource) as string),
  );
  return [...new Set(wildcards.filter((arn) => arn.endsWith('/*')))];
}

/** The singleton handler BucketDeployment adds to the stack (its id starts with Custom::CDKBucketDeployment). */
function bucketDeploymentHandler(stack: Stack): IConstruct {
  const handler = stack.node.children.find((child) =>
    child.node.id.startsWith('Custom::CDKBucketDeployment'),
  );
  if (!handler) throw new Error("BucketDeployment's handler was not found in the stack");
  return handler;
}

/**
 * The header record of web/security-headers.ts as CloudFront's response headers policy: the five it knows as
 * security headers, every other one as a custom header. Nothing is dropped silently.
 */
export function responseHeadersBehaviours(
  headers: Readonly<Record<string, string>>,
): Pick<ResponseHeadersPolicyProps, 'securityHeadersBehavior' | 'customHeadersBehavior'> {
  const {
    'content-security-policy': csp,
    'strict-transport-security': hsts,
    'referrer-policy': referrer,
    'x-content-type-options': contentTypeOptions,
    'x-frame-options': frameOptions,
    ...custom
  } = headers;
  if (!csp || !hsts || !referrer || contentTypeOptions !== 'nosniff' || !frameOptions) {
    throw new Error(
      'web/security-headers.ts must give CSP, HSTS, Referrer-Policy, nosniff and X-Frame-Options',
    );
  }
  const maxAge = /max-age=(\d+)/.exec(hsts)?.[1];
  if (!maxAge) throw new Error(`Strict-Transport-Security without max-age: ${hsts}`);
  if (!Object.values<string>(HeadersReferrerPolicy).includes(referrer)) {
    throw new Error(`Referrer-Policy CloudFront cannot send: ${referrer}`);
  }
  if (!Object.values<string>(HeadersFrameOption).includes(frameOptions)) {
    throw new Error(`X-Frame-Options CloudFront cannot send: ${frameOptions}`);
  }
  return {
    securityHeadersBehavior: {
      contentSecurityPolicy: { contentSecurityPolicy: csp, override: true },
      strictTransportSecurity: {
        accessControlMaxAge: Duration.seconds(Number(maxAge)),
        includeSubdomains: /includeSubDomains/i.test(hsts),
        preload: /preload/i.test(hsts),
        override: true,
      },
      referrerPolicy: { referrerPolicy: referrer as HeadersReferrerPolicy, override: true },
      contentTypeOptions: { override: true },
      frameOptions: { frameOption: frameOptions as HeadersFrameOption, override: true },
    },
    customHeadersBehavior: {
      customHeaders: Object.entries(custom).map(([header, value]) => ({ header, value, override: true })),
    },
  };
}
