// The layers a view puts in the layer control: one per event type, and
// switches that are not layers of their own.

import * as compat from './compat.js';

/**
 * An event type's incidents in one view. Its markers go on and off the map
 * in one batch (no event per marker), and the next view of the same
 * dataset takes the group over, so a filter change on the page costs only
 * the difference, not removing and adding every marker.
 */
export const TypeGroup = L.LayerGroup.extend({
  // (the layer control gives each overlay a z-index, which a LayerGroup
  // passes to every one of its layers; the canvas draws them all at one)
  setZIndex: function () { return this; },
  addQuietly: function (marker) {
    compat.groupPut(this, marker);
    const map = compat.mapOf(this);
    if (map) { map._imCanvas.quietAdd(map, marker); }
  },
  removeQuietly: function (marker) {
    compat.groupDrop(this, marker);
    const map = compat.mapOf(this);
    if (map) { map._imCanvas.quietRemove(map, marker); }
  },
  onAdd: function (map) {
    const canvas = map._imCanvas, layers = compat.groupLayers(this);
    for (const id in layers) { canvas.quietAdd(map, layers[id]); }
    canvas.changed();
  },
  onRemove: function (map) {
    const canvas = map._imCanvas, layers = compat.groupLayers(this);
    for (const id in layers) { canvas.quietRemove(map, layers[id]); }
    canvas.changed();
  }
});

/** A switch in the layer control that is not a layer of its own. */
export const Toggle = L.Layer.extend({
  initialize: function (on, off) { this._imOn = on; this._imOff = off; },
  onAdd: function () { this._imOn(); },
  onRemove: function () { this._imOff(); }
});

/** The overlays the user switched on or off in the map's layer control (by key). */
export function userChoices(map) {
  if (!map._imChoices) {
    map._imChoices = {};
    map.on('overlayadd overlayremove', (e) => {
      const control = map._imControl;
      if (e.layer && e.layer._imKey && control && compat.userClicking(control)) {
        map._imChoices[e.layer._imKey] = e.type === 'overlayadd';
      }
    });
  }
  return map._imChoices;
}
