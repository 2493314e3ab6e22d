import { readFileSync } from 'node:fs';
import { packageRoot } from '../../package-root.ts';
import { TEMPORAL_CLI_VERSION } from '../../temporal/cli-binary.ts';

/** `talon version`, tab-aligned like Talon's. */
export function versionText(): string {
  const pkg: unknown = JSON.parse(readFileSync(new URL('package.json', packageRoot()), 'utf8'));
  const version = typeof pkg === 'object' && pkg !== null && 'version' in pkg ? String(pkg.version) : 'unknown';
  const rows = [
    ['Version', version],
    ['NodeVersion', process.version],
    ['TemporalCLI', TEMPORAL_CLI_VERSION],
    ['Platform', `${process.platform}/${process.arch}`],
  ];
  return rows.map(([k, v]) => `${`${k}:`.padEnd(14)}${v}\n`).join('');
}
