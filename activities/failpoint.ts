/**
 * Fault injection for the re-run tests (test/e2e/rerun.test.ts), in the manner of etcd's failpoints:
 * `TALON_FAILPOINT_CRASH_AFTER=<actionner>[,<actionner>…]` (a notifier as `notifier:<name>`) kills
 * this process outright (SIGKILL) after such an action's first attempt has done its work and stored
 * its artifact, or a notification's first attempt was delivered, before Temporal hears of it — a power loss at the worst moment. Never set in production: it is read only here.
 */
export function crashAfterSideEffect(activityType: string, attempt: number): void {
  const names = process.env.TALON_FAILPOINT_CRASH_AFTER;
  if (attempt === 1 && names && names.split(',').includes(activityType)) process.kill(process.pid, 'SIGKILL');
}
