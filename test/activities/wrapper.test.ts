import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createClients } from '../../activities/clients.ts';
import { actionActivity } from '../../activities/index.ts';
import { actionnerImplementations, contextImplementations, notifierImplementations, outputImplementations } from '../../activities/implementations.ts';
import { actionnerSpecs, contextSpecs, notifierSpecs, outputSpecs } from '../../activities/specs.ts';
import type { ActionnerImplementation, Deps } from '../../activities/types.ts';
import { configSchema } from '../../src/config/schema.ts';
import type { ActionActivityInput, ActionnerSpec } from '../../src/contract/index.ts';
import { silentLogger } from '../../src/log.ts';
import { falcoEvent } from '../support/fixtures.ts';

// The activity wrapper, in Temporal's mock activity environment: no server, a plain implementation.

const spec: ActionnerSpec<{ name: string; times: number }> = {
  name: 'test:echo',
  category: 'test',
  description: 'echoes its parameters',
  params: z.object({ name: z.string(), times: z.number().int().default(1) }).strict(),
  needsOutput: false,
  allowsOutput: false,
  defaultContinue: true,
  usesContext: false,
  permissions: {},
  rerun: 'Echoes again.',
  example: '',
  timeout: '5s',
};

const config = configSchema.parse({});
const deps: Deps = { config, log: silentLogger, clients: createClients(config) };

function input(parameters: ActionActivityInput['parameters']): ActionActivityInput {
  return {
    event: falcoEvent(),
    context: {},
    rule: 'r',
    action: 'a',
    actionner: spec.name,
    parameters,
    additionalContexts: [],
    outputMode: 'none',
    idempotencyKey: 'wf/0',
  };
}

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof ApplicationFailure)) throw new Error(`expected an ApplicationFailure, got ${String(error)}`);
  return error;
}

describe('the action activity wrapper', () => {
  it('parses parameters with the spec (defaults applied) and returns the result with the attempt', async () => {
    const echo: ActionnerImplementation<{ name: string; times: number }> = {
      spec,
      run: ({ parameters }) => Promise.resolve({ status: 'success', result: `${parameters.name} x${parameters.times}`, objects: { name: parameters.name } }),
    };
    const activity = actionActivity(() => Promise.resolve(echo as ActionnerImplementation), deps);
    const result = await new MockActivityEnvironment({ attempt: 3 }).run(activity, input({ name: 'web' }));
    expect(result).toMatchObject({ status: 'success', result: 'web x1', objects: { name: 'web' }, attempt: 3 });
  });

  it('refuses bad parameters as a non-retryable InvalidParameters failure without running', async () => {
    let ran = false;
    const activity = actionActivity(async () => ({ spec, run: async () => ((ran = true), { status: 'success', result: '', objects: {} }) }), deps);
    const failure = await failureOf(new MockActivityEnvironment().run(activity, input({ name: 7 })));
    expect(failure).toMatchObject({ type: 'InvalidParameters', nonRetryable: true });
    expect(ran).toBe(false);
  });

  it('turns an unclassified error into a retryable failure recording the attempt', async () => {
    const failing: ActionnerImplementation<{ name: string; times: number }> = { spec, run: () => Promise.reject(new Error('socket hang up')) };
    const activity = actionActivity(() => Promise.resolve(failing as ActionnerImplementation), deps);
    const failure = await failureOf(new MockActivityEnvironment({ attempt: 2 }).run(activity, input({ name: 'x' })));
    expect(failure).toMatchObject({ message: 'socket hang up', nonRetryable: false, details: [{ attempt: 2 }] });
  });
});

describe('specs and implementations', () => {
  it.each([
    ['actionner', actionnerSpecs, actionnerImplementations],
    ['output', outputSpecs, outputImplementations],
    ['notifier', notifierSpecs, notifierImplementations],
    ['context', contextSpecs, contextImplementations],
  ] as const)('every %s spec has exactly one implementation, built on that same spec', async (_kind, specs, implementations) => {
    expect(Object.keys(implementations).sort()).toEqual(specs.map((s) => s.name).sort());
    for (const s of specs) expect((await implementations[s.name]!()).spec).toBe(s);
  });
});

describe('injected clients', () => {
  it('creates a client on first use and hands the same one to later callers', async () => {
    const clients = createClients(configSchema.parse({ minio: { endpoint: '127.0.0.1:9' } }));
    const first = await clients.minio();
    expect(await clients.minio()).toBe(first);
    expect(await clients.s3('eu-west-1')).not.toBe(await clients.s3('us-east-1'));
  });

  it('does not keep a failure: a fixed kubeconfig is picked up by the next attempt', async () => {
    const clients = createClients(configSchema.parse({ kubeconfig: '/nonexistent/kubeconfig' }));
    const failure = await failureOf(clients.kubernetes());
    expect(failure).toMatchObject({ type: 'KubeConfigError', nonRetryable: true });
    await expect(clients.kubernetes()).rejects.not.toBe(failure);
  });
});
