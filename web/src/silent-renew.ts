// The page the OpenID provider returns to inside the hidden silent-renewal iframe: hand the answer to the app.
import { UserManager } from 'oidc-client-ts';

const origin = window.location.origin;
void new UserManager({
  authority: origin,
  client_id: 'keyholder-console',
  redirect_uri: `${origin}/callback`,
})
  .signinSilentCallback()
  .catch(() => undefined);
