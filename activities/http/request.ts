import { z } from 'zod';
import type { Json } from '../../src/events/types.ts';
import { permanent } from '../errors.ts';
import { expand, expandJson, templateVariables } from '../template.ts';
import type { ActionnerDescriptor } from '../types.ts';
import { httpStream } from './client.ts';

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
    if (!/^https?:\/\//.test(url)) throw permanent('InvalidParameter', `url '${url}' is not an http(s) URL after templating`);
    const hasBody = parameters.method !== 'GET' && parameters.method !== 'HEAD';
    const body = parameters.body === undefined ? { ...event, context } : expandJson(parameters.body, vars);
    const response = await httpStream(
      {
        url,
        method: parameters.method,
        headers: { 'content-type': 'application/json', 'user-agent': 'falco-talon', ...parameters.headers },
        body: hasBody ? JSON.stringify(body) : undefined,
        timeoutMs: parameters.timeout_seconds * 1000,
      },
      `${parameters.method} ${url}`,
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
