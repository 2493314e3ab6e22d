import { z } from 'zod';
import type { OutputSpec } from '../../src/contract/index.ts';

const params = z
  .object({
    destination: z.string().min(1).describe("Folder on the worker's disk; `${VAR}` is expanded from the worker's environment."),
  })
  .strict();

export type LocalFileParams = z.infer<typeof params>;

/** `local:file`: writes the artifact into a folder of the worker's filesystem, mode 0600. */
export const localFileSpec: OutputSpec<LocalFileParams> = {
  name: 'local:file',
  category: 'local',
  description: "Store the artifact as a file in a folder of the worker's filesystem",
  params,
  rerun: 'Writes the artifact again under a new name (`<key>_1`): a file is never overwritten.',
  permissions: {},
  example: `output:
  target: local:file
  parameters:
    destination: /var/lib/talon/artifacts
`,
};
