import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createClients } from '../../../activities/clients.ts';
import { awsS3 } from '../../../activities/outputs/aws-s3.ts';
import { minioS3 } from '../../../activities/outputs/minio-s3.ts';
import type { Artifact, Deps, OutputImplementation } from '../../../activities/types.ts';
import { configSchema, type TalonConfig } from '../../../src/config/schema.ts';
import { silentLogger } from '../../../src/log.ts';
import { startMinio, type MinioServer } from '../../support/object-stores.ts';
import { falcoEvent } from '../../support/temporal.ts';

// MinIO is the S3 server for both outputs: it speaks the real S3 REST protocol (SigV4, multipart
// uploads, conditional writes, error codes), so `aws:s3` runs against it through `aws.endpoint`.

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const TIME = /^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ/;

let minio: MinioServer;
let reader: S3Client;

beforeAll(async () => {
  minio = await startMinio();
  reader = new S3Client({
    endpoint: minio.url,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: { accessKeyId: minio.accessKey, secretAccessKey: minio.secretKey },
  });
});
afterAll(async () => {
  reader?.destroy();
  await minio?.stop();
});
afterEach(() => vi.useRealTimers());

async function newBucket(): Promise<string> {
  const bucket = `talon-${randomUUID()}`;
  await reader.send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

async function readBack(bucket: string, key: string | undefined) {
  if (key === undefined) throw new Error('no key in the result objects');
  const object = await reader.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const content = Buffer.from(await object.Body!.transformToByteArray());
  return { content, contentType: object.ContentType, size: object.ContentLength };
}

async function keys(bucket: string): Promise<string[]> {
  return ((await reader.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents ?? []).map((o) => o.Key ?? '');
}

async function failure(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof ApplicationFailure)) throw new Error(`expected an ApplicationFailure, got ${String(error)}`);
  return error;
}

const depsOf = (config: TalonConfig): Deps => ({ config, log: silentLogger, clients: createClients(config) });

interface Case {
  readonly output: OutputImplementation<unknown>;
  readonly deps: (secretKey?: string) => Deps;
  readonly location: (bucket: string, key: string) => string;
  readonly extraObjects: Record<string, string>;
}

const cases: Record<string, () => Case> = {
  'aws:s3 (through aws.endpoint)': () => ({
    output: awsS3,
    deps: (secretKey = minio.secretKey) =>
      depsOf(configSchema.parse({ aws: { endpoint: minio.url, region: 'us-east-1', access_key: minio.accessKey, secret_key: secretKey } })),
    location: (bucket, key) => `s3://${bucket}/${key}`,
    extraObjects: { region: 'us-east-1' },
  }),
  'minio:s3': () => ({
    output: minioS3,
    deps: (secretKey = minio.secretKey) =>
      depsOf(configSchema.parse({ minio: { endpoint: minio.hostPort, access_key: minio.accessKey, secret_key: secretKey } })),
    location: (bucket, key) => `${minio.url}/${bucket}/${key}`,
    extraObjects: {},
  }),
};

describe.each(Object.keys(cases))('%s output against MinIO', (title) => {
  let c: Case;
  let deps: Deps;
  beforeAll(() => {
    c = cases[title]!();
    deps = c.deps();
  });

  function store(bucket: string, artifact: Artifact, options: { prefix?: string; objects?: Record<string, string>; hostname?: string } = {}) {
    const parameters = c.output.spec.params.parse({ bucket, prefix: options.prefix });
    const objects = options.objects ?? { pod: 'web-1', namespace: 'prod' };
    return c.output.store({ parameters, artifact, objects, event: falcoEvent({ hostname: options.hostname ?? 'node-1' }) }, deps);
  }

  it('passes the check for an existing bucket and fails permanently, with the message, for a missing one', async () => {
    const bucket = await newBucket();
    await expect(c.output.checks?.(c.output.spec.params.parse({ bucket }), deps)).resolves.toBeUndefined();
    const error = await failure(c.output.checks!(c.output.spec.params.parse({ bucket: 'no-such-bucket' }), deps));
    expect(error).toMatchObject({ nonRetryable: true, type: 'BucketNotFound', message: "the bucket 'no-such-bucket' does not exist" });
  });

  it('stores the bytes under <prefix>/<time>_<ns>_<pod>_<name> with the artifact content type', async () => {
    const bucket = await newBucket();
    const body = randomBytes(4096);
    const out = await store(bucket, { name: 'tcpdump.pcap', contentType: 'application/vnd.tcpdump.pcap', body }, { prefix: 'captures/' });
    const key = `captures/${out.objects.key}`;
    expect(out.objects.key).toMatch(new RegExp(`${TIME.source}_prod_web-1_tcpdump\\.pcap$`));
    expect(out).toEqual({
      result: `the file 'tcpdump.pcap' has been uploaded as the key '${key}' to the bucket '${bucket}'`,
      objects: { file: 'tcpdump.pcap', bucket, prefix: 'captures/', key: out.objects.key, ...c.extraObjects },
      location: c.location(bucket, key),
      size: body.length,
      sha256: sha256(body),
    });
    const stored = await readBack(bucket, key);
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
    expect(out.result).toContain(`as the key '${expected}${out.objects.key}'`);
    expect(await keys(bucket)).toEqual([`${expected}${out.objects.key}`]);
  });

  it('streams a 12 MiB Readable as a multipart upload and reports size and SHA-256 of the streamed bytes', async () => {
    const bucket = await newBucket();
    const chunks = Array.from({ length: 12 }, () => randomBytes(1024 * 1024));
    const whole = Buffer.concat(chunks);
    const out = await store(bucket, { name: 'capture.scap', contentType: 'application/octet-stream', body: Readable.from(chunks) });
    expect(out).toMatchObject({ size: whole.length, sha256: sha256(whole) });
    const stored = await readBack(bucket, out.objects.key);
    expect(stored.size).toBe(whole.length);
    expect(sha256(stored.content)).toBe(sha256(whole));
    // A multipart object's ETag is `<md5 of part md5s>-<parts>`: proves it did not go as one PUT.
    const head = await reader.send(new GetObjectCommand({ Bucket: bucket, Key: out.objects.key, Range: 'bytes=0-0' }));
    expect(head.ETag).toMatch(/-3"$/);
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
      yield randomBytes(6 * 1024 * 1024);
      throw new Error('source broke');
    }
    const error = await failure(store(bucket, { name: 'log', contentType: 'text/plain', body: Readable.from(broken()) }));
    expect(error.nonRetryable).toBe(false);
    expect(error.message).toContain('source broke');
    expect(await keys(bucket)).toEqual([]);
  });

  it('fails permanently when the bucket is missing at upload time', async () => {
    const error = await failure(store('no-such-bucket', { name: 'log', contentType: 'text/plain', body: Buffer.from('x') }));
    expect(error).toMatchObject({ nonRetryable: true, message: "the bucket 'no-such-bucket' does not exist" });
  });

  it('fails permanently, naming the IAM action, when the credentials are refused', async () => {
    const bucket = await newBucket();
    const error = await failure(c.output.checks!(c.output.spec.params.parse({ bucket }), c.deps('wrong-secret')));
    expect(error).toMatchObject({ nonRetryable: true, type: 'Forbidden' });
    expect(error.message).toContain("'s3:ListBucket'");
  });
});

describe('S3 outputs: configuration and network errors', () => {
  it('aws:s3 reports the region of the parameters in its objects', async () => {
    const bucket = await newBucket();
    const config = configSchema.parse({ aws: { endpoint: minio.url, region: 'us-east-1', access_key: minio.accessKey, secret_key: minio.secretKey } });
    const parameters = awsS3.spec.params.parse({ bucket, region: 'eu-west-3' });
    const out = await awsS3.store(
      { parameters, artifact: { name: 'log', contentType: 'text/plain', body: Buffer.from('x') }, objects: { pod: 'p', namespace: 'n' }, event: falcoEvent() },
      depsOf(config),
    );
    expect(out.objects.region).toBe('eu-west-3');
  });

  it('minio:s3 without minio.endpoint fails permanently with a configuration error', async () => {
    const error = await failure(minioS3.checks!(minioS3.spec.params.parse({ bucket: 'b' }), depsOf(configSchema.parse({}))));
    expect(error).toMatchObject({ nonRetryable: true, type: 'OutputConfigError' });
  });

  it('an unreachable server is a retryable failure', async () => {
    const config = configSchema.parse({ minio: { endpoint: '127.0.0.1:1', access_key: 'a', secret_key: 'b' } });
    const error = await failure(minioS3.checks!(minioS3.spec.params.parse({ bucket: 'b' }), depsOf(config)));
    expect(error.nonRetryable).toBe(false);
  });
});
