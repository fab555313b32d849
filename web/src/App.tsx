// Layout (header, navigation by what the caller may do, footer) and the page for the current path.
import { useQuery } from '@tanstack/react-query';
import { createContext, useContext, useEffect, useMemo } from 'react';
import { type Api, createApi, unwrap } from './api.ts';
import { useAuth } from './auth.tsx';
import type { ConsoleConfig } from './config.ts';
import { AccessPage } from './pages/AccessPage.tsx';
import { AuditPage } from './pages/AuditPage.tsx';
import { DirectoryPage } from './pages/DirectoryPage.tsx';
import { HomePage, SignedOutPage } from './pages/HomePage.tsx';
import { InboxPage } from './pages/InboxPage.tsx';
import { RequestPage } from './pages/RequestPage.tsx';
import { RequestDetailPage, RequestsPage } from './pages/RequestsPage.tsx';
import { Link, useLocation } from './router.tsx';
import { Loading, Problem, scopeLabel } from './ui.tsx';

const ApiContext = createContext<Api | undefined>(undefined);
const ConfigContext = createContext<ConsoleConfig | undefined>(undefined);

export function useConfig(): ConsoleConfig {
  const config = useContext(ConfigContext);
  if (!config) throw new Error('useConfig outside App');
  return config;
}

export function useApi(): Api {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi outside App');
  return api;
}

/** The caller: who they are, what they may do, and the policy's limits (GET /me). */
export function useMe() {
  const api = useApi();
  return useQuery({ queryKey: ['me'], queryFn: () => unwrap(api.GET('/me')), staleTime: 60_000 });
}

export type Me = NonNullable<ReturnType<typeof useMe>['data']>;

/** Scope -> words: "Admin (the whole safe haven)", or the dataset's title from the catalogue (cached). */
export function useScopeLabel(): (scope: string) => string {
  const api = useApi();
  const datasets = useQuery({
    queryKey: ['datasets'],
    queryFn: () => unwrap(api.GET('/datasets')),
    staleTime: 300_000,
  });
  const titles = useMemo(
    () => new Map((datasets.data?.datasets ?? []).map((dataset) => [dataset.id, dataset.title])),
    [datasets.data],
  );
  return (scope: string) => scopeLabel(scope, titles);
}

interface NavItem {
  readonly href: string;
  readonly text: string;
  readonly show: (me: Me) => boolean;
}

const NAV: readonly NavItem[] = [
  { href: '/request', text: 'Ask for access', show: (me) => me.capabilities.canRequest },
  { href: '/requests', text: 'My requests', show: (me) => me.capabilities.canRequest },
  { href: '/inbox', text: 'Inbox', show: (me) => me.capabilities.canApprove },
  { href: '/access', text: 'Who has access', show: (me) => me.capabilities.canAudit },
  { href: '/audit', text: 'Audit', show: (me) => me.capabilities.canAudit },
  { href: '/directory', text: 'Directory', show: (me) => me.capabilities.canAdminister },
];

const TITLES: Record<string, string> = {
  '/': 'Home',
  '/request': 'Ask for access',
  '/requests': 'My requests',
  '/inbox': 'Inbox',
  '/access': 'Who has access',
  '/audit': 'Audit',
  '/directory': 'Directory',
};

function Header({ me }: { me: Me | undefined }) {
  const auth = useAuth();
  const location = useLocation();
  const items = me ? NAV.filter((item) => item.show(me)) : [];
  return (
    <header className="nhsuk-header">
      <div className="nhsuk-header__container nhsuk-width-container">
        <div className="nhsuk-header__service">
          <Link className="nhsuk-header__service-logo" href="/" aria-label="NHS Keyholder homepage">
            <svg
              className="nhsuk-header__logo"
              xmlns="http://www.w3.org/2000/svg"
              viewBox="0 0 200 80"
              height="40"
              width="100"
              focusable="false"
              role="img"
              aria-label="NHS"
            >
              <title>NHS</title>
              <path
                fill="currentcolor"
                d="M200 0v80H0V0h200Zm-27.5 5.5c-14.5 0-29 5-29 22 0 10.2 7.7 13.5 14.7 16.3l.7.3c5.4 2 10.1 3.9 10.1 8.4 0 6.5-8.5 7.5-14 7.5s-12.5-1.5-16-3.5L135 70c5.5 2 13.5 3.5 20 3.5 15.5 0 32-4.5 32-22.5 0-19.5-25.5-16.5-25.5-25.5 0-5.5 5.5-6.5 12.5-6.5a35 35 0 0 1 14.5 3l4-13.5c-4.5-2-12-3-20-3Zm-131 2h-22l-14 65H22l9-45h.5l13.5 45h21.5l14-65H64l-9 45h-.5l-13-45Zm63 0h-18l-13 65h17l6-28H117l-5.5 28H129l13.5-65H125L119.5 32h-20l5-24.5Z"
              />
            </svg>
            <span className="nhsuk-header__service-name">Keyholder</span>
          </Link>
        </div>
        {auth.status === 'signedIn' ? (
          <nav className="nhsuk-header__account" aria-label="Account">
            <ul className="nhsuk-header__account-list">
              <li className="nhsuk-header__account-item">
                {me ? `${me.principal.name} (${me.principal.organisation})` : ''}
              </li>
              <li className="nhsuk-header__account-item">
                <button
                  type="button"
                  className="nhsuk-header__account-button"
                  onClick={() => void auth.signOut()}
                >
                  Sign out
                </button>
              </li>
            </ul>
          </nav>
        ) : null}
      </div>
      {items.length > 0 ? (
        <nav className="nhsuk-header__navigation" aria-label="Menu">
          <div className="nhsuk-header__navigation-container nhsuk-width-container">
            <ul className="nhsuk-header__navigation-list">
              {items.map((item) => {
                const current =
                  location.pathname === item.href || location.pathname.startsWith(`${item.href}/`);
                return (
                  <li
                    key={item.href}
                    className={`nhsuk-header__navigation-item${current ? ' nhsuk-header__navigation-item--current' : ''}`}
                  >
                    <Link
                      className="nhsuk-header__navigation-link"
                      href={item.href}
                      aria-current={current ? 'page' : undefined}
                    >
                      {item.text}
                    </Link>
                  </li>
                );
              })}
            </ul>
          </div>
        </nav>
      ) : null}
    </header>
  );
}

function Page({ me }: { me: Me }) {
  const { pathname } = useLocation();
  const detail = /^\/requests\/([^/]+)$/.exec(pathname);
  if (detail?.[1]) return <RequestDetailPage id={decodeURIComponent(detail[1])} me={me} />;
  switch (pathname) {
    case '/request':
      return <RequestPage me={me} />;
    case '/requests':
      return <RequestsPage />;
    case '/inbox':
      return <InboxPage me={me} />;
    case '/access':
      return <AccessPage />;
    case '/audit':
      return <AuditPage />;
    case '/directory':
      return <DirectoryPage me={me} />;
    default:
      return <HomePage me={me} />;
  }
}

function SignedIn() {
  const me = useMe();
  return (
    <>
      <Header me={me.data} />
      <div className="nhsuk-width-container">
        <main className="nhsuk-main-wrapper" id="maincontent">
          {me.isPending ? <Loading what="your details" /> : null}
          {me.error ? <Problem error={me.error} retry={() => void me.refetch()} /> : null}
          {me.data ? <Page me={me.data} /> : null}
        </main>
      </div>
    </>
  );
}

export function App({ config }: { config: ConsoleConfig }) {
  const auth = useAuth();
  const { pathname } = useLocation();
  const api = useMemo(() => createApi(config.apiUrl, () => auth.accessToken()), [config.apiUrl, auth]);
  useEffect(() => {
    const page = TITLES[pathname] ?? (pathname.startsWith('/requests/') ? 'Request' : 'Keyholder');
    document.title = page === 'Home' ? 'Keyholder' : `${page} – Keyholder`;
  }, [pathname]);
  return (
    <ConfigContext.Provider value={config}>
      <ApiContext.Provider value={api}>
        <a className="nhsuk-skip-link" href="#maincontent">
          Skip to main content
        </a>
        {auth.status === 'signedIn' ? (
          <SignedIn />
        ) : (
          <>
            <Header me={undefined} />
            <div className="nhsuk-width-container">
              <main className="nhsuk-main-wrapper" id="maincontent">
                {auth.status === 'loading' ? <Loading what="Keyholder" /> : <SignedOutPage />}
              </main>
            </div>
          </>
        )}
        <footer>
          <div className="nhsuk-footer">
            <div className="nhsuk-width-container">
              <p className="nhsuk-body-s nhsuk-u-margin-bottom-0">
                Keyholder: governed, time-limited and audited access to identifiable patient data.{' '}
                <a href={`${config.apiUrl.replace(/\/$/, '')}/transparency`}>Transparency report</a>
              </p>
            </div>
          </div>
        </footer>
      </ApiContext.Provider>
    </ConfigContext.Provider>
  );
}
