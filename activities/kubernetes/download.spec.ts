import { z } from 'zod';
import type { ActionnerSpec } from '../../src/contract/index.ts';
import { podExecRules } from './exec.spec.ts';

const params = z
  .object({
    file: z
      .string()
      .min(1)
      .describe('Path of the file in the container; may use templates (`${FD_NAME}`). It is passed to `cat` as one argument, never through a shell.'),
  })
  .strict();

export type DownloadParams = z.output<typeof params>;

/** `kubernetes:download`: a file of the pod (the first container that has it) to the output. */
export const kubernetesDownloadSpec: ActionnerSpec<DownloadParams> = {
  name: 'kubernetes:download',
  category: 'kubernetes',
  description: 'Download a file from the pod',
  params,
  needsOutput: true,
  allowsOutput: true,
  defaultContinue: true,
  usesContext: false,
  rerun: 'Reads the file again and stores it again: the output never overwrites, so a second artifact appears.',
  permissions: { kubernetes: [...podExecRules] },
  timeout: '10m',
  // Captures, commands and drains can run for minutes: their own slots.
  lane: 'kubernetes-long',
  example: `- action: Get the file the process wrote
  actionner: kubernetes:download
  parameters:
    file: \${FD_NAME}
  output:
    target: aws:s3
    parameters:
      bucket: falco-talon-artifacts
      prefix: /files
`,
};
