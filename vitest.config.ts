import { defineConfig } from 'vitest/config';

// Three tiers (CONTRIBUTING.md): `unit` needs no server and runs in seconds (`npm run test:unit`);
// `workflow` runs against one real Temporal dev server (test/support/global-setup.ts);
// `integration` adds the real Kubernetes control plane (etcd + kube-apiserver + KWOK,
// test/support/kube-global.ts), object stores, SMTP and the CLI. `npm test` runs all three.
const unit = [
  'test/events/**/*.test.ts',
  'test/rules/**/*.test.ts',
  'test/config/**/*.test.ts',
  'test/plan/**/*.test.ts',
  'test/roles/**/*.test.ts',
  'test/bench/**/*.test.ts',
  'test/worker/**/*.test.ts',
  'test/docs/**/*.test.ts',
  'test/rbac/cluster-role.test.ts',
  'test/temporal/cli-binary.test.ts',
  'test/temporal/codec.test.ts',
  'test/metrics/**/*.test.ts',
  'test/ingest/codec-routes.test.ts',
  'test/ingest/app.test.ts',
  'test/ingest/auth.test.ts',
  'test/ingest/hostile.test.ts',
  'test/ingest/fuzz.test.ts',
  'test/ingest/start-gate.test.ts',
  'test/activities/template.test.ts',
  'test/activities/wrapper.test.ts',
  'test/activities/outputs/key.test.ts',
  'test/activities/http/url-template.test.ts',
  'test/activities/kubernetes/client.test.ts',
  'test/activities/kubernetes/replicas.test.ts',
];
const workflow = ['test/workflows/**/*.test.ts', 'test/ingest/**/*.test.ts'];

export default defineConfig({
  test: {
    // Temporal's worker is a native (Rust) module: forks isolate it better than threads.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default'],
    projects: [
      { extends: true, test: { name: 'unit', include: unit } },
      {
        extends: true,
        test: { name: 'workflow', include: workflow, exclude: unit, globalSetup: ['test/support/global-setup.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: [...unit, ...workflow],
          globalSetup: ['test/support/global-setup.ts', 'test/support/kube-global.ts'],
        },
      },
    ],
  },
});
