// Schema building blocks with their error messages. Messages are predicates ("must be a
// positive integer (got -3)") that issues.ts prefixes with the spec path; a message that
// is a whole sentence starts with WHOLE. One clear message per mistake is the goal.

import { z } from "zod";
import { own } from "../../runtime/own.ts";
import { didYouMean } from "./suggest.ts";

/** Prefix of a message that is a whole sentence: the path is not prepended. */
export const WHOLE = "\u0000";
/** Prefix of an unknown-keys issue; JSON `{ family?, allowed }` follows. */
export const KEYS = "\u0001";
/** A required key is absent (reported at the enclosing mapping). */
export const MISSING = "\u0002";

/** Schemas whose keys are kinds ("activation", "init", ...), for "unknown activation 'x'". */
export const kindFamilies = new WeakMap<object, string>();

type RawIssue = z.core.$ZodRawIssue;

/** A kind as written: `relu` or `{ leaky_relu: { alpha: 0.1 } }` (one key once validated). */
export type KindValue = string | Readonly<Record<string, Readonly<Record<string, unknown>> | undefined>>;

/** A value as the user wrote it, for "(got …)". */
export function show(v: unknown): string {
  if (typeof v === "number") return Number.isNaN(v) ? ".nan" : v === Infinity ? ".inf" : v === -Infinity ? "-.inf" : String(v);
  if (typeof v === "string") return JSON.stringify(v);
  if (v === null) return "null";
  if (Array.isArray(v)) return v.length ? "a list" : "an empty list";
  if (typeof v === "object") return "a mapping";
  return String(v);
}

/** An error callback: `must …` plus what was found; a missing key is left to the generic map. */
export const says =
  (predicate: string) =>
  (iss: RawIssue): string | undefined =>
    iss.input === undefined ? undefined : `${predicate} (got ${show(iss.input)})`;

export function posInt(max: number) {
  const e = says("must be a positive integer");
  return z.number({ error: e }).int({ error: e }).positive({ error: e }).max(max, { error: says(`must be at most ${max}`) });
}

export function intIn(min: number, max: number) {
  const e = says(`must be an integer from ${min} to ${max}`);
  return z.number({ error: e }).int({ error: e }).min(min, { error: e }).max(max, { error: e });
}

export function nonNeg() {
  const e = says("must be a number ≥ 0");
  return z.number({ error: e }).min(0, { error: e });
}

export function positive() {
  const e = says("must be a number > 0");
  return z.number({ error: e }).positive({ error: e });
}

/** A number in [lo, hi) or (lo, hi], as the interval says. */
export function interval(lo: number, hi: number, text: string) {
  const e = says(`must be in ${text}`);
  const base = z.number({ error: e });
  const lower = text.startsWith("[") ? base.min(lo, { error: e }) : base.gt(lo, { error: e });
  return text.endsWith(")") ? lower.lt(hi, { error: e }) : lower.max(hi, { error: e });
}

export const bool = () => z.boolean({ error: says("must be true or false") });
export const text = () => z.string({ error: says("must be a string") }).min(1, { error: says("must not be empty") });

/** An enum of names, with "unknown builtin data set 'irs'; did you mean 'iris'?". */
export function nameOf<const T extends readonly [string, ...string[]]>(what: string, names: T) {
  return z.enum(names, {
    error: (iss) =>
      typeof iss.input === "string" ? `${WHOLE}unknown ${what} '${iss.input}'${didYouMean(iss.input, names)}` : says(`must be one of ${names.join(", ")}`)(iss),
  });
}

/** Whether a schema accepts a missing value (it has a default or is optional). */
const optionalKey = (s: z.ZodType): boolean => s.safeParse(undefined).success;

/**
 * A kind with options, written short (`relu`) when every option has a default, or long as a
 * one-key mapping (`{ leaky_relu: { alpha: 0.1 } }`). The union is of a string enum and one
 * strict object whose keys are the kinds, so each mistake has one clear issue.
 */
export function kindOf(what: string, kinds: Readonly<Record<string, z.ZodObject>>, example: string): z.ZodType<KindValue> {
  const names = Object.keys(kinds);
  const short = names.filter((k) => kinds[k]!.safeParse({}).success);
  const unknown = (input: string): string => {
    const schema = own(kinds, input);
    if (!schema) return `${WHOLE}unknown ${what} '${input}'${didYouMean(input, names)}`;
    const needed = Object.keys(schema.shape).filter((k) => !optionalKey(schema.shape[k] as z.ZodType));
    return `${WHOLE}${what} '${input}' needs options: write { ${input}: { ${needed.map((k) => `${k}: …`).join(", ")} } }`;
  };
  const shape = Object.fromEntries(names.map((k) => [k, kinds[k]!.optional()]));
  const long = z
    .strictObject(shape, {
      error: (iss) => (iss.code === "invalid_type" && typeof iss.input === "string" ? unknown(iss.input) : undefined),
    })
    .superRefine((v, ctx) => {
      const keys = Object.keys(v);
      // An unknown kind is already reported; "got none" would only repeat it.
      const unknownKey = (ctx as unknown as { issues: { code: string }[] }).issues.some((i) => i.code === "unrecognized_keys");
      if (keys.length !== 1 && !(keys.length === 0 && unknownKey)) {
        ctx.addIssue({ code: "custom", input: v, message: `must name exactly one ${what} (got ${keys.length ? keys.join(", ") : "none"})` });
      }
    })
    .meta({ minProperties: 1, maxProperties: 1 });
  kindFamilies.set(long, what);
  if (!short.length) return long;
  const article = /^[aeiou]/.test(what) ? "an" : "a";
  // Both branches and the union say the same when the value is of neither type.
  const wrongType = says(`must be ${article} ${what} name or a mapping like ${example}`);
  // A string checked against the names, not z.enum: z.enum fails a mapping with invalid_value,
  // which issues.ts cannot tell from a wrong name, so a mistake inside the long form (a missing
  // key) would be reported as "must be a name or a mapping". `enum` keeps the JSON Schema's list.
  const enumSchema = z
    .string({ error: wrongType })
    .refine((s) => short.includes(s), { error: (iss) => unknown(iss.input as string), abort: true })
    .meta({ enum: short });
  return z.union([enumSchema, long], { error: wrongType });
}
