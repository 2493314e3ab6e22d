import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { gcpFunction } from '../../../activities/gcp/function.ts';
import { createClients } from '../../../activities/clients.ts';
import type { ActionResult, Deps } from '../../../activities/types.ts';
import { configSchema, type TalonConfig } from '../../../src/config/schema.ts';
import { silentLogger } from '../../../src/log.ts';
import { FakeGcp } from '../../support/cloud-fakes.ts';
import { falcoEvent, runPlaybook, startTestWorker, testClient, testConfig, type TestWorker } from '../../support/temporal.ts';

// gcp:function with the real google-auth-library against a loopback Google: the OAuth token endpoint
// verifies the service account's signed JWT assertion, the functions API wants the access token,
// and each HTTPS trigger accepts only an ID token issued for its own URL.

const dir = mkdtempSync(join(tmpdir(), 'talon-gcp-'));
let gcp: FakeGcp;
let keyFile: string;
beforeAll(async () => {
  gcp = await new FakeGcp('test-project').start();
  gcp
    .addFunction('europe-west1', 'responder')
    .addFunction('europe-west1', 'no-trigger', { withUri: false })
    .addFunction('us-central1', 'elsewhere', { project: 'other-project' });
  gcp.respondWith('responder', { status: 200, headers: { 'content-type': 'application/json' }, body: '{"isolated":"web-1"}' });
  keyFile = gcp.writeCredentials(dir);
});
afterAll(async () => gcp.stop());
afterEach(() => {
  expect(gcp.rejected.splice(0)).toEqual([]); // every token, API call and invocation was properly authenticated
});

function gcpConfig(overrides: Record<string, unknown> = {}) {
  return configSchema.parse({ gcp: { credentials_path: keyFile, functions_endpoint: gcp.url, ...overrides } });
}

const context = { 'falco-talon.rule': 'Quarantine', 'falco-talon.action': 'Call', 'falco-talon.actionner': 'gcp:function' };

/** One Deps, so one set of clients, per configuration: what a worker has. */
const depsByConfig = new WeakMap<TalonConfig, Deps>();
function depsFor(config: TalonConfig): Deps {
  let deps = depsByConfig.get(config);
  if (!deps) depsByConfig.set(config, (deps = { config, log: silentLogger, clients: createClients(config) }));
  return deps;
}

/** As the activity wrapper does: parse the parameters, run the checks, then the action. */
async function act(parameters: Record<string, unknown>, config = gcpConfig()): Promise<ActionResult> {
  const deps = depsFor(config);
  const input = {
    event: falcoEvent(),
    context,
    parameters: gcpFunction.spec.params.parse(parameters),
    rule: 'Quarantine',
    action: 'Call',
    idempotencyKey: 'wf/0',
  };
  await gcpFunction.checks?.(input, deps);
  return gcpFunction.run(input, deps);
}

async function failure(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof ApplicationFailure)) throw new Error(`expected an ApplicationFailure, got ${String(error)}`);
  return error;
}

const responder = { gcp_function_name: 'responder', gcp_function_location: 'europe-west1' };

describe('gcp:function parameters', () => {
  it('requires name and location; the timeout is whole seconds between 0 and 3600 (default 0)', () => {
    expect(gcpFunction.spec.params.parse(responder)).toEqual({ ...responder, gcp_function_timeout: 0 });
    expect(gcpFunction.spec.params.safeParse({ gcp_function_name: 'f' }).success).toBe(false);
    expect(gcpFunction.spec.params.safeParse({ gcp_function_location: 'l' }).success).toBe(false);
    for (const bad of [-1, 1.5, 3601, '10']) expect(gcpFunction.spec.params.safeParse({ ...responder, gcp_function_timeout: bad }).success).toBe(false);
    expect(gcpFunction.spec.params.safeParse({ ...responder, project: 'x' }).success).toBe(false);
  });
});

describe('gcp:function invocation', () => {
  it("resolves the trigger with the credentials' project and posts the alert and its context with an ID token", async () => {
    const tokensBefore = gcp.tokenRequests.length;
    const result = await act(responder);
    expect(gcp.getFunctions.slice(-2)).toEqual(Array(2).fill('projects/test-project/locations/europe-west1/functions/responder'));
    const call = gcp.invocations.at(-1);
    expect(call).toMatchObject({
      name: 'responder',
      audience: `${gcp.url}/trigger/europe-west1/responder`,
      email: gcp.clientEmail,
      contentType: 'application/json',
    });
    expect(call?.payload).toMatchObject({ rule: 'Terminal shell in container', priority: 'Warning', output_fields: { 'k8s.ns.name': 'prod' }, context });
    expect(result).toEqual({
      status: 'success',
      result: "the function 'projects/test-project/locations/europe-west1/functions/responder' has been invoked",
      objects: { name: 'responder', location: 'europe-west1', function_response: '{"isolated":"web-1"}', function_response_status: '200' },
    });
    expect(gcp.tokenRequests.slice(tokensBefore)).toEqual([
      { kind: 'access', scope: 'https://www.googleapis.com/auth/cloud-platform' },
      { kind: 'id', audience: `${gcp.url}/trigger/europe-west1/responder` },
    ]);
  });

  it('reuses its access and ID tokens for later actions with the same configuration', async () => {
    const config = gcpConfig();
    await act(responder, config);
    const tokensBefore = gcp.tokenRequests.length;
    await act(responder, config);
    expect(gcp.tokenRequests.length).toBe(tokensBefore);
  });

  it('takes the project from gcp.project_id when set', async () => {
    await act({ gcp_function_name: 'elsewhere', gcp_function_location: 'us-central1' }, gcpConfig({ project_id: 'other-project' }));
    expect(gcp.getFunctions.at(-1)).toBe('projects/other-project/locations/us-central1/functions/elsewhere');
    expect(gcp.invocations.at(-1)?.name).toBe('elsewhere');
  });

  it('waits gcp_function_timeout seconds (not nanoseconds) for the answer', async () => {
    gcp.failNext('Invoke', { status: 200, body: '"slow but in time"', delayMs: 300 });
    expect((await act({ ...responder, gcp_function_timeout: 1 })).objects.function_response).toBe('"slow but in time"');
    gcp.failNext('Invoke', { status: 200, body: '"too slow"', delayMs: 1500 });
    const error = await failure(act({ ...responder, gcp_function_timeout: 1 }));
    expect(error).toMatchObject({ type: 'NetworkError', nonRetryable: false });
    expect(error.message).toMatch(/timeout/i);
  });
});

describe('gcp:function failures', () => {
  it.each([
    [400, false],
    [401, false],
    [403, false],
    [404, false],
    [429, true],
    [500, true],
    [503, true],
  ])('a %i from the function fails with its body (retryable %s)', async (status, retryable) => {
    gcp.failNext('Invoke', { status, headers: { 'content-type': 'text/plain' }, body: `function said ${status}` });
    const error = await failure(act(responder));
    expect(error).toMatchObject({
      type: `Http${status}`,
      nonRetryable: !retryable,
      message: `function invocation failed with status ${status}: function said ${status}`,
    });
  });

  it('stops at the check when the function does not exist or has no HTTPS trigger', async () => {
    const before = gcp.invocations.length;
    const missing = await failure(act({ gcp_function_name: 'nobody', gcp_function_location: 'europe-west1' }));
    expect(missing).toMatchObject({
      type: 'FunctionNotFound',
      nonRetryable: true,
      message: "the function 'projects/test-project/locations/europe-west1/functions/nobody' does not exist",
    });
    const noTrigger = await failure(act({ gcp_function_name: 'no-trigger', gcp_function_location: 'europe-west1' }));
    expect(noTrigger).toMatchObject({ type: 'FunctionNotInvocable', nonRetryable: true });
    expect(gcp.invocations.length).toBe(before);
  });

  it('classifies the functions API: 403 permanent naming the permission, 429/503 retryable', async () => {
    gcp.failNext('GetFunction', { status: 403, body: '{"error":{"code":403,"status":"PERMISSION_DENIED"}}' });
    const denied = await failure(act(responder));
    expect(denied).toMatchObject({ type: 'Forbidden', nonRetryable: true });
    expect(denied.message).toContain("the identity needs 'cloudfunctions.functions.get'");
    for (const status of [429, 503]) {
      gcp.failNext('GetFunction', { status, body: '{}' });
      expect(await failure(act(responder))).toMatchObject({ type: `Http${status}`, nonRetryable: false });
    }
  });

  it('classifies credentials: a missing key file or a refused grant is permanent, a token service down is retryable', async () => {
    const noFile = await failure(act(responder, gcpConfig({ credentials_path: join(dir, 'absent.json') })));
    expect(noFile).toMatchObject({ type: 'GcpConfigError', nonRetryable: true });
    expect(noFile.message).toContain('absent.json');

    const stranger = join(dir, 'stranger.json');
    const { generateKeyPairSync } = await import('node:crypto');
    const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' });
    writeFileSync(
      stranger,
      JSON.stringify({
        type: 'service_account',
        project_id: 'test-project',
        private_key: otherKey,
        client_email: gcp.clientEmail,
        token_uri: `${gcp.url}/token`,
      }),
    );
    const refused = await failure(act(responder, gcpConfig({ credentials_path: stranger })));
    expect(refused).toMatchObject({ type: 'GcpAuthError', nonRetryable: true });
    expect(refused.message).toContain('invalid_grant');
    expect(gcp.rejected.splice(0)).toEqual(['invalid_grant: Invalid JWT Signature.']);

    gcp.failNext('Token', { status: 503, body: '{"error":"backend_error"}' });
    expect(await failure(act(responder))).toMatchObject({ type: 'GcpAuthUnavailable', nonRetryable: false });
  });
});

describe('gcp:function in a playbook on a real Temporal server', () => {
  let client: Client;
  let worker: TestWorker;
  beforeAll(async () => {
    client = await testClient();
    worker = await startTestWorker(testConfig({ gcp: { credentials_path: keyFile, functions_endpoint: gcp.url } }));
  });
  afterAll(async () => {
    await worker?.stop();
    await client?.connection.close();
  });

  const rule = (name: string) => `- rule: ${name}
  match:
    rules:
      - Terminal shell in container
  actions:
    - action: Call responder
      actionner: gcp:function
      parameters:
        gcp_function_name: responder
        gcp_function_location: europe-west1
        gcp_function_timeout: 5
      retry:
        max_attempts: 3
        initial_interval: 50ms
        max_interval: 100ms
`;

  it('retries a 503 from the function, then reports its response', async () => {
    gcp.failNext('Invoke', { status: 503, body: 'cold start' });
    const before = gcp.invocations.length;
    const { report } = await runPlaybook(client, worker, rule('Function retried'));
    expect(report.rules[0]?.actions[0]).toMatchObject({
      status: 'success',
      attempts: 2,
      objects: { name: 'responder', location: 'europe-west1', function_response: '{"isolated":"web-1"}', function_response_status: '200' },
    });
    const calls = gcp.invocations.slice(before);
    expect(calls).toHaveLength(2);
    expect(calls[1]?.payload).toMatchObject({ context: { 'falco-talon.rule': 'Function retried', 'falco-talon.actionner': 'gcp:function' } });
  });

  it('fails at once on a 403 from the function, with the reference text', async () => {
    gcp.failNext('Invoke', { status: 403, body: 'caller lacks run.routes.invoke' });
    const { report } = await runPlaybook(client, worker, rule('Function refused'));
    expect(report.outcome).toBe('failed');
    expect(report.rules[0]?.actions[0]).toMatchObject({
      status: 'failure',
      attempts: 1,
      errorType: 'Http403',
      error: 'function invocation failed with status 403: caller lacks run.routes.invoke',
    });
  });
});
