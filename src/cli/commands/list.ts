import { stringify } from 'yaml';
import { z } from 'zod';
import { actionners, notifiers, outputs } from '../../../activities/registry.ts';
import type { Permissions } from '../../../activities/types.ts';

/** `GET | POST`, `integer`, `integer | string` (a union), else `any`. */
function typeText(prop: object): string {
  if ('enum' in prop && Array.isArray(prop.enum)) return prop.enum.join(' | ');
  if ('type' in prop) return Array.isArray(prop.type) ? prop.type.join(' | ') : String(prop.type);
  const union = 'anyOf' in prop && Array.isArray(prop.anyOf) ? prop.anyOf : 'oneOf' in prop && Array.isArray(prop.oneOf) ? prop.oneOf : undefined;
  if (union) return [...new Set(union.map((member: unknown) => (typeof member === 'object' && member !== null ? typeText(member) : 'any')))].join(' | ');
  return 'any';
}

/** Parameter table from a zod schema: the schema is the one source of types and defaults. */
function parameterDocs(schema: z.ZodType): Record<string, string> {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  const properties = typeof json.properties === 'object' ? json.properties : {};
  const required = new Set(Array.isArray(json.required) ? json.required : []);
  const docs: Record<string, string> = {};
  for (const [name, prop] of Object.entries(properties)) {
    if (typeof prop !== 'object' || prop === null) continue;
    const type = typeText(prop);
    const fallback = 'default' in prop ? ` (default: ${JSON.stringify(prop.default)})` : '';
    docs[name] = `${type}${fallback}${required.has(name) ? ' (required)' : ''}`;
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
        permissions: permissionDocs(a.permissions),
        parameters: parameterDocs(a.params),
        example: a.example,
      }),
    )
    .join('');
}

export function listOutputs(): string {
  return outputs
    .map((o) => print(o.name, { name: o.name.split(':')[1], category: o.category, description: o.description, permissions: permissionDocs(o.permissions), parameters: parameterDocs(o.params), example: o.example }))
    .join('');
}

export function listNotifiers(): string {
  return notifiers
    .map((n) => print(n.name, { name: n.name, description: n.description, permissions: permissionDocs(n.permissions), parameters: parameterDocs(n.config), example: n.example }))
    .join('');
}
