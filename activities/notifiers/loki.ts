import type { Report } from '../../src/contract/index.ts';
import { assertOk, httpCall, redactUrl } from '../http/client.ts';
import type { NotifierImplementation } from '../types.ts';
import { basicAuth, withHeaders } from './headers.ts';
import { lokiSpec, type LokiConfig } from './loki.spec.ts';
import { summary } from './text.ts';

export type { LokiConfig } from './loki.spec.ts';

export interface LokiPayload {
  readonly streams: readonly { readonly stream: Record<string, string>; readonly values: readonly (readonly [string, string])[] }[];
}

/** Rule and action names as label values: `Terminate Pod` → `terminate_pod` (reference §8.2). */
const slug = (name: string) => name.toLowerCase().replaceAll(' ', '_');

/** Loki label names must match `[a-zA-Z_][a-zA-Z0-9_]*`; object keys are not checked anywhere. */
const labelName = (key: string) =>
  key
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .replace(/^(?=[0-9])/, '_');

/**
 * Stream labels, empty ones left out. Object labels come first so that an object named like a
 * report label (http:request returns a `status` object) cannot overwrite the report's status.
 */
function labels(report: Report): Record<string, string> {
  const entries: [string, string | undefined][] = [
    ...Object.entries(report.objects).map(([key, value]): [string, string] => [labelName(key), value]),
    ['status', report.status],
    ['rule', report.rule && slug(report.rule)],
    ['action', report.action && slug(report.action)],
    ['actionner', report.actionner],
    ['outputtarget', report.outputTarget],
    ['message', report.message],
    ['traceid', report.traceId],
  ];
  const stream: Record<string, string> = {};
  for (const [key, value] of entries) if (value) stream[key] = value;
  return stream;
}

/**
 * The log line, as Talon: the error if any, else the result text, else the output, else the one-line
 * summary `[status][message] … Action 'a' Rule 'r'` (an empty line would be useless in Loki). A stored artifact is
 * appended as logfmt pairs (`artifact="<location>" size=<bytes> sha256=<hex>`), not as labels: every
 * artifact is unique, and a label per value would open a new Loki stream for each one.
 */
export function lokiLine(report: Report): string {
  const line = report.error || report.result || report.output || summary(report);
  const artifact = report.artifact;
  return artifact ? `${line} artifact=${JSON.stringify(artifact.location)} size=${artifact.size} sha256=${artifact.sha256}` : line;
}

/** `now` in nanoseconds since the epoch, as text: Loki's timestamp format. */
export function lokiPayload(report: Report, nowMs: number = Date.now()): LokiPayload {
  const timestamp = (BigInt(nowMs) * 1_000_000n).toString();
  return { streams: [{ stream: labels(report), values: [[timestamp, lokiLine(report)]] }] };
}

/** `loki`: one log entry per report, pushed to `<url>/loki/api/v1/push`. */
export const loki: NotifierImplementation<LokiConfig> = {
  spec: lokiSpec,
  async send(report, cfg) {
    const url = `${cfg.url.replace(/\/$/, '')}/loki/api/v1/push`;
    const response = await httpCall({
      url,
      method: 'POST',
      headers: withHeaders(cfg.custom_headers, {
        'content-type': 'application/json',
        'user-agent': 'falco-talon',
        authorization: cfg.user && cfg.api_key ? basicAuth(cfg.user, cfg.api_key) : undefined,
        'x-scope-orgid': cfg.tenant || undefined,
      }),
      body: JSON.stringify(lokiPayload(report)),
    });
    assertOk(response, `loki ${redactUrl(url)}`);
  },
};
