import { z } from 'zod';
import type { TalonConfig } from '../../src/config/schema.ts';
import { permanent, retryable, truncate } from '../errors.ts';
import { assertOk, httpCall } from '../http/client.ts';
import type { ActionnerDescriptor, ActionResult } from '../types.ts';
import { accessTokenHeaders, idTokenHeaders, projectId } from './auth.ts';

/** Wait for the function when `gcp_function_timeout` is 0 or absent: below the action's 10 m timeout. */
const DEFAULT_TIMEOUT_SECONDS = 540;

const params = z
  .object({
    gcp_function_name: z.string().min(1),
    gcp_function_location: z.string().min(1),
    /**
     * Seconds to wait for the function's answer (FIX §11.13: the reference used nanoseconds); 0 means
     * 540 s. Above 540, raise the action's `timeout:` too. Cloud Functions' own limit is 3600 s.
     * @default 0
     */
    gcp_function_timeout: z.number().int().min(0).max(3600).default(0),
  })
  .strict();

export type GcpFunctionParams = z.infer<typeof params>;

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
async function resolveFunction(parameters: GcpFunctionParams, config: TalonConfig): Promise<ResolvedFunction> {
  const project = await projectId(config.gcp);
  const name = `projects/${project}/locations/${parameters.gcp_function_location}/functions/${parameters.gcp_function_name}`;
  const base = (config.gcp.functions_endpoint ?? DEFAULT_API).replace(/\/+$/, '');
  const url = `${base}/v2/${name}`;
  const response = await httpCall({ url, method: 'GET', headers: await accessTokenHeaders(config.gcp, url), timeoutMs: 30_000 });
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
async function invoke(uri: string, payload: string, parameters: GcpFunctionParams, config: TalonConfig) {
  const response = await httpCall({
    url: uri,
    method: 'POST',
    headers: { ...(await idTokenHeaders(config.gcp, uri)), 'content-type': 'application/json', 'user-agent': 'falco-talon' },
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
export const gcpFunction: ActionnerDescriptor<GcpFunctionParams> = {
  name: 'gcp:function',
  category: 'gcp',
  description: 'Invoke a GCP function forwarding the Falco event payload',
  params,
  needsOutput: false,
  allowsOutput: false,
  defaultContinue: true,
  // As the reference: no additional contexts are fetched, but the payload carries the Talon context.
  usesContext: false,
  // `run.routes.invoke` (roles/run.invoker) for 2nd-gen functions, `cloudfunctions.functions.invoke`
  // (roles/cloudfunctions.invoker) for 1st-gen ones; `get` resolves the trigger URL.
  permissions: { iam: ['cloudfunctions.functions.get', 'run.routes.invoke', 'cloudfunctions.functions.invoke'] },
  timeout: '10m',
  example: `- action: Invoke GCP Cloud Function
  actionner: gcp:function
  parameters:
    gcp_function_name: sample-function
    gcp_function_location: us-central1
    gcp_function_timeout: 10
`,
  async checks({ parameters }, deps) {
    await resolveFunction(parameters, deps.config);
  },
  async run({ event, context, parameters }, deps): Promise<ActionResult> {
    const { name, uri } = await resolveFunction(parameters, deps.config);
    const { status, body } = await invoke(uri, JSON.stringify({ ...event, context }), parameters, deps.config);
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
