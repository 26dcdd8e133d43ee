import { inject } from 'vitest';
import { runCli } from '../../lib/cli/postbox-cli.ts';

export interface CliRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** Runs `postbox` in-process on the payments test topology against the emulator; `answer` plays the user at a prompt. */
export async function postbox(stage: string, args: string[], options: { answer?: boolean; endpoint?: string } = {}): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(
    ['--endpoint', options.endpoint ?? inject('awsEndpoint'), '--stage', stage, '--topology', 'test/helpers/payments-topology.ts', ...args],
    {
      out: (text) => out.push(text),
      err: (text) => err.push(text),
      interactive: false,
      ...(options.answer !== undefined && { confirm: async () => options.answer! }),
    },
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}
