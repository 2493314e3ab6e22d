/** Settings that shape the index template, taken from the notifier's configuration. */
export interface TemplateSettings {
  readonly index: string;
  readonly number_of_shards: number;
  readonly number_of_replicas: number;
}

const keyword = { type: 'keyword', ignore_above: 1024 } as const;
/** Full text for search, plus a keyword sub-field for exact filters and aggregations. */
const text = (ignoreAbove: number) => ({ type: 'text', fields: { keyword: { type: 'keyword', ignore_above: ignoreAbove } } });

/**
 * A valid composable index template (`PUT _index_template/<name>`) for the report documents —
 * Talon's was invalid JSON (reference §11.12). Matches the dated indices and the bare index
 * (`suffix: none`). Object keys vary by actionner, so a dynamic template maps them as keywords
 * instead of letting Elasticsearch guess `text` or `long` from the first value it sees.
 */
export function indexTemplate(settings: TemplateSettings): Record<string, unknown> {
  return {
    index_patterns: [`${settings.index}-*`, settings.index],
    template: {
      settings: { number_of_shards: settings.number_of_shards, number_of_replicas: settings.number_of_replicas },
      mappings: {
        dynamic_templates: [{ objects_as_keywords: { path_match: 'objects.*', mapping: keyword } }],
        properties: {
          time: { type: 'date' },
          message: keyword,
          status: keyword,
          rule: text(256),
          action: text(256),
          actionner: keyword,
          output_target: keyword,
          category: keyword,
          trace_id: keyword,
          event: text(1024),
          error: text(1024),
          output: { type: 'text' },
          objects: { type: 'object' },
          artifact: { properties: { location: keyword, size: { type: 'long' }, sha256: keyword } },
        },
      },
    },
    _meta: { description: 'Falco Talon action and output reports' },
  };
}
