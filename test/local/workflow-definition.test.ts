// The local engine's state machine definition, cached on disk by what it is made of: the cache gives exactly what a
// synthesis gives, a different input is a different key, and the key covers the app's own sources.
import { afterEach, describe, expect, it } from 'vitest';
import { synthesizeWorkflow } from '../../local/synthesize.ts';
import { appSources, workflowCacheKey, workflowDefinition } from '../../local/workflow-definition.ts';

const OPTIONS = { policy: { approvalTimeout: 'PT3M', minDuration: 'PT1S' } };

describe('workflowDefinition', () => {
  const saved = process.env.KEYHOLDER_SYNTH_CACHE;
  afterEach(() => {
    if (saved === undefined) delete process.env.KEYHOLDER_SYNTH_CACHE;
    else process.env.KEYHOLDER_SYNTH_CACHE = saved;
  });

  it('serves, from the cache, the definition a synthesis gives', async () => {
    // Prepare
    const synthesized = synthesizeWorkflow(OPTIONS).definition;

    // Act
    await workflowDefinition(OPTIONS); // the first call of this key may synthesize and write it
    const second = await workflowDefinition(OPTIONS);

    // Assess
    expect(second.synthesized).toBe(false);
    expect(second.definition).toEqual(synthesized);
  }, 60_000);

  it('keys on the options: another policy is another definition', async () => {
    // Act
    const one = await workflowCacheKey(OPTIONS);
    const other = await workflowCacheKey({ policy: { approvalTimeout: 'PT4M', minDuration: 'PT1S' } });

    // Assess
    expect(one).toMatch(/^[0-9a-f]{64}$/);
    expect(other).not.toBe(one);
    expect(await workflowCacheKey(OPTIONS)).toBe(one);
  });

  it('keys on every project file the CDK app imports', async () => {
    // Act
    const sources = await appSources();

    // Assess
    expect(sources).toEqual(
      expect.arrayContaining([
        'lib/keyholder-app.ts',
        'lib/keyholder-stack.ts',
        'lib/access-workflow.ts',
        'lambdas/routes.ts',
        'lambdas/core/policy.ts',
      ]),
    );
    expect(sources.every((file) => !file.includes('node_modules'))).toBe(true);
  });

  it('synthesizes every time when KEYHOLDER_SYNTH_CACHE=0', async () => {
    // Prepare
    process.env.KEYHOLDER_SYNTH_CACHE = '0';

    // Act
    const result = await workflowDefinition(OPTIONS);

    // Assess
    expect(result.synthesized).toBe(true);
    expect(result.definition).toEqual(synthesizeWorkflow(OPTIONS).definition);
  }, 60_000);
});
