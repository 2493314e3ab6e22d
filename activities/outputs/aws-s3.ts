import { S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import type { TalonConfig } from '../../src/config/schema.ts';
import { awsCredentials } from '../aws/client.ts';
import type { OutputDescriptor } from '../types.ts';
import { checkBucket, putArtifact, s3Result } from './s3.ts';

const params = z
  .object({
    bucket: z.string().min(1),
    /** Key prefix; leading and trailing `/` are ignored. @default "" */
    prefix: z.string().default(''),
    /** Region of the bucket. @default `aws.region` of the configuration, else the SDK's */
    region: z.string().min(1).optional(),
  })
  .strict();

type AwsS3Params = z.infer<typeof params>;

// One client per configuration and region, so assumed-role credentials are reused until they expire.
const clients = new WeakMap<TalonConfig['aws'], Map<string, S3Client>>();

/**
 * S3 client with Talon's AWS credentials (§6.1). `aws.endpoint` (LocalStack, MinIO, a VPC
 * endpoint) switches to path-style addressing: such endpoints rarely resolve `<bucket>.<host>`.
 */
export function s3Client(config: TalonConfig, region: string | undefined): S3Client {
  const perRegion = clients.get(config.aws) ?? new Map<string, S3Client>();
  clients.set(config.aws, perRegion);
  const effective = region ?? config.aws.region;
  let client = perRegion.get(effective ?? '');
  if (!client) {
    client = new S3Client({
      region: effective,
      endpoint: config.aws.endpoint,
      forcePathStyle: config.aws.endpoint !== undefined,
      credentials: awsCredentials(config.aws),
      // Temporal owns retries (see activities/aws/client.ts).
      maxAttempts: 1,
    });
    perRegion.set(effective ?? '', client);
  }
  return client;
}

/** `aws:s3`: uploads the artifact to an S3 bucket as `<prefix>/<key>`. */
export const awsS3: OutputDescriptor<AwsS3Params> = {
  name: 'aws:s3',
  category: 'aws',
  description: 'Upload the artifact to an AWS S3 bucket',
  params,
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
  async checks(parameters, deps) {
    await checkBucket(s3Client(deps.config, parameters.region), parameters.bucket);
  },
  async store(input, deps) {
    const { bucket, prefix, region } = input.parameters;
    const client = s3Client(deps.config, region);
    const stored = await putArtifact({ client, bucket, prefix }, input, (key) => `s3://${bucket}/${key}`);
    return s3Result(input.artifact, bucket, stored, { region: await client.config.region() });
  },
};
