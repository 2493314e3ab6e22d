import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, makeTelemetryFilterString, NativeConnection, Runtime } from '@temporalio/worker';
import { inject } from 'vitest';
import { falcoEvent, rulesFromYaml } from './fixtures.ts';
import { configSchema, type TalonConfig } from '../../src/config/schema.ts';
import type { FalcoEvent } from '../../src/contract/index.ts';
import { silentLogger } from '../../src/log.ts';
import { createApp, type IngestDeps } from '../../src/ingest/app.ts';
import { temporalStarter } from '../../src/ingest/starter.ts';
import { Metrics } from '../../src/metrics/metrics.ts';
import { planEvent } from '../../src/plan/plan.ts';
import type { RuleSet } from '../../src/rules/index.ts';
import type { Hono } from 'hono';
import { dataConverterFor } from '../../src/temporal/codec.ts';
import { createWorker, type TalonWorker } from '../../src/worker/worker.ts';
import type { playbook } from '../../workflows/playbook.ts';
import type { PlaybookInput, PlaybookReport } from '../../src/contract/index.ts';

// The Rust core logs every worker start/stop at INFO; tests only want warnings.
try {
  // Core (Rust) logs too: a test that restarts the server would print every retried call.
  Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }), forward: {} } } });
} catch {
  // Already installed in this process.
}

export function temporalAddress(): string {
  return inject('temporalAddress');
}

/** A configuration for tests: the schema's defaults plus overrides, pointed at the test server. */
export function testConfig(overrides: Record<string, unknown> = {}): TalonConfig {
  return configSchema.parse({ ...overrides, temporal: { address: temporalAddress(), ...(overrides.temporal ?? {}) } });
}

/** A client of the test server; with `encryptionKeys`, it encrypts and decrypts payloads as the engine does. */
export async function testClient(encryptionKeys: readonly string[] = []): Promise<Client> {
  return new Client({ connection: await Connection.connect({ address: temporalAddress() }), dataConverter: dataConverterFor(encryptionKeys) });
}

export interface TestWorker {
  readonly taskQueue: string;
  /** The worker's own connection: a client on it starts eagerly, as `talon start`'s ingest does. */
  readonly connection: NativeConnection;
  readonly worker: TalonWorker;
  stop(): Promise<void>;
}

/** A real worker running the prebuilt workflow bundle; by default on its own task queue of the test server. */
export async function startTestWorker(
  config: TalonConfig = testConfig(),
  options: { taskQueue?: string; identity?: string; address?: string; ingestBusy?: () => boolean } = {},
): Promise<TestWorker> {
  const taskQueue = options.taskQueue ?? `test-${randomUUID()}`;
  const connection = await NativeConnection.connect({ address: options.address ?? temporalAddress() });
  const worker = await createWorker({
    connection,
    namespace: 'default',
    taskQueue,
    config,
    log: silentLogger,
    workflowBundle: { codePath: inject('workflowBundlePath') },
    ...(options.identity ? { identity: options.identity } : {}),
    ...(options.ingestBusy ? { ingestBusy: options.ingestBusy } : {}),
  });
  const running = worker.run();
  return {
    taskQueue,
    connection,
    worker,
    async stop() {
      worker.shutdown();
      await running;
      await connection.close();
    },
  };
}

/** Matches the event against rule YAML and runs the playbook on the worker, returning its report. */
export async function runPlaybook(
  client: Client,
  worker: TestWorker,
  yaml: string,
  event: FalcoEvent = falcoEvent(),
  options: { defaultNotifiers?: string[]; dedupWindowSeconds?: number } = {},
): Promise<{ report: PlaybookReport; workflowId: string }> {
  const ruleSet = await rulesFromYaml(yaml);
  const settings = { defaultNotifiers: options.defaultNotifiers ?? [], dedupWindowSeconds: options.dedupWindowSeconds ?? 0 };
  const input: PlaybookInput = planEvent(event, ruleSet, settings)?.input ?? { event, rules: [], dedupWindowSeconds: settings.dedupWindowSeconds };
  const workflowId = `test-${randomUUID()}`;
  const report = await client.workflow.execute<typeof playbook>('playbook', { taskQueue: worker.taskQueue, workflowId, args: [input] });
  return { report, workflowId };
}

/** The ingest app for `ruleSet`, starting playbooks on `taskQueue`, no dedup window; `extra` adds or overrides deps. */
export function testIngest(client: Client, taskQueue: string, ruleSet: RuleSet, extra: Partial<IngestDeps> = {}): Hono {
  return createApp({
    rules: () => ruleSet,
    starter: temporalStarter(client, taskQueue),
    metrics: new Metrics(),
    log: silentLogger,
    dedupWindowSeconds: 0,
    ...extra,
  });
}

/**
 * The run IDs a visibility query lists, once it lists any: visibility is eventually consistent, so a
 * run started a moment ago may take a little while to appear (gives up after 5 s, returning none).
 */
export async function listedRuns(client: Client, query: string): Promise<{ workflowId: string; runId: string }[]> {
  for (let waited = 0; ; waited += 100) {
    const runs: { workflowId: string; runId: string }[] = [];
    for await (const w of client.workflow.list({ query })) runs.push({ workflowId: w.workflowId, runId: w.runId });
    if (runs.length > 0 || waited >= 5000) return runs;
    await new Promise((r) => setTimeout(r, 100));
  }
}

export { falcoEvent, rulesFromYaml } from './fixtures.ts';
