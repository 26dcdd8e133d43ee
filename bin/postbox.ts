#!/usr/bin/env node
import { createInterface } from 'node:readline/promises';
import { runCli } from '../lib/cli/postbox-cli.ts';

const interactive = Boolean(process.stdin.isTTY && process.stderr.isTTY);
process.exitCode = await runCli(process.argv.slice(2), {
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
