import test from 'node:test';
import assert from 'node:assert/strict';
import { NONE16, NONE32, b64bytes, blockRows, column, decodeMask, idsOf, mercator, metresPerPixel0, positions, readPayload, unpack7 } from '../src/decode.js';
import { inflatePacked } from '../src/inflate.js';
import { deflateRawSync } from 'node:zlib';

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

// ------------------------------------------------ the export's packed data

// pack7 as mapapp.exportdata writes it (the reference is Python's; this is
// the same rule, to make inputs here): 7 bits a character, NUL, CR, '<' and
// '~' as '~' and a digit.
function pack7(bytes) {
  const groups = Math.ceil(bytes.length * 8 / 7), out = [];
  for (let g = 0; g < groups; g++) {
    let v = 0;
    for (let b = 0; b < 7; b++) {
      const bit = g * 7 + b, byte = bit >> 3;
      v = (v << 1) | (byte < bytes.length ? (bytes[byte] >> (7 - (bit & 7))) & 1 : 0);
    }
    const k = [0, 13, 60, 126].indexOf(v);
    out.push(k >= 0 ? '~' + k : String.fromCharCode(v));
  }
  return out.join('');
}

test('unpack7 reads what Python packed', () => {
  // (mapapp.exportdata.pack7(bytes([0, 13, 60, 255, 1, 2, 3, 4, 5, 6, 7, 8])))
  const python = "~0\u0003'Ox\u0004\u0004\u0003\u0002\u0001 `8 ";
  assert.deepEqual([...unpack7(python)], [0, 13, 60, 255, 1, 2, 3, 4, 5, 6, 7, 8]);
  assert.equal(pack7([0, 13, 60, 255, 1, 2, 3, 4, 5, 6, 7, 8]), python);
  assert.deepEqual([...unpack7('')], []);
});

test('unpack7 gives back any bytes, of any length, and no character the parser changes is used', () => {
  for (let n = 0; n < 40; n++) {
    const bytes = Array.from({ length: n }, (_, i) => (i * 151 + n * 7) & 255);
    const text = pack7(bytes);
    assert.ok(!/[\0\r<\u0080-\uffff]/.test(text));
    assert.deepEqual([...unpack7(text)], bytes, 'length ' + n);
  }
  const all = Array.from({ length: 256 }, (_, i) => i);
  assert.deepEqual([...unpack7(pack7(all))], all);
  assert.throws(() => unpack7('ab\u2603'), /not packed data/);
});

test('readPayload: the header as JSON, the columns as typed arrays in place', () => {
  const head = Buffer.from(JSON.stringify({ n: 2, ids: ['a', 'b'], buffers: [['xy', 0, 32], ['color', 32, 2]] }));
  const base = Math.ceil((8 + head.length) / 8) * 8;
  const bytes = new Uint8Array(base + 40);
  bytes.set(Buffer.from('IMP1'));
  new DataView(bytes.buffer).setUint32(4, head.length, true);
  bytes.set(head, 8);
  const xy = new Float64Array([44.5, 33.25, -1, 2]);
  bytes.set(new Uint8Array(xy.buffer), base);
  bytes.set([3, 0], base + 32);
  const payload = readPayload(bytes);
  assert.deepEqual(payload.ids, ['a', 'b']);
  assert.equal(payload.buffers, undefined);
  assert.deepEqual([...column(payload.xy, Float64Array)], [44.5, 33.25, -1, 2]);
  assert.deepEqual([...column(payload.color, Uint8Array)], [3, 0]);
  assert.throws(() => readPayload(new Uint8Array(16)), /not an incident payload/);
});

test('idsOf reads the ids\' JSON list as JSON.parse would, hostile ids included', () => {
  const lists = [[], [''], ['a'], ['a', 'b'], ['2020-01-02-idlib-000001', 'x y', '\u00e9t\u00e9 \u2603 \ud83d\ude00'],
                 ['say "hi"', 'a","b', 'back\\slash', 'line\nbreak', '\u0000', '"', ','], ['","', ''], ['a', '', 'b']];
  for (const ids of lists) {
    const bytes = new TextEncoder().encode(JSON.stringify(ids));
    assert.deepEqual(idsOf(bytes, ids.length), ids, JSON.stringify(ids));
  }
  // (written with spaces, or with a count that does not match: parsed)
  assert.deepEqual(idsOf(new TextEncoder().encode('["a", "b"]'), 2), ['a', 'b']);
  assert.deepEqual(idsOf(new TextEncoder().encode('["a","b"]'), 3), ['a', 'b']);
});

test('inflatePacked gives back the deflated bytes (here, where there is no Worker)', async () => {
  const bytes = Array.from({ length: 5000 }, (_, i) => (i * 31) & 255);
  const text = pack7([...deflateRawSync(Buffer.from(bytes))]);
  assert.deepEqual([...(await inflatePacked(text))], bytes);
  await assert.rejects(inflatePacked('ab\u2603'), /not packed data/);
});

test('positions: int32 in 1e-7 degrees divide back to the decimals exactly; float64 as it is', () => {
  const coords = [44.1234567, 33.7654321, -179.9999999, -89.5, 180, 85.0511287, 0, -0.0000001];
  const ints = new Int32Array(coords.map((v) => Math.round(v * 1e7)));
  assert.deepEqual([...positions(new Uint8Array(ints.buffer), 10000000, 4)], coords);
  const f64 = new Float64Array([1.5, 2.25]);
  assert.deepEqual([...positions(new Uint8Array(f64.buffer), 0, 1)], [1.5, 2.25]);
});

test('blockRows makes the page block\'s rows: keys in order, missing left out, nested values whole', () => {
  const block = {
    n: 3,
    cols: [
      { name: 'id', ids: 1 },
      { name: 'title', values: ['One', null, '<b>x</b>'] },
      { name: '__proto__', values: [null, { polluted: true }, null] },
      { name: 'sources', len: [2, -1, 0], shape: [0, 1], shapes: [['title', 'url'], ['url']],
        cols: [[['S1'], ['https://a']], [['https://b']]], raw: [] },
      { name: 'attribution', len: [-2, -2, -2], shape: [0, -1, 0], shapes: [['status']],
        cols: [[['confirmed', 'claimed']]], raw: ['odd'] }
    ]
  };
  const rows = blockRows(block, ['a', 'b', 'c']);
  assert.deepEqual(rows.map((r) => Object.keys(r)), [
    ['id', 'title', 'sources', 'attribution'],
    ['id', '__proto__', 'attribution'],
    ['id', 'title', 'sources', 'attribution']
  ]);
  assert.deepEqual(JSON.parse(JSON.stringify(rows[0])), {
    id: 'a', title: 'One', attribution: { status: 'confirmed' },
    sources: [{ title: 'S1', url: 'https://a' }, { url: 'https://b' }]
  });
  assert.equal(rows[1].attribution, 'odd');
  assert.deepEqual(rows[2].sources, []);
  // (a key named __proto__ is a key, as JSON.parse makes it, not the prototype)
  assert.deepEqual(rows[1]['__proto__'], { polluted: true });
  assert.equal(Object.getPrototypeOf(rows[1]), Object.prototype);
  assert.equal({}.polluted, undefined);
  assert.deepEqual(rows[1], JSON.parse('{"id":"b","__proto__":{"polluted":true},"attribution":"odd"}'));
});
