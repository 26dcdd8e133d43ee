import { spawn } from 'node:child_process';
import { expect, it } from 'vitest';

/** Whether anything answers HTTP at the endpoint. */
async function answers(endpoint: string): Promise<boolean> {
  try {
    const response = await fetch(endpoint, { signal: AbortSignal.timeout(1000) });
    await response.body?.cancel();
    return true;
  } catch {
    return false;
  }
}

it('stops the embedded emulator, which runs outside its process group, when the process that started it is SIGKILLed', async () => {
  const script = "const m = await import('./lib/local/embedded-emulator.ts'); const e = await m.startEmbeddedEmulator(); console.log('endpoint ' + e.endpoint); setInterval(() => {}, 1000);";
  const owner = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const endpoint = await new Promise<string>((resolve, reject) => {
    let output = '';
    owner.stdout!.on('data', (chunk: Buffer) => {
      output += chunk;
      const match = /endpoint (\S+)/.exec(output);
      if (match) resolve(match[1]!);
    });
    owner.once('exit', (code) => reject(new Error(`the owner exited with ${code} before starting the emulator`)));
  });
  expect(await answers(endpoint)).toBe(true);

  owner.kill('SIGKILL');
  const deadline = Date.now() + 15_000;
  while ((await answers(endpoint)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 250));
  expect(await answers(endpoint)).toBe(false);
}, 60_000);
