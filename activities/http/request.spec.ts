import { z } from 'zod';
import type { ActionnerSpec, Json } from '../../src/contract/index.ts';

const json: z.ZodType<Json> = z.lazy(() => z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(json), z.record(z.string(), json)]));

const params = z
  .object({
    url: z
      .string()
      .regex(/^https?:\/\/\S+$/, 'must be an http(s) URL')
      .describe(
        'URL to call, http(s). May use templates (`${K8S_NS_NAME}`): each value is percent-encoded for the part it lands in (host, path segment, query, fragment), so an alert cannot change the structure of the URL.',
      ),
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']).default('POST').describe('HTTP method of the request.'),
    headers: z
      .record(z.string(), z.string())
      .default({})
      .describe('Request headers; they replace the defaults (`content-type: application/json`, `user-agent: falco-talon`) whatever their case.'),
    body: json.optional().describe('JSON body; every string inside it is templated. Absent: the alert and its Talon context. Not sent with GET and HEAD.'),
    timeout_seconds: z
      .number()
      .int()
      .positive()
      .max(300)
      .default(10)
      .describe("Timeout of the request in seconds (at most 300); it also ends before the action's `timeout:`."),
  })
  .strict();

export type HttpRequestParams = z.infer<typeof params>;

/** `http:request`: calls a URL; 5xx/429/network errors retry, other 4xx fail at once. */
export const httpRequestSpec: ActionnerSpec<HttpRequestParams> = {
  name: 'http:request',
  category: 'http',
  description: 'Call an HTTP endpoint with a templated JSON body; the response body may go to an output',
  params,
  needsOutput: false,
  allowsOutput: true,
  defaultContinue: true,
  usesContext: true,
  rerun:
    'Sends the request again, with the same `Idempotency-Key` header (`<workflow id>/<action index>`, unless the rule sets its own): an endpoint that honours the header acts once, any other acts twice.',
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
};
