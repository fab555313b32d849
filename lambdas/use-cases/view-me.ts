// Use case: GET /me, the caller as Keyholder knows them, what they may do, and the request limits of the policy, so
// that a client can show only what will work (the routes still enforce every rule).
import { type Capabilities, capabilitiesOf } from '../core/authorization.ts';
import { mayActAsOwner, ownsAnyDataset } from '../core/dataset-owners.ts';
import { isExternal } from '../core/eligibility.ts';
import type { Principal } from '../core/model.ts';
import type { Dependencies } from './context.ts';

export interface MeView {
  readonly principal: Pick<
    Principal,
    'id' | 'name' | 'email' | 'organisation' | 'grade' | 'clearance' | 'roles' | 'active'
  >;
  readonly external: boolean;
  readonly capabilities: Capabilities;
  readonly limits: {
    readonly minDuration: string;
    readonly maxDuration: { readonly admin: string; readonly dataset: string };
    readonly justificationMinLength: number;
    readonly requireTicket: boolean;
    readonly maxScopesPerRequest: number;
    readonly approvalTimeout: string;
  };
}

export async function whoAmI(
  deps: Pick<Dependencies, 'policy' | 'clock' | 'directory'>,
  caller: Principal,
): Promise<MeView> {
  const { policy } = deps;
  const now = deps.clock.now();
  const { id, name, email, organisation, grade, clearance, roles, active } = caller;
  const capabilities = capabilitiesOf(caller, policy, now);
  // A dataset owner decides the requests for what they own (and has an inbox), whatever their grade.
  const owner =
    !capabilities.canApprove &&
    mayActAsOwner(caller, policy, now) &&
    ownsAnyDataset(caller, await deps.directory.listDatasets());
  return {
    principal: { id, name, email, organisation, grade, clearance, roles, active },
    external: isExternal(caller, policy),
    capabilities: { ...capabilities, canApprove: capabilities.canApprove || owner },
    limits: {
      minDuration: policy.minDuration,
      maxDuration: { admin: policy.maxDuration.admin, dataset: policy.maxDuration.dataset },
      justificationMinLength: policy.justificationMinLength,
      requireTicket: policy.requireTicket,
      maxScopesPerRequest: policy.maxScopesPerRequest,
      approvalTimeout: policy.approvalTimeout,
    },
  };
}
