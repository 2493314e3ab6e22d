import { condition, defineQuery, defineUpdate, setHandler } from '@temporalio/workflow';
import type { ApprovalPolicy, Decision, DecisionRecord, PendingApproval } from '../src/contract/index.ts';
import { DECIDE_UPDATE, PENDING_APPROVAL_QUERY } from '../src/contract/index.ts';
import { durationMs } from '../src/contract/durations.ts';

export const decideUpdate = defineUpdate<DecisionRecord, [Decision]>(DECIDE_UPDATE);
export const pendingApprovalQuery = defineQuery<PendingApproval | null>(PENDING_APPROVAL_QUERY);

/** Longest reason kept: it goes into history, notifications and the report. */
const MAX_REASON = 1000;

/**
 * One playbook's approval gates. A decision arrives as a workflow Update whose validator refuses
 * (before anything is written to history) when nothing waits for a decision, the approver is not
 * on the list, or the decision is malformed; an accepted one is in history with who and why.
 */
export class ApprovalGates {
  private pending?: { readonly gate: string; readonly policy: ApprovalPolicy; readonly deadline: number };
  private decided?: DecisionRecord;
  readonly records: DecisionRecord[] = [];

  constructor() {
    setHandler(
      decideUpdate,
      (decision) => {
        const record: DecisionRecord = {
          decision: decision.decision,
          approver: decision.approver,
          reason: decision.reason.slice(0, MAX_REASON),
          gate: this.pending?.gate ?? '',
          by: 'approver',
          at: new Date(Date.now()).toISOString(),
        };
        this.decided = record;
        return record;
      },
      { validator: (decision: Decision) => this.validate(decision) },
    );
    setHandler(pendingApprovalQuery, () =>
      this.pending
        ? {
            gate: this.pending.gate,
            approvers: this.pending.policy.approvers,
            deadline: new Date(this.pending.deadline).toISOString(),
            default: this.pending.policy.default,
          }
        : null,
    );
  }

  private validate(decision: Decision): void {
    if (!this.pending || this.decided) throw new Error('no approval is pending in this run');
    if (decision.decision !== 'approve' && decision.decision !== 'deny') throw new Error(`the decision must be approve or deny`);
    if (typeof decision.approver !== 'string' || decision.approver.trim() === '') throw new Error('the approver must be named');
    if (typeof decision.reason !== 'string') throw new Error('the reason must be text');
    const approvers = this.pending.policy.approvers;
    if (approvers.length > 0 && !approvers.includes(decision.approver)) {
      throw new Error(`'${decision.approver}' may not decide on ${this.pending.gate} (approvers: ${approvers.join(', ')})`);
    }
  }

  /** Waits durably for a decision on `gate`; past the policy's timeout its default applies. */
  async ask(gate: string, policy: ApprovalPolicy): Promise<DecisionRecord> {
    const timeout = durationMs(policy.timeout) ?? 15 * 60_000;
    this.pending = { gate, policy, deadline: Date.now() + timeout };
    this.decided = undefined;
    const answered = await condition(() => this.decided !== undefined, timeout);
    const record: DecisionRecord =
      answered && this.decided
        ? this.decided
        : {
            decision: policy.default,
            approver: 'timeout',
            reason: `no decision within ${policy.timeout}: the default (${policy.default}) applies`,
            gate,
            by: 'timeout',
            at: new Date(Date.now()).toISOString(),
          };
    this.pending = undefined;
    this.decided = undefined;
    this.records.push(record);
    return record;
  }
}
