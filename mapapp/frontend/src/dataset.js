// The incidents of one draw payload (see mapapp.contract.DrawPayload):
// compact columns to draw from, and each incident's full properties, read
// afterwards (for popups and tooltips).

import { chainLines } from './chain.js';
import { b64bytes, column, mercator } from './decode.js';
import { newMarker } from './markers.js';

export class Dataset {
  /**
   * ``payload``: the draw payload; ``props``: where the full properties
   * are: ``{element: id}`` (the export) or ``{url: ...}`` (the page).
   */
  constructor(payload, props) {
    const n = this.n = payload.n | 0;
    this.ids = payload.ids || [];
    this.xy = column(payload.xy, Float64Array);
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
    this.props = null;
    this.stubs = {};
    this.markers = new Array(n);
    this.listeners = {};  // (of its markers: see markers.js)
    const w = mercator(this.xy, n);
    this.wx = w.wx; this.wy = w.wy;
  }

  lat(i) { return this.xy[2 * i + 1]; }
  lng(i) { return this.xy[2 * i]; }

  /** The index of an incident id, or -1. */
  indexOf(id) {
    if (!this.index) {
      this.index = new Map();
      for (let k = 0; k < this.n; k++) { this.index.set(this.ids[k], k); }
    }
    const i = this.index.get(String(id));
    return i === undefined ? -1 : i;
  }

  /** Incident i's properties (only its id until they are loaded). */
  properties(i) {
    if (this.props && this.props[i]) { return this.props[i]; }
    return this.stubs[i] || (this.stubs[i] = { id: this.ids[i] });
  }

  /** Incident i's marker, made when first asked for. */
  marker(i) {
    return this.markers[i] || (this.markers[i] = newMarker(this, i));
  }

  /**
   * The full properties: an array in the dataset's order, read once, after
   * the first frame (the export: gzip + base64 in blocks at the end of the
   * page; the page: a JSON file the app serves). Fires 'props'.
   */
  loadProps() {
    const src = this.propsSource || {};
    if (this.propsPromise) { return this.propsPromise; }
    const whenParsed = document.readyState === 'loading'
      ? new Promise((ok) => { document.addEventListener('DOMContentLoaded', ok, { once: true }); })
      : Promise.resolve();
    this.propsPromise = whenParsed.then(() => {
      if (src.url) { return fetchJson(src.url); }
      const parts = [];
      let node;
      while (src.element && (node = document.getElementById(src.element + '-' + parts.length))) {
        parts.push(b64bytes(node.textContent.trim()));
        node.parentNode.removeChild(node);
      }
      if (!parts.length) { return []; }
      const stream = new Blob(parts).stream().pipeThrough(new DecompressionStream('gzip'));
      return new Response(stream).json();
    }).then((props) => {
      this.props = Array.isArray(props) ? props : [];
      this.stubs = {};
      this.fire('props');
      return this;
    });
    return this.propsPromise;
  }
}
L.extend(Dataset.prototype, L.Evented.prototype);

/** JSON from a URL of the app (same origin). */
export function fetchJson(url) {
  return fetch(url, { credentials: 'same-origin' }).then((r) => {
    if (!r.ok) { throw new Error('HTTP ' + r.status); }
    return r.json();
  });
}
