// Each function builds only what it uses (issue 17 §1): its handler imports the one wiring its declared needs call
// for, read from lambdas/routes.ts. A wiring too small would leave a function without the channel IAM gives it (no
// Slack, no providers: silently "ledger only"); one too large carries Slack or the providers into its bundle.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Permission } from '../../../lambdas/routes.ts';
import * as routes from '../../../lambdas/routes.ts';
import { PROJECT_ROOT } from '../../../lib/keyholder-function.ts';

type Wiring = 'dependencies' | 'notifying-dependencies' | 'queueing-dependencies' | 'core-dependencies';

const WIRING_IMPORT =
  /from '(?:\.\.\/)+commons\/(dependencies|notifying-dependencies|queueing-dependencies|core-dependencies)\.ts'/g;

/** The wiring a function with these needs must import: the smallest that serves them all. */
function wiringFor(needs: readonly Permission[]): Wiring {
  if (needs.includes('providers:call')) return 'dependencies';
  if (needs.includes('mail:send') || needs.includes('slack:post')) return 'notifying-dependencies';
  // Commits changes owing notices and sends none itself: the core and the queue, no SES, no Slack.
  if (needs.includes('notices:enqueue')) return 'queueing-dependencies';
  return 'core-dependencies';
}

const specs = Object.values(routes as Record<string, unknown>)
  .flat()
  .filter(
    (spec): spec is { name: string; entry: string; needs: readonly Permission[] } =>
      typeof spec === 'object' && spec !== null && 'entry' in spec && 'needs' in spec,
  );
const byEntry = new Map(specs.map((spec) => [spec.entry, spec]));

describe('per-function wiring', () => {
  it.each([...byEntry.values()].map((spec) => [spec.name, spec] as const))(
    '%s imports the wiring its needs call for, and no other',
    async (_name, spec) => {
      // Prepare
      const source = await readFile(path.join(PROJECT_ROOT, spec.entry), 'utf8');

      // Act
      const imported = [...new Set([...source.matchAll(WIRING_IMPORT)].map((match) => match[1]))];

      // Assess: none (a handler that needs no store at all, like health) or exactly the one
      if (imported.length > 0) expect(imported).toEqual([wiringFor(spec.needs)]);
      else expect(spec.needs.filter((need) => need.startsWith('state:'))).toEqual([]);
    },
  );

  it('tells the four wirings apart by what they need', () => {
    expect(wiringFor(['state:read'])).toBe('core-dependencies');
    expect(wiringFor(['state:write', 'notices:enqueue'])).toBe('queueing-dependencies');
    expect(wiringFor(['state:write', 'mail:send', 'notices:enqueue'])).toBe('notifying-dependencies');
    expect(wiringFor(['state:read', 'workflow:start'])).toBe('core-dependencies');
    expect(wiringFor(['state:write', 'mail:send', 'slack:post'])).toBe('notifying-dependencies');
    expect(wiringFor(['state:write', 'mail:send', 'slack:post', 'providers:call'])).toBe('dependencies');
  });
});
