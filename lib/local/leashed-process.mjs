// Runs a server on a leash: `node leashed-process.mjs <parent pid> <command> [args...]`.
// Servers run in a process group of their own (a terminal's Ctrl-C must not stop them before the handlers they
// serve settle), so a SIGKILLed parent would leave them running: this process checks every second that its parent
// is alive and stops the server when it is not. SIGTERM and SIGINT are passed on; it exits with the server.
import { spawn } from 'node:child_process';

const [parentText, command, ...args] = process.argv.slice(2);
const parent = Number(parentText);
if (!Number.isInteger(parent) || parent <= 0 || !command) {
  console.error('usage: node leashed-process.mjs <parent pid> <command> [args...]');
  process.exit(2);
}

const child = spawn(command, args, { stdio: 'inherit' });
child.on('error', (error) => {
  console.error(String(error));
  process.exit(1);
});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => child.kill(signal));

const parentAlive = () => {
  try {
    process.kill(parent, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
};
setInterval(() => {
  if (parentAlive()) return;
  child.kill('SIGTERM');
  setTimeout(() => child.kill('SIGKILL'), 5000).unref();
}, 1000);
