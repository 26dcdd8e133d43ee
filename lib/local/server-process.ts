import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { EmulatorStartError } from './local-errors.ts';

const LEASH = fileURLToPath(new URL('./leashed-process.mjs', import.meta.url));

/** A local server process on the loopback interface. */
export interface RunningServer {
  /** Base URL for the AWS SDK's `endpoint` (or `AWS_ENDPOINT_URL`). */
  readonly endpoint: string;
  readonly port: number;
  /** Stops the server and waits for it to exit. */
  stop(): Promise<void>;
}

export interface ServerProcessOptions {
  readonly command: string;
  readonly args: (port: number) => string[];
  /** The server answers when a request to this path (any status) comes back. */
  readonly probePath: string;
  /** @default a free port chosen by the system */
  readonly port?: number;
  readonly startTimeoutMs: number;
  /** @default this process's environment */
  readonly env?: NodeJS.ProcessEnv;
}

/** Starts a server process on 127.0.0.1 and resolves once it answers HTTP. */
export async function startServerProcess(options: ServerProcessOptions): Promise<RunningServer> {
  const port = options.port ?? (await freePort());
  // A process group of its own: a terminal's Ctrl-C goes to the whole foreground group, and the server must
  // keep answering while the handlers it serves settle; the process that started it stops it, last.
  // On a leash (leashed-process.mjs), since out of this process's group it would outlive a SIGKILL of this process.
  const child = spawn(process.execPath, [LEASH, String(process.pid), options.command, ...options.args(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: options.env ?? process.env,
    detached: true,
  });
  let output = '';
  const keepTail = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-2000);
  };
  child.stdout.on('data', keepTail);
  child.stderr.on('data', keepTail);
  child.on('error', (error) => keepTail(Buffer.from(String(error))));
  // Out of this process's group, the server must not outlive it: killed on exit, a crash (an uncaught error) included.
  const killOnExit = () => killGroup(child);
  process.once('exit', killOnExit);
  child.once('exit', () => process.removeListener('exit', killOnExit));
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilAnswering(`${endpoint}${options.probePath}`, child, options.startTimeoutMs);
  } catch (error) {
    killGroup(child);
    throw new EmulatorStartError((error as Error).message, output.trim());
  }
  return { endpoint, port, stop: () => stopProcess(child) };
}

async function waitUntilAnswering(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited with code ${child.exitCode}`);
    try {
      const response = await fetch(url);
      await response.body?.cancel();
      return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no answer from ${url} within ${timeoutMs} ms`);
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => killGroup(child), 5000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** SIGKILLs the leash and the server with it: they are a process group of their own, and a SIGKILLed leash passes nothing on. */
function killGroup(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    // Gone already.
  }
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
