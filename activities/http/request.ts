import { Context } from '@temporalio/activity';
import { z } from 'zod';
import type { Json } from '../../src/events/types.ts';
import { permanent } from '../errors.ts';
import { expand, expandJson, templateVariables } from '../template.ts';
import type { ActionnerDescriptor } from '../types.ts';
import { httpStream, mergeHeaders, redactUrl } from './client.ts';

const json: z.ZodType<Json> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(json), z.record(z.string(), json)]),
);

const params = z
  .object({
    /** May use templates (`${K8S_NS_NAME}`); must be http(s). */
    url: z.string().regex(/^https?:\/\/\S+$/, 'must be an http(s) URL'),
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']).default('POST'),
    headers: z.record(z.string(), z.string()).default({}),
    /** JSON body; every string inside it is templated. Absent: the alert and its Talon context. */
    body: json.optional(),
    timeout_seconds: z.number().int().positive().max(300).default(10),
  })
  .strict();

export type HttpRequestParams = z.infer<typeof params>;

/** Time the attempt keeps after its request for the output stage to finish. */
const ATTEMPT_MARGIN_MS = 2_000;

/**
 * The request's timeout, ending before the attempt's start-to-close timeout (the action's
 * `timeout:`): otherwise Temporal starts a retry while this attempt's request still runs, and a
 * POST is sent twice at once. Outside an activity (direct calls) only `timeout_seconds` applies.
 */
function requestTimeoutMs(timeoutSeconds: number): number {
  let attemptMs: number;
  try {
    attemptMs = Context.current().info.startToCloseTimeoutMs;
  } catch {
    return timeoutSeconds * 1000;
  }
  return Math.min(timeoutSeconds * 1000, Math.max(attemptMs - ATTEMPT_MARGIN_MS, 1_000));
}

/** `http:request`: calls a URL; 5xx/429/network errors retry, other 4xx fail at once. */
export const httpRequest: ActionnerDescriptor<HttpRequestParams> = {
  name: 'http:request',
  category: 'http',
  description: 'Call an HTTP endpoint with a templated JSON body; the response body may go to an output',
  params,
  needsOutput: false,
  allowsOutput: true,
  defaultContinue: true,
  usesContext: true,
  permissions: {},
  timeout: '30s',
  example: `- action: Open a ticket
  actionner: http:request
  parameters:
    url: https://tickets.example.com/api/incidents
    method: POST
    headers:
      Authorization: Bearer xxx
    body:
      title: "Falco: \${RULE} on \${HOSTNAME}"
      pod: "\${K8S_POD_NAME}"
`,
  async run({ event, context, parameters }) {
    const vars = templateVariables(event, context);
    const url = expand(parameters.url, vars);
    if (!/^https?:\/\//.test(url)) throw permanent('InvalidParameter', `url '${redactUrl(url)}' is not an http(s) URL after templating`);
    const hasBody = parameters.method !== 'GET' && parameters.method !== 'HEAD';
    const body = parameters.body === undefined ? { ...event, context } : expandJson(parameters.body, vars);
    const response = await httpStream(
      {
        url,
        method: parameters.method,
        // The user's headers replace the defaults whatever their case.
        headers: mergeHeaders({ 'content-type': 'application/json', 'user-agent': 'falco-talon' }, parameters.headers),
        body: hasBody ? JSON.stringify(body) : undefined,
        timeoutMs: requestTimeoutMs(parameters.timeout_seconds),
      },
      `${parameters.method} ${redactUrl(url)}`,
    );
    return {
      status: 'success',
      result: `the request '${parameters.method} ${url}' returned ${response.status}`,
      objects: { url, method: parameters.method, status: String(response.status) },
      artifact: {
        name: 'http-response',
        contentType: response.headers.get('content-type') ?? 'application/octet-stream',
        body: response.body,
      },
    };
  },
};
