import { z } from 'zod';
import type { OutputSpec } from '../../src/contract/index.ts';

const params = z
  .object({
    bucket: z.string().min(1).describe('Name of the MinIO bucket.'),
    prefix: z.string().default('').describe('Key prefix; leading and trailing `/` are ignored.'),
  })
  .strict();

export type MinioS3Params = z.infer<typeof params>;

/** `minio:s3`: uploads the artifact to a MinIO bucket, through the same S3 code as `aws:s3`. */
export const minioS3Spec: OutputSpec<MinioS3Params> = {
  name: 'minio:s3',
  category: 'minio',
  description: 'Upload the artifact to a MinIO bucket',
  params,
  rerun: 'Uploads the artifact again under a new key (`<key>_1`, a conditional write): an object is never overwritten.',
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
};
