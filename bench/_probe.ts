import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { startDevServer } from '../src/temporal/dev-server.ts';
import { bundleWorkflows } from '../src/worker/worker.ts';
import { measureLatency } from './latency.ts';
import { percentile } from './pool.ts';
Runtime.install({ logger: new DefaultLogger('WARN') });
const [server, bundle] = await Promise.all([startDevServer({ uiPort: false }), bundleWorkflows()]);
const connection = await Connection.connect({ address: server.address });
const client = new Client({ connection });
for (const concurrency of [1, 2, 4, 8]) {
  const t = performance.now();
  const r = await measureLatency({ address: server.address, client, bundle, count: 100, concurrency, warmup: 10, timeoutMs: 60000 });
  const a = [...r.toActivity].sort((x, y) => x - y);
  const k = [...r.toAck].sort((x, y) => x - y);
  console.log(concurrency, 'p50', percentile(a, 50).toFixed(1), 'p99', percentile(a, 99).toFixed(1), 'ack p50', percentile(k, 50).toFixed(1), 'phase s', ((performance.now() - t) / 1000).toFixed(1));
}
await connection.close();
await server.stop();
