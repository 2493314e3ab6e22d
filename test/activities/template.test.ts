import { describe, expect, it } from 'vitest';
import { expand, expandJson, shellEnvironment, templateVariables } from '../../activities/template.ts';
import { falcoEvent } from '../support/fixtures.ts';

const event = falcoEvent({
  output_fields: { 'proc.args[0]': '-c', 'fd.name': '/etc/shadow', 'fd.sport': 4444, 'proc.name': '$(rm -rf /)' },
  tags: ['a', 'b'],
});
const context = { 'falco-talon.rule': 'Isolate', 'node.hostname': 'n1' };

describe('templates (reference §5.2, without the process environment)', () => {
  it('names output fields, context keys and event fields as Talon does', () => {
    const vars = templateVariables(event, context);
    expect(vars).toMatchObject({
      PROC_ARGS_0: '-c',
      FD_NAME: '/etc/shadow',
      FD_SPORT: '4444',
      'FALCO-TALON_RULE': 'Isolate',
      NODE_HOSTNAME: 'n1',
      PRIORITY: 'Warning',
      HOSTNAME: 'node-1',
      RULE: 'Terminal shell in container',
      SOURCE: 'syscall',
      TAGS: 'a,b',
    });
  });

  it('expands $NAME, ${NAME}, ${NAME:-default} and $$, and leaves shell specials alone', () => {
    const vars = { A: 'x', 'FALCO-TALON_RULE': 'r' };
    expect(expand('$A ${A} ${FALCO-TALON_RULE} ${MISSING:-d} $MISSING. $$HOME $? $1 $(date) end$', vars)).toBe('x x r d . $HOME $? $1 $(date) end$');
  });

  it('expands inside JSON values only, so an alert value cannot break out of its string', () => {
    const body = expandJson({ title: 'Shell by ${PROC_NAME}', list: ['${FD_NAME}'], n: 1 }, templateVariables(event, context));
    expect(JSON.stringify(body)).toBe('{"title":"Shell by $(rm -rf /)","list":["/etc/shadow"],"n":1}');
  });

  it('gives shells the values as environment variables with shell-safe names', () => {
    const env = shellEnvironment(event, context);
    expect(env.PROC_NAME).toBe('$(rm -rf /)');
    expect(env.FALCO_TALON_RULE).toBe('Isolate');
  });

  it('does not leak a field from one event into the next', () => {
    expect(templateVariables(falcoEvent({ output_fields: {} }), {}).FD_NAME).toBeUndefined();
  });
});
