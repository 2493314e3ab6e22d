import { AppsV1Api, CoreV1Api, NetworkingV1Api } from '@kubernetes/client-node';
import { z } from 'zod';
import { beforeAll, describe, expect, it } from 'vitest';
import { networkPolicy } from '../../../activities/kubernetes/networkpolicy.ts';
import { createOwnedPod, testKube } from '../../support/kube.ts';
import { actionInput, createNamespace, depsFor, failureOf, podEvent, serviceAccountWith, suffix } from './k2-support.ts';

const kube = testKube();
const core = kube.kubeConfig.makeApiClient(CoreV1Api);
const networking = kube.kubeConfig.makeApiClient(NetworkingV1Api);
const deps = depsFor(kube.kubeconfigPath);
const namespace = `netpol-${suffix()}`;
const MANAGED = { 'app.k8s.io/managed-by': 'falco-talon' };

const params = (raw: unknown) => networkPolicy.spec.params.parse(raw);
const run = (pod: string, raw: unknown = {}, d = deps) => networkPolicy.run(actionInput(podEvent(pod, namespace), params(raw)), d);
const policy = (name: string) => networking.readNamespacedNetworkPolicy({ name, namespace });
const podName = (p: { pod: { metadata?: { name?: string } } }) => p.pod.metadata?.name ?? '';

describe('kubernetes:networkpolicy parameters', () => {
  it('defaults to empty allow lists (deny all egress)', () => {
    expect(params({})).toEqual({ allow_cidr: [], allow_namespaces: [] });
  });

  it('parses CIDRs strictly, IPv4 and IPv6, and canonicalises them', () => {
    expect(params({ allow_cidr: ['10.1.2.3/8', '2001:DB8:0::1/32', 'fd00:10::/64', '0.0.0.0/0'] }).allow_cidr).toEqual([
      '10.0.0.0/8',
      '2001:db8::/32',
      'fd00:10::/64',
      '0.0.0.0/0',
    ]);
    for (const bad of ['10.0.0.1', '10.0.0.0/33', '010.0.0.0/8', 'fe80::1%eth0/64', '2001:db8::/129', 'example.com/24', '']) {
      const result = networkPolicy.spec.params.safeParse({ allow_cidr: [bad] });
      expect(result.success, bad).toBe(false);
      expect(z.prettifyError(result.error!)).toContain(`wrong CIDR '${bad}'`);
    }
  });

  it('rejects namespace names that cannot exist', () => {
    expect(z.prettifyError(networkPolicy.spec.params.safeParse({ allow_namespaces: ['Kube_System'] }).error!)).toContain("wrong namespace 'Kube_System'");
    expect(networkPolicy.spec.params.safeParse({ allow_namespace: ['x'] }).success).toBe(false);
  });
});

describe('kubernetes:networkpolicy on a real API server', () => {
  beforeAll(async () => {
    await createNamespace(kube.kubeConfig, namespace);
  });

  it('with no allow list, denies all egress of a Deployment, named after the Deployment, selector without pod-template-hash', async () => {
    const owned = await createOwnedPod(kube.kubeConfig, 'Deployment', { namespace, name: 'api', labels: { tier: 'back' } });
    const name = podName(owned);
    const result = await run(name);
    expect(result).toEqual({
      status: 'success',
      result: `the networkpolicy 'api' in the namespace '${namespace}' has been created`,
      objects: { pod: name, namespace, networkpolicy: 'api' },
    });
    const np = await policy('api');
    expect(np.metadata?.labels).toEqual({ app: 'api', ...MANAGED });
    expect(np.spec?.podSelector).toEqual({ matchLabels: { app: 'api' } });
    expect(np.spec?.policyTypes).toEqual(['Egress']);
    expect(np.spec?.egress ?? []).toEqual([]);
  });

  it('allows the listed CIDRs (IPv4 and IPv6) and namespaces by their kubernetes.io/metadata.name label', async () => {
    const owned = await createOwnedPod(kube.kubeConfig, 'StatefulSet', { namespace, name: 'db' });
    await run(podName(owned), { allow_cidr: ['192.168.1.0/24', 'fd00:10::/64', '192.168.1.0/24'], allow_namespaces: ['kube-system', 'monitoring'] });
    const np = await policy('db');
    expect(np.spec?.podSelector).toEqual({ matchLabels: { app: 'db' } });
    expect(np.spec?.egress).toEqual([
      {
        to: [
          { ipBlock: { cidr: '192.168.1.0/24' } },
          { ipBlock: { cidr: 'fd00:10::/64' } },
          { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } },
          { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } },
        ],
      },
    ]);
    // The selector matches what the API server puts on namespaces.
    const ns = await core.readNamespace({ name: 'kube-system' });
    expect(ns.metadata?.labels?.['kubernetes.io/metadata.name']).toBe('kube-system');
  });

  it('replaces an existing policy on the next run (update path) and reports "updated"', async () => {
    const owned = await createOwnedPod(kube.kubeConfig, 'DaemonSet', { namespace, name: 'agent' });
    const name = podName(owned);
    await run(name, { allow_cidr: ['10.0.0.0/8'] });
    const created = await policy('agent');
    const result = await run(name, { allow_namespaces: ['kube-system'] });
    expect(result.result).toBe(`the networkpolicy 'agent' in the namespace '${namespace}' has been updated`);
    const updated = await policy('agent');
    expect(updated.metadata?.uid).toBe(created.metadata?.uid);
    expect(updated.spec?.egress).toEqual([{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }] }]);
    // Back to no allow list: the egress rule goes away (deny all).
    await run(name);
    expect((await policy('agent')).spec?.egress ?? []).toEqual([]);
  });

  it('is idempotent: a retry of the same action converges on the same policy', async () => {
    const owned = await createOwnedPod(kube.kubeConfig, 'ReplicaSet', { namespace, name: 'standalone-rs' });
    const parameters = { allow_cidr: ['172.16.0.0/12'] };
    const first = await run(podName(owned), parameters);
    const before = await policy('standalone-rs');
    const second = await run(podName(owned), parameters);
    const after = await policy('standalone-rs');
    expect(first.status).toBe('success');
    expect(second).toEqual({ ...first, result: first.result.replace('created', 'updated') });
    expect(after.spec).toEqual(before.spec);
    expect(after.metadata?.labels).toEqual(before.metadata?.labels);
    const all = await networking.listNamespacedNetworkPolicy({ namespace, labelSelector: 'app=standalone-rs' });
    expect(all.items).toHaveLength(1);
  });

  it('concurrent runs for the same workload both succeed and leave one policy', async () => {
    const owned = await createOwnedPod(kube.kubeConfig, 'ReplicaSet', { namespace, name: 'race' });
    const results = await Promise.all([run(podName(owned), { allow_cidr: ['10.0.0.0/8'] }), run(podName(owned), { allow_cidr: ['10.0.0.0/8'] })]);
    expect(results.map((r) => r.status)).toEqual(['success', 'success']);
    expect(results.map((r) => r.result.split(' ').at(-1)).sort()).toEqual(['created', 'updated']);
    expect((await policy('race')).spec?.egress).toEqual([{ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }]);
  });

  it('a bare pod is selected by its own labels and the policy is named after it', async () => {
    const name = `bare-${suffix()}`;
    await core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name, labels: { role: 'debug', 'pod-template-hash': 'abc' } },
        spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10' }] },
      },
    });
    await run(name);
    expect((await policy(name)).spec?.podSelector).toEqual({ matchLabels: { role: 'debug' } });
  });

  it('fails permanently when a bare pod has no labels (an empty selector would isolate the whole namespace)', async () => {
    const name = `nolabels-${suffix()}`;
    await core.createNamespacedPod({ namespace, body: { metadata: { name }, spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10' }] } } });
    const failure = await failureOf(run(name));
    expect(failure).toMatchObject({
      type: 'WorkloadNotFound',
      nonRetryable: true,
      message: `can't find the owner and/or labels for the pod '${name}' in namespace '${namespace}'`,
    });
  });

  it('refuses to replace a policy of the same name that falco-talon does not manage', async () => {
    const owned = await createOwnedPod(kube.kubeConfig, 'StatefulSet', { namespace, name: 'handmade' });
    await networking.createNamespacedNetworkPolicy({
      namespace,
      body: { metadata: { name: 'handmade' }, spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{}] } },
    });
    const failure = await failureOf(run(podName(owned)));
    expect(failure).toMatchObject({ type: 'NetworkPolicyNotManaged', nonRetryable: true });
    expect((await policy('handmade')).spec?.policyTypes).toEqual(['Ingress']);
  });

  it('refuses (permanently) to take over the policy of another workload of the same name; the same workload still updates it', async () => {
    // Deployment `clash` (selector app=clash) and StatefulSet `clash` (another selector) share the policy name.
    const deployment = await createOwnedPod(kube.kubeConfig, 'Deployment', { namespace, name: 'clash' });
    const labels = { app: 'clash-db', tier: 'data' };
    const sts = await kube.kubeConfig.makeApiClient(AppsV1Api).createNamespacedStatefulSet({
      namespace,
      body: {
        metadata: { name: 'clash' },
        spec: {
          serviceName: 'clash',
          selector: { matchLabels: labels },
          template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10' }] } },
        },
      },
    });
    await core.createNamespacedPod({
      namespace,
      body: {
        metadata: {
          name: 'clash-0',
          labels,
          ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'clash', uid: sts.metadata?.uid ?? '', controller: true }],
        },
        spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10' }] },
      },
    });
    expect((await run(podName(deployment))).result).toBe(`the networkpolicy 'clash' in the namespace '${namespace}' has been created`);
    const before = await policy('clash');
    const failure = await failureOf(run('clash-0'));
    expect(failure).toMatchObject({ type: 'NetworkPolicyConflict', nonRetryable: true });
    expect(failure.message).toBe(
      `the networkpolicy 'clash' in the namespace '${namespace}' already isolates another workload of that name ` +
        `(podSelector {"matchLabels":{"app":"clash"}}, this pod's workload needs {"matchLabels":{"app":"clash-db","tier":"data"}}); not replacing it`,
    );
    // The Deployment stays isolated, untouched.
    const after = await policy('clash');
    expect(after.spec?.podSelector).toEqual({ matchLabels: { app: 'clash' } });
    expect(after.metadata?.resourceVersion).toBe(before.metadata?.resourceVersion);
    // A retry (or a later alert) about the Deployment still goes through.
    expect((await run(podName(deployment), { allow_namespaces: ['kube-system'] })).result).toContain('has been updated');
  });

  it('fails permanently with PodNotFound when the pod does not exist', async () => {
    const failure = await failureOf(run('ghost'));
    expect(failure).toMatchObject({ type: 'PodNotFound', nonRetryable: true, message: `the pod 'ghost' in the namespace '${namespace}' doesn't exist` });
  });

  it('works with exactly the declared permissions; without create it is Forbidden and nothing is written', async () => {
    const owned = await createOwnedPod(kube.kubeConfig, 'Deployment', { namespace, name: 'rbac' });
    const full = await serviceAccountWith(kube, namespace, networkPolicy.spec.permissions);
    const readOnly = await serviceAccountWith(kube, namespace, {
      kubernetes: [
        { apiGroups: [''], resources: ['pods'], verbs: ['get'] },
        { apiGroups: ['apps'], resources: ['replicasets'], verbs: ['get'] },
        { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: ['get'] },
      ],
    });
    const failure = await failureOf(run(podName(owned), {}, depsFor(readOnly)));
    expect(failure).toMatchObject({ type: 'Forbidden', nonRetryable: true });
    expect(failure.message).toContain("missing RBAC permission 'create' on 'networkpolicies'");
    await expect(policy('rbac')).rejects.toMatchObject({ code: 404 });

    await run(podName(owned), {}, depsFor(full));
    const result = await run(podName(owned), { allow_namespaces: ['kube-system'] }, depsFor(full));
    expect(result.result).toContain('has been updated');
  });
});
