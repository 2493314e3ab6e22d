import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import { catalog } from '../../activities/registry.ts';
import { configSchema, type TalonConfig } from '../../src/config/schema.ts';
import type { FalcoEvent } from '../../src/events/types.ts';
import { silentLogger } from '../../src/log.ts';
import { planRules } from '../../src/plan/build.ts';
import { loadRules } from '../../src/rules/index.ts';
import { createWorker } from '../../src/worker/worker.ts';
import type { playbook } from '../../workflows/playbook.ts';
import type { PlaybookInput, PlaybookReport } from '../../workflows/types.ts';

// The Rust core logs every worker start/stop at INFO; tests only want warnings.
try {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
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

export async function testClient(): Promise<Client> {
  return new Client({ connection: await Connection.connect({ address: temporalAddress() }) });
}

export interface TestWorker {
  readonly taskQueue: string;
  readonly worker: Worker;
  stop(): Promise<void>;
}

/** A real worker on its own task queue, running the prebuilt workflow bundle. */
export async function startTestWorker(config: TalonConfig = testConfig()): Promise<TestWorker> {
  const taskQueue = `test-${randomUUID()}`;
  const connection = await NativeConnection.connect({ address: temporalAddress() });
  const worker = await createWorker({
    connection,
    namespace: 'default',
    taskQueue,
    deps: { config, log: silentLogger },
    workflowBundle: { codePath: inject('workflowBundlePath') },
  });
  const running = worker.run();
  return {
    taskQueue,
    worker,
    async stop() {
      worker.shutdown();
      await running;
      await connection.close();
    },
  };
}

/** Writes rule YAML to a temp file and loads it with the real registry; throws listing all errors. */
export async function rulesFromYaml(yaml: string) {
  const dir = mkdtempSync(join(tmpdir(), 'talon-rules-'));
  const file = join(dir, 'rules.yaml');
  writeFileSync(file, yaml);
  const loaded = await loadRules([file], catalog);
  if (!loaded.ok) throw new Error(loaded.errors.map(String).join('\n'));
  return loaded.ruleSet;
}

export function falcoEvent(overrides: Partial<FalcoEvent> = {}): FalcoEvent {
  return {
    output: `Terminal shell in container (user=root) ${randomUUID()}`,
    priority: 'Warning',
    rule: 'Terminal shell in container',
    hostname: 'node-1',
    time: '2026-11-24T10:00:00.000000000Z',
    source: 'syscall',
    output_fields: { 'k8s.ns.name': 'prod', 'k8s.pod.name': 'web-1', 'proc.name': 'bash' },
    tags: ['container', 'shell'],
    ...overrides,
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
  const input: PlaybookInput = {
    event,
    rules: planRules(ruleSet.match(event), options.defaultNotifiers ?? []),
    dedupWindowSeconds: options.dedupWindowSeconds ?? 0,
  };
  const workflowId = `test-${randomUUID()}`;
  const report = await client.workflow.execute<typeof playbook>('playbook', { taskQueue: worker.taskQueue, workflowId, args: [input] });
  return { report, workflowId };
}
