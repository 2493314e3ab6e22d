/**
 * Falco's text prefix `HH:MM:SS.nnnnnnnnn: Priority `. Longer names come first and a word boundary
 * must follow, so `Informational` is not cut after `Info` and `CriticalX` is not a priority (the
 * reference's alternation got both wrong, see reference §1.2 and §11.6).
 */
const PREFIX = /^\d{2}:\d{2}:\d{2}\.\d{9}: (?:Informational|Emergency|Critical|Warning|Notice|Alert|Error|Debug|Info)\b ?/i;

/**
 * Removes leading whitespace (as Falco Talon trims it) and Falco's time-and-priority prefix with one
 * following space, so that the same alert raised at different times yields the same text (the
 * deduplication key). Any other format is left untouched.
 */
export function stripOutputPrefix(output: string): string {
  return output.trimStart().replace(PREFIX, '');
}
