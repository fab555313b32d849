// The sweep's wiring, as deployed: it sends nothing, but it finds the notices the queue never got and records expiry
// reminders as due, so it needs the notification ledger (without it both silently do nothing), and it checks the
// platforms, so it needs the drift ledger. The local stack runs the sweep on the whole wiring, so only this holds it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resetDependencies } from '../../../lambdas/commons/dependencies.ts';
import { ENV } from '../../../lambdas/commons/env.ts';
import { sweepDependencies } from '../../../lambdas/handlers/scheduled/sweep.ts';

const SET = {
  [ENV.stateTable]: 'keyholder-state',
  [ENV.auditTable]: 'keyholder-audit',
  [ENV.noticeQueueUrl]: 'https://sqs.eu-west-2.amazonaws.com/000000000000/keyholder-notices',
};

describe("the sweep's wiring", () => {
  const saved: Record<string, string | undefined> = {};
  beforeEach(() => {
    for (const [name, value] of Object.entries(SET)) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
    resetDependencies();
  });
  afterEach(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    resetDependencies();
  });

  it('has the notice queue, the notification ledger and the drift ledger, and no channel to send on', () => {
    const deps = sweepDependencies();

    expect(deps.noticeQueue).toBeDefined();
    expect(deps.notificationLedger).toBeDefined();
    expect(deps.driftLedger).toBeDefined();
    expect(deps.notifiers).toBeUndefined();
    expect(deps.chatApprovals).toBeUndefined();
  });

  it('keeps the policy a getter over the version in force', () => {
    const descriptor = Object.getOwnPropertyDescriptor(sweepDependencies(), 'policy');

    expect(descriptor?.get).toBeTypeOf('function');
  });
});
