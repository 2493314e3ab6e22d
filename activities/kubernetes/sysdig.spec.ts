import { z } from 'zod';
import type { ActionnerSpec } from '../../src/contract/index.ts';

const params = z
  .object({
    duration: z.number().int().min(0).max(30).default(5).describe('Seconds of capture, at most 30; 0 means 5 (as Talon).'),
    buffer_size: z
      .number()
      .int()
      .refine((n) => n === 0 || n >= 128, { message: 'must be 0 or at least 128' })
      .default(2048)
      .describe('Bytes captured of each I/O buffer (`sysdig -s`); 0 means 2048.'),
    scope: z.enum(['pod', 'node']).default('pod').describe("`pod`: only the pod's containers; `node`: everything on its node."),
    image: z.string().min(1).default('issif/sysdig:latest').describe('Image of the capture Job; it needs `sysdig` and `cat`.'),
  })
  .strict();

export type SysdigParams = z.output<typeof params>;

/** `kubernetes:sysdig`: a syscall capture by a Job on the pod's node, copied to the output. */
export const kubernetesSysdigSpec: ActionnerSpec<SysdigParams> = {
  name: 'kubernetes:sysdig',
  category: 'kubernetes',
  description: 'Capture the syscalls of the pod',
  params,
  needsOutput: true,
  allowsOutput: true,
  defaultContinue: false,
  usesContext: false,
  rerun: 'Reuses the Job the first attempt created (its name derives from the action), captures again, stores a second capture.',
  permissions: {
    kubernetes: [
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] },
      { apiGroups: [''], resources: ['pods/exec'], verbs: ['get', 'create'] },
      // delete: a cancelled capture removes its Job at once.
      { apiGroups: ['batch'], resources: ['jobs'], verbs: ['get', 'create', 'delete'] },
    ],
  },
  timeout: '5m',
  // Captures, commands and drains can run for minutes: their own slots.
  lane: 'kubernetes-long',
  example: `- action: Capture the syscalls of the pod
  actionner: kubernetes:sysdig
  parameters:
    duration: 10
    buffer_size: 1024
    scope: pod
  output:
    target: aws:s3
    parameters:
      bucket: falco-talon-artifacts
      prefix: /sysdig
`,
};
