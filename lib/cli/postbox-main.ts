import { createInterface } from 'node:readline/promises';
import { unsupportedNodeReason } from '../config/supported-node.ts';
import { ExitCode } from './cli-error.ts';
import { runCli } from './postbox-cli.ts';

/** The `postbox` process: runs the command of its arguments on this terminal and sets the exit code. */
export async function postboxMain(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const tooOld = unsupportedNodeReason(process.versions.node);
  if (tooOld) {
    process.stderr.write(`postbox: ${tooOld}\n`);
    process.exitCode = ExitCode.unavailable;
    return;
  }
  exitQuietlyOnClosedPipe(process.stdout);
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

/**
 * A reader that stops early (`postbox status | head`) closes the pipe: what is left unwritten has no reader, so the
 * process ends as it would have, rather than with an EPIPE stack trace.
 */
export function exitQuietlyOnClosedPipe(stream: NodeJS.EventEmitter, exit: (code: number) => void = (code) => process.exit(code)): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    exit(Number(process.exitCode ?? 0));
  });
}
