import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort } from '../libs/testing';

export const root = join(__dirname, '..');

export interface BenchServer {
  url: string;
  child: ChildProcess;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => socket.end(() => resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/**
 * Starts a server process on a free port and waits until it accepts connections. The process is
 * killed if it does not come up, and when this process exits, even through process.exit().
 */
export async function startProcess(args: string[], env: NodeJS.ProcessEnv): Promise<BenchServer> {
  const port = await freePort();
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    // Log lines are discarded, as a log shipper would take them off the pipe.
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const killChild = () => child.kill('SIGKILL');
  process.on('exit', killChild);
  child.once('exit', () => process.off('exit', killChild));
  const server = { url: `http://127.0.0.1:${port}`, child };
  const deadline = Date.now() + 60_000;
  while (!(await accepts(port))) {
    const failure =
      child.exitCode !== null || child.signalCode !== null
        ? `exited with ${child.exitCode ?? child.signalCode}`
        : Date.now() > deadline
          ? `did not listen on ${port}`
          : undefined;
    if (failure !== undefined) {
      await stopProcess(server);
      throw new Error(`${args.join(' ')} ${failure}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return server;
}

export async function stopProcess(server: BenchServer): Promise<void> {
  const { child } = server;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

/**
 * Runs a bench, then every cleanup it registered, latest first, whether it returns, throws or is
 * interrupted (SIGINT, SIGTERM), so no gateway, fake server or temp folder outlives it.
 */
export async function runWithCleanup(
  bench: (onCleanup: (step: () => unknown) => void) => Promise<void>,
): Promise<void> {
  const steps: (() => unknown)[] = [];
  let cleaning: Promise<void> | undefined;
  const cleanUp = () =>
    (cleaning ??= (async () => {
      for (const step of steps.reverse()) {
        try {
          await step();
        } catch (error) {
          console.error(`cleanup failed: ${(error as Error).message}`);
        }
      }
    })());
  const interrupted = (signal: NodeJS.Signals) => {
    console.error(`\n${signal}: stopping`);
    void cleanUp().then(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    await bench((step) => steps.push(step));
  } finally {
    await cleanUp();
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
  }
}

/** A process's resident memory and its peak, in MiB, from /proc (Linux). */
export function memoryOf(pid: number): { rssMiB: number; peakMiB: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (field: string) =>
      Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
    return { rssMiB: kib('VmRSS') / 1024, peakMiB: kib('VmHWM') / 1024 };
  } catch {
    return undefined;
  }
}

export function median(numbers: number[]): number {
  const sorted = [...numbers].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The p-th percentile of numbers sorted ascending (nearest rank); NaN for none. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** One metric's sample lines in a Prometheus text exposition, as they stand. */
export function metricSamples(text: string, name: string): string[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `));
}

/** The sum of sample lines' values. */
export function sumOfSamples(lines: readonly string[]): number {
  return lines.reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}
