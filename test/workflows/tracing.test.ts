import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import { NativeConnection } from '@temporalio/worker';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { configSchema } from '../../src/config/schema.ts';
import { createApp } from '../../src/ingest/app.ts';
import { temporalStarter } from '../../src/ingest/starter.ts';
import { silentLogger } from '../../src/log.ts';
import { Metrics } from '../../src/metrics/metrics.ts';
import { startTracing } from '../../src/temporal/tracing.ts';
import { createWorker } from '../../src/worker/worker.ts';
import { HttpTarget } from '../support/http-target.ts';
import { otlpReceiver } from '../support/otlp-receiver.ts';
import { rulesFromYaml, temporalAddress } from '../support/temporal.ts';

// OpenTelemetry traces over OTLP gRPC to a real gRPC receiver in this process.

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe('OpenTelemetry traces', () => {
  it('one trace per alert: ingest → workflow start → workflow → activity, exported over OTLP gRPC; the trace ID in notifications', async () => {
    const receiver = await otlpReceiver();
    cleanups.push(() => receiver.stop());
    const tracing = await startTracing(
      configSchema.parse({ otel: { traces_enabled: true, collector_endpoint: '127.0.0.1', collector_port: receiver.port, collector_use_insecure_grpc: true } })
        .otel,
      'test',
    );
    const target = await new HttpTarget().start();
    target.route('/act', 200).route('/notify', 200);
    cleanups.push(() => target.stop());
    const native = await NativeConnection.connect({ address: temporalAddress() });
    const taskQueue = `tracing-${randomUUID()}`;
    const worker = await createWorker({
      connection: native,
      namespace: 'default',
      taskQueue,
      config: configSchema.parse({ notifiers: { webhook: { url: `${target.url}/notify` } } }),
      log: silentLogger,
      workflowBundle: { codePath: inject('workflowBundlePath') },
      tracing,
    });
    const running = worker.run();
    cleanups.push(async () => {
      worker.shutdown();
      await running;
      await native.close();
    });
    const connection = await Connection.connect({ address: temporalAddress() });
    cleanups.push(() => connection.close());
    const client = new Client({ connection, interceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] } });
    const ruleSet = await rulesFromYaml(`- rule: traced
  match: { rules: [Terminal shell in container] }
  notifiers: [webhook]
  actions:
    - { action: call, actionner: http:request, parameters: { url: "${target.url}/act" } }
`);
    const app = createApp({
      rules: () => ruleSet,
      starter: temporalStarter(client, taskQueue),
      metrics: new Metrics(),
      log: silentLogger,
      dedupWindowSeconds: 0,
    });
    const body = JSON.stringify({ output: `traced ${randomUUID()}`, priority: 'Warning', rule: 'Terminal shell in container', output_fields: {} });
    const answer = (await (await app.request('/', { method: 'POST', body, headers: { 'content-type': 'application/json' } })).json()) as { workflowId: string };
    await client.workflow.getHandle(answer.workflowId).result();
    await tracing.shutdown();
    for (let i = 0; i < 50 && !receiver.spans.some((s) => s.name.startsWith('RunActivity')); i++) await new Promise((r) => setTimeout(r, 100));

    const ingest = receiver.spans.find((s) => s.name === 'talon.ingest');
    expect(ingest?.attributes['talon.workflow_id']).toBe(answer.workflowId);
    const trace = receiver.spans.filter((s) => s.traceId === ingest?.traceId);
    const byName = (prefix: string) => trace.find((s) => s.name.startsWith(prefix));
    const start = byName('StartWorkflow:playbook');
    const run = byName('RunWorkflow:playbook');
    const scheduled = byName('StartActivity:http:request');
    const executed = byName('RunActivity:http:request');
    expect(start?.parentSpanId).toBe(ingest?.spanId);
    expect(run?.parentSpanId).toBe(start?.spanId);
    expect(scheduled?.parentSpanId).toBe(run?.spanId);
    expect(executed?.parentSpanId).toBe(scheduled?.spanId);
    // Notifications carry the trace ID next to the workflow ID.
    const notification = JSON.parse(target.requestsTo('/notify')[0]?.body ?? '{}') as { trace_id?: string };
    expect(notification.trace_id).toBe(ingest?.traceId);
  }, 60_000);
});
