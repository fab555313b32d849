import type { Me } from '../App.tsx';
import { useAuth } from '../auth.tsx';
import { Link, useLocation } from '../router.tsx';
import { Problem } from '../ui.tsx';

export function SignedOutPage() {
  const auth = useAuth();
  const { pathname } = useLocation();
  const protectedPage = pathname !== '/';
  return (
    <>
      <h1>{protectedPage ? 'Sign in to continue' : 'Keyholder'}</h1>
      {auth.error ? <Problem error={new Error(auth.error)} /> : null}
      {protectedPage ? (
        <p className="nhsuk-body-l">
          You need to sign in to see this page. You will come back here afterwards.
        </p>
      ) : (
        <p className="nhsuk-body-l">
          Keyholder governs access to identifiable patient data in the safe haven: you ask for the datasets
          you need, a director approves, and your access ends by itself when its time is up.
        </p>
      )}
      <ul className="nhsuk-list nhsuk-list--bullet">
        <li>Every grant is time-limited and regularly reviewed.</li>
        <li>
          People from outside the NHS need security clearance and the approval of two directors for admin.
        </li>
        <li>The number of external admins is capped.</li>
        <li>
          Every change is recorded in a tamper-evident audit trail, so anyone can be told who had access when.
        </li>
      </ul>
      <button type="button" className="nhsuk-button" onClick={() => void auth.signIn()}>
        Sign in
      </button>
    </>
  );
}

export function HomePage({ me }: { me: Me }) {
  const can = me.capabilities;
  const cards: Array<[string, string, string]> = [];
  if (can.canRequest)
    cards.push(['/request', 'Ask for access', 'Request a dataset, or admin, for a limited time.']);
  if (can.canRequest)
    cards.push(['/requests', 'My requests', 'Follow your requests, cancel, or ask for more time.']);
  if (can.canApprove)
    cards.push(['/inbox', 'Inbox', 'Requests, extensions and reviews waiting for your decision.']);
  if (can.canAudit)
    cards.push(['/access', 'Who has access', 'Who holds what now, at any moment, and over time.']);
  if (can.canAudit) cards.push(['/audit', 'Audit', "Verify the trail; one request's history."]);
  if (can.canAdminister)
    cards.push(['/directory', 'Directory', 'Deactivate people, change clearance, grade or organisation.']);
  return (
    <>
      <h1>Hello, {me.principal.name}</h1>
      <ul className="nhsuk-grid-row nhsuk-card-group">
        {cards.map(([href, title, text]) => (
          <li className="nhsuk-grid-column-one-half nhsuk-card-group__item" key={href}>
            <div className="nhsuk-card nhsuk-card--clickable">
              <div className="nhsuk-card__content">
                <h2 className="nhsuk-card__heading nhsuk-heading-m">
                  <Link className="nhsuk-card__link" href={href}>
                    {title}
                  </Link>
                </h2>
                <p className="nhsuk-card__description">{text}</p>
              </div>
            </div>
          </li>
        ))}
      </ul>
    </>
  );
}
