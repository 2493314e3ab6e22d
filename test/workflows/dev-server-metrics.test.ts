import { afterAll, describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { startDevServer, type DevServer } from '../../src/temporal/dev-server.ts';
import { scrapePersistence, writesPerAlert } from '../../bench/server-writes.ts';

// The bench counts what an alert costs the server's database from the server's own metrics; this
// checks that path against a real dev server: its /metrics is reachable where startDevServer says,
// and one workflow start shows up as exactly one execution created and one visibility record.

describe("the dev server's own metrics", () => {
  let server: DevServer | undefined;
  afterAll(async () => server?.stop());

  it('counts the database writes of one workflow start', async () => {
    server = await startDevServer({ uiPort: false, metricsPort: 0 });
    expect(server.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const connection = await Connection.connect({ address: server.address });
    try {
      const client = new Client({ connection });
      const before = await scrapePersistence(server.metricsUrl);
      expect(before).toBeDefined();
      // No worker polls this queue: the start alone is measured.
      await client.workflow.start('noWorkerPolls', { taskQueue: 'metrics-test-unpolled', workflowId: 'metrics-test-1' });
      const after = await scrapePersistence(server.metricsUrl);
      const cost = writesPerAlert(before!, after!, 1);
      expect(cost.byOperation['history:CreateWorkflowExecution']).toBe(1);
      expect(cost.byOperation['visibility:RecordWorkflowExecutionStarted']).toBe(1);
      expect(cost.writes).toBeGreaterThanOrEqual(2);
    } finally {
      await connection.close();
    }
  });

  it('reports no metrics URL unless asked for one', async () => {
    expect(await scrapePersistence(undefined)).toBeUndefined();
  });
});
