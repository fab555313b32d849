// Scheduled (EventBridge Scheduler, every keyholder:sweepRate): the sweep, then the drift check of every real access
// provider. Logs what they did and their metrics (EMF).
import middy from '@middy/core';
import { withDriftLedger } from '../../commons/drift-dependencies.ts';
import { driftMetricsLines, sweepMetricsLine } from '../../commons/metrics.ts';
import { withNotificationLedger } from '../../commons/notification-ledger.ts';
import { logger, observability } from '../../commons/observability.ts';
import { policyInForce } from '../../commons/policy-in-force.ts';
import { provisioningDependencies } from '../../commons/provisioning-dependencies.ts';
import { checkDrift, type DriftReport } from '../../use-cases/drift.ts';
import { expireStaleProposalsOf } from '../../use-cases/policy-changes.ts';
import { type SweepReport, sweep } from '../../use-cases/sweep.ts';

/**
 * What the sweep works with: the provisioning root (it ends grants on the platforms and queues what that owes
 * people), the drift ledger (it checks the platforms) and the notification ledger (expiry reminders are recorded as
 * due there, and the notices the queue never got are found there). It sends nothing itself.
 */
export const sweepDependencies = () => withNotificationLedger(withDriftLedger(provisioningDependencies()));

const sweepAndCheckDrift = async (): Promise<SweepReport & { readonly drift: DriftReport }> => {
  const deps = sweepDependencies();
  const report = await sweep(deps);
  // After the sweep: grants it ended are no longer expected on the platforms.
  const drift = await checkDrift(deps);
  const expiredPolicyProposals = await expireStaleProposalsOf(deps);
  if (expiredPolicyProposals.length > 0) logger.info('policy proposals expired', { expiredPolicyProposals });
  console.log(sweepMetricsLine(report));
  for (const line of driftMetricsLines(drift)) console.log(line);
  const failed = report.failures.length > 0 || drift.failures.length > 0;
  logger[failed ? 'warn' : 'info']('sweep done', { ...report, drift });
  return { ...report, drift };
};

export const handler = middy().use(observability()).use(policyInForce()).handler(sweepAndCheckDrift);
