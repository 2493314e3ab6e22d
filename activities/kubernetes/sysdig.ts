import type { V1Job, V1Pod } from '@kubernetes/client-node';
import { CancelledFailure } from '@temporalio/common';
import type { Logger } from '../../src/log.ts';
import { withHeartbeats } from '../activity-context.ts';
import { permanent, retryable } from '../errors.ts';
import type { ActionnerImplementation } from '../types.ts';
import { getEventPod, kubeCall, kubeFailure, scheduledNode, statusOf, type KubeApis } from './client.ts';
import { stableName } from './ephemeral.ts';
import { collectExec, startExec } from './pod-exec.ts';
import { kubernetesSysdigSpec, type SysdigParams } from './sysdig.spec.ts';
import { eventPodExists } from './pod-check.ts';

/** A capture larger than this fails rather than filling the output. */
export const SCAP_LIMIT_BYTES = 256 * 1024 * 1024;
/** Seconds the Job's pod may take to run (image pull included). */
const START_SECONDS = 120;
/** The finished Job and its pod are removed by the TTL controller after this (as Talon). */
export const JOB_TTL_SECONDS = 3600;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `container.id in (…)` of the pod's running containers: 12-character IDs, as sysdig names them. */
export function containerFilter(pod: V1Pod): string {
  const ids = (pod.status?.containerStatuses ?? []).map((s) => s.containerID?.replace(/^[a-z]+:\/\//, '').slice(0, 12)).filter((id): id is string => !!id);
  if (ids.length === 0) {
    throw permanent('NoContainerID', `the pod '${pod.metadata?.name ?? ''}' has no running container to capture (use scope: node)`);
  }
  return `container.id in (${ids.join(', ')})`;
}

function captureJob(name: string, node: string, image: string, duration: number): V1Job {
  return {
    metadata: { name, labels: { 'app.kubernetes.io/managed-by': 'falco-talon' } },
    spec: {
      backoffLimit: 0,
      ttlSecondsAfterFinished: JOB_TTL_SECONDS,
      template: {
        metadata: { labels: { 'app.kubernetes.io/managed-by': 'falco-talon' } },
        spec: {
          nodeName: node,
          restartPolicy: 'Never',
          // A capture must run on the pod's node whatever its taints say.
          tolerations: [{ operator: 'Exists' }],
          containers: [
            {
              name: 'sysdig',
              image,
              command: ['sleep', String(duration + START_SECONDS + 60)],
              securityContext: { privileged: true },
              volumeMounts: [{ name: 'host', mountPath: '/host', readOnly: true }],
            },
          ],
          volumes: [{ name: 'host', hostPath: { path: '/' } }],
        },
      },
    },
  };
}

async function deleteJob(apis: KubeApis, namespace: string, name: string, log: Logger): Promise<void> {
  try {
    await apis.batch.deleteNamespacedJob({ name, namespace, propagationPolicy: 'Background' });
  } catch (error) {
    log.warn(
      { job: name, namespace, error: kubeFailure(error, { verb: 'delete', resource: 'jobs', name, namespace }).message },
      'the capture Job could not be deleted',
    );
  }
}

/** Creates the Job unless an earlier attempt did, then waits until its pod runs. */
async function runningJobPod(apis: KubeApis, namespace: string, job: V1Job): Promise<string> {
  const name = job.metadata?.name ?? '';
  try {
    await apis.batch.createNamespacedJob({ namespace, body: job });
  } catch (error) {
    if (statusOf(error) !== 409) throw kubeFailure(error, { verb: 'create', resource: 'jobs', name, namespace });
  }
  const deadline = Date.now() + START_SECONDS * 1000;
  for (;;) {
    const pods = await kubeCall({ verb: 'list', resource: 'pods', namespace }, () =>
      apis.core.listNamespacedPod({ namespace, labelSelector: `batch.kubernetes.io/job-name=${name}` }),
    );
    const pod = pods.items.find((p) => p.status?.phase === 'Running');
    if (pod?.metadata?.name) return pod.metadata.name;
    const ended = pods.items.find((p) => p.status?.phase === 'Failed' || p.status?.phase === 'Succeeded');
    if (ended) throw retryable('CaptureJobEnded', `the pod of the Job '${name}' ended (${ended.status?.phase ?? ''}) before the capture`);
    if (Date.now() > deadline)
      throw retryable('CaptureJobNotRunning', `the pod of the Job '${name}' in the namespace '${namespace}' is not running after ${START_SECONDS}s`);
    await sleep(1000);
  }
}

/**
 * `kubernetes:sysdig`: a privileged Job on the pod's node (the host mounted at /host) runs sysdig
 * for `duration` seconds, then the gzip capture is streamed from the Job's pod to the output. The
 * Job is left to the TTL controller (ttlSecondsAfterFinished), as in Talon.
 */
export const kubernetesSysdig: ActionnerImplementation<SysdigParams> = {
  spec: kubernetesSysdigSpec,
  checks: eventPodExists,
  async run({ event, parameters, idempotencyKey }, deps) {
    const apis = await deps.clients.kubernetes();
    const pod = await getEventPod(apis, event);
    const name = pod.metadata?.name ?? '';
    const namespace = pod.metadata?.namespace ?? '';
    const duration = parameters.duration > 0 ? parameters.duration : 5;
    const bufferSize = parameters.buffer_size > 0 ? parameters.buffer_size : 2048;
    const filter = parameters.scope === 'pod' ? [containerFilter(pod)] : [];
    const job = stableName('falco-talon-sysdig', idempotencyKey);
    const jobPod = await withHeartbeats(
      'starting the capture Job',
      runningJobPod(apis, namespace, captureJob(job, scheduledNode(pod), parameters.image, duration)),
    );
    const target = { namespace, pod: jobPod, container: 'sysdig' };
    const file = `/tmp/${job}.scap.gz`;
    const command = [
      'sysdig',
      '--modern-bpf',
      '--cri',
      '/run/containerd/containerd.sock',
      '-M',
      String(duration),
      '-s',
      String(bufferSize),
      '-z',
      '-w',
      file,
      ...filter,
    ];
    const capture = await withHeartbeats('capturing syscalls', collectExec(apis.kubeConfig, target, command, 4096)).catch(async (error: unknown) => {
      // A cancelled playbook takes its capture Job (and its pod) away at once rather than at the TTL.
      if (error instanceof CancelledFailure) await deleteJob(apis, namespace, job, deps.log);
      throw error;
    });
    if (!capture.ok) throw permanent('CaptureFailed', `sysdig failed in the Job '${job}': ${capture.message || `exit code ${capture.exitCode ?? 'unknown'}`}`);
    const copy = await startExec(apis.kubeConfig, target, ['cat', '--', file], { maxBytes: SCAP_LIMIT_BYTES });
    return {
      status: 'success',
      result: `the syscalls of the pod '${name}' in the namespace '${namespace}' have been captured for ${duration}s by the job '${job}'`,
      objects: { pod: name, namespace, job },
      artifact: { name: 'sysdig.scap.gz', contentType: 'application/gzip', body: copy.stdout },
    };
  },
};
