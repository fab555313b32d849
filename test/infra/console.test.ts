// The web console on AWS (issue 14): a private bucket behind CloudFront origin access control, TLS 1.2 on a custom
// domain, the security headers of web/security-headers.ts, config.json pointing at this API, CORS for the console's
// origin only, and the context keys validated at synth. Never runs Vite: the assets are a fixed directory.
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { API_CORS } from '../../lambdas/http/cors.ts';
import { PLACEHOLDER_INDEX } from '../../lib/console.ts';
import { buildKeyholderApp } from '../../lib/keyholder-app.ts';

const ISSUER = 'https://login.example.org/realms/nhs/';
const CERTIFICATE = 'arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012';

/** A stand-in build: deterministic, and whatever web/dist holds on this machine does not matter. */
const BUILT = mkdtempSync(path.join(tmpdir(), 'keyholder-console-'));
writeFileSync(path.join(BUILT, 'index.html'), '<!doctype html><title>built</title>');

const CONTEXT = {
  'aws:cdk:bundling-stacks': [],
  'aws:cdk:disable-stack-trace': true,
  'keyholder:jwtIssuer': ISSUER,
  'keyholder:jwtAudience': 'keyholder-api',
  'keyholder:mailFrom': 'keyholder@example.org',
  'keyholder:consoleAssets': BUILT,
};
const DOMAIN = {
  'keyholder:consoleDomain': 'console.keyholder.example.org',
  'keyholder:consoleCertificateArn': CERTIFICATE,
};

interface Synthesized {
  readonly template: Template;
  readonly outdir: string;
  readonly built: boolean;
}

function synthesize(context: Record<string, unknown> = {}): Synthesized {
  const outdir = mkdtempSync(path.join(tmpdir(), 'keyholder-console-out-'));
  const { app, stack } = buildKeyholderApp({ ...CONTEXT, ...context }, { validation: false, outdir });
  app.synth();
  return { template: Template.fromStack(stack), outdir, built: stack.console.built };
}

/** A CloudFormation string value with every reference written as ${Logical.Attr} (or ${Ref}). */
function render(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    if ('Fn::Join' in object) {
      const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
      return parts.map(render).join(separator);
    }
    if ('Ref' in object) return `\${${object.Ref}}`;
    if ('Fn::GetAtt' in object) return `\${${(object['Fn::GetAtt'] as string[]).join('.')}}`;
  }
  throw new Error(`Cannot render ${JSON.stringify(value)}`);
}

function resourcesOf(template: Template, type: string): [string, Record<string, any>][] {
  return Object.entries(template.findResources(type));
}

function headersPolicies(template: Template): Record<string, any>[] {
  return resourcesOf(template, 'AWS::CloudFront::ResponseHeadersPolicy').map(
    ([, resource]) => resource.Properties.ResponseHeadersPolicyConfig,
  );
}

/** The policy for every page but the silent-renewal one, and its CSP directives by name. */
function pagePolicy(template: Template): { config: Record<string, any>; csp: Map<string, string> } {
  const config = headersPolicies(template).find((policy) =>
    render(policy.SecurityHeadersConfig.ContentSecurityPolicy.ContentSecurityPolicy).includes(
      "frame-ancestors 'none'",
    ),
  );
  if (!config) throw new Error('no headers policy with frame-ancestors none');
  const csp = render(config.SecurityHeadersConfig.ContentSecurityPolicy.ContentSecurityPolicy);
  return {
    config,
    csp: new Map(
      csp.split(';').map((directive) => {
        const [name, ...values] = directive.trim().split(/\s+/);
        return [name ?? '', values.join(' ')];
      }),
    ),
  };
}

/** config.json as deployed: the staged file with BucketDeployment's deploy-time markers put back. */
function deployedConfig({ template, outdir }: Synthesized): Record<string, string> {
  const [[, deployment]] = resourcesOf(template, 'Custom::CDKBucketDeployment') as [[string, any]];
  const keys: string[] = deployment.Properties.SourceObjectKeys.map(render);
  const markers: Record<string, unknown>[] = deployment.Properties.SourceMarkers;
  for (const [index, key] of keys.entries()) {
    const file = path.join(outdir, `asset.${key.replace(/\.zip$/, '')}`, 'config.json');
    if (!existsSync(file)) continue;
    let text = readFileSync(file, 'utf8');
    for (const [marker, value] of Object.entries(markers[index] ?? {})) {
      text = text.split(marker).join(render(value));
    }
    return JSON.parse(text);
  }
  throw new Error(`config.json is not among the deployed sources (${readdirSync(outdir).join(', ')})`);
}

describe('the console on the default CloudFront domain', () => {
  let synthesized: Synthesized;
  beforeAll(() => {
    synthesized = synthesize();
  });

  it('keeps the bucket private: public access blocked, readable only by this distribution through OAC', () => {
    const { template } = synthesized;
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: Match.objectLike({
        OriginAccessControlOriginType: 's3',
        SigningBehavior: 'always',
        SigningProtocol: 'sigv4',
      }),
    });
    const [[bucketId, bucket]] = resourcesOf(template, 'AWS::S3::Bucket').filter(([id]) =>
      id.startsWith('ConsoleSiteBucket'),
    ) as [[string, any]];
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(bucket.Properties.LoggingConfiguration).toBeDefined();
    expect(bucket.Properties.BucketEncryption).toBeDefined();

    const [[, distribution]] = resourcesOf(template, 'AWS::CloudFront::Distribution') as [[string, any]];
    const [origin] = distribution.Properties.DistributionConfig.Origins;
    expect(origin.OriginAccessControlId).toBeDefined();
    expect(origin.S3OriginConfig).toEqual({ OriginAccessIdentity: '' });

    const [[, policy]] = resourcesOf(template, 'AWS::S3::BucketPolicy').filter(
      ([, resource]) => resource.Properties.Bucket.Ref === bucketId,
    ) as [[string, any]];
    const allows = policy.Properties.PolicyDocument.Statement.filter(
      (statement: any) => statement.Effect === 'Allow',
    );
    expect(allows).toHaveLength(1);
    expect(allows[0].Principal).toEqual({ Service: 'cloudfront.amazonaws.com' });
    expect(allows[0].Action).toBe('s3:GetObject');
    expect(render(allows[0].Condition.StringEquals['AWS:SourceArn'])).toContain('ConsoleDistribution');
    // TLS only
    expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });

  it('serves index.html at the root and for client-side routes (403/404), over HTTPS, with access logs', () => {
    const { template } = synthesized;
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultRootObject: 'index.html',
        CustomErrorResponses: [
          Match.objectLike({ ErrorCode: 403, ResponseCode: 200, ResponsePagePath: '/index.html' }),
          Match.objectLike({ ErrorCode: 404, ResponseCode: 200, ResponsePagePath: '/index.html' }),
        ],
        DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'redirect-to-https' }),
        Logging: Match.objectLike({ Bucket: Match.anyValue() }),
      }),
    });
  });

  it('sends a CSP without inline script, HSTS for two years, no referrer, nosniff and no framing', () => {
    const { config, csp } = pagePolicy(synthesized.template);
    expect(csp.get('script-src')).toBe("'self'");
    expect(render(config.SecurityHeadersConfig.ContentSecurityPolicy.ContentSecurityPolicy)).not.toMatch(
      /unsafe-inline|unsafe-eval/,
    );
    expect(csp.get('default-src')).toBe("'none'");
    expect(csp.get('frame-ancestors')).toBe("'none'");
    expect(csp.get('base-uri')).toBe("'none'");
    expect(csp.get('form-action')).toBe("'self' https://login.example.org");
    // The issuer's origin, and (the API's id would make a cycle with CORS) API Gateway endpoints of the region.
    // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation references, as render() writes them
    const region = '${AWS::Region}.${AWS::URLSuffix}';
    expect(csp.get('connect-src')).toBe(`'self' https://*.execute-api.${region} https://login.example.org`);
    expect(config.SecurityHeadersConfig).toMatchObject({
      StrictTransportSecurity: { AccessControlMaxAgeSec: 63072000, IncludeSubdomains: true, Override: true },
      ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true },
      ContentTypeOptions: { Override: true },
      FrameOptions: { FrameOption: 'DENY', Override: true },
    });
  });

  it('lets only the console frame its silent-renewal page', () => {
    const { template } = synthesized;
    const framed = headersPolicies(template).find((policy) =>
      render(policy.SecurityHeadersConfig.ContentSecurityPolicy.ContentSecurityPolicy).includes(
        "frame-ancestors 'self'",
      ),
    );
    expect(framed?.SecurityHeadersConfig.FrameOptions.FrameOption).toBe('SAMEORIGIN');
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        CacheBehaviors: [Match.objectLike({ PathPattern: '/silent-renew.html' })],
      }),
    });
  });

  it('deploys the build and a config.json naming the issuer, the console client, this API and the audience', () => {
    expect(synthesized.built).toBe(true);
    expect(deployedConfig(synthesized)).toEqual({
      issuer: ISSUER,
      clientId: 'keyholder-console',
      apiUrl: expect.stringMatching(/^https:\/\/\$\{ApiHttpApi\w+\}\.execute-api\.\$\{AWS::Region\}\./),
      audience: 'keyholder-api',
    });
  });

  it("allows CORS for the console's CloudFront origin only, with the methods and headers of cors.ts", () => {
    const [[, api]] = resourcesOf(synthesized.template, 'AWS::ApiGatewayV2::Api') as [[string, any]];
    const cors = api.Properties.CorsConfiguration;
    expect(cors.AllowOrigins.map(render)).toEqual([
      expect.stringMatching(/^https:\/\/\$\{ConsoleDistribution\w+\.DomainName\}$/),
    ]);
    expect(cors).toMatchObject({
      AllowHeaders: [...API_CORS.allowHeaders],
      AllowMethods: [...API_CORS.allowMethods],
      ExposeHeaders: [...API_CORS.exposeHeaders],
      MaxAge: API_CORS.maxAgeSeconds,
      AllowCredentials: false,
    });
  });

  it('outputs the console URL', () => {
    const outputs = synthesized.template.findOutputs('ConsoleUrl');
    expect(render(outputs.ConsoleUrl?.Value)).toMatch(
      /^https:\/\/\$\{ConsoleDistribution\w+\.DomainName\}\/$/,
    );
  });
});

describe('the console on a custom domain', () => {
  let synthesized: Synthesized;
  beforeAll(() => {
    synthesized = synthesize({ ...DOMAIN, 'keyholder:consoleClientId': 'console-spa' });
  });

  it('serves the domain with its certificate, TLS 1.2 (TLSv1.2_2021) and SNI', () => {
    synthesized.template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        Aliases: ['console.keyholder.example.org'],
        ViewerCertificate: {
          AcmCertificateArn: CERTIFICATE,
          MinimumProtocolVersion: 'TLSv1.2_2021',
          SslSupportMethod: 'sni-only',
        },
      }),
    });
  });

  it("names exactly this API in connect-src, and allows CORS for the domain's origin only", () => {
    const { csp } = pagePolicy(synthesized.template);
    expect(csp.get('connect-src')).toMatch(
      /^'self' \$\{ApiHttpApi\w+\.ApiEndpoint\} https:\/\/login\.example\.org$/,
    );
    synthesized.template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: Match.objectLike({ AllowOrigins: ['https://console.keyholder.example.org'] }),
    });
    expect(synthesized.template.findOutputs('ConsoleUrl').ConsoleUrl?.Value).toBe(
      'https://console.keyholder.example.org/',
    );
  });

  it('puts the configured console client id into config.json', () => {
    expect(deployedConfig(synthesized).clientId).toBe('console-spa');
  });
});

describe('console context', () => {
  it('refuses a domain without a certificate, naming both keys', () => {
    expect(() =>
      buildKeyholderApp(
        { ...CONTEXT, 'keyholder:consoleDomain': 'console.example.org' },
        { validation: false },
      ),
    ).toThrow(/keyholder:consoleDomain" needs "keyholder:consoleCertificateArn"/);
  });

  it('refuses a certificate without a domain', () => {
    expect(() =>
      buildKeyholderApp(
        { ...CONTEXT, 'keyholder:consoleCertificateArn': CERTIFICATE },
        { validation: false },
      ),
    ).toThrow(/keyholder:consoleCertificateArn" is set without "keyholder:consoleDomain"/);
  });

  it('refuses a certificate outside us-east-1, which CloudFront cannot use', () => {
    expect(() =>
      buildKeyholderApp(
        {
          ...CONTEXT,
          ...DOMAIN,
          'keyholder:consoleCertificateArn': CERTIFICATE.replace('us-east-1', 'eu-west-2'),
        },
        { validation: false },
      ),
    ).toThrow(/keyholder:consoleCertificateArn" must be an ACM certificate ARN in us-east-1/);
  });

  it('refuses a domain that is not a domain name, naming the key', () => {
    expect(() =>
      buildKeyholderApp(
        { ...CONTEXT, ...DOMAIN, 'keyholder:consoleDomain': 'https://console.example.org' },
        { validation: false },
      ),
    ).toThrow(/keyholder:consoleDomain" must be a domain name/);
  });

  it('deploys a placeholder page when the console has not been built (no Vite at synth)', () => {
    const synthesized = synthesize({ 'keyholder:consoleAssets': path.join(BUILT, 'missing') });
    expect(synthesized.built).toBe(false);
    const staged = readdirSync(synthesized.outdir)
      .map((entry) => path.join(synthesized.outdir, entry, 'index.html'))
      .filter((file) => existsSync(file))
      .map((file) => readFileSync(file, 'utf8'));
    expect(staged).toContain(PLACEHOLDER_INDEX);
  });
});
