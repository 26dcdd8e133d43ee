import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EmulatorNotInstalledError, EmulatorStartError } from './local-errors.ts';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface MotoEmulatorOptions {
  /**
   * Port to listen on.
   * @default a free port chosen by the system
   */
  readonly port?: number;
  /**
   * The moto_server executable.
   * @default .emulator/venv/bin/moto_server, installed by `npm run emulator:install`
   */
  readonly executable?: string;
  /**
   * How long to wait for the server to answer.
   * @default 30_000 ms
   */
  readonly startTimeoutMs?: number;
}

/** A running moto server on the loopback interface. */
export interface RunningEmulator {
  /** Base URL for the AWS SDK's `endpoint` (or `AWS_ENDPOINT_URL`). */
  readonly endpoint: string;
  readonly port: number;
  /** Stops the server and waits for it to exit. */
  stop(): Promise<void>;
}

/**
 * Starts moto's server, the AWS emulator that tests and `npm start` talk to,
 * on 127.0.0.1. Resolves once it answers HTTP.
 */
export async function startMotoEmulator(options: MotoEmulatorOptions = {}): Promise<RunningEmulator> {
  const executable = options.executable ?? path.join(projectRoot, '.emulator/venv/bin/moto_server');
  if (!existsSync(executable)) throw new EmulatorNotInstalledError(executable);
  const port = options.port ?? (await freePort());
  const child = spawn(executable, ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keepTail = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-2000);
  };
  child.stdout.on('data', keepTail);
  child.stderr.on('data', keepTail);
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilAnswering(endpoint, child, options.startTimeoutMs ?? 30_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw new EmulatorStartError((error as Error).message, output.trim());
  }
  return { endpoint, port, stop: () => stopProcess(child) };
}

async function waitUntilAnswering(endpoint: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited with code ${child.exitCode}`);
    try {
      const response = await fetch(`${endpoint}/moto-api/data.json`);
      await response.body?.cancel();
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no answer from ${endpoint} within ${timeoutMs} ms`);
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
