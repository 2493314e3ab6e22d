import { Agent, request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { spawnTalon } from '../support/cli.ts';
import { temporalAddress } from '../support/temporal.ts';

// SIGTERM of `talon serve` under load: it stops accepting at once (no alert is answered 200 after
// the signal), closes keep-alive connections, exits 0 within a bound, and logs no error.

function post(port: number, agent: Agent, n: number): Promise<number> {
  const body = JSON.stringify({ output: `shutdown alert ${n} ${Date.now()}`, priority: 'Warning', rule: 'Terminal shell in container' });
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/', method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    // Refused or reset: the sender learns the alert was not taken.
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

describe('talon serve on SIGTERM', () => {
  it('stops accepting at once, answers nothing 200 after the signal, exits 0 within 15 s without error lines', async () => {
    // Port 0: the kernel's choice, read back from the ready line (no port picked here for another process to take).
    const talon = spawnTalon(['serve', '-r', 'playbooks/rules.yaml'], { TEMPORAL_ADDRESS: temporalAddress(), LISTEN_ADDRESS: '127.0.0.1', LISTEN_PORT: '0' });
    const port = Number((await talon.waitFor(/Ingest endpoint: http:\/\/127\.0\.0\.1:(\d+)\//, 60_000))[1]);
    await talon.waitFor(/talon started/, 10_000);
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    try {
      expect(await post(port, agent, 0)).toBe(200);
      // A steady stream on keep-alive connections, then the signal in the middle of it.
      let stop = false;
      const after: number[] = [];
      let killed = Number.POSITIVE_INFINITY;
      const load = (async () => {
        for (let n = 1; !stop; n++) {
          // Sent well after the signal (a request racing it may still be taken, and answered truthfully).
          const sentAfterSignal = Date.now() - killed > 50;
          const status = await post(port, agent, n);
          if (sentAfterSignal) after.push(status);
        }
      })();
      await new Promise((resolve) => setTimeout(resolve, 300));
      killed = Date.now();
      const code = await talon.kill('SIGTERM');
      // Go on sending a little after the exit: refused connections, never a 200.
      await new Promise((resolve) => setTimeout(resolve, 300));
      stop = true;
      await load;
      expect(code).toBe(0);
      expect(Date.now() - killed).toBeLessThan(15_000);
      expect(after.length).toBeGreaterThan(0);
      expect(after.filter((status) => status === 200)).toEqual([]);
      expect(talon.output()).not.toMatch(/"level":(50|60)/);
    } finally {
      agent.destroy();
      await talon.kill('SIGKILL');
    }
  }, 90_000);
});
