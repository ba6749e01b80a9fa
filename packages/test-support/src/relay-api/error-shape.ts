/** The check that a relay's refusal is a well-formed core error body that leaks nothing. */
import { errorBodySchema, checkWire, type ErrorBody } from '@parley/core';
import type { Answer } from './http.js';

export type { ErrorBody };

/**
 * Signs of a leaked stack trace or source location in a body: a stack frame, an absolute path to
 * a source file, node_modules, a file:line location or a file URL.
 */
const LEAK =
  /\n\s*at |\bat [\w.<>]+ \(|(?:^|[\s"'(])\/[\w.-]+(?:\/[\w.-]+)*\.[cm]?[jt]s\b|node_modules|\.[jt]s:\d+|file:\/\//;

/**
 * Why `body` (parsed) and `text` (raw) are not a well-formed error answer: core's error body
 * with exactly `{ error: { code, message } }`, a RELAY_ code, a message, no stack trace or file
 * path. Returns undefined when they are.
 */
export function errorShapeProblem(body: unknown, text: string): string | undefined {
  if (typeof body !== 'object' || body === null) return `not a JSON object: ${text.slice(0, 200)}`;
  if (Object.keys(body).join() !== 'error') return `top-level keys are not [error]: ${text}`;
  const checked = checkWire(errorBodySchema, body, 'body');
  if (!checked.ok) return `${checked.detail ?? checked.reason}: ${text}`;
  const { error } = checked.value;
  const keys = Object.keys(error).sort().join();
  if (keys !== 'code,message') return `error keys are [${keys}], not [code,message]: ${text}`;
  if (!/^RELAY_[A-Z_]+$/.test(error.code)) return `bad code: ${text}`;
  if (error.message.length === 0) return `bad message: ${text}`;
  if (LEAK.test(text)) return `leaks a stack trace or path: ${text}`;
  return undefined;
}

/** The error code of an answer, after checking the body is a well-formed error. */
export function errorCode(answer: Answer): string {
  const problem = errorShapeProblem(answer.json, answer.text);
  if (problem !== undefined) throw new Error(`HTTP ${answer.status}: ${problem}`);
  return (answer.json as ErrorBody).error.code;
}
