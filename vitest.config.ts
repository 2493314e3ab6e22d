import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One real Temporal dev server and one workflow bundle for the whole run (test/support/global-setup.ts).
    // One real Kubernetes control plane (etcd + kube-apiserver + KWOK) likewise (test/support/kube-global.ts).
    globalSetup: ['test/support/global-setup.ts', 'test/support/kube-global.ts'],
    // Temporal's worker is a native (Rust) module: forks isolate it better than threads.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
