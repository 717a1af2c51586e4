// Phase 1: YAML text → document with positions → plain JS value. Every YAML problem
// (syntax, duplicate keys, tabs, several documents, alias bombs) becomes a Diagnostic.

import { type Document, isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Node } from "yaml";
import type { Diagnostic } from "./diagnostic.ts";

export type Path = readonly (string | number)[];

export interface Parsed {
  readonly doc: Document;
  readonly lines: LineCounter;
  readonly value: unknown;
}

/** Aliases may be used, but not to blow a small file up into a huge value. */
export const MAX_ALIAS_COUNT = 100;
/** A spec is a page of YAML; anything this big is a mistake (or an attack). */
export const MAX_SPEC_BYTES = 1_000_000;
/** A spec nests a few levels; deeper input is refused before anything recurses over it. */
export const MAX_DEPTH = 64;
const TOO_DEEP = `nesting is too deep (at most ${MAX_DEPTH} levels of lists and mappings)`;

export function parseYaml(text: string, file: string): { ok: true; parsed: Parsed } | { ok: false; diagnostics: Diagnostic[] } {
  const lines = new LineCounter();
  const at = (offset: number, message: string): Diagnostic => ({ file, ...lines.linePos(offset), message });
  if (text.length > MAX_SPEC_BYTES) {
    return { ok: false, diagnostics: [{ file, line: 1, col: 1, message: `spec is too large (${text.length} characters; at most ${MAX_SPEC_BYTES})` }] };
  }
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  // A tab or a syntax error confuses the parser for the rest of its line: report the cause.
  const tabs = tabIndents(text, file);
  const errors = tabs.length ? tabs : firstPerLine(doc.errors.map((e) => at(e.pos[0], yamlMessage(e.code, e.message, text, e.pos[0]))));
  if (errors.length) return { ok: false, diagnostics: errors };
  const top = doc.contents;
  if (top === null || (isScalar(top) && top.value === null)) {
    return { ok: false, diagnostics: [{ file, line: 1, col: 1, message: "spec is empty" }] };
  }
  if (!isMap(top)) {
    const got = isScalar(top) ? `a ${typeof top.value}` : isAlias(top) ? "an alias" : "a list";
    return { ok: false, diagnostics: [at(top.range?.[0] ?? 0, `spec must be a mapping of keys such as name, input and layers (got ${got})`)] };
  }
  const deep = tooDeep(top);
  if (deep) return { ok: false, diagnostics: [at(deep.range?.[0] ?? 0, TOO_DEEP)] };
  try {
    return { ok: true, parsed: { doc, lines, value: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) } };
  } catch (e) {
    // toJS throws on unresolved aliases and on alias expansion beyond maxAliasCount.
    const alias = firstAlias(doc, (n) => /Unresolved/i.test(String(e)) ? n.resolve(doc) === undefined : true);
    const message = /Unresolved/i.test(String(e))
      ? `alias '*${alias?.source ?? "?"}' refers to no anchor defined before it`
      : `aliases expand to too much data (more than ${MAX_ALIAS_COUNT} uses); a spec does not need this`;
    return { ok: false, diagnostics: [at(alias?.range?.[0] ?? 0, message)] };
  }
}

function yamlMessage(code: string, message: string, text: string, offset: number): string {
  switch (code) {
    case "DUPLICATE_KEY": {
      const key = /^("[^"\n]*"|'[^'\n]*'|[^:#\n{},]*?)\s*:/.exec(text.slice(offset))?.[1];
      return key ? `duplicate key '${key.replace(/^["']|["']$/g, "")}'` : "duplicate key";
    }
    case "TAB_AS_INDENT":
      return "tab used for indentation; indent with spaces";
    case "MULTIPLE_DOCS":
      return "a spec file holds one YAML document; remove the extra '---' and what follows";
    default:
      // The parser recurses per nesting level and reports its own stack overflow as an error.
      if (/call stack/i.test(message)) return TOO_DEEP;
      return message.charAt(0).toLowerCase() + message.slice(1);
  }
}

/** The first node nested more than MAX_DEPTH collections deep (an explicit stack: no recursion). */
function tooDeep(top: Node): Node | undefined {
  const stack: [unknown, number][] = [[top, 1]];
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (!isMap(node) && !isSeq(node)) continue;
    if (depth > MAX_DEPTH) return node;
    for (const item of node.items) {
      if (isPair(item)) stack.push([item.key, depth + 1], [item.value, depth + 1]);
      else stack.push([item, depth + 1]);
    }
  }
  return undefined;
}

function firstPerLine(ds: readonly Diagnostic[]): Diagnostic[] {
  return ds.filter((d, i) => ds.findIndex((e) => e.line === d.line) === i);
}

/** Tabs in leading whitespace: YAML forbids them, and the parser misses some cases. */
function tabIndents(text: string, file: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const lead = /^[ \t]*/.exec(line)![0];
    const tab = lead.indexOf("\t");
    if (tab >= 0 && lead.length < line.length) {
      out.push({ file, line: i + 1, col: tab + 1, message: "tab used for indentation; indent with spaces" });
    }
  });
  return out;
}

function firstAlias(doc: Document, pick: (n: import("yaml").Alias) => boolean): import("yaml").Alias | undefined {
  let found: import("yaml").Alias | undefined;
  visit(doc, {
    Alias(_, node) {
      if (!found && pick(node)) found = node;
    },
  });
  return found;
}

/** The offset of the YAML node at `path`, or of its nearest existing ancestor. */
export function nodeOffset(doc: Document, path: Path): number {
  for (let n = path.length; n >= 0; n--) {
    const node = (n ? doc.getIn(path.slice(0, n), true) : doc.contents) as Node | null | undefined;
    if (!node || typeof node !== "object" || !node.range) continue;
    // An empty value (`key:` with nothing after it) has no text of its own: point at its key.
    const last = path[n - 1];
    if (node.range[0] === node.range[1] && typeof last === "string") return keyOffset(doc, path.slice(0, n - 1), last);
    return node.range[0];
  }
  return 0;
}

/** The offset of key `key` in the mapping at `path` (falls back to the mapping). */
export function keyOffset(doc: Document, path: Path, key: string): number {
  const map = path.length ? doc.getIn(path, true) : doc.contents;
  if (isMap(map)) {
    for (const pair of map.items) {
      if (isScalar(pair.key) && String(pair.key.value) === key && pair.key.range) return pair.key.range[0];
    }
  }
  return nodeOffset(doc, path);
}
