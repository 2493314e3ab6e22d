import { Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import type { Decision, DecisionRecord } from '../contract/index.ts';
import { ControlError } from '../temporal/controls.ts';

const decisionSchema = z
  .object({
    decision: z.enum(['approve', 'deny']),
    approver: z.string().trim().min(1).max(200),
    reason: z.string().max(1000).default(''),
  })
  .strict();

/**
 * `POST /approvals/<workflow id>` `{"decision": "approve"|"deny", "approver": "…", "reason": "…"}`:
 * the decision goes to the playbook as its Update, whose validator checks the approver. Only with
 * ingest authentication configured: an open endpoint would let anyone approve a drain.
 */
export function approvalRoutes(decide: (workflowId: string, decision: Decision) => Promise<DecisionRecord>, auth: MiddlewareHandler | undefined): Hono {
  const routes = new Hono();
  routes.post(
    '/:workflowId{.+}',
    async (c, next) =>
      auth ? auth(c, next) : c.json({ error: 'approvals over HTTP need ingest authentication (auth.tokens, auth.hmac_secrets or tls.client_ca_file)' }, 403),
    bodyLimit({ maxSize: 16 * 1024, onError: (c) => c.json({ error: 'body over 16384 bytes' }, 413) }),
    async (c) => {
      const parsed = decisionSchema.safeParse(await c.req.json().catch(() => undefined));
      if (!parsed.success)
        return c.json(
          {
            error: `expected {"decision": "approve"|"deny", "approver": "<name>", "reason": "<text>"}: ${z.prettifyError(parsed.error).replaceAll('\n', '; ')}`,
          },
          400,
        );
      const workflowId = c.req.param('workflowId');
      try {
        return c.json({ status: 'decided', workflowId, ...(await decide(workflowId, parsed.data)) });
      } catch (error) {
        if (error instanceof ControlError) return c.json({ error: error.message }, error.kind === 'not_found' ? 404 : 409);
        return c.json({ error: `Temporal did not take the decision: ${error instanceof Error ? error.message : String(error)}` }, 503);
      }
    },
  );
  return routes;
}
