// The Model interface written into every generated module (which has no imports): the one
// declared in runtime/module.ts, copied, so the two can never drift apart. It is read with
// the TypeScript parser (ts-morph), not a pattern, so formatting and line endings
// (a CRLF checkout) cannot break it.

import { readFileSync } from "node:fs";
import { Project } from "ts-morph";

/** `export interface Model { … }` as declared in the given source of runtime/module.ts. */
export function modelInterface(source: string): string {
  const project = new Project({ useInMemoryFileSystem: true });
  const file = project.createSourceFile("module.ts", source.replace(/\r\n?/g, "\n"));
  return `/** The buffers and entry points createModel() returns. */\n${file.getInterfaceOrThrow("Model").getText()}`;
}

export const MODEL_INTERFACE = modelInterface(readFileSync(new URL("../../runtime/module.ts", import.meta.url), "utf8"));
