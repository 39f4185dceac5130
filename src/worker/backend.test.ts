import { describe, expect, it } from 'vitest';
import { pickPrecision } from './backend';

const files = { int8: 'model.int8.onnx', fp32: 'model.onnx', fp16: 'model.fp16.onnx' };

describe('pickPrecision', () => {
  it('runs int8 on WASM and never picks int8 for WebGPU by itself', () => {
    const shipped = { 'model.int8.onnx': 1, 'model.onnx': 1, 'model.fp16.onnx': 1 };
    expect(pickPrecision('wasm', files, shipped, undefined)).toBe('int8');
    expect(pickPrecision('webgpu', files, shipped, undefined)).toBe('fp16');
    expect(pickPrecision('webgpu', files, { 'model.int8.onnx': 1, 'model.onnx': 1 }, undefined)).toBe('fp32');
    expect(pickPrecision('webgpu', files, { 'model.int8.onnx': 1 }, undefined)).toBeUndefined();
  });

  it('only picks graphs the folder ships, and honours a forced precision', () => {
    expect(pickPrecision('wasm', files, { 'model.onnx': 1 }, undefined)).toBe('fp32');
    expect(pickPrecision('webgpu', files, { 'model.int8.onnx': 1 }, 'int8')).toBe('int8');
    expect(pickPrecision('wasm', files, { 'model.int8.onnx': 1 }, 'fp32')).toBeUndefined();
  });

  it('assumes only the committed int8 graph when the file list is unknown', () => {
    expect(pickPrecision('wasm', files, undefined, undefined)).toBe('int8');
    expect(pickPrecision('webgpu', files, undefined, undefined)).toBeUndefined();
  });
});
