import { assertOk, httpCall, mergeHeaders, redactUrl } from '../http/client.ts';
import type { NotifierImplementation } from '../types.ts';
import { snakeCaseReport } from './payload.ts';
import { webhookSpec, type WebhookConfig } from './webhook.spec.ts';

export type { WebhookConfig } from './webhook.spec.ts';

/** `webhook`: the report as JSON to any URL (reference §8.2). */
export const webhook: NotifierImplementation<WebhookConfig> = {
  spec: webhookSpec,
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
