import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, type WorkflowBundleOption } from '@temporalio/worker';
import { packageRoot } from '../package-root.ts';

/** The workflow code's entry: `workflows/index.ts`. */
export const WORKFLOWS_PATH = fileURLToPath(new URL('workflows/index.ts', packageRoot()));

/** Where `npm run build` writes the workflow bundles: without and with the tracing interceptors. */
export const PREBUILT_BUNDLE_PATH = fileURLToPath(new URL('dist/workflow-bundle.js', packageRoot()));
export const PREBUILT_TRACED_BUNDLE_PATH = fileURLToPath(new URL('dist/workflow-bundle-traced.js', packageRoot()));

/** Webpack's progress and module listing, which bundling otherwise prints. */
export const QUIET_BUNDLER_LOGGER = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };

/** Bundles the workflow code (webpack, ~3 s): tests and the benchmark do it once per run. */
export async function bundleWorkflows(traced = true): Promise<{ code: string }> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    workflowInterceptorModules: traced ? WORKFLOW_INTERCEPTOR_MODULES : [],
    logger: QUIET_BUNDLER_LOGGER,
  });
  return { code };
}

/**
 * Temporal's OpenTelemetry workflow interceptors: in the bundle only when tracing, since they cost
 * every new run's first workflow task about 80 ms of a 2-core machine even when their spans are
 * dropped (`npm run bench`: 149 → 67 ms median). Their spans leave through the worker's sink.
 */
export const WORKFLOW_INTERCEPTOR_MODULES = [createRequire(import.meta.url).resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors')];

/** Where the worker's workflow code comes from. */
export type WorkflowSource = { readonly workflowBundle: WorkflowBundleOption } | { readonly workflowsPath: string };

/**
 * The build's prebuilt bundle; running from source (tsx), the workflows' path, which the worker
 * bundles at start (a prebuilt bundle there could be older than the source).
 */
export function workflowSource(traced = false): WorkflowSource {
  const compiled = !import.meta.url.endsWith('.ts');
  const prebuilt = traced ? PREBUILT_TRACED_BUNDLE_PATH : PREBUILT_BUNDLE_PATH;
  return compiled && existsSync(prebuilt) ? { workflowBundle: { codePath: prebuilt } } : { workflowsPath: WORKFLOWS_PATH };
}
