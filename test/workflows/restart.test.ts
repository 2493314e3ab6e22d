import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.ts';
import { createApp } from '../../src/ingest/app.ts';
import { temporalStarter } from '../../src/ingest/starter.ts';
import { silentLogger } from '../../src/log.ts';
import { Metrics } from '../../src/metrics/metrics.ts';
import { freePort, startDevServer, type DevServer } from '../../src/temporal/dev-server.ts';
import { HttpTarget } from '../support/http-target.ts';
import { rulesFromYaml, startTestWorker } from '../support/temporal.ts';

// A Temporal dev server of its own, with a database file, restarted in the middle of a burst.

let server: DevServer | undefined;
const cleanups: (() => Promise<void>)[] = [];

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  await server?.stop();
});

describe('a Temporal restart in the middle of a burst', () => {
  // Both ways the ingest reaches Temporal: its own gRPC client (`talon serve`), and the worker's
  // native connection with eager starts (`talon start`).
  it.each([false, true])(
    'every alert answered 200 ends with its workflow completed and its action run (once per key, at least once); eager: %s',
    async (eager) => {
      const port = await freePort();
      const dbFilename = join(mkdtempSync(join(tmpdir(), 'talon-restart-')), 'temporal.db');
      const options = { port, uiPort: false as const, dbFilename };
      await server?.stop();
      server = await startDevServer(options);
      const target = await new HttpTarget().start();
      target.route('/act', 200);
      cleanups.push(() => target.stop());
      const ruleSet = await rulesFromYaml(`- rule: burst
  match: { rules: [Terminal shell in container] }
  actions:
    - { action: act, actionner: http:request, parameters: { url: "${target.url}/act" } }
`);
      const connection = await Connection.connect({ address: server.address });
      const client = new Client({ connection });
      cleanups.push(() => connection.close());
      const worker = await startTestWorker(configSchema.parse({ temporal: { address: server.address } }), { address: server.address });
      cleanups.push(() => worker.stop());
      const { taskQueue, connection: native } = worker;
      const app = createApp({
        rules: () => ruleSet,
        starter: temporalStarter(eager ? new Client({ connection: native }) : client, taskQueue, { maxWaitMs: 90_000, eager }),
        metrics: new Metrics(),
        log: silentLogger,
        dedupWindowSeconds: 0,
      });
      const alert = (i: number) => ({
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ output: `burst ${i} ${randomUUID()}`, priority: 'Warning', rule: 'Terminal shell in container', output_fields: {} }),
      });
      // 200 alerts over ~2 s; the server goes down after ~1 s and comes back 2 s later on the same file.
      const answers: Promise<Response>[] = [];
      const sending = (async () => {
        for (let i = 0; i < 200; i++) {
          answers.push(Promise.resolve(app.request('/', alert(i))));
          await new Promise((r) => setTimeout(r, 10));
        }
      })();
      await new Promise((r) => setTimeout(r, 1000));
      await server.stop();
      await new Promise((r) => setTimeout(r, 2000));
      server = await startDevServer(options);
      await sending;
      const responses = await Promise.all(answers);
      const bodies = (await Promise.all(responses.map((r) => r.json()))) as { workflowId?: string; error?: string }[];
      // Held, not dropped: the ingest waited for the server instead of answering 503 (or 500).
      expect(bodies.filter((_, i) => responses[i]?.status !== 200)).toEqual([]);
      const ids = bodies.map((b) => b.workflowId ?? '');
      for (const id of ids) {
        const report = (await client.workflow.getHandle(id).result()) as { outcome: string };
        expect(report.outcome).toBe('succeeded');
      }
      const keys = target.requestsTo('/act').map((r) => String(r.headers['idempotency-key']));
      for (const id of ids) expect(keys).toContain(`${id}/0`);
    },
    240_000,
  );
});
