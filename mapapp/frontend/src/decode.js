// Decoding what Python sends (see mapapp.contract): base64 typed-array
// columns, bitset masks, and positions in Web Mercator.

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

/** A little-endian typed array (``Type``: Float64Array, Uint16Array, ...) from base64. */
export function column(text, Type) {
  const b = b64bytes(text || '');
  return new Type(b.buffer, b.byteOffset, Math.floor(b.byteLength / Type.BYTES_PER_ELEMENT));
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
