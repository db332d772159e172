/**
 * Settings of the bench's commands and their workers, from the environment. A command ends on a bad value
 * (or any other failure before it runs) with one line naming it and exit code 2.
 */

/** A positive whole number from the environment, or `fallback` when unset; throws naming the variable. */
export function positiveInteger(
  env: Record<string, string | undefined>,
  name: string,
  fallback: number,
): number {
  const raw = env[name];
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return value;
}

/** `fail` ends the command `command` with one line on stderr; `setting` reads a positive whole number or fails. */
export function commandSettings(command: string) {
  const fail = (message: string): never => {
    process.stderr.write(`${command}: ${message}\n`);
    process.exit(2);
  };
  const setting = (name: string, fallback: number): number => {
    try {
      return positiveInteger(process.env, name, fallback);
    } catch (error) {
      return fail((error as Error).message);
    }
  };
  return { fail, setting };
}
