import { ApplicationFailure } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { awsLambda } from '../../../activities/aws/lambda.ts';
import { createClients } from '../../../activities/clients.ts';
import type { ActionResult, Deps } from '../../../activities/types.ts';
import { configSchema, type TalonConfig } from '../../../src/config/schema.ts';
import { silentLogger } from '../../../src/log.ts';
import { awsError, FakeAws, stsError } from '../../support/cloud-fakes.ts';
import { falcoEvent, runPlaybook, startTestWorker, testClient, testConfig, type TestWorker } from '../../support/temporal.ts';

// aws:lambda with the real @aws-sdk/client-lambda and credential providers against a loopback
// Lambda + STS that verifies every SigV4 signature with the secret it issued.

const ACCESS_KEY = 'AKIATALONSTATIC00001';
const SECRET_KEY = 'static/secret+key';
const ROLE_ARN = 'arn:aws:iam::123456789012:role/falco-talon-invoker';

let aws: FakeAws;
beforeAll(async () => {
  aws = await new FakeAws(ACCESS_KEY, SECRET_KEY).addFunction('responder', 'live=3', '7').addFunction('thrower').start();
  aws.respondWith('responder', { verdict: 'quarantined', pods: 1 });
  aws.throwFromFunction('thrower', 'IsolationError', 'cannot isolate web-1');
});
afterAll(async () => aws.stop());

function awsConfig(overrides: Record<string, unknown> = {}) {
  return configSchema.parse({ aws: { region: 'eu-west-3', access_key: ACCESS_KEY, secret_key: SECRET_KEY, endpoint: aws.url, ...overrides } });
}

const context = { 'falco-talon.rule': 'Quarantine', 'falco-talon.action': 'Invoke', 'falco-talon.actionner': 'aws:lambda' };

/** One Deps, so one set of clients, per configuration: what a worker has. */
const depsByConfig = new WeakMap<TalonConfig, Deps>();
function depsFor(config: TalonConfig): Deps {
  let deps = depsByConfig.get(config);
  if (!deps) depsByConfig.set(config, (deps = { config, log: silentLogger, clients: createClients(config) }));
  return deps;
}

/** As the activity wrapper does: parse the parameters, run the checks, then the action. */
async function act(parameters: Record<string, unknown>, config = awsConfig()): Promise<ActionResult> {
  const deps = depsFor(config);
  const input = {
    event: falcoEvent(),
    context,
    parameters: awsLambda.spec.params.parse(parameters),
    rule: 'Quarantine',
    action: 'Invoke',
    idempotencyKey: 'wf/0',
  };
  await awsLambda.checks?.(input, deps);
  return awsLambda.run(input, deps);
}

async function failure(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof ApplicationFailure)) throw new Error(`expected an ApplicationFailure, got ${String(error)}`);
  return error;
}

function body(result: ActionResult): unknown {
  const artifact = result.artifact?.body;
  return Buffer.isBuffer(artifact) ? JSON.parse(artifact.toString('utf8')) : undefined;
}

afterEach(() => {
  expect(aws.rejected).toEqual([]); // every request the SDK made carried a valid signature
});

describe('aws:lambda parameters', () => {
  it('defaults to $LATEST and RequestResponse, requires the name, rejects unknown keys and types', () => {
    expect(awsLambda.spec.params.parse({ aws_lambda_name: 'f' })).toEqual({
      aws_lambda_name: 'f',
      aws_lambda_alias_or_version: '$LATEST',
      aws_lambda_invocation_type: 'RequestResponse',
    });
    expect(awsLambda.spec.params.safeParse({}).success).toBe(false);
    expect(awsLambda.spec.params.safeParse({ aws_lambda_name: 'f', aws_lambda_invocation_type: 'Async' }).success).toBe(false);
    expect(awsLambda.spec.params.safeParse({ aws_lambda_name: 'f', region: 'x' }).success).toBe(false);
  });
});

describe('aws:lambda invocation', () => {
  it('checks the function, then invokes $LATEST synchronously with the alert and its Talon context', async () => {
    const before = aws.invocations.length;
    const result = await act({ aws_lambda_name: 'responder' });
    expect(aws.getFunctions.at(-1)).toEqual({ name: 'responder', qualifier: '$LATEST', accessKey: ACCESS_KEY });
    const call = aws.invocations[before];
    expect(call).toMatchObject({ name: 'responder', qualifier: '$LATEST', type: 'RequestResponse', accessKey: ACCESS_KEY, region: 'eu-west-3' });
    expect(call?.payload).toMatchObject({
      rule: 'Terminal shell in container',
      priority: 'Warning',
      hostname: 'node-1',
      output_fields: { 'k8s.pod.name': 'web-1' },
      tags: ['container', 'shell'],
      context,
    });
    expect(result).toMatchObject({ status: 'success', result: "the lambda 'responder' has been invoked (RequestResponse, status 200)" });
    expect(result.objects).toEqual({ name: 'responder', version: '$LATEST', executed_version: '$LATEST' });
    expect(body(result)).toEqual({ verdict: 'quarantined', pods: 1 });
  });

  it('passes an alias as the qualifier and reports the version that ran', async () => {
    const result = await act({ aws_lambda_name: 'responder', aws_lambda_alias_or_version: 'live' });
    expect(aws.getFunctions.at(-1)?.qualifier).toBe('live');
    expect(aws.invocations.at(-1)?.qualifier).toBe('live');
    expect(result.objects).toEqual({ name: 'responder', version: 'live', executed_version: '3' });
  });

  it('sends Event (202, no payload back) and DryRun (204) invocation types', async () => {
    const event = await act({ aws_lambda_name: 'responder', aws_lambda_invocation_type: 'Event' });
    expect(aws.invocations.at(-1)?.type).toBe('Event');
    expect(event.result).toContain('(Event, status 202)');
    expect(event.artifact).toBeUndefined();
    const dry = await act({ aws_lambda_name: 'responder', aws_lambda_alias_or_version: '7', aws_lambda_invocation_type: 'DryRun' });
    expect(aws.invocations.at(-1)).toMatchObject({ type: 'DryRun', qualifier: '7' });
    expect(dry.result).toContain('(DryRun, status 204)');
  });

  it('fails (permanently) when the function itself fails, with its error payload', async () => {
    const error = await failure(act({ aws_lambda_name: 'thrower' }));
    expect(error.nonRetryable).toBe(true);
    expect(error.type).toBe('LambdaFunctionError');
    expect(error.message).toMatch(
      /^the lambda 'thrower' failed \(Unhandled, IsolationError\): \{"errorType":"IsolationError","errorMessage":"cannot isolate web-1"/,
    );
  });

  it('stops at the GetFunction check when the function or its qualifier does not exist', async () => {
    const before = aws.invocations.length;
    const missing = await failure(act({ aws_lambda_name: 'nobody' }));
    expect(missing).toMatchObject({ type: 'FunctionNotFound', nonRetryable: true, message: "the function 'nobody' (qualifier '$LATEST') does not exist" });
    const noAlias = await failure(act({ aws_lambda_name: 'responder', aws_lambda_alias_or_version: 'canary' }));
    expect(noAlias.message).toBe("the function 'responder' (qualifier 'canary') does not exist");
    expect(aws.invocations.length).toBe(before);
  });
});

describe('aws:lambda error classification', () => {
  it.each([
    [429, 'TooManyRequestsException', true],
    [500, 'ServiceException', true],
    [502, 'ResourceNotReadyException', true],
    [409, 'ResourceConflictException', true],
    [400, 'InvalidRequestContentException', false],
    [413, 'RequestTooLargeException', false],
  ])('Invoke %i %s → retryable %s', async (status, code, retryable) => {
    aws.failNext('Invoke', awsError(status, code, `${code} happened`));
    const error = await failure(act({ aws_lambda_name: 'responder' }));
    expect(error.nonRetryable).toBe(!retryable);
    expect(error.type).toBe(code);
    expect(error.message).toBe(`lambda:InvokeFunction on 'responder': ${code} happened (${status})`);
  });

  it('names the missing IAM action when access is denied', async () => {
    aws.failNext('GetFunction', awsError(403, 'AccessDeniedException', 'not authorized to perform: lambda:GetFunction'));
    const check = await failure(act({ aws_lambda_name: 'responder' }));
    expect(check).toMatchObject({ type: 'Forbidden', nonRetryable: true });
    expect(check.message).toMatch(/^lambda:GetFunction on 'responder': access denied \(AccessDeniedException\); the identity needs 'lambda:GetFunction'/);
    aws.failNext('Invoke', awsError(403, 'AccessDeniedException', 'not authorized'));
    expect((await failure(act({ aws_lambda_name: 'responder' }))).message).toContain("the identity needs 'lambda:InvokeFunction'");
  });

  it('refuses a wrong secret (the fake checks the signature) permanently', async () => {
    aws.addKey('AKIAOTHERKEY00000001', 'the-real-secret');
    const error = await failure(act({ aws_lambda_name: 'responder' }, awsConfig({ access_key: 'AKIAOTHERKEY00000001', secret_key: 'a-wrong-secret' })));
    expect(error).toMatchObject({ type: 'Forbidden', nonRetryable: true });
    expect(error.message).toContain('InvalidSignatureException');
    expect(aws.rejected.splice(0)).toEqual(['signature does not match']);
  });

  it('retries when Lambda cannot be reached', async () => {
    const error = await failure(act({ aws_lambda_name: 'responder' }, awsConfig({ endpoint: 'http://127.0.0.1:9' })));
    expect(error).toMatchObject({ type: 'AwsNetworkError', nonRetryable: false });
    expect(error.message).toMatch(/^lambda:GetFunction on 'responder': /);
  });
});

describe('aws:lambda credentials', () => {
  const variables = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION', 'AWS_EC2_METADATA_DISABLED'];
  afterEach(() => {
    for (const name of variables) delete process.env[name];
  });

  it('uses the static keys only when region, access_key and secret_key are all set; else the default chain', async () => {
    aws.addKey('AKIAFROMENVIRONMENT1', 'env-secret');
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIAFROMENVIRONMENT1', AWS_SECRET_ACCESS_KEY: 'env-secret', AWS_REGION: 'ap-south-1' });
    await act({ aws_lambda_name: 'responder' }, awsConfig({ region: undefined }));
    expect(aws.invocations.at(-1)).toMatchObject({ accessKey: 'AKIAFROMENVIRONMENT1', region: 'ap-south-1' });
    await act({ aws_lambda_name: 'responder' });
    expect(aws.invocations.at(-1)).toMatchObject({ accessKey: ACCESS_KEY, region: 'eu-west-3' });
  });

  it('fails permanently, before any request, when no region is configured anywhere', async () => {
    process.env.AWS_EC2_METADATA_DISABLED = 'true';
    const before = aws.getFunctions.length;
    const error = await failure(act({ aws_lambda_name: 'responder' }, configSchema.parse({ aws: { endpoint: aws.url } })));
    expect(error).toMatchObject({ type: 'AwsConfigError', nonRetryable: true });
    expect(error.message).toMatch(/^lambda:GetFunction on 'responder': Region is missing/);
    expect(aws.getFunctions.length).toBe(before);
  });

  it('assumes role_arn with external_id, then signs GetFunction and Invoke with the temporary credentials', async () => {
    const config = awsConfig({ role_arn: ROLE_ARN, external_id: 'talon-external' });
    const before = aws.assumeRoles.length;
    await act({ aws_lambda_name: 'responder' }, config);
    await act({ aws_lambda_name: 'responder' }, config);
    const assumed = aws.assumeRoles.slice(before);
    // One AssumeRole, signed with the static keys; its credentials are reused until they expire.
    expect(assumed).toHaveLength(1);
    expect(assumed[0]).toMatchObject({ roleArn: ROLE_ARN, externalId: 'talon-external', sessionName: 'falco-talon', accessKey: ACCESS_KEY });
    const issued = assumed[0]?.issuedKey;
    expect(issued).toMatch(/^ASIA/);
    expect(aws.getFunctions.slice(-2).map((c) => c.accessKey)).toEqual([issued, issued]);
    expect(aws.invocations.slice(-2).map((c) => c.accessKey)).toEqual([issued, issued]);
  });

  it('classifies a refused AssumeRole as permanent and an unavailable STS as retryable', async () => {
    aws.failNext('AssumeRole', stsError(403, 'AccessDenied', 'not authorized to perform: sts:AssumeRole'));
    const denied = await failure(act({ aws_lambda_name: 'responder' }, awsConfig({ role_arn: ROLE_ARN })));
    expect(denied).toMatchObject({ type: 'Forbidden', nonRetryable: true });
    expect(denied.message).toMatch(
      /^sts:AssumeRole of 'arn:aws:iam::123456789012:role\/falco-talon-invoker': access denied \(AccessDenied\); the identity needs 'sts:AssumeRole'/,
    );
    aws.failNext('AssumeRole', stsError(503, 'ServiceUnavailable', 'try later'));
    const down = await failure(act({ aws_lambda_name: 'responder' }, awsConfig({ role_arn: ROLE_ARN })));
    expect(down).toMatchObject({ type: 'ServiceUnavailable', nonRetryable: false });
  });
});

describe('aws:lambda in a playbook on a real Temporal server', () => {
  let client: Client;
  let worker: TestWorker;
  beforeAll(async () => {
    client = await testClient();
    worker = await startTestWorker(testConfig({ aws: { region: 'eu-west-3', access_key: ACCESS_KEY, secret_key: SECRET_KEY, endpoint: aws.url } }));
  });
  afterAll(async () => {
    await worker?.stop();
    await client?.connection.close();
  });

  const rule = (name: string, fn: string) => `- rule: ${name}
  match:
    rules:
      - Terminal shell in container
  actions:
    - action: Invoke ${fn}
      actionner: aws:lambda
      parameters:
        aws_lambda_name: ${fn}
        aws_lambda_alias_or_version: live
      retry:
        max_attempts: 3
        initial_interval: 50ms
        max_interval: 100ms
`;

  it('retries a throttled invoke and sends the Talon context the workflow built', async () => {
    aws.failNext('Invoke', awsError(429, 'TooManyRequestsException', 'Rate exceeded'));
    const before = aws.invocations.length;
    const { report } = await runPlaybook(client, worker, rule('Lambda retried', 'responder'));
    const action = report.rules[0]?.actions[0];
    expect(action).toMatchObject({ status: 'success', attempts: 2, objects: { name: 'responder', version: 'live', executed_version: '3' } });
    const calls = aws.invocations.slice(before);
    expect(calls).toHaveLength(2);
    expect(calls[1]?.payload).toMatchObject({
      context: {
        'falco-talon.rule': 'Lambda retried',
        'falco-talon.action': 'Invoke responder',
        'falco-talon.actionner': 'aws:lambda',
        'falco-talon.action.parameters': JSON.stringify({ aws_lambda_name: 'responder', aws_lambda_alias_or_version: 'live' }),
      },
    });
  });

  it('reports a function error as a failure after one attempt', async () => {
    aws.addFunction('thrower', 'live=1');
    const { report } = await runPlaybook(client, worker, rule('Lambda fails', 'thrower'));
    expect(report.outcome).toBe('failed');
    expect(report.rules[0]?.actions[0]).toMatchObject({ status: 'failure', attempts: 1, errorType: 'LambdaFunctionError' });
    expect(report.rules[0]?.actions[0]?.error).toContain('cannot isolate web-1');
  });
});
