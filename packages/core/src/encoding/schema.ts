/** Field checks for decoded protocol objects: exact key sets and typed fields, or CORE_SCHEMA_INVALID. */
import { CoreError } from '../errors.js';

/** A decoded DAG-CBOR map with string keys. */
export type Fields = Readonly<Record<string, unknown>>;

/**
 * Checks that `value` is a plain map whose keys are exactly `required` plus any of `optional`.
 * @throws CoreError CORE_SCHEMA_INVALID
 */
export function expectFields(
  value: unknown,
  what: string,
  required: readonly string[],
  optional: readonly string[] = [],
): Fields {
  if (
    typeof value !== 'object' ||
    value === null ||
    Array.isArray(value) ||
    value instanceof Uint8Array
  ) {
    throw invalid(what, 'is not a map');
  }
  const fields = value as Fields;
  for (const key of required) {
    if (!(key in fields)) throw invalid(what, `has no "${key}"`);
  }
  for (const key of Object.keys(fields)) {
    if (!required.includes(key) && !optional.includes(key))
      throw invalid(what, `has unknown field "${key}"`);
  }
  return fields;
}

/** Reads a byte string field, optionally of an exact length. @throws CoreError CORE_SCHEMA_INVALID */
export function expectBytes(
  fields: Fields,
  key: string,
  what: string,
  length?: number,
): Uint8Array {
  const value = fields[key];
  if (!(value instanceof Uint8Array)) throw invalid(what, `"${key}" is not bytes`);
  if (length !== undefined && value.length !== length) {
    throw invalid(what, `"${key}" must be ${length} bytes`);
  }
  return value;
}

/** Reads a safe non-negative integer field within [min, max]. @throws CoreError CORE_SCHEMA_INVALID */
export function expectUint(
  fields: Fields,
  key: string,
  what: string,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const value = fields[key];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw invalid(what, `"${key}" must be an integer in ${min}..${max}`);
  }
  return value;
}

/** Reads a string field. @throws CoreError CORE_SCHEMA_INVALID */
export function expectString(fields: Fields, key: string, what: string): string {
  const value = fields[key];
  if (typeof value !== 'string') throw invalid(what, `"${key}" is not a string`);
  return value;
}

function invalid(what: string, problem: string): CoreError {
  return new CoreError('CORE_SCHEMA_INVALID', `(${what} ${problem})`);
}
