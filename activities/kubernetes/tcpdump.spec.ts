import { z } from 'zod';
import type { ActionnerSpec } from '../../src/contract/index.ts';

const params = z
  .object({
    duration: z.number().int().min(0).max(300).default(5).describe('Seconds of capture; 0 means 5 (as Talon).'),
    snaplen: z.number().int().min(0).default(0).describe("Bytes kept of each packet (`tcpdump -s`); 0 is tcpdump's default, whole packets."),
    image: z.string().min(1).default('issif/tcpdump:latest').describe('Image of the ephemeral container; it needs `tcpdump` and `timeout`.'),
  })
  .strict();

export type TcpdumpParams = z.output<typeof params>;

/** `kubernetes:tcpdump`: a packet capture from an ephemeral container in the pod, streamed to the output. */
export const kubernetesTcpdumpSpec: ActionnerSpec<TcpdumpParams> = {
  name: 'kubernetes:tcpdump',
  category: 'kubernetes',
  description: 'Capture the network packets of the pod',
  params,
  needsOutput: true,
  allowsOutput: true,
  defaultContinue: false,
  usesContext: false,
  rerun: 'Reuses the ephemeral container the first attempt added (its name derives from the action), captures again, stores a second pcap.',
  permissions: {
    kubernetes: [
      { apiGroups: [''], resources: ['pods'], verbs: ['get'] },
      { apiGroups: [''], resources: ['pods/ephemeralcontainers'], verbs: ['patch'] },
      { apiGroups: [''], resources: ['pods/exec'], verbs: ['get', 'create'] },
    ],
  },
  timeout: '10m',
  // Captures, commands and drains can run for minutes: their own slots.
  lane: 'kubernetes-long',
  example: `- action: Capture the traffic of the pod
  actionner: kubernetes:tcpdump
  parameters:
    duration: 10
    snaplen: 512
  output:
    target: minio:s3
    parameters:
      bucket: falco-talon
      prefix: /pcaps
`,
};
