import { context, trace } from '@opentelemetry/api';
import { Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { decodeEvent } from '../events/decode.ts';
import type { Logger } from '../log.ts';
import { metricsResponse } from '../metrics/http.ts';
import type { Metrics } from '../metrics/metrics.ts';
import { planEvent, type PlanSettings } from '../plan/plan.ts';
import type { RuleSet } from '../rules/index.ts';
import type { PayloadCodec } from '@temporalio/common';
import type { Decision, DecisionRecord } from '../contract/index.ts';
import { approvalRoutes } from './approval-routes.ts';
import { authConfigured, callerAuth, type CallerAuthOptions } from './auth.ts';
import { codecRoutes } from './codec-routes.ts';
import { TemporalUnavailableError, type WorkflowStarter } from './starter.ts';

export interface IngestDeps {
  /** The rules in force now; a reload swaps what this returns. */
  rules: () => RuleSet;
  starter: WorkflowStarter;
  metrics: Metrics;
  log: Logger;
  /** @default 1048576 */
  maxBodyBytes?: number;
  /** @default 5 */
  dedupWindowSeconds?: number;
  defaultNotifiers?: readonly string[];
  printAllEvents?: boolean;
  /** Seconds a sender should wait when Temporal is unreachable. @default 5 */
  retryAfterSeconds?: number;
  /** Caller authentication; absent (or no method configured): open. */
  auth?: Omit<CallerAuthOptions, 'onRefused'>;
  /** Authenticate `/metrics` too. @default false */
  protectMetrics?: boolean;
  /** False once shutting down: alerts get 503 and their connection closes. @default always true */
  accepting?: () => boolean;
  /** Hostname, namespace and pod in search attributes. @default true */
  identifiersInSearchAttributes?: boolean;
  /** The governor's settings and the links' bases, as the planner takes them. */
  governor?: PlanSettings['governor'];
  links?: PlanSettings['links'];
  /** Sends an approval decision to a playbook: serves `POST /approvals/<workflow id>` (authenticated only). */
  approvals?: (workflowId: string, decision: Decision) => Promise<DecisionRecord>;
  /** Payload encryption: serves `/codec/encode` and `/codec/decode` for the Temporal UI. */
  codec?: { readonly codec: PayloadCodec; readonly corsOrigins: readonly string[] };
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const tracer = trace.getTracer('talon');

/** The body as text, or undefined when it is not valid UTF-8 (a replacement character would hide it). */
function utf8(body: ArrayBuffer): string | undefined {
  try {
    return strictUtf8.decode(body);
  } catch {
    return undefined;
  }
}

/**
 * The ingest endpoint: POST an alert (any path but the reserved ones, as Talon) → decode → match →
 * start one workflow. It answers only once Temporal has accepted the start, so a 200 is durable.
 */
export function createApp(deps: IngestDeps): Hono {
  const app = new Hono();
  const maxBodyBytes = deps.maxBodyBytes ?? 1024 * 1024;
  const open: MiddlewareHandler = (_c, next) => next();
  const auth =
    deps.auth && authConfigured(deps.auth)
      ? callerAuth({ ...deps.auth, onRefused: (reason) => deps.metrics.errors.inc({ kind: `unauthorized_${reason}` }) })
      : open;

  // Once shutting down, every answer closes its connection: keep-alive senders reconnect elsewhere.
  app.use('*', async (c, next) => {
    await next();
    if (deps.accepting?.() === false) c.header('connection', 'close');
  });

  if (deps.codec) app.route('/codec', codecRoutes(deps.codec.codec, deps.codec.corsOrigins, auth));
  if (deps.approvals) app.route('/approvals', approvalRoutes(deps.approvals, auth === open ? undefined : auth));

  app.all('/healthz', async (c) => {
    const ok = await deps.starter.healthy();
    return c.json({ status: ok ? 'ok' : 'unavailable', temporal: ok ? 'reachable' : 'unreachable' }, ok ? 200 : 503);
  });
  app.all('/metrics', deps.protectMetrics ? auth : open, (c) => metricsResponse(c, deps.metrics));

  app.post(
    '*',
    bodyLimit({
      maxSize: maxBodyBytes,
      onError: (c) => {
        deps.metrics.errors.inc({ kind: 'body_too_large' });
        // The unread rest of the body would be taken for the next request on this connection.
        return c.json({ error: `request body larger than ${maxBodyBytes} bytes` }, 413, { connection: 'close' });
      },
    }),
    // After the body limit: an HMAC check reads the body, within the same bound.
    auth,
    async (c, next) => {
      if (deps.accepting?.() === false) {
        return c.json({ error: 'shutting down: send it again, to another replica or later' }, 503, {
          'retry-after': String(deps.retryAfterSeconds ?? 5),
          connection: 'close',
        });
      }
      await next();
    },
    async (c) => {
      const received = performance.now();
      const text = utf8(await c.req.arrayBuffer());
      if (text === undefined) {
        deps.metrics.errors.inc({ kind: 'bad_event' });
        return c.json({ error: 'the body is not valid UTF-8' }, 400);
      }
      const decoded = decodeEvent(text);
      if (!decoded.ok) {
        deps.metrics.errors.inc({ kind: 'bad_event' });
        return c.json({ error: decoded.error }, 400);
      }
      const event = decoded.event;
      deps.metrics.events.inc({ event: event.rule, priority: event.priority, source: event.source });
      if (deps.printAllEvents) deps.log.info({ rule: event.rule, priority: event.priority, source: event.source, output: event.output }, 'event');
      const plan = planEvent(event, deps.rules(), {
        defaultNotifiers: deps.defaultNotifiers ?? [],
        dedupWindowSeconds: deps.dedupWindowSeconds ?? 5,
        identifiersInSearchAttributes: deps.identifiersInSearchAttributes,
        governor: deps.governor,
        links: deps.links,
      });
      if (!plan) {
        deps.metrics.ignored.inc();
        return c.json({ status: 'ignored' });
      }
      for (const rule of plan.matched) deps.metrics.matches.inc({ rule: rule.name, event: event.rule, priority: event.priority, source: event.source });
      const { workflowId } = plan;
      const ruleNames = plan.input.rules.map((r) => r.name);
      // One trace per alert: this span is the parent of the workflow start (Temporal's client
      // interceptor carries it into the workflow), and its trace ID goes into the notifications.
      // Without `otel.traces_enabled` the tracer is a no-op and nothing is added.
      const span = tracer.startSpan('talon.ingest', { attributes: { 'talon.workflow_id': workflowId, 'falco.rule': event.rule } });
      const traced = span.isRecording() ? { ...plan.input, traceId: span.spanContext().traceId } : plan.input;
      try {
        const outcome = await context.with(trace.setSpan(context.active(), span), () => deps.starter.start(workflowId, traced, plan.searchAttributes));
        span.setAttribute('talon.start', outcome.status);
        if (outcome.status === 'duplicate') {
          deps.metrics.duplicates.inc();
          return c.json({ status: 'duplicate', workflowId, runId: outcome.runId });
        }
        deps.metrics.started.inc();
        deps.metrics.startLatency.observe((performance.now() - received) / 1000);
        deps.log.info({ workflowId, rule: event.rule, rules: ruleNames }, 'match');
        return c.json({ status: 'started', workflowId, runId: outcome.runId, rules: ruleNames });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (error instanceof TemporalUnavailableError) {
          deps.metrics.errors.inc({ kind: 'temporal_unavailable' });
          deps.log.error({ workflowId, error: message }, 'temporal unavailable');
          return c.json({ error: `Temporal is unreachable: ${message}` }, 503, { 'retry-after': String(deps.retryAfterSeconds ?? 5) });
        }
        deps.metrics.errors.inc({ kind: 'start_failed' });
        deps.log.error({ workflowId, error: message }, 'workflow start failed');
        return c.json({ error: `could not start the workflow: ${message}` }, 500);
      } finally {
        span.end();
      }
    },
  );
  app.onError((error, c) => {
    // A client that went away mid-body (a read timeout, a reset): nobody is left to answer.
    if ((error as { code?: unknown }).code === 'ECONNRESET' || error.message === 'aborted') {
      deps.metrics.errors.inc({ kind: 'aborted' });
      return c.json({ error: 'the request was aborted' }, 400);
    }
    deps.log.error({ error: error.message }, 'ingest error');
    deps.metrics.errors.inc({ kind: 'internal' });
    return c.json({ error: 'internal error' }, 500);
  });

  // Every other method, on any path (TRACE, PROPFIND, PURGE…): alerts come with POST.
  app.all('*', (c) => c.json({ error: `method ${c.req.method} not allowed: send alerts with POST` }, 405, { allow: 'POST' }));
  return app;
}
