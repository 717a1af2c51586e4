// `netspec grad` and `netspec draw` through the real command line.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as iris from "../../generated/iris.ts";
import { prepareData } from "../../runtime/index.ts";
import { expectGolden, gradGoldens } from "../fixtures/grad-golden.ts";
import { checkSpec } from "../../compiler/spec/index.ts";
import { writeFileSync } from "node:fs";
import { load } from "../helpers/gradcheck.ts";

const dir = mkdtempSync(join(tmpdir(), "netspec-grad-"));
const netspec = (...args: string[]) => spawnSync(process.execPath, ["compiler/bin.mjs", ...args], { encoding: "utf8", timeout: 120_000 });
const lastJson = (stdout: string) => JSON.parse(stdout.trim().split("\n").at(-1)!);

interface Row {
  kind: string;
  name: string;
  shape: number[];
  value: number[];
  grad: number[] | null;
}

describe("netspec grad", () => {
  it.each(gradGoldens)("$spec at $at: the material's numbers (--json)", (golden) => {
    const r = netspec("grad", golden.spec, ...golden.at.flatMap((a) => ["--at", a]), "--json");
    expect(r.status, r.stderr).toBe(0);
    expectGolden(lastJson(r.stdout), golden);
  });

  it("--json gives the loss and its gradients on the first batch, as the generated module computes them", () => {
    const r = netspec("grad", "specs/iris.yaml", "--json");
    expect(r.status, r.stderr).toBe(0);
    const json = lastJson(r.stdout) as { of: string; value: number; rows: Row[]; from: string[] };
    expect(json.of).toBe("loss");
    expect(json.from).toEqual(["initial parameters (seed 1)", "the first 75 training rows of builtin:iris"]);

    // The same point in the checked-in module: init(seed 1), the first 75 training rows.
    const { train } = prepareData(
      { kind: "builtin", builtin: "iris", test_split: 0.5, stratified: true, standardize: false, limit: null },
      { baseDir: "specs", seed: 1 },
    );
    const model = iris.createModel();
    model.init(1);
    model.input.set(train.features.subarray(0, 75 * 4));
    model.target.set(train.labels!.subarray(0, 75));
    model.forward();
    const loss = model.loss();
    model.backward();
    expect(Math.abs(json.value - loss) / loss).toBeLessThan(1e-5);
    for (const p of iris.PARAMS) {
      const row = json.rows.find((x) => x.name === p.name)!;
      expect(row.value).toEqual(Array.from(model.params.subarray(p.offset, p.offset + p.size)));
      const expected = model.grads.subarray(p.offset, p.offset + p.size);
      const scale = Math.max(...expected.map(Math.abs));
      row.grad!.forEach((g, i) => expect(Math.abs(g - expected[i]!) / scale, `${p.name}[${i}]`).toBeLessThan(1e-4));
    }
  });

  it("with dropout and batch norm: the state init(seed) gives (the first step's masks), as the module computes them", async () => {
    const text = [
      "netspec: 1", "name: modal", "input: 4", "layers:", "  - dense: 8", "    bias: false", "  - batch_norm:", "    activation: relu",
      "  - dropout: 0.5", "  - dense: 3", "loss: softmax_cross_entropy", "init: { seed: 3 }", "train: { batch: 30 }",
      "data: { builtin: iris, test_split: 0.5, stratified: true }",
    ].join("\n");
    const file = join(dir, "modal.yaml");
    writeFileSync(file, text);
    const r = netspec("grad", file, "--json");
    expect(r.status, r.stderr).toBe(0);
    const json = lastJson(r.stdout) as { value: number; rows: Row[] };
    const checked = checkSpec(text, file);
    if (!checked.ok) throw new Error("the spec is valid");
    const { mod } = await load(checked.spec);
    const { train } = prepareData(checked.spec.data!, { baseDir: dir, seed: 3 });
    const model = mod.createModel();
    model.init(3);
    model.input.set(train.features.subarray(0, 30 * 4));
    model.target.set(train.labels!.subarray(0, 30));
    model.forward();
    const loss = model.loss();
    model.backward();
    expect(Math.abs(json.value - loss) / loss).toBeLessThan(1e-5);
    for (const p of mod.PARAMS) {
      const expected = model.grads.subarray(p.offset, p.offset + p.size);
      const scale = Math.max(...expected.map(Math.abs));
      json.rows.find((x) => x.name === p.name)!.grad!.forEach((g, i) => expect(Math.abs(g - expected[i]!) / scale, `${p.name}[${i}]`).toBeLessThan(1e-4));
    }
  });

  it("prints an aligned table with 4 significant digits, and takes values with --at", () => {
    const r = netspec("grad", "specs/iris.yaml", "--at", "b2=1,2,3");
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^specs\/iris\.yaml: loss = \d\.\d{3} at initial parameters \(seed 1\) and the first 75 training rows of builtin:iris$/);
    expect(lines[1]).toMatch(/^name\s+kind\s+shape\s+value\s+∂loss\/∂$/);
    expect(lines).toContainEqual(expect.stringMatching(/^b2\s+param\s+3\s+\[1, 2, 3\]\s+\[-?\d/));
    expect(lines).toContainEqual(expect.stringMatching(/^x\s+input\s+75×4\s+\[5\.1, 3\.5, …, \S+\] \(75×4\)\s+\[/));
    // Columns line up: every row's value starts where the header's does.
    const column = lines[1]!.indexOf("value");
    for (const line of lines.slice(2)) expect(line.slice(column - 2, column)).toBe("  ");
  });

  it("reports a bad --at as a user error: exit 1, one line each, no stack", () => {
    const r = netspec("grad", "specs/iris.yaml", "--at", "bb2=1", "--at", "W1=1,2");
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      "netspec: error: --at bb2: no input or parameter is named 'bb2'; did you mean 'b2'?\n" +
        "netspec: error: --at W1: W1 has shape 4×6, so it takes 24 numbers (got 2)\n",
    );
    expect(r.stdout).toBe("");
  });
});

describe("netspec draw", () => {
  it("writes an SVG laid out by Graphviz, and DOT with --format dot", () => {
    const svg = join(dir, "iris.svg");
    const r = netspec("draw", "specs/iris.yaml", "-o", svg);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(`wrote ${svg}\n`);
    expect(readFileSync(svg, "utf8")).toMatch(/^(<\?xml|<svg)[\s\S]*layers\[0\][\s\S]*<\/svg>\s*$/);

    const dot = join(dir, "iris.txt");
    expect(netspec("draw", "specs/iris.yaml", "--format", "dot", "-o", dot).status).toBe(0);
    expect(readFileSync(dot, "utf8")).toBe(readFileSync("test/__snapshots__/draw/iris.dot", "utf8"));
  });

  it("with --at labels edges with values (green) and gradients (red); --expand draws the ops", () => {
    const file = join(dir, "iris-at.dot");
    const r = netspec("draw", "specs/iris.yaml", "--at", "b2=0,0,0", "--expand", "-o", file);
    expect(r.status, r.stderr).toBe(0);
    const dot = readFileSync(file, "utf8");
    expect(dot).toContain('<font point-size="12" color="#1a7f37">[0, 0, 0]</font>');
    expect(dot).toMatch(/color="#cf222e">\[-?\d/);
    expect(dot).toContain("<b>bias_add</b>");
  });

  it("writes nothing on a bad --at, format or output path (exit 1, no stack)", () => {
    const out = join(dir, "bad");
    const cases: [string[], RegExp][] = [
      [["--at", "nope=1", "-o", `${out}.svg`], /^netspec: error: --at nope: no input or parameter is named 'nope'/],
      [["--format", "png", "-o", `${out}.svg`], /^netspec: error: --format takes svg or dot \(got 'png'\)\n$/],
      [["-o", join(dir, "no-such-dir", "x.svg")], /^netspec: error: cannot write .*no-such-dir/],
    ];
    for (const [args, message] of cases) {
      const r = netspec("draw", "specs/iris.yaml", ...args);
      expect(r.status, args.join(" ")).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(existsSync(`${out}.svg`)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });
});
