import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { clusterRoleRules, clusterRoleYaml, type PermissionSource } from '../../src/rbac/cluster-role.ts';

const terminate: PermissionSource = {
  kind: 'actionner',
  name: 'kubernetes:terminate',
  permissions: {
    kubernetes: [
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'delete'] },
      { apiGroups: ['apps'], resources: ['replicasets'], verbs: ['get'] },
    ],
  },
};
const label: PermissionSource = {
  kind: 'actionner',
  name: 'kubernetes:label',
  permissions: { kubernetes: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'patch'] }] },
};
const events: PermissionSource = {
  kind: 'notifier',
  name: 'k8sevents',
  permissions: { kubernetes: [{ apiGroups: [''], resources: ['events'], verbs: ['create'] }] },
};
const s3: PermissionSource = { kind: 'output', name: 'aws:s3', permissions: { iam: ['s3:PutObject'] } };

describe('clusterRoleRules', () => {
  it('unions the verbs per resource and groups resources with equal verbs', () => {
    expect(clusterRoleRules([terminate, label, events])).toEqual([
      { apiGroups: [''], resources: ['events'], verbs: ['create'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['delete', 'get', 'patch'] },
      { apiGroups: ['apps'], resources: ['replicasets'], verbs: ['get'] },
    ]);
  });

  it('gives nothing for components that do not call Kubernetes', () => {
    expect(clusterRoleRules([s3])).toEqual([]);
  });

  it('drops the verbs of a component that is no longer used', () => {
    const rules = clusterRoleRules([terminate, events]);
    expect(rules.find((r) => r.resources.includes('pods'))?.verbs).toEqual(['delete', 'get']);
  });
});

describe('clusterRoleYaml', () => {
  it('is a valid ClusterRole manifest naming its sources, with cloud permissions as a comment', () => {
    const text = clusterRoleYaml([terminate, s3], 'talon');
    expect(text).toContain('# Least-privilege ClusterRole for: actionner kubernetes:terminate');
    expect(text).toContain('# Cloud permissions (not Kubernetes RBAC) also needed: s3:PutObject');
    expect(parse(text)).toEqual({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'talon' },
      rules: [
        { apiGroups: [''], resources: ['pods'], verbs: ['delete', 'get'] },
        { apiGroups: ['apps'], resources: ['replicasets'], verbs: ['get'] },
      ],
    });
  });
});
