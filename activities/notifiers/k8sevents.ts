import type { CoreV1Event, V1ObjectReference } from '@kubernetes/client-node';
import type { Report } from '../../src/contract/index.ts';
import { isNotFound, kubeCall, kubeFailure, type KubeApis } from '../kubernetes/client.ts';
import { deletableKind } from '../kubernetes/delete.spec.ts';
import type { NotifierImplementation } from '../types.ts';
import { eventMessage } from './k8sevents-message.ts';
import { k8seventsSpec, type K8sEventsConfig } from './k8sevents.spec.ts';

/** Whether the namespace exists and accepts new objects (a terminating one refuses them with a 403 that is not about RBAC). */
async function usableNamespace(apis: KubeApis, name: string): Promise<boolean> {
  try {
    const ns = await apis.core.readNamespace({ name });
    return ns.status?.phase !== 'Terminating';
  } catch (error) {
    if (isNotFound(error)) return false;
    throw kubeFailure(error, { verb: 'get', resource: 'namespaces', name });
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

/** Where the event goes and what it is about. */
interface Placement {
  readonly namespace: string;
  readonly involvedObject: V1ObjectReference;
}

/**
 * The object the event is about, then the event's namespace, which the API server requires to be
 * the object's (or `default` for an object without namespace, else a 422):
 * - a pod: the Pod with its uid in its namespace, so `kubectl describe pod` lists the event;
 * - a node: the Node in `default` (kubectl matches node events by uid = node name, as the kubelet
 *   records them);
 * - a `kubernetes:delete` report (`name`, `resource`, `namespace`): the deleted object, in its
 *   namespace (a cluster-scoped one in `default`);
 * - anything else (outputs): an unnamed Pod in `default`, as the reference.
 * A namespace that is missing or terminating cannot take the event: it goes to `default`, about
 * the same object but without its namespace.
 */
async function placement(apis: KubeApis, report: Report): Promise<Placement> {
  const { pod, node, name, resource, namespace } = report.objects;
  if (pod) {
    if (!namespace || !(await usableNamespace(apis, namespace))) return { namespace: 'default', involvedObject: { apiVersion: 'v1', kind: 'Pod', name: pod } };
    const uid = await podUid(apis, pod, namespace);
    return { namespace, involvedObject: { apiVersion: 'v1', kind: 'Pod', name: pod, namespace, ...(uid ? { uid } : {}) } };
  }
  if (node) return { namespace: 'default', involvedObject: { apiVersion: 'v1', kind: 'Node', name: node, uid: node } };
  const deleted = name && resource ? deletableKind(resource) : undefined;
  if (name && deleted) {
    const object = { apiVersion: deleted.apiVersion, kind: deleted.kind, name };
    if (deleted.clusterScoped || !namespace || !(await usableNamespace(apis, namespace))) return { namespace: 'default', involvedObject: object };
    return { namespace, involvedObject: { ...object, namespace } };
  }
  return { namespace: 'default', involvedObject: { apiVersion: 'v1', kind: 'Pod', name: '' } };
}

/** `k8sevents` (reference §8.2): a core/v1 Event about the pod (node, deleted object), in its namespace. */
export const k8sevents: NotifierImplementation<K8sEventsConfig> = {
  spec: k8seventsSpec,
  async send(report, _config, deps) {
    const apis = await deps.clients.kubernetes();
    const { namespace, involvedObject } = await placement(apis, report);
    const target = report.actionner ?? report.outputTarget ?? '';
    const now = new Date();
    const body: CoreV1Event = {
      metadata: { generateName: 'falco-talon-', namespace },
      involvedObject,
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
