// Phase 2b: zod issues → diagnostics at the YAML node the issue is about. Union issues are
// narrowed to the one branch the user evidently meant; unknown keys point at the key itself.

import type { z } from "zod";
import type { Diagnostic } from "./diagnostic.ts";
import { KEYS, kindFamilies, MISSING, show, WHOLE } from "./fields.ts";
import { keyOffset, nodeOffset, textOffset, type Parsed, type Path } from "./parse.ts";
import { closest, didYouMean } from "./suggest.ts";

/** A problem found at a spec path, before it is given a line and column. */
export interface Finding {
  readonly path: Path;
  /** When set, the problem is this key of the mapping at `path` (not its value). */
  readonly key?: string;
  readonly message: string;
  /** For unknown keys: the allowed key it is probably a misspelling of. */
  readonly suggest?: string;
  /** An offset into the string value at `path` (an expression), for errors inside it. */
  readonly column?: number;
}

/** `layers[1].dense`; the root is "spec". */
export function formatPath(path: Path): string {
  if (!path.length) return "spec";
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i ? `.${p}` : p)).join("");
}

const TYPE_NAMES: Record<string, string> = {
  number: "a number",
  int: "an integer",
  string: "a string",
  boolean: "true or false",
  object: "a mapping",
  array: "a list",
  null: "null",
};

/** The parse-wide error map: generic messages, and what issues.ts needs to place them. */
export const errorMap: z.core.$ZodErrorMap = (iss) => {
  if (iss.input === undefined && (iss.code === "invalid_type" || iss.code === "invalid_value")) return MISSING;
  if (iss.code === "unrecognized_keys") {
    const inst = iss.inst as unknown as { shape?: Record<string, unknown> };
    return KEYS + JSON.stringify({ family: kindFamilies.get(iss.inst as object), allowed: Object.keys(inst?.shape ?? {}) });
  }
  if (iss.code === "invalid_type") return `must be ${TYPE_NAMES[iss.expected] ?? iss.expected} (got ${show(iss.input)})`;
  if (iss.code === "invalid_value") return `must be ${iss.values.map((v) => show(v)).join(" or ")} (got ${show(iss.input)})`;
  // Bounds in the op registry's attribute schemas (e.g. leaky_relu alpha < 1).
  if ((iss.code === "too_small" || iss.code === "too_big") && iss.origin === "number") {
    const op = iss.code === "too_small" ? (iss.inclusive ? "≥" : ">") : iss.inclusive ? "≤" : "<";
    return `must be ${op} ${iss.code === "too_small" ? iss.minimum : iss.maximum} (got ${show(iss.input)})`;
  }
  return undefined;
};

/** Zod issues as findings; a missing key that was misspelt is reported once, as the misspelling. */
export function findings(issues: readonly z.core.$ZodIssue[]): Finding[] {
  const all = flatten(issues, []);
  const misspelt = new Set(all.filter((f) => f.suggest !== undefined).map((f) => JSON.stringify([...f.path, f.suggest])));
  return all.filter((f) => !(f.missing && misspelt.has(JSON.stringify([...f.path, f.missing]))));
}

function flatten(issues: readonly z.core.$ZodIssue[], prefix: Path): (Finding & { missing?: string })[] {
  return issues.flatMap((iss): (Finding & { missing?: string })[] => {
    const path = [...prefix, ...(iss.path as (string | number)[])];
    if (iss.code === "invalid_union") {
      // The branches that did not fail on the value's type are the ones the user meant.
      const meant = iss.errors.filter((errs) => !errs.some((e) => e.path.length === 0 && e.code === "invalid_type"));
      if (meant.length === 1) return flatten(meant[0]!, path);
    }
    if (iss.message.startsWith(KEYS)) {
      const { family, allowed } = JSON.parse(iss.message.slice(KEYS.length)) as { family?: string; allowed: string[] };
      const keys = iss.code === "unrecognized_keys" ? iss.keys : [];
      return keys.map((key) => ({
        path,
        key,
        suggest: closest(key, allowed),
        message: family
          ? `unknown ${family} '${key}'${didYouMean(key, allowed)}`
          : `unknown key '${key}' in ${formatPath(path)}${allowed.length ? didYouMean(key, allowed) : " (it takes no options)"}`,
      }));
    }
    if (iss.message === MISSING) {
      const parent = path.slice(0, -1);
      const missing = String(path.at(-1));
      return [{ path: parent, missing, message: `${formatPath(parent)} is missing required key '${missing}'` }];
    }
    if (iss.message.startsWith(WHOLE)) return [{ path, message: iss.message.slice(WHOLE.length) }];
    return [{ path, message: `${formatPath(path)} ${iss.message}` }];
  });
}

/** Give each finding the line and column of its YAML node. */
export function place(found: readonly Finding[], parsed: Parsed, file: string): Diagnostic[] {
  return found.map((f) => {
    const offset =
      f.key !== undefined ? keyOffset(parsed.doc, f.path, f.key) : f.column !== undefined ? textOffset(parsed.doc, f.path) + f.column : nodeOffset(parsed.doc, f.path);
    return { file, ...parsed.lines.linePos(offset), message: f.message };
  });
}
