import { S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import type { TalonConfig } from '../../src/config/schema.ts';
import { permanent } from '../errors.ts';
import type { OutputDescriptor } from '../types.ts';
import { checkBucket, putArtifact, s3Result } from './s3.ts';

const params = z
  .object({
    bucket: z.string().min(1),
    /** Key prefix; leading and trailing `/` are ignored. @default "" */
    prefix: z.string().default(''),
  })
  .strict();

type MinioS3Params = z.infer<typeof params>;

type MinioConfig = TalonConfig['minio'];

/** `minio.endpoint` as a URL: `host:port` as Talon takes it (scheme from `use_ssl`), or a full URL. */
export function minioUrl(minio: MinioConfig): string {
  const endpoint = minio.endpoint;
  if (!endpoint) throw permanent('OutputConfigError', 'minio:s3 needs `minio.endpoint` in the configuration');
  const url = /^https?:\/\//.test(endpoint) ? endpoint : `${minio.use_ssl ? 'https' : 'http'}://${endpoint}`;
  return url.replace(/\/+$/, '');
}

const clients = new WeakMap<MinioConfig, S3Client>();

/** The S3 protocol client pointed at MinIO: path-style, MinIO's own keys, its default region. */
function minioClient(minio: MinioConfig): S3Client {
  let client = clients.get(minio);
  if (!client) {
    client = new S3Client({
      endpoint: minioUrl(minio),
      forcePathStyle: true,
      // MinIO's default region; only used for request signing.
      region: 'us-east-1',
      credentials: minio.access_key && minio.secret_key ? { accessKeyId: minio.access_key, secretAccessKey: minio.secret_key } : undefined,
      maxAttempts: 1,
    });
    clients.set(minio, client);
  }
  return client;
}

/** `minio:s3`: uploads the artifact to a MinIO bucket, through the same S3 code as `aws:s3`. */
export const minioS3: OutputDescriptor<MinioS3Params> = {
  name: 'minio:s3',
  category: 'minio',
  description: 'Upload the artifact to a MinIO bucket',
  params,
  permissions: {
    // MinIO policy actions use S3's names.
    iam: ['s3:PutObject', 's3:ListBucket', 's3:GetObject'],
  },
  example: `output:
  target: minio:s3
  parameters:
    bucket: falco-artifacts
    prefix: tcpdump/
`,
  async checks(parameters, deps) {
    await checkBucket(minioClient(deps.config.minio), parameters.bucket);
  },
  async store(input, deps) {
    const { bucket, prefix } = input.parameters;
    const base = minioUrl(deps.config.minio);
    const location = (key: string) => `${base}/${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
    const stored = await putArtifact({ client: minioClient(deps.config.minio), bucket, prefix }, input, location);
    return s3Result(input.artifact, bucket, stored);
  },
};
