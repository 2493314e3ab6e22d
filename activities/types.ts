import type { Readable } from 'node:stream';
import type {
  ActionnerSpec,
  Change,
  ContextSpec,
  FalcoEvent,
  NotifierSpec,
  Objects,
  OutputSpec,
  Report,
  StoredArtifact,
  TalonContext,
  UndoResult,
} from '../src/contract/index.ts';
import type { TalonConfig } from '../src/config/schema.ts';
import type { Logger } from '../src/log.ts';
import type { Metrics } from '../src/metrics/metrics.ts';
import type { Clients } from './clients.ts';

// Implementation types: only the worker (and tests of implementations) load these modules.

/** What every actionner's run function receives. Parameters are already parsed by its schema. */
export interface ActionInput<P> {
  readonly event: FalcoEvent;
  readonly context: TalonContext;
  readonly parameters: P;
  readonly rule: string;
  readonly action: string;
  /** `<workflowId>/<actionIndex>`: stable across retries, for idempotent side effects. */
  readonly idempotencyKey: string;
  /**
   * Temporal's attempt number (1 = first). A retry may find its own earlier side effect already
   * done (a pod deleted by an attempt whose completion was lost). @default 1
   */
  readonly attempt?: number;
}

/** A file-like result (logs, pcap, a response body). Streams to the output; never into history. */
export interface Artifact {
  /** Artifact name used in the object key (`log`, `tcpdump.pcap`, `/etc/passwd`). */
  readonly name: string;
  readonly contentType: string;
  readonly body: Buffer | Readable;
}

export interface ActionResult {
  /** `ignored`: the actionner decided to skip (e.g. a DaemonSet pod); it is not an error. */
  readonly status: 'success' | 'ignored';
  /** Human text, e.g. `the pod 'x' in the namespace 'y' has been terminated`. */
  readonly result: string;
  readonly objects: Objects;
  readonly artifact?: Artifact;
}

/** What the worker hands every implementation (dependency injection). */
export interface Deps {
  readonly config: TalonConfig;
  readonly log: Logger;
  /** SDK clients, created lazily by the worker the first time a category needs them. */
  readonly clients: Clients;
  /** Counters of the process; absent in unit tests. */
  readonly metrics?: Metrics;
}

// Methods (not function-typed properties) so an implementation of any parameter type fits the
// registry's `ActionnerImplementation<unknown>`: the wrapper parses parameters with the same spec.
export interface ActionnerImplementation<P = unknown> {
  readonly spec: ActionnerSpec<P>;
  /** Checks before run (reference §1.4); throw a classified error to fail. */
  checks?(input: ActionInput<P>, deps: Deps): Promise<void>;
  run(input: ActionInput<P>, deps: Deps): Promise<ActionResult>;
  /**
   * Undoable actionners (`expire_after:`): reads the before-state of what `run` is about to change.
   * Called before `run`, so a retried action never mistakes its own earlier write for that state.
   */
  snapshot?(input: ActionInput<P>, deps: Deps): Promise<Change>;
  /** Puts back what `snapshot` recorded, leaving alone whatever someone changed since the action. */
  undo?(change: Change, deps: Deps): Promise<UndoResult>;
}

export interface OutputResult extends StoredArtifact {
  readonly result: string;
  readonly objects: Objects;
}

export interface OutputInput<P> {
  readonly parameters: P;
  readonly artifact: Artifact;
  /** The action's result objects (pod, namespace…) used for key naming. */
  readonly objects: Objects;
  readonly event: FalcoEvent;
}

export interface OutputImplementation<P = unknown> {
  readonly spec: OutputSpec<P>;
  checks?(parameters: P, deps: Deps): Promise<void>;
  store(input: OutputInput<P>, deps: Deps): Promise<OutputResult>;
}

export interface NotifierImplementation<C = unknown> {
  readonly spec: NotifierSpec<C>;
  send(report: Report, config: C, deps: Deps): Promise<void>;
}

export interface ContextImplementation {
  readonly spec: ContextSpec;
  fetch(input: ActionInput<unknown>, deps: Deps): Promise<TalonContext>;
}
