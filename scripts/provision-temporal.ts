// Run by `npm install` (postinstall): makes sure the Temporal CLI that runs the embedded dev server
// is present, installing the pinned release into the tools cache when it is not. Idempotent.
import { ensureTemporalCli, TEMPORAL_CLI_VERSION } from '../src/temporal/cli-binary.ts';

try {
  const { path, source } = await ensureTemporalCli();
  console.log(`talon: Temporal CLI ready (${source}): ${path}`);
} catch (error) {
  console.error(`talon: ${error instanceof Error ? error.message : String(error)}`);
  console.error(`talon: the embedded Temporal dev server (CLI ${TEMPORAL_CLI_VERSION}) is required to run and test; see README "Quick start".`);
  process.exit(1);
}
