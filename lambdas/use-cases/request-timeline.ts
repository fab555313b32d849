// Use case: GET /requests/{id}/timeline, the request's audit events told for people, for whoever may see the request
// (the requester included; others are told it does not exist, as for GET /requests/{id}).
import { auditStreamOfRequest } from '../adapters/dynamodb/schema.ts';
import type { Principal } from '../core/model.ts';
import { type TimelineEntry, timelineOf } from '../core/timeline.ts';
import type { Dependencies } from './context.ts';
import { visibleRequest } from './view-requests.ts';

export async function requestTimeline(
  deps: Pick<Dependencies, 'store' | 'directory' | 'policy' | 'clock'>,
  caller: Principal,
  requestId: string,
): Promise<TimelineEntry[]> {
  await visibleRequest(deps, caller, requestId);
  const [events, principals] = await Promise.all([
    deps.store.readAuditStream(auditStreamOfRequest(requestId)),
    deps.directory.listPrincipals(),
  ]);
  return timelineOf(events, new Map(principals.map((principal) => [principal.id, principal.name])));
}
