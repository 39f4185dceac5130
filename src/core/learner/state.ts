/**
 * A learner's state as bytes (the taught folder's learner.bin): a little-endian u32 header length, a JSON header in
 * which each typed array is {"$array": i, "type": ..., "length": n}, then the arrays' bytes, each 8-byte aligned.
 */
import { LEARNER_FORMAT, type LearnerState } from './learner';

const TYPES = { Float64Array, Float32Array, Uint32Array, Int32Array, Uint16Array, Int8Array, Uint8Array } as const;
type TypeName = keyof typeof TYPES;
type AnyArray = InstanceType<(typeof TYPES)[TypeName]>;

function typeName(value: unknown): TypeName | undefined {
  return (Object.keys(TYPES) as TypeName[]).find((name) => value instanceof TYPES[name]);
}

export function packState(state: LearnerState): Uint8Array {
  const arrays: AnyArray[] = [];
  const header = JSON.stringify(state, (_, value: unknown) => {
    const type = typeName(value);
    if (type === undefined) return value;
    arrays.push(value as AnyArray);
    return { $array: arrays.length - 1, type, length: (value as AnyArray).length };
  });
  const headerBytes = new TextEncoder().encode(header);
  const align = (at: number) => Math.ceil(at / 8) * 8;
  let size = align(4 + headerBytes.length);
  const offsets = arrays.map((array) => {
    const at = size;
    size = align(size + array.byteLength);
    return at;
  });
  const bytes = new Uint8Array(size);
  new DataView(bytes.buffer).setUint32(0, headerBytes.length, true);
  bytes.set(headerBytes, 4);
  arrays.forEach((array, i) => {
    bytes.set(new Uint8Array(array.buffer, array.byteOffset, array.byteLength), offsets[i] as number);
  });
  return bytes;
}

export function unpackState(bytes: Uint8Array, file = 'learner state'): LearnerState {
  const fail = (detail: string): never => {
    throw new Error(`${file}: ${detail}`);
  };
  if (bytes.byteLength < 4) fail('too short');
  const copy = bytes.slice().buffer; // aligned
  const headerLength = new DataView(copy).getUint32(0, true);
  if (4 + headerLength > bytes.byteLength) fail('header runs past the end');
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder().decode(new Uint8Array(copy, 4, headerLength)));
  } catch (error) {
    fail(`header is not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  // The arrays follow in the order the header names them.
  let offset = Math.ceil((4 + headerLength) / 8) * 8;
  const revive = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(revive);
    if (typeof value !== 'object' || value === null) return value;
    const record = value as Record<string, unknown>;
    if (typeof record.$array === 'number') {
      const type = record.type as TypeName;
      const length = record.length as number;
      const make = TYPES[type];
      if (make === undefined || !Number.isInteger(length) || length < 0) fail(`array ${record.$array}: bad type or length`);
      const byteLength = length * make.BYTES_PER_ELEMENT;
      if (offset + byteLength > copy.byteLength) fail(`array ${record.$array} runs past the end`);
      const array = new make(copy, offset, length);
      offset = Math.ceil((offset + byteLength) / 8) * 8;
      return array;
    }
    return Object.fromEntries(Object.entries(record).map(([key, inner]) => [key, revive(inner)]));
  };
  const state = revive(header) as LearnerState;
  if (state?.format !== LEARNER_FORMAT) fail(`format "${String(state?.format)}", expected "${LEARNER_FORMAT}"`);
  return state;
}
