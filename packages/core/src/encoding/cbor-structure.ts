/**
 * A non-recursive pass over CBOR item headers (RFC 8949 §3) that bounds nesting depth and checks
 * that lengths fit the input, before the real decoder (which recurses) ever sees the bytes.
 */
import { CoreError } from '../errors.js';

const MAJOR_BYTES = 2;
const MAJOR_TEXT = 3;
const MAJOR_ARRAY = 4;
const MAJOR_MAP = 5;
const MAJOR_TAG = 6;
const MAJOR_SIMPLE = 7;

/**
 * Walks the headers of one CBOR data item and throws if it nests deeper than `maxDepth`, if a
 * length runs past the end, if an indefinite length or reserved header appears, or if bytes
 * follow the item. The top-level item is level 1; containers (arrays, maps, tags) each add one.
 * Throws RangeError if `maxDepth` is below 1.
 * @throws CoreError CORE_CBOR_TOO_DEEP | CORE_CBOR_MALFORMED
 */
export function checkCborStructure(bytes: Uint8Array, maxDepth: number): void {
  if (!Number.isInteger(maxDepth) || maxDepth < 1)
    throw new RangeError('maxDepth must be at least 1');
  // Items still expected at each open level; the bottom entry is the single top-level item.
  const pending: number[] = [1];
  let offset = 0;
  while (pending.length > 0) {
    const top = pending.length - 1;
    if ((pending[top] ?? 0) === 0) {
      pending.pop();
      continue;
    }
    pending[top] = (pending[top] ?? 0) - 1;
    if (offset >= bytes.length) throw malformed('input ends inside an item');
    const initial = bytes[offset] ?? 0;
    offset += 1;
    const major = initial >>> 5;
    const info = initial & 0x1f;
    let argument: number;
    if (info < 24) {
      argument = info;
    } else if (info <= 27) {
      const size = 1 << (info - 24);
      if (offset + size > bytes.length) throw malformed('input ends inside a header');
      argument = 0;
      for (let i = 0; i < size; i++) argument = argument * 256 + (bytes[offset + i] ?? 0);
      offset += size;
    } else if (info === 31) {
      throw malformed('indefinite-length items are not allowed in DAG-CBOR');
    } else {
      throw malformed(`reserved additional information ${info}`);
    }
    const remaining = bytes.length - offset;
    switch (major) {
      case MAJOR_BYTES:
      case MAJOR_TEXT:
        if (argument > remaining) throw malformed('a string runs past the end of the input');
        offset += argument;
        break;
      case MAJOR_ARRAY:
      case MAJOR_MAP: {
        const items = major === MAJOR_MAP ? argument * 2 : argument;
        // Every item takes at least one byte, so a count beyond what is left is malformed.
        if (items > remaining) throw malformed('a container claims more items than bytes remain');
        if (items > 0) openLevel(pending, items, maxDepth);
        else if (pending.length + 1 > maxDepth) throw tooDeep(maxDepth);
        break;
      }
      case MAJOR_TAG:
        openLevel(pending, 1, maxDepth);
        break;
      case MAJOR_SIMPLE:
        // Floats carry their value in the header bytes already consumed; simple values have none.
        break;
      default:
        break;
    }
  }
  if (offset !== bytes.length) throw malformed('bytes follow the top-level item');
}

function openLevel(pending: number[], items: number, maxDepth: number): void {
  pending.push(items);
  if (pending.length > maxDepth) throw tooDeep(maxDepth);
}

function malformed(detail: string): CoreError {
  return new CoreError('CORE_CBOR_MALFORMED', `(${detail})`);
}

function tooDeep(maxDepth: number): CoreError {
  return new CoreError('CORE_CBOR_TOO_DEEP', `(more than ${maxDepth} levels)`);
}
