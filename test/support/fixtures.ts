// Test builders: the people, datasets, policy and requests that the core's unit tests reason about.
import { addDuration } from '../../lambdas/core/duration.ts';
import {
  decideRequest,
  grantAccess,
  type SubmissionInput,
  submitRequest,
} from '../../lambdas/core/lifecycle.ts';
import type {
  AccessRequest,
  Clearance,
  ClearanceLevel,
  Dataset,
  Principal,
  Scope,
} from '../../lambdas/core/model.ts';
import { type Policy, resolvePolicy } from '../../lambdas/core/policy.ts';

/** The fixed "now" every unit test starts from; time moves only through `later`. */
export const NOW = '2026-12-01T09:00:00.000Z';

export const HOME = 'NHSE';
export const VENDOR_A = 'Acme Analytics';
export const VENDOR_B = 'Globex Consulting';

/** Clearances run to here unless a test says otherwise: well past any grant a test asks for. */
export const CLEARANCE_VALID_UNTIL = '2029-12-31T23:59:59.000Z';
export const CLEARANCE_LAPSED_AT = '2026-10-31T23:59:59.000Z';

export function later(duration: string, from: string = NOW): string {
  return addDuration(from, duration);
}

export function clearance(level: ClearanceLevel, expiresAt: string = CLEARANCE_VALID_UNTIL): Clearance {
  return { level, expiresAt };
}

export function principal(overrides: Partial<Principal> & Pick<Principal, 'id'>): Principal {
  return {
    name: overrides.id,
    email: `${overrides.id}@example.org`,
    organisation: HOME,
    grade: 'staff',
    clearance: clearance('SC'),
    roles: [],
    active: true,
    ...overrides,
  };
}

export const people = {
  homeDirector: principal({ id: 'dana.director', name: 'Dana Director', grade: 'director' }),
  executiveDirector: principal({
    id: 'eve.exec',
    name: 'Eve Executive',
    grade: 'executive-director',
    clearance: clearance('DV'),
  }),
  manager: principal({ id: 'mo.manager', name: 'Mo Manager', grade: 'manager' }),
  homeStaffBpss: principal({ id: 'sam.staff', name: 'Sam Staff', clearance: clearance('BPSS') }),
  accessAdmin: principal({ id: 'ada.admin', name: 'Ada Admin', roles: ['access-admin'] }),
  auditor: principal({ id: 'aud.itor', name: 'Audrey Auditor', roles: ['auditor'] }),
  externalScA: principal({ id: 'xena.sc', name: 'Xena SC', organisation: VENDOR_A, grade: 'contractor' }),
  externalDvA: principal({
    id: 'xavier.dv',
    name: 'Xavier DV',
    organisation: VENDOR_A,
    grade: 'contractor',
    clearance: clearance('DV'),
  }),
  externalScB: principal({ id: 'yan.sc', name: 'Yan SC', organisation: VENDOR_B, grade: 'consultant' }),
  externalDvB: principal({
    id: 'yara.dv',
    name: 'Yara DV',
    organisation: VENDOR_B,
    grade: 'consultant',
    clearance: clearance('DV'),
  }),
  externalBpssB: principal({
    id: 'yusuf.bpss',
    name: 'Yusuf BPSS',
    organisation: VENDOR_B,
    grade: 'consultant',
    clearance: clearance('BPSS'),
  }),
  externalLapsed: principal({
    id: 'lee.lapsed',
    name: 'Lee Lapsed',
    organisation: VENDOR_A,
    grade: 'contractor',
    clearance: clearance('SC', CLEARANCE_LAPSED_AT),
  }),
  externalUncleared: principal({
    id: 'una.uncleared',
    name: 'Una Uncleared',
    organisation: VENDOR_B,
    grade: 'consultant',
    clearance: undefined,
  }),
  /** A director by grade but outside the home organisation: never an approver. */
  externalDirector: principal({
    id: 'vic.vendor',
    name: 'Vic Vendor',
    organisation: VENDOR_A,
    grade: 'director',
  }),
} as const satisfies Record<string, Principal>;

export const directory: readonly Principal[] = Object.values(people);

export function dataset(overrides: Partial<Dataset> & Pick<Dataset, 'id'>): Dataset {
  return { title: overrides.id, sensitivity: 'identifiable', ...overrides };
}

export const datasets = {
  hesIdentifiable: dataset({ id: 'hes-apc', title: 'Hospital Episode Statistics (identifiable)' }),
  mhsdsIdentifiable: dataset({ id: 'mhsds', title: 'Mental Health Services Data Set (identifiable)' }),
  gpPseudonymised: dataset({
    id: 'gpes-pseudo',
    title: 'GP data (pseudonymised)',
    sensitivity: 'pseudonymised',
  }),
  covidAggregate: dataset({ id: 'covid-agg', title: 'COVID-19 counts', sensitivity: 'aggregate' }),
} as const satisfies Record<string, Dataset>;

export function catalogueOf(...entries: readonly Dataset[]): ReadonlyMap<string, Dataset> {
  return new Map(entries.map((entry) => [entry.id, entry]));
}

export const catalogue = catalogueOf(...Object.values(datasets));

export function scopeOf(entry: Dataset): Scope {
  return `dataset:${entry.id}`;
}

/** The default policy, or a partial override merged over it exactly as a policy file would be. */
export function policyWith(override: Record<string, unknown> = {}): Policy {
  return resolvePolicy(override, 'test policy');
}

export const policy: Policy = policyWith();

export const JUSTIFICATION = 'Investigating a data quality incident in the admissions feed';

export function submission(overrides: Partial<SubmissionInput> = {}): SubmissionInput {
  return { scopes: ['admin'], justification: JUSTIFICATION, duration: 'PT8H', ...overrides };
}

/** A PENDING_APPROVAL request built by the real submitRequest, so its fields are consistent. */
export function pendingRequest(
  requester: Principal,
  input: Partial<SubmissionInput> = {},
  options: { readonly id?: string; readonly policy?: Policy; readonly now?: string } = {},
): AccessRequest {
  return submitRequest({
    id: options.id ?? 'req-1',
    input: submission(input),
    requester,
    catalogue,
    policy: options.policy ?? policy,
    now: options.now ?? NOW,
  }).request;
}

/** Approves `request` once per approver, through decideRequest. */
export function approvedBy(
  request: AccessRequest,
  approvers: readonly Principal[],
  now: string = later('PT1H'),
): AccessRequest {
  return approvers.reduce(
    (current, approver) =>
      decideRequest({ request: current, approver, decision: 'approve', channel: 'api', policy, now }).request,
    request,
  );
}

/** An ACTIVE request granted at `grantedAt` after the approvals it needs. */
export function activeRequest(
  requester: Principal,
  input: Partial<SubmissionInput> = {},
  grantedAt: string = later('PT2H'),
): AccessRequest {
  const pending = pendingRequest(requester, input);
  const approvers = [people.homeDirector, people.executiveDirector].slice(0, pending.approvalsRequired);
  return grantAccess(approvedBy(pending, approvers), policy, grantedAt).request;
}

/** What `act` throws, so a test can assert its class and fields; fails the test when nothing is thrown. */
export function thrownBy(act: () => unknown): unknown {
  try {
    act();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw, but it returned');
}

/** Two datasets, each with one owner of a grade below director: the dataset-owner tests' shared cast. */
export const OWNED = (() => {
  const olive = principal({ id: 'olive.owner', name: 'Olive Owner', grade: 'staff' });
  const oscar = principal({ id: 'oscar.owner', name: 'Oscar Owner', grade: 'manager' });
  const hes = dataset({ id: 'hes-apc', title: 'Hospital Episode Statistics', owners: [olive.id] });
  const mhsds = dataset({ id: 'mhsds', title: 'Mental Health Services', owners: [oscar.id] });
  return { olive, oscar, hes, mhsds };
})();
