// Hourly (EventBridge Scheduler): write the digest of every audit stream head to the Object Lock bucket.
import { auditDependencies } from '../../commons/audit-dependencies.ts';
import { dependencies } from '../../commons/dependencies.ts';
import { anchorAuditTrail } from '../../use-cases/anchor-audit.ts';

export const handler = async () => {
  const { ledger, anchors } = auditDependencies();
  if (!anchors) throw new Error('no anchor bucket is configured (KEYHOLDER_ANCHOR_BUCKET)');
  const { key, anchor } = await anchorAuditTrail({ ledger, anchors, clock: dependencies().clock });
  console.log(JSON.stringify({ level: 'INFO', message: 'audit anchor written', key, ...anchor }));
  return { key, events: anchor.events, streams: anchor.streams, digest: anchor.digest };
};
