// Sign-in settings at synth: which claim is the principal id (refused by name when unknown), what GET /auth/config
// tells the clients, and the route itself (public: it is read before a client has a token).
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ENV } from '../../lambdas/commons/config.ts';
import { buildKeyholderApp } from '../../lib/keyholder-app.ts';
import { withoutCdkHandlers } from '../support/cdk-handlers.ts';

const CONTEXT = {
  'aws:cdk:bundling-stacks': [],
  'aws:cdk:disable-stack-trace': true,
  'keyholder:jwtIssuer': 'https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0',
  'keyholder:jwtAudience': 'api://keyholder',
  'keyholder:mailFrom': 'keyholder@example.org',
};

const template = (context: Record<string, unknown> = {}) =>
  withoutCdkHandlers(
    Template.fromStack(buildKeyholderApp({ ...CONTEXT, ...context }, { validation: false }).stack),
  );

describe('sign-in context', () => {
  it('refuses a principal claim of an unknown shape, naming the key and the choices', () => {
    expect(() => buildKeyholderApp({ ...CONTEXT, 'keyholder:principalClaim': 'objectId' })).toThrow(
      /keyholder:principalClaim" must be one of sub, oid, email, preferred_username, upn/,
    );
  });

  it('refuses scopes without openid, naming the key', () => {
    expect(() => buildKeyholderApp({ ...CONTEXT, 'keyholder:signInScopes': 'profile email' })).toThrow(
      /keyholder:signInScopes" must list OAuth scopes including openid/,
    );
  });

  it('defaults to sub and the keyholder-cli / keyholder-console clients, for every function', () => {
    template().allResourcesProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          [ENV.principalClaim]: 'sub',
          [ENV.oidcIssuer]: CONTEXT['keyholder:jwtIssuer'],
          [ENV.oidcAudience]: 'api://keyholder',
          [ENV.cliClientId]: 'keyholder-cli',
          [ENV.consoleClientId]: 'keyholder-console',
          [ENV.signInScopes]: 'openid profile email offline_access',
        }),
      },
    });
  });

  it("hands Entra ID's settings through: oid, the app's client ids, the API scope", () => {
    template({
      'keyholder:principalClaim': 'oid',
      'keyholder:cliClientId': '11111111-1111-1111-1111-111111111111',
      'keyholder:consoleClientId': '22222222-2222-2222-2222-222222222222',
      'keyholder:signInScopes': 'openid profile offline_access api://keyholder/Access',
    }).allResourcesProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          [ENV.principalClaim]: 'oid',
          [ENV.cliClientId]: '11111111-1111-1111-1111-111111111111',
          [ENV.consoleClientId]: '22222222-2222-2222-2222-222222222222',
          [ENV.signInScopes]: 'openid profile offline_access api://keyholder/Access',
        }),
      },
    });
  });

  it('serves GET /auth/config without the JWT authorizer', () => {
    const routes = template().findResources('AWS::ApiGatewayV2::Route', {
      Properties: { RouteKey: 'GET /auth/config' },
    });
    const [route] = Object.values(routes) as Array<{ Properties: Record<string, unknown> }>;
    expect(route?.Properties.AuthorizationType).toBe('NONE');
  });
});
