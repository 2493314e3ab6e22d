import { stripVTControlCharacters } from 'node:util';
import type { V1Pod } from '@kubernetes/client-node';
import { withHeartbeats } from '../activity-context.ts';
import { permanent } from '../errors.ts';
import type { ActionResult } from '../types.ts';
import type { KubeApis } from './client.ts';
import { collectExec, type CollectedExec } from './pod-exec.ts';

/** Stdout kept per container; the output target gets all of it, history the first 16 KiB. */
export const COMMAND_OUTPUT_LIMIT = 16 * 1024 * 1024;

/** The names of the pod's (regular) containers, in order. */
export function containerNames(pod: V1Pod): string[] {
  return (pod.spec?.containers ?? []).map((c) => c.name);
}

/**
 * Runs `argv` in each of `containers` in turn and reports every one (Talon reports only the last):
 * success when it succeeded in at least one, with the failures named in the result; a failure when
 * it failed in all. The output is the ANSI-stripped stdout, headed per container when several ran.
 */
export async function runInContainers(apis: KubeApis, pod: V1Pod, containers: readonly string[], argv: readonly string[], what: string): Promise<ActionResult> {
  const name = pod.metadata?.name ?? '';
  const namespace = pod.metadata?.namespace ?? '';
  const runs: { container: string; run: CollectedExec }[] = [];
  for (const container of containers) {
    const run = await withHeartbeats(`${what} in ${container}`, collectExec(apis.kubeConfig, { namespace, pod: name, container }, argv, COMMAND_OUTPUT_LIMIT));
    runs.push({ container, run });
  }
  const failed = runs.filter((r) => !r.run.ok);
  const failures = failed.map((r) => `${r.container}: ${r.run.message || `exit code ${r.run.exitCode ?? 'unknown'}`}`).join('; ');
  if (failed.length === runs.length) {
    throw permanent('CommandFailed', `the ${what} failed in the pod '${name}' in the namespace '${namespace}': ${failures || 'the pod has no container'}`);
  }
  const text = (r: (typeof runs)[number]) =>
    stripVTControlCharacters(r.run.stdout.toString('utf8')) + (r.run.dropped > 0 ? `\n… (${r.run.dropped} bytes dropped)\n` : '');
  const ok = runs.filter((r) => r.run.ok);
  const output = ok.length === 1 && runs.length === 1 ? text(ok[0]!) : ok.map((r) => `==> ${r.container} <==\n${text(r)}`).join('\n');
  const where = `in the pod '${name}' in the namespace '${namespace}'`;
  const result = failed.length === 0 ? `the ${what} has been executed ${where}` : `the ${what} has been executed ${where}; it failed in ${failures}`;
  const artifact = output.length > 0 ? { name: `${what}-output`, contentType: 'text/plain; charset=utf-8', body: Buffer.from(output, 'utf8') } : undefined;
  return { status: 'success', result, objects: { pod: name, namespace }, artifact };
}
