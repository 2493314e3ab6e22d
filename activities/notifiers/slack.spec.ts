import { z } from 'zod';
import type { NotifierSpec } from '../../src/contract/index.ts';

const config = z
  .object({
    webhook_url: z
      .string()
      .regex(/^https?:\/\/\S+$/, 'invalid url')
      .describe('URL of the Slack incoming webhook; it is a secret, kept out of errors and logs.'),
    icon: z
      .string()
      .default('https://upload.wikimedia.org/wikipedia/commons/2/26/Circaetus_gallicus_claw.jpg')
      .describe("Avatar of the messages; Talon's default image."),
    username: z.string().default('Falco Talon').describe('Name the messages are posted under.'),
    footer: z.string().default('http://github.com/falcosecurity/falco-talon').describe('Footer of `long` messages; `""` sends no footer.'),
    format: z.enum(['long', 'short']).default('long').describe('`long`: every field of the report; `short`: the header and the stored artifact only.'),
  })
  .strict();

export type SlackConfig = z.infer<typeof config>;

/** `slack`: an incoming-webhook message per report. */
export const slackSpec: NotifierSpec<SlackConfig> = {
  name: 'slack',
  description: 'Post the action/output report to a Slack incoming webhook',
  config,
  rerun: 'Posts the message again: delivery is at least once.',
  permissions: {},
  example: `notifiers:
  slack:
    webhook_url: https://hooks.slack.com/services/XXXX
    format: long
`,
};
