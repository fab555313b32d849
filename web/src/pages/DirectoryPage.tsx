// The directory (access-admins): deactivate or reactivate, change clearance, grade or organisation, always with the
// consequences shown first (POST /principals/{id}/preview answers them without writing) and then confirmed (PATCH).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { type Me, useApi } from '../App.tsx';
import { ApiError, unwrap } from '../api.ts';
import { formatDateTime } from '../time.ts';
import {
  ErrorSummary,
  type FieldError,
  FormGroup,
  Loading,
  Notice,
  Problem,
  scopeLabel,
  Tag,
} from '../ui.tsx';

type Patch = {
  active?: boolean;
  clearance?: { level: 'BPSS' | 'SC' | 'DV'; expiresAt: string } | null;
  grade?: string;
  organisation?: string;
};

function usePrincipals() {
  const api = useApi();
  return useQuery({ queryKey: ['principals'], queryFn: () => unwrap(api.GET('/principals')) });
}
type Principal = NonNullable<ReturnType<typeof usePrincipals>['data']>['principals'][number];

function ChangePanel({ principal, onClose }: { principal: Principal; onClose: (message: string) => void }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const [grade, setGrade] = useState(principal.grade);
  const [organisation, setOrganisation] = useState(principal.organisation);
  const [level, setLevel] = useState<string>(principal.clearance?.level ?? '');
  const [expires, setExpires] = useState(principal.clearance?.expiresAt.slice(0, 10) ?? '');
  const [patch, setPatch] = useState<Patch>();
  const [errors, setErrors] = useState<FieldError[]>([]);
  const id = principal.id;
  const preview = useMutation({
    mutationFn: (body: Patch) =>
      unwrap(api.POST('/principals/{id}/preview', { params: { path: { id } }, body })),
    onError: (error) =>
      setErrors([{ id: '', message: error instanceof ApiError ? error.advice : String(error) }]),
  });
  const apply = useMutation({
    mutationFn: (body: Patch) => unwrap(api.PATCH('/principals/{id}', { params: { path: { id } }, body })),
    onSuccess: async (answer) => {
      await queryClient.invalidateQueries({ queryKey: ['principals'] });
      await queryClient.invalidateQueries({ queryKey: ['access'] });
      onClose(
        `${principal.name} changed (${answer.changed.join(', ')})${answer.revoked.length ? `; ${answer.revoked.length} ${answer.revoked.length === 1 ? 'grant' : 'grants'} revoked` : ''}.`,
      );
    },
    onError: (error) => {
      setErrors([{ id: '', message: error instanceof ApiError ? error.advice : String(error) }]);
      setPatch(undefined);
    },
  });
  const review = (body: Patch) => {
    setErrors([]);
    setPatch(body);
    preview.mutate(body);
  };
  const submitDetails = (event: FormEvent) => {
    event.preventDefault();
    const body: Patch = {};
    if (grade.trim() && grade.trim() !== principal.grade) body.grade = grade.trim();
    if (organisation.trim() && organisation.trim() !== principal.organisation)
      body.organisation = organisation.trim();
    if (level === '' && principal.clearance) body.clearance = null;
    if (level !== '') {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(expires)) {
        setErrors([{ id: 'change-expires', message: 'Enter the date the clearance expires' }]);
        return;
      }
      const expiresAt = new Date(`${expires}T00:00:00Z`).toISOString();
      if (level !== principal.clearance?.level || expiresAt !== principal.clearance?.expiresAt)
        body.clearance = { level: level as 'BPSS' | 'SC' | 'DV', expiresAt };
    }
    if (Object.keys(body).length === 0) {
      setErrors([{ id: 'change-grade', message: 'Change at least one thing' }]);
      return;
    }
    review(body);
  };
  const plan = preview.data;
  return (
    <section className="nhsuk-card" aria-labelledby="change-heading">
      <div className="nhsuk-card__content">
        <h2 className="nhsuk-card__heading nhsuk-heading-m" id="change-heading">
          Change {principal.name}
        </h2>
        <ErrorSummary errors={errors} />
        {!patch ? (
          <>
            <button
              type="button"
              className={`nhsuk-button ${principal.active ? 'nhsuk-button--warning' : 'nhsuk-button--secondary'}`}
              onClick={() => review({ active: !principal.active })}
            >
              {principal.active ? 'Deactivate' : 'Reactivate'} {principal.name}
            </button>
            <form onSubmit={submitDetails} noValidate>
              <FormGroup id="change-grade" label="Grade">
                {() => (
                  <input
                    className="nhsuk-input nhsuk-input--width-20"
                    id="change-grade"
                    value={grade}
                    onChange={(e) => setGrade(e.target.value)}
                  />
                )}
              </FormGroup>
              <FormGroup id="change-organisation" label="Organisation">
                {() => (
                  <input
                    className="nhsuk-input nhsuk-input--width-20"
                    id="change-organisation"
                    value={organisation}
                    onChange={(e) => setOrganisation(e.target.value)}
                  />
                )}
              </FormGroup>
              <FormGroup id="change-level" label="Clearance">
                {() => (
                  <select
                    className="nhsuk-select"
                    id="change-level"
                    value={level}
                    onChange={(e) => setLevel(e.target.value)}
                  >
                    <option value="">None</option>
                    <option value="BPSS">BPSS</option>
                    <option value="SC">SC</option>
                    <option value="DV">DV</option>
                  </select>
                )}
              </FormGroup>
              {level !== '' ? (
                <div className="nhsuk-form-group">
                  <label className="nhsuk-label" htmlFor="change-expires">
                    Clearance expires on
                  </label>
                  <input
                    className="nhsuk-input nhsuk-input--width-10"
                    id="change-expires"
                    type="date"
                    value={expires}
                    onChange={(e) => setExpires(e.target.value)}
                  />
                </div>
              ) : null}
              <button type="submit" className="nhsuk-button nhsuk-button--secondary">
                Review the change
              </button>
            </form>
          </>
        ) : null}
        {patch && preview.isPending ? <Loading what="what the change would do" /> : null}
        {patch && plan ? (
          <div data-testid="consequences">
            <h3>What this change does</h3>
            <ul className="nhsuk-list nhsuk-list--bullet">
              <li>Changes {plan.changed.join(', ')}.</li>
              <li>
                {plan.revokes.length === 0
                  ? 'It revokes no active grants.'
                  : `This revokes ${plan.revokes.length} active ${plan.revokes.length === 1 ? 'grant' : 'grants'}: ${plan.revokes.map((r) => r.scopes.map((s) => scopeLabel(s)).join(', ')).join('; ')}.`}
              </li>
              {plan.endsPending.length > 0 ? (
                <li>
                  {plan.endsPending.length} waiting {plan.endsPending.length === 1 ? 'request' : 'requests'}{' '}
                  could not be granted any more.
                </li>
              ) : null}
              {plan.approverEligibility.before !== plan.approverEligibility.after ? (
                <li>
                  {plan.approverEligibility.after
                    ? 'They become able to approve requests.'
                    : 'They can no longer approve requests.'}
                </li>
              ) : null}
            </ul>
            <div className="kh-actions">
              <button
                type="button"
                className="nhsuk-button nhsuk-button--warning"
                onClick={() => apply.mutate(patch)}
                disabled={apply.isPending}
              >
                Confirm the change
              </button>
              <button
                type="button"
                className="nhsuk-button nhsuk-button--secondary"
                onClick={() => setPatch(undefined)}
              >
                Go back
              </button>
            </div>
          </div>
        ) : null}
      </div>
    </section>
  );
}

export function DirectoryPage({ me }: { me: Me }) {
  const principals = usePrincipals();
  const [selected, setSelected] = useState<string>();
  const [notice, setNotice] = useState('');
  const chosen = principals.data?.principals.find((p) => p.id === selected);
  return (
    <>
      <h1>Directory</h1>
      <Notice>{notice}</Notice>
      {principals.isPending ? <Loading what="the directory" /> : null}
      {principals.error ? <Problem error={principals.error} retry={() => void principals.refetch()} /> : null}
      {chosen ? (
        <ChangePanel
          key={chosen.id}
          principal={chosen}
          onClose={(message) => {
            setNotice(message);
            setSelected(undefined);
          }}
        />
      ) : null}
      {principals.data ? (
        <div className="kh-table-scroll">
          <table className="nhsuk-table">
            <caption className="nhsuk-table__caption nhsuk-u-visually-hidden">
              Everyone in the directory
            </caption>
            <thead className="nhsuk-table__head">
              <tr className="nhsuk-table__row">
                {['Person', 'Organisation', 'Grade', 'Clearance', 'Status', 'Change'].map((h) => (
                  <th className="nhsuk-table__header" scope="col" key={h}>
                    {h}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody className="nhsuk-table__body">
              {principals.data.principals.map((p) => (
                <tr className="nhsuk-table__row" key={p.id} data-principal={p.id}>
                  <td className="nhsuk-table__cell">
                    {p.name} ({p.id})
                  </td>
                  <td className="nhsuk-table__cell">{p.organisation}</td>
                  <td className="nhsuk-table__cell">{p.grade}</td>
                  <td className="nhsuk-table__cell">
                    {p.clearance
                      ? `${p.clearance.level} until ${formatDateTime(p.clearance.expiresAt)}`
                      : 'None'}
                  </td>
                  <td className="nhsuk-table__cell">
                    {p.active ? <Tag colour="green">Active</Tag> : <Tag colour="grey">Inactive</Tag>}
                  </td>
                  <td className="nhsuk-table__cell">
                    {p.id === me.principal.id ? (
                      'You'
                    ) : (
                      <button
                        type="button"
                        className="nhsuk-button nhsuk-button--secondary nhsuk-button--small nhsuk-u-margin-bottom-0"
                        onClick={() => {
                          setNotice('');
                          setSelected(p.id);
                          window.scrollTo(0, 0);
                        }}
                      >
                        Change<span className="nhsuk-u-visually-hidden"> {p.name}</span>
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </>
  );
}
