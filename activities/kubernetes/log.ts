import { PassThrough } from 'node:stream';
import { Log } from '@kubernetes/client-node';
import { hasData } from '../stream-data.ts';
import type { ActionnerImplementation } from '../types.ts';
import { getEventPod, kubeFailure } from './client.ts';
import { containerNames } from './command-run.ts';
import { kubernetesLogSpec, type LogParams } from './log.spec.ts';
import { eventPodExists } from './pod-check.ts';

/** The API server stops a log past this size (`limitBytes`): a log is evidence, not a dump. */
export const LOG_LIMIT_BYTES = 16 * 1024 * 1024;

/** `kubernetes:log`: the log of the first container that has one, streamed to the output. */
export const kubernetesLog: ActionnerImplementation<LogParams> = {
  spec: kubernetesLogSpec,
  checks: eventPodExists,
  async run({ event, parameters }, deps) {
    const apis = await deps.clients.kubernetes();
    const pod = await getEventPod(apis, event);
    const name = pod.metadata?.name ?? '';
    const namespace = pod.metadata?.namespace ?? '';
    const tailLines = parameters.tail_lines > 0 ? parameters.tail_lines : 20;
    const objects = { pod: name, namespace };
    for (const container of containerNames(pod)) {
      const body = new PassThrough();
      try {
        await new Log(apis.kubeConfig).log(namespace, name, container, body, { tailLines, limitBytes: LOG_LIMIT_BYTES });
      } catch (error) {
        body.destroy();
        throw kubeFailure(error, { verb: 'get', resource: 'pods/log', name, namespace, notFoundType: 'PodNotFound' });
      }
      if (await hasData(body)) {
        return {
          status: 'success',
          result: `the logs for the pod '${name}' in the namespace '${namespace}' has been downloaded`,
          objects,
          artifact: { name: 'log', contentType: 'text/plain; charset=utf-8', body },
        };
      }
    }
    return { status: 'success', result: `the pod '${name}' in the namespace '${namespace}' has no logs`, objects };
  },
};
