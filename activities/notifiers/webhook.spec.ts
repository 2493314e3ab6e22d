import { z } from 'zod';
import type { NotifierSpec } from '../../src/contract/index.ts';
import { headerMap, notifierUrl } from './fields.ts';

const config = z
  .object({
    url: notifierUrl('custom_headers').describe('URL the report is sent to; credentials go in `custom_headers`, not in the URL.'),
    http_method: z.enum(['POST', 'PUT', 'PATCH']).default('POST').describe('HTTP method of the request.'),
    content_type: z.string().default('application/json; charset=utf-8').describe('`Content-Type` header of the request.'),
    user_agent: z.string().default('falco-talon').describe('`User-Agent` header of the request.'),
    custom_headers: headerMap().describe('Extra headers (e.g. `Authorization`); they replace same-named defaults whatever their case.'),
  })
  .strict();

export type WebhookConfig = z.infer<typeof config>;

/** `webhook`: the report as JSON to any URL (reference §8.2). */
export const webhookSpec: NotifierSpec<WebhookConfig> = {
  name: 'webhook',
  description: 'Send the action/output report as JSON to a URL',
  config,
  rerun: 'Posts the report again: delivery is at least once.',
  permissions: {},
  example: `notifiers:
  webhook:
    url: http://example.com/talon
    custom_headers:
      Authorization: Bearer xxx
`,
};
