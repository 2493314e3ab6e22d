import type { FalcoEvent, Json, Objects, TalonContext } from './event.ts';
import type { ActionOutput, OutputMode, RunLinks } from './plan.ts';

/** What an action activity receives. */
export interface ActionActivityInput {
  readonly event: FalcoEvent;
  readonly context: TalonContext;
  readonly rule: string;
  readonly action: string;
  readonly actionner: string;
  readonly parameters: { readonly [key: string]: Json };
  readonly additionalContexts: readonly string[];
  readonly outputMode: OutputMode;
  readonly output?: ActionOutput;
  /** `<workflowId>/<actionIndex>`: stable across retries, for idempotent side effects. */
  readonly idempotencyKey: string;
}

/** Where a stored artifact ended up; this (not the bytes) goes into history and notifications. */
export interface StoredArtifact {
  readonly location: string;
  readonly size: number;
  readonly sha256: string;
}

export interface OutputOutcome {
  readonly target: string;
  readonly status: 'success' | 'failure';
  readonly result?: string;
  readonly objects: Objects;
  readonly artifact?: StoredArtifact;
  readonly error?: string;
}

/** What an action activity returns: small, never the artifact bytes themselves. */
export interface ActionActivityResult {
  readonly status: 'success' | 'ignored';
  readonly result: string;
  readonly objects: Objects;
  /** Artifact text when no output stage stored it (as Talon does), truncated. */
  readonly output?: string;
  readonly outputOutcome?: OutputOutcome;
  readonly attempt: number;
}

/** What a notifier receives (reference §8.1), plus the stored artifact's location and checksum. */
export interface Report {
  /** Talon's two, then ours: an approval requested or decided, a containment undone or kept, an action the governor held. */
  readonly message: 'action' | 'output' | 'approval' | 'containment' | 'governor';
  /** `pending`: an approval is waited for. */
  readonly status: 'success' | 'failure' | 'ignored' | 'pending';
  readonly rule?: string;
  readonly action?: string;
  readonly actionner?: string;
  readonly event?: string;
  readonly objects: Objects;
  readonly error?: string;
  /** The actionner's or output's result text (`the pod 'x' … has been terminated`). */
  readonly result?: string;
  readonly output?: string;
  readonly outputTarget?: string;
  readonly category?: string;
  readonly traceId?: string;
  readonly artifact?: StoredArtifact;
  /** The run in the Temporal UI; where to approve or deny. */
  readonly links?: RunLinks;
}

/** An actionner's activity: registered under the actionner's name (`kubernetes:terminate`). */
export type ActionActivity = (input: ActionActivityInput) => Promise<ActionActivityResult>;
/** A notifier's activity: registered as `notifier:<name>`. */
export type NotifierActivity = (report: Report) => Promise<void>;

/** Activity type of a notifier: `notifier:<name>`. */
export function notifierActivityName(name: string): string {
  return `notifier:${name}`;
}
