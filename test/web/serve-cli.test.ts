// `netspec serve` as a user starts it: bad arguments are user errors, it prints its URL,
// serves the built page, and Ctrl-C (SIGINT) ends a running training cleanly and exits 0.
import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { readEvents, request } from "./helpers.ts";

const netspec = (...args: string[]) => spawnSync(process.execPath, ["compiler/bin.mjs", ...args], { encoding: "utf8", timeout: 60_000 });

describe("netspec serve", () => {
  it("refuses bad arguments with a message and exit 1", () => {
    const missing = netspec("serve", "specs/nope.yaml", "--port", "0");
    expect(missing.stderr).toBe("netspec: error: specs/nope.yaml: no such file or folder\n");
    expect(missing.status).toBe(1);
    const notSpec = netspec("serve", "package.json", "--port", "0");
    expect(notSpec.stderr).toBe("netspec: error: package.json: is not a .yaml spec\n");
    const port = netspec("serve", "--port", "http");
    expect(port.stderr).toBe("netspec: error: --port must be a whole number from 0 to 65535 (got 'http')\n");
    expect(port.status).toBe(1);
  });

  it("prints its URL, serves the built page, and on SIGINT ends trainings and exits 0", async () => {
    const child = spawn(process.execPath, ["compiler/bin.mjs", "serve", "specs/iris.yaml", "--port", "0"], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "", stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      const deadline = Date.now() + 60_000;
      while (!/http:\/\/\S+/.test(stdout) && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 100));
      const url = /netspec dashboard: (http:\/\/127\.0\.0\.1:\d+\/) \(1 spec; Ctrl-C stops\)/.exec(stdout)?.[1];
      expect(url, stderr).toBeDefined();
      expect((await request(url!, "/api/specs")).body).toEqual({ specs: ["specs/iris.yaml"] });
      // The page Vite built: its script is served.
      const html = (await request(url!, "/")).body.text as string;
      const script = /<script type="module" crossorigin src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
      expect(script, html).toBeDefined();
      const js = await fetch(new URL(script!, url));
      expect(js.headers.get("content-type")).toMatch(/^text\/javascript/);
      expect((await js.text()).length).toBeGreaterThan(10_000);

      const long = readFileSync("specs/iris.yaml", "utf8").replace(/epochs: \d+/, "epochs: 1000000").replace(/\n\s*stop_below:[^\n]*/, "");
      const { body } = await request(url!, "/api/runs", { json: { path: "specs/iris.yaml", source: long } });
      const events = readEvents(url!, `/api/runs/${body.id}/events`);
      await new Promise((r) => setTimeout(r, 500));
      child.kill("SIGINT");
      const last = (await events).at(-1)!;
      expect(last.type).toBe("done");
      expect((last.data.summary as { stopped: string }).stopped).toBe("aborted");
      expect(await exited).toBe(0);
      expect(stdout).toContain("stopping: ending running trainings\nstopped\n");
      expect(stderr).toBe("");
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  }, 90_000);
});
