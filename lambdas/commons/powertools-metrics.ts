// Powertools Metrics (namespace Keyholder) for the functions that record a metric per event: only they import it,
// and pass it to observability() so what an invocation recorded is published when it ends.
import { Metrics } from '@aws-lambda-powertools/metrics';
import { METRICS_NAMESPACE } from './metrics.ts';
import { SERVICE_NAME } from './observability.ts';

export function createMetrics(): Metrics {
  return new Metrics({
    namespace: METRICS_NAMESPACE,
    serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? SERVICE_NAME,
  });
}

/** One per Lambda instance (module scope), like the logger. */
export const metrics = createMetrics();
