import { ApplicationFailure } from '@temporalio/common';
import type { Report } from '../../src/contract/index.ts';
import { permanent, retryable } from '../errors.ts';
import { assertOk, httpCall, redactUrl, type HttpResponse } from '../http/client.ts';
import type { NotifierImplementation } from '../types.ts';
import { slackSpec, type SlackConfig } from './slack.spec.ts';
import { artifactRows, objectRows, STATUS_COLORS } from './text.ts';

export type { SlackConfig } from './slack.spec.ts';

export interface SlackField {
  readonly title: string;
  readonly value: string;
  readonly short: boolean;
}

export interface SlackPayload {
  readonly text?: string;
  readonly username: string;
  readonly icon_url: string;
  readonly attachments: readonly {
    readonly fallback: string;
    readonly color: string;
    readonly text?: string;
    readonly footer?: string;
    readonly fields: readonly SlackField[];
  }[];
}

/**
 * Slack reads `&`, `<` and `>` as markup (`<!channel>`, `<https://x|click>`): alert text is
 * attacker-controlled, so it is escaped as Slack documents before it reaches a message.
 */
export function slackEscape(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

const code = (value: string) => `\`${slackEscape(value)}\``;

// ANSI colours and other control characters (container logs) render as garbage in a code block.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /\u001b\[[0-9;]*[A-Za-z]|[\u0000-\u0008\u000b-\u001f\u007f]/g;
const block = (value: string) => `\`\`\`\n${slackEscape(value.replace(CONTROL, ''))}\`\`\``;

/** `[*SUCCESS*][*ACTION*] Rule: \`r\` Action: \`a\` OutputTarget: \`t\``: one space between parts, none at the end. */
export function slackHeader(report: Report): string {
  const parts = [`[*${report.status.toUpperCase()}*][*${report.message.toUpperCase()}*]`];
  if (report.rule) parts.push(`Rule: ${code(report.rule)}`);
  if (report.action) parts.push(`Action: ${code(report.action)}`);
  if (report.outputTarget) parts.push(`OutputTarget: ${code(report.outputTarget)}`);
  return parts.join(' ');
}

function field(title: string, value: string | undefined, short = false, render = code): SlackField[] {
  return value ? [{ title, value: render(value), short }] : [];
}

/** The artifact is where an output stored the action's file: enough to fetch and verify it. */
function artifactFields(report: Report): SlackField[] {
  return artifactRows(report.artifact).map(([title, value]) => ({ title, value: code(value), short: title === 'Artifact Size' }));
}

function longFields(report: Report): SlackField[] {
  return [
    ...field('Rule', report.rule),
    ...field('Action', report.action),
    ...field('Actionner', report.actionner, true),
    ...field('Status', report.status, true),
    ...objectRows(report.objects).flatMap(([title, value]) => field(title, value, true)),
    ...field('Event', report.event),
    ...field('Message', report.message),
    ...field('Error', report.error),
    ...field('OutputTarget', report.outputTarget),
    ...artifactFields(report),
    ...field('Trace ID', report.traceId),
    ...field('Output', report.output, false, block),
  ];
}

/**
 * Talon's payload (reference §8.2). `fallback` (the push-notification text) is the header, which
 * Talon left empty. Short: the header in the attachment, and only the artifact fields; long: the
 * header on top, every field, and the footer.
 */
export function slackPayload(report: Report, cfg: SlackConfig): SlackPayload {
  const header = slackHeader(report);
  const color = STATUS_COLORS[report.status];
  const base = { username: cfg.username, icon_url: cfg.icon };
  if (cfg.format === 'short') {
    return { ...base, attachments: [{ fallback: header, color, text: header, fields: artifactFields(report) }] };
  }
  const footer = cfg.footer === '' ? {} : { footer: cfg.footer };
  return { ...base, text: header, attachments: [{ fallback: header, color, ...footer, fields: longFields(report) }] };
}

/** `slack`: an incoming-webhook message per report. */
export const slack: NotifierImplementation<SlackConfig> = {
  spec: slackSpec,
  async send(report, cfg) {
    let response: HttpResponse;
    try {
      response = await httpCall({
        url: cfg.webhook_url,
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'falco-talon' },
        body: JSON.stringify(slackPayload(report, cfg)),
      });
    } catch (error) {
      // The webhook URL is a secret token: keep it out of errors, logs and workflow history.
      // Its path is the token, so even the redacted form (which keeps paths) is replaced; the
      // failure keeps its classification (a malformed URL is permanent, a network error is not).
      if (error instanceof ApplicationFailure) {
        const message = error.message.replaceAll(cfg.webhook_url, 'slack webhook').replaceAll(redactUrl(cfg.webhook_url), 'slack webhook');
        throw (error.nonRetryable ? permanent : retryable)(error.type ?? 'NetworkError', message);
      }
      throw error;
    }
    assertOk(response, 'slack');
  },
};
