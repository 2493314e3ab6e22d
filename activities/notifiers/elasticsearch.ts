import { assertOk, httpCall, redactUrl } from '../http/client.ts';
import type { NotifierImplementation } from '../types.ts';
import { elasticsearchSpec, type ElasticsearchConfig } from './elasticsearch.spec.ts';
import { indexTemplate } from './elasticsearch-template.ts';
import { basicAuth, withHeaders } from './headers.ts';
import { snakeCaseReport } from './payload.ts';

export type { ElasticsearchConfig } from './elasticsearch.spec.ts';

/** `<index>-YYYY.MM.DD` / `-YYYY.MM` / `-YYYY` / `<index>`, dated in UTC so every worker agrees. */
export function indexName(cfg: Pick<ElasticsearchConfig, 'index' | 'suffix'>, now: Date): string {
  const [date] = now.toISOString().split('T');
  const [year, month, day] = (date ?? '').split('-');
  switch (cfg.suffix) {
    case 'none':
      return cfg.index;
    case 'annually':
      return `${cfg.index}-${year}`;
    case 'monthly':
      return `${cfg.index}-${year}.${month}`;
    case 'daily':
      return `${cfg.index}-${year}.${month}.${day}`;
  }
}

function requestHeaders(cfg: ElasticsearchConfig): Record<string, string> {
  return withHeaders(cfg.custom_headers, {
    'content-type': 'application/json',
    'user-agent': 'falco-talon',
    authorization: cfg.user && cfg.password ? basicAuth(cfg.user, cfg.password) : undefined,
  });
}

/**
 * GET the template; on 404 PUT it. The template is named after the index (`falco-talon` by
 * default, as Talon), so two configurations writing different indices do not replace each other's.
 */
async function ensureTemplate(cfg: ElasticsearchConfig): Promise<void> {
  const url = `${cfg.url.replace(/\/$/, '')}/_index_template/${cfg.index}`;
  const headers = requestHeaders(cfg);
  const found = await httpCall({ url, method: 'GET', headers });
  if (found.status !== 404) return assertOk(found, `elasticsearch GET ${redactUrl(url)}`);
  const created = await httpCall({ url, method: 'PUT', headers, body: JSON.stringify(indexTemplate(cfg)) });
  assertOk(created, `elasticsearch PUT ${redactUrl(url)}`);
}

/**
 * An implementation with its own record of checked templates. Notifiers are stateless activities that
 * receive a freshly parsed config on every call, so the check runs lazily at the first send, once per
 * process per (url, index, shards, replicas). The promise is shared by concurrent sends; a failed
 * check is forgotten, so the send throws (retryable on 429/5xx/network) and the retry checks again.
 * Each worker (activities/implementations.ts) and each test creates its own instance.
 */
export function createElasticsearchNotifier(): NotifierImplementation<ElasticsearchConfig> {
  const templates = new Map<string, Promise<void>>();
  const templateOnce = (cfg: ElasticsearchConfig): Promise<void> => {
    const key = JSON.stringify([cfg.url, cfg.index, cfg.number_of_shards, cfg.number_of_replicas]);
    let check = templates.get(key);
    if (!check) {
      check = ensureTemplate(cfg);
      templates.set(key, check);
      check.catch(() => templates.delete(key));
    }
    return check;
  };
  return {
    spec: elasticsearchSpec,
    async send(report, cfg) {
      if (cfg.create_index_template) await templateOnce(cfg);
      const now = new Date();
      const url = `${cfg.url.replace(/\/$/, '')}/${indexName(cfg, now)}/_doc`;
      const document = { ...snakeCaseReport(report), time: now.toISOString() };
      const response = await httpCall({ url, method: 'POST', headers: requestHeaders(cfg), body: JSON.stringify(document) });
      assertOk(response, `elasticsearch POST ${redactUrl(url)}`);
    },
  };
}
