// Every shown incident of the map drawn in one pass on one canvas:
// uncertainty circles, then the chain, then the markers, batched by style,
// or clusters of them; clicks and hovers are hit-tested here.

import * as compat from './compat.js';
import { metresPerPixel0 } from './decode.js';
import { CLUSTER_CELL, bubbleColor, clusterGrid } from './clusters.js';
import { cellHit, cellsFor, drawCells, openCellPopup } from './cellsdraw.js';
import { RADIUS, SELECTED_RING, SHAPES, SHAPE_OFFSETS } from './shapes.js';
import { prepareClick, tooltipContent } from './popup.js';

/** The zoom from which clusters split into single markers. */
export const CLUSTER_MAX_ZOOM = 11;

// Pixels already holding the same shape and colour: a marker or circle drawn
// again there would not change the picture, only cost time.
class Stamps {
  constructor(canvas, x0, y0, x1, y1) {
    this.x0 = x0; this.y0 = y0;
    this.W = Math.ceil(x1 - x0) + 1; this.H = Math.ceil(y1 - y0) + 1;
    const size = this.W * this.H;
    this.a = canvas._imStamp && canvas._imStamp.length >= size ? canvas._imStamp : (canvas._imStamp = new Uint32Array(size));
    this.reset();
  }
  reset() { this.a.fill(0, 0, this.W * this.H); }
  fresh(xx, yy, token) {  // token > 0
    const ix = Math.round(xx - this.x0), iy = Math.round(yy - this.y0);
    if (ix < 0 || iy < 0 || ix >= this.W || iy >= this.H) { return true; }
    const k = iy * this.W + ix;
    if (this.a[k] === token) { return false; }
    this.a[k] = token;
    return true;
  }
}

// Uncertainty: a faint circle of geo_precision_km, where it shows beyond the
// marker. Returns how many were left out (more than MAX_CIRCLES), or 0.
function drawUncertainty(g, ds, single, ns, px, py, box, z2, minKm, stamps, fade) {
  const byColor = {};
  for (let q = 0; q < ns; q++) {
    const i = single[q], km = ds.km[i];
    if (!(km >= minKm)) { continue; }
    const r = km * 1000 * z2 / metresPerPixel0(ds.xy[2 * i + 1]);
    if (r < RADIUS + 1.5) { continue; }
    const x = px[i], y = py[i];
    if (x + r < box.x0 || x - r > box.x1 || y + r < box.y0 || y - r > box.y1) { continue; }
    const c = ds.color[i];
    if (!stamps.fresh(x, y, 1 + c * 65536 + Math.min(Math.round(r), 65535))) { continue; }
    (byColor[c] = byColor[c] || []).push(x, y, r);
  }
  let circles = 0;
  Object.keys(byColor).forEach((c) => { circles += byColor[c].length / 3; });
  if (circles > MAX_CIRCLES) { return circles; }
  g.lineWidth = 1; g.setLineDash([4, 3]);
  Object.keys(byColor).forEach((c) => {
    const a = byColor[c];
    g.beginPath();
    for (let j = 0; j < a.length; j += 3) { g.moveTo(a[j] + a[j + 2], a[j + 1]); g.arc(a[j], a[j + 1], a[j + 2], 0, 2 * Math.PI); }
    g.fillStyle = ds.palette[c] || '#8c8c8c'; g.globalAlpha = 0.07 * fade; g.fill();
    g.strokeStyle = ds.palette[c] || '#8c8c8c'; g.globalAlpha = 0.45 * fade; g.stroke();
  });
  g.globalAlpha = 1; g.setLineDash([]);
  return 0;
}

/**
 * Uncertainty circles in view beyond which they are too many to tell apart
 * (thousands, overlapping, where incidents crowd) and are not drawn (the
 * legend says so): painting them cost seconds a frame at a million, the
 * fills alone (even at a quarter of the resolution) most of a second
 * (docs/performance.md, "opening an incident at a million").
 */
export const MAX_CIRCLES = 500;

// The escalation chain: a dashed line with an arrowhead from an incident
// to the one that answers it (a link recorded on both: one line, from the
// earlier to the later; see chain.js). With a story's step (``highlight``),
// the links that touch none of its incidents are faded.
function drawChain(g, ds, drawn, px, py, highlight) {
  const lines = [[], []];  // (full, faded)
  ds.chain.forEach((l) => {
    const f = l[0], t = l[1];
    if (!drawn[f] || !drawn[t]) { return; }
    lines[highlight && !highlight[f] && !highlight[t] ? 1 : 0].push(px[f], py[f], px[t], py[t]);
  });
  lines.forEach((heads, faded) => { if (heads.length) { drawArrows(g, heads, faded ? 0.25 : 1); } });
}

function drawArrows(g, heads, fade) {
  g.beginPath();
  for (let h = 0; h < heads.length; h += 4) { g.moveTo(heads[h], heads[h + 1]); g.lineTo(heads[h + 2], heads[h + 3]); }
  g.strokeStyle = '#b2182b'; g.lineWidth = 2; g.globalAlpha = 0.8 * fade; g.setLineDash([6, 4]); g.stroke();
  g.beginPath(); g.setLineDash([]); g.globalAlpha = 0.9 * fade;
  const len = 12, spread = 0.45;
  for (let h = 0; h < heads.length; h += 4) {
    const ang = Math.atan2(heads[h + 3] - heads[h + 1], heads[h + 2] - heads[h]);
    const tx = heads[h] + (heads[h + 2] - heads[h]) * 0.6, ty = heads[h + 1] + (heads[h + 3] - heads[h + 1]) * 0.6;
    g.moveTo(tx - len * Math.cos(ang - spread), ty - len * Math.sin(ang - spread));
    g.lineTo(tx, ty);
    g.lineTo(tx - len * Math.cos(ang + spread), ty - len * Math.sin(ang + spread));
  }
  g.stroke(); g.globalAlpha = 1;
}

// Markers, one path per style (colour x shape x outline): a few dozen fills
// instead of one per incident, at opacity ``alpha`` (a story dims the
// incidents of other steps), their order kept in ``set[key]``. Returns the
// drawn order (for hit tests).
function drawMarkers(g, set, single, ns, box, shapeOf, stamps, alpha, key) {
  const ds = set.ds, n = ds.n, px = set.px, py = set.py, palette = ds.palette;
  const nstyles = palette.length * SHAPES.length * 2, count = new Int32Array(nstyles + 1);
  const style = set.style || (set.style = new Int32Array(n));
  const m = RADIUS + 2;
  for (let q = 0; q < ns; q++) {
    const i = single[q];
    if (px[i] < box.x0 - m || px[i] > box.x1 + m || py[i] < box.y0 - m || py[i] > box.y1 + m) { style[i] = -1; continue; }
    const st = (ds.color[i] * SHAPES.length + (shapeOf[ds.type[i]] || 0)) * 2 + (ds.dashed[i] ? 1 : 0);
    style[i] = st; count[st + 1] += 1;
  }
  for (let s = 0; s < nstyles; s++) { count[s + 1] += count[s]; }
  const order = set[key] || (set[key] = new Int32Array(n)), fillAt = count.slice(0, nstyles);
  for (let q = 0; q < ns; q++) { const i = single[q]; if (style[i] >= 0) { order[fillAt[style[i]]++] = i; } }
  g.lineWidth = 1; g.strokeStyle = '#222';
  for (let st = 0; st < nstyles; st++) {
    const from = count[st], to = count[st + 1];
    if (from === to) { continue; }
    const off = SHAPE_OFFSETS[Math.floor(st / 2) % SHAPES.length];
    g.beginPath();
    for (let q = from; q < to; q++) {
      const i = order[q], x = px[i], y = py[i];
      if (!stamps.fresh(x, y, st + 1)) { continue; }
      if (!off) { g.moveTo(x + RADIUS, y); g.arc(x, y, RADIUS, 0, 2 * Math.PI); continue; }
      g.moveTo(x + off[0][0], y + off[0][1]);
      for (let v = 1; v < off.length; v++) { g.lineTo(x + off[v][0], y + off[v][1]); }
      g.closePath();
    }
    g.fillStyle = palette[Math.floor(st / (2 * SHAPES.length))] || '#8c8c8c';
    g.globalAlpha = alpha; g.fill();
    g.setLineDash(st % 2 ? [3, 2] : []); g.stroke();
  }
  g.globalAlpha = 1; g.setLineDash([]);
  return { order: order, n: count[nstyles] };
}

// The selected incident: a ring and its marker again, above every other.
function drawSelected(g, set, i, shapeOf) {
  const ds = set.ds, x = set.px[i], y = set.py[i];
  g.setLineDash([]); g.globalAlpha = 1;
  g.beginPath(); g.arc(x, y, RADIUS + 6, 0, 2 * Math.PI);
  g.lineWidth = 6; g.strokeStyle = '#222'; g.stroke();
  g.lineWidth = 4; g.strokeStyle = SELECTED_RING; g.stroke();
  const off = SHAPE_OFFSETS[shapeOf[ds.type[i]] || 0];
  g.beginPath();
  if (!off) { g.arc(x, y, RADIUS, 0, 2 * Math.PI); } else {
    g.moveTo(x + off[0][0], y + off[0][1]);
    for (let v = 1; v < off.length; v++) { g.lineTo(x + off[v][0], y + off[v][1]); }
    g.closePath();
  }
  g.fillStyle = ds.palette[ds.color[i]] || '#8c8c8c'; g.fill();
  g.lineWidth = 1; g.strokeStyle = '#222'; g.setLineDash(ds.dashed[i] ? [3, 2] : []); g.stroke();
  g.setLineDash([]);
}

// A story's step: a dark ring under each of its incidents.
function drawStepRings(g, set, list, n, box) {
  const m = RADIUS + 8;
  g.beginPath();
  for (let q = 0; q < n; q++) {
    const i = list[q];
    if (set.px[i] < box.x0 - m || set.px[i] > box.x1 + m || set.py[i] < box.y0 - m || set.py[i] > box.y1 + m) { continue; }
    g.moveTo(set.px[i] + RADIUS + 4, set.py[i]); g.arc(set.px[i], set.py[i], RADIUS + 4, 0, 2 * Math.PI);
  }
  g.setLineDash([]); g.globalAlpha = 0.85; g.lineWidth = 3; g.strokeStyle = '#111'; g.stroke();
  g.globalAlpha = 1;
}

// A story's step (``highlight``: 1 for its incidents): the list's others
// first, in place, and its own in ``his``; returns how many are the others.
function splitStep(list, m, highlight, his) {
  let w = 0, h = 0;
  for (let q = 0; q < m; q++) {
    const i = list[q];
    if (highlight[i]) { his[h++] = i; } else { list[w++] = i; }
  }
  return { others: w, step: h };
}

// Cluster bubbles with their counts.
function drawBubbles(g, bubbles) {
  g.textAlign = 'center'; g.textBaseline = 'middle'; g.font = '600 12px system-ui, sans-serif';
  bubbles.forEach((bu) => {
    const col = bubbleColor(bu.count);
    g.beginPath(); g.arc(bu.x, bu.y, bu.r, 0, 2 * Math.PI); g.fillStyle = 'rgba(' + col + ', 0.6)'; g.fill();
    g.beginPath(); g.arc(bu.x, bu.y, bu.r - 5, 0, 2 * Math.PI); g.fillStyle = 'rgba(' + col + ', 0.95)'; g.fill();
    g.fillStyle = '#111'; g.fillText(String(bu.count), bu.x, bu.y + 0.5);
  });
}

export const IncidentCanvas = L.Canvas.extend(Object.assign({
  options: { padding: 0.2, tolerance: 2 },

  /** ``options.retire(ctx)``: tears down a view that waited in retireLater. */
  initialize: function (options) {
    compat.canvasInit(this, options);
    this._imSets = [];
    this.flags = { uncertainty: 0, chain: 0, cluster: 0 };
    this.version = 0;
  },

  attach: function (ds, ctx) {
    let set = this.setOf(ds);
    if (!set) { set = { ds: ds, vis: new Uint8Array(ds.n), shown: 0 }; this._imSets.push(set); }
    set.ctx = ctx;
    return set;
  },
  detach: function (ctx) {
    this._imSets = this._imSets.filter((s) => s.ctx !== ctx || s.shown > 0);
    this.changed();
  },
  setOf: function (ds) {
    for (let k = 0; k < this._imSets.length; k++) { if (this._imSets[k].ds === ds) { return this._imSets[k]; } }
    return null;
  },
  show: function (marker, on) {
    if (this._imKeep) { return; }
    const set = this.setOf(marker._imDs) || this.attach(marker._imDs, null);
    const was = set.vis[marker._imI];
    set.vis[marker._imI] = on ? 1 : 0;
    set.shown += (on ? 1 : 0) - was;
    this.changed();
  },
  // A removed view waits here until the next view is built (in the same
  // task, for the page: the next view of the same dataset takes over its
  // layers) or the next turn of the event loop.
  retireLater: function (ctx) {
    (this._imPending = this._imPending || []).push(ctx);
    setTimeout(() => { this.retirePending(); }, 0);
  },
  retirePending: function () {
    const pending = this._imPending || [];
    this._imPending = [];
    pending.forEach((ctx) => { this.options.retire(ctx); });
  },
  // The retired view of ``ds`` waiting here, if any (taken off the list).
  takePending: function (ds) {
    const pending = this._imPending || [];
    for (let k = pending.length - 1; k >= 0; k--) {
      if (pending[k].ds === ds) { return pending.splice(k, 1)[0]; }
    }
    return null;
  },
  // Which incidents of ``ds`` are drawn: ``next`` (a Uint8Array, 1 each;
  // ``shown`` of them). Their markers (Leaflet layers, for popups, scripts
  // and st_folium) are on the map only while the canvas draws points
  // (putOnMap): a view drawn as cells costs no layer per incident.
  setShown: function (ds, next, shown) {
    const set = this.setOf(ds) || this.attach(ds, null), map = compat.mapOf(this), vis = set.vis;
    if (map && set.onMap) {
      for (let i = 0; i < ds.n; i++) {
        if (next[i] !== vis[i]) { if (next[i]) { compat.quietAdd(map, ds.marker(i)); } else { this.layerOff(map, ds.marker(i)); } }
      }
    } else if (set.loose) {
      set.loose.forEach((m) => { if (!next[m._imI]) { if (map) { this.layerOff(map, m); } set.loose.delete(m); } });
    }
    set.vis = next; set.shown = shown;
    this.changed();
  },
  // Take a marker off the map without an event (a marker that listens to
  // 'remove', such as one with an open popup, goes the usual way).
  layerOff: function (map, marker) {
    if (!map.hasLayer(marker)) { return; }
    if ((compat.hasOwnListeners(marker) || marker._imDs.listeners.remove) && marker.listens('remove')) {
      this._imKeep = true;  // (its onRemove is not a hide: the caller says what is shown)
      try { map.removeLayer(marker); } finally { this._imKeep = false; }
      return;
    }
    compat.quietRemove(map, marker);
  },
  /** Put every shown incident's marker of ``set`` on the map (the canvas draws them as points). */
  putOnMap: function (set) {
    const map = compat.mapOf(this), ds = set.ds, vis = set.vis;
    if (!map || set.onMap) { return; }
    for (let i = 0; i < ds.n; i++) { if (vis[i]) { compat.quietAdd(map, ds.marker(i)); } }
    set.onMap = true; set.loose = null;
  },
  /** Take ``set``'s markers off the map (all but one with an open popup). */
  takeOffMap: function (set) {
    const map = compat.mapOf(this), ds = set.ds, vis = set.vis;
    if (!map || !set.onMap) { return; }
    const loose = new Set();
    for (let i = 0; i < ds.n; i++) {
      const m = vis[i] && ds.markers[i];
      if (!m) { continue; }
      if ((compat.hasOwnListeners(m) || ds.listeners.remove) && m.listens('remove')) { loose.add(m); } else { compat.quietRemove(map, m); }
    }
    set.onMap = false; set.loose = loose;
  },
  /** Put a shown incident's marker on the map now (to open its popup); false when it is not shown. */
  ensureOnMap: function (marker) {
    const map = compat.mapOf(this), set = this.setOf(marker._imDs);
    if (!map || !set || !set.vis[marker._imI]) { return false; }
    if (!set.onMap) { compat.quietAdd(map, marker); (set.loose = set.loose || new Set()).add(marker); }
    return true;
  },
  setFlag: function (name, on) {
    this.flags[name] = on ? (this.flags[name] || 0) + 1 : Math.max((this.flags[name] || 0) - 1, 0);
    this.changed();
  },
  changed: function () {
    this.version += 1;
    if (compat.mapOf(this) && !this._imFrame) { this._imFrame = L.Util.requestAnimFrame(this.drawNow, this); }
  },
  /** Whether the last draw showed counts per cell (cellsdraw.js). */
  showsCells: function () { return !!(this._imCells && this._imCells.length); },
  /** Whether markers are drawn as clusters at the map's zoom. */
  clustering: function (zoom) {
    return this.flags.cluster > 0 && zoom < CLUSTER_MAX_ZOOM;
  },

  /** Draw everything now (not at the next frame). */
  drawNow: function () {
    if (this._imFrame) { L.Util.cancelAnimFrame(this._imFrame); }
    this._imFrame = null;
    if (!compat.mapOf(this)) { return; }
    this.clearAll();
    this.drawAll();
  },
  clearAll: function () {
    const b = compat.rendererBounds(this), size = b.getSize();
    compat.canvasContext(this).clearRect(b.min.x, b.min.y, size.x, size.y);
  },
  drawAll: function () {
    const map = compat.mapOf(this), b = compat.rendererBounds(this);
    if (!map || !b) { return; }
    const g = compat.canvasContext(this), zoom = map.getZoom();
    const view = { S: 256 * Math.pow(2, zoom), o: map.getPixelOrigin(), zoom: zoom, clusterOn: this.clustering(zoom),
                   box: { x0: b.min.x, y0: b.min.y, x1: b.max.x, y1: b.max.y }, bounds: map.getPixelBounds() };
    this._imHits = [];
    this._imCells = [];
    this._imBubbles = [];
    this._imSelected = null;
    this._imCirclesHidden = 0;
    g.save();
    for (let k = 0; k < this._imSets.length; k++) { this.drawSet(this._imSets[k], g, view); }
    g.restore();
    this.drawnVersion = this.version;
    map.fire('incidents:drawn');
  },

  // Which shown incidents of a set are in view (with a margin: a circle, a
  // marker or a cluster cell may reach in), at their pixel positions.
  visible: function (set, view, minKm, circles) {
    const ds = set.ds, n = ds.n, vis = set.vis, box = view.box, z2 = Math.pow(2, view.zoom);
    const margin = view.clusterOn ? CLUSTER_CELL : RADIUS + 2;
    const list = set.list || (set.list = new Int32Array(n));
    const px = set.px || (set.px = new Float32Array(n)), py = set.py || (set.py = new Float32Array(n));
    let m = 0;
    for (let i = 0; i < n; i++) {
      if (!vis[i]) { continue; }
      const x = ds.wx[i] * view.S - view.o.x, y = ds.wy[i] * view.S - view.o.y;
      let reach = margin;
      if (circles && ds.km[i] >= minKm) { reach = Math.max(margin, ds.km[i] * 1000 * z2 / metresPerPixel0(ds.xy[2 * i + 1])); }
      if (x < box.x0 - reach || x > box.x1 + reach || y < box.y0 - reach || y > box.y1 + reach) { continue; }
      list[m++] = i; px[i] = x; py[i] = y;
    }
    return m;
  },

  drawSet: function (set, g, view) {
    if (!set.shown) { return; }
    const ds = set.ds, n = ds.n, ctx = set.ctx, opts = (ctx && ctx.options) || {};
    // (too many in the map's bounds to read as points: counts per cell; see cellsdraw.js)
    const cellGrid = ctx && !ctx.highlight ? cellsFor(set, view) : null;
    if (cellGrid) { this._imCells.push(drawCells(g, set, cellGrid, view, compat.mapOf(this))); return; }
    this.putOnMap(set);  // (points: each a layer, for clicks, popups and scripts)
    const minKm = opts.uncertainty_min_km || 2, circles = this.flags.uncertainty > 0;
    let m = this.visible(set, view, minKm, circles);
    // (a story's step is drawn above the rest, never in a cluster)
    const highlight = ctx && ctx.highlight && ctx.highlight.length === n ? ctx.highlight : null;
    const his = highlight ? set.his || (set.his = new Int32Array(n)) : null;
    let nh = 0;
    if (highlight) { const parts = splitStep(set.list, m, highlight, his); m = parts.others; nh = parts.step; }
    let single = set.list, ns = m;
    if (view.clusterOn && m) {
      single = set.single || (set.single = new Int32Array(n));
      const grid = clusterGrid(set.list, m, ds.wx, ds.wy, ds.xy, set.px, set.py, view.S, single);
      ns = grid.ns;
      grid.clusters.forEach((c) => { c.set = set; this._imBubbles.push(c); });
    }
    // (an incident inside a cluster is drawn as part of it: no circle, no arrow)
    const drawn = set.drawn || (set.drawn = new Uint8Array(n));
    drawn.fill(0);
    for (let q = 0; q < ns; q++) { drawn[single[q]] = 1; }
    for (let q = 0; q < nh; q++) { drawn[his[q]] = 1; }
    const box = view.box, stamps = new Stamps(this, box.x0, box.y0, box.x1, box.y1);
    const fade = highlight ? 0.3 : 1, shapeOf = (ctx && ctx.shapeOf) || [];
    if (circles) {
      this._imCirclesHidden += drawUncertainty(g, ds, single, ns, set.px, set.py, box, Math.pow(2, view.zoom), minKm, stamps, fade);
      stamps.reset();
      if (nh) { this._imCirclesHidden += drawUncertainty(g, ds, his, nh, set.px, set.py, box, Math.pow(2, view.zoom), minKm, stamps, 1); stamps.reset(); }
    }
    if (this.flags.chain > 0 && ds.chain.length) { drawChain(g, ds, drawn, set.px, set.py, highlight); }
    const hits = drawMarkers(g, set, single, ns, box, shapeOf, stamps, 0.9 * fade, 'order');
    this._imHits.push({ set: set, order: hits.order, n: hits.n, dimmed: !!highlight });
    if (nh) {
      drawStepRings(g, set, his, nh, box);
      stamps.reset();
      const step = drawMarkers(g, set, his, nh, box, shapeOf, stamps, 1, 'stepOrder');
      this._imHits.push({ set: set, order: step.order, n: step.n, highlighted: true });
    }
    const sel = ctx ? ctx.selected : undefined;
    if (sel !== undefined && sel !== null && drawn[sel] && set.style[sel] >= 0) {
      drawSelected(g, set, sel, ctx.shapeOf || []);
      this._imSelected = { id: ds.ids[sel], x: set.px[sel], y: set.py[sel] };
    }
    drawBubbles(g, this._imBubbles.filter((bu) => bu.set === set));
  },

  // What is under a point (layer coordinates): a cluster or an incident.
  hitTest: function (p) {
    const cell = cellHit(this._imCells || [], p);
    if (cell) { return { cell: cell }; }
    const bubbles = this._imBubbles || [];
    for (let k = bubbles.length - 1; k >= 0; k--) {
      const dx = bubbles[k].x - p.x, dy = bubbles[k].y - p.y;
      if (dx * dx + dy * dy <= bubbles[k].r * bubbles[k].r) { return { cluster: bubbles[k] }; }
    }
    let best = null, bestD = Infinity;
    const lim = (RADIUS + this.options.tolerance) * (RADIUS + this.options.tolerance);
    const hits = this._imHits || [];
    for (let k = hits.length - 1; k >= 0; k--) {  // (the last drawn, on top, first: a story's step)
      const h = hits[k], px = h.set.px, py = h.set.py, order = h.order;
      for (let j = h.n - 1; j >= 0; j--) {
        const i = order[j], dx = px[i] - p.x, dy = py[i] - p.y, d = dx * dx + dy * dy;
        if (d <= lim && d < bestD) { bestD = d; best = { set: h.set, i: i }; }
      }
    }
    return best;
  },

  clicked: function (e) {
    const map = compat.mapOf(this);
    const hit = this.hitTest(map.mouseEventToLayerPoint(e));
    if (hit && hit.cell) {
      if (e.type === 'click' && !compat.draggedSince(map, map)) { L.DomEvent.stop(e); openCellPopup(map, hit.cell.drawn, hit.cell.k); return; }
      compat.fireRendererEvent(this, false, e);
      return;
    }
    if (hit && hit.cluster) {
      if (e.type === 'click' && !compat.draggedSince(map, map)) {
        L.DomEvent.stop(e);
        const bb = L.latLngBounds(hit.cluster.bounds);
        if (bb.getNorthEast().equals(bb.getSouthWest())) { map.setView(bb.getCenter(), map.getZoom() + 2); } else { map.fitBounds(bb, { padding: [40, 40] }); }
        return;
      }
      compat.fireRendererEvent(this, false, e);
      return;
    }
    let marker = hit ? hit.set.ds.marker(hit.i) : null;
    if (marker && e.type === 'click' && hit.set.ctx) {
      if (compat.draggedSince(map, marker)) { marker = null; } else { prepareClick(hit.set.ctx, marker); }
    }
    compat.fireRendererEvent(this, marker ? [marker] : false, e);
  },

  moved: function (e) {
    const map = compat.mapOf(this);
    if (!map || map.dragging.moving() || compat.zoomAnimating(map)) { return; }
    const hit = this.hitTest(map.mouseEventToLayerPoint(e));
    const marker = hit && hit.set ? hit.set.ds.marker(hit.i) : null;
    compat.rendererContainer(this).classList.toggle('leaflet-interactive', !!hit);
    if (marker !== this._imHovered) {
      if (this._imHovered) { compat.fireRendererEvent(this, [this._imHovered], e, 'mouseout'); }
      this._imHovered = marker;
      if (marker) { this.showTip(marker); compat.fireRendererEvent(this, [marker], e, 'mouseover'); } else { this.hideTip(); }
    }
    compat.fireRendererEvent(this, marker ? [marker] : false, e);
  },
  showTip: function (marker) {
    const map = compat.mapOf(this);
    const tip = this._imTip || (this._imTip = L.tooltip({ direction: 'top', offset: [0, -8] }));
    tip.setLatLng(marker.getLatLng()).setContent(tooltipContent(marker.feature));
    map.openTooltip(tip);
    if (!marker._imDs.props) {  // (titles come with the details: show it once they are in)
      marker._imDs.loadProps().then(() => {
        const now = compat.mapOf(this);
        if (this._imHovered === marker && now && now.hasLayer(tip)) { tip.setContent(tooltipContent(marker.feature)); }
      });
    }
  },
  hideTip: function () {
    const map = compat.mapOf(this);
    if (this._imTip && map) { map.closeTooltip(this._imTip); }
  },
  left: function (e) {
    this.hideTip();
    this._imHovered = null;
    compat.rendererContainer(this).classList.remove('leaflet-interactive');
    compat.fireRendererEvent(this, false, e);
  }
}, compat.hooks({
  // (L.Canvas calls these on every move and zoom, and for DOM events)
  updatePaths: function () { if (!compat.updatesPostponed(this)) { this.drawNow(); } },
  redraw: function () { this.drawNow(); },
  clear: function () { this.clearAll(); },
  draw: function () { this.drawAll(); },
  onClick: function (e) { this.clicked(e); },
  onMouseMove: function (e) { this.moved(e); },
  onMouseOut: function (e) { this.left(e); }
})));

/** The map's incident canvas (made once, in its own pane). */
export function canvasOf(map, retire) {
  if (!map._imCanvas) {
    if (!map.getPane('im-incidents')) {
      const pane = map.createPane('im-incidents');
      pane.style.zIndex = 420;
    }
    map._imCanvas = new IncidentCanvas({ pane: 'im-incidents', retire: retire });
    map.addLayer(map._imCanvas);
  }
  return map._imCanvas;
}
