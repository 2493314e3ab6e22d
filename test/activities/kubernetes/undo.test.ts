import { ApiException, CoreV1Api, CustomObjectsApi, NetworkingV1Api } from '@kubernetes/client-node';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calicoNetworkPolicy } from '../../../activities/calico/networkpolicy.ts';
import { ciliumNetworkPolicy } from '../../../activities/cilium/networkpolicy.ts';
import { snapshotActivity, undoActivity, type SnapshotActivity, type UndoActivity } from '../../../activities/containment.ts';
import { createActivities } from '../../../activities/index.ts';
import { annotation } from '../../../activities/kubernetes/annotation.ts';
import { kubernetesCordon } from '../../../activities/kubernetes/cordon.ts';
import { label } from '../../../activities/kubernetes/label.ts';
import { networkPolicy } from '../../../activities/kubernetes/networkpolicy.ts';
import type { ActionnerImplementation, ActionResult, Deps } from '../../../activities/types.ts';
import type { ActionActivityInput, Change, FalcoEvent, Json, UndoResult } from '../../../src/contract/index.ts';
import { SNAPSHOT_ACTIVITY, UNDO_ACTIVITY } from '../../../src/contract/index.ts';
import { CALICO_CRD, ciliumCrdPath, installCrds } from '../../kube/harness/crds.ts';
import { createOwnedPod, testKube } from '../../support/kube.ts';
import { actionInput, createNamespace, createNode, depsFor, failureOf, podEvent, serviceAccountWith, suffix } from './k2-support.ts';

// Time-boxed containment on the real API server: each undoable actionner's before-state is read,
// the real action runs, and its undo must leave the object as it was before (and leave alone what
// someone else changed in between).

const kube = testKube();
const core = kube.kubeConfig.makeApiClient(CoreV1Api);
const networking = kube.kubeConfig.makeApiClient(NetworkingV1Api);
const custom = kube.kubeConfig.makeApiClient(CustomObjectsApi);
const deps = depsFor(kube.kubeconfigPath);
const namespace = `undo-${suffix()}`;
const node = `undo-node-${suffix()}`;
const nodes = [node];
const MANAGED = { 'app.k8s.io/managed-by': 'falco-talon' };

interface Contained {
  readonly change: Change;
  readonly result: ActionResult;
}

/** What the containment workflow does around an action: snapshot first, then checks and run. */
async function contain<P>(actionner: ActionnerImplementation<P>, raw: unknown, event: FalcoEvent, d: Deps = deps): Promise<Contained> {
  if (!actionner.snapshot) throw new Error(`${actionner.spec.name} has no snapshot`);
  const input = actionInput(event, actionner.spec.params.parse(raw));
  const change = await actionner.snapshot(input, d);
  await actionner.checks?.(input, d);
  return { change, result: await actionner.run(input, d) };
}

function undo<P>(actionner: ActionnerImplementation<P>, change: Change, d: Deps = deps): Promise<UndoResult> {
  if (!actionner.undo) throw new Error(`${actionner.spec.name} has no undo`);
  return actionner.undo(change, d);
}

/** A standalone pod with exactly these labels and annotations, bound to the test node. */
async function bare(labels?: Record<string, string>, annotations?: Record<string, string>, nodeName: string | undefined = node): Promise<string> {
  const name = `pod-${suffix()}`;
  await core.createNamespacedPod({
    namespace,
    body: { metadata: { name, labels, annotations }, spec: { nodeName, containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10' }] } },
  });
  return name;
}

const podMeta = async (name: string) => (await core.readNamespacedPod({ name, namespace })).metadata;
const nodeMeta = async (name = node) => (await core.readNode({ name })).metadata;
const unschedulable = async (name: string) => (await core.readNode({ name })).spec?.unschedulable;

async function statusOf(call: Promise<unknown>): Promise<number> {
  try {
    await call;
    return 200;
  } catch (error) {
    if (error instanceof ApiException) return error.code;
    throw error;
  }
}

/** A fresh node (cordoning is cluster-wide state) and a pod bound to it. */
async function podOnNewNode(): Promise<{ pod: string; node: string }> {
  const name = `undo-cordon-${suffix()}`;
  await createNode(kube.kubeConfig, name);
  nodes.push(name);
  return { pod: await bare(undefined, undefined, name), node: name };
}

const native = (name: string) => networking.readNamespacedNetworkPolicy({ name, namespace });

interface CustomPolicy {
  readonly metadata: { readonly labels?: Record<string, string>; readonly annotations?: Record<string, string>; readonly resourceVersion?: string };
  readonly spec: { readonly [key: string]: Json };
}
const calicoApi = { group: 'projectcalico.org', version: 'v3', namespace, plural: 'networkpolicies' };
const ciliumApi = { group: 'cilium.io', version: 'v2', namespace, plural: 'ciliumnetworkpolicies' };
const calico = async (name: string) => (await custom.getNamespacedCustomObject({ ...calicoApi, name })) as CustomPolicy;
const cilium = async (name: string) => (await custom.getNamespacedCustomObject({ ...ciliumApi, name })) as CustomPolicy;

function connection(pod: string, ip: string): FalcoEvent {
  const event = podEvent(pod, namespace);
  return { ...event, output_fields: { ...event.output_fields, 'fd.rip': ip, 'fd.sip': '10.0.0.5' } };
}

/** A pod of a fresh Deployment (its policies are named after the Deployment). */
async function deploymentPod(name: string): Promise<string> {
  return (await createOwnedPod(kube.kubeConfig, 'Deployment', { namespace, name })).pod.metadata?.name ?? '';
}

beforeAll(async () => {
  await installCrds(kube.kubeConfig, [CALICO_CRD, ciliumCrdPath()]);
  await createNamespace(kube.kubeConfig, namespace);
  await createNode(kube.kubeConfig, node, { 'kubernetes.io/hostname': node, team: 'blue' });
});

afterAll(async () => {
  for (const name of nodes) await core.deleteNode({ name });
});

describe('kubernetes:label and kubernetes:annotation undo', () => {
  it('reads the before-state of each key the label action writes, and undo puts the pod labels back exactly', async () => {
    const pod = await bare({ app: 'web', tier: 'front', old: 'x' });
    const before = (await podMeta(pod))?.labels;
    const { change } = await contain(label, { labels: { 'falco.org/quarantine': 'true', tier: 'isolated', old: '', absent: null } }, podEvent(pod, namespace));
    expect(change).toEqual({
      kind: 'metadata',
      field: 'labels',
      target: { namespace, pod },
      applied: { 'falco.org/quarantine': 'true', tier: 'isolated', old: null, absent: null },
      previous: { 'falco.org/quarantine': null, tier: 'front', old: 'x', absent: null },
    });
    expect((await podMeta(pod))?.labels).toEqual({ app: 'web', tier: 'isolated', 'falco.org/quarantine': 'true' });
    expect(await undo(label, change)).toEqual({
      result: `the labels of the pod '${pod}' in the namespace '${namespace}' have been restored`,
      objects: { pod, namespace },
    });
    expect((await podMeta(pod))?.labels).toEqual(before);
    expect(before).toEqual({ app: 'web', tier: 'front', old: 'x' });
  });

  it('leaves alone a label someone changed after the action, and reports it in skipped', async () => {
    const pod = await bare({ tier: 'front' });
    const { change } = await contain(label, { labels: { quarantine: 'true', tier: 'isolated' } }, podEvent(pod, namespace));
    await core.patchNamespacedPod({ name: pod, namespace, body: [{ op: 'replace', path: '/metadata/labels/tier', value: 'manual' }] });
    const result = await undo(label, change);
    expect(result.skipped).toEqual(['tier']);
    expect(result.result).toBe(`the labels of the pod '${pod}' in the namespace '${namespace}' have been restored, except 'tier' (changed since the action)`);
    expect((await podMeta(pod))?.labels).toEqual({ tier: 'manual' });
  });

  it('a second undo changes nothing: every key is already back', async () => {
    const pod = await bare({ a: '1' });
    const { change } = await contain(label, { labels: { a: '2', b: 'x' } }, podEvent(pod, namespace));
    await undo(label, change);
    const again = await undo(label, change);
    expect(again.skipped).toEqual(['a', 'b']);
    expect((await podMeta(pod))?.labels).toEqual({ a: '1' });
  });

  it('level node: restores the node labels, including removing a key the node did not have', async () => {
    const pod = await bare();
    const before = (await nodeMeta())?.labels;
    const { change } = await contain(label, { level: 'node', labels: { 'falco.org/compromised': 'true', team: 'red' } }, podEvent(pod, namespace));
    expect(change).toMatchObject({ target: { node }, previous: { 'falco.org/compromised': null, team: 'blue' } });
    expect((await nodeMeta())?.labels).toMatchObject({ team: 'red', 'falco.org/compromised': 'true' });
    expect(await undo(label, change)).toEqual({ result: `the labels of the node '${node}' have been restored`, objects: { node } });
    expect((await nodeMeta())?.labels).toEqual(before);
  });

  it('annotations: restores replaced and removed annotations and removes added ones, pod and node level', async () => {
    const pod = await bare(undefined, { note: 'keep', reviewed: 'yes', level: 'low' });
    const before = (await podMeta(pod))?.annotations;
    const { change } = await contain(annotation, { annotations: { 'falco.org/last-alert': 'shell', reviewed: '', level: 'high' } }, podEvent(pod, namespace));
    expect(change).toMatchObject({ kind: 'metadata', field: 'annotations', previous: { 'falco.org/last-alert': null, reviewed: 'yes', level: 'low' } });
    expect((await podMeta(pod))?.annotations).toEqual({ note: 'keep', level: 'high', 'falco.org/last-alert': 'shell' });
    expect((await undo(annotation, change)).result).toBe(`the annotations of the pod '${pod}' in the namespace '${namespace}' have been restored`);
    expect((await podMeta(pod))?.annotations).toEqual(before);

    const nodeBefore = (await nodeMeta())?.annotations;
    const onNode = await contain(annotation, { level: 'node', annotations: { 'falco.org/compromised': 'true' } }, podEvent(pod, namespace));
    expect((await nodeMeta())?.annotations?.['falco.org/compromised']).toBe('true');
    await undo(annotation, onNode.change);
    expect((await nodeMeta())?.annotations).toEqual(nodeBefore);
  });

  it('a pod without labels gets none back, and a pod gone since the action is nothing to undo', async () => {
    const pod = await bare(undefined, undefined, undefined);
    const { change } = await contain(label, { labels: { quarantine: 'true' } }, podEvent(pod, namespace));
    await undo(label, change);
    expect((await podMeta(pod))?.labels).toBeUndefined();
    const again = await contain(label, { labels: { quarantine: 'true' } }, podEvent(pod, namespace));
    await core.deleteNamespacedPod({ name: pod, namespace, gracePeriodSeconds: 0 });
    expect(await undo(label, again.change)).toEqual({
      result: `the pod '${pod}' in the namespace '${namespace}' no longer exists: nothing to undo`,
      objects: { pod, namespace },
    });
  });

  it('refuses a change of another kind as a permanent failure', async () => {
    expect(await failureOf(undo(label, { kind: 'cordon', node, wasUnschedulable: false }))).toMatchObject({ type: 'WrongChange', nonRetryable: true });
  });

  it('snapshot and undo work with exactly the declared permissions, at node level', async () => {
    const kubeconfig = await serviceAccountWith(kube, namespace, label.spec.permissions);
    const pod = await bare();
    const before = (await nodeMeta())?.labels;
    const { change } = await contain(label, { level: 'node', labels: { rbac: 'ok' } }, podEvent(pod, namespace), depsFor(kubeconfig));
    await undo(label, change, depsFor(kubeconfig));
    expect((await nodeMeta())?.labels).toEqual(before);
  });
});

describe('kubernetes:cordon undo', () => {
  it('uncordons a node the action cordoned', async () => {
    const { pod, node: name } = await podOnNewNode();
    const before = await unschedulable(name);
    const { change } = await contain(kubernetesCordon, {}, podEvent(pod, namespace));
    expect(change).toEqual({ kind: 'cordon', node: name, wasUnschedulable: false });
    expect(await unschedulable(name)).toBe(true);
    expect(await undo(kubernetesCordon, change)).toEqual({ result: `the node '${name}' has been uncordoned`, objects: { node: name } });
    expect(await unschedulable(name)).toBe(before);
  });

  it('leaves cordoned a node that was cordoned before the action', async () => {
    const { pod, node: name } = await podOnNewNode();
    await core.patchNode({ name, body: [{ op: 'add', path: '/spec/unschedulable', value: true }] });
    const { change } = await contain(kubernetesCordon, {}, podEvent(pod, namespace));
    expect(change).toEqual({ kind: 'cordon', node: name, wasUnschedulable: true });
    const result = await undo(kubernetesCordon, change);
    expect(result).toEqual({ result: `the node '${name}' was cordoned before the action: left cordoned`, objects: { node: name }, skipped: [name] });
    expect(await unschedulable(name)).toBe(true);
  });

  it('leaves alone a node uncordoned since the action', async () => {
    const { pod, node: name } = await podOnNewNode();
    const { change } = await contain(kubernetesCordon, {}, podEvent(pod, namespace));
    await core.patchNode({ name, body: [{ op: 'replace', path: '/spec/unschedulable', value: false }] });
    expect((await undo(kubernetesCordon, change)).skipped).toEqual([name]);
    expect(await unschedulable(name)).toBeFalsy();
  });

  it('snapshot and undo work with exactly the declared permissions', async () => {
    const { pod, node: name } = await podOnNewNode();
    const kubeconfig = await serviceAccountWith(kube, namespace, kubernetesCordon.spec.permissions);
    const { change } = await contain(kubernetesCordon, {}, podEvent(pod, namespace), depsFor(kubeconfig));
    await undo(kubernetesCordon, change, depsFor(kubeconfig));
    expect(await unschedulable(name)).toBeFalsy();
  });
});

describe('kubernetes:networkpolicy undo', () => {
  it('deletes the policy the action created', async () => {
    const pod = await deploymentPod('created');
    const { change } = await contain(networkPolicy, {}, podEvent(pod, namespace));
    expect(change).toEqual({ kind: 'policy', actionner: 'kubernetes:networkpolicy', namespace, name: 'created', previous: null });
    expect((await native('created')).metadata?.labels).toEqual({ app: 'created', ...MANAGED });
    expect(await undo(networkPolicy, change)).toEqual({
      result: `the networkpolicy 'created' in the namespace '${namespace}' has been deleted`,
      objects: { namespace, networkpolicy: 'created' },
    });
    expect(await statusOf(native('created'))).toBe(404);
    // Gone already: nothing to do, not an error.
    expect((await undo(networkPolicy, change)).result).toBe(`the networkpolicy 'created' in the namespace '${namespace}' no longer exists: nothing to undo`);
  });

  it('puts back the labels, annotations and rules of a managed policy the action updated', async () => {
    const pod = await deploymentPod('existing');
    await contain(networkPolicy, { allow_cidr: ['10.0.0.0/8'] }, podEvent(pod, namespace));
    await networking.patchNamespacedNetworkPolicy({
      name: 'existing',
      namespace,
      body: [{ op: 'add', path: '/metadata/annotations', value: { 'team.example/owner': 'sec' } }],
    });
    const before = await native('existing');
    const { change } = await contain(networkPolicy, { allow_namespaces: ['kube-system'] }, podEvent(pod, namespace));
    expect(change).toMatchObject({ previous: { labels: before.metadata?.labels, annotations: { 'team.example/owner': 'sec' } } });
    expect((await native('existing')).spec?.egress).toEqual([
      { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }] },
    ]);
    expect((await undo(networkPolicy, change)).result).toBe(
      `the networkpolicy 'existing' in the namespace '${namespace}' has been restored to its previous rules`,
    );
    const after = await native('existing');
    expect(after.spec).toEqual(before.spec);
    expect(after.metadata?.labels).toEqual(before.metadata?.labels);
    expect(after.metadata?.annotations).toEqual(before.metadata?.annotations);
    expect(after.metadata?.uid).toBe(before.metadata?.uid);
  });

  it('never deletes a policy that is no longer labeled as managed by falco-talon', async () => {
    const pod = await deploymentPod('adopted');
    const { change } = await contain(networkPolicy, {}, podEvent(pod, namespace));
    await networking.patchNamespacedNetworkPolicy({ name: 'adopted', namespace, body: [{ op: 'remove', path: '/metadata/labels/app.k8s.io~1managed-by' }] });
    const result = await undo(networkPolicy, change);
    expect(result.skipped).toEqual(['adopted']);
    expect(await statusOf(native('adopted'))).toBe(200);
  });

  it('snapshot and undo work with exactly the declared permissions (delete included)', async () => {
    const pod = await deploymentPod('least');
    const kubeconfig = await serviceAccountWith(kube, namespace, networkPolicy.spec.permissions);
    const { change } = await contain(networkPolicy, {}, podEvent(pod, namespace), depsFor(kubeconfig));
    await undo(networkPolicy, change, depsFor(kubeconfig));
    expect(await statusOf(native('least'))).toBe(404);
  });
});

describe('calico:networkpolicy and cilium:networkpolicy undo', () => {
  it('calico: deletes a created policy; restores an updated one to the IPs it denied before', async () => {
    const pod = await deploymentPod('calico-web');
    const created = await contain(calicoNetworkPolicy, {}, connection(pod, '203.0.113.1'));
    expect(created.change).toMatchObject({ actionner: 'calico:networkpolicy', name: 'calico-web', previous: null });
    await undo(calicoNetworkPolicy, created.change);
    expect(await statusOf(calico('calico-web'))).toBe(404);

    await contain(calicoNetworkPolicy, { order: 10 }, connection(pod, '203.0.113.1'));
    const before = await calico('calico-web');
    const updated = await contain(calicoNetworkPolicy, {}, connection(pod, '203.0.113.2'));
    expect((await calico('calico-web')).spec.egress).toContainEqual({ action: 'Deny', destination: { nets: ['203.0.113.1/32', '203.0.113.2/32'] } });
    expect((await undo(calicoNetworkPolicy, updated.change)).result).toBe(
      `the caliconetworkpolicy 'calico-web' in the namespace '${namespace}' has been restored to its previous rules`,
    );
    const after = await calico('calico-web');
    expect(after.spec).toEqual(before.spec);
    expect(after.metadata.labels).toEqual(before.metadata.labels);
  });

  it('cilium: deletes a created policy; restores an updated one to the IPs it denied before', async () => {
    const pod = await deploymentPod('cilium-api');
    const created = await contain(ciliumNetworkPolicy, {}, connection(pod, '198.51.100.1'));
    expect(created.change).toMatchObject({ actionner: 'cilium:networkpolicy', name: 'cilium-api', previous: null });
    await undo(ciliumNetworkPolicy, created.change);
    expect(await statusOf(cilium('cilium-api'))).toBe(404);

    await contain(ciliumNetworkPolicy, { allow_cidr: ['10.0.0.0/8'] }, connection(pod, '198.51.100.1'));
    const before = await cilium('cilium-api');
    const updated = await contain(ciliumNetworkPolicy, {}, connection(pod, '198.51.100.2'));
    expect((await cilium('cilium-api')).spec.egressDeny).toEqual([{ toCIDR: ['198.51.100.1/32', '198.51.100.2/32'] }]);
    await undo(ciliumNetworkPolicy, updated.change);
    const after = await cilium('cilium-api');
    expect(after.spec).toEqual(before.spec);
    expect(after.metadata.labels).toEqual(before.metadata.labels);
  });

  it('snapshot and undo work with exactly the declared permissions', async () => {
    const pod = await deploymentPod('least-custom');
    for (const actionner of [calicoNetworkPolicy, ciliumNetworkPolicy] as ActionnerImplementation[]) {
      const kubeconfig = await serviceAccountWith(kube, namespace, actionner.spec.permissions);
      const { change } = await contain(actionner, {}, connection(pod, '203.0.113.50'), depsFor(kubeconfig));
      expect((await undo(actionner, change, depsFor(kubeconfig))).result).toContain('has been deleted');
    }
    expect(await statusOf(calico('least-custom'))).toBe(404);
    expect(await statusOf(cilium('least-custom'))).toBe(404);
  });
});

describe('the talon:snapshot and talon:undo activities', () => {
  function activityInput(actionner: string, event: FalcoEvent, parameters: ActionActivityInput['parameters']): ActionActivityInput {
    return {
      event,
      context: {},
      rule: 'r',
      action: 'a',
      actionner,
      parameters,
      additionalContexts: [],
      outputMode: 'none',
      idempotencyKey: `wf-${suffix()}/0`,
    };
  }

  // The mock environment gives the activities a Temporal Context (heartbeats, attempt), as a worker does.
  const snapshotVia = (env: MockActivityEnvironment, input: ActionActivityInput) =>
    env.run<[ActionActivityInput], Change, SnapshotActivity>(snapshotActivity(deps), input);
  const undoVia = (env: MockActivityEnvironment, change: Change) => env.run<[Change], UndoResult, UndoActivity>(undoActivity(deps), change);

  it('are registered under their activity names', () => {
    const activities = createActivities(deps);
    expect(typeof activities[SNAPSHOT_ACTIVITY]).toBe('function');
    expect(typeof activities[UNDO_ACTIVITY]).toBe('function');
  });

  it('snapshot (parameters parsed by the spec), the real action, then undo put the labels back', async () => {
    const pod = await bare({ tier: 'front' });
    const event = podEvent(pod, namespace);
    const env = new MockActivityEnvironment();
    const change = await snapshotVia(env, activityInput('kubernetes:label', event, { labels: { tier: 'isolated', quarantine: true } }));
    expect(change).toMatchObject({ kind: 'metadata', applied: { tier: 'isolated', quarantine: 'true' }, previous: { tier: 'front', quarantine: null } });
    await label.run(actionInput(event, label.spec.params.parse({ labels: { tier: 'isolated', quarantine: true } })), deps);
    expect((await podMeta(pod))?.labels).toEqual({ tier: 'isolated', quarantine: 'true' });
    const result = await undoVia(env, change);
    expect(result.objects).toEqual({ pod, namespace });
    expect((await podMeta(pod))?.labels).toEqual({ tier: 'front' });
  });

  it('undo dispatches a policy change to its actionner', async () => {
    const pod = await deploymentPod('via-activity');
    const env = new MockActivityEnvironment();
    const change = await snapshotVia(env, activityInput('kubernetes:networkpolicy', podEvent(pod, namespace), {}));
    await networkPolicy.run(actionInput(podEvent(pod, namespace), networkPolicy.spec.params.parse({})), deps);
    expect((await undoVia(env, change)).result).toContain('has been deleted');
    expect(await statusOf(native('via-activity'))).toBe(404);
  });

  it('refuses an actionner that cannot be undone, and bad parameters, as permanent failures', async () => {
    const env = new MockActivityEnvironment();
    const event = podEvent('any', namespace);
    expect(await failureOf(snapshotVia(env, activityInput('kubernetes:terminate', event, {})))).toMatchObject({
      type: 'NotUndoable',
      nonRetryable: true,
    });
    expect(await failureOf(snapshotVia(env, activityInput('kubernetes:label', event, { labels: {} })))).toMatchObject({
      type: 'InvalidParameters',
      nonRetryable: true,
    });
  });

  it('classifies Kubernetes errors as the action activities do: a missing pod fails the snapshot permanently', async () => {
    const env = new MockActivityEnvironment({ attempt: 2 });
    const failure = await failureOf(snapshotVia(env, activityInput('kubernetes:cordon', podEvent('ghost', namespace), {})));
    expect(failure).toMatchObject({ type: 'PodNotFound', nonRetryable: true, details: [{ attempt: 2 }] });
  });
});
