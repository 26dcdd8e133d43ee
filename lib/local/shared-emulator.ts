import { startEmbeddedEmulator, type RunningEmulator } from './embedded-emulator.ts';

let running: Promise<RunningEmulator> | undefined;
let users = 0;

/**
 * The embedded emulator of this process, shared by its test systems: started on first use, stopped when its
 * last user lets go (and killed at exit, as every emulator is). Resolves to its endpoint, whether it serves
 * DynamoDB (fauxqs alone does not), and the release.
 */
export async function useSharedEmulator(): Promise<{ endpoint: string; dynamodb: boolean; release: () => Promise<void> }> {
  users += 1;
  const starting = (running ??= startEmbeddedEmulator());
  let emulator: RunningEmulator;
  try {
    emulator = await starting;
  } catch (error) {
    users -= 1;
    if (running === starting) running = undefined;
    throw error;
  }
  let released = false;
  return {
    endpoint: emulator.endpoint,
    dynamodb: emulator.dynamodb,
    release: async () => {
      if (released) return;
      released = true;
      users -= 1;
      if (users > 0 || running !== starting) return;
      running = undefined;
      await emulator.stop();
    },
  };
}
