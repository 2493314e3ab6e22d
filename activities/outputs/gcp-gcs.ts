import { pipeline } from 'node:stream/promises';
import { Storage } from '@google-cloud/storage';
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import type { TalonConfig } from '../../src/config/schema.ts';
import { permanent, retryable, truncate } from '../errors.ts';
import type { OutputImplementation } from '../types.ts';
import { gcpGcsSpec, type GcsParams } from './gcp-gcs.spec.ts';
import { artifactKey } from './key.ts';
import { normalizePrefix } from './s3.ts';
import { measured } from './stream.ts';

type GcpConfig = TalonConfig['gcp'];

/**
 * A new Storage client (the worker keeps one, Clients.gcs): `gcp.credentials_path` is a key FILE
 * (the reference parsed it as JSON content, §11.13), else application default credentials.
 * `gcp.endpoint` (an emulator, a private endpoint) is used without credentials unless a key file is
 * configured.
 */
export function createStorage(gcp: GcpConfig): Storage {
  return new Storage({
    apiEndpoint: gcp.endpoint,
    keyFilename: gcp.credentials_path,
    useAuthWithCustomEndpoint: gcp.credentials_path !== undefined,
    // Temporal owns retries; a half-sent stream cannot be replayed by the library anyway.
    retryOptions: { autoRetry: false },
  });
}

const statusShape = z.union([z.object({ code: z.number() }), z.object({ response: z.object({ status: z.number() }) })]);
const codeShape = z.object({ code: z.string() });

function httpStatus(error: unknown): number | undefined {
  const parsed = statusShape.safeParse(error);
  if (!parsed.success) return undefined;
  return 'code' in parsed.data ? parsed.data.code : parsed.data.response.status;
}

/** 404 → `notFound`; 401/403 and other 4xx permanent; 408, 429, 5xx and network faults retryable. */
function gcsFailure(error: unknown, what: string, permission: string, notFound: () => ApplicationFailure): ApplicationFailure {
  if (error instanceof ApplicationFailure) return error;
  const message = `${what}: ${truncate(error instanceof Error ? error.message : String(error))}`;
  const status = httpStatus(error);
  if (status === undefined) {
    const code = codeShape.safeParse(error);
    if (code.success && code.data.code === 'ENOENT') return permanent('GcpConfigError', `${message} (gcp.credentials_path)`);
    if (/could not load the default credentials/i.test(message)) return permanent('GcpConfigError', message);
    return retryable('GcsNetworkError', message);
  }
  if (status === 404) return notFound();
  if (status === 401 || status === 403)
    return permanent('Forbidden', `${what}: access denied (${status}); the identity needs '${permission}': ${truncate(String(error))}`);
  if (status === 408 || status === 429 || status >= 500) return retryable('GcsUnavailable', `${message} (${status})`);
  return permanent('GcsError', `${message} (${status})`);
}

const bucketMissing = (bucket: string) => () => permanent('BucketNotFound', `the bucket '${bucket}' does not exist`);

/** First of `name`, `name_1`… not taken yet; a denied probe (no storage.objects.get) keeps the name. */
async function freeName(client: Storage, bucket: string, name: string): Promise<string> {
  for (let n = 0; ; n++) {
    const candidate = n === 0 ? name : `${name}_${n}`;
    try {
      const [exists] = await client.bucket(bucket).file(candidate).exists();
      if (!exists) return candidate;
    } catch (error) {
      if (httpStatus(error) === 403) return candidate;
      throw gcsFailure(error, `storage.objects.get of '${candidate}'`, 'storage.objects.get', bucketMissing(bucket));
    }
  }
}

/** `gcp:gcs`: streams the artifact to a Cloud Storage bucket as `<prefix>/<key>`. */
export const gcpGcs: OutputImplementation<GcsParams> = {
  spec: gcpGcsSpec,
  async checks({ bucket }, deps) {
    try {
      await (await deps.clients.gcs()).bucket(bucket).getMetadata();
    } catch (error) {
      throw gcsFailure(error, `storage.buckets.get of '${bucket}'`, 'storage.buckets.get', bucketMissing(bucket));
    }
  },
  async store({ parameters, artifact, objects, event }, deps) {
    const client = await deps.clients.gcs();
    const prefix = normalizePrefix(parameters.prefix);
    const key = artifactKey(objects, event.hostname, artifact.name);
    const name = await freeName(client, parameters.bucket, prefix + key);
    const { stream, measure } = measured(artifact);
    const file = client.bucket(parameters.bucket).file(name);
    try {
      // ifGenerationMatch 0: never overwrite; a failed write rejects here (the reference ignored
      // the writer's close error and reported failed uploads as success, §11.11). One multipart
      // request, not a resumable session: a consumed stream cannot be resumed anyway, and the
      // content type travels in the object metadata, which every GCS implementation reads.
      const options = { contentType: artifact.contentType || 'application/octet-stream', resumable: false, preconditionOpts: { ifGenerationMatch: 0 } };
      await pipeline(stream, file.createWriteStream(options));
    } catch (error) {
      if (httpStatus(error) === 412) throw retryable('KeyTaken', `the object '${name}' was created during the upload to the bucket '${parameters.bucket}'`);
      throw gcsFailure(error, `upload of '${name}' to the bucket '${parameters.bucket}'`, 'storage.objects.create', bucketMissing(parameters.bucket));
    }
    return {
      result: `The file '${artifact.name}' has been uploaded as the key '${name}' to the bucket '${parameters.bucket}'`,
      objects: { file: artifact.name, bucket: parameters.bucket, prefix, key: name.slice(prefix.length) },
      location: `gs://${parameters.bucket}/${name}`,
      size: measure.bytes,
      sha256: measure.digest(),
    };
  },
};
