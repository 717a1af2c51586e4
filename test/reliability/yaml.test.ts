// Hostile YAML: every case gives a clear error with a position, and fast. The time bound is
// per case and generous (it catches a hang or a quadratic blow-up, it is not a benchmark).

import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkSpec, loadSpec } from "../../compiler/spec/index.ts";
import { expectPositioned, HOSTILE, IRIS_TEXT, netspec, tempDir } from "./helpers.ts";

/** A guard against pathological (quadratic, exponential) parsing, not a speed claim: CPU time, so a busy machine does not trip it. */
const BOUND_MS = 2000;
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Seeded bytes (xorshift), so the garbage is the same on every run. */
function garbage(n: number, seed = 0x9e3779b9): string {
  let s = seed >>> 0;
  let out = "";
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    out += String.fromCharCode(i % 97 === 0 ? 0 : s & 0xff);
  }
  return out;
}

const CASES: [label: string, text: string, message: RegExp][] = [
  ["billion laughs", readFileSync(join(HOSTILE, "billion-laughs.yaml"), "utf8"), /aliases expand to too much data/],
  ["alias bomb inside a spec", IRIS_TEXT.replace("train:", "x: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\ny: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nz: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nw: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ntrain:"), /aliases expand to too much data/],
  ["unresolved alias", IRIS_TEXT.replace("seed: 1", "seed: *nope"), /alias '\*nope' refers to no anchor/],
  ["10,000 nested [", "[".repeat(10_000), /nesting is too deep/],
  ["10,000 nested [ ], closed", `netspec: 1\nname: ${"[".repeat(10_000)}${"]".repeat(10_000)}\n`, /nesting is too deep/],
  ["10,000 nested {a:", `layers: ${"{a: ".repeat(10_000)}1${"}".repeat(10_000)}`, /nesting is too deep/],
  ["deep block mappings", `a:\n${Array.from({ length: 300 }, (_, i) => `${" ".repeat(i + 1)}b:`).join("\n")} 1\n`, /nesting is too deep/],
  ["deep block sequences", `layers:\n${Array.from({ length: 300 }, (_, i) => `${" ".repeat(2 * i + 2)}-`).join("\n")} 1\n`, /nesting is too deep/],
  ["5 MB file", `netspec: 1\nname: ${"x".repeat(5 << 20)}\n`, /spec is too large \(\d+ characters; at most 262144\)/],
  ["5 MB of comments", "# padding\n".repeat(500_000), /spec is too large/],
  ["many distinct keys (near the cap)", Array.from({ length: 12_000 }, (_, i) => `k${i}: 1`).join("\n"), /unknown key 'k0' in spec|too many errors/],
  ["many duplicate keys (near the cap)", "a: 1\n".repeat(50_000), /duplicate key 'a'/],
  ["many anchors", Array.from({ length: 6_000 }, (_, i) => `k${i}: &a${i} [x]`).join("\n"), /unknown key|too many errors/],
  ["binary garbage", garbage(20_000), /./],
  ["binary garbage after a valid start", IRIS_TEXT + garbage(2_000, 7), /./],
  ["NUL bytes", "netspec: 1\0\0\nname: iris\0\n", /./],
  ["empty file", "", /^spec is empty$/],
  ["only whitespace", " \n\n   \n", /^spec is empty$/],
  ["only a comment", "# nothing here\n", /^spec is empty$/],
  ["a lone document marker", "---\n", /^spec is empty$/],
  ["multiple documents", `${IRIS_TEXT}---\n${IRIS_TEXT}`, /a spec file holds one YAML document/],
  ["tab indentation", IRIS_TEXT.replace("  - dense: 6", "\t- dense: 6"), /tab used for indentation/],
  ["tab in a nested mapping", IRIS_TEXT.replace("  batch: 15", "\tbatch: 15"), /tab used for indentation/],
  ["a scalar document", "42\n", /spec must be a mapping/],
  ["a list document", "- 1\n- 2\n", /spec must be a mapping/],
  ["unterminated quote", 'netspec: 1\nname: "iris\n', /./],
  ["bad indentation", "netspec: 1\n  name: iris\n input: 4\n", /./],
  ["custom tag", "netspec: !!js/function 'return 1'\n", /./],
  ["merge keys and anchors in a spec", IRIS_TEXT.replace("train:\n  batch: 15", "train:\n  <<: { batch: 15 }"), /./],
  ["huge number", IRIS_TEXT.replace("input: 4", `input: 1${"0".repeat(5000)}`), /input must be/],
  ["lone surrogates and line separators", IRIS_TEXT.replace("name: iris", "name: \"\\ud800\u2028\u2029\""), /name must/],
];

describe("hostile YAML, checked in process", () => {
  it.each(CASES)("%s: a positioned error, fast", (_label, text, message) => {
    const t0 = cpuMs();
    const r = checkSpec(text, "bad.yaml");
    const ms = cpuMs() - t0;
    expect(ms).toBeLessThan(BOUND_MS);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expectPositioned(r.diagnostics, "bad.yaml");
    expect(r.diagnostics.length).toBeLessThanOrEqual(101);
    expect(r.diagnostics.map((d) => d.message).join("\n")).toMatch(message);
    const lines = text.split(/\r?\n/).length;
    for (const d of r.diagnostics) expect(d.line).toBeLessThanOrEqual(lines + 1);
  });

  it("points at the exact place for the common cases", () => {
    const at = (text: string) => {
      const r = checkSpec(text, "f.yaml");
      return r.ok ? [] : r.diagnostics.map((d) => `${d.line}:${d.col} ${d.message}`);
    };
    expect(at("[".repeat(10_000))).toEqual(["1:65 nesting is too deep (at most 64 levels of lists and mappings)"]);
    expect(at(IRIS_TEXT.replace("  - dense: 6", "\t- dense: 6"))).toEqual(["5:1 tab used for indentation; indent with spaces"]);
    expect(at(`${IRIS_TEXT}---\nname: x\n`)[0]).toBe(`24:1 a spec file holds one YAML document; remove the extra '---' and what follows`);
    expect(at("a: 1\nb: 2\na: 3\n")[0]).toBe("3:1 duplicate key 'a'");
    expect(at("a: 1\n".repeat(500)).at(-1)).toBe("101:1 too many errors (499); the first 100 are shown");
  });

  it("a file of invalid UTF-8 is read and refused, not crashed on", () => {
    const dir = tempDir("yaml-bytes");
    const file = join(dir, "bytes.yaml");
    writeFileSync(file, Buffer.from([0xff, 0xfe, 0x00, 0x6e, 0x3a, 0x20, 0xc3, 0x28, 0x0a, 0x80, 0x81]));
    const r = loadSpec(file);
    expect(r.ok).toBe(false);
    if (!r.ok) expectPositioned(r.diagnostics, file);
  });
});

describe("hostile YAML through `netspec validate`", () => {
  it("exit 1, file:line:col for every file, no stack, in one run", async () => {
    const dir = tempDir("yaml-cli");
    const picks = ["billion laughs", "10,000 nested [", "5 MB file", "binary garbage", "empty file", "multiple documents", "tab indentation"];
    const files = picks.map((label, i) => {
      const f = `case${i}.yaml`;
      writeFileSync(join(dir, f), CASES.find((c) => c[0] === label)![1], "latin1");
      return f;
    });
    const t0 = performance.now();
    const r = await netspec(["validate", ...files], { cwd: dir });
    expect(performance.now() - t0).toBeLessThan(15_000);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    for (const f of files) expect(r.stderr).toMatch(new RegExp(`^${f.replace(".", "\\.")}:\\d+:\\d+: error: \\S`, "m"));
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.stderr).not.toContain("internal error");
    expect(r.stderr.length).toBeLessThan(50_000); // the 5 MB line is not echoed back
  }, 30_000);
});
