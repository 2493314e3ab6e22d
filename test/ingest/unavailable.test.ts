import { Client, Connection } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/ingest/app.ts';
import { temporalStarter } from '../../src/ingest/starter.ts';
import { silentLogger } from '../../src/log.ts';
import { Metrics } from '../../src/metrics/metrics.ts';
import { freePort } from '../../src/temporal/dev-server.ts';
import { rulesFromYaml } from '../support/temporal.ts';

describe('ingest with Temporal unreachable', () => {
  it('answers 503 with Retry-After to alerts and to /healthz', async () => {
    // A lazy connection to a port nobody listens on: the real client's failure, not a fake one.
    const connection = Connection.lazy({ address: `127.0.0.1:${await freePort()}`, connectTimeout: 500 });
    const client = new Client({ connection });
    const ruleSet = await rulesFromYaml(
      `- rule: r\n  match: { rules: [Terminal shell in container] }\n  actions:\n    - action: a\n      actionner: http:request\n      parameters: { url: "http://127.0.0.1:9/x" }\n`,
    );
    const app = createApp({ rules: () => ruleSet, starter: temporalStarter(client, 'q', 2000), metrics: new Metrics(), log: silentLogger });
    const alert = { output: 'shell', priority: 'Warning', rule: 'Terminal shell in container' };
    const response = await app.request('/', { method: 'POST', body: JSON.stringify(alert) });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect((await response.json()).error).toMatch(/Temporal is unreachable/);
    expect((await app.request('/healthz')).status).toBe(503);
    await connection.close().catch(() => undefined);
  });
});
