import { createInterface } from 'node:readline/promises';
import { runCli } from './postbox-cli.ts';

/** The `postbox` process: runs the command of its arguments on this terminal and sets the exit code. */
export async function postboxMain(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const interactive = Boolean(process.stdin.isTTY && process.stderr.isTTY);
  process.exitCode = await runCli(argv, {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    interactive,
    ...(interactive && {
      confirm: async (question: string) => {
        const prompt = createInterface({ input: process.stdin, output: process.stderr });
        const answer = await prompt.question(question);
        prompt.close();
        return /^y(es)?$/i.test(answer.trim());
      },
    }),
  });
}
