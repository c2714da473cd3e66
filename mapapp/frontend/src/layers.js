// The layers a view puts in the layer control: one per event type, and
// switches that are not layers of their own.

import * as compat from './compat.js';

/**
 * An event type's switch in one view. It holds no markers: which incidents
 * the canvas draws is a bitset (``shownOf``), and the incidents' markers
 * are on the map only while the canvas draws points (canvas.js); the next
 * view of the same dataset takes the group over, so the user's choice
 * stays. On and off, it has its view draw its type's incidents or not.
 */
export const TypeGroup = L.LayerGroup.extend({
  // (the layer control gives each overlay a z-index, which a LayerGroup
  // passes to every one of its layers; the canvas draws them all at one)
  setZIndex: function () { return this; },
  onAdd: function () { if (this._imCtx && this._imCtx.applyShown) { this._imCtx.applyShown(); } },
  // (Leaflet calls onRemove before it takes the group off the map's list)
  onRemove: function () { if (this._imCtx && this._imCtx.applyShown) { this._imCtx.applyShown(this); } }
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
