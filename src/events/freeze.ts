/**
 * Freezes a value and everything reachable from it. Parsed inputs (events, configuration) are shared
 * by every handler; freezing them turns an accidental mutation into an immediate TypeError instead
 * of a value that silently differs between actions.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
