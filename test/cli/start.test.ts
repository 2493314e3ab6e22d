import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../src/temporal/dev-server.ts';
import { talonStartEnv } from '../../bench/processes.ts';
import { childCommandLines, runTalon, spawnTalonStart } from '../support/cli.ts';

describe('talon start (all-in-one)', () => {
  it('embeds a Temporal dev server with UI and SQLite, runs worker and ingest, and shuts down on SIGTERM', async () => {
    const { talon, grpc, ui, http, db } = await spawnTalonStart();
    try {
      // Its SQLite file in WAL mode, every commit synced (temporal.embedded.db_synchronous: full).
      const server = childCommandLines(talon.child.pid).find((args) => args.includes('start-dev'));
      expect(server?.join(' ')).toContain(`--db-filename ${db} --sqlite-pragma journal_mode=wal --sqlite-pragma synchronous=full`);
      expect(existsSync(`${db}-wal`)).toBe(true);
      expect(talon.output()).toContain(`Temporal UI:     http://127.0.0.1:${ui}`);
      // The zero-configuration quick start has no caller authentication, and says so.
      // Logged as JSON on stdout (asynchronously), apart from the stderr lines above.
      await talon.waitFor(/ingest authentication is off/, 10_000);
      expect((await fetch(`http://127.0.0.1:${http}/healthz`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${ui}/`)).status).toBe(200);

      const alert = {
        output: 'A shell was spawned in a container (user=root)',
        priority: 'Warning',
        rule: 'Terminal shell in container',
        output_fields: { 'k8s.ns.name': 'prod', 'k8s.pod.name': 'web' },
      };
      const response = await fetch(`http://127.0.0.1:${http}/`, { method: 'POST', body: JSON.stringify(alert) });
      const body = await response.json();
      expect(body).toMatchObject({ status: 'started', rules: ['Terminal shell in a production container'] });

      const connection = await Connection.connect({ address: `127.0.0.1:${grpc}` });
      const { Client } = await import('@temporalio/client');
      const client = new Client({ connection });
      const report = await client.workflow.getHandle(body.workflowId).result();
      expect(report.outcome).toBe('dry_run');
      await connection.close();
    } finally {
      expect(await talon.kill('SIGTERM'), talon.output()).toBe(0);
      // Neither the SDK's signal handling nor the shutdown logs an error (JSON level 50/60).
      expect(talon.output()).not.toMatch(/"level":(50|60)/);
      // Nor warns that the lanes' workers (activities only, by design) poll no workflow tasks.
      expect(talon.output()).not.toContain('No workflows registered');
    }
    // The embedded server stopped with it.
    await expect(Connection.connect({ address: `127.0.0.1:${grpc}`, connectTimeout: 1000 })).rejects.toThrow();
  }, 180_000);

  it("with encryption keys, points its embedded UI at the ingest's codec endpoint, which decodes for that origin", async () => {
    const key = `k1:${randomBytes(32).toString('base64')}`;
    // And the file synced at checkpoints only, as configured.
    const { talon, ui, http } = await spawnTalonStart({ ENCRYPTION_KEYS: key, TEMPORAL_EMBEDDED_DB_SYNCHRONOUS: 'normal' });
    try {
      expect(childCommandLines(talon.child.pid).find((args) => args.includes('start-dev'))).toContain('synchronous=normal');
      const settings = (await (await fetch(`http://127.0.0.1:${ui}/api/v1/settings`)).json()) as { Codec?: { Endpoint?: string } };
      expect(settings.Codec?.Endpoint).toBe(`http://127.0.0.1:${http}/codec`);
      const origin = `http://127.0.0.1:${ui}`;
      const response = await fetch(`http://127.0.0.1:${http}/codec/decode`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin },
        body: JSON.stringify({ payloads: [] }),
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toBe(origin);
      expect(talon.output()).not.toContain(key.slice(3));
    } finally {
      expect(await talon.kill('SIGTERM'), talon.output()).toBe(0);
    }
  }, 180_000);

  it("on a taken port, exits 1 with the embedded server's own reason and no stack", async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const port = (taken.address() as { port: number }).port;
      const db = join(mkdtempSync(join(tmpdir(), 'talon-start-')), 'temporal.db');
      const env = talonStartEnv({ grpc: port, ui: await freePort(), http: await freePort() }, db);
      const result = await runTalon(['start', '-r', 'playbooks/rules.yaml'], { env });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`listen tcp 127.0.0.1:${port}: bind: address already in use`);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    } finally {
      taken.close();
    }
  }, 60_000);
});
