import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { catalog } from '../../activities/specs.ts';
import type { FalcoEvent } from '../../src/contract/index.ts';
import type { WorkflowStarter } from '../../src/ingest/starter.ts';
import { loadRules } from '../../src/rules/index.ts';

// Fixtures that need no server: unit tests import them without loading Temporal's worker.

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

/** A starter that records the workflow IDs it is asked to start and always succeeds (no server). */
export function recordingStarter(): { starter: WorkflowStarter; starts: string[] } {
  const starts: string[] = [];
  const starter: WorkflowStarter = {
    start(workflowId) {
      starts.push(workflowId);
      return Promise.resolve({ status: 'started', workflowId, runId: 'r' });
    },
    healthy() {
      return Promise.resolve(true);
    },
  };
  return { starter, starts };
}
