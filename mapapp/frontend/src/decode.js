// Decoding what Python sends (see mapapp.contract): base64 typed-array
// columns, bitset masks, positions in Web Mercator, and the export's data
// (mapapp.exportdata): text packed 7 bits a character, the payload's binary
// container and properties blocks written column by column.

/** "No value" in a uint16 code column (event type). */
export const NONE16 = 65535;
/** "No value" in a uint32 code column (date). */
export const NONE32 = 4294967295;

/** The bytes of a base64 text. */
export function b64bytes(text) {
  if (typeof Uint8Array.fromBase64 === 'function') { return Uint8Array.fromBase64(text); }
  const bin = atob(text), n = bin.length, out = new Uint8Array(n);
  for (let i = 0; i < n; i++) { out[i] = bin.charCodeAt(i); }
  return out;
}

/**
 * A little-endian typed array (``Type``: Float64Array, Uint16Array, ...) from
 * base64, or from bytes (a Uint8Array whose offset is a multiple of 8).
 */
export function column(text, Type) {
  const b = text instanceof Uint8Array ? text : b64bytes(text || '');
  return new Type(b.buffer, b.byteOffset, Math.floor(b.byteLength / Type.BYTES_PER_ELEMENT));
}

/**
 * Longitude, latitude pairs (Float64Array) of a payload's ``xy``: int32 in
 * units of 1 / ``scale`` degree (mapapp.mapdata.XY_SCALE), divided back (a
 * position with at most 7 decimals comes back exactly), or float64 when
 * ``scale`` is 0 or missing.
 */
export function positions(xy, scale, n) {
  if (!scale) { return column(xy, Float64Array); }
  const ints = column(xy, Int32Array), m = Math.min(ints.length, 2 * n), out = new Float64Array(2 * n);
  for (let k = 0; k < m; k++) { out[k] = ints[k] / scale; }
  return out;
}

/**
 * The bytes of text mapapp.exportdata.pack7 wrote: 7 bits per character,
 * most significant first ('~' and a digit: an escaped value, 0 (NUL), 13
 * (CR), 60 ('<') or 126 ('~')); the bits left over at the end are padding.
 * Only ASCII: Chromium reads such a page fast. Self-contained (no name from
 * outside it): inflate.js runs its source on a worker thread.
 */
export function unpack7(text) {
  const ESC = 126, ESCAPED = [0, 13, 60, 126];
  const n = text.length, out = new Uint8Array(Math.floor(n * 7 / 8));
  let acc = 0, bits = 0, o = 0;
  for (let i = 0; i < n; i++) {
    let c = text.charCodeAt(i);
    if (c === ESC) {
      c = ESCAPED[text.charCodeAt(++i) - 48];
      if (c === undefined) { throw new Error('not packed data (character ' + i + ')'); }
    } else if (c > 127) {
      throw new Error('not packed data (character ' + i + ')');
    }
    acc = ((acc << 7) | c) & 0x7fff;
    bits += 7;
    if (bits >= 8) { bits -= 8; out[o++] = (acc >> bits) & 255; }
  }
  return out.subarray(0, o);
}

/**
 * The draw payload from mapapp.exportdata.payload_bytes' container: 'IMP1',
 * the header's length (uint32), the header (JSON), then the typed-array
 * columns' bytes (``buffers``: [key, offset, length], offsets from the
 * first 8-aligned byte after the header). ``bytes``' offset must be 0.
 * The export writes the ids apart (dataset.js ``fetchJson``: the bytes of
 * their JSON list, split only when first needed: ``idsOf``).
 */
export function readPayload(bytes) {
  const magic = String.fromCharCode(bytes[0], bytes[1], bytes[2], bytes[3]);
  if (magic !== 'IMP1') { throw new Error('not an incident payload'); }
  const size = new DataView(bytes.buffer, bytes.byteOffset + 4, 4).getUint32(0, true);
  const payload = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + size)));
  const base = Math.ceil((8 + size) / 8) * 8;
  for (const [key, offset, length] of payload.buffers || []) {
    payload[key] = bytes.subarray(base + offset, base + offset + length);
  }
  delete payload.buffers;
  return payload;
}

/**
 * The ``n`` ids of a JSON list's UTF-8 bytes (the export's): split at
 * '","' when it is written compactly and no id needed an escape (no
 * backslash: no id holds a quote), else parsed.
 */
export function idsOf(bytes, n) {
  const text = new TextDecoder().decode(bytes);
  if (text === '[]' && !n) { return []; }
  if (text.indexOf('\\') < 0 && text.startsWith('["') && text.endsWith('"]')) {
    const ids = text.slice(2, -2).split('","');
    if (ids.length === n) { return ids; }
  }
  return JSON.parse(text);
}

/** ``obj[key] = value`` as JSON.parse sets it (an own '__proto__' key stays a key). */
function put(obj, key, value) {
  if (key === '__proto__') {
    Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    obj[key] = value;
  }
}

/**
 * A nested column's row values (see mapapp.exportdata.block_columns):
 * ``len`` per row (-1 missing, -2 one element, else a list's length);
 * ``shape`` per element (an index into ``shapes``, or -1: the next of
 * ``raw``); ``cols[shape][key]``: the values of that shape's dicts.
 */
function unnest(col) {
  const shapes = col.shapes, cols = col.cols, shape = col.shape, raw = col.raw;
  const taken = shapes.map(() => 0);
  let e = 0, r = 0;
  function element() {
    const code = shape[e++];
    if (code < 0) { return raw[r++]; }
    const out = {}, keys = shapes[code], at = taken[code]++;
    for (let j = 0; j < keys.length; j++) { put(out, keys[j], cols[code][j][at]); }
    return out;
  }
  return col.len.map((length) => {
    if (length === -1) { return null; }
    if (length === -2) { return element(); }
    const list = new Array(length);
    for (let k = 0; k < length; k++) { list[k] = element(); }
    return list;
  });
}

/**
 * The rows of a properties block the export wrote column by column
 * (mapapp.exportdata.block_columns): the same objects as the page's block,
 * keys in column order, missing values left out. ``ids``: the payload's
 * ids of its rows (a column marked ``ids`` is them).
 */
export function blockRows(block, ids) {
  const n = block.n | 0, rows = new Array(n);
  for (let k = 0; k < n; k++) { rows[k] = {}; }
  for (const col of block.cols || []) {
    const values = col.ids ? ids : (col.values || unnest(col));
    for (let k = 0; k < n; k++) {
      const v = values[k];
      if (v !== null && v !== undefined) { put(rows[k], col.name, v); }
    }
  }
  return rows;
}

/**
 * A view's incidents: the indices whose bit is set in a base64 bitset
 * (bit i of byte i >> 3, least significant first), or null for 'all'.
 */
export function decodeMask(code, n) {
  if (code === 'all') { return null; }
  const bytes = b64bytes(code), out = [];
  for (let i = 0; i < n; i++) {
    if ((bytes[i >> 3] >> (i & 7)) & 1) { out.push(i); }
  }
  return out;
}

const MAX_LAT = 85.0511287798;

/**
 * Web Mercator at zoom 0, in [0, 1], of n longitude, latitude pairs: the
 * map's pixel x, y are these times 256 * 2^zoom.
 */
export function mercator(xy, n) {
  const wx = new Float64Array(n), wy = new Float64Array(n);
  const max = 0.9999999999999999, d = Math.PI / 180;
  for (let i = 0; i < n; i++) {
    let s = Math.sin(Math.max(Math.min(xy[2 * i + 1], MAX_LAT), -MAX_LAT) * d);
    s = Math.max(Math.min(s, max), -max);
    wx[i] = 0.5 + xy[2 * i] / 360;
    wy[i] = 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI);
  }
  return { wx, wy };
}

/** Metres per pixel at zoom 0 at a latitude (divide by 2^zoom). */
export function metresPerPixel0(lat) {
  return 40075016.686 * Math.cos(lat * Math.PI / 180) / 256;
}
