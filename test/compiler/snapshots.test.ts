// The emitted code of every shipped spec, as a file snapshot. The snapshot files are the
// checked-in generated/ modules themselves, so a change to the emitter shows up as a diff
// there (review it, then `npx vitest -u` or `npx netspec compile specs/*.yaml`).
import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { measureData } from "../../compiler/cli/evidence.ts";
import { compileSpec } from "../../compiler/compile.ts";
import { loadSpec } from "../../compiler/spec/index.ts";

const specs = readdirSync("specs").filter((f) => f.endsWith(".yaml")).sort();

describe("generated code snapshots", () => {
  it("ships at least the four example specs", () => {
    expect(specs).toEqual(expect.arrayContaining(["iris.yaml", "mnist_mlp.yaml", "deep_tanh.yaml", "iris_maxout.yaml"]));
  });

  it.each(specs)("%s", async (name) => {
    const file = `specs/${name}`;
    const loaded = loadSpec(file);
    if (!loaded.ok) throw new Error(loaded.diagnostics.map((d) => d.message).join("\n"));
    const { code } = compileSpec(loaded.spec, loaded.hash, file, measureData(loaded.spec, file));
    await expect(code).toMatchFileSnapshot(`../../generated/${loaded.spec.name}.ts`);
  });
});
