import { z } from 'zod';
import type { ActionnerSpec } from '../../src/contract/index.ts';

const params = z
  .object({
    command: z
      .string()
      .min(1)
      .describe(
        'Command run with `<shell> -c` in every container of the pod. `${FD_NAME}`-style references to output fields and contexts are shell variables set from the alert: the shell expands them as data, never as code (quote them, `"$FD_NAME"`, to avoid word splitting).',
      ),
    shell: z.string().min(1).default('/bin/sh').describe('Shell that runs the command, inside the container.'),
  })
  .strict();

export type ExecParams = z.output<typeof params>;

/** RBAC of the actionners that run commands in a pod (exec, script, download). */
export const podExecRules = [
  { apiGroups: [''], resources: ['pods'], verbs: ['get'] },
  { apiGroups: [''], resources: ['pods/exec'], verbs: ['get', 'create'] },
] as const;

/** `kubernetes:exec`: runs a command in every container of the event's pod. */
export const kubernetesExecSpec: ActionnerSpec<ExecParams> = {
  name: 'kubernetes:exec',
  category: 'kubernetes',
  description: 'Exec a command in the pod',
  params,
  needsOutput: false,
  // Talon has no output for exec; here the whole (ANSI-stripped) stdout may be stored.
  allowsOutput: true,
  defaultContinue: true,
  usesContext: true,
  rerun: 'Runs the command again in every container: make it idempotent or guard it (`[ -e /tmp/done ] || …`).',
  permissions: { kubernetes: [...podExecRules] },
  timeout: '5m',
  // Captures, commands and drains can run for minutes: their own slots.
  lane: 'kubernetes-long',
  example: `- action: List the open files of the process
  actionner: kubernetes:exec
  parameters:
    shell: /bin/sh
    command: ls -l "/proc/$PROC_PID/fd"
`,
};
