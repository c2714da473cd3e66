// Place names drawn offline: country names and major cities, in a muted
// style, in a pane under the tiles (hidden by them when they load) and
// under the incidents (never covering a marker).

import * as compat from './compat.js';
import { el } from './dom.js';

/** Label boxes closer than this (pixels) do not both show. */
const GAP = 4;

/** Whether [lon, lat] is inside a GeoJSON Polygon's or MultiPolygon's coordinates. */
export function inPolygon(geometry, lon, lat) {
  const polys = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  return polys.some((rings) => {
    let inside = false;
    rings.forEach((ring) => {
      for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        const xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
        if ((yi > lat) !== (yj > lat) && lon < (xj - xi) * (lat - yi) / (yj - yi) + xi) { inside = !inside; }
      }
    });
    return inside;
  });
}

function bboxOf(geometry) {
  const b = [Infinity, Infinity, -Infinity, -Infinity];
  const polys = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  polys.forEach((rings) => rings[0].forEach((p) => {
    b[0] = Math.min(b[0], p[0]); b[1] = Math.min(b[1], p[1]); b[2] = Math.max(b[2], p[0]); b[3] = Math.max(b[3], p[1]);
  }));
  return b;
}

/**
 * Where a country's name goes in the view ``[west, south, east, north]``:
 * its own label point when that is in view, else the point of a grid over
 * the view that is inside the country and nearest that label point (so
 * "Iran" shows on the map of a border area), or null.
 */
export function countryPoint(country, shape, view) {
  const [w, s, e, n] = view, lon = country[1], lat = country[2];
  const mx = (e - w) * 0.04, my = (n - s) * 0.04;
  if (lon > w + mx && lon < e - mx && lat > s + my && lat < n - my) { return [lon, lat]; }
  if (!shape || shape.bbox[2] < w || shape.bbox[0] > e || shape.bbox[3] < s || shape.bbox[1] > n) { return null; }
  let best = null, bestD = Infinity;
  const steps = 14;
  for (let i = 1; i < steps; i++) {
    for (let j = 1; j < steps; j++) {
      const x = w + (e - w) * i / steps, y = s + (n - s) * j / steps;
      const d = (x - lon) * (x - lon) + (y - lat) * (y - lat);
      if (d < bestD && inPolygon(shape.geometry, x, y)) { best = [x, y]; bestD = d; }
    }
  }
  return best;
}

/**
 * The place names layer: ``places`` is BasemapOptions.labels, ``countries``
 * the outlines (GeoJSON) that place a country's name in view.
 */
export const PlaceLabels = L.Layer.extend({
  initialize: function (places, countries) {
    this._imPlaces = places || {};
    const shapes = {};
    ((countries && countries.features) || []).forEach((f) => {
      const iso = f.properties && f.properties.iso_a3, name = f.properties && f.properties.name;
      if (f.geometry) { shapes[iso && iso !== '-99' ? iso : name] = { geometry: f.geometry, bbox: bboxOf(f.geometry) }; }
    });
    this._imShapes = shapes;
  },
  getAttribution: function () { return 'Place names: Natural Earth, GeoNames (CC BY 4.0)'; },
  onAdd: function (map) {
    if (!map.getPane('im-labels')) {
      const pane = map.createPane('im-labels');
      pane.style.zIndex = 180;  // (over the outlines, under the tiles and the incidents)
      pane.style.pointerEvents = 'none';
    }
    this._imBox = el('div', 'im-labels');
    map.getPane('im-labels').appendChild(this._imBox);
    map.on('zoomstart', this._imHide, this);
    map.on('moveend zoomend viewreset resize', this._imDraw, this);
    this._imDraw();
  },
  onRemove: function (map) {
    map.off('zoomstart', this._imHide, this);
    map.off('moveend zoomend viewreset resize', this._imDraw, this);
    this._imBox.remove();
  },
  _imHide: function () { this._imBox.style.display = 'none'; },

  // Every name that shows at this zoom and in view, countries first and
  // then cities by importance, each where it does not touch one already
  // placed.
  _imDraw: function () {
    const map = compat.mapOf(this);
    if (!map) { return; }
    const box = this._imBox, zoom = map.getZoom(), b = map.getBounds().pad(0.02);
    const view = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()];
    box.textContent = '';
    box.style.display = '';
    const placed = [];
    const put = (name, lon, lat, kind) => {
      const p = map.latLngToLayerPoint([lat, lon]);
      const wdt = name.length * (kind === 'country' ? 8 : 6.5) + 10, hgt = kind === 'country' ? 16 : 14;
      // (a country's name is centred on its point; a city's starts at its dot)
      const x0 = kind === 'country' ? p.x - wdt / 2 : p.x - 4;
      const r = { x0: x0, y0: p.y - hgt / 2, x1: x0 + wdt, y1: p.y + hgt / 2 };
      if (placed.some((q) => r.x0 < q.x1 + GAP && q.x0 < r.x1 + GAP && r.y0 < q.y1 + GAP && q.y0 < r.y1 + GAP)) { return; }
      placed.push(r);
      const label = el('div', 'im-label im-label-' + kind), text = el('span', 'im-label-text');
      if (kind === 'city') { text.appendChild(el('span', 'im-label-dot')); }
      text.appendChild(document.createTextNode(name));
      label.appendChild(text);
      label.setAttribute('data-place', name);
      L.DomUtil.setPosition(label, p);
      box.appendChild(label);
    };
    (this._imPlaces.countries || []).forEach((c) => {
      if (zoom < c[3]) { return; }
      const where = countryPoint(c, this._imShapes[c[4] && c[4] !== '-99' ? c[4] : c[0]], view);
      if (where) { put(c[0], where[0], where[1], 'country'); }
    });
    const cities = (this._imPlaces.cities || []).filter((c) => zoom >= c[3] &&
      c[1] >= view[0] && c[1] <= view[2] && c[2] >= view[1] && c[2] <= view[3]);
    cities.sort((a, c) => a[3] - c[3]);
    cities.forEach((c) => { put(c[0], c[1], c[2], 'city'); });
  }
});
