/** The JSON-schema subset the wire module is written in, the TypeScript type of a schema, and a checker. */
import { fail, ok, type Result } from '../result.js';

/**
 * A JSON schema node as the wire module writes it (the subset of JSON Schema draft 7 and OpenAPI
 * 3 that Fastify's validator, the OpenAPI document and `checkWire` all read the same way).
 */
export interface JsonSchema {
  readonly type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean' | 'null';
  readonly description?: string;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean;
  readonly items?: JsonSchema;
  readonly maxItems?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly const?: string | number | boolean;
  readonly enum?: readonly (string | number)[];
}

type Flatten<T> = { [K in keyof T]: T[K] } & {};

type ObjectOf<P, R extends PropertyKey> = Flatten<
  { readonly [K in keyof P & R]: FromSchema<P[K]> } & {
    readonly [K in Exclude<keyof P, R>]?: FromSchema<P[K]>;
  }
>;

/**
 * The TypeScript type of a value that satisfies schema `S` (written `as const`): the wire types
 * are derived from their schemas, so the two cannot drift apart.
 */
export type FromSchema<S> = S extends { readonly const: infer C }
  ? C
  : S extends { readonly enum: readonly (infer E)[] }
    ? E
    : S extends { readonly type: 'string' }
      ? string
      : S extends { readonly type: 'integer' | 'number' }
        ? number
        : S extends { readonly type: 'boolean' }
          ? boolean
          : S extends { readonly type: 'null' }
            ? null
            : S extends { readonly type: 'array'; readonly items: infer I }
              ? readonly FromSchema<I>[]
              : S extends { readonly type: 'object'; readonly properties: infer P }
                ? ObjectOf<
                    P,
                    S extends { readonly required: readonly (infer R)[] } ? R & PropertyKey : never
                  >
                : unknown;

/** Why a value does not satisfy its schema. */
export type WireFailure = 'wire-invalid';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Uint8Array)
  );
}

function typeProblem(schema: JsonSchema, value: unknown): string | undefined {
  switch (schema.type) {
    case undefined:
      return undefined;
    case 'object':
      return isPlainObject(value) ? undefined : 'is not an object';
    case 'array':
      return Array.isArray(value) ? undefined : 'is not an array';
    case 'string':
      return typeof value === 'string' ? undefined : 'is not a string';
    case 'integer':
      return Number.isSafeInteger(value) ? undefined : 'is not a safe integer';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : 'is not a number';
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'is not a boolean';
    case 'null':
      return value === null ? undefined : 'is not null';
  }
}

function rangeProblem(schema: JsonSchema, value: unknown): string | undefined {
  if (schema.const !== undefined && value !== schema.const) return `is not ${String(schema.const)}`;
  if (schema.enum !== undefined && !schema.enum.includes(value as string | number))
    return 'is not one of its values';
  if (typeof value === 'string') {
    if (schema.minLength !== undefined && value.length < schema.minLength) return 'is too short';
    if (schema.maxLength !== undefined && value.length > schema.maxLength) return 'is too long';
    if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value))
      return 'does not match its pattern';
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) return 'is too small';
    if (schema.maximum !== undefined && value > schema.maximum) return 'is too large';
  }
  if (Array.isArray(value) && schema.maxItems !== undefined && value.length > schema.maxItems)
    return 'has too many items';
  return undefined;
}

/** The first way `value` breaks `schema`, as "path problem", or undefined if it satisfies it. */
function problemOf(schema: JsonSchema, value: unknown, path: string): string | undefined {
  const problem = typeProblem(schema, value) ?? rangeProblem(schema, value);
  if (problem !== undefined) return `${path} ${problem}`;
  if (Array.isArray(value) && schema.items !== undefined) {
    for (const [index, item] of value.entries()) {
      const inner = problemOf(schema.items, item, `${path}[${index}]`);
      if (inner !== undefined) return inner;
    }
  }
  if (isPlainObject(value) && (schema.type === 'object' || schema.properties !== undefined)) {
    for (const key of schema.required ?? []) {
      if (value[key] === undefined) return `${path}.${key} is missing`;
    }
    const properties = schema.properties ?? {};
    for (const [key, field] of Object.entries(value)) {
      const fieldSchema = Object.hasOwn(properties, key) ? properties[key] : undefined;
      if (fieldSchema === undefined) {
        if (schema.additionalProperties === false) return `${path}.${key} is not allowed`;
        continue;
      }
      const inner = problemOf(fieldSchema, field, `${path}.${key}`);
      if (inner !== undefined) return inner;
    }
  }
  return undefined;
}

/**
 * Checks untrusted input (a parsed JSON body or frame) against a wire schema. Properties the
 * schema does not list pass unless it says `additionalProperties: false` (a newer peer may add
 * fields); the value is returned as given, typed by its schema. Never throws.
 */
export function checkWire<const S extends JsonSchema>(
  schema: S,
  value: unknown,
  what: string,
): Result<FromSchema<S>, WireFailure> {
  const problem = problemOf(schema, value, what);
  return problem === undefined ? ok(value as FromSchema<S>) : fail('wire-invalid', problem);
}

/** Parses one JSON text; text that is not JSON is `wire-invalid`. Never throws. */
export function parseJson(text: string, what: string): Result<unknown, WireFailure> {
  try {
    return ok(JSON.parse(text) as unknown);
  } catch {
    return fail('wire-invalid', `${what} is not JSON`);
  }
}

/** Parses one JSON text and checks it like `checkWire`. Never throws. */
export function parseWire<const S extends JsonSchema>(
  schema: S,
  text: string,
  what: string,
): Result<FromSchema<S>, WireFailure> {
  const parsed = parseJson(text, what);
  return parsed.ok ? checkWire(schema, parsed.value, what) : parsed;
}

/**
 * Checks a value whose `type` field picks its schema from `schemas` (a union of frames); an
 * unknown type is `wire-invalid`. Never throws.
 */
export function decodeTagged<const M extends Readonly<Record<string, JsonSchema>>>(
  schemas: M,
  value: unknown,
  what: string,
): Result<{ [K in keyof M]: FromSchema<M[K]> }[keyof M], WireFailure> {
  if (!isPlainObject(value)) return fail('wire-invalid', `${what} is not an object`);
  const type = value.type;
  const schema =
    typeof type === 'string' && Object.hasOwn(schemas, type) ? schemas[type] : undefined;
  if (schema === undefined) return fail('wire-invalid', `${what}.type is not a known frame`);
  return checkWire(schema, value, what) as Result<
    { [K in keyof M]: FromSchema<M[K]> }[keyof M],
    WireFailure
  >;
}
