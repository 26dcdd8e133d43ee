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

/** Starts a process that starts the embedded emulator, then does `then`; resolves to the owner and the emulator's endpoint. */
async function emulatorOwner(then: string) {
  const script = `const m = await import('./lib/local/embedded-emulator.ts'); const e = await m.startEmbeddedEmulator(); console.log('endpoint ' + e.endpoint); ${then}`;
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
  return { owner, endpoint };
}

/** Waits (at most 15 s) until nothing answers at the endpoint. */
async function stopsAnswering(endpoint: string): Promise<boolean> {
  const deadline = Date.now() + 15_000;
  while ((await answers(endpoint)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 250));
  return !(await answers(endpoint));
}

it('stops the embedded emulator, which runs outside its process group, when the process that started it is SIGKILLed', async () => {
  const { owner, endpoint } = await emulatorOwner('setInterval(() => {}, 1000);');
  expect(await answers(endpoint)).toBe(true);
  owner.kill('SIGKILL');
  expect(await stopsAnswering(endpoint)).toBe(true);
}, 60_000);

it('stops the embedded emulator when the process that started it exits without stopping it', async () => {
  const { endpoint } = await emulatorOwner("setTimeout(() => process.exit(3), 200);");
  expect(await stopsAnswering(endpoint)).toBe(true);
}, 60_000);
