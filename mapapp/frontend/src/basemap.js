// The base map: tile layers, offline country outlines and place names under
// them (readable with no network, hidden by the tiles whenever they load),
// and the layer control the views add their overlays to.

import { PlaceLabels } from './labels.js';

/** Label of the base layer without tiles. */
export const NO_TILES = 'No tiles (offline outlines only)';

/**
 * Set up ``map`` with ``options`` (see mapapp.contract.BasemapOptions):
 * ``tiles`` ([{name, url, attribution, max_zoom, subdomains}], the first
 * shown; none: no network request at all), ``countries`` (GeoJSON
 * outlines), ``labels`` (place names), ``collapsed`` and ``bounds``.
 * Returns the layer control.
 */
export function basemap(map, options) {
  options = options || {};
  if (!map.getPane('im-basemap')) {
    const pane = map.createPane('im-basemap');
    pane.style.zIndex = 150;
    pane.style.pointerEvents = 'none';
  }
  map.getContainer().classList.add('im-map');
  const base = {};
  let first = null;
  (options.tiles || []).forEach((t) => {
    const layer = L.tileLayer(t.url, { attribution: t.attribution, maxZoom: t.max_zoom || 19,
                                      subdomains: t.subdomains || 'abc', crossOrigin: true });
    base[t.name] = layer;
    if (!first) { first = layer; }
  });
  base[NO_TILES] = L.layerGroup();
  (first || base[NO_TILES]).addTo(map);
  let outlines = null;
  if (options.countries) {
    outlines = L.geoJSON(options.countries, {
      pane: 'im-basemap', interactive: false,
      renderer: L.svg({ pane: 'im-basemap' }),
      style: { color: '#8a8f98', weight: 0.8, fillColor: '#f4f1ea', fillOpacity: 1 }
    }).addTo(map);
  }
  let labels = null;
  if (options.labels) { labels = new PlaceLabels(options.labels, options.countries).addTo(map); }
  const control = L.control.layers(base, {}, { collapsed: options.collapsed !== false, position: 'topright' });
  control.addTo(map);
  if (outlines) { control.addOverlay(outlines, 'Country outlines (offline)'); }
  if (labels) { control.addOverlay(labels, 'Place names (offline)'); }
  map._imControl = control;
  map._imBasemap = outlines;
  if (options.bounds) { map.fitBounds(options.bounds, { maxZoom: 8, padding: [20, 20] }); }
  return control;
}
