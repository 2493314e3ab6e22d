import type { FalcoEvent, TalonContext } from '../../src/contract/index.ts';
import { shellEnvironment } from '../template.ts';

// Names a value must never set: they change how the shell or the programs it starts behave.
const RESERVED = /^(PATH|IFS|ENV|BASH_ENV|CDPATH|SHELLOPTS|BASHOPTS|GLOBIGNORE|PS[1-4]|OPTIND|OPTARG|LD_.*|BASH_FUNC.*)$/;
const SHELL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The argv that runs `script` with `shell -c` so that alert values are data: each template variable
 * (output fields, the Talon context, additional contexts — reference §5.2) is passed as a separate
 * argument and assigned to a shell variable by a prelude that contains only names, then exported.
 * `${FD_NAME}` in the script is expanded by the shell itself, after parsing, so a value such as
 * `$(touch /tmp/x)` or `'; rm -rf / #` is never read as shell code. Positional parameters are then
 * cleared (`$1` is empty, as in Talon). `${FALCO-TALON_RULE}` (not a shell name) is rewritten to
 * `${FALCO_TALON_RULE}`.
 */
export function shellArgv(shell: string, script: string, event: FalcoEvent, context: TalonContext): string[] {
  const env = shellEnvironment(event, context);
  const names = Object.keys(env).filter((name) => SHELL_NAME.test(name) && !RESERVED.test(name));
  const prelude = names.map((name, i) => `${name}="\${${i + 1}}"`);
  const body = script.replace(/\$\{([A-Za-z0-9_-]+)\}/g, (reference, name: string) => {
    return name.includes('-') ? `\${${name.replaceAll('-', '_')}}` : reference;
  });
  const head = names.length > 0 ? `${prelude.join('; ')}; export ${names.join(' ')}; set --\n` : 'set --\n';
  return [shell, '-c', `${head}${body}`, 'talon', ...names.map((name) => env[name] ?? '')];
}
