import type { CoreV1Event, V1ObjectReference } from '@kubernetes/client-node';
import { z } from 'zod';
import { isNotFound, kubeApis, kubeCall, kubeFailure, type KubeApis } from '../kubernetes/client.ts';
import type { NotifierDescriptor, Report } from '../types.ts';
import { eventMessage } from './k8sevents-message.ts';

const config = z.object({}).strict();
type K8sEventsConfig = z.infer<typeof config>;

/** The report's namespace if it exists and accepts new objects, else `default` (as the reference). */
async function eventNamespace(apis: KubeApis, wanted: string | undefined): Promise<string> {
  if (!wanted) return 'default';
  try {
    const ns = await apis.core.readNamespace({ name: wanted });
    // A terminating namespace refuses new objects with a 403 that is not about RBAC.
    return ns.status?.phase === 'Terminating' ? 'default' : wanted;
  } catch (error) {
    if (isNotFound(error)) return 'default';
    throw kubeFailure(error, { verb: 'get', resource: 'namespaces', name: wanted });
  }
}

/**
 * The pod's uid: from the pod, or — once it is gone, e.g. right after `kubernetes:terminate` — from
 * the newest earlier event about a pod of that name in the namespace (the scheduler's, the
 * kubelet's or an earlier action's), so the event still lists with the pod's others. Undefined
 * when neither exists.
 */
async function podUid(apis: KubeApis, pod: string, namespace: string): Promise<string | undefined> {
  try {
    return (await apis.core.readNamespacedPod({ name: pod, namespace })).metadata?.uid;
  } catch (error) {
    if (!isNotFound(error)) throw kubeFailure(error, { verb: 'get', resource: 'pods', name: pod, namespace });
  }
  const earlier = await kubeCall({ verb: 'list', resource: 'events', namespace }, () =>
    apis.core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.kind=Pod,involvedObject.name=${pod}` }),
  );
  const time = (e: CoreV1Event) => (e.lastTimestamp ?? e.metadata?.creationTimestamp)?.getTime() ?? 0;
  return earlier.items.filter((e) => e.involvedObject.uid).sort((a, b) => time(b) - time(a))[0]?.involvedObject.uid;
}

/**
 * The object the event is about, so `kubectl describe` lists it: the pod with its uid, else the
 * node (kubectl matches node events by uid = node name, as the kubelet records them), else an
 * unnamed Pod as the reference.
 */
async function involvedObject(apis: KubeApis, report: Report, namespace: string): Promise<V1ObjectReference> {
  const { pod, node } = report.objects;
  if (!pod && node) return { apiVersion: 'v1', kind: 'Node', name: node, uid: node };
  if (!pod || namespace !== report.objects.namespace) return { apiVersion: 'v1', kind: 'Pod', name: pod ?? '' };
  const uid = await podUid(apis, pod, namespace);
  return { apiVersion: 'v1', kind: 'Pod', name: pod, namespace, ...(uid ? { uid } : {}) };
}

/** `k8sevents` (reference §8.2): a core/v1 Event about the pod, in the pod's namespace. */
export const k8sevents: NotifierDescriptor<K8sEventsConfig> = {
  name: 'k8sevents',
  description: 'Record the report as a Kubernetes Event on the pod (kubectl describe pod shows it)',
  config,
  permissions: {
    kubernetes: [
      // list: the uid of a pod that is already gone, from earlier events about it.
      { apiGroups: [''], resources: ['events'], verbs: ['create', 'list'] },
      { apiGroups: [''], resources: ['pods', 'namespaces'], verbs: ['get'] },
    ],
  },
  example: `notifiers:
  k8sevents: {}
`,
  async send(report, _config, deps) {
    const apis = kubeApis(deps.config);
    const namespace = await eventNamespace(apis, report.objects.namespace);
    const target = report.actionner ?? report.outputTarget ?? '';
    const now = new Date();
    const body: CoreV1Event = {
      metadata: { generateName: 'falco-talon-', namespace },
      involvedObject: await involvedObject(apis, report, namespace),
      reason: `falco-talon:${report.message}:${target}:${report.status}`.slice(0, 128),
      action: target.slice(0, 128),
      type: 'Normal',
      message: eventMessage(report),
      source: { component: 'falco-talon' },
      reportingComponent: 'falcosecurity.org/falco-talon',
      reportingInstance: 'falco-talon',
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    };
    await kubeCall({ verb: 'create', resource: 'events', namespace }, () => apis.core.createNamespacedEvent({ namespace, body }));
  },
};
