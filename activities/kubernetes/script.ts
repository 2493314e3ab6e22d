import { readFile } from 'node:fs/promises';
import { permanent } from '../errors.ts';
import type { ActionnerImplementation } from '../types.ts';
import { getEventPod } from './client.ts';
import { containerNames, runInContainers } from './command-run.ts';
import { kubernetesScriptSpec, type ScriptParams } from './script.spec.ts';
import { shellArgv } from './shell.ts';
import { eventPodExists } from './pod-check.ts';

async function scriptText(parameters: ScriptParams): Promise<string> {
  if (parameters.script !== undefined) return parameters.script;
  try {
    return await readFile(parameters.file ?? '', 'utf8');
  } catch (error) {
    throw permanent('ScriptFileError', `cannot read the script file '${parameters.file ?? ''}': ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * `kubernetes:script`: the script in the pod's last container (as Talon), given to `<shell> -c`
 * rather than written to a fixed path in the container, which the compromised container could
 * have prepared.
 */
export const kubernetesScript: ActionnerImplementation<ScriptParams> = {
  spec: kubernetesScriptSpec,
  checks: eventPodExists,
  async run({ event, context, parameters }, deps) {
    const apis = await deps.clients.kubernetes();
    const pod = await getEventPod(apis, event);
    const argv = shellArgv(parameters.shell, await scriptText(parameters), event, context);
    return runInContainers(apis, pod, containerNames(pod).slice(-1), argv, 'script');
  },
};
