// Each function builds only what it uses (issue 17 §1): its handler imports the one wiring its declared needs call
// for, read from lambdas/routes.ts. A wiring too small would leave a function without the channel IAM gives it (no
// Slack, no providers: silently "ledger only"); one too large carries SES, Slack or the providers into its bundle.
// And whatever else a handler imports, it reaches SES, the Slack client and the providers only with their needs.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Permission } from '../../../lambdas/routes.ts';
import * as routes from '../../../lambdas/routes.ts';
import { PROJECT_ROOT } from '../../../lib/keyholder-function.ts';

const WIRINGS = [
  'dependencies',
  'notifying-dependencies',
  'mail-provisioning-dependencies',
  'slack-provisioning-dependencies',
  'provisioning-dependencies',
  'mailing-dependencies',
  'queueing-dependencies',
  'core-dependencies',
] as const;
type Wiring = (typeof WIRINGS)[number];

const WIRING_IMPORT = new RegExp(`from '(?:\\.\\./)+commons/(${WIRINGS.join('|')})\\.ts'`, 'g');

/** The wiring a function with these needs must import: the smallest that serves them all. */
function wiringFor(needs: readonly Permission[]): Wiring {
  const mail = needs.includes('mail:send');
  const slack = needs.includes('slack:post');
  if (needs.includes('providers:call')) {
    if (mail && slack) return 'dependencies';
    if (mail) return 'mail-provisioning-dependencies';
    if (slack) return 'slack-provisioning-dependencies';
    return 'provisioning-dependencies';
  }
  // The notifier: both channels, the ledger of what was sent.
  if (slack) return 'notifying-dependencies';
  if (mail) return 'mailing-dependencies';
  // Commits changes owing notices and sends none itself: the core and the queue, no SES, no Slack.
  if (needs.includes('notices:enqueue')) return 'queueing-dependencies';
  return 'core-dependencies';
}

/** The modules a need brings in, and that a function without the need must not reach through any import. */
const CARRIED_BY: ReadonlyArray<readonly [Permission, string]> = [
  ['mail:send', 'lambdas/adapters/ses-mailer.ts'],
  ['slack:post', 'lambdas/adapters/slack/slack-web-api.ts'],
  ['providers:call', 'lambdas/commons/provider-dependencies.ts'],
];

// Static imports and re-exports that stay at run time (`import type` is erased), side-effect imports too.
const RUNTIME_IMPORT = /(?:^|\n)\s*(?:import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?'(\.[^']+\.ts)'/g;

/** Every repository module `entry` reaches through run-time imports, as paths from the repository root. */
async function reachedFrom(entry: string): Promise<Set<string>> {
  const reached = new Set<string>();
  const pending = [entry];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (reached.has(file)) continue;
    reached.add(file);
    const source = await readFile(path.join(PROJECT_ROOT, file), 'utf8');
    for (const [, typeOnly, specifier] of source.matchAll(RUNTIME_IMPORT)) {
      if (!typeOnly && specifier) pending.push(path.posix.join(path.posix.dirname(file), specifier));
    }
  }
  return reached;
}

const specs = Object.values(routes as Record<string, unknown>)
  .flat()
  .filter(
    (spec): spec is { name: string; entry: string; needs: readonly Permission[] } =>
      typeof spec === 'object' && spec !== null && 'entry' in spec && 'needs' in spec,
  );
const byEntry = new Map(specs.map((spec) => [spec.entry, spec]));
const functions = [...byEntry.values()].map((spec) => [spec.name, spec] as const);

describe('per-function wiring', () => {
  it.each(functions)('%s imports the wiring its needs call for, and no other', async (_name, spec) => {
    // Prepare
    const source = await readFile(path.join(PROJECT_ROOT, spec.entry), 'utf8');

    // Act
    const imported = [...new Set([...source.matchAll(WIRING_IMPORT)].map((match) => match[1]))];

    // Assess: none (a handler that needs no store at all, like health) or exactly the one
    if (imported.length > 0) expect(imported).toEqual([wiringFor(spec.needs)]);
    else expect(spec.needs.filter((need) => need.startsWith('state:'))).toEqual([]);
  });

  it.each(functions)(
    '%s reaches SES, the Slack client and the providers only with their needs',
    async (_name, spec) => {
      // Act
      const reached = await reachedFrom(spec.entry);

      // Assess: each carried exactly where its need is declared (a need without it: a wiring too small)
      const carried = CARRIED_BY.filter(([, module]) => reached.has(module)).map(([need]) => need);
      expect(carried).toEqual(CARRIED_BY.map(([need]) => need).filter((need) => spec.needs.includes(need)));
    },
  );

  it('follows run-time imports only', async () => {
    // Act
    const reached = await reachedFrom('lambdas/commons/mail-provisioning-dependencies.ts');

    // Assess: the wiring's own chain is followed; the use-case context it names as a type is not
    expect(reached).toContain('lambdas/commons/mailing-dependencies.ts');
    expect(reached).toContain('lambdas/adapters/ses-mailer.ts');
    expect(reached).not.toContain('lambdas/use-cases/context.ts');
  });

  it('tells the wirings apart by what they need', () => {
    expect(wiringFor(['state:read'])).toBe('core-dependencies');
    expect(wiringFor(['state:write', 'notices:enqueue'])).toBe('queueing-dependencies');
    expect(wiringFor(['state:write', 'mail:send', 'notices:enqueue'])).toBe('mailing-dependencies');
    expect(wiringFor(['state:read', 'workflow:start'])).toBe('core-dependencies');
    expect(wiringFor(['state:write', 'mail:send', 'slack:post'])).toBe('notifying-dependencies');
    expect(wiringFor(['state:write', 'notices:enqueue', 'providers:call'])).toBe('provisioning-dependencies');
    expect(wiringFor(['state:write', 'mail:send', 'notices:enqueue', 'providers:call'])).toBe(
      'mail-provisioning-dependencies',
    );
    expect(wiringFor(['state:write', 'slack:post', 'notices:enqueue', 'providers:call'])).toBe(
      'slack-provisioning-dependencies',
    );
    expect(wiringFor(['state:write', 'mail:send', 'slack:post', 'providers:call'])).toBe('dependencies');
  });
});
