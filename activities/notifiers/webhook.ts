import { z } from 'zod';
import { assertOk, httpCall, mergeHeaders, redactUrl } from '../http/client.ts';
import type { NotifierDescriptor } from '../types.ts';
import { notifierUrl } from './headers.ts';
import { snakeCaseReport } from './payload.ts';

const config = z
  .object({
    url: notifierUrl('custom_headers'),
    http_method: z.enum(['POST', 'PUT', 'PATCH']).default('POST'),
    content_type: z.string().default('application/json; charset=utf-8'),
    user_agent: z.string().default('falco-talon'),
    custom_headers: z.record(z.string(), z.string()).default({}),
  })
  .strict();

type WebhookConfig = z.infer<typeof config>;

/** `webhook`: the report as JSON to any URL (reference §8.2). */
export const webhook: NotifierDescriptor<WebhookConfig> = {
  name: 'webhook',
  description: 'Send the action/output report as JSON to a URL',
  config,
  permissions: {},
  example: `notifiers:
  webhook:
    url: http://example.com/talon
    custom_headers:
      Authorization: Bearer xxx
`,
  async send(report, cfg) {
    const response = await httpCall({
      url: cfg.url,
      method: cfg.http_method,
      // custom_headers replace same-named defaults whatever their case (`User-Agent: mine`).
      headers: mergeHeaders({ 'content-type': cfg.content_type, 'user-agent': cfg.user_agent }, cfg.custom_headers),
      body: JSON.stringify(snakeCaseReport(report)),
    });
    assertOk(response, `webhook ${redactUrl(cfg.url)}`);
  },
};
