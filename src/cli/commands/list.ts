import { stringify } from 'yaml';
import type { z } from 'zod';
import { actionnerSpecs as actionners, notifierSpecs as notifiers, outputSpecs as outputs } from '../../../activities/specs.ts';
import type { Permissions } from '../../contract/index.ts';
import { fieldRows } from '../../docs/schema-rows.ts';

/** Parameter table from a zod schema: the schema is the one source of types and defaults. */
function parameterDocs(schema: z.ZodType): Record<string, string> {
  const docs: Record<string, string> = {};
  for (const row of fieldRows(schema)) {
    docs[row.name] = `${row.type}${row.default !== undefined ? ` (default: ${row.default})` : ''}${row.required ? ' (required)' : ''}`;
  }
  return docs;
}

function permissionDocs(permissions: Permissions) {
  return { ...(permissions.kubernetes ? { kubernetes: permissions.kubernetes } : {}), ...(permissions.iam ? { iam: permissions.iam } : {}) };
}

function print(name: string, doc: Record<string, unknown>): string {
  return `--- ${name} ---\n${stringify(doc, { lineWidth: 0 })}`;
}

/** `talon actionners list`, as Talon prints it: `--- name ---` then YAML. */
export function listActionners(): string {
  return actionners
    .map((a) =>
      print(a.name, {
        name: a.name.split(':')[1],
        category: a.category,
        description: a.description,
        continue: a.defaultContinue,
        use_context: a.usesContext,
        allow_output: a.allowsOutput,
        require_output: a.needsOutput,
        timeout: a.timeout,
        lane: a.lane ?? a.category,
        rerun: a.rerun,
        ...(a.undo ? { expire_after: a.undo } : {}),
        permissions: permissionDocs(a.permissions),
        parameters: parameterDocs(a.params),
        example: a.example,
      }),
    )
    .join('');
}

export function listOutputs(): string {
  return outputs
    .map((o) =>
      print(o.name, {
        name: o.name.split(':')[1],
        category: o.category,
        description: o.description,
        permissions: permissionDocs(o.permissions),
        parameters: parameterDocs(o.params),
        example: o.example,
      }),
    )
    .join('');
}

export function listNotifiers(): string {
  return notifiers
    .map((n) =>
      print(n.name, {
        name: n.name,
        description: n.description,
        permissions: permissionDocs(n.permissions),
        parameters: parameterDocs(n.config),
        example: n.example,
      }),
    )
    .join('');
}
