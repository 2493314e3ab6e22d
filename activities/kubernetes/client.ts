import {
  ApiException,
  AppsV1Api,
  BatchV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  NetworkingV1Api,
  PatchStrategy,
  PolicyV1Api,
  RbacAuthorizationV1Api,
  setHeaderOptions,
  type V1ObjectMeta,
  type V1Node,
  type V1Pod,
} from '@kubernetes/client-node';
import type { ApplicationFailure } from '@temporalio/common';
import { namespace as namespaceOf, podName } from '../../src/events/fields.ts';
import type { FalcoEvent } from '../../src/contract/index.ts';
import { permanent, retryable, truncate } from '../errors.ts';

/** The API groups the Kubernetes actionners and notifiers use, built from one KubeConfig. */
export interface KubeApis {
  readonly kubeConfig: KubeConfig;
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly batch: BatchV1Api;
  readonly networking: NetworkingV1Api;
  readonly policy: PolicyV1Api;
  readonly rbac: RbacAuthorizationV1Api;
  /** Calico and Cilium policies: resources of API groups the client has no types for. */
  readonly custom: CustomObjectsApi;
}

/**
 * The API clients from `kubeconfig`, or from the in-cluster service account when it is empty (as
 * Talon). The worker makes one set on first use (activities/clients.ts) and injects it.
 */
export function createKubeApis(kubeconfig: string): KubeApis {
  const kubeConfig = new KubeConfig();
  try {
    if (kubeconfig === '') {
      // loadFromCluster() does not fail outside a pod: it yields `https://undefined:undefined` and
      // every call would fail as a (retried) network error. Say what is wrong, once.
      if (!process.env.KUBERNETES_SERVICE_HOST)
        throw new Error('no kubeconfig is configured (kubeconfig / KUBECONFIG) and this is not a pod (KUBERNETES_SERVICE_HOST is unset)');
      kubeConfig.loadFromCluster();
    } else kubeConfig.loadFromFile(kubeconfig);
  } catch (error) {
    throw permanent('KubeConfigError', `wrong k8s client: ${error instanceof Error ? error.message : String(error)}`);
  }
  return {
    kubeConfig,
    core: kubeConfig.makeApiClient(CoreV1Api),
    apps: kubeConfig.makeApiClient(AppsV1Api),
    batch: kubeConfig.makeApiClient(BatchV1Api),
    networking: kubeConfig.makeApiClient(NetworkingV1Api),
    policy: kubeConfig.makeApiClient(PolicyV1Api),
    rbac: kubeConfig.makeApiClient(RbacAuthorizationV1Api),
    custom: kubeConfig.makeApiClient(CustomObjectsApi),
  };
}

/** Request options that send a JSON-Patch (RFC 6902) body. */
export const jsonPatch = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);
/** Request options that send a JSON merge-patch (RFC 7386) body. */
export const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** What a request was doing, so a 403 can name the missing permission. */
export interface KubeRequest {
  readonly verb: string;
  /** Plural resource, with subresource when any: `pods`, `pods/eviction`, `networkpolicies`. */
  readonly resource: string;
  readonly name?: string;
  readonly namespace?: string;
  /** Error type used for a 404, e.g. `PodNotFound`. @default `NotFound` */
  readonly notFoundType?: string;
}

export function statusOf(error: unknown): number | undefined {
  return error instanceof ApiException ? error.code : undefined;
}

export function isNotFound(error: unknown): boolean {
  return statusOf(error) === 404;
}

/** The API's own `Status.message` when the body is one; the raw body otherwise. */
function apiMessage(error: ApiException<unknown>): string {
  const body = error.body;
  if (typeof body === 'string') {
    try {
      const parsed = JSON.parse(body) as { message?: unknown };
      if (typeof parsed.message === 'string') return parsed.message;
    } catch {
      // Not JSON: use it as it is.
    }
    return truncate(body);
  }
  if (body && typeof body === 'object' && typeof (body as { message?: unknown }).message === 'string') {
    return (body as { message: string }).message;
  }
  return error.message;
}

function describe(req: KubeRequest): string {
  const singular = req.resource.replace(/s(\/.*)?$/, '');
  const what = req.name ? `the ${singular} '${req.name}'` : `the ${req.resource}`;
  return req.namespace ? `${what} in the namespace '${req.namespace}'` : what;
}

/**
 * Classifies an API error (issue 3 §2): 404 and 403 are permanent (retrying cannot create the object
 * or the permission); 409, 429 and 5xx are retryable; any other 4xx is permanent; transport errors
 * (no status) are retryable.
 */
export function kubeFailure(error: unknown, req: KubeRequest): ApplicationFailure {
  if (!(error instanceof ApiException)) {
    const message = error instanceof Error ? error.message : String(error);
    return retryable('KubernetesUnavailable', `${req.verb} ${describe(req)}: ${message}`);
  }
  const code = error.code;
  const detail = apiMessage(error);
  if (code === 404) return permanent(req.notFoundType ?? 'NotFound', `${describe(req)} doesn't exist`);
  if (code === 403) {
    const scope = req.namespace ? ` in the namespace '${req.namespace}'` : '';
    return permanent(
      'Forbidden',
      `forbidden: cannot ${req.verb} ${req.resource}${scope} (missing RBAC permission '${req.verb}' on '${req.resource}'): ${detail}`,
    );
  }
  if (code === 409 || code === 429 || code >= 500) return retryable(`Kubernetes${code}`, `${req.verb} ${describe(req)}: ${code} ${detail}`);
  return permanent(`Kubernetes${code}`, `${req.verb} ${describe(req)}: ${code} ${detail}`);
}

/** Runs one API call and turns its failure into a classified ApplicationFailure. */
export async function kubeCall<T>(req: KubeRequest, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw kubeFailure(error, req);
  }
}

/** The event's pod coordinates, or the reference's check errors (§1.4). */
export function eventPod(event: FalcoEvent): { pod: string; namespace: string } {
  const pod = podName(event);
  if (pod === '') throw permanent('MissingPodName', 'missing pod name');
  const namespace = namespaceOf(event);
  if (namespace === '') throw permanent('MissingNamespace', 'missing namespace');
  return { pod, namespace };
}

/** The "pod exists" check (reference §1.4): GET the event's pod. */
export async function getEventPod(apis: KubeApis, event: FalcoEvent): Promise<V1Pod> {
  const { pod, namespace } = eventPod(event);
  try {
    return await apis.core.readNamespacedPod({ name: pod, namespace });
  } catch (error) {
    if (isNotFound(error)) throw permanent('PodNotFound', `the pod '${pod}' in the namespace '${namespace}' doesn't exist`);
    throw kubeFailure(error, { verb: 'get', resource: 'pods', name: pod, namespace });
  }
}

/**
 * Whether the object was created after the Falco event happened: then it is not the object the
 * event saw but a namesake that replaced it (a StatefulSet's pod, a user's). False when the event
 * has no time. creationTimestamp is in whole seconds, rounded down, so the object the event saw is
 * never taken for a replacement (barring clock skew between the node and the API server).
 */
export function createdAfterEvent(meta: V1ObjectMeta | undefined, event: FalcoEvent): boolean {
  if (event.time === null) return false;
  const eventTime = Date.parse(event.time);
  const created = meta?.creationTimestamp?.getTime();
  return created !== undefined && !Number.isNaN(eventTime) && created > eventTime;
}

/** The node the pod is scheduled on; a pending pod has none. */
export function scheduledNode(pod: V1Pod): string {
  const node = pod.spec?.nodeName;
  if (!node)
    throw permanent('PodNotScheduled', `the pod '${pod.metadata?.name ?? ''}' in the namespace '${pod.metadata?.namespace ?? ''}' is not scheduled on a node`);
  return node;
}

/** The node of the event's pod (the `k8snode` and `aws` contexts describe it). */
export async function getEventNode(apis: KubeApis, event: FalcoEvent): Promise<V1Node> {
  const name = scheduledNode(await getEventPod(apis, event));
  return kubeCall({ verb: 'get', resource: 'nodes', name, notFoundType: 'NodeNotFound' }, () => apis.core.readNode({ name }));
}

/** Escapes a map key for a JSON-Pointer path segment (RFC 6901): `app.k8s.io/x` → `app.k8s.io~1x`. */
export function pointerSegment(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}
