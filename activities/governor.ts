import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import type { Workflow } from '@temporalio/common';
import type { BudgetAnswer, BudgetRequest, GovernorRequest, GovernorVerdict } from '../src/contract/index.ts';
import { budgetWorkflowId, RESERVE_UPDATE, RETURN_UPDATE } from '../src/contract/index.ts';
import { pauseState } from '../src/temporal/controls.ts';

/**
 * `talon:governor`, a local activity of the playbook: is the pause switch on, and does every budget
 * that applies (namespace, node, cluster) still have room? Each budget is its own workflow, reserved
 * through Update-with-Start (started on first use), so the count holds across workers and replicas.
 * A reservation granted in one scope is returned when a later scope says no.
 */
export function governorActivity(client: Client, taskQueue: string): (request: GovernorRequest) => Promise<GovernorVerdict> {
  const reserve = (scope: GovernorRequest['limits'][number]['scope'], scopeKey: string, request: BudgetRequest) =>
    client.workflow.executeUpdateWithStart<Workflow, BudgetAnswer, [BudgetRequest]>(RESERVE_UPDATE, {
      args: [request],
      startWorkflowOperation: new WithStartWorkflowOperation<Workflow>('budget', {
        workflowId: budgetWorkflowId(taskQueue, scope, scopeKey),
        taskQueue,
        workflowIdConflictPolicy: 'USE_EXISTING',
        args: [{ scope, key: scopeKey }],
      }),
    });

  return async (request) => {
    const paused = await pauseState(client, taskQueue);
    if (paused.paused) return { granted: false, reason: `destructive actions are paused (by ${paused.by ?? '?'}: ${paused.reason ?? ''})` };
    const granted: string[] = [];
    for (const limit of request.limits) {
      const scopeKey = limit.scope === 'cluster' ? 'cluster' : limit.scope === 'namespace' ? request.namespace : request.node;
      // An alert without a namespace (a host alert) is not counted in a namespace budget.
      if (!scopeKey) continue;
      const answer = await reserve(limit.scope, scopeKey, { key: request.key, max: limit.max, window: limit.window });
      if (!answer.granted) {
        await Promise.all(
          granted.map((id) => client.workflow.getHandle(id).executeUpdate<void, [{ key: string }]>(RETURN_UPDATE, { args: [{ key: request.key }] })),
        );
        const where = limit.scope === 'cluster' ? 'the cluster' : `${limit.scope} '${scopeKey}'`;
        return { granted: false, reason: `over budget: ${where} has had ${answer.used} of ${limit.max} destructive actions in ${limit.window}` };
      }
      granted.push(budgetWorkflowId(taskQueue, limit.scope, scopeKey));
    }
    return { granted: true };
  };
}
