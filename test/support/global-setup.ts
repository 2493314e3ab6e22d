import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startDevServer, type DevServer } from '../../src/temporal/dev-server.ts';
import { bundleWorkflows } from '../../src/worker/bundle.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    workflowBundlePath: string;
  }
}

let server: DevServer | undefined;

/** Starts one real Temporal dev server (in memory) and bundles the workflow code once. */
export async function setup(project: TestProject): Promise<void> {
  const [dev, bundle] = await Promise.all([startDevServer({ uiPort: false }), bundleWorkflows()]);
  server = dev;
  const dir = mkdtempSync(join(tmpdir(), 'talon-test-'));
  const bundlePath = join(dir, 'workflow-bundle.js');
  writeFileSync(bundlePath, bundle.code);
  project.provide('temporalAddress', dev.address);
  project.provide('workflowBundlePath', bundlePath);
}

export async function teardown(): Promise<void> {
  await server?.stop();
}
