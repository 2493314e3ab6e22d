import { HeadBucketCommand, HeadObjectCommand, S3ServiceException, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { ApplicationFailure } from '@temporalio/common';
import { awsFailure } from '../aws/client.ts';
import { permanent, retryable } from '../errors.ts';
import type { StoredArtifact } from '../../src/contract/index.ts';
import type { Artifact, OutputInput } from '../types.ts';
import { artifactKey } from './key.ts';
import { measured } from './stream.ts';

// The S3 protocol as `aws:s3` and `minio:s3` share it; the two implementations differ only in the client
// they build (endpoint, path style, credentials) and in how they name the stored location.

/** Multipart part size: the S3 minimum, so at most PART_SIZE × QUEUE_SIZE bytes are in memory. */
const PART_SIZE = 5 * 1024 * 1024;
const QUEUE_SIZE = 4;

/**
 * `prefix` without leading and trailing `/`, plus one `/` when not empty. The reference kept a
 * leading `/` (minio) or produced `/<key>` for an empty prefix (aws), both odd keys in S3 (§11.11).
 */
export function normalizePrefix(prefix: string): string {
  const trimmed = prefix.replace(/^\/+|\/+$/g, '');
  return trimmed === '' ? '' : `${trimmed}/`;
}

export const bucketMissing = (bucket: string) => permanent('BucketNotFound', `the bucket '${bucket}' does not exist`);

/** Fails permanently, with the reference's text, when the bucket does not exist (HeadBucket). */
export async function checkBucket(client: S3Client, bucket: string): Promise<void> {
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch (error) {
    throw awsFailure(error, { what: `s3:HeadBucket of '${bucket}'`, iamAction: 's3:ListBucket', notFound: () => bucketMissing(bucket) });
  }
}

/**
 * First of `key`, `key_1`, `key_2`… not taken yet, so an artifact stored under the same key in the
 * same second does not overwrite the earlier one (§11.11). A probe that is denied (no s3:GetObject)
 * cannot tell and keeps the key; the conditional write below still refuses to overwrite.
 */
async function freeKey(client: S3Client, bucket: string, key: string): Promise<string> {
  for (let n = 0; ; n++) {
    const candidate = n === 0 ? key : `${key}_${n}`;
    try {
      await client.send(new HeadObjectCommand({ Bucket: bucket, Key: candidate }));
    } catch (error) {
      const status = httpStatus(error);
      if (status === 404 || status === 403) return candidate;
      throw awsFailure(error, { what: `s3:HeadObject of '${candidate}'`, iamAction: 's3:GetObject', notFound: () => bucketMissing(bucket) });
    }
  }
}

function httpStatus(error: unknown): number | undefined {
  return error instanceof S3ServiceException ? error.$metadata.httpStatusCode : undefined;
}

/** Where and how to store: the parsed parameters shared by both S3 outputs. */
export interface S3Target {
  readonly client: S3Client;
  readonly bucket: string;
  readonly prefix: string;
}

export interface S3Stored extends StoredArtifact {
  /** Object key within the prefix, as the reference reports it in `objects.key`. */
  readonly key: string;
  /** Normalised prefix (`a/b/` or empty). */
  readonly prefix: string;
  /** Full object key: prefix + key. */
  readonly objectKey: string;
}

/**
 * Streams the artifact to `<prefix><key>` with a multipart upload (a single PUT when it fits one
 * part), measuring size and SHA-256 on the bytes sent. Never overwrites: `If-None-Match: *`.
 */
export async function putArtifact(target: S3Target, input: OutputInput<unknown>, location: (objectKey: string) => string): Promise<S3Stored> {
  const { client, bucket } = target;
  const prefix = normalizePrefix(target.prefix);
  const wanted = artifactKey(input.objects, input.event.hostname, input.artifact.name);
  const objectKey = await freeKey(client, bucket, prefix + wanted);
  const { stream, measure } = measured(input.artifact);
  const upload = new Upload({
    client,
    params: { Bucket: bucket, Key: objectKey, Body: stream, ContentType: contentType(input.artifact), IfNoneMatch: '*' },
    partSize: PART_SIZE,
    queueSize: QUEUE_SIZE,
  });
  try {
    await upload.done();
  } catch (error) {
    throw uploadFailure(error, bucket, objectKey);
  }
  return { key: objectKey.slice(prefix.length), prefix, objectKey, location: location(objectKey), size: measure.bytes, sha256: measure.digest() };
}

/** The artifact's own content type (the reference stored everything as `text/plain` in MinIO). */
function contentType(artifact: Artifact): string {
  return artifact.contentType || 'application/octet-stream';
}

function uploadFailure(error: unknown, bucket: string, key: string): ApplicationFailure {
  // Another upload took the key between the probe and the write: the next attempt probes again.
  if (httpStatus(error) === 412) return retryable('KeyTaken', `the key '${key}' was taken during the upload to the bucket '${bucket}'`);
  return awsFailure(error, { what: `s3:PutObject of '${key}' to the bucket '${bucket}'`, iamAction: 's3:PutObject', notFound: () => bucketMissing(bucket) });
}

/** `the file '<name>' has been uploaded as the key '<prefix+key>' to the bucket '<b>'` and Talon's objects. */
export function s3Result(artifact: Artifact, bucket: string, stored: S3Stored, extra: Record<string, string> = {}) {
  return {
    result: `the file '${artifact.name}' has been uploaded as the key '${stored.objectKey}' to the bucket '${bucket}'`,
    objects: { file: artifact.name, bucket, prefix: stored.prefix, key: stored.key, ...extra },
    location: stored.location,
    size: stored.size,
    sha256: stored.sha256,
  };
}
