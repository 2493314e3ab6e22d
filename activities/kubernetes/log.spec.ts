import { z } from 'zod';
import type { ActionnerSpec } from '../../src/contract/index.ts';

const params = z
  .object({
    tail_lines: z.number().int().min(0).default(20).describe('Lines from the end of the log; 0 means 20 (as Talon).'),
  })
  .strict();

export type LogParams = z.output<typeof params>;

/** `kubernetes:log`: the pod's log (the first container with one) to the output. */
export const kubernetesLogSpec: ActionnerSpec<LogParams> = {
  name: 'kubernetes:log',
  category: 'kubernetes',
  description: 'Get the logs of the pod',
  params,
  needsOutput: false,
  allowsOutput: true,
  defaultContinue: true,
  usesContext: false,
  rerun: 'Reads the log again and stores it again: the output never overwrites, so a second artifact appears.',
  permissions: {
    kubernetes: [
      { apiGroups: [''], resources: ['pods'], verbs: ['get'] },
      { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
    ],
  },
  timeout: '2m',
  // Captures, commands and drains can run for minutes: their own slots.
  lane: 'kubernetes-long',
  example: `- action: Get the logs of the pod
  actionner: kubernetes:log
  parameters:
    tail_lines: 200
  output:
    target: local:file
    parameters:
      destination: /var/lib/talon/artifacts
`,
};
