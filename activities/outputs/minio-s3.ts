import { S3Client } from '@aws-sdk/client-s3';
import type { TalonConfig } from '../../src/config/schema.ts';
import { permanent } from '../errors.ts';
import type { OutputImplementation } from '../types.ts';
import { minioS3Spec, type MinioS3Params } from './minio-s3.spec.ts';
import { checkBucket, putArtifact, s3Result } from './s3.ts';

type MinioConfig = TalonConfig['minio'];

/** `minio.endpoint` as a URL: `host:port` as Talon takes it (scheme from `use_ssl`), or a full URL. */
export function minioUrl(minio: MinioConfig): string {
  const endpoint = minio.endpoint;
  if (!endpoint) throw permanent('OutputConfigError', 'minio:s3 needs `minio.endpoint` in the configuration');
  const url = /^https?:\/\//.test(endpoint) ? endpoint : `${minio.use_ssl ? 'https' : 'http'}://${endpoint}`;
  return url.replace(/\/+$/, '');
}

/**
 * A new S3 protocol client pointed at MinIO: path-style, MinIO's own keys, its default region. The
 * worker keeps one (Clients.minio). Without `minio.endpoint` it fails permanently.
 */
export function createMinioClient(minio: MinioConfig): S3Client {
  return new S3Client({
    endpoint: minioUrl(minio),
    forcePathStyle: true,
    // MinIO's default region; only used for request signing.
    region: 'us-east-1',
    credentials: minio.access_key && minio.secret_key ? { accessKeyId: minio.access_key, secretAccessKey: minio.secret_key } : undefined,
    // Temporal owns retries (see activities/aws/client.ts).
    maxAttempts: 1,
  });
}

/** `minio:s3`: uploads the artifact to a MinIO bucket, through the same S3 code as `aws:s3`. */
export const minioS3: OutputImplementation<MinioS3Params> = {
  spec: minioS3Spec,
  async checks(parameters, deps) {
    await checkBucket(await deps.clients.minio(), parameters.bucket);
  },
  async store(input, deps) {
    const { bucket, prefix } = input.parameters;
    const base = minioUrl(deps.config.minio);
    const location = (key: string) => `${base}/${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
    const stored = await putArtifact({ client: await deps.clients.minio(), bucket, prefix }, input, location);
    return s3Result(input.artifact, bucket, stored);
  },
};
