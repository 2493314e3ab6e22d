import { Resource } from '@opentelemetry/resources';
import { NoopSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { makeWorkflowExporter } from '@temporalio/interceptors-opentelemetry';
import type { Tracing } from '../temporal/tracing.ts';

/**
 * The sinks the workflow bundle calls: its OpenTelemetry interceptors export spans through
 * `exporter`, to the tracing's processor, or nowhere when tracing is off (and in a replay).
 */
export function workflowSinks(tracing?: Tracing) {
  return { exporter: makeWorkflowExporter(tracing?.spanProcessor ?? new NoopSpanProcessor(), tracing?.resource ?? Resource.empty()) };
}
