// Sign-in: OpenID Connect authorization code with PKCE (oidc-client-ts) against the configured issuer. Tokens live in
// memory only (InMemoryWebStorage): a reload asks the provider again without a prompt (signinSilent) when this tab
// was signed in, and nothing a script could read survives the tab. Sign-out ends the provider's session too.
import { InMemoryWebStorage, type User, UserManager, WebStorageStateStore } from 'oidc-client-ts';
import { createContext, type ReactNode, useContext, useEffect, useMemo, useState } from 'react';
import type { ConsoleConfig } from './config.ts';

/** A hint (not a token) that this tab has signed in, so a reload tries a silent sign-in before showing "Sign in". */
const SIGNED_IN_HINT = 'keyholder.signedIn';

export interface Auth {
  readonly status: 'loading' | 'signedOut' | 'signedIn';
  readonly user: User | null;
  readonly error: string | undefined;
  accessToken(): string | undefined;
  signIn(returnTo?: string): Promise<void>;
  signOut(): Promise<void>;
}

const AuthContext = createContext<Auth | undefined>(undefined);

export function createUserManager(config: ConsoleConfig): UserManager {
  const origin = window.location.origin;
  return new UserManager({
    authority: config.issuer,
    client_id: config.clientId,
    redirect_uri: `${origin}/callback`,
    silent_redirect_uri: `${origin}/silent-renew.html`,
    post_logout_redirect_uri: `${origin}/`,
    response_type: 'code',
    scope: 'openid profile',
    // The API's audience (RFC 8707 resource indicator): the access token is issued for the API, not for the console.
    ...(config.audience ? { resource: config.audience } : {}),
    userStore: new WebStorageStateStore({ store: new InMemoryWebStorage() }),
    // Only the state of a sign-in in flight (PKCE verifier, nonce), which must survive the redirect: not a token.
    stateStore: new WebStorageStateStore({ store: window.sessionStorage }),
    automaticSilentRenew: true,
    silentRequestTimeoutInSeconds: 8,
    loadUserInfo: false,
  });
}

interface SignInAtStart {
  readonly user: User | null;
  readonly error?: string;
}

/**
 * The sign-in at start, once per manager and page load: finishing the provider's redirect (its authorization code is
 * single-use: exchanged twice, the provider refuses the second and revokes what the first got), else the user in
 * memory, else a silent sign-in when this tab was signed in. Once, because React may run an effect twice (StrictMode
 * in a development build, a remount): the second run shares the first's answer instead of asking again.
 */
const startedSignIns = new WeakMap<UserManager, Promise<SignInAtStart>>();

function signInAtStart(manager: UserManager): Promise<SignInAtStart> {
  let started = startedSignIns.get(manager);
  if (!started) {
    started = (async (): Promise<SignInAtStart> => {
      const url = new URL(window.location.href);
      if (url.pathname === '/callback') {
        try {
          const signedIn = await manager.signinRedirectCallback();
          sessionStorage.setItem(SIGNED_IN_HINT, '1');
          const returnTo =
            typeof signedIn.state === 'string' && signedIn.state.startsWith('/') ? signedIn.state : '/';
          window.history.replaceState(null, '', returnTo);
          window.dispatchEvent(new PopStateEvent('popstate'));
          return { user: signedIn };
        } catch (failure) {
          window.history.replaceState(null, '', '/');
          window.dispatchEvent(new PopStateEvent('popstate'));
          return {
            user: null,
            error: `Signing in did not complete: ${(failure as Error).message}. Try again.`,
          };
        }
      }
      const existing = await manager.getUser();
      if (existing && !existing.expired) return { user: existing };
      if (sessionStorage.getItem(SIGNED_IN_HINT)) {
        try {
          return { user: await manager.signinSilent() };
        } catch {
          sessionStorage.removeItem(SIGNED_IN_HINT);
        }
      }
      return { user: null };
    })().catch(() => ({ user: null }));
    startedSignIns.set(manager, started);
  }
  return started;
}

export function AuthProvider({ manager, children }: { manager: UserManager; children: ReactNode }) {
  const [user, setUser] = useState<User | null>(null);
  const [status, setStatus] = useState<Auth['status']>('loading');
  const [error, setError] = useState<string>();

  useEffect(() => {
    let live = true;
    const loaded = (next: User | null) => {
      if (!live) return;
      setUser(next);
      setStatus(next && !next.expired ? 'signedIn' : 'signedOut');
    };
    const unsubscribe = [
      manager.events.addUserLoaded(loaded),
      manager.events.addUserUnloaded(() => loaded(null)),
      manager.events.addSilentRenewError(() => loaded(null)),
    ];
    void signInAtStart(manager).then((started) => {
      if (!live) return;
      if (started.error) setError(started.error);
      loaded(started.user);
    });
    return () => {
      live = false;
      for (const stop of unsubscribe) stop();
    };
  }, [manager]);

  const auth = useMemo<Auth>(
    () => ({
      status,
      user,
      error,
      accessToken: () => user?.access_token,
      signIn: (returnTo = window.location.pathname + window.location.search) =>
        manager.signinRedirect({ state: returnTo }),
      signOut: async () => {
        sessionStorage.removeItem(SIGNED_IN_HINT);
        const idToken = user?.id_token;
        await manager.removeUser();
        await manager.signoutRedirect(idToken ? { id_token_hint: idToken } : {});
      },
    }),
    [status, user, error, manager],
  );
  return <AuthContext.Provider value={auth}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error('useAuth outside AuthProvider');
  return auth;
}
