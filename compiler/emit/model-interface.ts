// The Model interface written into every generated module (which has no imports): the one
// declared in runtime/module.ts, copied, so the two can never drift apart.

import { readFileSync } from "node:fs";

const runtimeTypes = readFileSync(new URL("../../runtime/module.ts", import.meta.url), "utf8");
const declaration = /^export interface Model \{\n[\s\S]*?\n\}$/m.exec(runtimeTypes);
if (!declaration) throw new Error("internal: runtime/module.ts declares no `export interface Model`");

export const MODEL_INTERFACE = `/** The buffers and entry points createModel() returns. */\n${declaration[0]}`;
