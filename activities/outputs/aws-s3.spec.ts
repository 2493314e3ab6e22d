import { z } from 'zod';
import type { OutputSpec } from '../../src/contract/index.ts';

const params = z
  .object({
    bucket: z.string().min(1).describe('Name of the S3 bucket.'),
    prefix: z.string().default('').describe('Key prefix; leading and trailing `/` are ignored.'),
    region: z.string().min(1).optional().describe("Region of the bucket. Default: `aws.region` of the configuration, else the SDK's."),
  })
  .strict();

export type AwsS3Params = z.infer<typeof params>;

/** `aws:s3`: uploads the artifact to an S3 bucket as `<prefix>/<key>`. */
export const awsS3Spec: OutputSpec<AwsS3Params> = {
  name: 'aws:s3',
  category: 'aws',
  description: 'Upload the artifact to an AWS S3 bucket',
  params,
  rerun: 'Uploads the artifact again under a new key (`<key>_1`, a conditional write): an object is never overwritten.',
  permissions: {
    // s3:ListBucket for the bucket check (HeadBucket); s3:GetObject only lets the key probe see
    // an earlier artifact of the same second (without it, the conditional write still protects it).
    iam: ['s3:PutObject', 's3:ListBucket', 's3:GetObject'],
  },
  example: `output:
  target: aws:s3
  parameters:
    bucket: falco-artifacts
    prefix: tcpdump/
    region: eu-west-1
`,
};
