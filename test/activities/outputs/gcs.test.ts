import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { Storage } from '@google-cloud/storage';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createClients } from '../../../activities/clients.ts';
import { gcpGcs } from '../../../activities/outputs/gcp-gcs.ts';
import type { Artifact, Deps } from '../../../activities/types.ts';
import { configSchema, type TalonConfig } from '../../../src/config/schema.ts';
import { silentLogger } from '../../../src/log.ts';
import { startFakeGcs, type FakeGcsServer } from '../../support/object-stores.ts';
import { falcoEvent } from '../../support/temporal.ts';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const TIME = /^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ/;

let gcs: FakeGcsServer;
let reader: Storage;
let deps: Deps;

const depsOf = (config: TalonConfig): Deps => ({ config, log: silentLogger, clients: createClients(config) });

beforeAll(async () => {
  gcs = await startFakeGcs();
  // The test's own client, to create buckets and read back what the output stored.
  reader = new Storage({ apiEndpoint: gcs.url, projectId: 'test' });
  deps = depsOf(configSchema.parse({ gcp: { endpoint: gcs.url } }));
});
afterAll(async () => gcs?.stop());
afterEach(() => vi.useRealTimers());

async function newBucket(): Promise<string> {
  const name = `talon-${randomUUID()}`;
  await reader.createBucket(name);
  return name;
}

function store(bucket: string, artifact: Artifact, options: { prefix?: string; objects?: Record<string, string>; hostname?: string } = {}) {
  const parameters = gcpGcs.spec.params.parse({ bucket, prefix: options.prefix });
  const objects = options.objects ?? { pod: 'web-1', namespace: 'prod' };
  return gcpGcs.store({ parameters, artifact, objects, event: falcoEvent({ hostname: options.hostname ?? 'node-1' }) }, deps);
}

async function readBack(bucket: string, name: string | undefined) {
  if (name === undefined) throw new Error('no key in the result objects');
  const file = reader.bucket(bucket).file(name);
  const [[content], [metadata]] = await Promise.all([file.download(), file.getMetadata()]);
  return { content, contentType: metadata.contentType, size: Number(metadata.size) };
}

async function failure(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof ApplicationFailure)) throw new Error(`expected an ApplicationFailure, got ${String(error)}`);
  return error;
}

describe('gcp:gcs output against fake-gcs-server', () => {
  it('passes the check for an existing bucket and fails permanently, with the message, for a missing one', async () => {
    const bucket = await newBucket();
    await expect(gcpGcs.checks?.(gcpGcs.spec.params.parse({ bucket }), deps)).resolves.toBeUndefined();
    const error = await failure(gcpGcs.checks!(gcpGcs.spec.params.parse({ bucket: 'no-such-bucket' }), deps));
    expect(error).toMatchObject({ nonRetryable: true, type: 'BucketNotFound', message: "the bucket 'no-such-bucket' does not exist" });
  });

  it('stores the bytes under <prefix>/<time>_<ns>_<pod>_<name> with the artifact content type', async () => {
    const bucket = await newBucket();
    const body = randomBytes(4096);
    const out = await store(bucket, { name: 'tcpdump.pcap', contentType: 'application/vnd.tcpdump.pcap', body }, { prefix: 'captures/' });
    const name = `captures/${out.objects.key}`;
    expect(out.objects.key).toMatch(new RegExp(`${TIME.source}_prod_web-1_tcpdump\\.pcap$`));
    expect(out).toMatchObject({
      result: `The file 'tcpdump.pcap' has been uploaded as the key '${name}' to the bucket '${bucket}'`,
      objects: { file: 'tcpdump.pcap', bucket, prefix: 'captures/' },
      location: `gs://${bucket}/${name}`,
      size: body.length,
      sha256: sha256(body),
    });
    const stored = await readBack(bucket, name);
    expect(stored.content.equals(body)).toBe(true);
    expect(sha256(stored.content)).toBe(out.sha256);
    expect(stored).toMatchObject({ contentType: 'application/vnd.tcpdump.pcap', size: body.length });
  });

  it('names keys from the hostname without a pod, else from every object value but file', async () => {
    const bucket = await newBucket();
    const artifact = () => ({ name: '/etc/passwd', contentType: 'text/plain', body: Buffer.from('root:x:0:0') });
    const byHost = await store(bucket, artifact(), { objects: { node: 'n' }, hostname: 'node-7' });
    expect(byHost.objects.key).toMatch(new RegExp(`${TIME.source}_node-7__etc_passwd$`));
    const byObjects = await store(bucket, artifact(), { objects: { b: '2', a: '1', file: 'f' }, hostname: '' });
    expect(byObjects.objects.key).toMatch(new RegExp(`${TIME.source}_1_2__etc_passwd$`));
    expect((await readBack(bucket, byObjects.objects.key)).content.toString()).toBe('root:x:0:0');
  });

  it.each([
    ['', ''],
    ['/', ''],
    ['logs', 'logs/'],
    ['/logs/', 'logs/'],
    ['//a/b//', 'a/b/'],
  ])('prefix %j stores under %j (never a leading /)', async (prefix, expected) => {
    const bucket = await newBucket();
    const out = await store(bucket, { name: 'log', contentType: 'text/plain', body: Buffer.from('x') }, { prefix });
    expect(out.objects.prefix).toBe(expected);
    expect(out.location).toBe(`gs://${bucket}/${expected}${out.objects.key}`);
    const [files] = await reader.bucket(bucket).getFiles();
    expect(files.map((f) => f.name)).toEqual([`${expected}${out.objects.key}`]);
  });

  it('streams a 12 MiB Readable and reports size and SHA-256 of the streamed bytes', async () => {
    const bucket = await newBucket();
    const chunks = Array.from({ length: 12 }, () => randomBytes(1024 * 1024));
    const whole = Buffer.concat(chunks);
    const out = await store(bucket, { name: 'capture.scap', contentType: 'application/octet-stream', body: Readable.from(chunks) });
    expect(out).toMatchObject({ size: whole.length, sha256: sha256(whole) });
    const stored = await readBack(bucket, out.objects.key);
    expect(stored.size).toBe(whole.length);
    expect(sha256(stored.content)).toBe(sha256(whole));
  });

  it('does not overwrite an artifact stored under the same key in the same second', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date());
    const bucket = await newBucket();
    const first = await store(bucket, { name: 'log', contentType: 'text/plain', body: Buffer.from('first') });
    const second = await store(bucket, { name: 'log', contentType: 'text/plain', body: Buffer.from('second') });
    expect(second.objects.key).toBe(`${first.objects.key}_1`);
    expect((await readBack(bucket, first.objects.key)).content.toString()).toBe('first');
    expect((await readBack(bucket, second.objects.key)).content.toString()).toBe('second');
  });

  it('never overwrites when two uploads race for the same key (conditional write)', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date());
    const bucket = await newBucket();
    // Large enough that both key probes finish before either upload completes.
    const bodies = [randomBytes(12 * 1024 * 1024), randomBytes(12 * 1024 * 1024)];
    const outcomes = await Promise.allSettled(bodies.map((body) => store(bucket, { name: 'log', contentType: 'text/plain', body: Readable.from([body]) })));
    const stored = outcomes.flatMap((o, i) => (o.status === 'fulfilled' ? [{ out: o.value, body: bodies[i]! }] : []));
    expect(stored.length).toBeGreaterThan(0);
    expect(new Set(stored.map((s) => s.out.objects.key)).size).toBe(stored.length);
    for (const { out, body } of stored) expect(sha256((await readBack(bucket, `${out.objects.prefix}${out.objects.key}`)).content)).toBe(sha256(body));
    for (const o of outcomes) {
      if (o.status === 'rejected') expect(o.reason).toMatchObject({ type: 'KeyTaken', nonRetryable: false });
    }
  });

  it('fails (retryably) and stores nothing when the artifact stream breaks mid-upload', async () => {
    const bucket = await newBucket();
    async function* broken() {
      yield randomBytes(64 * 1024);
      throw new Error('source broke');
    }
    const error = await failure(store(bucket, { name: 'log', contentType: 'text/plain', body: Readable.from(broken()) }));
    expect(error.nonRetryable).toBe(false);
    expect(error.message).toContain('source broke');
    const [files] = await reader.bucket(bucket).getFiles();
    expect(files).toEqual([]);
  });

  it('fails permanently when the bucket is missing at upload time', async () => {
    const error = await failure(store('no-such-bucket', { name: 'log', contentType: 'text/plain', body: Buffer.from('x') }));
    expect(error).toMatchObject({ nonRetryable: true, message: "the bucket 'no-such-bucket' does not exist" });
  });

  it('fails retryably when the server cannot be reached', async () => {
    const down = depsOf(configSchema.parse({ gcp: { endpoint: 'http://127.0.0.1:1' } }));
    const error = await failure(gcpGcs.checks!(gcpGcs.spec.params.parse({ bucket: 'b' }), down));
    expect(error.nonRetryable).toBe(false);
  });

  it('reads credentials_path as a key file: a missing file is a permanent configuration error', async () => {
    const config = configSchema.parse({ gcp: { endpoint: gcs.url, credentials_path: '/nonexistent/key.json' } });
    const error = await failure(gcpGcs.checks!(gcpGcs.spec.params.parse({ bucket: 'b' }), depsOf(config)));
    expect(error).toMatchObject({ nonRetryable: true, type: 'GcpConfigError' });
    expect(error.message).toContain('/nonexistent/key.json');
  });
});
