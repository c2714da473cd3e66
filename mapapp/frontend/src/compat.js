// The only module that touches Leaflet's private members (names starting
// with "_" that Leaflet does not document). Everything else goes through
// these functions, so a Leaflet upgrade that renames one breaks here, and
// the browser test of checkLeaflet() says which. The project's own fields on
// Leaflet objects start with "_im" and are not Leaflet's.


// The private methods our subclasses override, under names of our own.
const HOOKS = {
  layerAdd: '_layerAdd',          // Map.addLayer -> layer, when the map is ready
  addListener: '_on',             // Evented: one event type, one listener
  removeListener: '_off',
  updatePaths: '_updatePaths',    // L.Canvas: after every move and zoom
  redraw: '_redraw',
  clear: '_clear',
  draw: '_draw',
  onClick: '_onClick',            // L.Canvas: DOM events on the canvas
  onMouseMove: '_onMouseMove',
  onMouseOut: '_handleMouseOut'
};

/**
 * Methods for Leaflet's ``extend`` with our hook names put under the
 * private names Leaflet calls (see HOOKS).
 */
export function hooks(methods) {
  const out = {};
  Object.keys(methods).forEach((name) => {
    if (!HOOKS[name]) { throw new Error('unknown Leaflet hook: ' + name); }
    out[HOOKS[name]] = methods[name];
  });
  return out;
}

/** The map a layer, renderer or control is on (null when it is on none). */
export function mapOf(layer) { return layer._map || null; }

/** The id Leaflet stamped on a layer (undefined before L.stamp). */
export function layerId(layer) { return layer._leaflet_id; }

// ------------------------------------------------------------------ markers

/** A marker's own default radius and a ``_latlng`` that reads ``getLatLng()``. */
export function markerFields(proto, radius) {
  proto._radius = radius;
  Object.defineProperty(proto, '_latlng', { get: function () { return this.getLatLng(); } });
}

/** What Map.addLayer does once the map is ready, without the 'add'/'layeradd' events. */
export function layerAddQuietly(layer, e) {
  const map = e.target;
  if (!map.hasLayer(layer)) { return; }
  layer._map = map;
  layer._zoomAnimated = map._zoomAnimated;
  layer.onAdd(map);
}

/** Put a layer on the map's layer list (what addLayer does, no event, no onAdd). */
export function quietAdd(map, layer) {
  const id = L.stamp(layer);
  if (map._layers[id]) { return false; }
  map._layers[id] = layer;
  layer._mapToAdd = layer._map = map;
  layer._zoomAnimated = map._zoomAnimated;
  return true;
}

/** Take a layer off the map's list (no event, no onRemove); false when it was not on it. */
export function quietRemove(map, layer) {
  const id = layer._leaflet_id;
  if (id === undefined || !map._layers[id]) { return false; }
  delete map._layers[id];
  layer._mapToAdd = layer._map = null;
  return true;
}

/** Whether a layer holds listeners of its own (Evented keeps them per object). */
export function hasOwnListeners(layer) { return !!layer._events; }

/** Whether a layer has a popup bound. */
export function hasPopup(layer) { return !!layer._popup; }

/** Call a layer's own listeners of ``type`` with ``event`` (as L.Evented.fire does). */
export function fireOwn(layer, type, event) {
  const mine = layer._events && layer._events[type];
  if (!mine) { return; }
  layer._firingCount = (layer._firingCount + 1) || 1;
  for (let k = 0, len = mine.length; k < len; k++) {
    const l = mine[k], fn = l.fn;
    if (l.once) { layer.off(type, fn, l.ctx); }
    fn.call(l.ctx || layer, event);
  }
  layer._firingCount--;
}

/** Pass an event on to the layer's event parents. */
export function propagate(layer, event) { layer._propagateEvent(event); }

/** L.Evented's own listener registration (what our hooks fall back to). */
export function eventedAdd(layer, type, fn, context, once) {
  return L.Evented.prototype._on.call(layer, type, fn, context, once);
}
export function eventedRemove(layer, ...args) {
  return L.Evented.prototype._off.apply(layer, args);
}

// ------------------------------------------------------------------ map

/** Whether the map was dragged since the press on ``target`` (a click is no click then). */
export function draggedSince(map, target) { return map._draggableMoved(target); }
/** Whether the map is in the middle of a zoom animation. */
export function zoomAnimating(map) { return !!map._animatingZoom; }

// ------------------------------------------------------------------ canvas renderer

/** A canvas renderer's 2D context. */
export function canvasContext(renderer) { return renderer._ctx; }
/** A canvas renderer's bounds in layer pixels (an L.Bounds). */
export function rendererBounds(renderer) { return renderer._bounds; }
/** A renderer's DOM element. */
export function rendererContainer(renderer) { return renderer._container; }
/** Whether the renderer is inside a zoom and skips its updates. */
export function updatesPostponed(renderer) { return !!renderer._postponeUpdatePaths; }
/** Let the renderer fire a DOM event on ``layers`` (or on the map when false). */
export function fireRendererEvent(renderer, layers, e, type) { renderer._fireEvent(layers, e, type); }
/** L.Canvas's own constructor. */
export function canvasInit(renderer, options) { L.Canvas.prototype.initialize.call(renderer, options); }

// ------------------------------------------------------------------ layer control

/** Add overlays to a layer control in one go (it rebuilds its list once). */
export function addOverlays(control, items) {
  items.forEach((item) => control._addLayer(item[0], item[1], true));
  if (control._map) { control._update(); }
}

/** Remove overlays from a layer control in one go. */
export function removeOverlays(control, layers) {
  const gone = {};
  layers.forEach((l) => { l.off('add remove', control._onLayerChange, control); gone[L.stamp(l)] = true; });
  control._layers = control._layers.filter((o) => !gone[L.stamp(o.layer)]);
  if (control._map) { control._update(); }
}

/** Whether a layer control is handling a click of the user's (not a script's change). */
export function userClicking(control) { return !!control._handlingClick; }

// ------------------------------------------------------------------ the check

/**
 * The private members above that this Leaflet lacks (an empty list when all
 * are there). Made on a throwaway map in ``container`` (a DOM element).
 */
export function checkLeaflet(container) {
  const missing = [];
  function need(where, obj, names) {
    names.forEach((n) => { if (!(n in obj)) { missing.push(where + '.' + n); } });
  }
  const map = L.map(container, { center: [0, 0], zoom: 2 });
  try {
    const marker = L.circleMarker([0, 0]).addTo(map);
    marker.on('click', () => {});
    marker.bindPopup('x');
    const group = L.layerGroup([L.circleMarker([1, 1])]).addTo(map);
    const canvas = L.canvas().addTo(map);
    const control = L.control.layers({}, { g: group }).addTo(map);
    const M = L.Map.prototype, E = L.Evented.prototype, C = L.Canvas.prototype;
    need('Map', map, ['_layers', '_zoomAnimated']);
    need('Map.prototype', M, ['_draggableMoved']);
    need('Layer.prototype', L.Layer.prototype, ['_layerAdd']);
    need('Layer', marker, ['_map', '_leaflet_id', '_mapToAdd', '_zoomAnimated', '_events', '_popup']);
    need('Evented.prototype', E, ['_on', '_off', '_propagateEvent']);
    need('CircleMarker', marker, ['_radius', '_latlng']);
    need('LayerGroup', group, ['_layers']);
    need('Canvas.prototype', C, ['_updatePaths', '_redraw', '_clear', '_draw', '_onClick',
                                 '_onMouseMove', '_handleMouseOut', '_fireEvent']);
    need('Canvas', canvas, ['_ctx', '_bounds', '_container', '_map']);
    need('Control.Layers.prototype', L.Control.Layers.prototype,
         ['_addLayer', '_update', '_onLayerChange']);
    need('Control.Layers', control, ['_layers', '_map', '_handlingClick']);
    // (fields that Leaflet sets only at certain moments: found in the methods that set them)
    const setIn = [
      ['Map._animatingZoom', M._animateZoom, '_animatingZoom'],
      ['Canvas._postponeUpdatePaths', C._onViewPreReset, '_postponeUpdatePaths'],
      ['Evented._firingCount', E.fire, '_firingCount']
    ];
    setIn.forEach((s) => {
      if (typeof s[1] !== 'function' || String(s[1]).indexOf(s[2]) < 0) { missing.push(s[0]); }
    });
  } finally {
    map.remove();
  }
  return missing;
}
