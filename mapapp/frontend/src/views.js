// A view: the incidents of one draw (the export's map, or the page's map
// after each filter change) in a FeatureGroup: their layers, switches and
// controls, all removed with the group.

import * as compat from './compat.js';
import { Dataset, fetchJson, readInlineEarly } from './dataset.js';
import { fetchDrawPayload, putEarly, takeEarly } from './fetching.js';
import { NONE16, NONE32, decodeMask } from './decode.js';
import { canvasOf } from './canvas.js';
import { cellOptions, cellsPanel, cellsState } from './cellsdraw.js';
import { addOverlays, circlesNote, errorControl, legendControl, loadingControl, removeOverlays, summaryControl, timeControl } from './controls.js';
import { Toggle, TypeGroup, userChoices } from './layers.js';
import { shownOf } from './shown.js';
import { markerById } from './popup.js';
import { afterDetails, reveal } from './reveal.js';
import { fitPadding } from './room.js';
import { shapeCode } from './shapes.js';
import { DRAW_WAITS } from './retry.js';
import { playStory } from './story.js';

// What every view of one dataset shares (the page): its columns, fetched
// once from the app, and each incident's marker, made once.
const shared = {};
const loaded = {};
function loadShared(data) {
  const key = data.url;
  if (!shared[key]) {
    // (the page's map frame may have asked for it already, while this script loaded)
    const early = takeEarly(typeof window === 'undefined' ? null : window, key);
    shared[key] = (early || (String(data.url).charAt(0) === '#' ? fetchJson(data.url)
      : fetchDrawPayload(data.url, DRAW_WAITS))).then((payload) => (loaded[key] = new Dataset(payload, { url: data.props_url, block: data.props_block })));
  }
  return shared[key];
}

/**
 * The export's page calls this right after a layer's ids element ('#id-ids':
 * inflated on a worker thread, inflate.js, while the page's parser goes on)
 * and right after its payload element ('#id'), before the map's own script:
 * its reading starts while the map and its controls are made, and attach
 * takes it.
 */
export function readEarly(url) {
  if (String(url).charAt(0) !== '#' || typeof window === 'undefined' || shared[url]) { return; }
  if (/-ids$/.test(url)) { readInlineEarly(url.slice(1)); return; }  // (the ids, before their payload)
  putEarly(window, url, fetchJson(url));
}

/**
 * The export puts the columns in a JSON block (<script
 * type="application/json">) and the properties, gzip + base64, in blocks
 * of the same id + '-props-0', '-props-1', ... at the end of the page.
 */
export function readData(id) {
  const node = document.getElementById(id);
  const data = JSON.parse(node.textContent);
  node.parentNode.removeChild(node);
  data.props = { element: id + '-props' };
  return data;
}

/**
 * Draw the incidents of ``data`` (a draw payload, or ``{url, props_url,
 * mask}``: see mapapp.contract) with ``options`` (mapapp.contract's layer
 * options) when ``group`` is on a map; everything goes when it is removed.
 */
export function attach(group, data, options) {
  const ctx = { group: group, options: options || {}, controls: [], overlays: [], typeGroups: {}, map: null, count: 0,
                // (the page fits the map to a view once, not again when only the selection changed)
                fitKey: data.url ? data.url + '#' + data.mask : null };
  ctx.focus = (id) => focus(ctx, id);
  group._imContext = ctx;
  function setup() {
    const map = compat.mapOf(group);
    if (!data.url) {  // (the export: draw now, in this task)
      build(ctx, map, new Dataset(data, data.props), null);
      return;
    }
    if (loaded[data.url]) {  // (fetched for an earlier view: build now, in this task)
      build(ctx, map, loaded[data.url], decodeMask(data.mask, loaded[data.url].n));
      return;
    }
    const loading = loadingControl(ctx.options.title).addTo(map);
    ctx.controls.push(loading);
    loadShared(data).then((ds) => {
      if (ctx.removed) { return; }
      map.removeControl(loading);
      ctx.controls = ctx.controls.filter((c) => c !== loading);
      build(ctx, map, ds, decodeMask(data.mask, ds.n));
    }).catch((err) => {
      if (ctx.removed) { return; }
      map.removeControl(loading);
      ctx.controls.push(errorControl('Could not load the incidents: ' + err).addTo(map));
    });
  }
  if (compat.mapOf(group)) { setup(); } else { group.once('add', setup); }
  group.on('remove', () => {
    ctx.removed = true;
    const canvas = ctx.map && ctx.map._imCanvas;
    if (canvas && ctx.live) { canvas.retireLater(ctx); } else { teardown(ctx); }
  });
  return ctx;
}

function typeName(ds, i) {
  const t = ds.type[i];
  return t === NONE16 ? 'Other' : ds.types[t];
}

// One switch per event type (so each can be switched off). The retired
// view of the same dataset (the page, after a filter change) hands over its
// groups (the user's choices stay); no marker moves: the canvas draws a
// bitset (applyShown), and puts markers on the map only to draw points.
function fillTypeGroups(ctx, canvas, map) {
  const ds = ctx.ds;
  const prev = canvas.takePending(ds);
  if (prev) {
    ctx.typeGroups = prev.typeGroups; prev.typeGroups = {};
    Object.keys(ctx.typeGroups).forEach((t) => { ctx.typeGroups[t]._imCtx = ctx; });
    teardown(prev);
  }
  const nt = ds.types.length, perCode = new Float64Array(nt + 1), type = ds.type, idx = ctx.indices;
  for (let k = 0; k < ctx.count; k++) {
    const t = type[idx ? idx[k] : k];
    perCode[t === NONE16 ? nt : t] += 1;
  }
  const byType = {};
  for (let t = 0; t <= nt; t++) {
    const name = t === nt ? 'Other' : ds.types[t];
    if (perCode[t]) { byType[name] = (byType[name] || 0) + perCode[t]; }
  }
  Object.keys(ctx.typeGroups).forEach((name) => {
    if (!byType[name]) { map.removeLayer(ctx.typeGroups[name]); delete ctx.typeGroups[name]; }
  });
  Object.keys(byType).forEach((name) => {
    if (!ctx.typeGroups[name]) { const gj = ctx.typeGroups[name] = new TypeGroup(); gj._imCtx = ctx; gj._imNew = true; }
  });
  ctx.typeCounts = byType;
}

// What the canvas draws of this view: its incidents in the time control's
// range whose type is switched on (one pass over typed arrays).
// (``leaving``: a type group being removed, still on the map's list while
// Leaflet calls its onRemove)
function applyShown(ctx, leaving) {
  if (!ctx.live || ctx.batching || !ctx.canvas) { return; }
  const ds = ctx.ds, map = ctx.map, nt = ds.types.length, typeOn = new Uint8Array(nt + 1);
  const on = (name) => { const gj = ctx.typeGroups[name]; return gj && gj !== leaving && map.hasLayer(gj) ? 1 : 0; };
  for (let t = 0; t < nt; t++) { typeOn[t] = on(ds.types[t]); }
  typeOn[nt] = on('Other');
  const next = new Uint8Array(ds.n);
  const shown = shownOf(next, ctx.indices, ctx.count, ctx.member, ds.type, typeOn, nt);
  ctx.canvas.setShown(ds, next, shown);
}

// Links in this view: the chain's count now; ``ctx.incoming`` (by id, for
// "linked incidents" in popups) when first asked for, as it needs the ids,
// which the first draw does not.
function viewLinks(ctx) {
  const ds = ctx.ds, inView = ctx.inView;
  let incoming = null;
  Object.defineProperty(ctx, 'incoming', {
    configurable: true, enumerable: true,
    get: () => {
      if (!incoming) {
        incoming = {};
        const ids = ds.ids;
        ds.links.forEach((l) => {
          if (inView[l[1]]) { (incoming[ids[l[0]]] = incoming[ids[l[0]]] || []).push({ id: ids[l[1]], relation: l[2] }); }
        });
      }
      return incoming;
    }
  });
  ctx.chainLinks = ds.chain.filter((l) => inView[l[0]] && inView[l[1]]).length;
}

// Fit the view to the view's incidents before they are drawn, without
// animation, clear of the summary, the legend and the other controls.
function fitView(ctx, map) {
  const ds = ctx.ds;
  let s = 90, w = 180, no = -90, e = -180;
  const xy = ds.xy, idx = ctx.indices;
  for (let k = 0; k < ctx.count; k++) {
    const j = idx ? idx[k] : k, la = xy[2 * j + 1], lo = xy[2 * j];
    if (la < s) { s = la; }
    if (la > no) { no = la; }
    if (lo < w) { w = lo; }
    if (lo > e) { e = lo; }
  }
  const bounds = L.latLngBounds([[s, w], [no, e]]);
  ctx.room = fitPadding(map, bounds, 8);
  map.fitBounds(bounds, { maxZoom: 8, paddingTopLeft: ctx.room.paddingTopLeft,
                          paddingBottomRight: ctx.room.paddingBottomRight, animate: false });
  map._imFitKey = ctx.fitKey;
}

// The switches: uncertainty circles, chain, clusters, heat (built the first
// time it is switched on).
function makeSwitches(ctx, canvas) {
  const flag = (name) => new Toggle(() => canvas.setFlag(name, true), () => canvas.setFlag(name, false));
  const heat = L.layerGroup();
  heat.on('add', () => {
    if (heat._imBuilt || typeof L.heatLayer !== 'function') { return; }
    heat._imBuilt = true;
    const ds = ctx.ds, pts = new Array(ctx.count);
    for (let q = 0; q < ctx.count; q++) { const h = ctx.indices ? ctx.indices[q] : q; pts[q] = [ds.lat(h), ds.lng(h), 1]; }
    heat.addLayer(L.heatLayer(pts, { radius: 18, blur: 15, minOpacity: 0.3 }));
  });
  return { uncertainty: flag('uncertainty'), chain: flag('chain'), clusters: flag('cluster'), heat: heat };
}

// What the user switched on or off in the layer control stays so in the
// next view (the page, after a filter change); the options give the rest.
function showLayers(ctx, map, sw) {
  const opts = ctx.options, choices = userChoices(map);
  const wanted = (layer, key, dflt) => {
    layer._imKey = key;
    return Object.prototype.hasOwnProperty.call(choices, key) ? choices[key] : dflt;
  };
  const useClusters = opts.cluster === true || (opts.cluster === 'auto' && ctx.count > (opts.cluster_threshold || 5000));
  ctx.extras = [sw.uncertainty, sw.chain, sw.clusters, sw.heat];
  if (wanted(sw.uncertainty, 'uncertainty', opts.show_uncertainty !== false)) { ctx.group.addLayer(sw.uncertainty); }
  if (wanted(sw.chain, 'chain', opts.show_chain !== false)) { ctx.group.addLayer(sw.chain); }
  if (wanted(sw.clusters, 'cluster', useClusters)) { ctx.group.addLayer(sw.clusters); }
  if (wanted(sw.heat, 'heat', false)) { ctx.group.addLayer(sw.heat); }
  // (on the map itself, not in the group: when the page swaps the group,
  // the next view takes them over)
  ctx.live = true;
  ctx.batching = true;  // (one applyShown for all the types)
  Object.keys(ctx.typeGroups).sort().forEach((t) => {
    const gj = ctx.typeGroups[t];
    if (gj._imNew && wanted(gj, 'type:' + t, true)) { map.addLayer(gj); }
    gj._imNew = false;
  });
  ctx.batching = false;
  applyShown(ctx);
}

function build(ctx, map, ds, indices) {
  ctx.map = map; ctx.ds = ds;
  const opts = ctx.options;
  const canvas = ctx.canvas = canvasOf(map, teardown);
  const n = ctx.count = indices ? indices.length : ds.n;
  ctx.indices = indices;
  const inView = ctx.inView = new Uint8Array(ds.n);
  for (let k = 0; k < n; k++) { inView[indices ? indices[k] : k] = 1; }
  ctx.member = inView.slice();  // (in the time control's range: all, at first)
  ctx.applyShown = (leaving) => applyShown(ctx, leaving);
  const shapes = opts.shapes || {};
  ctx.shapeOf = ds.types.map((t) => shapeCode(shapes[t]));
  const set = canvas.attach(ds, ctx), co = cellOptions(ctx);
  // (a view likely drawn as cells: no layer per incident until points are drawn)
  if (co && n > co.threshold) { canvas.takeOffMap(set); }
  fillTypeGroups(ctx, canvas, map);
  viewLinks(ctx);
  const sw = makeSwitches(ctx, canvas);
  showLayers(ctx, map, sw);
  canvas.changed();
  canvas.retirePending();
  if (map._imControl) { addOverlays(ctx, map._imControl, sw); }
  ctx.controls.push(summaryControl(ctx).addTo(map));
  watchCells(ctx, map, canvas);
  ctx.controls.push(legendControl(ctx).addTo(map));
  if (opts.timeline !== false && n) { ctx.controls.push(timeControl(ctx, () => refresh(ctx)).addTo(map)); }
  // (with the controls in place: the fit keeps the incidents clear of them)
  // (a story moves the map to its step itself)
  if (opts.fit && n && !opts.story && (!ctx.fitKey || map._imFitKey !== ctx.fitKey)) { fitView(ctx, map); }
  if (opts.story) {
    ctx.unhide = (i) => unhide(ctx, ds.marker(i));  // (a step's incident hidden by a type switch)
    map._imFitKey = ctx.fitKey;
    playStory(ctx, map, opts.story);
  }

  // Draw now (not at the next frame), then read the full properties.
  canvas.drawNow();
  ctx.ready = true;
  if (opts.selected !== undefined && opts.selected !== null) { select(ctx, String(opts.selected)); }
  if (ctx.summaryLine) { ctx.summaryLine.setAttribute('data-state', 'drawn'); }
  map.fire('incidents:ready', { count: n });
  // (the page reads them when first needed: a hover or a click)
  if (!ds.propsSource || !ds.propsSource.url) {
    L.Util.requestAnimFrame(() => { setTimeout(() => { if (!ctx.removed) { ds.loadProps(); } }, 0); });
  }
}

// Points or cells: after each draw the summary says which (data-mode), how
// many incidents the map represents (data-count: with cells, those in the
// cells drawn) and, once the view is ready, data-state "drawn"; a move of a
// map that can show cells makes it "loading" until the next draw.
function watchCells(ctx, map, canvas) {
  const line = ctx.summaryLine;
  if (!line) { return; }
  const panel = cellsPanel(map, canvas);
  line.parentNode.appendChild(panel.node);
  line.setAttribute('data-mode', 'points');
  ctx.onDrawn = () => {
    const state = cellsState(map);
    line.setAttribute('data-mode', state.mode);
    line.setAttribute('data-count', String(state.mode === 'cells' ? state.count : ctx.count));
    if (ctx.ready) { line.setAttribute('data-state', 'drawn'); }
    panel.update(state);
    circlesNote(ctx, canvas._imCirclesHidden);
  };
  ctx.onMove = () => {
    const co = cellOptions(ctx), set = canvas.setOf(ctx.ds);
    if (ctx.ready && co && set && set.shown > co.threshold) { line.setAttribute('data-state', 'loading'); }
  };
  map.on('incidents:drawn', ctx.onDrawn);
  map.on('movestart zoomstart', ctx.onMove);
}

// The time control: a view's incident is in its type's layer while its
// date is within the control's range.
function refresh(ctx) {
  const ds = ctx.ds, upTo = ctx.timeUpTo, member = ctx.member;
  let limit = NONE32;
  if (upTo !== undefined && upTo !== null) {
    limit = -1;
    for (let d = 0; d < ds.dates.length; d++) { if (ds.dates[d] <= upTo) { limit = d; } }
  }
  let shown = 0;
  for (let k = 0; k < ctx.count; k++) {
    const i = ctx.indices ? ctx.indices[k] : k;
    const on = limit === NONE32 || (ds.date[i] !== NONE32 && ds.date[i] <= limit);
    if (on) { shown += 1; }
    member[i] = on ? 1 : 0;
  }
  applyShown(ctx);
  if (ctx.summaryLine) {
    ctx.summaryLine.textContent = (ctx.timeUpTo ? shown + ' shown up to ' + ctx.timeUpTo + ' \u00b7 ' : '') + ctx.summaryText;
  }
}

function teardown(ctx) {
  const map = ctx.map;
  if (!map) { return; }
  ctx.live = false;
  if (ctx.onDrawn) { map.off('incidents:drawn', ctx.onDrawn); map.off('movestart zoomstart', ctx.onMove); ctx.onDrawn = null; }
  Object.keys(ctx.typeGroups).forEach((t) => { map.removeLayer(ctx.typeGroups[t]); });
  // (switched back on in the control, a switch is on the map, not in the group)
  (ctx.extras || []).forEach((l) => { map.removeLayer(l); });
  ctx.controls.forEach((c) => { try { map.removeControl(c); } catch { /* already gone */ } });
  removeOverlays(ctx, map._imControl);
  if (ctx.timer) { clearInterval(ctx.timer); }
  if (ctx.stopStory) { ctx.stopStory(); ctx.stopStory = null; }
  ctx.typeGroups = {}; ctx.member = null;
  if (ctx.canvas) {
    const set = ctx.canvas.setOf(ctx.ds);
    if (set && set.ctx === ctx) { ctx.canvas.setShown(ctx.ds, new Uint8Array(ctx.ds.n), 0); }
    ctx.canvas.detach(ctx);
  }
  ctx.controls = []; ctx.overlays = [];
}

// Put an incident hidden by the time control or a type toggle back on the map.
function unhide(ctx, layer) {
  const map = ctx.map, gj = ctx.typeGroups[typeName(ctx.ds, layer._imI)], set = ctx.canvas && ctx.canvas.setOf(ctx.ds);
  if (set && !set.vis[layer._imI]) {  // hidden by the time control or a type toggle
    ctx.timeUpTo = null;
    if (!map.hasLayer(gj)) {
      map.addLayer(gj);
      if (map._imChoices && gj._imKey) { map._imChoices[gj._imKey] = true; }
    }
    refresh(ctx);
  }
  if (ctx.canvas) { ctx.canvas.ensureOnMap(layer); }  // (drawn as cells, it has no layer on the map yet)
}

/**
 * Step along the chain (and IncidentMap.openIncident): open an incident's
 * popup, as a click would, with one move of the map to it once its details
 * are in (or after a moment). False when it is not in the view.
 */
export function focus(ctx, id) {
  const layer = markerById(ctx, id), map = ctx.map;
  if (!layer || !map) { return false; }
  unhide(ctx, layer);
  const token = ctx.revealing = {};
  afterDetails(ctx, layer, () => {
    if (!ctx.removed && ctx.revealing === token && compat.mapOf(layer)) { reveal(ctx, layer, true); }
  });
  return true;
}

/**
 * The view's selected incident (LayerOptions.selected): drawn with a ring
 * above the others, brought into view when it is out of it or under a
 * control, its popup open (closing any other), now. False when it is not
 * in the view.
 */
export function select(ctx, id) {
  const layer = markerById(ctx, id), map = ctx.map;
  if (!layer || !map) { return false; }
  unhide(ctx, layer);
  ctx.revealing = null;
  return reveal(ctx, layer, false);
}

/**
 * Open incident ``id``'s popup on ``map`` (panning to it), as a click would;
 * false when it is not in any view on the map. For the page and for scripts.
 */
export function openIncident(map, id) {
  // (the views the canvas draws first: the map's layers are its incidents too, a million of them)
  const views = ((map._imCanvas && map._imCanvas._imSets) || []).map((s) => s.ctx).filter((c) => c && !c.removed);
  for (let k = 0; k < views.length; k++) { if (focus(views[k], String(id))) { return true; } }
  let done = false;
  map.eachLayer((l) => { if (!done && l._imContext) { done = focus(l._imContext, String(id)); } });
  return done;
}

/**
 * For tests and scripts: what the canvas drew last, in the map's
 * container coordinates: each cluster (its count), each single marker
 * (with a story: ``highlighted: true`` for the step's, ``dimmed: true``
 * for the others), and the selected incident (ringed), or null.
 */
export function drawn(map) {
  const c = map._imCanvas, out = { clusters: [], markers: [], selected: null };
  if (!c || !compat.mapOf(c)) { return out; }
  const shift = map.layerPointToContainerPoint([0, 0]), sel = c._imSelected;
  if (sel) { out.selected = { id: sel.id, x: sel.x + shift.x, y: sel.y + shift.y }; }
  (c._imBubbles || []).forEach((b) => { out.clusters.push({ count: b.count, x: b.x + shift.x, y: b.y + shift.y }); });
  (c._imHits || []).forEach((h) => {
    for (let j = 0; j < h.n; j++) {
      const i = h.order[j];
      const m = { id: h.set.ds.ids[i], x: h.set.px[i] + shift.x, y: h.set.py[i] + shift.y };
      if (h.highlighted) { m.highlighted = true; } else if (h.dimmed) { m.dimmed = true; }
      out.markers.push(m);
    }
  });
  return out;
}
