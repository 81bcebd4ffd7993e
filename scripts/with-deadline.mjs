#!/usr/bin/env node
// Runs a command with a deadline: `node scripts/with-deadline.mjs <minutes> <what> -- <command…>`.
// A test run that hangs (a native library blocked inside a test, where no test timeout can fire)
// then fails after <minutes> and says so, instead of using up CI's whole time with no word.
import { spawn } from 'node:child_process';

const GRACE_MS = 5000;

const [minutes, what, dashes, command, ...args] = process.argv.slice(2);
if (!(Number(minutes) > 0) || !what || dashes !== '--' || !command) {
  console.error('usage: node scripts/with-deadline.mjs <minutes> <what> -- <command> [args…]');
  process.exit(2);
}

// Its own process group, so that the command's children (test workers) go with it.
const child = spawn(command, args, { stdio: 'inherit', detached: true, shell: false });
const signalGroup = (signal) => {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
};
let expired = false;
const timer = setTimeout(
  () => {
    expired = true;
    console.error(
      `\n${what} did not finish within ${minutes} minutes: stopped (something in it hangs; the ` +
        `output above shows what had finished).`,
    );
    signalGroup('SIGTERM');
    setTimeout(() => signalGroup('SIGKILL'), GRACE_MS).unref();
  },
  Number(minutes) * 60_000,
);
for (const signal of ['SIGINT', 'SIGTERM'])
  process.on(signal, () => {
    signalGroup(signal);
  });
child.on('error', (error) => {
  clearTimeout(timer);
  console.error(`${what}: could not start ${command}: ${error.message}`);
  process.exit(127);
});
child.on('exit', (code, signal) => {
  clearTimeout(timer);
  signalGroup('SIGKILL'); // stragglers the command left behind
  process.exit(expired ? 124 : (code ?? (signal ? 128 : 1)));
});
