// The page trains with the runtime and the generated module alone: web/page/ and web/shared/
// (which the page bundles) import nothing from compiler/ and no Node module but the three
// the node stub stands in for (the runtime's file loaders, never called in the page).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const sources = (dir: string) => readdirSync(dir).filter((f) => f.endsWith(".ts")).map((f) => join(dir, f));
const imports = (file: string): string[] => [...readFileSync(file, "utf8").matchAll(/^\s*(?:import|export)\b[^"'`]*?from\s+["']([^"']+)["']/gm)].map((m) => m[1]!);

describe("the page's layering", () => {
  it("web/page and web/shared import neither the compiler nor Node", () => {
    const files = [...sources("web/page"), ...sources("web/shared")];
    expect(files.length).toBeGreaterThan(8);
    const offending = files.flatMap((f) => imports(f).filter((i) => i.includes("compiler/") || i.includes("web/server") || i.startsWith("node:")).map((i) => `${f} → ${i}`));
    expect(offending).toEqual([]);
  });

  it("the build stubs exactly the Node modules the runtime imports", () => {
    const runtime = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? runtime(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []));
    const nodeModules = new Set(runtime("runtime").flatMap((f) => imports(f).filter((i) => i.startsWith("node:"))));
    const stubbed = /find: \/\^node:\(([a-z_|]+)\)\$\//.exec(readFileSync("web/server/build.ts", "utf8"))![1]!.split("|").map((m) => `node:${m}`);
    expect([...nodeModules].sort()).toEqual(stubbed.sort());
  });
});
