// The sweep on the local stack: the same use cases the scheduled Lambda runs (the sweep, then the drift check), on
// a timer at the same rate as AWS (or `sweepIntervalMs`), and `POST /dev/sweep` to run it now and see what it did.
import { dependencies } from '../lambdas/commons/dependencies.ts';
import { refreshPolicyInForce } from '../lambdas/commons/policy-in-force.ts';
import { checkDrift, type DriftReport } from '../lambdas/use-cases/drift.ts';
import { expireStaleProposalsOf } from '../lambdas/use-cases/policy-changes.ts';
import { type SweepReport, sweep } from '../lambdas/use-cases/sweep.ts';
import type { DevRoute } from './dev-routes.ts';

/** The AWS default (lib/sweep.ts DEFAULT_SWEEP_RATE). */
export const DEFAULT_SWEEP_INTERVAL_MS = 15 * 60_000;

export interface LocalSweep {
  readonly routes: readonly DevRoute[];
  /** Starts the timer; call once the stack's environment and tables are ready. */
  start(): void;
  stop(): Promise<void>;
  /** Runs one sweep now (what POST /dev/sweep does). */
  runNow(): Promise<SweepReport & { readonly drift: DriftReport }>;
}

/** `intervalMs` 0 turns the timer off; POST /dev/sweep still works. */
export function localSweep(options: { readonly intervalMs?: number | undefined } = {}): LocalSweep {
  const intervalMs = options.intervalMs ?? DEFAULT_SWEEP_INTERVAL_MS;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  // As the scheduled handler does: the sweep, then the drift check of the real providers.
  const runNow = async () => {
    await refreshPolicyInForce();
    const deps = dependencies();
    const report = await sweep(deps);
    const drift = await checkDrift(deps);
    await expireStaleProposalsOf(deps);
    return { ...report, drift };
  };
  const tick = () => {
    // A tick while the last one still runs is skipped: overlapping sweeps are safe, but pile-ups help nobody.
    if (running) return;
    running = runNow()
      .catch((error: unknown) => console.error('[local sweep]', error))
      .finally(() => {
        running = undefined;
      });
  };
  return {
    routes: [
      { method: 'POST', path: '/dev/sweep', handle: async () => ({ status: 200, body: await runNow() }) },
    ],
    start() {
      if (intervalMs > 0 && !timer) timer = setInterval(tick, intervalMs);
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running;
    },
    runNow,
  };
}
