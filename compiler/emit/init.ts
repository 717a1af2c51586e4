// init(seed): parameters from the spec's init rules, state buffers to their starting values. The PRNG (mulberry32) and Box-Muller
// are written into the module, so a seed gives the same bits in every JS engine.

import type { CodeBlockWriter } from "ts-morph";
import type { TrainGraph, Value } from "../ir/types.ts";
import { shapeText } from "../ir/types.ts";

const lit = (n: number): string => (n < 0 || Object.is(n, -0) ? `(${n})` : `${n}`);

export function emitInit(w: CodeBlockWriter, graph: TrainGraph, ref: (v: Value) => string): void {
  const kinds = new Set(graph.params.map((p) => p.init.kind));
  const random = kinds.has("normal") || kinds.has("uniform");
  const constant = graph.params.every((p) => p.init.kind === "zeros") ? "every parameter starts at zero" : "every parameter starts at a constant";
  if (!random && !graph.state.some((s) => s.stream !== undefined)) w.writeLine(`void seed; // ${graph.params.length ? constant : "no parameters"}`);
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
    const what = rule.kind === "zeros" || rule.kind === "ones" ? rule.kind : rule.kind === "normal" ? `normal(${rule.mean}, ${rule.std})` : `uniform(${rule.min}, ${rule.max})`;
    w.writeLine(`// ${p.owner}.${p.role} ${v.name} [${shapeText(v.shape)}]: ${what}`);
    if (rule.kind === "zeros" || rule.kind === "ones") w.writeLine(`${name}.fill(${rule.kind === "ones" ? 1 : 0});`);
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
    if (st.stream === undefined) {
      w.writeLine(`${ref(v)}.fill(${st.fill}); // ${st.owner}.${st.role} [${shapeText(v.shape)}]`);
      continue;
    }
    // A PRNG stream: its 32-bit state from the seed and the stream's salt, as two 16-bit halves.
    w.write("").block(() => {
      w.writeLine(`const start = ${streamStartCode("seed", st.stream!)}; // ${st.owner}.${st.role}`);
      w.writeLine(`${ref(v)}[0] = start >>> 16;`);
      w.writeLine(`${ref(v)}[1] = start & 0xffff;`);
    });
  }
}

/** The first state of PRNG stream `salt` (1, 2, …) for a seed: the same mixing in the module and in tests. */
export const streamStart = (seed: number, salt: number): number => (Math.imul((seed >>> 0) ^ saltBits(salt), 0x85ebca6b) ^ salt) >>> 0;
const saltBits = (salt: number): number => Math.imul(salt, 0x9e3779b9) >>> 0;
const streamStartCode = (seed: string, salt: number): string => `(Math.imul((${seed} >>> 0) ^ ${saltBits(salt)}, 0x85ebca6b) ^ ${salt}) >>> 0`;
