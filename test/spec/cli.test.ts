import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

const netspec = (...args: string[]) => spawnSync(process.execPath, ["compiler/bin.mjs", ...args], { encoding: "utf8" });

describe("netspec validate", () => {
  it("exits 0 and prints ok for valid specs", () => {
    const r = netspec("validate", "specs/iris.yaml");
    expect(r.status).toBe(0);
    expect(r.stdout).toBe("ok: specs/iris.yaml\n");
    expect(r.stderr).toBe("");
  });

  it("exits 1 with every error formatted, and no stack trace", () => {
    const bad = "test/fixtures/bad-specs/many-errors.yaml";
    const r = netspec("validate", "specs/iris.yaml", bad);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("ok: specs/iris.yaml\n");
    expect(r.stderr).toContain(`${bad}:3:8: error: input must be a positive integer (got -4)\n 3 | input: -4\n   |        ^\n`);
    expect(r.stderr).toContain(`${bad}:6:17: error: unknown activation 'rleu'; did you mean 'relu'?`);
    expect(r.stderr.match(/: error: /g)).toHaveLength(4);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it("reports a missing file as a user error", () => {
    const r = netspec("validate", "specs/nope.yaml");
    expect(r.status).toBe(1);
    expect(r.stderr).toBe("specs/nope.yaml:1:1: error: cannot read spec: no such file\n");
  });

  it("prints the JSON schema", () => {
    const r = netspec("schema");
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ type: "object", additionalProperties: false });
  });
});

describe("internal errors", () => {
  it("prints a short report, exit code 2, and the stack only with --debug", async () => {
    const { Command } = await import("commander");
    const { guard } = await import("../../compiler/cli/run.ts");
    const lines: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((s: string) => (lines.push(s), true)) as typeof process.stderr.write;
    try {
      for (const debug of [false, true]) {
        const cmd = new Command("x").option("--debug");
        if (debug) cmd.setOptionValue("debug", true);
        await guard(() => cmd, () => {
          throw new Error("boom");
        })();
        expect(process.exitCode).toBe(2);
        process.exitCode = 0;
      }
    } finally {
      process.stderr.write = write;
    }
    expect(lines[0]).toBe("netspec: internal error: boom\nthis is a bug in netspec; please report it with the command, the spec and the output of --debug\n");
    expect(lines.filter((l) => /^\s+at /m.test(l))).toHaveLength(1);
  });
});
