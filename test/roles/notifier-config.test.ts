import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.ts';
import { checkNotifierConfigs } from '../../src/roles/notifier-config.ts';
import { runTalon } from '../support/cli.ts';

const config = (notifiers: Record<string, Record<string, unknown>>) => configSchema.parse({ notifiers });

describe('checkNotifierConfigs', () => {
  it('accepts valid sections of the slack, loki, elasticsearch and smtp notifiers', () => {
    const valid = config({
      slack: { webhook_url: 'https://hooks.slack.com/services/X' },
      loki: { url: 'http://loki:3100' },
      elasticsearch: { url: 'http://es:9200', number_of_shards: '1' },
      smtp: { host_port: 'mail:25', from: 'talon@example.com', to: 'secops@example.com' },
    });
    expect(checkNotifierConfigs(valid, ['slack', 'loki', 'elasticsearch', 'smtp'])).toEqual([]);
  });

  it('names the key and the reason of every problem', () => {
    const invalid = config({
      slack: { webhook_url: 'hooks.slack.com/x', format: 'medium' },
      loki: { url: 'http://loki:3100', tenant: 7 },
      elasticsearch: { url: 'http://es:9200', number_of_replicas: 0, suffix: 'weekly' },
      smtp: { host_port: 'mail:25', from: 'talon@example.com', tls: 'yes' },
    });
    expect(checkNotifierConfigs(invalid, ['slack', 'loki', 'elasticsearch', 'smtp'])).toEqual([
      'notifiers.slack.webhook_url: invalid url',
      'notifiers.slack.format: Invalid option: expected one of "long"|"short"',
      'notifiers.loki.tenant: Invalid input: expected string, received number',
      'notifiers.elasticsearch.suffix: Invalid option: expected one of "daily"|"monthly"|"annually"|"none"',
      'notifiers.elasticsearch.number_of_replicas: Too small: expected number to be >=1',
      'notifiers.smtp.to: Invalid input: expected string, received undefined',
      'notifiers.smtp.tls: Invalid input: expected boolean, received string',
    ]);
  });
});

describe('talon rules check', () => {
  it('reports a bad notifiers.slack.webhook_url and a missing notifiers.smtp.to with their keys, exit 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'talon-notifiers-'));
    const rules = join(dir, 'rules.yaml');
    writeFileSync(
      rules,
      `- rule: r
  notifiers: [slack, smtp]
  actions:
    - action: a
      actionner: http:request
      parameters: { url: "http://x.example" }
`,
    );
    const file = join(dir, 'config.yaml');
    writeFileSync(
      file,
      `rules_files: [${rules}]
notifiers:
  slack:
    webhook_url: hooks.slack.com/services/X
  smtp:
    host_port: mail.example.com:587
    from: talon@example.com
`,
    );
    const result = await runTalon(['-c', file, 'rules', 'check']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('notifiers.slack.webhook_url: invalid url\n');
    expect(result.stderr).toContain('notifiers.smtp.to: Invalid input: expected string, received undefined\n');
    expect(result.stderr).toMatch(/invalid notifier configuration\n$/);
  });
});
