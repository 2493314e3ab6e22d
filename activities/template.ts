import type { FalcoEvent, Json, TalonContext } from '../src/contract/index.ts';

/** `proc.args[0]` → `PROC_ARGS_0`, as Talon names output fields in templates. */
function fieldVariable(key: string): string {
  return key.toUpperCase().replaceAll('.', '_').replaceAll('[', '_').replaceAll(']', '');
}

function render(value: Json): string {
  if (typeof value === 'string') return value;
  if (value === null) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/**
 * The variables a template may use (reference §5.2), built per event — never from the process
 * environment, so no value leaks from one alert to the next.
 */
export function templateVariables(event: FalcoEvent, context: TalonContext): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const [key, value] of Object.entries(event.output_fields)) vars[fieldVariable(key)] = render(value);
  for (const [key, value] of Object.entries(context)) vars[key.toUpperCase().replaceAll('.', '_')] = value;
  vars.PRIORITY = event.priority;
  vars.HOSTNAME = event.hostname;
  vars.RULE = event.rule;
  vars.SOURCE = event.source;
  vars.TAGS = event.tags.join(',');
  return vars;
}

/**
 * Expands `$NAME`, `${NAME}` and `${NAME:-default}` from `vars`; unknown names expand to "" (or the
 * default). `$$` is a literal `$`. Unlike Go's os.ExpandEnv, `$?`, `$1`, `$(`… are left as written,
 * so shell snippets survive. `encode` is applied to each value taken from `vars` (alert data), not
 * to the rule's own text or defaults.
 */
export function expand(text: string, vars: Readonly<Record<string, string>>, encode: (value: string) => string = (value) => value): string {
  return text.replace(
    /\$\$|\$\{([^}:]+)(?::-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (match, braced: string | undefined, fallback: string | undefined, bare: string | undefined) => {
      if (match === '$$') return '$';
      const name = braced ?? bare ?? '';
      const value = vars[name];
      if (value !== undefined && value !== '') return encode(value);
      return fallback ?? '';
    },
  );
}

/** Expands every string inside a JSON value; the result is re-serialised, so values cannot inject. */
export function expandJson(value: Json, vars: Readonly<Record<string, string>>): Json {
  if (typeof value === 'string') return expand(value, vars);
  if (Array.isArray(value)) return value.map((item: Json) => expandJson(item, vars));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expandJson(v, vars)]));
  }
  return value;
}

/**
 * Environment for a shell command: alert values reach the shell as variables that the shell itself
 * expands, never spliced into the script text, so `$(rm -rf /)` in a process name stays data.
 */
export function shellEnvironment(event: FalcoEvent, context: TalonContext): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(templateVariables(event, context))) {
    // Shell variable names cannot contain '-' (e.g. FALCO-TALON_RULE); offer FALCO_TALON_RULE too.
    env[name.replaceAll('-', '_')] = value;
  }
  return env;
}
