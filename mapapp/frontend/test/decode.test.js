import test from 'node:test';
import assert from 'node:assert/strict';
import { NONE16, NONE32, b64bytes, column, decodeMask, mercator, metresPerPixel0 } from '../src/decode.js';

const b64 = (typed) => Buffer.from(typed.buffer, typed.byteOffset, typed.byteLength).toString('base64');

test('base64 bytes', () => {
  assert.deepEqual([...b64bytes('AAH/gA==')], [0, 1, 255, 128]);
  assert.deepEqual([...b64bytes('')], []);
});

test('typed columns come back as Python wrote them (little-endian)', () => {
  const xy = new Float64Array([44.3, 33.05, -0.5, 1e-9]);
  assert.deepEqual([...column(b64(xy), Float64Array)], [...xy]);
  const codes = new Uint16Array([0, 3, NONE16]);
  assert.deepEqual([...column(b64(codes), Uint16Array)], [0, 3, 65535]);
  const dates = new Uint32Array([7, NONE32]);
  assert.deepEqual([...column(b64(dates), Uint32Array)], [7, 4294967295]);
  const km = new Float32Array([2.5, NaN]);
  const back = column(b64(km), Float32Array);
  assert.equal(back[0], 2.5);
  assert.ok(Number.isNaN(back[1]));
  // (as numpy's '<u2' writes 258: 0x02 0x01)
  assert.deepEqual([...column(Buffer.from([2, 1]).toString('base64'), Uint16Array)], [258]);
  assert.equal(column(undefined, Float64Array).length, 0);
});

test('a bitset mask picks bit i of byte i >> 3, least significant bit first', () => {
  // bits 0, 2, 9 set: bytes 0b00000101, 0b00000010
  const code = Buffer.from([0b101, 0b10]).toString('base64');
  assert.deepEqual(decodeMask(code, 16), [0, 2, 9]);
  assert.deepEqual(decodeMask(code, 9), [0, 2]);  // (bits beyond n are ignored)
  assert.equal(decodeMask('all', 5), null);
  assert.deepEqual(decodeMask(Buffer.from([0]).toString('base64'), 8), []);
});

test('a mask round-trips every subset of 10 incidents', () => {
  for (let subset = 0; subset < 1024; subset += 37) {
    const want = [];
    const bytes = new Uint8Array(2);
    for (let i = 0; i < 10; i++) {
      if (subset & (1 << i)) { want.push(i); bytes[i >> 3] |= 1 << (i & 7); }
    }
    assert.deepEqual(decodeMask(b64(bytes), 10), want);
  }
});

test('Web Mercator at zoom 0', () => {
  const xy = new Float64Array([0, 0, -180, 85.0511287798, 180, -85.0511287798, 90, 89.9]);
  const { wx, wy } = mercator(xy, 4);
  assert.equal(wx[0], 0.5); assert.equal(wy[0], 0.5);
  assert.ok(Math.abs(wx[1]) < 1e-12 && Math.abs(wy[1]) < 1e-9);
  assert.ok(Math.abs(wx[2] - 1) < 1e-12 && Math.abs(wy[2] - 1) < 1e-9);
  assert.equal(wx[3], 0.75);
  assert.ok(Math.abs(wy[3]) < 1e-9, 'latitudes beyond the Mercator limit are clamped');
  // Leaflet's own formula: y = 0.5 - ln(tan(pi/4 + lat/2)) / (2 pi)
  const lat = 33.3, y = mercator(new Float64Array([44.4, lat]), 1).wy[0];
  assert.ok(Math.abs(y - (0.5 - Math.log(Math.tan(Math.PI / 4 + lat * Math.PI / 360)) / (2 * Math.PI))) < 1e-12);
});

test('metres per pixel at zoom 0 shrink with the cosine of the latitude', () => {
  assert.ok(Math.abs(metresPerPixel0(0) - 156543.03) < 0.01);
  assert.ok(Math.abs(metresPerPixel0(60) - 156543.03 / 2) < 0.01);
});
