import { z } from 'zod';
import type { NotifierSpec } from '../../src/contract/index.ts';
import { headerMap, notifierUrl } from './fields.ts';

const config = z
  .object({
    url: notifierUrl('user/api_key (or custom_headers)').describe('Base URL of Loki; the report is pushed to `<url>/loki/api/v1/push`.'),
    user: z.string().default('').describe('Basic auth is sent only when both `user` and `api_key` are set.'),
    api_key: z.string().default('').describe('Password of the basic auth, with `user`.'),
    tenant: z.string().default('').describe('Sent as `X-Scope-OrgID` (multi-tenant Loki) when set.'),
    custom_headers: headerMap().describe("Extra headers sent with every push; the notifier's own headers win over same-named ones."),
  })
  .strict();

export type LokiConfig = z.infer<typeof config>;

/** `loki`: one log entry per report, pushed to `<url>/loki/api/v1/push`. */
export const lokiSpec: NotifierSpec<LokiConfig> = {
  name: 'loki',
  description: 'Push the action/output report as a log line to Grafana Loki',
  config,
  rerun: 'Pushes the log line again (same timestamp and labels, which Loki may drop as a duplicate).',
  permissions: {},
  example: `notifiers:
  loki:
    url: http://loki:3100
    tenant: security
`,
};
