import { ApiException } from '@kubernetes/client-node';
import { ApplicationFailure } from '@temporalio/common';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createKubeApis, kubeFailure, pointerSegment } from '../../../activities/kubernetes/client.ts';

function thrown(call: () => unknown): ApplicationFailure {
  try {
    call();
  } catch (error) {
    if (error instanceof ApplicationFailure) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

describe('createKubeApis', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('refuses, permanently and saying why, an empty kubeconfig outside a pod', () => {
    vi.stubEnv('KUBERNETES_SERVICE_HOST', '');
    const failure = thrown(() => createKubeApis(''));
    expect(failure).toMatchObject({ type: 'KubeConfigError', nonRetryable: true });
    expect(failure.message).toMatch(/^wrong k8s client: no kubeconfig is configured .*KUBERNETES_SERVICE_HOST is unset/);
  });

  it('refuses a kubeconfig file that does not exist', () => {
    expect(thrown(() => createKubeApis('/nonexistent/kubeconfig'))).toMatchObject({ type: 'KubeConfigError', nonRetryable: true });
  });
});

describe('kubeFailure', () => {
  const req = { verb: 'delete', resource: 'pods', name: 'web', namespace: 'prod', notFoundType: 'PodNotFound' };
  const api = (code: number, message = 'm') => new ApiException(code, 'x', JSON.stringify({ kind: 'Status', message }), {});

  it('classifies API answers: 404 and 403 permanent, 409/429/5xx retryable, transport errors retryable', () => {
    expect(kubeFailure(api(404), req)).toMatchObject({
      type: 'PodNotFound',
      nonRetryable: true,
      message: "the pod 'web' in the namespace 'prod' doesn't exist",
    });
    const forbidden = kubeFailure(api(403, 'pods "web" is forbidden'), req);
    expect(forbidden).toMatchObject({ type: 'Forbidden', nonRetryable: true });
    expect(forbidden.message).toContain("missing RBAC permission 'delete' on 'pods'");
    for (const code of [409, 429, 500, 503]) expect(kubeFailure(api(code), req).nonRetryable, String(code)).toBe(false);
    expect(kubeFailure(api(422, 'invalid'), req)).toMatchObject({ type: 'Kubernetes422', nonRetryable: true });
    expect(kubeFailure(new Error('ECONNRESET'), req)).toMatchObject({ type: 'KubernetesUnavailable', nonRetryable: false });
  });

  it('escapes JSON-Pointer segments', () => {
    expect(pointerSegment('app.k8s.io/x~y')).toBe('app.k8s.io~1x~0y');
  });
});
