// Ask for access: admin, or one or more datasets (with their sensitivity), for a duration picked in words within the
// policy's limits, with a justification and a ticket. Every error is shown beside its field and in the summary.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { type Me, useApi } from '../App.tsx';
import { ApiError, unwrap } from '../api.ts';
import { navigate } from '../router.tsx';
import { durationInWords, durationSeconds } from '../time.ts';
import { ErrorSummary, type FieldError, FormGroup, Loading, Problem, Tag } from '../ui.tsx';

const UNITS = [
  { value: 'S', text: 'seconds', seconds: 1 },
  { value: 'M', text: 'minutes', seconds: 60 },
  { value: 'H', text: 'hours', seconds: 3600 },
  { value: 'D', text: 'days', seconds: 86_400 },
] as const;

export function isoDuration(amount: number, unit: string): string {
  return unit === 'D' ? `P${amount}D` : `PT${amount}${unit}`;
}

const SENSITIVITY_COLOURS: Record<string, string> = {
  identifiable: 'red',
  pseudonymised: 'orange',
  aggregate: 'green',
};

/** Which input an API error's field belongs to. */
function inputFor(field: string | undefined): string {
  if (!field) return '';
  if (field.startsWith('scopes')) return 'kind-admin';
  if (field.startsWith('duration')) return 'duration-amount';
  if (field.startsWith('justification')) return 'justification';
  if (field.startsWith('ticket')) return 'ticket';
  return '';
}

export function RequestPage({ me }: { me: Me }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const datasets = useQuery({
    queryKey: ['datasets'],
    queryFn: () => unwrap(api.GET('/datasets')),
    staleTime: 300_000,
  });
  const policy = me.limits;
  // The rules are not secret (GET /policy): break-glass is offered only where the policy in force configures it.
  const rules = useQuery({
    queryKey: ['policy'],
    queryFn: () => unwrap(api.GET('/policy', {})),
    staleTime: 300_000,
  });
  const breakGlassRules = breakGlassOf(rules.data?.policy);
  const ownersApprove = ownersApproveUnder(rules.data?.policy);
  const [breakGlass, setBreakGlass] = useState(false);
  const [kind, setKind] = useState<'admin' | 'datasets' | ''>('');
  const [chosen, setChosen] = useState<string[]>([]);
  const [amount, setAmount] = useState('');
  const [unit, setUnit] = useState<string>('H');
  const [justification, setJustification] = useState('');
  const [ticket, setTicket] = useState('');
  const [errors, setErrors] = useState<FieldError[]>([]);
  const minSeconds = durationSeconds(policy.minDuration);
  const units = UNITS.filter((u) => u.value !== 'S' || minSeconds < 60);

  const submit = useMutation({
    mutationFn: (body: {
      scopes: string[];
      duration: string;
      justification: string;
      ticket?: string;
      breakGlass?: boolean;
    }) => unwrap(api.POST('/requests', { body })),
    onSuccess: async (created) => {
      await queryClient.invalidateQueries({ queryKey: ['requests'] });
      navigate(`/requests/${encodeURIComponent(created.id)}`);
    },
    onError: (error) => {
      if (error instanceof ApiError && error.status === 400) {
        setErrors([{ id: inputFor(error.field), message: sentence(error.field, error.message) }]);
      } else setErrors([{ id: '', message: error instanceof ApiError ? error.advice : String(error) }]);
    },
  });

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const found: FieldError[] = [];
    if (kind === '') found.push({ id: 'kind-admin', message: 'Select admin or the datasets you need' });
    if (kind === 'datasets' && chosen.length === 0)
      found.push({ id: 'kind-admin', message: 'Select at least one dataset' });
    const count = Number(amount);
    if (amount.trim() === '' || !Number.isInteger(count) || count <= 0)
      found.push({ id: 'duration-amount', message: 'Enter how long you need access for, as a whole number' });
    if (justification.trim() === '')
      found.push({ id: 'justification', message: 'Enter why you need access' });
    if (policy.requireTicket && ticket.trim() === '')
      found.push({ id: 'ticket', message: 'Enter a ticket reference' });
    setErrors(found);
    if (found.length > 0) return;
    submit.mutate({
      scopes: kind === 'admin' ? ['admin'] : chosen.map((id) => `dataset:${id}`),
      duration: isoDuration(count, unit),
      justification: justification.trim(),
      ...(ticket.trim() ? { ticket: ticket.trim() } : {}),
      ...(breakGlass && breakGlassRules ? { breakGlass: true } : {}),
    });
  };

  const errorOf = (id: string) =>
    errors
      .filter((error) => error.id === id)
      .map((error) => error.message)
      .join('. ') || undefined;

  return (
    <div className="nhsuk-grid-row">
      <div className="nhsuk-grid-column-two-thirds">
        <ErrorSummary errors={errors} />
        <h1>Ask for access</h1>
        <p>A director decides. Your access ends by itself when the time you ask for is up.</p>
        <form onSubmit={onSubmit} noValidate>
          <FormGroup
            id="kind"
            labelAs="legend"
            label="What do you need access to?"
            hint={`Admin is unrestricted access to the whole safe haven, for at most ${durationInWords(policy.maxDuration.admin)}; datasets for at most ${durationInWords(policy.maxDuration.dataset)}.`}
            error={errorOf('kind-admin')}
          >
            {(describedBy) => (
              <div className="nhsuk-radios nhsuk-radios--conditional" aria-describedby={describedBy}>
                <div className="nhsuk-radios__item">
                  <input
                    className="nhsuk-radios__input"
                    id="kind-admin"
                    name="kind"
                    type="radio"
                    checked={kind === 'admin'}
                    onChange={() => setKind('admin')}
                  />
                  <label className="nhsuk-label nhsuk-radios__label" htmlFor="kind-admin">
                    Admin
                  </label>
                </div>
                <div className="nhsuk-radios__item">
                  <input
                    className="nhsuk-radios__input"
                    id="kind-datasets"
                    name="kind"
                    type="radio"
                    checked={kind === 'datasets'}
                    onChange={() => setKind('datasets')}
                  />
                  <label className="nhsuk-label nhsuk-radios__label" htmlFor="kind-datasets">
                    One or more datasets
                  </label>
                </div>
                {kind === 'datasets' ? (
                  <div className="nhsuk-radios__conditional">
                    {datasets.isPending ? <Loading what="the datasets" /> : null}
                    {datasets.error ? (
                      <Problem error={datasets.error} retry={() => void datasets.refetch()} />
                    ) : null}
                    <fieldset className="nhsuk-fieldset">
                      <legend className="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">Datasets</legend>
                      <div className="nhsuk-checkboxes">
                        {datasets.data?.datasets.map((dataset) => (
                          <div className="nhsuk-checkboxes__item" key={dataset.id}>
                            <input
                              className="nhsuk-checkboxes__input"
                              id={`dataset-${dataset.id}`}
                              type="checkbox"
                              checked={chosen.includes(dataset.id)}
                              onChange={(event) =>
                                setChosen((now) =>
                                  event.target.checked
                                    ? [...now, dataset.id]
                                    : now.filter((id) => id !== dataset.id),
                                )
                              }
                            />
                            <label
                              className="nhsuk-label nhsuk-checkboxes__label"
                              htmlFor={`dataset-${dataset.id}`}
                            >
                              {dataset.title}{' '}
                              <Tag colour={SENSITIVITY_COLOURS[dataset.sensitivity] ?? 'grey'}>
                                {dataset.sensitivity}
                              </Tag>
                            </label>
                            {dataset.owners.length > 0 ? (
                              <div
                                className="nhsuk-hint nhsuk-checkboxes__hint"
                                id={`dataset-${dataset.id}-owners`}
                              >
                                {ownersApprove ? 'Approved by its owners: ' : 'Owners: '}
                                {dataset.owners.map((owner) => owner.name).join(', ')}
                              </div>
                            ) : null}
                          </div>
                        ))}
                      </div>
                    </fieldset>
                  </div>
                ) : null}
              </div>
            )}
          </FormGroup>

          <FormGroup
            id="duration"
            labelAs="legend"
            label="For how long?"
            hint={`At least ${durationInWords(policy.minDuration)}. Admin at most ${durationInWords(policy.maxDuration.admin)}, datasets at most ${durationInWords(policy.maxDuration.dataset)}.`}
            error={errorOf('duration-amount')}
          >
            {() => (
              <div className="kh-actions">
                <div>
                  <label className="nhsuk-label" htmlFor="duration-amount">
                    Number
                  </label>
                  <input
                    className={`nhsuk-input nhsuk-input--width-4${errorOf('duration-amount') ? ' nhsuk-input--error' : ''}`}
                    id="duration-amount"
                    inputMode="numeric"
                    value={amount}
                    onChange={(event) => setAmount(event.target.value)}
                    aria-describedby="duration-hint"
                  />
                </div>
                <div>
                  <label className="nhsuk-label" htmlFor="duration-unit">
                    Unit
                  </label>
                  <select
                    className="nhsuk-select"
                    id="duration-unit"
                    value={unit}
                    onChange={(event) => setUnit(event.target.value)}
                  >
                    {units.map((u) => (
                      <option key={u.value} value={u.value}>
                        {u.text}
                      </option>
                    ))}
                  </select>
                </div>
              </div>
            )}
          </FormGroup>

          <FormGroup
            id="justification"
            label="Why do you need access?"
            hint={`At least ${policy.justificationMinLength} characters. Say what you will do and why it needs identifiable data.`}
            error={errorOf('justification')}
          >
            {(describedBy) => (
              <textarea
                className={`nhsuk-textarea${errorOf('justification') ? ' nhsuk-textarea--error' : ''}`}
                id="justification"
                rows={4}
                value={justification}
                onChange={(event) => setJustification(event.target.value)}
                aria-describedby={describedBy}
              />
            )}
          </FormGroup>

          <FormGroup
            id="ticket"
            label={policy.requireTicket ? 'Ticket reference' : 'Ticket reference (optional)'}
            hint={
              policy.requireTicket
                ? 'Required: the change or service ticket this work is for, for example INC-1042.'
                : 'The change or service ticket this work is for, for example INC-1042.'
            }
            error={errorOf('ticket')}
          >
            {(describedBy) => (
              <input
                className={`nhsuk-input nhsuk-input--width-20${errorOf('ticket') ? ' nhsuk-input--error' : ''}`}
                id="ticket"
                value={ticket}
                onChange={(event) => setTicket(event.target.value)}
                aria-describedby={describedBy}
              />
            )}
          </FormGroup>

          {breakGlassRules ? (
            <div className="nhsuk-form-group">
              <fieldset className="nhsuk-fieldset" aria-describedby="break-glass-hint">
                <legend className="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">Emergency</legend>
                <div className="nhsuk-hint" id="break-glass-hint">
                  Only when waiting for a director would harm patients or services. Access starts at once
                  without approval, for at most {durationInWords(breakGlassRules.maxDuration)}. Every director
                  is told straight away, and {breakGlassRules.reviewersRequired} must review it within{' '}
                  {durationInWords(breakGlassRules.reviewWithin)}. If they find it was not justified, you lose
                  emergency access until an access administrator restores it.
                </div>
                <div className="nhsuk-checkboxes">
                  <div className="nhsuk-checkboxes__item">
                    <input
                      className="nhsuk-checkboxes__input"
                      id="break-glass"
                      type="checkbox"
                      checked={breakGlass}
                      onChange={(event) => setBreakGlass(event.target.checked)}
                    />
                    <label className="nhsuk-label nhsuk-checkboxes__label" htmlFor="break-glass">
                      This is an emergency: use break-glass
                    </label>
                  </div>
                </div>
              </fieldset>
            </div>
          ) : null}

          <button
            className={`nhsuk-button${breakGlass ? ' nhsuk-button--warning' : ''}`}
            type="submit"
            disabled={submit.isPending}
          >
            {submit.isPending ? 'Sending…' : breakGlass ? 'Get emergency access now' : 'Send request'}
          </button>
        </form>
      </div>
    </div>
  );
}

/** The policy's break-glass block as the form words it; undefined when break-glass is off. */
/** Whether dataset owners approve under the policy in force (approvals.dataset other than director). */
function ownersApproveUnder(policy: unknown): boolean {
  const mode = (policy as { approvals?: { dataset?: unknown } } | undefined)?.approvals?.dataset;
  return mode === 'owner' || mode === 'owner-and-director';
}

function breakGlassOf(
  policy: unknown,
): { maxDuration: string; reviewWithin: string; reviewersRequired: number } | undefined {
  const block = (policy as { breakGlass?: unknown } | undefined)?.breakGlass;
  if (!block || typeof block !== 'object') return undefined;
  const { maxDuration, reviewWithin, reviewersRequired } = block as Record<string, unknown>;
  return typeof maxDuration === 'string' &&
    typeof reviewWithin === 'string' &&
    typeof reviewersRequired === 'number'
    ? { maxDuration, reviewWithin, reviewersRequired }
    : undefined;
}

/** "justification must be at least 20 characters" -> "Justification must be at least 20 characters". */
function sentence(field: string | undefined, message: string): string {
  const text =
    field && !message.toLowerCase().startsWith(field.toLowerCase()) ? `${field} ${message}` : message;
  return text.charAt(0).toUpperCase() + text.slice(1);
}
