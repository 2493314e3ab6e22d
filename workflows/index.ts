// The worker's workflow bundle entry point: deterministic code only.
export { playbook, progressQuery } from './playbook.ts';
export { containment } from './containment.ts';
export { budget, pauseSwitch } from './governor.ts';
