// Phase 1: YAML text → document with positions → plain JS value. Every YAML problem
// (syntax, duplicate keys, tabs, several documents, alias bombs) becomes a Diagnostic.

import { type Document, isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Node } from "yaml";
import { capDiagnostics, MAX_DIAGNOSTICS, type Diagnostic } from "./diagnostic.ts";

export type Path = readonly (string | number)[];

export interface Parsed {
  readonly doc: Document;
  readonly lines: LineCounter;
  readonly value: unknown;
}

/** Aliases may be used, but not to blow a small file up into a huge value. */
export const MAX_ALIAS_COUNT = 100;
/** A spec is a page of YAML (1000 fully written-out layers take under 100 KB); anything this
 *  big is a mistake or an attack, and the YAML parser is slow on some pathological inputs. */
export const MAX_SPEC_BYTES = 256 * 1024;
/** A spec nests a few levels; deeper input is refused before anything recurses over it. */
export const MAX_DEPTH = 64;
const TOO_DEEP = `nesting is too deep (at most ${MAX_DEPTH} levels of lists and mappings)`;

export function parseYaml(text: string, file: string): { ok: true; parsed: Parsed } | { ok: false; diagnostics: Diagnostic[] } {
  const lines = new LineCounter();
  const at = (offset: number, message: string): Diagnostic => ({ file, ...lines.linePos(offset), message });
  if (text.length > MAX_SPEC_BYTES) {
    return { ok: false, diagnostics: [{ file, line: 1, col: 1, message: `spec is too large (${text.length} characters; at most ${MAX_SPEC_BYTES})` }] };
  }
  // Duplicate keys are found below in linear time: the parser's own check (uniqueKeys) is
  // quadratic in the keys of a mapping, so a 1 MB file of distinct keys took seconds.
  // Deep flow nesting ([[[[…) is refused before the parser, which recurses per level, sees it.
  const flow = flowTooDeep(text);
  if (flow >= 0) {
    // The line counter is filled by the parser, which has not run: count lines here.
    const before = text.slice(0, flow);
    const line = before.split("\n").length;
    return { ok: false, diagnostics: [{ file, line, col: flow - before.lastIndexOf("\n"), message: TOO_DEEP }] };
  }
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: false, prettyErrors: false });
  // A tab or a syntax error confuses the parser for the rest of its line: report the cause.
  const tabs = tabIndents(text, file);
  const yamlErrors = doc.errors.map((e) => at(e.pos[0], yamlMessage(e.code, e.message, text, e.pos[0])));
  const dups = duplicateKeys(doc.contents).map((k) => at(k.range![0], `duplicate key '${String(k.value)}'`));
  const errors = tabs.length ? tabs : firstPerLine([...yamlErrors, ...dups].sort((a, b) => a.line - b.line || a.col - b.col));
  if (errors.length) {
    const last = errors[Math.min(errors.length, MAX_DIAGNOSTICS) - 1]!;
    return { ok: false, diagnostics: capDiagnostics(errors, (n, total) => ({ ...last, message: `too many errors (${total}); the first ${n} are shown` })) };
  }
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

/**
 * The offset of the first `[` or `{` nested more than MAX_DEPTH deep, or -1. A quick scan
 * that skips comments and quoted scalars; the composer's check below is the exact one.
 */
function flowTooDeep(text: string): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    const prev = i ? text[i - 1]! : "\n";
    const boundary = prev === " " || prev === "\t" || prev === "\n" || prev === "\r" || prev === "[" || prev === "{" || prev === ",";
    if (c === "#" && (prev === " " || prev === "\t" || prev === "\n")) {
      while (i < text.length && text[i] !== "\n") i++;
    } else if ((c === '"' || c === "'") && (boundary || prev === ":")) {
      for (i++; i < text.length && text[i] !== c; i++) if (c === '"' && text[i] === "\\") i++;
    } else if (c === "[" || c === "{") {
      if (++depth > MAX_DEPTH) return i;
    } else if (c === "]" || c === "}") {
      depth = Math.max(0, depth - 1);
    }
  }
  return -1;
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
  const seen = new Set<number>();
  return ds.filter((d) => !seen.has(d.line) && seen.add(d.line));
}

/** Scalar keys that repeat within one mapping (compared like YAML: type and value). */
function duplicateKeys(top: unknown): import("yaml").Scalar[] {
  const out: import("yaml").Scalar[] = [];
  const stack: unknown[] = [top];
  while (stack.length) {
    const node = stack.pop();
    if (isSeq(node)) stack.push(...node.items);
    else if (isMap(node)) {
      const keys = new Set<unknown>();
      for (const pair of node.items) {
        stack.push(pair.value);
        if (!isScalar(pair.key) || !pair.key.range) continue;
        const v = pair.key.value;
        const id = typeof v === "string" ? `s:${v}` : v;
        if (keys.has(id)) out.push(pair.key);
        else keys.add(id);
      }
    }
  }
  return out;
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

/** Where the text of the string at `path` starts: after its opening quote, if it has one. */
export function textOffset(doc: Document, path: Path): number {
  const node = doc.getIn(path, true);
  if (!isScalar(node) || !node.range) return nodeOffset(doc, path);
  return node.range[0] + (node.type === "QUOTE_DOUBLE" || node.type === "QUOTE_SINGLE" ? 1 : 0);
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
