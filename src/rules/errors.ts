/** Where a problem is and what it is; the rule and action give context when known. */
export interface RuleErrorFields {
  readonly file: string;
  /** 1-based; 0 when the problem concerns the file as a whole (e.g. it cannot be read). */
  readonly line: number;
  readonly rule?: string;
  readonly action?: string;
  readonly reason: string;
  /**
   * `warning`: what Falco Talon silently ignores (an unknown parameter key, an item without `rule` or
   * `action`, a type mix between merged values). The file loads; `rules check --strict` fails on it.
   * @default 'error'
   */
  readonly severity?: 'error' | 'warning';
}

/**
 * One problem found while loading rule files. A value, not a thrown exception: loading collects
 * every problem of every file in one pass so that an operator fixes them all at once.
 */
export class RuleError implements RuleErrorFields {
  readonly file: string;
  readonly line: number;
  readonly rule?: string;
  readonly action?: string;
  readonly reason: string;
  readonly severity: 'error' | 'warning';

  constructor(fields: RuleErrorFields) {
    this.file = fields.file;
    this.line = fields.line;
    if (fields.rule !== undefined) this.rule = fields.rule;
    if (fields.action !== undefined) this.action = fields.action;
    this.reason = fields.reason;
    this.severity = fields.severity ?? 'error';
    Object.freeze(this);
  }

  /** `file:line: [warning: ]rule 'R', action 'A': reason`, leaving out the parts that are unknown. */
  toString(): string {
    const where = this.file === '' ? '' : this.line > 0 ? `${this.file}:${this.line}: ` : `${this.file}: `;
    const context = [this.rule === undefined ? undefined : `rule '${this.rule}'`, this.action === undefined ? undefined : `action '${this.action}'`].filter(
      (part) => part !== undefined,
    );
    const severity = this.severity === 'warning' ? 'warning: ' : '';
    return `${where}${severity}${context.length > 0 ? `${context.join(', ')}: ` : ''}${this.reason}`;
  }
}

/** One error per line, in the order given. */
export function formatRuleErrors(errors: readonly RuleError[]): string {
  return errors.map((error) => error.toString()).join('\n');
}

/**
 * Orders errors by file (in load order, unknown files last), then line, and drops exact duplicates
 * (two checks may find the same problem at the same place).
 */
export function sortRuleErrors(errors: readonly RuleError[], files: readonly string[]): RuleError[] {
  const fileRank = (file: string): number => {
    const index = files.indexOf(file);
    return index === -1 ? files.length : index;
  };
  const seen = new Set<string>();
  return errors
    .map((error, index) => ({ error, index }))
    .sort((a, b) => fileRank(a.error.file) - fileRank(b.error.file) || a.error.line - b.error.line || a.index - b.index)
    .map(({ error }) => error)
    .filter((error) => {
      const text = error.toString();
      if (seen.has(text)) return false;
      seen.add(text);
      return true;
    });
}
