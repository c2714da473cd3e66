// The incidents of one draw payload (see mapapp.contract.DrawPayload):
// compact columns to draw from, and each incident's full properties, read
// afterwards (for popups and tooltips) one block at a time (see
// mapapp.contract.RemoteData), when first needed: fetched from the app (the
// page), or decoded from an element of the page (the export: a URL '#id').

import { chainLines } from './chain.js';
import { IdLookup } from './ids.js';
import { blockRows, column, idsOf, mercator, positions, readPayload } from './decode.js';
import { inflateHere, inflatePacked } from './inflate.js';
import { newMarker } from './markers.js';
import { fetchAppJson, gunzipJson } from './fetching.js';
import { HttpError, missingMessage, retryMissing } from './retry.js';

// At most this many blocks asked for by properties() are fetched by the
// next loadProps() (a popup needs its incident's and its links' blocks).
const MAX_WANTED = 8;

export class Dataset {
  /**
   * ``payload``: the draw payload; ``props``: where the full properties
   * are: ``{url, block}``, a URL template whose '{block}' is a block's
   * number (the export's: '#' and an element's id), and the block's size.
   */
  constructor(payload, props) {
    const n = this.n = payload.n | 0;
    // (split when first needed: the export's and the page's ids come as
    // their JSON list's bytes, written apart: mapapp.contract.IDS_FILE)
    const ids = payload.ids || null;
    this.idsPacked = ids instanceof Uint8Array || typeof ids === 'string' ? ids : null;
    this.idList = this.idsPacked === null ? ids : null;
    this.xy = positions(payload.xy, payload.xy_scale, n);
    this.color = column(payload.color, Uint8Array);
    this.palette = payload.palette || ['#8c8c8c'];
    this.type = column(payload.type, Uint16Array);
    this.types = payload.types || [];
    this.dashed = column(payload.dashed, Uint8Array);
    this.date = column(payload.date, Uint32Array);
    this.dates = payload.dates || [];
    this.km = column(payload.km, Float32Array);
    this.links = payload.links || [];
    this.chain = chainLines(this.links, this.date);  // (each link once: the lines drawn)
    this.propsSource = props;
    this.props = null;  // (never all at once: see blocks)
    this.blocks = {};  // (block number -> its incidents' properties)
    this.blockLoads = {};
    this.wanted = [];
    this.stubs = {};
    this.markers = new Array(n);
    this.listeners = {};  // (of its markers: see markers.js)
    const w = mercator(this.xy, n);
    this.wx = w.wx; this.wy = w.wy;
  }

  /** The incidents' ids (strings), in index order. */
  get ids() {
    if (!this.idList) {
      const packed = this.idsPacked;
      this.idList = typeof packed === 'string' ? (this.n ? packed.split('\n') : [])
        : packed ? idsOf(packed, this.n) : [];
      this.idsPacked = null;
    }
    return this.idList;
  }

  lat(i) { return this.xy[2 * i + 1]; }
  lng(i) { return this.xy[2 * i]; }

  /** The index of an incident id, or -1. */
  indexOf(id) {
    if (!this.lookup) { this.lookup = new IdLookup(this.ids); }
    return this.lookup.indexOf(id);
  }

  /** Incidents per properties block, or 0 (none to read). */
  blockSize() {
    const src = this.propsSource || {};
    return src.url ? Math.max(1, src.block | 0) : 0;
  }

  /**
   * Incident i's properties (only its id until they are loaded; the page
   * then remembers its block for the next loadProps()).
   */
  properties(i) {
    if (this.props && this.props[i]) { return this.props[i]; }
    const size = this.blockSize();
    if (size) {
      const b = Math.floor(i / size);
      const block = this.blocks[b];
      if (block && block[i - b * size]) { return block[i - b * size]; }
      if (!block) { this.want(b); }
    }
    return this.stubs[i] || (this.stubs[i] = { id: this.ids[i] });
  }

  /** Whether incident i's properties are here. */
  hasProps(i) {
    const size = this.blockSize();
    return size ? !!this.blocks[Math.floor(i / size)] : !!this.props;
  }

  /** Whether properties() was asked for incidents whose blocks are not read yet. */
  hasWanted() { return this.wanted.length > 0; }

  want(b) {
    if (b < 0 || b * this.blockSize() >= this.n || this.wanted.includes(b)) { return; }
    this.wanted.push(b);
    if (this.wanted.length > MAX_WANTED) { this.wanted.shift(); }
  }

  /** Incident i's marker, made when first asked for. */
  marker(i) {
    return this.markers[i] || (this.markers[i] = newMarker(this, i));
  }

  /**
   * The full properties: the blocks of incident ``i`` (if given) and of
   * those properties() was asked for, each read once (fetched from the app,
   * or decoded from the export's page). Fires 'props'; never rejects (a
   * block that cannot be read leaves its incidents' ids only, and is read
   * again next time).
   */
  loadProps(i) {
    if (!this.blockSize()) { return Promise.resolve(this); }
    if (i !== undefined && i !== null) { this.want(Math.floor(i / this.blockSize())); }
    const blocks = this.wanted;
    this.wanted = [];
    return Promise.all(blocks.map((b) => this.loadBlock(b))).then(() => this);
  }

  /**
   * Fetch properties block ``b`` once (the page); resolves when it is in.
   * The server writes the blocks after the drawing data, so a block not
   * there yet (404) is asked for again, for about a minute (retry.js);
   * then ``propsError`` says so in words and the next call tries again.
   */
  loadBlock(b) {
    if (!this.blockLoads[b]) {
      const url = String(this.propsSource.url).split('{block}').join(String(b));
      const size = this.blockSize();
      this.blockLoads[b] = retryMissing(() => fetchGzipJson(url)).then((props) => {
        if (props && !Array.isArray(props) && props.cols) {  // (the export's: column by column)
          props = blockRows(props, this.ids.slice(b * size, (b + 1) * size));
        }
        this.blocks[b] = Array.isArray(props) ? props : [];
        for (let k = b * size; k < (b + 1) * size; k++) { delete this.stubs[k]; }
        this.fire('props', { block: b });
      }).catch((err) => {
        delete this.blockLoads[b];
        this.propsError = missingMessage(err, b * size, Math.min((b + 1) * size, this.n) - 1);
      });
    }
    return this.blockLoads[b];
  }
}
L.extend(Dataset.prototype, L.Evented.prototype);

/**
 * The bytes of an element the export wrote (mapapp.exportdata.pack7 text of
 * deflated data), inflated (on a worker thread: inflate.js); waits for the
 * page to be parsed if it is not there yet. The element goes once read (its
 * text is not needed again).
 */
export function readInline(id, here) {
  if (reading[id]) { const started = reading[id]; delete reading[id]; return started; }
  const parsed = document.readyState === 'loading' && !document.getElementById(id)
    ? new Promise((ok) => { document.addEventListener('DOMContentLoaded', ok, { once: true }); })
    : Promise.resolve();
  return parsed.then(() => {
    const node = document.getElementById(id);
    if (!node) { throw new Error('no element ' + id + ' in the page'); }
    return (here ? inflateHere : inflatePacked)(node.textContent).then((bytes) => {
      if (node.parentNode) { node.parentNode.removeChild(node); }
      return bytes;
    });
  });
}

// Elements whose reading began early (readInlineEarly), by id, until asked for.
const reading = {};

/**
 * Begin reading element ``id`` now (on a worker thread), for the next
 * readInline(id) to take: the export starts its ids so, right after their
 * element, while the page's parser goes on to the payload.
 */
export function readInlineEarly(id) {
  if (!reading[id] && document.getElementById(id)) {
    reading[id] = readInline(id);
    reading[id].catch(() => {});  // (the taker sees the failure)
  }
}

/**
 * JSON from a URL of the app (same origin; a name ending in .gz: gzip'd JSON);
 * '#id': the export's payload in element id.
 */
export function fetchJson(url) {
  if (String(url).charAt(0) === '#') { return readExportPayload(String(url).slice(1)); }
  return fetchAppJson(url);
}

// The export's payload in element ``id`` and its ids, if written apart, in
// ``id``-ids (before it in the page): the ids inflated on a worker thread
// (begun by readInlineEarly as soon as their element is parsed), the payload
// here (on a worker too, the page's thread would meanwhile parse the rest of
// the page, 85 MB at a million, and the draw would wait for both); the ids
// stay bytes (their JSON list's) until first needed.
function readExportPayload(id) {
  const idsId = id + '-ids';
  const ids = reading[idsId] || document.getElementById(idsId) ? readInline(idsId) : null;
  return Promise.all([readInline(id, true), ids]).then(([bytes, idsBytes]) => {
    const payload = readPayload(bytes);
    if (idsBytes) { payload.ids = idsBytes; }
    return payload;
  });
}

/** Gzip'd JSON from a URL of the app (same origin), unpacked here; '#id': an export's block. */
export function fetchGzipJson(url) {
  if (String(url).charAt(0) === '#') {
    return readInline(String(url).slice(1)).then((bytes) => JSON.parse(new TextDecoder().decode(bytes)));
  }
  return fetch(url, { credentials: 'same-origin' }).then((r) => {
    if (!r.ok) { throw new HttpError(r.status); }
    return gunzipJson(r);
  });
}
