// Daily (EventBridge Scheduler): verify the trail and publish the transparency report to its bucket.
import middy from '@middy/core';
import { auditDependencies } from '../../commons/audit-dependencies.ts';
import { coreDependencies } from '../../commons/core-dependencies.ts';
import { driftDependencies } from '../../commons/drift-dependencies.ts';
import { logger, observability } from '../../commons/observability.ts';
import { policyInForce } from '../../commons/policy-in-force.ts';
import { publishTransparencyReport } from '../../use-cases/transparency.ts';

export const handler = middy()
  .use(observability())
  .use(policyInForce())
  .handler(async () => {
    const audit = auditDependencies();
    if (!audit.snapshots)
      throw new Error('no transparency bucket is configured (KEYHOLDER_TRANSPARENCY_BUCKET)');
    const { key, report } = await publishTransparencyReport({
      ...coreDependencies(),
      ...audit,
      ...driftDependencies(),
      snapshots: audit.snapshots,
    });
    logger.info('transparency report published', { key });
    return { key, generatedAt: report.generatedAt, verified: report.chainHead?.verified ?? false };
  });
