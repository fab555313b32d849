// Break-glass end to end on the local stack: ACTIVE at once without any approval through the same workflow, every
// eligible director told URGENT, the cap still refusing, two directors justifying, and a grant left unreviewed past
// its (15-second) window suspending its holder until an access-admin restores them.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executionArnOf } from '../../lambdas/adapters/step-functions-workflow.ts';
import { startTestStack, type TestStack, waitFor } from '../support/local-stack.ts';

const run = promisify(execFile);
const justification = 'Restoring the admissions feed after INC-1042 took it down';
const DIRECTORS = ['dir-ada@nhse.example', 'dir-ben@nhse.example', 'exd-cleo@nhse.example'];

describe('break-glass on the local stack', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack({
      policy: {
        minDuration: 'PT1S',
        externalAdminCap: 2,
        breakGlass: {
          eligible: ['ext-kim', 'ext-gus', 'ext-hal'],
          scopes: ['admin', 'dataset:*'],
          maxDuration: 'PT1H',
          reviewWithin: 'PT15S',
          reviewersRequired: 2,
        },
      },
      sweepIntervalMs: 0,
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const breakGlass = (as: string, scopes = ['admin']) =>
    stack.call('POST', '/requests', {
      as,
      body: { scopes, justification, duration: 'PT30M', breakGlass: true },
    });

  async function eventsOf(requestId: string): Promise<Array<{ action: string; reason?: string }>> {
    const audit = await stack.call('GET', `/audit?requestId=${requestId}`, { as: 'aud-fay' });
    return audit.body.events;
  }

  let kimRequest = '';
  let gusRequest = '';

  it('makes an eligible contractor ACTIVE at once, with no approval, and tells every director URGENT', async () => {
    // Act
    const created = await breakGlass('ext-kim');
    const active = await stack.waitForStatus(created.body.id, 'ACTIVE', 5_000);
    kimRequest = created.body.id;

    // Assess
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ status: 'APPROVED', approvalsRequired: 0, approvals: [] });
    expect(active.grant.approvedBy).toEqual([]);
    expect(active.breakGlass).toMatchObject({ outcome: 'OPEN', reviewersRequired: 2, reviews: [] });
    const access = await stack.call('GET', '/access', { as: 'dir-ada' });
    const held = access.body.access.find((entry: { requestId: string }) => entry.requestId === kimRequest);
    expect(held).toMatchObject({ breakGlass: true, approvedBy: [] });
    const actions = (await eventsOf(kimRequest)).map((event) => event.action);
    expect(actions.slice(0, 2)).toEqual(['REQUEST_SUBMITTED', 'GRANT_ACTIVATED']);
    expect(actions).not.toContain('APPROVAL_REQUESTED');
    const urgent = await waitFor(() => {
      const sent = stack.mailbox
        .messages()
        .filter((message) => message.subject.startsWith('URGENT') && message.subject.includes(kimRequest));
      return sent.length >= DIRECTORS.length ? sent : undefined;
    }, 'the urgent notices');
    expect(urgent.map((message) => message.to).sort()).toEqual(DIRECTORS);
    expect(urgent[0]?.text).toContain('30 minutes');
    // The same states as an approved request: the approval step found nothing to ask and called back at once.
    const arn = executionArnOf(stack.stateMachineArn, kimRequest);
    const states = await waitFor(() => {
      const entered = stack.stepFunctions
        .executions()
        .find((entry) => entry.executionArn === arn)?.stateEntered;
      return entered?.includes('WaitUntilExpiry') ? entered : undefined;
    }, 'the expiry wait');
    expect(states).toEqual(['Validate', 'AwaitApproval', 'Grant', 'IsActive', 'WaitUntilExpiry']);
  });

  it('cannot be extended', async () => {
    // Act
    const extended = await stack.call('POST', `/requests/${kimRequest}/extend`, {
      as: 'ext-kim',
      body: { duration: 'PT30M', justification },
    });

    // Assess
    expect(extended.status).toBe(409);
    expect(extended.body.error.code).toBe('BREAK_GLASS_NOT_EXTENSIBLE');
  });

  it('is reviewed by two distinct directors: the holder is refused, the second justified settles it', async () => {
    // Act
    const self = await stack.call('POST', `/requests/${kimRequest}/break-glass-reviews`, {
      as: 'ext-kim',
      body: { verdict: 'justified', comment: 'I needed it' },
    });
    const first = await stack.call('POST', `/requests/${kimRequest}/break-glass-reviews`, {
      as: 'dir-ada',
      body: { verdict: 'justified', comment: 'The feed was down and the fix needed admin' },
    });
    const twice = await stack.call('POST', `/requests/${kimRequest}/break-glass-reviews`, {
      as: 'dir-ada',
      body: { verdict: 'justified', comment: 'Again' },
    });
    const second = await stack.call('POST', `/requests/${kimRequest}/break-glass-reviews`, {
      as: 'dir-ben',
      body: { verdict: 'justified', comment: 'Agreed with the incident lead' },
    });

    // Assess
    expect(self.status).toBe(403);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.breakGlass.outcome).toBe('OPEN');
    expect(twice.status).toBe(409);
    expect(second.status).toBe(200);
    expect(second.body.breakGlass).toMatchObject({ outcome: 'JUSTIFIED', settledAt: expect.any(String) });
    const actions = (await eventsOf(kimRequest)).map((event) => event.action);
    expect(actions).toContain('BREAK_GLASS_REVIEW_RECORDED');
    expect(actions).toContain('BREAK_GLASS_JUSTIFIED');
  });

  it('still counts against the cap: a full cap refuses break-glass with 409 and writes nothing', async () => {
    // Prepare
    const second = await breakGlass('ext-gus');
    gusRequest = second.body.id;
    await stack.waitForStatus(gusRequest, 'ACTIVE', 5_000);

    // Act
    const refused = await breakGlass('ext-hal');
    const halRequests = await stack.call('GET', '/requests', { as: 'ext-hal' });

    // Assess
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('CAP_REACHED');
    expect(halRequests.body.requests).toEqual([]);
  });

  it('left unreviewed past its window: the sweep suspends the holder, whose next break-glass is refused until restored', async () => {
    // Prepare: the 15-second window of gus's grant closes with only one director's verdict.
    await stack.call('POST', `/requests/${gusRequest}/break-glass-reviews`, {
      as: 'dir-ada',
      body: { verdict: 'justified', comment: 'Probably fine' },
    });
    const deadline = (await stack.call('GET', `/requests/${gusRequest}`, { as: 'adm-eve' })).body.breakGlass
      .reviewDeadline as string;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, Date.parse(deadline) - Date.now() + 200)));

    // Act
    const swept = await stack.call('POST', '/dev/sweep');
    const again = await stack.call('POST', '/dev/sweep');
    await stack.call('POST', `/requests/${gusRequest}/revoke`, { as: 'ext-gus', body: { reason: 'Done' } });
    const refused = await breakGlass('ext-gus', ['dataset:hes-apc']);
    const principals = await stack.call('GET', '/principals', { as: 'adm-eve' });
    const restored = await stack.call('PATCH', '/principals/ext-gus', {
      as: 'adm-eve',
      body: { breakGlassSuspended: null },
    });
    const allowed = await breakGlass('ext-gus', ['dataset:hes-apc']);

    // Assess
    expect(swept.body.breakGlassUnreviewed).toEqual([gusRequest]);
    expect(again.body.breakGlassUnreviewed).toEqual([]);
    const events = await eventsOf(gusRequest);
    expect(events.filter((event) => event.action === 'BREAK_GLASS_UNREVIEWED')).toHaveLength(1);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('BREAK_GLASS_SUSPENDED');
    const gus = principals.body.principals.find((entry: { id: string }) => entry.id === 'ext-gus');
    expect(gus.breakGlassSuspended).toMatchObject({ requestId: gusRequest, reason: 'UNREVIEWED' });
    expect(restored.status, JSON.stringify(restored.body)).toBe(200);
    expect(restored.body.changed).toEqual(['breakGlassSuspended']);
    expect(allowed.status, JSON.stringify(allowed.body)).toBe(201);
    await stack.waitForStatus(allowed.body.id, 'ACTIVE', 5_000);
  });
});

// The command line's equivalent: `keyholder request ... --break-glass` (a fresh process, as a person types it).
describe('break-glass from the command line', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack({
      policy: {
        minDuration: 'PT1S',
        breakGlass: {
          eligible: ['ext-hal'],
          scopes: ['dataset:*'],
          maxDuration: 'PT1H',
          reviewWithin: 'PT24H',
          reviewersRequired: 2,
        },
      },
      sweepIntervalMs: 0,
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('keyholder request --break-glass is ACTIVE at once and says it is waiting for review', async () => {
    const home = await mkdtemp(path.join(tmpdir(), 'keyholder-break-glass-cli-'));
    try {
      const env = {
        ...process.env,
        XDG_CONFIG_HOME: home,
        KEYHOLDER_API: stack.url,
        KEYHOLDER_TOKEN: await stack.tokenFor('ext-hal'),
        NO_COLOR: '1',
      };
      const bin = path.resolve(import.meta.dirname, '../../bin/keyholder.ts');
      const { stdout } = await run(
        process.execPath,
        [bin, 'request', 'dataset:hes-apc', '--for', '30m', '--why', justification, '--break-glass'],
        { env },
      );
      const id = /Requested (\S+):/.exec(stdout)?.[1] ?? '';
      expect(stdout, stdout).toMatch(/Requested \S+: APPROVED/);
      expect(stdout).toContain('break-glass  granted without approval; waiting for review (0 of 2 justified');
      const active = await stack.waitForStatus(id, 'ACTIVE', 5_000);
      expect(active.breakGlass).toMatchObject({ outcome: 'OPEN', reviewersRequired: 2 });
      const refused = await run(
        process.execPath,
        [bin, 'request', 'admin', '--for', '30m', '--why', justification, '--break-glass'],
        { env },
      ).catch((error: { code: number; stderr: string }) => error);
      expect('code' in refused && refused.code).toBeTruthy();
      expect('stderr' in refused ? refused.stderr : '').toContain('scopes');
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});
