#!/usr/bin/env node
import { Command, Option } from 'commander';
import { ConfigError, loadConfig } from '../config/load.ts';
import type { TalonConfig } from '../config/schema.ts';
import type { CommandResult } from './commands/result.ts';

// Each command imports what it uses when it runs: `talon version` must not load the Temporal
// worker, the Kubernetes client and the cloud SDKs that `talon start` needs.

interface GlobalOptions {
  config?: string;
  rules?: string[];
}

/** Configuration from `-c` (optional) and the environment; `-r` replaces `rules_files` entirely. */
function configFrom(options: GlobalOptions): TalonConfig {
  const loaded = loadConfig({ file: options.config, env: process.env });
  return options.rules && options.rules.length > 0 ? { ...loaded, rules_files: options.rules } : loaded;
}

function emit(result: CommandResult): never {
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  process.exit(result.code);
}

async function runRoles(options: GlobalOptions, roles: { ingest: boolean; worker: boolean; embed: boolean }): Promise<void> {
  const { runRoles: run } = await import('./commands/roles.ts');
  await run(configFrom(options), roles);
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function buildProgram(): Command {
  const program = new Command('talon').description('Falco threat response on Temporal: Falco Talon rule files, durable playbooks');
  program.addOption(new Option('-c, --config <file>', 'configuration file (YAML or JSON); optional'));
  program.addOption(new Option('-r, --rules <file>', 'rule file or folder (repeatable; replaces rules_files)').argParser(collect));
  const opts = () => program.opts<GlobalOptions>();

  program
    .command('start')
    .description('all-in-one: embedded Temporal dev server (unless temporal.address is set) + worker + ingest')
    .action(() => runRoles(opts(), { ingest: true, worker: true, embed: true }));
  program
    .command('serve')
    .description('ingest endpoint only, against temporal.address')
    .action(() => runRoles(opts(), { ingest: true, worker: false, embed: false }));
  program
    .command('worker')
    .description('worker only, against temporal.address')
    .action(() => runRoles(opts(), { ingest: false, worker: true, embed: false }));

  const rules = program.command('rules').description('check, print and try rule files');
  rules
    .command('check')
    .description('validate rule files (exit 1 with every error; warnings for what Falco Talon ignores)')
    .option('--strict', 'exit 1 on warnings too')
    .action(async (o: { strict?: boolean }) => emit(await (await import('./commands/rules.ts')).rulesCheck(configFrom(opts()), o.strict === true)));
  rules
    .command('print')
    .description('print the merged rules as YAML')
    .action(async () => emit(await (await import('./commands/rules.ts')).rulesPrint(configFrom(opts()))));
  rules
    .command('match')
    .description('print the rules and actions an event would run, as JSON')
    .option('--event <file>', 'event JSON file (default: standard input)')
    .action(async (o: { event?: string }) => {
      const { readEvent, rulesMatch } = await import('./commands/rules-match.ts');
      emit(await rulesMatch(configFrom(opts()), await readEvent(o.event)));
    });

  const list = (lister: 'listActionners' | 'listOutputs' | 'listNotifiers') => async () =>
    emit({ stdout: (await import('./commands/list.ts'))[lister](), stderr: '', code: 0 });
  program.command('actionners').command('list').description('list actionners').action(list('listActionners'));
  program.command('outputs').command('list').description('list outputs').action(list('listOutputs'));
  program.command('notifiers').command('list').description('list notifiers').action(list('listNotifiers'));
  program
    .command('replay <workflowId>')
    .description('replay a workflow history against the current workflow code (exit 1 on non-determinism)')
    .option('--run-id <runId>', 'a specific run (default: the latest)')
    .action(async (workflowId: string, o: { runId?: string }) =>
      emit(await (await import('./commands/replay.ts')).replay(configFrom(opts()), workflowId, o.runId)),
    );
  const controls = () => import('./commands/controls.ts');
  const person = (command: Command) =>
    command
      .option('--as <name>', 'who decides (default: $TALON_USER or the login name)')
      .option('--reason <text>', 'why, recorded in history')
      .option('--json', 'JSON output');
  for (const decision of ['approve', 'deny'] as const) {
    person(program.command(`${decision} <workflowId>`).description(`${decision} the approval a playbook waits for`)).action(
      async (workflowId: string, o: { as?: string; reason?: string; json?: boolean }) =>
        emit(await (await controls()).approveOrDeny(configFrom(opts()), decision, workflowId, o)),
    );
  }
  person(program.command('extend <workflowId> <duration>').description('hold a containment longer (e.g. 4h)')).action(
    async (workflowId: string, duration: string, o: { as?: string; reason?: string; json?: boolean }) =>
      emit(await (await controls()).containmentControl(configFrom(opts()), 'extend', workflowId, { ...o, duration })),
  );
  person(program.command('confirm <workflowId>').description('keep a containment for good (it will not be undone)')).action(
    async (workflowId: string, o: { as?: string; reason?: string; json?: boolean }) =>
      emit(await (await controls()).containmentControl(configFrom(opts()), 'confirm', workflowId, o)),
  );
  person(program.command('release <workflowId>').description('undo a containment now')).action(
    async (workflowId: string, o: { as?: string; reason?: string; json?: boolean }) =>
      emit(await (await controls()).containmentControl(configFrom(opts()), 'release', workflowId, o)),
  );
  program
    .command('contained')
    .description('list what is contained now and until when')
    .option('--json', 'JSON output')
    .action(async (o: { json?: boolean }) => emit(await (await controls()).contained(configFrom(opts()), o)));
  person(program.command('pause').description('stop every destructive action (the governor holds them) until `talon resume`')).action(
    async (o: { as?: string; reason?: string; json?: boolean }) => emit(await (await controls()).pauseControl(configFrom(opts()), true, o)),
  );
  person(program.command('resume').description('let destructive actions run again')).action(async (o: { as?: string; reason?: string; json?: boolean }) =>
    emit(await (await controls()).pauseControl(configFrom(opts()), false, o)),
  );
  const audit = () => import('./commands/audit.ts');
  const positive = (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new Error(`'${value}' is not a positive integer`);
    return n;
  };
  program
    .command('whatif')
    .description('plan past alerts against the proposed rules (-r) and the rules in force; print what would change (read-only)')
    .option('--since <duration>', 'alerts of the last … (e.g. 24h)')
    .option('--query <visibility query>', 'a Temporal visibility query, ANDed')
    .option('--limit <n>', 'at most this many alerts, newest first', positive, 500)
    .option('--json', 'one JSON object')
    .option('--fail-on-destructive', 'exit 3 when the proposed rules add destructive actions')
    .action(async (o: { since?: string; query?: string; limit: number; json?: boolean; failOnDestructive?: boolean }) => {
      // `-r` names the proposed rules; the rules in force are the configuration's.
      const { rules, ...rest } = opts();
      emit(await (await audit()).whatif(configFrom(rest), rules ?? [], o));
    });
  program
    .command('history')
    .description('what playbooks did, when, by which rule, with which outcome and artifacts')
    .option('--pod <namespace/pod>', 'runs for this pod')
    .option('--rule <name>', 'runs of this Falco rule or Talon rule')
    .option('--since <duration>', 'runs of the last … (e.g. 24h)')
    .option('--limit <n>', 'at most this many runs, newest first', positive, 50)
    .option('--json', 'JSON output')
    .action(async (o: { pod?: string; rule?: string; since?: string; limit: number; json?: boolean }) => {
      const [ns, pod] = o.pod?.includes('/') ? o.pod.split('/', 2) : [undefined, undefined];
      if (o.pod && !pod) throw new Error(`--pod '${o.pod}' must be namespace/pod`);
      emit(await (await audit()).history(configFrom(opts()), { ...o, pod: ns && pod ? { namespace: ns, pod } : undefined }));
    });
  program
    .command('rbac')
    .description('print the least-privilege ClusterRole (YAML) for the actionners, outputs and notifiers the rules use')
    .option('--name <name>', 'metadata.name of the ClusterRole', 'falco-talon')
    .action(async (o: { name: string }) => emit(await (await import('./commands/rbac.ts')).rbac(configFrom(opts()), o.name)));
  program
    .command('version')
    .description('print the version')
    .action(async () => emit({ stdout: (await import('./commands/version.ts')).versionText(), stderr: '', code: 0 }));
  return program;
}

try {
  await buildProgram().parseAsync(process.argv);
} catch (error) {
  // Configuration and rule errors are for people: their message says it all, a stack would not help.
  const known = error instanceof ConfigError || (error instanceof Error && error.name === 'StartupError');
  const text = error instanceof Error ? (known ? error.message : (error.stack ?? error.message)) : String(error);
  process.stderr.write(`talon: ${text}\n`);
  process.exit(1);
}
