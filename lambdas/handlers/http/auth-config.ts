// GET /auth/config: how to sign in (public, no token: it is what a client reads before it has one). The console and
// `keyholder login` discover the issuer from here, so neither needs the identity provider configured by hand.
import { readSignInConfig } from '../../commons/sign-in-config.ts';
import { KeyholderError } from '../../core/errors.ts';
import { jsonResponse } from '../../http/errors.ts';
import { httpHandler } from '../../http/handler.ts';

export const handler = httpHandler(async () => {
  const config = readSignInConfig();
  if (!config) {
    throw new KeyholderError(
      'unavailable',
      'SIGN_IN_NOT_CONFIGURED',
      'no OpenID issuer is configured for sign-in',
    );
  }
  return jsonResponse(200, config, { 'cache-control': 'public, max-age=300' });
});
