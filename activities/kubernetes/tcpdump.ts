import { permanent } from '../errors.ts';
import { withHeartbeats } from '../activity-context.ts';
import type { ActionnerImplementation } from '../types.ts';
import { getEventPod } from './client.ts';
import { containerNames } from './command-run.ts';
import { runEphemeralContainer, stableName } from './ephemeral.ts';
import { startExec } from './pod-exec.ts';
import { kubernetesTcpdumpSpec, type TcpdumpParams } from './tcpdump.spec.ts';
import { eventPodExists } from './pod-check.ts';

/** A capture larger than this fails rather than filling the output. */
export const PCAP_LIMIT_BYTES = 256 * 1024 * 1024;
/** Seconds the ephemeral container may take to start (image pull included); Talon waits 20. */
const START_SECONDS = 60;

/**
 * `kubernetes:tcpdump`: an ephemeral container sharing the first container's namespaces runs
 * `tcpdump -w -` under `timeout`; the pcap streams from its stdout to the output while it is
 * captured — no file is left in the pod and nothing passes through history.
 */
export const kubernetesTcpdump: ActionnerImplementation<TcpdumpParams> = {
  spec: kubernetesTcpdumpSpec,
  checks: eventPodExists,
  async run({ event, parameters, idempotencyKey }, deps) {
    const apis = await deps.clients.kubernetes();
    const pod = await getEventPod(apis, event);
    const name = pod.metadata?.name ?? '';
    const namespace = pod.metadata?.namespace ?? '';
    const target = containerNames(pod)[0];
    if (!target) throw permanent('NoContainer', `the pod '${name}' in the namespace '${namespace}' has no container`);
    const duration = parameters.duration > 0 ? parameters.duration : 5;
    const container = stableName('falco-talon-tcpdump', idempotencyKey);
    await runEphemeralContainer(
      apis,
      pod,
      {
        name: container,
        image: parameters.image,
        command: ['sleep', String(duration + START_SECONDS + 60)],
        targetContainerName: target,
        securityContext: { privileged: true, runAsUser: 0 },
      },
      START_SECONDS,
    );
    const command = ['timeout', `${duration}s`, 'tcpdump', '-n', '-i', 'any', '-s', String(parameters.snaplen), '-w', '-'];
    // `timeout` ends the capture with 124: that is the normal end here.
    const running = await startExec(apis.kubeConfig, { namespace, pod: name, container }, command, { okExitCodes: [124], maxBytes: PCAP_LIMIT_BYTES });
    // The output stage reads the stream while the capture runs; keep the activity alive meanwhile.
    void withHeartbeats('capturing packets', running.done);
    return {
      status: 'success',
      result: `the packets of the pod '${name}' in the namespace '${namespace}' have been captured for ${duration}s`,
      objects: { pod: name, namespace },
      artifact: { name: 'tcpdump.pcap', contentType: 'application/vnd.tcpdump.pcap', body: running.stdout },
    };
  },
};
