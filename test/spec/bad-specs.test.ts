// Every fixture in test/fixtures/bad-specs is an invalid spec whose trailing
// `# expect: L:C: message` comments list every diagnostic it must produce, in order.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkSpec } from "../../compiler/spec/index.ts";

const dir = join(import.meta.dirname, "../fixtures/bad-specs");
const fixtures = readdirSync(dir).filter((f) => f.endsWith(".yaml")).sort();

describe("bad specs", () => {
  it("has a fixture for each rule", () => expect(fixtures.length).toBeGreaterThanOrEqual(30));

  it.each(fixtures)("%s", (name) => {
    const text = readFileSync(join(dir, name), "utf8");
    const expected = [...text.matchAll(/^# expect: (.*)$/gm)].map((m) => m[1]);
    expect(expected.length).toBeGreaterThan(0);
    const result = checkSpec(text, `bad/${name}`);
    expect(result.ok).toBe(false);
    const got = result.ok ? [] : result.diagnostics.map((d) => `${d.line}:${d.col}: ${d.message}`);
    expect(got).toEqual(expected);
    if (!result.ok) for (const d of result.diagnostics) expect(d.file).toBe(`bad/${name}`);
  });
});
