// Daily (EventBridge Scheduler): verify the trail and publish the transparency report to its bucket.
import { auditDependencies } from '../../commons/audit-dependencies.ts';
import { dependencies } from '../../commons/dependencies.ts';
import { publishTransparencyReport } from '../../use-cases/transparency.ts';

export const handler = async () => {
  const audit = auditDependencies();
  if (!audit.snapshots)
    throw new Error('no transparency bucket is configured (KEYHOLDER_TRANSPARENCY_BUCKET)');
  const { key, report } = await publishTransparencyReport({
    ...dependencies(),
    ...audit,
    snapshots: audit.snapshots,
  });
  console.log(JSON.stringify({ level: 'INFO', message: 'transparency report published', key }));
  return { key, generatedAt: report.generatedAt, verified: report.chainHead?.verified ?? false };
};
