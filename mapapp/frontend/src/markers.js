// One incident: a Leaflet layer (on the map while it is shown) carrying its
// feature, as GeoJSON layers do: layer.feature.properties.id. It has no DOM
// and no renderer of its own: the map's IncidentCanvas (canvas.js) draws
// every shown incident in one pass.

import * as compat from './compat.js';
import { RADIUS } from './shapes.js';
import { prepareClick } from './popup.js';

class Feature {
  constructor(ds, i) { this._imDs = ds; this._imI = i; }
  get properties() { return this._imDs.properties(this._imI); }
  get geometry() { return { type: 'Point', coordinates: [this._imDs.lng(this._imI), this._imDs.lat(this._imI)] }; }
}
Feature.prototype.type = 'Feature';

// Listeners live in the dataset, one bitset per listener (which markers
// have it), not in an object per marker: st_folium takes a click listener
// off every layer of the map and puts it back at each rerun. (``once``
// listeners stay with the marker, as Leaflet keeps them.)
function addListener(type, fn, context, once) {
  if (once || typeof fn !== 'function') { return compat.eventedAdd(this, type, fn, context, once); }
  if (context === this) { context = undefined; }
  const reg = this._imDs.listeners[type] || (this._imDs.listeners[type] = []);
  let h = null;
  for (let k = 0; k < reg.length; k++) { if (reg[k].fn === fn && reg[k].ctx === context) { h = reg[k]; break; } }
  if (!h) { h = { fn: fn, ctx: context, on: new Uint8Array(this._imDs.n) }; reg.push(h); }
  h.on[this._imI] = 1;
}

function removeListener(type, fn, context) {
  compat.eventedRemove(this, ...arguments);
  const reg = this._imDs.listeners[type];
  if (!reg) { return; }
  const all = arguments.length === 1;
  if (context === this) { context = undefined; }
  for (let k = 0; k < reg.length; k++) {
    if (all || (reg[k].fn === fn && reg[k].ctx === context)) { reg[k].on[this._imI] = 0; }
  }
}

function single(types) { return typeof types === 'string' && types.indexOf(' ') < 0 && types; }

export const IncidentMarker = L.CircleMarker.extend(Object.assign({
  getLatLng: function () { return L.latLng(this._imDs.lat(this._imI), this._imDs.lng(this._imI)); },
  setLatLng: function () { return this; },
  getRadius: function () { return RADIUS; },
  setRadius: function () { return this; },
  setStyle: function () { return this; },
  bringToFront: function () { return this; },
  bringToBack: function () { return this; },
  redraw: function () {
    const map = compat.mapOf(this);
    if (map && map._imCanvas) { map._imCanvas.changed(); }
    return this;
  },
  beforeAdd: function () {},
  onAdd: function (map) { map._imCanvas.show(this, true); },
  onRemove: function (map) { if (map._imCanvas) { map._imCanvas.show(this, false); } },
  getBounds: function () { const ll = this.getLatLng(); return L.latLngBounds(ll, ll); },
  /** The incident as a small GeoJSON Feature: its id and point (not its properties). */
  toGeoJSON: function () {
    const id = this._imDs.ids[this._imI];
    return { type: 'Feature', id: id, properties: { id: id },
             geometry: { type: 'Point', coordinates: [this._imDs.lng(this._imI), this._imDs.lat(this._imI)] } };
  },

  // A click (from the map or from a script) opens the popup; hovering shows the tooltip.
  fire: function (type, data, propagate) {
    const map = compat.mapOf(this);
    const canvas = map && map._imCanvas, set = canvas && canvas.setOf(this._imDs);
    if (set && set.ctx) {
      if (type === 'click' && (!compat.hasPopup(this) || this._imParent !== set.ctx.group)) { prepareClick(set.ctx, this); }
      if (type === 'mouseover') { canvas.showTip(this); }
      if (type === 'mouseout') { canvas.hideTip(); }
    }
    if (!this.listens(type, propagate)) { return this; }
    // (a click names its incident as ``layer``: st_folium returns that layer's
    // toGeoJSON() as last_active_drawing, which mapapp.contract.clicked_id reads)
    const event = L.Util.extend(type === 'click' ? { layer: this } : {}, data,
                                { type: type, target: this, sourceTarget: (data && data.sourceTarget) || this });
    compat.fireOwn(this, type, event);
    const shared = this._imDs.listeners[type];
    if (shared) {
      const copy = shared.slice();
      for (let k = 0; k < copy.length; k++) {
        if (copy[k].on[this._imI]) { copy[k].fn.call(copy[k].ctx || this, event); }
      }
    }
    if (propagate) { compat.propagate(this, event); }
    return this;
  },

  // (one event type, the common case, without splitting it into words)
  on: function (types, fn, context) {
    if (single(types)) { addListener.call(this, types, fn, context); return this; }
    return L.Evented.prototype.on.apply(this, arguments);
  },
  off: function (types, fn, context) {
    if (!arguments.length) {
      const reg = this._imDs.listeners, i = this._imI;
      Object.keys(reg).forEach((t) => { reg[t].forEach((h) => { h.on[i] = 0; }); });
    } else if (single(types)) {
      if (arguments.length === 1) { removeListener.call(this, types); } else { removeListener.call(this, types, fn, context); }
      return this;
    }
    return L.Evented.prototype.off.apply(this, arguments);
  },
  listens: function (type, fn, context, propagate) {
    const reg = this._imDs.listeners[type];
    if (reg) {
      const any = typeof fn !== 'function', ctx = context === this ? undefined : context;
      for (let k = 0; k < reg.length; k++) {
        if (reg[k].on[this._imI] && (any || (reg[k].fn === fn && reg[k].ctx === ctx))) { return true; }
      }
    }
    return L.Evented.prototype.listens.call(this, type, fn, context, propagate);
  }
}, compat.hooks({
  // Map.addLayer without the per-layer 'add'/'layeradd' events (100,000
  // of them cost more than drawing): the canvas tells 'incidents:ready'.
  layerAdd: function (e) { compat.layerAddQuietly(this, e); },
  addListener: addListener,
  removeListener: removeListener
})));
compat.markerFields(IncidentMarker.prototype, RADIUS);
Object.defineProperty(IncidentMarker.prototype, 'feature', {
  get: function () { return this._imFeature || (this._imFeature = new Feature(this._imDs, this._imI)); }
});

/** Incident i's marker (no constructor: nothing per marker but these two fields). */
export function newMarker(ds, i) {
  const m = Object.create(IncidentMarker.prototype);
  m._imDs = ds; m._imI = i;
  return m;
}
