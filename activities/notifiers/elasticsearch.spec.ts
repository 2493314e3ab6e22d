import { z } from 'zod';
import type { NotifierSpec } from '../../src/contract/index.ts';
import { headerMap, notifierUrl } from './fields.ts';

/**
 * A count ≥ 1. Text is converted because NOTIFIERS_ELASTICSEARCH_* environment variables arrive as
 * text; only non-blank text, so `true` or `""` fail instead of becoming 1 or 0 as z.coerce would.
 */
const count = (fallback: number) =>
  z.preprocess((value) => (typeof value === 'string' && value.trim() !== '' ? Number(value) : value), z.number().int().min(1).default(fallback));

const config = z
  .object({
    url: notifierUrl('user/password (or custom_headers)').describe(
      'Base URL of Elasticsearch; credentials go in `user`/`password` (or `custom_headers`), not in the URL.',
    ),
    user: z.string().default('').describe('Basic auth on every request (template and documents) when both `user` and `password` are set.'),
    password: z.string().default('').describe('Password of the basic auth, with `user`.'),
    index: z
      .string()
      .regex(/^[a-z0-9][a-z0-9._-]*$/, 'invalid index name')
      .default('falco-talon')
      .describe('Index the reports are written to (before the date suffix); also the name of the index template.'),
    suffix: z
      .enum(['daily', 'monthly', 'annually', 'none'])
      .default('daily')
      .describe('Date suffix of the index, in UTC: `-YYYY.MM.DD`, `-YYYY.MM`, `-YYYY`, or none.'),
    number_of_shards: count(3).describe('Shards of the indices the index template creates (at least 1).'),
    number_of_replicas: count(3).describe('Replicas of the indices the index template creates (at least 1).'),
    create_index_template: z.boolean().default(true).describe('Create the index template at the first report when it does not exist yet.'),
    custom_headers: headerMap().describe("Extra headers sent with every request; the notifier's own headers win over same-named ones."),
  })
  .strict();

export type ElasticsearchConfig = z.infer<typeof config>;

/** `elasticsearch` (reference §8.2, with the fixes of §11.12). */
export const elasticsearchSpec: NotifierSpec<ElasticsearchConfig> = {
  name: 'elasticsearch',
  description: 'Index the action/output report as a document in Elasticsearch',
  config,
  rerun: 'Indexes the document again: delivery is at least once.',
  permissions: {},
  example: `notifiers:
  elasticsearch:
    url: https://elasticsearch:9200
    user: talon
    password: xxx
    number_of_shards: 1
    number_of_replicas: 1
`,
};
