// The bundle section's pure parts: budgets by function kind, verdicts against the floor, module weights and SDK
// clients read from an esbuild metafile, the floor module's source, and the printed before -> after rows.
import type { Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { bundleRows } from '../../bench/report.ts';
import {
  type BundleFigures,
  bundleBudget,
  bundleTargets,
  floorSource,
  judgeBundle,
  moduleOf,
  moduleWeights,
  sdkBytes,
  sdkClients,
} from '../../bench/sections/bundles.ts';

const metafile: Metafile = {
  inputs: {
    'lambdas/handlers/http/get-request.ts': {
      bytes: 500,
      imports: [
        {
          path: 'lambdas/commons/clients.ts',
          kind: 'import-statement',
          original: '../../commons/clients.ts',
        },
      ],
    },
    'lambdas/commons/clients.ts': {
      bytes: 900,
      imports: [
        { path: '@aws-sdk/client-dynamodb', kind: 'import-statement', external: true },
        {
          path: '../main/node_modules/@aws-sdk/lib-dynamodb/dist-es/index.js',
          kind: 'import-statement',
          original: '@aws-sdk/lib-dynamodb',
        },
      ],
    },
    '../main/node_modules/@aws-sdk/lib-dynamodb/dist-es/index.js': {
      bytes: 4000,
      imports: [{ path: '@smithy/core', kind: 'import-statement', external: true }],
    },
    '../main/node_modules/zod/v4/classic/schemas.js': { bytes: 90_000, imports: [] },
    '../main/node_modules/zod/v4/core/core.js': { bytes: 20_000, imports: [] },
  },
  outputs: {
    'out/index.mjs': {
      bytes: 80_000,
      imports: [],
      exports: ['handler'],
      entryPoint: 'lambdas/handlers/http/get-request.ts',
      inputs: {
        'lambdas/handlers/http/get-request.ts': { bytesInOutput: 300 },
        'lambdas/commons/clients.ts': { bytesInOutput: 600 },
        '../main/node_modules/@aws-sdk/lib-dynamodb/dist-es/index.js': { bytesInOutput: 3000 },
        '../main/node_modules/zod/v4/classic/schemas.js': { bytesInOutput: 60_000 },
        '../main/node_modules/zod/v4/core/core.js': { bytesInOutput: 16_000 },
      },
    },
  },
};

const figures = (overrides: Partial<BundleFigures>): BundleFigures => ({
  name: 'get-request',
  entry: 'lambdas/handlers/http/get-request.ts',
  bytes: 100 * 1024,
  appBytes: 100 * 1024,
  gzipBytes: 30 * 1024,
  initMs: 130,
  initRunsMs: [130],
  sdkClients: ['@aws-sdk/client-dynamodb'],
  floorMs: 110,
  initOverFloorMs: 20,
  topModules: [{ module: 'zod', bytes: 76_000 }],
  budget: bundleBudget({ name: 'get-request', entry: 'lambdas/handlers/http/get-request.ts' }),
  ...overrides,
});

describe('bundle budgets', () => {
  it('holds health, routes, tasks and inbound mail to the issue 17 figures, scheduled functions to none', () => {
    // Act
    const health = bundleBudget({ name: 'health', entry: 'lambdas/handlers/http/health.ts' });
    const route = bundleBudget({ name: 'me', entry: 'lambdas/handlers/http/me.ts' });
    const task = bundleBudget({ name: 'grant-access', entry: 'lambdas/handlers/workflow/grant-access.ts' });
    const mail = bundleBudget({ name: 'inbound-reply', entry: 'lambdas/handlers/mail/inbound-reply.ts' });
    const sweep = bundleBudget({ name: 'sweep', entry: 'lambdas/handlers/scheduled/sweep.ts' });

    // Assess
    expect(health).toEqual({ kind: 'health', maxBytes: 30 * 1024, maxInitMs: 40, floorPlusMs: undefined });
    expect(route).toEqual({ kind: 'route', maxBytes: 150 * 1024, maxInitMs: undefined, floorPlusMs: 25 });
    expect(task).toMatchObject({ kind: 'task', maxBytes: 150 * 1024, floorPlusMs: 25 });
    expect(mail).toEqual({
      kind: 'inbound-mail',
      maxBytes: 600 * 1024,
      maxInitMs: undefined,
      floorPlusMs: undefined,
    });
    expect(sweep).toMatchObject({ kind: 'scheduled', maxBytes: undefined, floorPlusMs: undefined });
  });

  it('judges init against the bundle’s own floor plus 25 ms, and size on the application code', () => {
    // Prepare
    const budget = bundleBudget({ name: 'me', entry: 'lambdas/handlers/http/me.ts' });

    // Act / Assess
    expect(judgeBundle({ appBytes: 150 * 1024, initMs: 135, floorMs: 110 }, budget)).toEqual({
      bytes: true,
      init: true,
      initLimitMs: 135,
    });
    expect(judgeBundle({ appBytes: 150 * 1024 + 1, initMs: 136, floorMs: 110 }, budget)).toEqual({
      bytes: false,
      init: false,
      initLimitMs: 135,
    });
  });

  it('judges init over the floor by the paired median when the run measured it, not by two medians apart', () => {
    // Prepare
    const budget = bundleBudget({ name: 'me', entry: 'lambdas/handlers/http/me.ts' });
    const health = bundleBudget({ name: 'health', entry: 'lambdas/handlers/http/health.ts' });

    // Act / Assess: the medians say 30 ms over, the pairs say 20: the pairs decide, and the other way round.
    expect(judgeBundle({ appBytes: 1, initMs: 140, floorMs: 110, initOverFloorMs: 20 }, budget).init).toBe(
      true,
    );
    expect(judgeBundle({ appBytes: 1, initMs: 120, floorMs: 110, initOverFloorMs: 26 }, budget).init).toBe(
      false,
    );
    // A fixed limit (health's 40 ms) is held by the median, whatever the pairs say.
    expect(judgeBundle({ appBytes: 1, initMs: 41, floorMs: 30, initOverFloorMs: 1 }, health).init).toBe(
      false,
    );
  });

  it('makes one size and one init target per budgeted bundle, and none for a scheduled one', () => {
    // Prepare
    const entries = [
      figures({ initMs: 150, initOverFloorMs: 30 }),
      figures({
        name: 'sweep',
        entry: 'lambdas/handlers/scheduled/sweep.ts',
        budget: bundleBudget({ name: 'sweep', entry: 'lambdas/handlers/scheduled/sweep.ts' }),
      }),
    ];

    // Act
    const targets = Object.fromEntries(bundleTargets({ entries, sdkBundled: false }));

    // Assess
    expect(Object.keys(targets)).toEqual(['bundleBytes:get-request', 'bundleInit:get-request']);
    expect(targets['bundleBytes:get-request']).toMatchObject({
      value: 100,
      target: '<= 150',
      unit: 'KiB',
      pass: true,
    });
    expect(targets['bundleInit:get-request']).toMatchObject({
      what: 'bundle get-request, init over its floor (median of back-to-back pairs; init 150 ms, floor 110 ms)',
      value: 30,
      target: '<= 25',
      unit: 'ms',
      pass: false,
    });
  });
});

describe('reading the metafile', () => {
  it('names packages by their package name and this repository’s code by its folder', () => {
    expect(moduleOf('../main/node_modules/@slack/web-api/dist/index.js')).toBe('@slack/web-api');
    expect(moduleOf('node_modules/zod/v4/core/core.js')).toBe('zod');
    expect(moduleOf('lambdas/adapters/slack/secrets.ts')).toBe('lambdas/adapters');
    expect(moduleOf('lambdas/routes.ts')).toBe('lambdas/routes.ts');
  });

  it('weighs modules by their bytes in the output, heaviest first', () => {
    // Act
    const weights = moduleWeights(metafile);

    // Assess
    expect(weights).toEqual([
      { module: 'zod', bytes: 76_000 },
      { module: '@aws-sdk/lib-dynamodb', bytes: 3000 },
      { module: 'lambdas/commons', bytes: 600 },
      { module: 'lambdas/handlers', bytes: 300 },
    ]);
    expect(sdkBytes(weights)).toBe(3000);
  });

  it('lists the SDK packages the application imports, external or bundled, not the SDK’s own imports', () => {
    expect(sdkClients(metafile)).toEqual(['@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb']);
  });

  it('writes a floor module that imports those clients and keeps them alive through a handler', () => {
    // Act
    const source = floorSource(['@aws-sdk/client-dynamodb', '@aws-sdk/client-sfn']);

    // Assess
    expect(source).toBe(
      "import * as sdk0 from '@aws-sdk/client-dynamodb';\nimport * as sdk1 from '@aws-sdk/client-sfn';\n" +
        'export const handler = () => [sdk0, sdk1];\n',
    );
  });
});

describe('the printed rows', () => {
  it('show before -> after with ratios and the floor, and name the heaviest modules of a miss', () => {
    // Prepare
    const entries = [
      figures({ base: { commit: 'abc', bytes: 300 * 1024, initMs: 260 } }),
      figures({
        name: 'submit-request',
        bytes: 200 * 1024,
        appBytes: 200 * 1024,
        initMs: 300,
        initOverFloorMs: 190,
      }),
    ];

    // Act
    const rows = bundleRows({
      entries,
      count: 2,
      totalBytes: 300 * 1024,
      largest: { name: 'submit-request', bytes: 200 * 1024 },
      slowestInit: { name: 'submit-request', initMs: 300 },
      buildMs: 1,
      sdkBundled: false,
      baseCommit: 'abc',
    });

    // Assess
    expect(rows[0]).toEqual([
      'bundles',
      'get-request',
      '300 KiB, init 260 ms -> 100 KiB, init 130 ms (3.0x smaller, 2.0x faster); floor 110 ms, +20 ms over it (paired)',
      '',
    ]);
    expect(rows[1]?.[2]).toBe('200 KiB, init 300 ms; floor 110 ms, +190 ms over it (paired)');
    expect(rows[2]).toEqual(['bundles', '  submit-request missed: heaviest modules', 'zod 74 KiB', '']);
  });
});
