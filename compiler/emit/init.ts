// init(seed): parameters from the spec's init rules, state buffers to their starting values. The PRNG (mulberry32) and Box-Muller
// are written into the module, so a seed gives the same bits in every JS engine.

import type { CodeBlockWriter } from "ts-morph";
import type { TrainGraph, Value } from "../ir/types.ts";
import { shapeText } from "../ir/types.ts";

const lit = (n: number): string => (n < 0 || Object.is(n, -0) ? `(${n})` : `${n}`);

export function emitInit(w: CodeBlockWriter, graph: TrainGraph, ref: (v: Value) => string): void {
  const kinds = new Set(graph.params.map((p) => p.init.kind));
  const random = kinds.has("normal") || kinds.has("uniform");
  if (!random) w.writeLine(`void seed; // ${graph.params.length ? "every parameter starts at zero" : "no parameters"}`);
  else w.writeLine("let state = seed >>> 0;");
  if (kinds.has("normal") || kinds.has("uniform")) w.write("const uniform = (): number =>").inlineBlock(() => {
    w.writeLine("state = (state + 0x6d2b79f5) | 0;");
    w.writeLine("let m = Math.imul(state ^ (state >>> 15), 1 | state);");
    w.writeLine("m = (m + Math.imul(m ^ (m >>> 7), 61 | m)) ^ m;");
    w.writeLine("return ((m ^ (m >>> 14)) >>> 0) / 4294967296;");
  });
  if (kinds.has("normal") || kinds.has("uniform")) w.write(";").newLine();
  if (kinds.has("normal")) w.writeLine("const normal = (): number => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());");
  for (const p of graph.params) {
    const v = graph.values[p.value]!;
    const name = ref(v);
    const rule = p.init;
    const what = rule.kind === "zeros" ? "zeros" : rule.kind === "normal" ? `normal(${rule.mean}, ${rule.std})` : `uniform(${rule.min}, ${rule.max})`;
    w.writeLine(`// ${p.owner}.${p.role} ${v.name} [${shapeText(v.shape)}]: ${what}`);
    if (rule.kind === "zeros") w.writeLine(`${name}.fill(0);`);
    else {
      const draw =
        rule.kind === "normal"
          ? `${lit(rule.mean)} + ${lit(rule.std)} * normal()`
          : `${lit(rule.min)} + ${lit(rule.max - rule.min)} * uniform()`;
      w.write(`for (let i = 0; i < ${v.shape.reduce((a, b) => a * b, 1)}; i++)`).block(() => w.writeLine(`${name}[i] = ${draw};`));
    }
  }
  for (const st of graph.state) {
    const v = graph.values[st.value]!;
    w.writeLine(`${ref(v)}.fill(${st.fill}); // ${st.owner}.${st.role} [${shapeText(v.shape)}]`);
  }
}
