import { z } from 'zod';

/** One documented field of a zod object schema. */
export interface FieldRow {
  readonly name: string;
  /** `string`, `integer`, `GET | POST`, `string | integer`, `array`… */
  readonly type: string;
  readonly required: boolean;
  /** JSON text of the default, when the schema has one. */
  readonly default?: string;
  readonly description: string;
}

type JsonSchema = { readonly [key: string]: unknown };

const isObject = (value: unknown): value is JsonSchema => typeof value === 'object' && value !== null && !Array.isArray(value);

/** `GET | POST`, `integer`, `integer | string` (a union), `array of string`, else `any`. */
export function typeText(prop: JsonSchema): string {
  if (Array.isArray(prop.enum)) return prop.enum.map(String).join(' | ');
  if (prop.type === 'array' && isObject(prop.items)) return `array of ${typeText(prop.items)}`;
  if (typeof prop.type === 'string') return prop.type;
  if (Array.isArray(prop.type)) return prop.type.map(String).join(' | ');
  const union = Array.isArray(prop.anyOf) ? prop.anyOf : Array.isArray(prop.oneOf) ? prop.oneOf : undefined;
  if (union) return [...new Set(union.map((member: unknown) => (isObject(member) ? typeText(member) : 'any')))].join(' | ');
  return 'any';
}

/** The JSON Schema of a zod schema as a rule file or configuration writes it (input side). */
export function inputSchema(schema: z.ZodType): JsonSchema {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
}

/** The fields of an object schema, in declaration order: the one source of parameter docs. */
export function fieldRows(schema: z.ZodType): FieldRow[] {
  const json = inputSchema(schema);
  const properties = isObject(json.properties) ? json.properties : {};
  const required = new Set(Array.isArray(json.required) ? json.required : []);
  return Object.entries(properties).flatMap(([name, prop]) => {
    if (!isObject(prop)) return [];
    const description = typeof prop.description === 'string' ? prop.description : '';
    const fallback = 'default' in prop ? JSON.stringify(prop.default) : undefined;
    return [{ name, type: typeText(prop), required: required.has(name), default: fallback, description }];
  });
}
