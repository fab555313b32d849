// The wirings build on each other (core -> queueing -> provisioning). `policy` is a getter over the policy source
// (the version in force, re-read each invocation): building on a wiring must keep it a getter, where a spread would
// freeze the version of the cold start into every function that notifies or provisions.
import { describe, expect, it } from 'vitest';
import { extendWiring } from '../../../lambdas/commons/core-dependencies.ts';

describe('extendWiring', () => {
  it('keeps a getter live and adds the new fields', () => {
    let version = 1;
    const core = {
      store: 'store',
      get policy() {
        return { version };
      },
    };
    const notifying = extendWiring(core, { mailer: 'mailer' });
    const full = extendWiring(notifying, { providers: ['p'] });
    expect(full.policy).toEqual({ version: 1 });
    version = 2;
    expect(full.policy).toEqual({ version: 2 });
    expect(notifying.policy).toEqual({ version: 2 });
    expect(full).toMatchObject({ store: 'store', mailer: 'mailer', providers: ['p'] });
    // A spread, for contrast, copies the value once.
    const spread = { ...core };
    version = 3;
    expect(spread.policy).toEqual({ version: 2 });
    expect(full.policy).toEqual({ version: 3 });
  });
});
