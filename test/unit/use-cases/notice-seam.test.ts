// The notice outbox's two sides (issue 17 §1): a use case that commits a change and enqueues its notices
// (lambdas/use-cases/notice-outbox.ts) carries none of the code that renders and sends them, which only the
// notifier imports (lambdas/use-cases/notices/). Read from the import graph esbuild resolves, module by module.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../../lib/keyholder-function.ts';

const USE_CASES = path.join(PROJECT_ROOT, 'lambdas', 'use-cases');

/** What renders the notices the notifier sends: the messages and prompts of lambdas/use-cases/notices/. */
const NOTICE_RENDERING = [
  'lambdas/presentation/notification-messages.ts',
  'lambdas/presentation/approval-email.ts',
  'lambdas/presentation/extension-email.ts',
  'lambdas/presentation/review-email.ts',
  'lambdas/presentation/slack-blocks.ts',
  'lambdas/presentation/request-summary.ts',
];

/** Committing use cases that also send a mail of their own, not a notice, and the module that renders it. */
const OWN_MAIL: Readonly<Record<string, string>> = {
  // The answer to a refused reply-to-decide mail.
  'email-reply.ts': 'lambdas/presentation/notification-email.ts',
  // The welcome mail to a newly eligible approver.
  'scim.ts': 'lambdas/presentation/directory-email.ts',
  'update-principal.ts': 'lambdas/presentation/directory-email.ts',
};

/** Every module of lambdas/ a module reaches through its imports (packages left out). */
async function reachedFrom(file: string): Promise<string[]> {
  const result = await build({
    entryPoints: [path.join(USE_CASES, file)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    write: false,
    outdir: 'out',
    metafile: true,
    packages: 'external',
    logLevel: 'error',
  });
  return Object.keys(result.metafile.inputs).filter((input) => input.startsWith('lambdas/'));
}

const modules = (await readdir(USE_CASES)).filter((name) => name.endsWith('.ts')).sort();
const graphs = new Map(
  await Promise.all(modules.map(async (name) => [name, await reachedFrom(name)] as const)),
);
const committing = modules.filter((name) => graphs.get(name)?.includes('lambdas/use-cases/notice-outbox.ts'));

describe('the notice outbox, enqueue side and delivery side', () => {
  it('finds the committing use cases (the seam is tested on something)', () => {
    expect(committing).toEqual(
      expect.arrayContaining(['decide-request.ts', 'cancel-request.ts', 'request-approval.ts', 'sweep.ts']),
    );
  });

  it.each(modules)('%s reaches nothing of the delivery side (lambdas/use-cases/notices/)', (name) => {
    expect(graphs.get(name)?.filter((input) => input.startsWith('lambdas/use-cases/notices/'))).toEqual([]);
  });

  it.each(committing.filter((name) => !(name in OWN_MAIL)))(
    '%s commits and enqueues, and reaches no presentation',
    (name) => {
      expect(graphs.get(name)?.filter((input) => input.startsWith('lambdas/presentation/'))).toEqual([]);
    },
  );

  it.each(Object.entries(OWN_MAIL))('%s renders its own mail (%s) and no notice', (name, mail) => {
    const reached = graphs.get(name) ?? [];
    expect(reached).toContain(mail);
    expect(reached.filter((input) => NOTICE_RENDERING.includes(input))).toEqual([]);
  });
});
