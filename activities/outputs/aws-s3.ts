import type { OutputImplementation } from '../types.ts';
import { awsS3Spec, type AwsS3Params } from './aws-s3.spec.ts';
import { checkBucket, putArtifact, s3Result } from './s3.ts';

/** `aws:s3`: uploads the artifact to an S3 bucket as `<prefix>/<key>`. */
export const awsS3: OutputImplementation<AwsS3Params> = {
  spec: awsS3Spec,
  async checks(parameters, deps) {
    await checkBucket(await deps.clients.s3(parameters.region), parameters.bucket);
  },
  async store(input, deps) {
    const { bucket, prefix, region } = input.parameters;
    const client = await deps.clients.s3(region);
    const stored = await putArtifact({ client, bucket, prefix }, input, (key) => `s3://${bucket}/${key}`);
    return s3Result(input.artifact, bucket, stored, { region: await client.config.region() });
  },
};
