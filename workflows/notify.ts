import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import { ACTION_HEARTBEAT_TIMEOUT } from './run-action.ts';
import type { NotificationRecord, NotifierActivity, Report } from '../src/contract/index.ts';
import { laneTaskQueue, notifierActivityName, NOTIFIER_LANE } from '../src/contract/index.ts';

/**
 * Sends reports to notifiers without holding up the playbook: each notifier gets its own promise
 * chain, so its messages arrive in order, while the next action runs. A notifier's failure is
 * retried by Temporal, then recorded; it never fails the playbook.
 */
export class Notifications {
  private readonly chains = new Map<string, Promise<void>>();
  readonly records: NotificationRecord[] = [];
  private readonly send = proxyActivities<Record<string, NotifierActivity>>({
    taskQueue: laneTaskQueue(workflowInfo().taskQueue, NOTIFIER_LANE),
    startToCloseTimeout: '30s',
    heartbeatTimeout: ACTION_HEARTBEAT_TIMEOUT,
    retry: { maximumAttempts: 5, initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
  });

  notify(notifiers: readonly string[], report: Report): void {
    for (const notifier of notifiers) {
      const previous = this.chains.get(notifier) ?? Promise.resolve();
      this.chains.set(
        notifier,
        previous.then(() => this.deliver(notifier, report)),
      );
    }
  }

  private async deliver(notifier: string, report: Report): Promise<void> {
    const base = { notifier, message: report.message, rule: report.rule ?? '', action: report.action ?? '' };
    const activity = this.send[notifierActivityName(notifier)];
    try {
      if (!activity) throw new Error(`no activity for notifier '${notifier}'`);
      await activity(report);
      this.records.push({ ...base, status: 'sent' });
    } catch (error) {
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
      this.records.push({ ...base, status: 'failed', error: cause instanceof Error ? cause.message : String(cause) });
    }
  }

  /** Resolves when every notification has been delivered or has given up. */
  async settled(): Promise<void> {
    await Promise.all(this.chains.values());
  }
}
