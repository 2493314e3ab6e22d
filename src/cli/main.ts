#!/usr/bin/env node
import { Command, Option } from 'commander';
import { ConfigError, loadConfig } from '../config/load.ts';
import type { TalonConfig } from '../config/schema.ts';
import { createLogger } from '../log.ts';
import { startRuntime, StartupError } from '../roles/runtime.ts';
import { installTemporalLogger } from '../temporal/runtime-logger.ts';
import { listActionners, listNotifiers, listOutputs } from './commands/list.ts';
import { rbac } from './commands/rbac.ts';
import { replay } from './commands/replay.ts';
import { readEvent, rulesCheck, rulesMatch, rulesPrint, type CommandResult } from './commands/rules.ts';
import { versionText } from './commands/version.ts';

interface GlobalOptions {
  config?: string;
  rules?: string[];
}

/** Configuration from `-c` (optional) and the environment; `-r` replaces `rules_files` entirely. */
function configFrom(options: GlobalOptions): TalonConfig {
  const loaded = loadConfig({ file: options.config, env: process.env });
  const config = options.rules && options.rules.length > 0 ? { ...loaded, rules_files: options.rules } : loaded;
  installTemporalLogger(createLogger({ format: config.log_format, level: config.log_level }));
  return config;
}

function emit(result: CommandResult): never {
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  process.exit(result.code);
}

async function runRoles(options: GlobalOptions, roles: { ingest: boolean; worker: boolean; embed: boolean }): Promise<void> {
  const config = configFrom(options);
  const log = createLogger({ format: config.log_format, level: config.log_level });
  const runtime = await startRuntime({ config, log, ...roles });
  if (runtime.uiUrl) process.stderr.write(`Temporal UI:     ${runtime.uiUrl}\n`);
  if (runtime.ingestUrl) process.stderr.write(`Ingest endpoint: ${runtime.ingestUrl}/ (POST Falco alerts here)\n`);
  process.stderr.write(`Temporal:        ${runtime.temporalAddress} (namespace ${config.temporal.namespace}, task queue ${config.temporal.task_queue})\n`);
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down: no new events, draining the worker');
    await runtime.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function buildProgram(): Command {
  const program = new Command('talon').description('Falco threat response on Temporal: Falco Talon rule files, durable playbooks');
  program.addOption(new Option('-c, --config <file>', 'configuration file (YAML or JSON); optional'));
  program.addOption(new Option('-r, --rules <file>', 'rule file or folder (repeatable; replaces rules_files)').argParser(collect));
  const opts = () => program.opts<GlobalOptions>();

  program.command('start').description('all-in-one: embedded Temporal dev server (unless temporal.address is set) + worker + ingest').action(() => runRoles(opts(), { ingest: true, worker: true, embed: true }));
  program.command('serve').description('ingest endpoint only, against temporal.address').action(() => runRoles(opts(), { ingest: true, worker: false, embed: false }));
  program.command('worker').description('worker only, against temporal.address').action(() => runRoles(opts(), { ingest: false, worker: true, embed: false }));

  const rules = program.command('rules').description('check, print and try rule files');
  rules.command('check').description('validate rule files (exit 1 with every error)').action(async () => emit(await rulesCheck(configFrom(opts()))));
  rules.command('print').description('print the merged rules as YAML').action(async () => emit(await rulesPrint(configFrom(opts()))));
  rules
    .command('match')
    .description('print the rules and actions an event would run, as JSON')
    .option('--event <file>', 'event JSON file (default: standard input)')
    .action(async (o: { event?: string }) => emit(await rulesMatch(configFrom(opts()), await readEvent(o.event))));

  program.command('actionners').command('list').description('list actionners').action(() => emit({ stdout: listActionners(), stderr: '', code: 0 }));
  program.command('outputs').command('list').description('list outputs').action(() => emit({ stdout: listOutputs(), stderr: '', code: 0 }));
  program.command('notifiers').command('list').description('list notifiers').action(() => emit({ stdout: listNotifiers(), stderr: '', code: 0 }));
  program
    .command('replay <workflowId>')
    .description('replay a workflow history against the current workflow code (exit 1 on non-determinism)')
    .option('--run-id <runId>', 'a specific run (default: the latest)')
    .action(async (workflowId: string, o: { runId?: string }) => emit(await replay(configFrom(opts()), workflowId, o.runId)));
  program
    .command('rbac')
    .description('print the least-privilege ClusterRole (YAML) for the actionners, outputs and notifiers the rules use')
    .option('--name <name>', 'metadata.name of the ClusterRole', 'falco-talon')
    .action(async (o: { name: string }) => emit(await rbac(configFrom(opts()), o.name)));
  program.command('version').description('print the version').action(() => emit({ stdout: versionText(), stderr: '', code: 0 }));
  return program;
}

try {
  await buildProgram().parseAsync(process.argv);
} catch (error) {
  // Configuration and rule errors are for people: their message says it all, a stack would not help.
  const known = error instanceof ConfigError || error instanceof StartupError;
  const text = error instanceof Error ? (known ? error.message : (error.stack ?? error.message)) : String(error);
  process.stderr.write(`talon: ${text}\n`);
  process.exit(1);
}
