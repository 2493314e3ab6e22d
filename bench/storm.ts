import { Client, Connection } from '@temporalio/client';
import { alertBody } from './alerts.ts';
import { childrenOf, rssOf, spawnTalonStart } from './processes.ts';
import { ArrivalRecorder } from './target.ts';

// An alert storm sent as falcosidekick sends (each alert once, never retried, no waiting for the
// previous answer) to a real `talon start` process with its worker running: 1,000 distinct outputs
// plus repeats of 50 of them, spread over a few seconds.

export interface StormRun {
  readonly sent: number;
  readonly distinct: number;
  readonly answered200: number;
  readonly started: number;
  readonly duplicates: number;
  readonly otherAnswers: number;
  /** The answers that were not 200, by HTTP status and reason (`0 ECONNRESET` when no answer came). */
  readonly otherByReason: Record<string, number>;
  readonly runs: number;
  readonly actionsDone: number;
  readonly acceptAllS: number;
  readonly finishAllS: number;
  readonly peakRssMb: number;
  readonly serverPeakRssMb: number;
}

const MB = 1024 * 1024;

/** Why a request got no answer: the innermost error code undici reports (ECONNRESET, UND_ERR_…). */
function failureCode(error: unknown): string {
  let code = '';
  for (let e: unknown = error; e instanceof Error; e = e.cause) code = 'code' in e && typeof e.code === 'string' ? e.code : code || e.message;
  return code;
}

function countBy(keys: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const key of keys) counts[key] = (counts[key] ?? 0) + 1;
  return counts;
}

export async function measureStorm(options: { distinct: number; repeats: number; repeatedOf: number; seconds: number; timeoutMs: number }): Promise<StormRun> {
  const target = await new ArrivalRecorder().start();
  // Repeats keep arriving for the whole storm: a 300 s window covers it, so each output runs once.
  const talon = await spawnTalonStart(target.url, 300);
  const { grpc, http } = talon;
  const pid = talon.process.pid;
  let peak = 0;
  let serverPeak = 0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssOf(pid));
    serverPeak = Math.max(serverPeak, ...childrenOf(pid).map(rssOf));
  }, 100);
  try {
    const total = options.distinct + options.repeats;
    // Every tenth alert a new output, the rest repeats of the first `repeatedOf` outputs.
    const ids: string[] = [];
    let next = 0;
    for (let k = 0; k < total; k++) {
      const fresh = next < options.distinct && (k % Math.ceil(total / options.distinct) === 0 || total - k <= options.distinct - next);
      ids.push(fresh ? `storm-${next++}` : `storm-${k % options.repeatedOf}`);
    }
    const answers: { id: string; status: number; kind?: string; reason?: string }[] = [];
    const started = performance.now();
    const spacing = (options.seconds * 1000) / total;
    await Promise.all(
      ids.map(async (id, k) => {
        await new Promise((r) => setTimeout(r, k * spacing));
        try {
          const response = await fetch(`http://127.0.0.1:${http}/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: alertBody(id) });
          const body = (await response.json()) as { status?: string; error?: string };
          answers.push({ id, status: response.status, kind: body.status, reason: body.error?.slice(0, 60) });
        } catch (error) {
          answers.push({ id, status: 0, reason: failureCode(error) });
        }
      }),
    );
    const acceptedAt = performance.now();
    const distinctIds = [...new Set(ids)];
    // Only an accepted alert has an action to wait for; one nobody accepted would only run out the timeout.
    const acceptedIds = [...new Set(answers.filter((a) => a.status === 200).map((a) => a.id))];
    const arrivals = await Promise.all(acceptedIds.map((id) => target.arrival(id, options.timeoutMs)));
    const finishedAt = Math.max(acceptedAt, ...arrivals.map((at) => at ?? performance.now()));
    const connection = await Connection.connect({ address: `127.0.0.1:${grpc}` });
    const runs = (await new Client({ connection }).workflow.count(`WorkflowType = 'playbook'`)).count;
    await connection.close();
    return {
      sent: total,
      distinct: distinctIds.length,
      answered200: answers.filter((a) => a.status === 200).length,
      started: answers.filter((a) => a.kind === 'started').length,
      duplicates: answers.filter((a) => a.kind === 'duplicate').length,
      otherAnswers: answers.filter((a) => a.status !== 200).length,
      otherByReason: countBy(answers.filter((a) => a.status !== 200).map((a) => `${a.status} ${a.reason ?? ''}`.trim())),
      runs,
      actionsDone: distinctIds.filter((id) => target.arrivals.has(id)).length,
      acceptAllS: Math.round((acceptedAt - started) / 100) / 10,
      finishAllS: Math.round((finishedAt - started) / 100) / 10,
      peakRssMb: Math.round(peak / MB),
      serverPeakRssMb: Math.round(serverPeak / MB),
    };
  } finally {
    clearInterval(sampler);
    await talon.stop();
    await target.stop();
  }
}
