import { z } from 'zod';
import { permanent, retryable, truncate } from '../errors.ts';
import { assertOk, httpCall } from '../http/client.ts';
import type { ActionnerImplementation, ActionResult, Deps } from '../types.ts';
import { accessTokenHeaders, gcpAuthOf, idTokenHeaders, projectId } from './auth.ts';
import { gcpFunctionSpec, type GcpFunctionParams } from './function.spec.ts';

/** Wait for the function when `gcp_function_timeout` is 0 or absent: below the action's 10 m timeout. */
const DEFAULT_TIMEOUT_SECONDS = 540;

export type { GcpFunctionParams } from './function.spec.ts';

const DEFAULT_API = 'https://cloudfunctions.googleapis.com';
/** Kept in the result objects (history, notifications); the reference kept the whole body. */
const RESPONSE_LIMIT = 1024;

/** The Functions v2 resource; only the HTTPS trigger matters here. */
const functionResource = z.object({ serviceConfig: z.object({ uri: z.string().optional() }).optional() });

interface ResolvedFunction {
  readonly name: string;
  readonly uri: string;
}

/** Resolves the function's full name and HTTPS trigger URL with the Cloud Functions v2 API (`functions.get`). */
async function resolveFunction(parameters: GcpFunctionParams, deps: Deps): Promise<ResolvedFunction> {
  const { config } = deps;
  const project = await projectId(deps);
  const name = `projects/${project}/locations/${parameters.gcp_function_location}/functions/${parameters.gcp_function_name}`;
  const base = (config.gcp.functions_endpoint ?? DEFAULT_API).replace(/\/+$/, '');
  const url = `${base}/v2/${name}`;
  const response = await httpCall({ url, method: 'GET', headers: await accessTokenHeaders(await gcpAuthOf(deps), url), timeoutMs: 30_000 });
  const body = response.body.toString('utf8');
  if (response.status === 404) throw permanent('FunctionNotFound', `the function '${name}' does not exist`);
  if (response.status === 403) {
    throw permanent('Forbidden', `GET ${name}: access denied; the identity needs 'cloudfunctions.functions.get': ${truncate(body)}`);
  }
  assertOk(response, `GET ${name}`);
  let resource: unknown;
  try {
    resource = JSON.parse(body);
  } catch {
    throw retryable('InvalidApiResponse', `GET ${name}: the answer is not JSON: ${truncate(body)}`);
  }
  const uri = functionResource.safeParse(resource).data?.serviceConfig?.uri;
  if (!uri || !/^https?:\/\//.test(uri)) throw permanent('FunctionNotInvocable', `the function '${name}' has no HTTPS trigger URL (serviceConfig.uri)`);
  return { name, uri };
}

/** Calls the trigger; a non-2xx answer fails with the reference's text, 429/5xx retryably. */
async function invoke(uri: string, payload: string, parameters: GcpFunctionParams, idempotencyKey: string, deps: Deps) {
  const response = await httpCall({
    url: uri,
    method: 'POST',
    headers: {
      ...(await idTokenHeaders(await gcpAuthOf(deps), uri)),
      'content-type': 'application/json',
      'user-agent': 'falco-talon',
      'idempotency-key': idempotencyKey,
    },
    body: payload,
    timeoutMs: (parameters.gcp_function_timeout || DEFAULT_TIMEOUT_SECONDS) * 1000,
  });
  const { status } = response;
  const body = response.body.toString('utf8');
  if (status < 200 || status >= 300) {
    const text = `function invocation failed with status ${status}: ${truncate(body)}`;
    throw status === 429 || status >= 500 ? retryable(`Http${status}`, text) : permanent(`Http${status}`, text);
  }
  return { status, body };
}

/**
 * `gcp:function`: calls a Cloud Function's HTTPS trigger with the event and its Talon context,
 * authenticated with an ID token for the function's URL. A non-2xx answer fails the action.
 */
export const gcpFunction: ActionnerImplementation<GcpFunctionParams> = {
  spec: gcpFunctionSpec,
  async checks({ parameters }, deps) {
    await resolveFunction(parameters, deps);
  },
  async run({ event, context, parameters, idempotencyKey }, deps): Promise<ActionResult> {
    const { name, uri } = await resolveFunction(parameters, deps);
    const { status, body } = await invoke(uri, JSON.stringify({ ...event, context }), parameters, idempotencyKey, deps);
    return {
      status: 'success',
      result: `the function '${name}' has been invoked`,
      objects: {
        name: parameters.gcp_function_name,
        location: parameters.gcp_function_location,
        function_response: truncate(body, RESPONSE_LIMIT),
        function_response_status: String(status),
      },
    };
  },
};
