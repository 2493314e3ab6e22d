import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { createClients } from '../../../activities/clients.ts';
import type { Deps } from '../../../activities/types.ts';
import { configSchema } from '../../../src/config/schema.ts';
import type { Report } from '../../../src/contract/index.ts';
import { silentLogger } from '../../../src/log.ts';

const config = configSchema.parse({});
export const deps: Deps = { config, log: silentLogger, clients: createClients(config) };

/** An action report whose event carries markup, as an attacker could put in a command line. */
export const actionReport: Report = {
  message: 'action',
  status: 'success',
  rule: 'Terminal shell in container',
  action: 'Terminate Pod',
  actionner: 'kubernetes:terminate',
  event: 'A shell was spawned <script>alert(1)</script> & <!channel> (proc=bash)',
  objects: { pod: 'nginx-1', namespace: 'prod' },
  traceId: 'trace-1',
};

export const failedActionReport: Report = { ...actionReport, status: 'failure', error: "pods 'nginx-1' not found" };

export const outputReport: Report = {
  message: 'output',
  status: 'success',
  rule: 'Terminal shell in container',
  action: 'Get logs',
  outputTarget: 'local:file',
  category: 'local',
  objects: { file: 'log', destination: '/var/talon' },
  output: "the file 'log' has been copied to '/var/talon/2024-05-01T10-00-00Z_prod_nginx-1_log'",
  traceId: 'trace-1',
  artifact: { location: 'file:///var/talon/2024-05-01T10-00-00Z_prod_nginx-1_log', size: 2048, sha256: 'ab'.repeat(32) },
};

export const failedOutputReport: Report = {
  ...outputReport,
  status: 'failure',
  output: undefined,
  artifact: undefined,
  error: "folder '/var/talon' does not exist",
};

/** The ApplicationFailure a promise rejects with (fails the test if it resolves or throws else). */
export async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApplicationFailure) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

/** The response body the engine tests' `http:request` action stores with `local:file`. */
export const INCIDENT_BODY = 'incident-42';
export const INCIDENT_SHA256 = createHash('sha256').update(INCIDENT_BODY).digest('hex');

/**
 * A rule for the engine tests: one `http:request` action to `<httpUrl>/incident` whose response is
 * stored by `local:file` in `destination`, notifying `notifier` — so it sends an action report, then
 * an output report with the artifact.
 */
export function notifyingRule(notifier: string, httpUrl: string, destination: string): string {
  return `- rule: notify ${notifier}
  match: { rules: [Terminal shell in container] }
  notifiers: [${notifier}]
  actions:
    - action: open incident
      actionner: http:request
      parameters: { url: "${httpUrl}/incident" }
      output:
        target: local:file
        parameters: { destination: "${destination}" }
`;
}
