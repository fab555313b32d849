// The `keyholder` command line (bin/keyholder.ts runs it): commander parses, each command's code is imported only
// when that command runs, so `keyholder requests` loads commander, openapi-fetch and the views, never the AWS SDK
// (only `audit verify`) nor openid-client (only login, logout and a token refresh).
// Exit codes: 0 success, 1 the action was refused or failed, 2 usage (a command, option or value not understood).
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { parseHumanDuration, parseHumanInstant } from '../lambdas/presentation/time-words.ts';
import type { Context, Io } from './context.ts';
import { describeFailure, EXIT } from './errors.ts';

export const VERSION = '0.1.0';

/** The environment variables `audit verify` falls back to (lambdas/commons/config.ts ENV; a unit test keeps them equal). */
export const AUDIT_ENV = {
  stateTable: 'KEYHOLDER_STATE_TABLE',
  auditTable: 'KEYHOLDER_AUDIT_TABLE',
  anchorBucket: 'KEYHOLDER_ANCHOR_BUCKET',
} as const;

const REQUEST_STATUSES = [
  'PENDING_APPROVAL',
  'APPROVED',
  'PROVISIONING',
  'ACTIVE',
  'EXPIRED',
  'REJECTED',
  'DENIED',
  'TIMED_OUT',
  'CANCELLED',
  'REVOKED',
  'FAILED',
] as const;

const SCOPE = /^(admin|dataset:[A-Za-z0-9._-]{1,80})$/;

// Option and argument parsers: a value that cannot be right is a usage error (exit 2) before anything is sent.
function duration(value: string): string {
  try {
    return parseHumanDuration(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

function instant(value: string): string {
  try {
    return parseHumanInstant(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

function scope(value: string, previous: string[] = []): string[] {
  if (!SCOPE.test(value))
    throw new InvalidArgumentError('a scope is admin or dataset:<id>, e.g. dataset:hes-apc');
  return [...previous, value];
}

function status(value: string): (typeof REQUEST_STATUSES)[number] {
  const upper = value.toUpperCase().replaceAll('-', '_');
  const known = REQUEST_STATUSES.find((candidate) => candidate === upper);
  if (!known) throw new InvalidArgumentError(`one of ${REQUEST_STATUSES.join(', ')}`);
  return known;
}

function text(what: string) {
  return (value: string): string => {
    if (value.trim() === '') throw new InvalidArgumentError(`${what} is empty`);
    return value;
  };
}

const example = (...lines: string[]) =>
  `\nExample${lines.length > 1 ? 's' : ''}:\n${lines.map((line) => `  $ ${line}`).join('\n')}\n`;

type Action = (context: Context, args: string[], options: Record<string, unknown>) => Promise<unknown>;

/** Builds the program; `io` is where it prints and what it reads (the process, or a test's). */
export function buildProgram(io: Io, exit: { code: number }): Command {
  const program = new Command('keyholder');
  const act =
    (action: Action) =>
    async (...args: unknown[]): Promise<void> => {
      const command = args.at(-1) as Command;
      const options = command.optsWithGlobals() as Record<string, unknown>;
      const positional = args.slice(0, command.registeredArguments.length);
      const { Context } = await import('./context.ts');
      const context = await Context.create({
        api: options.api as string | undefined,
        json: options.json as boolean | undefined,
        io,
      });
      const flat = positional.flatMap((value) => (Array.isArray(value) ? value : [value])) as string[];
      const code = await action(context, flat, options);
      if (typeof code === 'number') exit.code = code;
    };
  const json = () => new Option('--json', "print the API's JSON answer (for scripts)");

  program
    .description(
      'Keyholder from the command line: ask for time-limited access, decide as a director, revoke, and see who ' +
        'holds what. Run `keyholder login` first (or set KEYHOLDER_TOKEN).',
    )
    .version(VERSION, '-V, --version')
    .option(
      '--api <url>',
      'the Keyholder API (default: $KEYHOLDER_API, else the API last logged in to, else http://127.0.0.1:3000)',
    )
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .exitOverride()
    .configureOutput({
      writeOut: (line) => io.stdout.write(line),
      writeErr: (line) => io.stderr.write(line),
      outputError: (line, write) => write(`keyholder: ${line.replace(/^error: /, '')}`),
    })
    .addHelpText(
      'after',
      '\nExit codes: 0 done, 1 refused or failed (the API said no, not logged in), 2 usage.\n' +
        'Colour only on a terminal; NO_COLOR turns it off. `keyholder <command> --help` shows an example of each.',
    );

  // ---- signing in
  program
    .command('login')
    .description("log in with the API's identity provider (device code: you confirm in a browser)")
    .addOption(json())
    .addHelpText('after', example('keyholder login --api https://keyholder.example.nhs.uk'))
    .action(act(async (context) => (await import('./commands/session.ts')).login(context)));
  program
    .command('logout')
    .description('forget the stored login to the API (and revoke its refresh token where the provider can)')
    .addOption(json())
    .addHelpText('after', example('keyholder logout'))
    .action(act(async (context) => (await import('./commands/session.ts')).logout(context)));
  program
    .command('whoami')
    .description('who the API takes you for: name, organisation, clearance, what you may do')
    .addOption(json())
    .addHelpText('after', example('keyholder whoami', 'KEYHOLDER_TOKEN=eyJ... keyholder whoami --json'))
    .action(act(async (context) => (await import('./commands/session.ts')).whoami(context)));

  // ---- requests
  program
    .command('request')
    .description('ask for access: admin, or one or more datasets')
    .argument('<scopes...>', 'admin, or dataset:<id> (see keyholder datasets)', scope)
    .requiredOption('--for <duration>', 'how long: 4h, 90m, 1h30m, 2 days, 1w, or ISO-8601 (PT4H)', duration)
    .requiredOption(
      '--why <justification>',
      'why you need it (the policy sets a minimum length)',
      text('--why'),
    )
    .option('--ticket <ref>', 'a change or incident ticket, e.g. INC-1042', text('--ticket'))
    .option(
      '--break-glass',
      'emergency access, active at once without approval, if the policy names you; every director is told and reviews it',
    )
    .addOption(json())
    .addHelpText(
      'after',
      example(
        'keyholder request admin --for 4h --why "Restoring the admissions feed after INC-1042" --ticket INC-1042',
        'keyholder request dataset:hes-apc dataset:gp-records --for 2 days --why "Data quality checks for the Q4 return"',
        'keyholder request admin --for 30m --why "Admissions feed down, INC-1042, no director reachable" --break-glass',
      ),
    )
    .action(
      act(async (context, scopes, options) =>
        (await import('./commands/requests.ts')).submit(context, scopes, {
          for: options.for as string,
          why: options.why as string,
          ticket: options.ticket as string | undefined,
          breakGlass: options.breakGlass === true,
        }),
      ),
    );
  program
    .command('requests')
    .description('your requests, and pending ones you may decide')
    .addOption(
      new Option('--status <status>', `only those in one status: ${REQUEST_STATUSES.join(', ')}`).argParser(
        status,
      ),
    )
    .addOption(json())
    .addHelpText('after', example('keyholder requests', 'keyholder requests --status pending_approval'))
    .action(
      act(async (context, _args, options) =>
        (await import('./commands/requests.ts')).list(context, {
          status: options.status as (typeof REQUEST_STATUSES)[number] | undefined,
        }),
      ),
    );
  program
    .command('show')
    .description('one request and its timeline')
    .argument('<id>', 'the request id')
    .option('--all', 'also the notifications sent (one event per person and channel)')
    .addOption(json())
    .addHelpText(
      'after',
      example('keyholder show req-01JF3Q8Z7X', 'keyholder show req-01JF3Q8Z7X --json | jq .request.status'),
    )
    .action(
      act(async (context, [id], options) =>
        (await import('./commands/requests.ts')).show(context, id as string, { all: options.all === true }),
      ),
    );
  program
    .command('approve')
    .description('approve a request (or an extension) waiting for your decision')
    .argument('<id>', 'the request id')
    .option('--comment <text>', 'a note recorded with your decision', text('--comment'))
    .addOption(json())
    .addHelpText(
      'after',
      example('keyholder approve req-01JF3Q8Z7X --comment "Checked with the incident lead"'),
    )
    .action(
      act(async (context, [id], options) =>
        (await import('./commands/requests.ts')).decide(
          context,
          id as string,
          'approve',
          options.comment as string | undefined,
        ),
      ),
    );
  program
    .command('deny')
    .description('deny a request (or an extension) waiting for your decision')
    .argument('<id>', 'the request id')
    .requiredOption('--reason <text>', 'why, told to the requester', text('--reason'))
    .addOption(json())
    .addHelpText(
      'after',
      example('keyholder deny req-01JF3Q8Z7X --reason "Use the pseudonymised extract instead"'),
    )
    .action(
      act(async (context, [id], options) =>
        (await import('./commands/requests.ts')).decide(
          context,
          id as string,
          'deny',
          options.reason as string,
        ),
      ),
    );
  program
    .command('cancel')
    .description('cancel your own request while it waits for approval')
    .argument('<id>', 'the request id')
    .addOption(json())
    .addHelpText('after', example('keyholder cancel req-01JF3Q8Z7X'))
    .action(
      act(async (context, [id]) => (await import('./commands/requests.ts')).cancel(context, id as string)),
    );
  program
    .command('extend')
    .description('ask for more time on access you hold (approved like the request)')
    .argument('<id>', 'the request id')
    .requiredOption('--for <duration>', 'how much longer: 2h, 1 day, or ISO-8601 (PT2H)', duration)
    .requiredOption('--why <justification>', 'why more time is needed', text('--why'))
    .addOption(json())
    .addHelpText(
      'after',
      example(
        'keyholder extend req-01JF3Q8Z7X --for 2h --why "The restore is still running on the last partition"',
      ),
    )
    .action(
      act(async (context, [id], options) =>
        (await import('./commands/requests.ts')).extend(context, id as string, {
          for: options.for as string,
          why: options.why as string,
        }),
      ),
    );
  program
    .command('revoke')
    .description('end active access now (the holder, an approver or an access-admin)')
    .argument('<id>', 'the request id')
    .requiredOption('--reason <text>', 'why, recorded in the audit trail', text('--reason'))
    .addOption(json())
    .addHelpText('after', example('keyholder revoke req-01JF3Q8Z7X --reason "Incident closed"'))
    .action(
      act(async (context, [id], options) =>
        (await import('./commands/requests.ts')).revoke(context, id as string, {
          reason: options.reason as string,
        }),
      ),
    );

  // ---- who holds what
  program
    .command('access')
    .description('who holds which access now; at a past time (--at); or a history (--principal, --scope)')
    .option('--at <time>', 'who held access then: 2026-12-01T09:00Z, 2026-12-01, 3h ago, 2 days ago', instant)
    .option('--principal <id>', "one person's history, e.g. ext-kim", text('--principal'))
    .option('--scope <scope>', "one scope's history, e.g. dataset:hes-apc", (value) => {
      const [one] = scope(value);
      return one as string;
    })
    .addOption(new Option('--csv', 'print CSV (now, or --at a time)').conflicts('json'))
    .addOption(json())
    .addHelpText(
      'after',
      example(
        'keyholder access',
        'keyholder access --at "2 days ago"',
        'keyholder access --scope dataset:hes-apc',
        'keyholder access --csv > access.csv',
      ),
    )
    .action(
      act(async (context, _args, options) =>
        (await import('./commands/access.ts')).access(context, {
          at: options.at as string | undefined,
          principal: options.principal as string | undefined,
          scope: options.scope as string | undefined,
          csv: options.csv === true,
        }),
      ),
    );
  program
    .command('datasets')
    .description('the dataset catalogue (ask for them as dataset:<id>)')
    .addOption(json())
    .addHelpText('after', example('keyholder datasets'))
    .action(act(async (context) => (await import('./commands/access.ts')).datasets(context)));

  // ---- audit (straight in DynamoDB, not through the API)
  const audit = program.command('audit').description('the audit trail');
  audit
    .command('verify')
    .description(
      "walk every audit stream's hash chain in DynamoDB, compare each stream with its recorded head and, given an " +
        'anchor bucket, the whole trail with the latest hourly anchor. Exit code 0: intact; 1: broken; 2: usage or ' +
        'access error. Each option falls back to an environment variable.',
    )
    .option('--state-table <name>', AUDIT_ENV.stateTable)
    .option('--audit-table <name>', AUDIT_ENV.auditTable)
    .option(
      '--anchor-bucket <name>',
      `${AUDIT_ENV.anchorBucket} (optional: without it anchors are not checked)`,
    )
    .option('--endpoint <url>', 'AWS_ENDPOINT_URL_DYNAMODB (e.g. DynamoDB Local)')
    .option('--region <region>', 'AWS_REGION')
    .option('--json', 'print the verdict as JSON')
    .addHelpText(
      'after',
      example(
        'keyholder audit verify --endpoint http://localhost:8000 --state-table keyholder-state --audit-table keyholder-audit',
        'KEYHOLDER_STATE_TABLE=... KEYHOLDER_AUDIT_TABLE=... KEYHOLDER_ANCHOR_BUCKET=... keyholder audit verify --json',
      ),
    )
    .action(async (options: Record<string, string | boolean | undefined>) => {
      const { auditVerify } = await import('./commands/audit-verify.ts');
      exit.code = await auditVerify(
        {
          stateTable: options.stateTable as string | undefined,
          auditTable: options.auditTable as string | undefined,
          anchorBucket: options.anchorBucket as string | undefined,
          endpoint: options.endpoint as string | undefined,
          region: options.region as string | undefined,
          json: options.json === true,
        },
        io,
      );
    });
  return program;
}

/** Runs one command line; resolves with the exit code (it never calls process.exit). */
export async function run(argv: readonly string[], io?: Io): Promise<number> {
  const where = io ?? (await import('./context.ts')).processIo;
  const exit = { code: EXIT.ok as number };
  const program = buildProgram(where, exit);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exit.code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end "with an error" too; a usage error was printed already, by outputError above.
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT.ok;
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    const { line, exitCode } = describeFailure(error);
    where.stderr.write(`${line}\n`);
    return exitCode;
  }
}
