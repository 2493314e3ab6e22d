import { Context } from '@temporalio/activity';
import { permanent } from '../errors.ts';
import { expandJson, templateVariables } from '../template.ts';
import type { ActionnerImplementation } from '../types.ts';
import { httpStream, mergeHeaders, redactUrl } from './client.ts';
import { httpRequestSpec, type HttpRequestParams } from './request.spec.ts';
import { expandUrl } from './url-template.ts';

export type { HttpRequestParams } from './request.spec.ts';

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
export const httpRequest: ActionnerImplementation<HttpRequestParams> = {
  spec: httpRequestSpec,
  async run({ event, context, parameters, idempotencyKey }) {
    const vars = templateVariables(event, context);
    const url = expandUrl(parameters.url, vars);
    if (!/^https?:\/\//.test(url)) throw permanent('InvalidParameter', `url '${redactUrl(url)}' is not an http(s) URL after templating`);
    const hasBody = parameters.method !== 'GET' && parameters.method !== 'HEAD';
    const body = parameters.body === undefined ? { ...event, context } : expandJson(parameters.body, vars);
    const response = await httpStream(
      {
        url,
        method: parameters.method,
        // The user's headers replace the defaults whatever their case.
        headers: mergeHeaders({ 'content-type': 'application/json', 'user-agent': 'falco-talon', 'idempotency-key': idempotencyKey }, parameters.headers),
        body: hasBody ? JSON.stringify(body) : undefined,
        timeoutMs: requestTimeoutMs(parameters.timeout_seconds),
      },
      `${parameters.method} ${redactUrl(url)}`,
    );
    return {
      status: 'success',
      // Without query and userinfo: they may carry a token, and results reach history and notifications.
      result: `the request '${parameters.method} ${redactUrl(url)}' returned ${response.status}`,
      objects: { url: redactUrl(url), method: parameters.method, status: String(response.status) },
      artifact: {
        name: 'http-response',
        contentType: response.headers.get('content-type') ?? 'application/octet-stream',
        body: response.body,
      },
    };
  },
};
