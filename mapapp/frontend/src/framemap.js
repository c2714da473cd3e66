// The page's map in its frame (mapapp/page/mapframe.py sends the
// arguments): the map made once from the base map's script (the folium
// builder's), the view's group (filters, mask, summary, selection, story)
// swapped on each rerun without remaking the map, so it keeps its zoom,
// layers and basemap; a new centre moves the view; a click on an incident
// goes back to Python as {id, lat, lng, count, frame}. The draw payload is
// asked for as soon as the first render names it, while Leaflet and the map
// script still load (the map script takes it: fetching.js takeEarly).

import { fetchDrawPayload, putEarly } from './fetching.js';
import { FrameProtocol } from './frame.js';
import { warmWorkers } from './inflate.js';
import { DRAW_WAITS } from './retry.js';

/**
 * What a render changes, from the ``last`` state ({group, center, zoom}:
 * what was applied) and the render's ``args``: ``swap`` (a new group
 * script), ``move`` (null, or {center, zoom}: null keeps the map's own) and
 * the ``next`` state.
 */
export function plan(last, args) {
  const group = typeof args.group === 'string' ? args.group : '';
  const center = Array.isArray(args.center) && args.center.length === 2 ? args.center : null;
  const zoom = typeof args.zoom === 'number' ? args.zoom : null;
  const centerKey = center ? JSON.stringify(center) : null;
  const movedCenter = centerKey !== null && centerKey !== last.center;
  const movedZoom = zoom !== null && zoom !== last.zoom;
  return {
    swap: group !== last.group,
    move: movedCenter || movedZoom ? { center: movedCenter ? center : null, zoom: zoom } : null,
    next: { group: group, center: centerKey !== null ? centerKey : last.center, zoom: zoom !== null ? zoom : last.zoom }
  };
}

/**
 * The value a click on ``e.layer`` (an incident: its toGeoJSON() holds its
 * id) sends back: ``{id, lat, lng, count, frame}``; ``id`` is text or null.
 */
export function clickReport(e, count, frame) {
  const layer = e && e.layer;
  const feature = layer && typeof layer.toGeoJSON === 'function' ? layer.toGeoJSON() : null;
  const props = feature && feature.properties;
  const raw = props ? props.id : null;
  const id = raw === null || raw === undefined || typeof raw === 'object' || typeof raw === 'boolean' ? null : String(raw);
  const at = e && e.latlng;
  return { id: id, lat: at ? at.lat : null, lng: at ? at.lng : null, count: count, frame: frame, drawn: true };
}

/** The value sent once the map has drawn its first view: no click, ``drawn`` true. */
export function drawnReport(count, frame) {
  return { id: null, lat: null, lng: null, count: count, frame: frame, drawn: true };
}

/** The summary line of the public contract, once it says its view is drawn. */
export const DRAWN_SELECTOR = '.im-summary-count[data-state="drawn"]';
/** Milliseconds after which the page is told to go on even if the map never says drawn. */
export const DRAWN_AT_MOST = 15000;

/** Run a script the builder made, in the window's global scope (its ``var``s become globals). */
function globalRun(win, text) {
  (0, win.eval)(text);
}

export class MapFrame {
  /**
   * ``win``, ``doc``: the frame's window and document; ``run(text)`` runs a
   * script globally (a test's stub); ``fetchDraw(url)``: the payload's
   * promise (by default fetched, asked again while it is written).
   */
  constructor(win, doc, options) {
    const hooks = options || {};
    this.hooks = hooks;
    this.win = win;
    this.doc = doc;
    this.run = hooks.run || ((text) => globalRun(win, text));
    this.fetchDraw = hooks.fetchDraw || ((url) => fetchDrawPayload(url, DRAW_WAITS));
    this.protocol = new FrameProtocol(win, (args) => this.render(args));
    this.state = { group: null, center: null, zoom: null };
    this.map = null;
    this.group = null;
    this.pending = null;
    this.asked = {};
    this.clicks = 0;
    this.id = Math.random().toString(36).slice(2, 12);  // (tells this frame's clicks from an earlier one's)
    this.onClick = (e) => {
      this.clicks += 1;
      this.protocol.setValue(clickReport(e, this.clicks, this.id));
    };
    this.told = false;
  }

  /** Say ready at once; make the map when the page's scripts have run. */
  start() {
    if (!this.hooks.fetchDraw) { warmWorkers(); }  // (the draw files are fetched on them)
    this.protocol.start();
    if (this.doc.readyState === 'loading') {
      this.doc.addEventListener('DOMContentLoaded', () => this.flush(), { once: true });
    }
    this.watchDrawn();
  }

  /**
   * Tell the page, once, that the map has drawn its first view (the page
   * then adds its heavier panels): when the summary line says "drawn", when
   * the map could not be made, or after DRAWN_AT_MOST at the latest.
   */
  watchDrawn() {
    const Observer = this.win.MutationObserver;
    if (typeof Observer !== 'function' || !this.doc.documentElement) { return; }  // (not a browser)
    const observer = new Observer(() => {
      if (this.doc.querySelector(DRAWN_SELECTOR)) { observer.disconnect(); this.tellDrawn(); }
    });
    observer.observe(this.doc.documentElement,
      { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'] });
    const timer = this.win.setTimeout(() => { observer.disconnect(); this.tellDrawn(); }, DRAWN_AT_MOST);
    this.stopWatching = () => { observer.disconnect(); this.win.clearTimeout(timer); };
  }

  tellDrawn() {
    if (this.told) { return; }
    this.told = true;
    if (this.stopWatching) { this.stopWatching(); }
    if (this.clicks === 0) { this.protocol.setValue(drawnReport(this.clicks, this.id)); }
  }

  /** One render from Streamlit: the payload asked for at once, the map made or updated when it can be. */
  render(args) {
    this.prefetch(args.data_url);
    this.pending = args;
    if (this.doc.readyState !== 'loading') { this.flush(); }
  }

  prefetch(url) {
    if (typeof url !== 'string' || !url || this.asked[url]) { return; }
    this.asked[url] = true;
    const promise = this.fetchDraw(url);
    promise.catch(() => {});  // (the map script reports a failure, in words, when it takes it)
    putEarly(this.win, url, promise);
  }

  flush() {
    const args = this.pending;
    if (!args) { return; }
    this.pending = null;
    try {
      if (!this.map) { this.make(args); }
      this.apply(args);
    } catch (err) {
      this.fail(err);
    }
  }

  make(args) {
    const height = typeof args.height === 'number' ? args.height : 600;
    const div = this.doc.getElementById(args.map_var);
    if (div) { div.style.height = height + 'px'; }
    this.protocol.setHeight(height);
    this.run(String(args.script || ''));
    this.map = this.win[args.map_var];
    if (!this.map) { throw new Error('the map script made no map ' + args.map_var); }
  }

  apply(args) {
    const p = plan(this.state, args);
    this.state = p.next;
    if (p.swap) {
      if (this.group) {
        this.group.off('click', this.onClick);
        this.map.removeLayer(this.group);
        this.group = null;
      }
      if (p.next.group) {
        this.run(p.next.group);
        this.group = this.win[args.group_var] || null;
        if (this.group) { this.group.on('click', this.onClick); }
      }
    }
    if (p.move) {
      // (at once: an animated zoom still running when the view's group builds and
      // opens the chosen incident's popup ends by moving the map under it, and the
      // popup stayed cut off at the map's top)
      this.map.setView(p.move.center || this.map.getCenter(), p.move.zoom !== null ? p.move.zoom : this.map.getZoom(),
        { animate: false });
    }
  }

  fail(err) {
    this.tellDrawn();  // (the page's other panels do not wait for a map that cannot be made)
    const note = this.doc.createElement('div');
    note.className = 'im-frame-error';
    note.setAttribute('role', 'alert');
    note.textContent = 'The map could not be made: ' + String(err && err.message || err);
    this.doc.body.appendChild(note);
    if (this.win.console) { this.win.console.error(err); }
  }
}
