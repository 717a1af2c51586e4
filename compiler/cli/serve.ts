// `netspec serve [specs...] [--port N] [--host H]`: the training dashboard (web/). Builds the
// page, listens on 127.0.0.1 unless --host says otherwise, prints the URL, and serves until
// Ctrl-C, which aborts running trainings between epochs and exits 0.

import type { Command } from "commander";
import { guard, usage } from "./run.ts";

interface ServeFlags {
  port: string;
  host: string;
}

export function registerServe(program: Command): void {
  const cmd = program
    .command("serve")
    .description("open a dashboard: each spec's explain table and graph, an editor that validates as you type, training with live curves")
    .argument("[specs...]", "spec files or folders (default: specs/)")
    .option("--port <n>", "port to listen on (0: any free port)", "8080")
    .option("--host <address>", "address to listen on; anything but loopback exposes the dashboard to your network", "127.0.0.1");
  cmd.action(guard(() => cmd, (specs: string[], flags: ServeFlags) => run(specs, flags)));
}

async function run(args: string[], flags: ServeFlags): Promise<void> {
  const port = Number(flags.port);
  if (!/^\d+$/.test(flags.port) || port > 65535) return usage(`--port must be a whole number from 0 to 65535 (got '${flags.port}')`);
  // Loaded here, not at the top: the other commands never pay for Vite.
  const { servedSpecs } = await import("../../web/server/specs.ts");
  let served;
  try {
    served = servedSpecs(args);
  } catch (e) {
    return usage((e as Error).message);
  }
  const { buildPage } = await import("../../web/server/build.ts");
  const { startDashboard } = await import("../../web/server/server.ts");
  const page = await buildPage();
  let dashboard;
  try {
    dashboard = await startDashboard({ served, page, host: flags.host, port });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE" || code === "EACCES" || code === "EADDRNOTAVAIL" || code === "ENOTFOUND") {
      return usage(`cannot listen on ${flags.host}:${port}: ${(e as Error).message}`);
    }
    throw e;
  }
  if (!["127.0.0.1", "localhost", "::1"].includes(flags.host)) {
    process.stderr.write(`netspec: warning: listening on ${flags.host}: anyone who can reach it can read the served specs and train on this machine\n`);
  }
  process.stdout.write(`netspec dashboard: ${dashboard.url} (${served.specs.size} spec${served.specs.size === 1 ? "" : "s"}; Ctrl-C stops)\n`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop).off("SIGTERM", stop);
      process.stdout.write("stopping: ending running trainings\n");
      void dashboard.close().then(resolve);
    };
    process.on("SIGINT", stop).on("SIGTERM", stop);
  });
  // Whatever else still holds the event loop (an idle browser connection), the server is done.
  await new Promise<void>((resolve) => process.stdout.write("stopped\n", () => resolve()));
  process.exit(0);
}
