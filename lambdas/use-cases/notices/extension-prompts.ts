// The extension-prompt notice a holder's request for more time owes (../extend-request.ts), delivered by the notice
// outbox (./deliver-notice.ts): a mail with a single-use link to each approver still needed, every delivery audited.
import type { Actor } from '../../core/audit.ts';
import { neededDeciders } from '../../core/dataset-owners.ts';
import { partOf } from '../../core/notices.ts';
import { extensionEmail } from '../../presentation/extension-email.ts';
import { catalogueOf, type Dependencies } from '../context.ts';
import { hashToken } from '../link-token.ts';
import { type Delivery, deliver, recordDeliveries } from '../notify-delivery.ts';

/**
 * The extension-prompt notice: each approver the open round still needs (directors, owners per its plan) who has
 * not decided it gets a mail with a single-use link of their own, its token stored just before the mail is sent.
 * Parts an earlier attempt delivered are not sent again; a round no longer pending asks nobody.
 */
export async function sendExtensionPrompts(
  deps: Dependencies,
  requestId: string,
  actor: Actor,
  delivered: ReadonlySet<string> = new Set(),
): Promise<Delivery[]> {
  const request = await deps.store.getRequest(requestId);
  const round = request?.extension;
  if (request?.status !== 'ACTIVE' || round?.status !== 'PENDING') return [];
  const [principals, catalogue] = await Promise.all([deps.directory.listPrincipals(), catalogueOf(deps)]);
  const holder = principals.find((principal) => principal.id === request.requester);
  if (!holder) return [];
  const decided = new Set(round.approvals.map((entry) => entry.approverId));
  const deliveries: Delivery[] = [];
  for (const approver of neededDeciders(principals, request, deps.policy, deps.clock.now(), round)) {
    const part = partOf({ channel: 'email', recipient: approver.id, kind: 'extension-prompt' });
    if (decided.has(approver.id) || delivered.has(part)) continue;
    const token = deps.ids.secretToken();
    await deps.store.issueLinkTokens([
      {
        tokenHash: hashToken(token),
        requestId,
        approverId: approver.id,
        expiresAt: round.deadline,
        purpose: 'extension',
      },
    ]);
    const message = extensionEmail({
      request,
      holder,
      approver,
      link: `${deps.publicBaseUrl}/approve/${token}`,
      datasets: catalogue,
    });
    deliveries.push(await deliver('email', approver.id, 'extension-prompt', () => deps.mailer.send(message)));
  }
  await recordDeliveries(deps, requestId, deliveries, actor);
  return deliveries;
}
