import { permanent } from '../errors.ts';
import { hasData } from '../stream-data.ts';
import { expand, templateVariables } from '../template.ts';
import type { ActionnerImplementation } from '../types.ts';
import { getEventPod } from './client.ts';
import { containerNames } from './command-run.ts';
import { kubernetesDownloadSpec, type DownloadParams } from './download.spec.ts';
import { startExec } from './pod-exec.ts';
import { eventPodExists } from './pod-check.ts';

/** A download larger than this fails rather than filling the output. */
export const DOWNLOAD_LIMIT_BYTES = 256 * 1024 * 1024;

/** `kubernetes:download`: `cat`s the file in each container until one has it; streams it to the output. */
export const kubernetesDownload: ActionnerImplementation<DownloadParams> = {
  spec: kubernetesDownloadSpec,
  checks: eventPodExists,
  async run({ event, context, parameters }, deps) {
    const apis = await deps.clients.kubernetes();
    const pod = await getEventPod(apis, event);
    const name = pod.metadata?.name ?? '';
    const namespace = pod.metadata?.namespace ?? '';
    const file = expand(parameters.file, templateVariables(event, context));
    const objects = { pod: name, namespace, file };
    const result = `the file '${file}' has been downloaded`;
    const errors: string[] = [];
    for (const container of containerNames(pod)) {
      const running = await startExec(apis.kubeConfig, { namespace, pod: name, container }, ['cat', '--', file], { maxBytes: DOWNLOAD_LIMIT_BYTES });
      if (await hasData(running.stdout).catch(() => false)) {
        return { status: 'success', result, objects, artifact: { name: file, contentType: 'application/octet-stream', body: running.stdout } };
      }
      const end = await running.done;
      // Read to its end with nothing in it: the file is there and empty.
      if (end.ok) return { status: 'success', result, objects, artifact: { name: file, contentType: 'application/octet-stream', body: Buffer.alloc(0) } };
      errors.push(`${container}: ${end.message || `exit code ${end.exitCode ?? 'unknown'}`}`);
    }
    throw permanent(
      'FileNotFound',
      `the file '${file}' could not be read in any container of the pod '${name}' in the namespace '${namespace}': ${errors.join('; ')}`,
    );
  },
};
