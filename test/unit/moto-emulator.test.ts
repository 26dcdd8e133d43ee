import { describe, expect, it } from 'vitest';
import { EmulatorNotInstalledError, EmulatorStartError } from '../../lib/local/local-errors.ts';
import { startMotoEmulator } from '../../lib/local/moto-emulator.ts';

describe('startMotoEmulator', () => {
  it('says how to install the emulator when it is missing', async () => {
    await expect(startMotoEmulator({ executable: '/nonexistent/moto_server' })).rejects.toThrowError(
      new EmulatorNotInstalledError('/nonexistent/moto_server'),
    );
    expect(new EmulatorNotInstalledError('/x').message).toBe(
      "The AWS emulator is not installed (no /x). Run 'npm run emulator:install' and try again.",
    );
  });

  it('reports a server that exits instead of answering', async () => {
    const error = await startMotoEmulator({ executable: '/bin/false', startTimeoutMs: 5000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EmulatorStartError);
    expect((error as EmulatorStartError).message).toBe('The AWS emulator did not start: the server exited with code 1.');
  });
});
