import type { ActionnerImplementation } from '../types.ts';
import { getEventPod } from './client.ts';
import { containerNames, runInContainers } from './command-run.ts';
import { kubernetesExecSpec, type ExecParams } from './exec.spec.ts';
import { shellArgv } from './shell.ts';
import { eventPodExists } from './pod-check.ts';

/** `kubernetes:exec`: the command in every container of the event's pod, alert values as shell variables. */
export const kubernetesExec: ActionnerImplementation<ExecParams> = {
  spec: kubernetesExecSpec,
  checks: eventPodExists,
  async run({ event, context, parameters }, deps) {
    const apis = await deps.clients.kubernetes();
    const pod = await getEventPod(apis, event);
    const argv = shellArgv(parameters.shell, parameters.command, event, context);
    return runInContainers(apis, pod, containerNames(pod), argv, 'command');
  },
};
