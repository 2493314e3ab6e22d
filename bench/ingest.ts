import type { Client } from '@temporalio/client';
import type { Hono } from 'hono';
import { z } from 'zod';
import { decodeEvent } from '../src/events/decode.ts';
import { createApp } from '../src/ingest/app.ts';
import { playbookStartOptions, temporalStarter, type WorkflowStarter } from '../src/ingest/starter.ts';
import { silentLogger } from '../src/log.ts';
import { Metrics } from '../src/metrics/metrics.ts';
import { planEvent } from '../src/plan/plan.ts';
import { listen } from '../src/roles/ingest-server.ts';
import type { RuleSet } from '../src/rules/index.ts';
import { alertBody } from './alerts.ts';
import { pooled, runPool, type PoolResult } from './pool.ts';

export type StartMode = 'http' | 'in-process' | 'raw';

export interface ThroughputOptions {
  client: Client;
  ruleSet: RuleSet;
  /** A queue no worker polls: only the start is measured, the workflows stay queued. */
  taskQueue: string;
  count: number;
  concurrency: number;
  /** Measured rounds; each mode runs `count / rounds` per round, alternating, so drift hits all alike. */
  rounds: number;
  warmup: number;
}

/** The real ingest app, as `talon serve` builds it, with the dedup window off. */
export function benchApp(starter: WorkflowStarter, ruleSet: RuleSet): Hono {
  return createApp({
    rules: () => ruleSet,
    starter,
    metrics: new Metrics(),
    log: silentLogger,
    dedupWindowSeconds: 0,
  });
}

const startedReply = z.object({ status: z.literal('started'), workflowId: z.string() });

/**
 * The started workflow's ID; throws unless the app answered 200 `started`, since a duplicate or an
 * error would flatter the rate.
 */
export async function expectStarted(response: Response): Promise<string> {
  const body: unknown = await response.json();
  const started = startedReply.safeParse(body);
  if (response.status !== 200 || !started.success) throw new Error(`ingest answered ${response.status} ${JSON.stringify(body)}`);
  return started.data.workflowId;
}

/** What the ingest app would hand to Temporal for alert `id`, built before the clock starts. */
export function prepareRawStart(ruleSet: RuleSet, id: string) {
  const decoded = decodeEvent(alertBody(id));
  if (!decoded.ok) throw new Error(decoded.error);
  const event = decoded.event;
  const plan = planEvent(event, ruleSet, { defaultNotifiers: [], dedupWindowSeconds: 0 });
  if (!plan) throw new Error(`no rule matches alert ${id}`);
  return { workflowId: `raw-${id}`, input: plan.input, searchAttributes: plan.searchAttributes };
}

/** A task per mode: index → one started workflow. */
function makeSenders(options: ThroughputOptions, url: string, app: Hono, tag: string, perRound: number) {
  const post = { method: 'POST', headers: { 'content-type': 'application/json' } };
  const rawInputs = Array.from({ length: perRound }, (_, i) => prepareRawStart(options.ruleSet, `${tag}-${i}`));
  const senders: Record<StartMode, (i: number) => Promise<void>> = {
    http: async (i) => {
      await expectStarted(await fetch(`${url}/`, { ...post, body: alertBody(`http-${tag}-${i}`) }));
    },
    'in-process': async (i) => {
      await expectStarted(await app.request('/', { ...post, body: alertBody(`app-${tag}-${i}`) }));
    },
    raw: async (i) => {
      const { workflowId, input, searchAttributes } = rawInputs[i]!;
      await options.client.workflow.start('playbook', playbookStartOptions(options.taskQueue, workflowId, input, searchAttributes));
    },
  };
  return senders;
}

const MODES: readonly StartMode[] = ['http', 'in-process', 'raw'];

/**
 * Workflow starts per second through the ingest app over real HTTP (`listen`), through the same app
 * in process (`app.request()`), and with `client.workflow.start` directly, on one server and client.
 */
export async function measureThroughput(options: ThroughputOptions): Promise<Record<StartMode, PoolResult>> {
  const app = benchApp(temporalStarter(options.client, options.taskQueue), options.ruleSet);
  const server = await listen(app, '127.0.0.1', 0);
  const rounds: Record<StartMode, PoolResult[]> = { http: [], 'in-process': [], raw: [] };
  try {
    const warm = makeSenders(options, server.url, app, 'warm', options.warmup);
    for (const mode of MODES) await runPool(options.warmup, options.concurrency, warm[mode]);
    const perRound = Math.ceil(options.count / options.rounds);
    for (let round = 0; round < options.rounds; round++) {
      const senders = makeSenders(options, server.url, app, `r${round}`, perRound);
      for (const mode of MODES) {
        rounds[mode].push(await runPool(perRound, options.concurrency, senders[mode]));
      }
    }
  } finally {
    await server.close();
  }
  return { http: pooled(rounds.http), 'in-process': pooled(rounds['in-process']), raw: pooled(rounds.raw) };
}
