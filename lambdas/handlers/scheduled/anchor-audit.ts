// Hourly (EventBridge Scheduler): write the digest of every audit stream head to the Object Lock bucket.
import middy from '@middy/core';
import { auditDependencies } from '../../commons/audit-dependencies.ts';
import { coreDependencies } from '../../commons/core-dependencies.ts';
import { logger, observability } from '../../commons/observability.ts';
import { anchorAuditTrail } from '../../use-cases/anchor-audit.ts';

export const handler = middy()
  .use(observability())
  .handler(async () => {
    const { ledger, anchors } = auditDependencies();
    if (!anchors) throw new Error('no anchor bucket is configured (KEYHOLDER_ANCHOR_BUCKET)');
    const { key, anchor } = await anchorAuditTrail({ ledger, anchors, clock: coreDependencies().clock });
    logger.info('audit anchor written', { key, ...anchor });
    return { key, events: anchor.events, streams: anchor.streams, digest: anchor.digest };
  });
