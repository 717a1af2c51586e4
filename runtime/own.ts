// Lookups of strings a user typed (a spec's kind names, CSV headers, checkpoint fields) in
// plain objects. `record[key]` would also find Object.prototype's members: `constructor`,
// `toString` and `__proto__` are names anyone can type. Only own keys count here.

/** record[key] when key is the record's own; undefined for anything else (prototype included). */
export function own<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** Whether key is one of the record's own keys. */
export const hasOwn = (record: object, key: string): boolean => Object.hasOwn(record, key);
