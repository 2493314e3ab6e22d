import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { minHealthyReplicasParam } from '../../../activities/kubernetes/replicas-params.ts';
import { healthyThreshold, isMirrorPod, isPodReady, planRemovals, podOwner } from '../../../activities/kubernetes/replicas.ts';

const schema = z.object({ min_healthy_replicas: minHealthyReplicasParam });
const parse = (value: unknown) => schema.safeParse({ min_healthy_replicas: value });

function pod(name: string, ready: boolean, extra: Partial<V1Pod['metadata']> = {}): V1Pod {
  return { metadata: { name, ...extra }, status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] } };
}

describe('min_healthy_replicas parsing', () => {
  it('reads N, N% and a bare YAML number; "" and absence mean no minimum', () => {
    expect(parse('2').data?.min_healthy_replicas).toEqual({ value: 2, percent: false });
    expect(parse('50%').data?.min_healthy_replicas).toEqual({ value: 50, percent: true });
    expect(parse(3).data?.min_healthy_replicas).toEqual({ value: 3, percent: false });
    expect(parse('').data?.min_healthy_replicas).toBeUndefined();
    expect(schema.parse({}).min_healthy_replicas).toBeUndefined();
  });

  it('rejects other texts, negative or fractional numbers and percentages above 100', () => {
    for (const bad of ['two', '50 %', '-1', '1.5', '101%', -1, 1.5, true]) expect(parse(bad).success, String(bad)).toBe(false);
    expect(parse('100%').success).toBe(true);
  });
});

describe('the healthy-replicas rule', () => {
  it('takes a percentage of the desired replicas, rounded up (not of the ready count, as the reference did)', () => {
    expect(healthyThreshold({ value: 50, percent: true }, 4)).toBe(2);
    expect(healthyThreshold({ value: 50, percent: true }, 3)).toBe(2);
    expect(healthyThreshold({ value: 34, percent: true }, 3)).toBe(2);
    expect(healthyThreshold({ value: 0, percent: true }, 3)).toBe(0);
    expect(healthyThreshold({ value: 2, percent: false }, 10)).toBe(2);
  });

  it('allows removing a ready pod only if at least the threshold stays healthy', () => {
    const min = { value: 2, percent: false };
    expect(planRemovals(min, { desired: 3, ready: 3 }, [pod('a', true)]).allowed).toHaveLength(1);
    expect(planRemovals(min, { desired: 3, ready: 2 }, [pod('a', true)]).held).toHaveLength(1);
  });

  it('never holds a pod back with a threshold of 0, even if the owner reports no ready replica', () => {
    expect(planRemovals({ value: 0, percent: false }, { desired: 1, ready: 0 }, [pod('a', true)]).allowed).toHaveLength(1);
    expect(planRemovals({ value: 1, percent: false }, { desired: 1, ready: 0 }, [pod('a', true)]).held).toHaveLength(1);
  });

  it('always allows a pod that is not ready: removing it costs no healthy replica', () => {
    expect(planRemovals({ value: 2, percent: false }, { desired: 3, ready: 2 }, [pod('a', false)]).allowed).toHaveLength(1);
    expect(isPodReady(pod('t', true, { deletionTimestamp: new Date() }))).toBe(false);
  });

  it('shares one budget among several pods of the same owner', () => {
    const plan = planRemovals({ value: 50, percent: true }, { desired: 4, ready: 4 }, [pod('a', true), pod('b', true), pod('c', true), pod('d', false)]);
    expect(plan.threshold).toBe(2);
    expect(plan.allowed.map((p) => p.metadata?.name)).toEqual(['a', 'b', 'd']);
    expect(plan.held.map((p) => p.metadata?.name)).toEqual(['c']);
  });
});

describe('pod owner and kind', () => {
  it('takes the first ownerReference as the owner; none means standalone', () => {
    const owned = pod('a', true, { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-1', uid: 'u' }] });
    expect(podOwner(owned)).toEqual({ kind: 'ReplicaSet', name: 'web-1' });
    expect(podOwner(pod('b', true))).toBeUndefined();
  });

  it('recognises mirror pods by the kubelet annotation', () => {
    expect(isMirrorPod(pod('m', true, { annotations: { 'kubernetes.io/config.mirror': 'abc' } }))).toBe(true);
    expect(isMirrorPod(pod('p', true))).toBe(false);
  });
});
