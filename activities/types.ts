import type { Readable } from 'node:stream';
import type { z } from 'zod';
import type { FalcoEvent, Json } from '../src/events/types.ts';
import type { Logger } from '../src/log.ts';
import type { TalonConfig } from '../src/config/schema.ts';
import type { Metrics } from '../src/metrics/metrics.ts';

/** Kubernetes RBAC rule, or a cloud IAM action, that an actionner/output/notifier needs. */
export interface Permissions {
  readonly kubernetes?: readonly { readonly apiGroups: readonly string[]; readonly resources: readonly string[]; readonly verbs: readonly string[] }[];
  readonly iam?: readonly string[];
}

/** Talon context (reference §5.1) plus additional contexts, as flat string keys. */
export type TalonContext = { readonly [key: string]: string };

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
  readonly objects: { readonly [key: string]: string };
  readonly artifact?: Artifact;
}

/** Shared clients and settings handed to every run function (dependency injection). */
export interface Deps {
  readonly config: TalonConfig;
  readonly log: Logger;
  /** Counters of the process; absent in unit tests. */
  readonly metrics?: Metrics;
}

// Methods (not function-typed properties) so a descriptor of any parameter type fits the registry's
// `ActionnerDescriptor<unknown>`: the registry parses parameters with the same descriptor's schema.
export interface ActionnerDescriptor<P = unknown> {
  /** `category:name`; also the Temporal activity type. */
  readonly name: string;
  readonly category: string;
  readonly description: string;
  /** The only source of parameter types and defaults. */
  readonly params: z.ZodType<P>;
  readonly needsOutput: boolean;
  readonly allowsOutput: boolean;
  /** Whether the rule's next action runs after this one when `continue` is not set. */
  readonly defaultContinue: boolean;
  readonly usesContext: boolean;
  readonly permissions: Permissions;
  /** A YAML rule snippet. */
  readonly example: string;
  /** Default start-to-close timeout of one attempt (Temporal duration string). */
  readonly timeout: string;
  /** Checks before run (reference §1.4); throw a classified error to fail. */
  checks?(input: ActionInput<P>, deps: Deps): Promise<void>;
  run(input: ActionInput<P>, deps: Deps): Promise<ActionResult>;
}

/** Where a stored artifact ended up; this (not the bytes) goes into history and notifications. */
export interface StoredArtifact {
  readonly location: string;
  readonly size: number;
  readonly sha256: string;
}

export interface OutputResult extends StoredArtifact {
  readonly result: string;
  readonly objects: { readonly [key: string]: string };
}

export interface OutputInput<P> {
  readonly parameters: P;
  readonly artifact: Artifact;
  /** The action's result objects (pod, namespace…) used for key naming. */
  readonly objects: { readonly [key: string]: string };
  readonly event: FalcoEvent;
}

export interface OutputDescriptor<P = unknown> {
  readonly name: string;
  readonly category: string;
  readonly description: string;
  readonly params: z.ZodType<P>;
  readonly permissions: Permissions;
  readonly example: string;
  checks?(parameters: P, deps: Deps): Promise<void>;
  store(input: OutputInput<P>, deps: Deps): Promise<OutputResult>;
}

/** What a notifier receives (reference §8.1), plus the stored artifact's location and checksum. */
export interface Report {
  readonly message: 'action' | 'output';
  readonly status: 'success' | 'failure' | 'ignored';
  readonly rule?: string;
  readonly action?: string;
  readonly actionner?: string;
  readonly event?: string;
  readonly objects: { readonly [key: string]: string };
  readonly error?: string;
  /** The actionner's or output's result text (`the pod 'x' … has been terminated`). */
  readonly result?: string;
  readonly output?: string;
  readonly outputTarget?: string;
  readonly category?: string;
  readonly traceId?: string;
  readonly artifact?: StoredArtifact;
}

export interface NotifierDescriptor<C = unknown> {
  readonly name: string;
  readonly description: string;
  /** Schema of `notifiers.<name>` in the configuration. */
  readonly config: z.ZodType<C>;
  readonly permissions: Permissions;
  readonly example: string;
  send(report: Report, config: C, deps: Deps): Promise<void>;
}

export type { Json };
