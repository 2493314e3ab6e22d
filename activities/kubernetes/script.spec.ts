import { existsSync } from 'node:fs';
import { z } from 'zod';
import type { ActionnerSpec } from '../../src/contract/index.ts';
import { podExecRules } from './exec.spec.ts';

const params = z
  .object({
    script: z
      .string()
      .min(1)
      .optional()
      .describe('Inline script. Alert values are shell variables (`${PROC_NAME}`), expanded by the shell as data, never as code.'),
    file: z
      .string()
      .min(1)
      .refine((path) => existsSync(path), { message: 'the file does not exist' })
      .optional()
      .describe("Path of a script file on the worker's disk, read when the action runs; it must exist when the rules are loaded."),
    shell: z.string().min(1).default('/bin/sh').describe('Shell that runs the script, inside the container.'),
  })
  .strict()
  .refine((p) => p.script !== undefined || p.file !== undefined, { message: "missing parameter 'script' or 'file'" })
  .refine((p) => p.script === undefined || p.file === undefined, { message: "'script' and 'file' parameters can't be set at the same time" });

export type ScriptParams = z.output<typeof params>;

/** `kubernetes:script`: runs a script in the last container of the event's pod. */
export const kubernetesScriptSpec: ActionnerSpec<ScriptParams> = {
  name: 'kubernetes:script',
  category: 'kubernetes',
  description: 'Run a script in the pod',
  params,
  needsOutput: false,
  allowsOutput: true,
  defaultContinue: true,
  usesContext: true,
  rerun: 'Runs the script again in the last container: make it idempotent or guard it.',
  permissions: { kubernetes: [...podExecRules] },
  timeout: '5m',
  // Captures, commands and drains can run for minutes: their own slots.
  lane: 'kubernetes-long',
  example: `- action: Collect the process tree
  actionner: kubernetes:script
  parameters:
    shell: /bin/sh
    script: |
      ps -ef
      echo "alert on $PROC_NAME in $K8S_POD_NAME"
`,
};
