import { describe, expect, it } from 'vitest';
import { spawnTalonStart } from '../support/cli.ts';

// falcosidekick's talon output posts every alert of a burst at once and never retries: `talon
// start` (embedded server, worker running) must answer every one 200, each with its run.

describe('talon start under a burst', () => {
  it('answers 200 to 500 distinct alerts sent all at once while its worker runs them', async () => {
    const { talon, http } = await spawnTalonStart();
    try {
      const tag = Date.now();
      const answers = await Promise.all(
        Array.from({ length: 500 }, async (_, i) => {
          const alert = {
            output: `A shell was spawned in a container (burst ${tag} ${i})`,
            priority: 'Warning',
            rule: 'Terminal shell in container',
            output_fields: { 'k8s.ns.name': 'prod', 'k8s.pod.name': `web-${i}` },
          };
          const response = await fetch(`http://127.0.0.1:${http}/`, { method: 'POST', body: JSON.stringify(alert) });
          return { status: response.status, body: (await response.json()) as { status?: string; workflowId?: string } };
        }),
      );
      expect(answers.filter((a) => a.status !== 200)).toEqual([]);
      expect(answers.every((a) => a.body.status === 'started')).toBe(true);
      expect(new Set(answers.map((a) => a.body.workflowId)).size).toBe(500);
    } finally {
      expect(await talon.kill('SIGTERM'), talon.output()).toBe(0);
    }
  }, 240_000);
});
