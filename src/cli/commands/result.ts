/** Output of a command: text for stdout, text for stderr, exit code. */
export interface CommandResult {
  stdout: string;
  stderr: string;
  code: number;
}
