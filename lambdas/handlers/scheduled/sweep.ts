// Scheduled (EventBridge Scheduler, every keyholder:sweepRate): the sweep. Logs what it did and its metrics (EMF).
import { dependencies } from '../../commons/dependencies.ts';
import { sweepMetricsLine } from '../../commons/metrics.ts';
import { type SweepReport, sweep } from '../../use-cases/sweep.ts';

export const handler = async (): Promise<SweepReport> => {
  const report = await sweep(dependencies());
  console.log(sweepMetricsLine(report));
  console.log(
    JSON.stringify({ level: report.failures.length ? 'WARN' : 'INFO', message: 'sweep done', ...report }),
  );
  return report;
};
