import { z } from 'zod';
import type { OutputSpec } from '../../src/contract/index.ts';

const params = z
  .object({
    bucket: z.string().min(1).describe('Name of the Cloud Storage bucket.'),
    prefix: z.string().default('').describe('Object name prefix; leading and trailing `/` are ignored.'),
  })
  .strict();

export type GcsParams = z.infer<typeof params>;

/** `gcp:gcs`: streams the artifact to a Cloud Storage bucket as `<prefix>/<key>`. */
export const gcpGcsSpec: OutputSpec<GcsParams> = {
  name: 'gcp:gcs',
  category: 'gcp',
  description: 'Upload the artifact to a Google Cloud Storage bucket',
  params,
  rerun: 'Uploads the artifact again under a new name (`<key>_1`, a conditional write): an object is never overwritten.',
  permissions: {
    // storage.buckets.get for the bucket check; storage.objects.get only for the same-second key probe.
    iam: ['storage.objects.create', 'storage.buckets.get', 'storage.objects.get'],
  },
  example: `output:
  target: gcp:gcs
  parameters:
    bucket: falco-artifacts
    prefix: tcpdump/
`,
};
