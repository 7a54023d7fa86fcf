import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";

export interface StartChildOptions {
  /** Shown in messages. */
  name: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Reads the port from the child's first stdout line; null when the line is not the expected one. */
  parsePort: (firstLine: string) => number | null;
  startTimeoutMs?: number;
}

export interface Child {
  name: string;
  pid: number;
  port: number;
  /** Every stdout and stderr line so far, oldest first (the last few hundred). */
  output(): string[];
  /** False once the process has exited. */
  alive(): boolean;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code (null when killed). */
  stop(graceMs?: number): Promise<number | null>;
}

const running = new Set<ChildProcess>();

// Last resort: a bench that dies anyway must not leave servers behind.
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/**
 * Starts `node <args>` as its own process (so it does not share the load generator's event loop)
 * and resolves once its first stdout line names the port it listens on.
 */
export function startChild(options: StartChildOptions): Promise<Child> {
  const proc = spawn(process.execPath, options.args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(proc);
  const lines: string[] = [];
  const keep = (prefix: string) => (line: string) => {
    lines.push(`${prefix}${line}`);
    if (lines.length > 400) lines.splice(0, lines.length - 400);
  };
  // Both pipes are read to the end: a child blocked on a full pipe would skew the figures.
  createInterface({ input: proc.stderr }).on("line", keep("stderr: "));
  const stdout = createInterface({ input: proc.stdout });
  stdout.on("line", keep(""));
  const exited = new Promise<number | null>((resolve) => {
    // "close", not "exit": by then both pipes are read, so a start failure shows all the child said.
    proc.once("close", (code) => {
      running.delete(proc);
      resolve(code);
    });
  });

  const stop = async (graceMs = 10_000): Promise<number | null> => {
    if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
    proc.kill("SIGTERM");
    const timer = setTimeout(() => proc.kill("SIGKILL"), graceMs);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };

  return new Promise<Child>((resolve, reject) => {
    const fail = (why: string): void => {
      clearTimeout(timer);
      void stop(1_000).then(() => reject(new Error(`${options.name} did not start: ${why}\n${lines.map((l) => `  | ${l}`).join("\n")}`)));
    };
    const timer = setTimeout(() => fail(`no port within ${options.startTimeoutMs ?? 20_000} ms`), options.startTimeoutMs ?? 20_000);
    void exited.then((code) => fail(`exited with code ${String(code)}`));
    stdout.once("line", (line) => {
      const port = options.parsePort(line);
      if (port === null) {
        fail(`unexpected first line: ${line}`);
        return;
      }
      clearTimeout(timer);
      resolve({ name: options.name, pid: proc.pid ?? -1, port, output: () => [...lines], alive: () => proc.exitCode === null && proc.signalCode === null, stop });
    });
  });
}
