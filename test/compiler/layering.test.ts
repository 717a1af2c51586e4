// The layering is one-way (docs/ARCHITECTURE.md): the runtime imports nothing from the
// compiler, and the generated modules import nothing at all.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : f.endsWith(".ts") ? [join(dir, f)] : []));
const imports = (file: string): string[] => [...readFileSync(file, "utf8").matchAll(/^\s*(?:import|export)\b[^"'`]*?from\s+["']([^"']+)["']/gm)].map((m) => m[1]!);

describe("layering", () => {
  it("runtime/ imports nothing from compiler/", () => {
    const offending = files("runtime").flatMap((f) => imports(f).filter((i) => i.includes("compiler/")).map((i) => `${f} → ${i}`));
    expect(files("runtime").length).toBeGreaterThan(10);
    expect(offending).toEqual([]);
  });

  it("generated modules import nothing", () => {
    for (const f of files("generated")) expect(imports(f), f).toEqual([]);
  });
});

describe("the Model interface in generated modules", () => {
  it("is runtime/module.ts's own declaration, read the same from a CRLF checkout", async () => {
    const { MODEL_INTERFACE, modelInterface } = await import("../../compiler/emit/model-interface.ts");
    const source = readFileSync("runtime/module.ts", "utf8");
    expect(MODEL_INTERFACE).toContain("export interface Model {");
    expect(MODEL_INTERFACE).toContain("evaluate(rows: number): void;");
    expect(modelInterface(source.replace(/\n/g, "\r\n"))).toBe(MODEL_INTERFACE);
    expect(readFileSync("generated/iris.ts", "utf8")).toContain(MODEL_INTERFACE);
  });
});
