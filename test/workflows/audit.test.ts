import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTalon } from '../support/cli.ts';
import { HttpTarget } from '../support/http-target.ts';
import { falcoEvent, rulesFromYaml, startTestWorker, temporalAddress, testClient, testConfig, testIngest, type TestWorker } from '../support/temporal.ts';

// `talon history` and `talon whatif` on the real dev server: past alerts read back from visibility
// and histories; whatif plans them against proposed rules and starts nothing.

let client: Client;
let worker: TestWorker;
let target: HttpTarget;
const dir = mkdtempSync(join(tmpdir(), 'talon-audit-'));
const artifacts = mkdtempSync(join(tmpdir(), 'talon-audit-artifacts-'));
const run = randomUUID().slice(0, 8);
const pods = { web: `web-${run}`, api: `api-${run}` };
const ids: string[] = [];

const CURRENT = (url: string) => `- rule: keep a copy
  match: { rules: [Terminal shell in container] }
  actions:
    - action: ticket
      actionner: http:request
      parameters: { url: "${url}/ticket" }
      output: { target: local:file, parameters: { destination: ${artifacts} } }
`;

beforeAll(async () => {
  client = await testClient();
  target = await new HttpTarget().start();
  target.route('/ticket', { status: 200, body: '{"ticket":"SEC-1"}' });
  worker = await startTestWorker(testConfig());
  const app = testIngest(client, worker.taskQueue, await rulesFromYaml(CURRENT(target.url)));
  for (const [ns, pod] of [
    ['prod', pods.web],
    ['prod', pods.web],
    ['staging', pods.api],
  ] as const) {
    const event = falcoEvent({ output: `shell in ${ns}/${pod} ${randomUUID()}`, output_fields: { 'k8s.ns.name': ns, 'k8s.pod.name': pod } });
    const response = await app.request('/', { method: 'POST', body: JSON.stringify(event) });
    const { workflowId } = (await response.json()) as { workflowId: string };
    ids.push(workflowId);
    await client.workflow.getHandle(workflowId).result();
  }
  writeFileSync(join(dir, 'current.yaml'), CURRENT(target.url));
  writeFileSync(join(dir, 'config.yaml'), JSON.stringify({ rules_files: [join(dir, 'current.yaml')] }));
  writeFileSync(
    join(dir, 'proposed.yaml'),
    `${CURRENT(target.url)}
- rule: kill in prod
  match: { rules: [Terminal shell in container], output_fields: [k8s.ns.name=prod] }
  actions:
    - action: terminate
      actionner: kubernetes:terminate
`,
  );
});

afterAll(async () => {
  await worker?.stop();
  await target?.stop();
  await client?.connection.close();
});

const talon = (args: string[]) => runTalon(['-c', join(dir, 'config.yaml'), ...args], { env: { TEMPORAL_ADDRESS: temporalAddress() } });

describe('talon history', () => {
  it('lists what was done to a pod, by which rule, with the outcome and the artifact’s location, size and SHA-256', async () => {
    const result = await talon(['history', '--pod', `prod/${pods.web}`, '--json']);
    expect(result.code, result.stderr).toBe(0);
    const entries = JSON.parse(result.stdout) as {
      workflowId: string;
      status: string;
      outcome: string;
      pod: string;
      rules: { rule: string; actions: { action: string; status: string; artifact: { location: string; size: number; sha256: string } }[] }[];
    }[];
    expect(entries.map((e) => e.workflowId).sort()).toEqual(ids.slice(0, 2).sort());
    for (const entry of entries) {
      expect(entry).toMatchObject({ status: 'COMPLETED', outcome: 'succeeded', pod: `prod/${pods.web}` });
      const action = entry.rules[0]!.actions[0]!;
      expect(action).toMatchObject({ action: 'ticket', status: 'success' });
      const bytes = readFileSync(action.artifact.location.replace(/^file:\/\//, ''));
      expect(action.artifact.size).toBe(bytes.length);
      expect(action.artifact.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    }
    const text = await talon(['history', '--pod', `staging/${pods.api}`]);
    expect(text.stdout).toContain(`${ids[2]}  COMPLETED (succeeded)  Terminal shell in container → staging/${pods.api}`);
    expect(text.stdout).toMatch(/artifact \S+ {2}\d+ bytes {2}sha256 [0-9a-f]{64}/);
    expect((await talon(['history', '--pod', "prod/x' OR 1=1"])).code).toBe(1);
  });
});

describe('what the UI shows', () => {
  it('each activity carries a summary (action, target) and the run its current details', async () => {
    const handle = client.workflow.getHandle(ids[0]!);
    const events = (await handle.fetchHistory()).events ?? [];
    const scheduled = events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'http:request');
    const summary = scheduled?.userMetadata?.summary?.data;
    expect(JSON.parse(Buffer.from(summary ?? []).toString())).toBe(`ticket: http:request → prod/${pods.web}`);
    const metadata = await handle.query<{ currentDetails: string }>('__temporal_workflow_metadata');
    expect(metadata.currentDetails).toContain('**done**');
    expect(metadata.currentDetails).toContain('✅ ticket (`http:request`): success');
  });
});

describe('talon whatif', () => {
  it('shows the destructive actions the proposed rules would add to past alerts, reads only, and fails CI on request', async () => {
    const query = `TaskQueue = '${worker.taskQueue}'`;
    const before = (await client.workflow.count(query)).count;
    const result = await runTalon(['-c', join(dir, 'config.yaml'), '-r', join(dir, 'proposed.yaml'), 'whatif', '--query', query, '--json'], {
      env: { TEMPORAL_ADDRESS: temporalAddress() },
    });
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as {
      alerts: number;
      changed: number;
      destructiveAdded: number;
      changes: { change: string; rule: string; actionner: string; count: number; destructive: boolean; examples: string[] }[];
    };
    expect(report).toMatchObject({ alerts: 3, changed: 2, destructiveAdded: 2 });
    expect(report.changes).toEqual([
      expect.objectContaining({ change: 'added', rule: 'kill in prod', actionner: 'kubernetes:terminate', count: 2, destructive: true }),
    ]);
    expect(report.changes[0]?.examples.sort()).toEqual(ids.slice(0, 2).sort());
    const text = await runTalon(['-c', join(dir, 'config.yaml'), '-r', join(dir, 'proposed.yaml'), 'whatif', '--query', query, '--fail-on-destructive'], {
      env: { TEMPORAL_ADDRESS: temporalAddress() },
    });
    expect(text.code).toBe(3);
    expect(text.stdout).toContain("+ 2 × rule 'kill in prod', action 'terminate' (kubernetes:terminate) [destructive]");
    // Read-only: no run was started.
    expect((await client.workflow.count(query)).count).toBe(before);
  });
});
