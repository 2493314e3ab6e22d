import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, type WorkflowBundleOption } from '@temporalio/worker';
import { packageRoot } from '../package-root.ts';

/** The workflow code's entry: `workflows/index.ts`. */
export const WORKFLOWS_PATH = fileURLToPath(new URL('workflows/index.ts', packageRoot()));

/** Where `npm run build` writes the workflow bundle. */
export const PREBUILT_BUNDLE_PATH = fileURLToPath(new URL('dist/workflow-bundle.js', packageRoot()));

const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };

/** Bundles the workflow code (webpack, ~3 s): tests and the benchmark do it once per run. */
export async function bundleWorkflows(): Promise<{ code: string }> {
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES, logger: quiet });
  return { code };
}

/**
 * Temporal's OpenTelemetry workflow interceptors, always in the bundle: they only export spans
 * through the worker's `exporter` sink, which is a no-op unless `otel.traces_enabled`.
 */
export const WORKFLOW_INTERCEPTOR_MODULES = [createRequire(import.meta.url).resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors')];

/** Where the worker's workflow code comes from. */
export type WorkflowSource = { readonly workflowBundle: WorkflowBundleOption } | { readonly workflowsPath: string };

/**
 * The build's prebuilt bundle; running from source (tsx), the workflows' path, which the worker
 * bundles at start (a prebuilt bundle there could be older than the source).
 */
export function workflowSource(): WorkflowSource {
  const compiled = !import.meta.url.endsWith('.ts');
  return compiled && existsSync(PREBUILT_BUNDLE_PATH) ? { workflowBundle: { codePath: PREBUILT_BUNDLE_PATH } } : { workflowsPath: WORKFLOWS_PATH };
}
