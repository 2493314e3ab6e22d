import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, NetworkingV1Api } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { k8snodeContext } from '../../activities/kubernetes/node-context.ts';
import { kubernetesCordon } from '../../activities/kubernetes/cordon.ts';
import { kubernetesDelete } from '../../activities/kubernetes/delete.ts';
import { kubernetesDrain } from '../../activities/kubernetes/drain.ts';
import { annotation } from '../../activities/kubernetes/annotation.ts';
import { label } from '../../activities/kubernetes/label.ts';
import { networkPolicy } from '../../activities/kubernetes/networkpolicy.ts';
import { kubernetesTerminate } from '../../activities/kubernetes/terminate.ts';
import { k8sevents } from '../../activities/notifiers/k8sevents.ts';
import type { Permissions } from '../../src/contract/index.ts';
import { rbac } from '../../src/cli/commands/rbac.ts';
import { configSchema } from '../../src/config/schema.ts';
import type { FalcoEvent } from '../../src/contract/index.ts';
import { createFakeNode, createOwnedPod, testKube, waitUntil } from '../support/kube.ts';
import { runActionner } from '../activities/kubernetes/k1-support.ts';
import { actionInput, createNamespace, depsFor, failureOf, podEvent, serviceAccountWith, suffix } from '../activities/kubernetes/k2-support.ts';

// `talon rbac` is proven, not assumed: its ClusterRole is granted to a fresh service account on the
// real API server, and every actionner, the k8snode context and the k8sevents notifier run as it.

const kube = testKube();
const core = kube.kubeConfig.makeApiClient(CoreV1Api);
const networking = kube.kubeConfig.makeApiClient(NetworkingV1Api);
const namespace = `rbac-${suffix()}`;
const cordonNode = `rbac-cordon-${suffix()}`;
const drainNode = `rbac-drain-${suffix()}`;

const action = (name: string, actionner: string, parameters = '{}', extra = '') => `
- action: ${name}
  actionner: ${actionner}
  parameters: ${parameters}${extra}`;

/** One rule per actionner, so removing a rule removes exactly that actionner. */
const RULES: Record<string, string> = {
  label: action('label', 'kubernetes:label', '{ labels: { falco.org/suspicious: "true" } }'),
  annotation: action('annotation', 'kubernetes:annotation', '{ annotations: { falco.org/alert: shell } }'),
  networkpolicy: action('isolate', 'kubernetes:networkpolicy'),
  terminate: action('terminate', 'kubernetes:terminate', '{ ignore_daemonsets: true }'),
  delete: action('delete', 'kubernetes:delete'),
  cordon: action('cordon', 'kubernetes:cordon'),
  drain: action('drain', 'kubernetes:drain'),
  // k8snode is requested by an action that uses contexts; http:request itself needs no RBAC.
  context: action('enrich', 'http:request', '{ url: "http://127.0.0.1:9/x" }', '\n  additional_contexts: [k8snode]'),
};

function rulesFile(names: readonly string[]): string {
  const rules = names.map(
    (name) => `${RULES[name]}
- rule: ${name} rule
  match: { rules: [Terminal shell in container] }
  notifiers: [k8sevents]
  actions:
    - action: ${RULES[name]?.match(/- action: (\S+)/)?.[1]}`,
  );
  const file = join(mkdtempSync(join(tmpdir(), 'talon-rbac-')), 'rules.yaml');
  writeFileSync(file, rules.join('\n'));
  return file;
}

/** `talon rbac -r FILE`'s ClusterRole rules, as Permissions. */
async function roleFor(names: readonly string[]): Promise<Permissions> {
  const result = await rbac(configSchema.parse({ rules_files: [rulesFile(names)] }));
  expect(result.code, result.stderr).toBe(0);
  const role = parse(result.stdout) as { kind: string; rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[] };
  expect(role.kind).toBe('ClusterRole');
  return { kubernetes: role.rules };
}

function auditEvent(resource: string, name: string): FalcoEvent {
  const output_fields = { 'ka.target.resource': resource, 'ka.target.name': name, 'ka.target.namespace': namespace };
  return {
    output: 'K8s object created',
    priority: 'Warning',
    rule: 'Create Sensitive Mount Pod',
    hostname: '',
    time: null,
    source: 'k8s_audit',
    output_fields,
    tags: [],
  };
}

/** A Deployment's pod on `node` (KWOK runs it), Running. */
async function runningPod(name: string, node: string): Promise<string> {
  const { pod } = await createOwnedPod(kube.kubeConfig, 'Deployment', { namespace, name, nodeName: node, labels: { app: name } });
  const podName = pod.metadata?.name ?? '';
  await waitUntil(
    `pod ${podName} Running`,
    async () => (await core.readNamespacedPod({ namespace, name: podName })).status?.phase === 'Running',
    undefined,
    30_000,
  );
  return podName;
}

const verbsOn = (permissions: Permissions, group: string, resource: string) =>
  new Set((permissions.kubernetes ?? []).filter((r) => r.apiGroups.includes(group) && r.resources.includes(resource)).flatMap((r) => r.verbs));

describe('talon rbac on a real API server', () => {
  beforeAll(async () => {
    await createNamespace(kube.kubeConfig, namespace);
    await Promise.all([createFakeNode(kube.kubeConfig, cordonNode), createFakeNode(kube.kubeConfig, drainNode)]);
  });

  it('prints a ClusterRole with which every Kubernetes actionner, k8snode and k8sevents succeed', async () => {
    const role = await roleFor(Object.keys(RULES));
    const deps = depsFor(await serviceAccountWith(kube, namespace, role));

    const web = await runningPod('web', cordonNode);
    const event = podEvent(web, namespace);
    expect(await runActionner(label, { labels: { 'falco.org/suspicious': 'true' } }, event, deps)).toMatchObject({ status: 'success' });
    expect(await runActionner(annotation, { annotations: { 'falco.org/alert': 'shell' } }, event, deps)).toMatchObject({ status: 'success' });
    expect(await runActionner(networkPolicy, {}, event, deps)).toMatchObject({ status: 'success' });
    const pod = await core.readNamespacedPod({ namespace, name: web });
    expect(pod.metadata?.labels?.['falco.org/suspicious']).toBe('true');
    expect(pod.metadata?.annotations?.['falco.org/alert']).toBe('shell');
    expect((await networking.listNamespacedNetworkPolicy({ namespace })).items).toHaveLength(1);

    expect(await k8snodeContext.fetch(actionInput(event, {}), deps)).toMatchObject({ 'node.hostname': cordonNode });
    await k8sevents.send(
      { message: 'action', status: 'success', rule: 'r', action: 'label', actionner: 'kubernetes:label', objects: { pod: web, namespace } },
      k8sevents.spec.config.parse({}),
      deps,
    );
    const events = await core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.uid=${pod.metadata?.uid}` });
    expect(events.items.map((e) => e.reason)).toContain('falco-talon:action:kubernetes:label:success');

    expect(await runActionner(kubernetesCordon, {}, event, deps)).toMatchObject({ status: 'success' });
    expect((await core.readNode({ name: cordonNode })).spec?.unschedulable).toBe(true);

    expect(await runActionner(kubernetesTerminate, { ignore_daemonsets: true }, event, deps)).toMatchObject({ status: 'success' });
    await expect(core.readNamespacedPod({ namespace, name: web })).rejects.toMatchObject({ code: 404 });

    const victim = `victim-${suffix()}`;
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: victim } } });
    expect(await runActionner(kubernetesDelete, {}, auditEvent('configmaps', victim), deps)).toMatchObject({ status: 'success' });
    await expect(core.readNamespacedConfigMap({ namespace, name: victim })).rejects.toMatchObject({ code: 404 });

    const api = await runningPod('api', drainNode);
    expect(await runActionner(kubernetesDrain, { max_wait_period: 20 }, podEvent(api, namespace), deps)).toMatchObject({ status: 'success' });
    await expect(core.readNamespacedPod({ namespace, name: api })).rejects.toMatchObject({ code: 404 });
  });

  it('drops the verbs of a removed rule: without the terminate rule, terminate is Forbidden', async () => {
    const all = await roleFor(Object.keys(RULES));
    const withoutTerminate = await roleFor(Object.keys(RULES).filter((name) => name !== 'terminate'));
    expect(verbsOn(all, '', 'pods').has('delete')).toBe(true);
    expect(verbsOn(withoutTerminate, '', 'pods').has('delete')).toBe(false);
    // Everything else the other rules need is still there.
    expect(verbsOn(withoutTerminate, '', 'pods/eviction')).toEqual(verbsOn(all, '', 'pods/eviction'));
    expect(verbsOn(withoutTerminate, 'networking.k8s.io', 'networkpolicies')).toEqual(verbsOn(all, 'networking.k8s.io', 'networkpolicies'));

    const deps = depsFor(await serviceAccountWith(kube, namespace, withoutTerminate));
    const { pod } = await createOwnedPod(kube.kubeConfig, 'ReplicaSet', { namespace, name: `keep-${suffix()}` });
    const failure = await failureOf(runActionner(kubernetesTerminate, {}, podEvent(pod.metadata?.name ?? '', namespace), deps));
    expect(failure).toMatchObject({ type: 'Forbidden', nonRetryable: true });
    expect(failure.message).toContain('delete');
  });

  it('is empty for rules that do not touch Kubernetes', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'talon-rbac-')), 'rules.yaml');
    writeFileSync(
      file,
      `- rule: call\n  match: { rules: [x] }\n  actions:\n    - action: call\n      actionner: http:request\n      parameters: { url: "http://127.0.0.1:9/x" }\n`,
    );
    const result = await rbac(configSchema.parse({ rules_files: [file] }));
    expect(parse(result.stdout)).toMatchObject({ kind: 'ClusterRole', rules: [] });
  });
});
