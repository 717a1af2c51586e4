// The documented exit codes: 0 success, 1 a user error (a message, never a stack trace),
// 2 an internal error (a short report and where to file it; the stack only with --debug).

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { guard } from "../../compiler/cli/run.ts";
import { expectNoStack, expectUserError, IRIS_TEXT, netspec, netspecInProcess, ROOT, tempDir } from "./helpers.ts";

describe("exit codes through the real CLI", () => {
  it("0 for success, 1 for each kind of user mistake, never a stack", async () => {
    const dir = tempDir("exit");
    writeFileSync(join(dir, "iris.yaml"), IRIS_TEXT);
    writeFileSync(join(dir, "a-file"), "");
    const cases: [string[], number, RegExp][] = [
      [["validate", "iris.yaml"], 0, /^$/],
      [["compile", "iris.yaml", "-o", "a-file/out"], 1, /^netspec: error: cannot write to a-file\/out: /],
      [["train", "iris.yaml", "--lr", "abc"], 1, /--lr must be a positive number \(got 'abc'\)/],
      [["bogus-command"], 1, /unknown command 'bogus-command'/],
    ];
    const runs = await Promise.all(cases.map(([args]) => netspec(args, { cwd: dir })));
    runs.forEach((r, i) => {
      const [, code, why] = cases[i]!;
      expect(r.status, `${cases[i]![0].join(" ")}: ${r.stderr}`).toBe(code);
      expect(r.stderr).toMatch(why);
      expectNoStack(r);
      expect(r.stderr).not.toContain("internal error");
    });
  }, 30_000);
});

describe("exit codes in process (every command's user errors)", () => {
  it.each([
    [["validate", "nope.yaml"], /nope\.yaml:1:1: error: cannot read spec: no such file/],
    [["validate", ROOT], /:1:1: error: cannot read spec: is a directory/],
    [["compile"], /compile needs at least one spec file/],
    [["compile", join(ROOT, "specs/iris.yaml"), "--dump", "x"], /--dump takes lower, autodiff, fuse, plan/],
    [["train", join(ROOT, "specs/iris.yaml"), "--epochs", "0"], /--epochs must be a whole number ≥ 1/],
    [["train", join(ROOT, "specs/iris.yaml"), "--epochs", "1e12"], /--epochs must be a whole number/],
    [["train", join(ROOT, "specs/iris.yaml"), "--seed", "-1"], /--seed must be a whole number ≥ 0/],
    [["train", join(ROOT, "specs/iris.yaml"), "--lr", "Infinity"], /--lr must be a positive number/],
    [["train", join(ROOT, "specs/iris.yaml"), "--data", "nope.csv"], /nope\.csv: cannot read the data file/],
    [["train", join(ROOT, "specs/iris.yaml"), "--resume", "nope.ck"], /nope\.ck: checkpoint not found/],
    [["train", join(ROOT, "specs/iris.yaml"), "--epochs", "1", "--save", "/dev/null/x.ck"], /cannot write checkpoint/],
    [["train", join(ROOT, "specs/iris.yaml"), "--epochs", "1", "--plot", "/dev/null/x.svg"], /cannot write the plot \/dev\/null\/x\.svg/],
    [["predict", join(ROOT, "specs/iris.yaml"), "--weights", "nope.ck", "--data", "x.csv"], /nope\.ck: checkpoint not found/],
  ] as [string[], RegExp][])("%j → exit 1", async (args, why) => {
    const r = await netspecInProcess(args);
    expectUserError(r, why);
    expect(r.stderr).not.toContain("internal error");
  });
});

describe("internal errors", () => {
  async function crash(debug: boolean) {
    const program = new Command("netspec").option("--debug").exitOverride();
    const cmd = program.command("boom");
    cmd.action(guard(() => cmd, () => {
      throw new TypeError("cannot read properties of undefined");
    }));
    const err: string[] = [];
    const [w, code0] = [process.stderr.write, process.exitCode];
    process.stderr.write = ((s: string) => (err.push(s), true)) as typeof process.stderr.write;
    try {
      await program.parseAsync(debug ? ["--debug", "boom"] : ["boom"], { from: "user" });
      return { status: process.exitCode, stderr: err.join("") };
    } finally {
      process.stderr.write = w;
      process.exitCode = code0;
    }
  }

  it("exit 2, a short report with where to file it, and no stack without --debug", async () => {
    const r = await crash(false);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("netspec: internal error: cannot read properties of undefined\nthis is a bug in netspec; please report it with the command, the spec and the output of --debug\n");
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it("--debug adds the stack", async () => {
    const r = await crash(true);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^netspec: internal error: cannot read properties of undefined\nthis is a bug in netspec; please report it/);
    expect(r.stderr).toMatch(/^TypeError: cannot read properties of undefined\n\s+at /m);
  });
});
