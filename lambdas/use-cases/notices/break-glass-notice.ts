// The urgent notice a break-glass grant owes, delivered by the notice outbox (./deliver-notice.ts): every eligible
// director is told, and the invocation alarm's metric line is logged.
import { BREAK_GLASS_INVOKED_METRIC, breakGlassMetricLine } from '../../commons/metrics.ts';
import type { Actor } from '../../core/audit.ts';
import { eligibleApprovers } from '../../core/eligibility.ts';
import { breakGlassNotice } from '../../presentation/notification-messages.ts';
import { catalogueOf, type Dependencies } from '../context.ts';
import { type Delivery, recordDeliveries } from '../notify-delivery.ts';
import { claimOnce, sendToAll } from './channels.ts';

const WORKFLOW: Actor = { type: 'system', id: 'workflow' };

/**
 * The `break-glass` notice a break-glass grant owes (lambdas/core/notices.ts): every eligible director, marked
 * urgent, and the alarm. Once per grant: only that notice's own redelivery claims it again, and then sends only
 * what an earlier attempt did not (`delivered`). Returns every delivery.
 */
export async function announceBreakGlass(
  deps: Dependencies,
  requestId: string,
  options: { readonly claimOwner?: string; readonly delivered?: ReadonlySet<string> } = {},
): Promise<Delivery[]> {
  const request = await deps.store.getRequest(requestId);
  if (!request?.breakGlass || request.status !== 'ACTIVE') return [];
  if (!(await claimOnce(deps, requestId, 'break-glass-announced', options.claimOwner))) return [];
  if (!options.delivered?.size) {
    console.log(breakGlassMetricLine(deps.clock.now(), BREAK_GLASS_INVOKED_METRIC, requestId));
  }
  const [principals, datasets] = await Promise.all([deps.directory.listPrincipals(), catalogueOf(deps)]);
  const names = Object.fromEntries(principals.map((principal) => [principal.id, principal.name]));
  const notice = breakGlassNotice(request, names, datasets);
  const directors = eligibleApprovers(principals, request, deps.policy, deps.clock.now());
  const deliveries = await Promise.all(
    directors.flatMap((director) => sendToAll(deps, { recipient: director, notice }, options.delivered)),
  );
  await recordDeliveries(deps, requestId, deliveries, WORKFLOW);
  return deliveries;
}
