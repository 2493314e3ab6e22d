import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

// Real object stores for the output tests: MinIO (the S3 protocol, for `aws:s3` and `minio:s3`) and
// fake-gcs-server (the GCS JSON and upload APIs, for `gcp:gcs`). scripts/provision-object-stores.sh
// builds them into the tools cache; each test file starts its own servers (1–2 s) on loopback.

const SCRIPT = new URL('../../scripts/provision-object-stores.sh', import.meta.url);

/** `NAME=value` of the provisioning script, the single place the versions are pinned. */
function pinned(name: string): string {
  const match = new RegExp(`^${name}=(\\S+)$`, 'm').exec(readFileSync(SCRIPT, 'utf8'));
  if (!match?.[1]) throw new Error(`${name}=… not found in scripts/provision-object-stores.sh`);
  return match[1];
}

function binary(tool: string, versionVar: string, file: string): string {
  const cache = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  const path = join(cache, 'talon-tools', `${tool}-${pinned(versionVar)}`, file);
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new Error(`${path} is missing: run \`bash scripts/provision-object-stores.sh\` (or \`npm test\`, whose pretest does)`);
  }
  return path;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

interface Running {
  stop(): Promise<void>;
}

/** Spawns `bin`, polls `ready` until it answers 200, fails early with the log if the process exits. */
async function launch(bin: string, args: string[], env: Record<string, string>, ready: string, cleanup: () => void): Promise<Running> {
  const child: ChildProcess = spawn(bin, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const keep = (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const stop = async () => {
    process.off('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    cleanup();
  };
  const deadline = Date.now() + 30_000;
  let dead = false;
  void exited.then(() => (dead = true));
  while (Date.now() < deadline && !dead) {
    const ok = await fetch(ready).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { stop };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stop();
  throw new Error(`${bin} did not become ready at ${ready}${dead ? ' (it exited)' : ''}:\n${log}`);
}

export interface MinioServer extends Running {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** `127.0.0.1:<port>`, as `minio.endpoint` takes it. */
  readonly hostPort: string;
  readonly accessKey: string;
  readonly secretKey: string;
}

/** A MinIO server on a free loopback port with a temporary data directory. */
export async function startMinio(): Promise<MinioServer> {
  const bin = binary('minio', 'MINIO_VERSION', 'minio');
  const [port, consolePort] = [await freePort(), await freePort()];
  const data = mkdtempSync(join(tmpdir(), 'talon-minio-'));
  const accessKey = 'talon-test';
  const secretKey = 'talon-test-secret';
  const hostPort = `127.0.0.1:${port}`;
  const running = await launch(
    bin,
    ['server', data, '--address', hostPort, '--console-address', `127.0.0.1:${consolePort}`, '--quiet'],
    { MINIO_ROOT_USER: accessKey, MINIO_ROOT_PASSWORD: secretKey, MINIO_BROWSER: 'off', MINIO_UPDATE: 'off' },
    `http://${hostPort}/minio/health/live`,
    () => rmSync(data, { recursive: true, force: true }),
  );
  return { ...running, url: `http://${hostPort}`, hostPort, accessKey, secretKey };
}

export interface FakeGcsServer extends Running {
  /** `http://127.0.0.1:<port>`, as `gcp.endpoint` takes it. */
  readonly url: string;
}

/** fake-gcs-server over plain HTTP on a free loopback port, objects in memory. */
export async function startFakeGcs(): Promise<FakeGcsServer> {
  const bin = binary('fake-gcs-server', 'FAKE_GCS_VERSION', 'fake-gcs-server');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const running = await launch(
    bin,
    ['-scheme', 'http', '-host', '127.0.0.1', '-port', String(port), '-backend', 'memory', '-external-url', url, '-log-level', 'warn'],
    {},
    `${url}/storage/v1/b`,
    () => undefined,
  );
  return { ...running, url };
}
