/*
 * incidentmap.js: draws incidents on a Leaflet map.
 *
 * Part of the incident-map project (mapapp). Used by the map builder for both
 * the standalone HTML export and the Streamlit page. All text from the data
 * reaches the page through textContent / createTextNode only, never through
 * innerHTML, and a source becomes a link only when its URL is http(s).
 *
 * GENERATED FILE: edit mapapp/frontend/src/*.js, then run `npm run build`
 * in mapapp/frontend (tests/test_frontend.py fails when this file is stale).
 *
 * IncidentMap.basemap(map, options)      country outlines under the tiles, tile layers, layer control
 * IncidentMap.attach(group, data, opts)  incidents, chain, uncertainty, heat, clusters, legend,
 *                                        summary and time control; all removed with the group
 * IncidentMap.openIncident(map, id)      pan to an incident and open its popup (false: not shown)
 * IncidentMap.drawn(map)                 what the canvas drew: clusters, markers, the selected one
 * IncidentMap.cells(map)                 the counts per cell drawn instead of points (mode 'cells'),
 *                                        each with its bounds, count and actors/types breakdown
 * IncidentMap.storyState(map)           the story played (LayerOptions.story): step, count,
 *                                        highlighted ids, dates, state ("moving", then "shown")
 * IncidentMap.showStep(map, n)           go to step n of the story played
 * (data, opts and options: see mapapp/contract.py, the one definition of
 * what Python sends; IncidentMap.version is its CONTRACT_VERSION.)
 *
 * Public contracts other code relies on:
 * - each incident is a Leaflet layer with feature.properties.id (its id), on the
 *   map (map.eachLayer) while the map draws it as a point: not while its view is
 *   drawn as cells (data-mode "cells"), but openIncident puts one there;
 * - the summary's .im-summary-count element has data-count (the incidents the map
 *   represents: the view's count, or with cells the sum of the cells' counts),
 *   data-mode ("points" or "cells") and data-state: "loading" until the map shows
 *   them (again after a move of a map that can show cells), then "drawn";
 * - an incident's popup and tooltip root elements carry data-incident-id;
 * - a story's step panel .im-story carries data-step (1-based), data-step-count, data-state;
 * - a popup's .im-table rows are the incident card of mapapp/card.py (CARD_ROWS).
 *
 * Keep this file Latin-1 (the build writes other characters as \u escapes).
 * One of them would make Python hold the whole exported page, data included,
 * at two or four bytes a character, which slows every step of the export.
 */
(() => {
  // src/compat.js
  var HOOKS = {
    layerAdd: "_layerAdd",
    // Map.addLayer -> layer, when the map is ready
    addListener: "_on",
    // Evented: one event type, one listener
    removeListener: "_off",
    updatePaths: "_updatePaths",
    // L.Canvas: after every move and zoom
    redraw: "_redraw",
    clear: "_clear",
    draw: "_draw",
    onClick: "_onClick",
    // L.Canvas: DOM events on the canvas
    onMouseMove: "_onMouseMove",
    onMouseOut: "_handleMouseOut"
  };
  function hooks(methods) {
    const out = {};
    Object.keys(methods).forEach((name) => {
      if (!HOOKS[name]) {
        throw new Error("unknown Leaflet hook: " + name);
      }
      out[HOOKS[name]] = methods[name];
    });
    return out;
  }
  function mapOf(layer) {
    return layer._map || null;
  }
  function markerFields(proto, radius) {
    proto._radius = radius;
    Object.defineProperty(proto, "_latlng", { get: function() {
      return this.getLatLng();
    } });
  }
  function layerAddQuietly(layer, e) {
    const map = e.target;
    if (!map.hasLayer(layer)) {
      return;
    }
    layer._map = map;
    layer._zoomAnimated = map._zoomAnimated;
    layer.onAdd(map);
  }
  function quietAdd(map, layer) {
    const id = L.stamp(layer);
    if (map._layers[id]) {
      return false;
    }
    map._layers[id] = layer;
    layer._mapToAdd = layer._map = map;
    layer._zoomAnimated = map._zoomAnimated;
    return true;
  }
  function quietRemove(map, layer) {
    const id = layer._leaflet_id;
    if (id === void 0 || !map._layers[id]) {
      return false;
    }
    delete map._layers[id];
    layer._mapToAdd = layer._map = null;
    return true;
  }
  function hasOwnListeners(layer) {
    return !!layer._events;
  }
  function hasPopup(layer) {
    return !!layer._popup;
  }
  function fireOwn(layer, type, event) {
    const mine = layer._events && layer._events[type];
    if (!mine) {
      return;
    }
    layer._firingCount = layer._firingCount + 1 || 1;
    for (let k = 0, len = mine.length; k < len; k++) {
      const l = mine[k], fn = l.fn;
      if (l.once) {
        layer.off(type, fn, l.ctx);
      }
      fn.call(l.ctx || layer, event);
    }
    layer._firingCount--;
  }
  function propagate(layer, event) {
    layer._propagateEvent(event);
  }
  function eventedAdd(layer, type, fn, context, once) {
    return L.Evented.prototype._on.call(layer, type, fn, context, once);
  }
  function eventedRemove(layer, ...args) {
    return L.Evented.prototype._off.apply(layer, args);
  }
  function draggedSince(map, target) {
    return map._draggableMoved(target);
  }
  function zoomAnimating(map) {
    return !!map._animatingZoom;
  }
  function canvasContext(renderer) {
    return renderer._ctx;
  }
  function rendererBounds(renderer) {
    return renderer._bounds;
  }
  function rendererContainer(renderer) {
    return renderer._container;
  }
  function updatesPostponed(renderer) {
    return !!renderer._postponeUpdatePaths;
  }
  function fireRendererEvent(renderer, layers, e, type) {
    renderer._fireEvent(layers, e, type);
  }
  function canvasInit(renderer, options) {
    L.Canvas.prototype.initialize.call(renderer, options);
  }
  function addOverlays(control, items) {
    items.forEach((item) => control._addLayer(item[0], item[1], true));
    if (control._map) {
      control._update();
    }
  }
  function removeOverlays(control, layers) {
    const gone = {};
    layers.forEach((l) => {
      l.off("add remove", control._onLayerChange, control);
      gone[L.stamp(l)] = true;
    });
    control._layers = control._layers.filter((o) => !gone[L.stamp(o.layer)]);
    if (control._map) {
      control._update();
    }
  }
  function userClicking(control) {
    return !!control._handlingClick;
  }
  function checkLeaflet(container) {
    const missing = [];
    function need(where, obj, names3) {
      names3.forEach((n) => {
        if (!(n in obj)) {
          missing.push(where + "." + n);
        }
      });
    }
    const map = L.map(container, { center: [0, 0], zoom: 2 });
    try {
      const marker = L.circleMarker([0, 0]).addTo(map);
      marker.on("click", () => {
      });
      marker.bindPopup("x");
      const group = L.layerGroup([L.circleMarker([1, 1])]).addTo(map);
      const canvas = L.canvas().addTo(map);
      const control = L.control.layers({}, { g: group }).addTo(map);
      const M = L.Map.prototype, E = L.Evented.prototype, C = L.Canvas.prototype;
      need("Map", map, ["_layers", "_zoomAnimated"]);
      need("Map.prototype", M, ["_draggableMoved"]);
      need("Layer.prototype", L.Layer.prototype, ["_layerAdd"]);
      need("Layer", marker, ["_map", "_leaflet_id", "_mapToAdd", "_zoomAnimated", "_events", "_popup"]);
      need("Evented.prototype", E, ["_on", "_off", "_propagateEvent"]);
      need("CircleMarker", marker, ["_radius", "_latlng"]);
      need("LayerGroup", group, ["_layers"]);
      need("Canvas.prototype", C, [
        "_updatePaths",
        "_redraw",
        "_clear",
        "_draw",
        "_onClick",
        "_onMouseMove",
        "_handleMouseOut",
        "_fireEvent"
      ]);
      need("Canvas", canvas, ["_ctx", "_bounds", "_container", "_map"]);
      need(
        "Control.Layers.prototype",
        L.Control.Layers.prototype,
        ["_addLayer", "_update", "_onLayerChange"]
      );
      need("Control.Layers", control, ["_layers", "_map", "_handlingClick"]);
      const setIn = [
        ["Map._animatingZoom", M._animateZoom, "_animatingZoom"],
        ["Canvas._postponeUpdatePaths", C._onViewPreReset, "_postponeUpdatePaths"],
        ["Evented._firingCount", E.fire, "_firingCount"]
      ];
      setIn.forEach((s) => {
        if (typeof s[1] !== "function" || String(s[1]).indexOf(s[2]) < 0) {
          missing.push(s[0]);
        }
      });
    } finally {
      map.remove();
    }
    return missing;
  }

  // src/dom.js
  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) {
      node.className = cls;
    }
    if (text !== void 0 && text !== null) {
      node.textContent = String(text);
    }
    return node;
  }

  // src/labels.js
  var GAP = 4;
  function inPolygon(geometry, lon, lat) {
    const polys = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
    return polys.some((rings) => {
      let inside = false;
      rings.forEach((ring) => {
        for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
          const xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
          if (yi > lat !== yj > lat && lon < (xj - xi) * (lat - yi) / (yj - yi) + xi) {
            inside = !inside;
          }
        }
      });
      return inside;
    });
  }
  function bboxOf(geometry) {
    const b = [Infinity, Infinity, -Infinity, -Infinity];
    const polys = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
    polys.forEach((rings) => rings[0].forEach((p) => {
      b[0] = Math.min(b[0], p[0]);
      b[1] = Math.min(b[1], p[1]);
      b[2] = Math.max(b[2], p[0]);
      b[3] = Math.max(b[3], p[1]);
    }));
    return b;
  }
  function countryPoint(country, shape, view) {
    const [w, s, e, n] = view, lon = country[1], lat = country[2];
    const mx = (e - w) * 0.04, my = (n - s) * 0.04;
    if (lon > w + mx && lon < e - mx && lat > s + my && lat < n - my) {
      return [lon, lat];
    }
    if (!shape || shape.bbox[2] < w || shape.bbox[0] > e || shape.bbox[3] < s || shape.bbox[1] > n) {
      return null;
    }
    let best = null, bestD = Infinity;
    const steps = 14;
    for (let i = 1; i < steps; i++) {
      for (let j = 1; j < steps; j++) {
        const x = w + (e - w) * i / steps, y = s + (n - s) * j / steps;
        const d = (x - lon) * (x - lon) + (y - lat) * (y - lat);
        if (d < bestD && inPolygon(shape.geometry, x, y)) {
          best = [x, y];
          bestD = d;
        }
      }
    }
    return best;
  }
  var PlaceLabels = L.Layer.extend({
    initialize: function(places, countries) {
      this._imPlaces = places || {};
      const shapes = {};
      (countries && countries.features || []).forEach((f) => {
        const iso = f.properties && f.properties.iso_a3, name = f.properties && f.properties.name;
        if (f.geometry) {
          shapes[iso && iso !== "-99" ? iso : name] = { geometry: f.geometry, bbox: bboxOf(f.geometry) };
        }
      });
      this._imShapes = shapes;
    },
    getAttribution: function() {
      return "Place names: Natural Earth, GeoNames (CC BY 4.0)";
    },
    onAdd: function(map) {
      if (!map.getPane("im-labels")) {
        const pane = map.createPane("im-labels");
        pane.style.zIndex = 180;
        pane.style.pointerEvents = "none";
      }
      this._imBox = el("div", "im-labels");
      map.getPane("im-labels").appendChild(this._imBox);
      map.on("zoomstart", this._imHide, this);
      map.on("moveend zoomend viewreset resize", this._imDraw, this);
      this._imDraw();
    },
    onRemove: function(map) {
      map.off("zoomstart", this._imHide, this);
      map.off("moveend zoomend viewreset resize", this._imDraw, this);
      this._imBox.remove();
    },
    _imHide: function() {
      this._imBox.style.display = "none";
    },
    // Every name that shows at this zoom and in view, countries first and
    // then cities by importance, each where it does not touch one already
    // placed.
    _imDraw: function() {
      const map = mapOf(this);
      if (!map) {
        return;
      }
      const box = this._imBox, zoom = map.getZoom(), b = map.getBounds().pad(0.02);
      const view = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()];
      box.textContent = "";
      box.style.display = "";
      const placed = [];
      const put2 = (name, lon, lat, kind) => {
        const p = map.latLngToLayerPoint([lat, lon]);
        const wdt = name.length * (kind === "country" ? 8 : 6.5) + 10, hgt = kind === "country" ? 16 : 14;
        const x0 = kind === "country" ? p.x - wdt / 2 : p.x - 4;
        const r = { x0, y0: p.y - hgt / 2, x1: x0 + wdt, y1: p.y + hgt / 2 };
        if (placed.some((q) => r.x0 < q.x1 + GAP && q.x0 < r.x1 + GAP && r.y0 < q.y1 + GAP && q.y0 < r.y1 + GAP)) {
          return;
        }
        placed.push(r);
        const label = el("div", "im-label im-label-" + kind), text = el("span", "im-label-text");
        if (kind === "city") {
          text.appendChild(el("span", "im-label-dot"));
        }
        text.appendChild(document.createTextNode(name));
        label.appendChild(text);
        label.setAttribute("data-place", name);
        L.DomUtil.setPosition(label, p);
        box.appendChild(label);
      };
      (this._imPlaces.countries || []).forEach((c) => {
        if (zoom < c[3]) {
          return;
        }
        const where = countryPoint(c, this._imShapes[c[4] && c[4] !== "-99" ? c[4] : c[0]], view);
        if (where) {
          put2(c[0], where[0], where[1], "country");
        }
      });
      const cities = (this._imPlaces.cities || []).filter((c) => zoom >= c[3] && c[1] >= view[0] && c[1] <= view[2] && c[2] >= view[1] && c[2] <= view[3]);
      cities.sort((a, c) => a[3] - c[3]);
      cities.forEach((c) => {
        put2(c[0], c[1], c[2], "city");
      });
    }
  });

  // src/basemap.js
  var NO_TILES = "No tiles (offline outlines only)";
  function basemap(map, options) {
    options = options || {};
    if (!map.getPane("im-basemap")) {
      const pane = map.createPane("im-basemap");
      pane.style.zIndex = 150;
      pane.style.pointerEvents = "none";
    }
    map.getContainer().classList.add("im-map");
    const base = {};
    let first = null;
    (options.tiles || []).forEach((t) => {
      const layer = L.tileLayer(t.url, {
        attribution: t.attribution,
        maxZoom: t.max_zoom || 19,
        subdomains: t.subdomains || "abc",
        crossOrigin: true
      });
      base[t.name] = layer;
      if (!first) {
        first = layer;
      }
    });
    base[NO_TILES] = L.layerGroup();
    (first || base[NO_TILES]).addTo(map);
    let outlines = null;
    if (options.countries) {
      outlines = L.geoJSON(options.countries, {
        pane: "im-basemap",
        interactive: false,
        renderer: L.svg({ pane: "im-basemap" }),
        style: { color: "#8a8f98", weight: 0.8, fillColor: "#f4f1ea", fillOpacity: 1 }
      }).addTo(map);
    }
    let labels = null;
    if (options.labels) {
      labels = new PlaceLabels(options.labels, options.countries).addTo(map);
    }
    const control = L.control.layers(base, {}, { collapsed: options.collapsed !== false, position: "topright" });
    control.addTo(map);
    if (outlines) {
      control.addOverlay(outlines, "Country outlines (offline)");
    }
    if (labels) {
      control.addOverlay(labels, "Place names (offline)");
    }
    map._imControl = control;
    map._imBasemap = outlines;
    if (options.bounds) {
      map.fitBounds(options.bounds, { maxZoom: 8, padding: [20, 20] });
    }
    return control;
  }

  // src/decode.js
  var NONE16 = 65535;
  var NONE32 = 4294967295;
  function b64bytes(text) {
    if (typeof Uint8Array.fromBase64 === "function") {
      return Uint8Array.fromBase64(text);
    }
    const bin = atob(text), n = bin.length, out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      out[i] = bin.charCodeAt(i);
    }
    return out;
  }
  function column(text, Type) {
    const b = text instanceof Uint8Array ? text : b64bytes(text || "");
    return new Type(b.buffer, b.byteOffset, Math.floor(b.byteLength / Type.BYTES_PER_ELEMENT));
  }
  function positions(xy, scale, n) {
    if (!scale) {
      return column(xy, Float64Array);
    }
    const ints = column(xy, Int32Array), m = Math.min(ints.length, 2 * n), out = new Float64Array(2 * n);
    for (let k = 0; k < m; k++) {
      out[k] = ints[k] / scale;
    }
    return out;
  }
  function unpack7(text) {
    const ESC = 126, ESCAPED = [0, 13, 60, 126];
    const n = text.length, out = new Uint8Array(Math.floor(n * 7 / 8));
    let acc = 0, bits = 0, o = 0;
    for (let i = 0; i < n; i++) {
      let c = text.charCodeAt(i);
      if (c === ESC) {
        c = ESCAPED[text.charCodeAt(++i) - 48];
        if (c === void 0) {
          throw new Error("not packed data (character " + i + ")");
        }
      } else if (c > 127) {
        throw new Error("not packed data (character " + i + ")");
      }
      acc = (acc << 7 | c) & 32767;
      bits += 7;
      if (bits >= 8) {
        bits -= 8;
        out[o++] = acc >> bits & 255;
      }
    }
    return out.subarray(0, o);
  }
  function readPayload(bytes) {
    const magic = String.fromCharCode(bytes[0], bytes[1], bytes[2], bytes[3]);
    if (magic !== "IMP1") {
      throw new Error("not an incident payload");
    }
    const size = new DataView(bytes.buffer, bytes.byteOffset + 4, 4).getUint32(0, true);
    const payload = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + size)));
    const base = Math.ceil((8 + size) / 8) * 8;
    for (const [key, offset, length] of payload.buffers || []) {
      payload[key] = bytes.subarray(base + offset, base + offset + length);
    }
    delete payload.buffers;
    return payload;
  }
  function idsOf(bytes, n) {
    const text = new TextDecoder().decode(bytes);
    if (text === "[]" && !n) {
      return [];
    }
    if (text.indexOf("\\") < 0 && text.startsWith('["') && text.endsWith('"]')) {
      const ids = text.slice(2, -2).split('","');
      if (ids.length === n) {
        return ids;
      }
    }
    return JSON.parse(text);
  }
  function put(obj, key, value) {
    if (key === "__proto__") {
      Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
    } else {
      obj[key] = value;
    }
  }
  function unnest(col) {
    const shapes = col.shapes, cols = col.cols, shape = col.shape, raw = col.raw;
    const taken = shapes.map(() => 0);
    let e = 0, r = 0;
    function element() {
      const code = shape[e++];
      if (code < 0) {
        return raw[r++];
      }
      const out = {}, keys = shapes[code], at = taken[code]++;
      for (let j = 0; j < keys.length; j++) {
        put(out, keys[j], cols[code][j][at]);
      }
      return out;
    }
    return col.len.map((length) => {
      if (length === -1) {
        return null;
      }
      if (length === -2) {
        return element();
      }
      const list = new Array(length);
      for (let k = 0; k < length; k++) {
        list[k] = element();
      }
      return list;
    });
  }
  function blockRows(block, ids) {
    const n = block.n | 0, rows = new Array(n);
    for (let k = 0; k < n; k++) {
      rows[k] = {};
    }
    for (const col of block.cols || []) {
      const values = col.ids ? ids : col.values || unnest(col);
      for (let k = 0; k < n; k++) {
        const v = values[k];
        if (v !== null && v !== void 0) {
          put(rows[k], col.name, v);
        }
      }
    }
    return rows;
  }
  function decodeMask(code, n) {
    if (code === "all") {
      return null;
    }
    const bytes = b64bytes(code), out = [];
    for (let i = 0; i < n; i++) {
      if (bytes[i >> 3] >> (i & 7) & 1) {
        out.push(i);
      }
    }
    return out;
  }
  var MAX_LAT = 85.0511287798;
  function mercator(xy, n) {
    const wx = new Float64Array(n), wy = new Float64Array(n);
    const max = 0.9999999999999999, d = Math.PI / 180;
    for (let i = 0; i < n; i++) {
      let s = Math.sin(Math.max(Math.min(xy[2 * i + 1], MAX_LAT), -MAX_LAT) * d);
      s = Math.max(Math.min(s, max), -max);
      wx[i] = 0.5 + xy[2 * i] / 360;
      wy[i] = 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI);
    }
    return { wx, wy };
  }
  function metresPerPixel0(lat) {
    return 40075016686e-3 * Math.cos(lat * Math.PI / 180) / 256;
  }

  // src/clusters.js
  var CLUSTER_CELL = 60;
  function bubbleRadius(count) {
    return count < 10 ? 15 : count < 100 ? 18 : count < 1e3 ? 21 : 24;
  }
  function bubbleColor(count) {
    return count < 10 ? "110, 204, 57" : count < 100 ? "240, 194, 12" : "241, 128, 23";
  }
  function clusterGrid(list, m, wx, wy, xy, px, py, S, single2, cell = CLUSTER_CELL) {
    const cells = /* @__PURE__ */ new Map(), cn = new Int32Array(m), cx = new Float64Array(m), cy = new Float64Array(m);
    const cb = new Float64Array(4 * m), owner = new Int32Array(m);
    let nc = 0;
    for (let q = 0; q < m; q++) {
      const i = list[q];
      const key = Math.floor(wx[i] * S / cell) * 67108864 + Math.floor(wy[i] * S / cell);
      const la = xy[2 * i + 1], lo = xy[2 * i];
      let id = cells.get(key);
      if (id === void 0) {
        id = nc++;
        cells.set(key, id);
        cb[4 * id] = cb[4 * id + 2] = la;
        cb[4 * id + 1] = cb[4 * id + 3] = lo;
      }
      cn[id] += 1;
      cx[id] += px[i];
      cy[id] += py[i];
      owner[q] = id;
      if (la < cb[4 * id]) {
        cb[4 * id] = la;
      }
      if (lo < cb[4 * id + 1]) {
        cb[4 * id + 1] = lo;
      }
      if (la > cb[4 * id + 2]) {
        cb[4 * id + 2] = la;
      }
      if (lo > cb[4 * id + 3]) {
        cb[4 * id + 3] = lo;
      }
    }
    let ns = 0;
    for (let q = 0; q < m; q++) {
      if (cn[owner[q]] === 1) {
        single2[ns++] = list[q];
      }
    }
    const clusters = [];
    for (let c = 0; c < nc; c++) {
      if (cn[c] < 2) {
        continue;
      }
      clusters.push({
        x: cx[c] / cn[c],
        y: cy[c] / cn[c],
        count: cn[c],
        r: bubbleRadius(cn[c]),
        bounds: [[cb[4 * c], cb[4 * c + 1]], [cb[4 * c + 2], cb[4 * c + 3]]]
      });
    }
    return { ns, clusters };
  }

  // src/format.js
  function known(v) {
    return v !== void 0 && v !== null && !(typeof v === "number" && isNaN(v));
  }
  function fmtInt(v) {
    return Math.trunc(Number(v)).toLocaleString("en-US");
  }
  function present(v) {
    return Array.isArray(v) ? v.filter((x) => x !== null && x !== void 0 && x !== "") : [];
  }
  function fmtCount(p, best, low, high) {
    const b = p[best];
    const lo = known(p[low]) ? p[low] : b, hi = known(p[high]) ? p[high] : b;
    if (!known(b)) {
      return known(lo) && known(hi) ? fmtInt(lo) + "\u2013" + fmtInt(hi) : null;
    }
    let s = fmtInt(b);
    if (Number(lo) !== Number(b) || Number(hi) !== Number(b)) {
      s += " (range " + fmtInt(lo) + "\u2013" + fmtInt(hi) + ")";
    }
    return s;
  }
  function fmtDate(p) {
    let s = p.date || "";
    if (p.end_date && p.end_date !== p.date) {
      s += " to " + p.end_date;
    }
    if (p.date_precision && p.date_precision !== "day") {
      s += " (precision: " + p.date_precision + ")";
    }
    return s;
  }
  function fmtPlace(p) {
    const parts = [];
    [p.place, p.admin1, p.country].forEach((x) => {
      if (x && !parts.some((y) => y.toLowerCase() === String(x).toLowerCase())) {
        parts.push(String(x));
      }
    });
    let s = parts.join(", ");
    if (p.geo_precision) {
      s += " (precision: " + p.geo_precision;
      if (typeof p.geo_precision_km === "number") {
        s += ", \xB1" + p.geo_precision_km + " km";
      }
      s += ")";
    }
    return s;
  }
  function countLine(n, total, start, end) {
    let txt = n + (n === 1 ? " incident" : " incidents");
    if (typeof total === "number" && total !== n) {
      txt += " of " + total;
    }
    if (start && end) {
      txt += " \xB7 " + (start === end ? start : start + " to " + end);
    }
    return txt;
  }
  function timeLabel(steps, i) {
    return (i >= steps.length - 1 ? "all to " : "up to ") + steps[i];
  }

  // src/cells.js
  var CELL_PX = 40;
  var CELLS_THRESHOLD = 5e4;
  var MAX_TYPES = 255;
  function binCells(src, S, box, cell) {
    const c0 = Math.floor(box[0] / cell), r0 = Math.floor(box[1] / cell);
    const cols = Math.max(Math.floor(box[2] / cell) - c0 + 1, 1), rows = Math.max(Math.floor(box[3] / cell) - r0 + 1, 1);
    const ncell = cols * rows, ncolor = Math.max(src.ncolor | 0, 1);
    const ntype = Math.min(src.ntype | 0, MAX_TYPES) + 1, other = ntype - 1;
    const count = new Int32Array(ncell), byColor = new Int32Array(ncell * ncolor), byType = new Int32Array(ncell * ntype);
    const dmin = new Uint32Array(ncell).fill(NONE32), dmax = new Uint32Array(ncell).fill(0);
    const wx = src.wx, wy = src.wy, vis = src.vis, color = src.color, type = src.type, date = src.date;
    const f = S / cell;
    let total = 0;
    for (let i = 0, n = src.n; i < n; i++) {
      if (!vis[i]) {
        continue;
      }
      const gx = Math.floor(wx[i] * f) - c0;
      if (gx < 0 || gx >= cols) {
        continue;
      }
      const gy = Math.floor(wy[i] * f) - r0;
      if (gy < 0 || gy >= rows) {
        continue;
      }
      const k = gy * cols + gx, t = type[i];
      count[k] += 1;
      byColor[k * ncolor + (color[i] < ncolor ? color[i] : ncolor - 1)] += 1;
      byType[k * ntype + (t < other ? t : other)] += 1;
      const d = date[i];
      if (d !== NONE32) {
        if (d < dmin[k]) {
          dmin[k] = d;
        }
        if (d > dmax[k]) {
          dmax[k] = d;
        }
      }
      total += 1;
    }
    for (let k = 0; k < ncell; k++) {
      if (dmin[k] === NONE32) {
        dmax[k] = NONE32;
      }
    }
    return { c0, r0, cols, rows, cell, S, total, count, byColor, byType, dmin, dmax, ncolor, ntype, lumped: src.ntype > MAX_TYPES };
  }
  function filledCells(grid) {
    const out = [];
    for (let k = 0; k < grid.count.length; k++) {
      if (grid.count[k]) {
        out.push(k);
      }
    }
    return out;
  }
  function cellBox(grid, k) {
    const col = k % grid.cols, row = Math.floor(k / grid.cols);
    const x0 = (grid.c0 + col) * grid.cell, y0 = (grid.r0 + row) * grid.cell;
    return [x0, y0, x0 + grid.cell, y0 + grid.cell];
  }
  function maxCount(grid) {
    let m = 1;
    for (let k = 0; k < grid.count.length; k++) {
      if (grid.count[k] > m) {
        m = grid.count[k];
      }
    }
    return m;
  }
  var RAMP = [
    [68, 1, 84],
    [71, 45, 123],
    [59, 82, 139],
    [44, 114, 142],
    [33, 145, 140],
    [39, 173, 129],
    [92, 200, 99],
    [170, 220, 50],
    [253, 231, 37]
  ];
  function rampPosition(count, max) {
    if (max <= 1) {
      return 1;
    }
    return Math.min(Math.max(Math.log(Math.max(count, 1)) / Math.log(max), 0), 1);
  }
  function rampColor(t) {
    const x = Math.min(Math.max(t, 0), 1) * (RAMP.length - 1), j = Math.min(Math.floor(x), RAMP.length - 2), f = x - j;
    return RAMP[j].map((v, c) => Math.round(v + (RAMP[j + 1][c] - v) * f));
  }
  function hex(rgb) {
    return "#" + rgb.map((v) => v.toString(16).padStart(2, "0")).join("");
  }
  function textOn(rgb) {
    const lin = rgb.map((v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4);
    });
    const lum = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2];
    return (lum + 0.05) / 0.05 > 1.05 / (lum + 0.05) ? "#111111" : "#ffffff";
  }
  function rgbOf(color) {
    const m = /^#([0-9a-f]{6})$/i.exec(String(color || ""));
    if (!m) {
      return [140, 140, 140];
    }
    const v = parseInt(m[1], 16);
    return [v >> 16 & 255, v >> 8 & 255, v & 255];
  }
  function shortCount(n) {
    if (n < 1e3) {
      return String(n);
    }
    if (n < 1e4) {
      return Math.floor(n / 100) / 10 + "k";
    }
    if (n < 1e6) {
      return Math.floor(n / 1e3) + "k";
    }
    return Math.floor(n / 1e5) / 10 + "M";
  }
  var TYPE_COLORS = [
    "#E69F00",
    "#56B4E9",
    "#009E73",
    "#F0E442",
    "#0072B2",
    "#D55E00",
    "#CC79A7",
    "#882255",
    "#332288",
    "#999933",
    "#44AA99",
    "#AA4499"
  ];
  function typeColor(t, ntype) {
    return t < ntype - 1 && t < TYPE_COLORS.length ? TYPE_COLORS[t] : "#8c8c8c";
  }
  function dominant(counts, k, width) {
    let best = 0, bestN = -1;
    for (let j = 0; j < width; j++) {
      if (counts[k * width + j] > bestN) {
        bestN = counts[k * width + j];
        best = j;
      }
    }
    return best;
  }
  function breakdown(grid, k, names3, palette) {
    const list = (counts, width, nameOf, colorOf) => {
      const out = [];
      for (let j = 0; j < width; j++) {
        const c = counts[k * width + j];
        if (c) {
          out.push({ name: nameOf(j), count: c, color: colorOf(j) });
        }
      }
      return out.sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    };
    const other = grid.ntype - 1;
    const actors = list(grid.byColor, grid.ncolor, (j) => names3.colors[j] || "Other actors", (j) => palette[j] || "#8c8c8c");
    const types = list(
      grid.byType,
      grid.ntype,
      (j) => j < other && names3.types[j] !== void 0 ? names3.types[j] : j === other && grid.lumped ? "Other types" : "No type",
      (j) => typeColor(j, grid.ntype)
    );
    const d0 = grid.dmin[k], d1 = grid.dmax[k];
    const dates = d0 === NONE32 ? null : [names3.dates[d0], names3.dates[d1]];
    return { count: grid.count[k], actors, types, dates };
  }

  // src/room.js
  var MARGIN = 20;
  var CORNERS = [["top", "left"], ["top", "right"], ["bottom", "left"], ["bottom", "right"]];
  function cornerReach(map) {
    const box = map.getContainer().getBoundingClientRect(), out = {};
    CORNERS.forEach(([v, h]) => {
      const corner = map.getContainer().querySelector(".leaflet-" + v + ".leaflet-" + h);
      let x = 0, y = 0;
      Array.from(corner ? corner.children : []).forEach((c) => {
        const r = c.getBoundingClientRect();
        if (!r.width || !r.height) {
          return;
        }
        x = Math.max(x, h === "left" ? r.right - box.left : box.right - r.left);
        y = Math.max(y, v === "top" ? r.bottom - box.top : box.bottom - r.top);
      });
      out[v + " " + h] = { x, y };
    });
    return out;
  }
  function fitPadding(map, bounds, maxZoom) {
    const reach = cornerReach(map), size = map.getSize();
    let best = null;
    for (let choice = 0; choice < 16; choice++) {
      const pad = { top: 0, bottom: 0, left: 0, right: 0 };
      CORNERS.forEach(([v, side], k) => {
        const r = reach[v + " " + side];
        if (!r.x || !r.y) {
          return;
        }
        if (choice >> k & 1) {
          pad[v] = Math.max(pad[v], r.y);
        } else {
          pad[side] = Math.max(pad[side], r.x);
        }
      });
      const tl = L.point(pad.left + MARGIN, pad.top + MARGIN), br = L.point(pad.right + MARGIN, pad.bottom + MARGIN);
      const w = size.x - tl.x - br.x, h = size.y - tl.y - br.y;
      if (w < 40 || h < 40) {
        continue;
      }
      const zoom = Math.min(map.getBoundsZoom(bounds, false, tl.add(br)), maxZoom);
      if (!best || zoom > best.zoom || zoom === best.zoom && w * h > best.area) {
        best = { zoom, area: w * h, paddingTopLeft: tl, paddingBottomRight: br };
      }
    }
    return best || { paddingTopLeft: L.point(MARGIN, MARGIN), paddingBottomRight: L.point(MARGIN, MARGIN) };
  }
  function popupPadding(map) {
    const reach = cornerReach(map);
    const top = Math.max(reach["top left"].y, reach["top right"].y) + 10;
    return { autoPanPaddingTopLeft: L.point(20, top), autoPanPaddingBottomRight: L.point(20, 20) };
  }
  function clearOfControls(map, p) {
    const size = map.getSize(), box = map.getContainer().getBoundingClientRect();
    if (p.x < MARGIN || p.y < MARGIN || p.x > size.x - MARGIN || p.y > size.y - MARGIN) {
      return false;
    }
    const controls = map.getContainer().querySelectorAll(".leaflet-control-container .leaflet-control");
    return !Array.from(controls).some((c) => {
      const r = c.getBoundingClientRect();
      return r.width && p.x >= r.left - box.left - MARGIN && p.x <= r.right - box.left + MARGIN && p.y >= r.top - box.top - MARGIN && p.y <= r.bottom - box.top + MARGIN;
    });
  }
  function controlRects(map) {
    const box = map.getContainer().getBoundingClientRect(), out = [];
    map.getContainer().querySelectorAll(".leaflet-control-container .leaflet-control").forEach((c) => {
      const r = c.getBoundingClientRect();
      if (r.width && r.height) {
        out.push({ x0: r.left - box.left, y0: r.top - box.top, x1: r.right - box.left, y1: r.bottom - box.top });
      }
    });
    return out;
  }
  function fitShift(box, size, tl, br) {
    let dx = 0, dy = 0;
    if (box.x1 + br.x > size.x) {
      dx = box.x1 + br.x - size.x;
    }
    if (box.x0 - dx - tl.x < 0) {
      dx = box.x0 - tl.x;
    }
    if (box.y1 + br.y > size.y) {
      dy = box.y1 + br.y - size.y;
    }
    if (box.y0 - dy - tl.y < 0) {
      dy = box.y0 - tl.y;
    }
    return { x: dx, y: dy };
  }

  // src/cellsdraw.js
  var SPLITS = [["count", "Count"], ["actor", "Main actor"], ["type", "Main event type"]];
  function splitOf(map) {
    return map._imCellSplit || "count";
  }
  function cellOptions(ctx) {
    const opts = ctx && ctx.options || {};
    if (!ctx || opts.story) {
      return null;
    }
    const threshold = opts.cells_threshold === void 0 ? CELLS_THRESHOLD : opts.cells_threshold;
    if (threshold === null || threshold === false || !(threshold >= 0)) {
      return null;
    }
    return { threshold, cell: Math.max(opts.cell_px || CELL_PX, 8) };
  }
  function cellsFor(set, view) {
    const co = cellOptions(set.ctx);
    if (!co || set.shown <= co.threshold) {
      return null;
    }
    const ds = set.ds, b = view.bounds;
    const grid = binCells(
      {
        n: ds.n,
        wx: ds.wx,
        wy: ds.wy,
        vis: set.vis,
        color: ds.color,
        ncolor: ds.palette.length,
        type: ds.type,
        ntype: ds.types.length,
        date: ds.date
      },
      view.S,
      [b.min.x, b.min.y, b.max.x, b.max.y],
      co.cell
    );
    return grid.total > co.threshold ? grid : null;
  }
  function cellFill(grid, k, split, palette, top) {
    if (split === "actor") {
      return rgbOf(palette[dominant(grid.byColor, k, grid.ncolor)]);
    }
    if (split === "type") {
      return rgbOf(typeColor(dominant(grid.byType, k, grid.ntype), grid.ntype));
    }
    return rampColor(rampPosition(grid.count[k], top));
  }
  function overlaps(rects, x0, y0, x1, y1) {
    return rects.some((r) => x1 > r.x0 && x0 < r.x1 && y1 > r.y0 && y0 < r.y1);
  }
  function drawCells(g, set, grid, view, map) {
    const split = splitOf(map), palette = set.ds.palette, cells = filledCells(grid), top = maxCount(grid);
    const shift = map.layerPointToContainerPoint([0, 0]), rects = controlRects(map), labels = {};
    const gap = grid.cell >= 16 ? 1 : 0;
    g.save();
    g.font = "600 12px system-ui, sans-serif";
    g.textAlign = "center";
    g.textBaseline = "middle";
    cells.forEach((k) => {
      const b = cellBox(grid, k), x = b[0] - view.o.x, y = b[1] - view.o.y, rgb = cellFill(grid, k, split, palette, top);
      g.globalAlpha = 0.78;
      g.fillStyle = hex(rgb);
      g.fillRect(x + gap, y + gap, grid.cell - 2 * gap, grid.cell - 2 * gap);
      const text = shortCount(grid.count[k]), w = g.measureText(text).width;
      const cx = x + grid.cell / 2 + shift.x, cy = y + grid.cell / 2 + shift.y;
      if (w + 6 > grid.cell || overlaps(rects, cx - w / 2 - 2, cy - 8, cx + w / 2 + 2, cy + 8)) {
        return;
      }
      g.globalAlpha = 1;
      g.fillStyle = textOn(rgb);
      g.fillText(text, x + grid.cell / 2, y + grid.cell / 2 + 0.5);
      labels[k] = text;
    });
    g.restore();
    return { set, grid, cells, labels, o: view.o, split };
  }
  function names(ctx, ds) {
    const byColor = {};
    (ctx && ctx.options.legend_actors || []).forEach((a) => {
      byColor[String(a.color).toLowerCase()] = a.name;
    });
    return { colors: ds.palette.map((c) => byColor[String(c).toLowerCase()] || "Other actors"), types: ds.types, dates: ds.dates };
  }
  function cellLatLngs(map, grid, k) {
    const b = cellBox(grid, k), zoom = Math.log2(grid.S / 256);
    return L.latLngBounds(map.unproject([b[0], b[3]], zoom), map.unproject([b[2], b[1]], zoom));
  }
  function cellsState(map) {
    const c = map._imCanvas, out = { mode: "points", count: null, zoom: map.getZoom(), cell: null, split: splitOf(map), cells: [] };
    const drawnCells = c && c._imCells || [];
    if (!drawnCells.length) {
      return out;
    }
    const shift = map.layerPointToContainerPoint([0, 0]);
    out.mode = "cells";
    out.count = 0;
    drawnCells.forEach((d) => {
      const grid = d.grid, nm = names(d.set.ctx, d.set.ds);
      out.cell = grid.cell;
      out.count += grid.total;
      d.cells.forEach((k) => {
        const b = cellBox(grid, k), ll = cellLatLngs(map, grid, k), info = breakdown(grid, k, nm, d.set.ds.palette);
        out.cells.push({
          bounds: [[ll.getSouth(), ll.getWest()], [ll.getNorth(), ll.getEast()]],
          x: b[0] - d.o.x + shift.x,
          y: b[1] - d.o.y + shift.y,
          width: grid.cell,
          height: grid.cell,
          count: info.count,
          label: d.labels[k] || null,
          actors: info.actors,
          types: info.types,
          dates: info.dates
        });
      });
    });
    return out;
  }
  function breakdownTable(title, cls, items) {
    const box = el("div", "im-cell-part");
    box.appendChild(el("div", "im-subhead", title));
    const table = el("table", "im-table im-cell-table");
    const shown = items.length > 13 ? items.slice(0, 12) : items.slice(), rest = items.slice(shown.length);
    if (rest.length) {
      shown.push({ name: rest.length + " more", count: rest.reduce((t, a) => t + a.count, 0), color: "#8c8c8c", more: true });
    }
    shown.forEach((a) => {
      const tr = el("tr", "im-cell-row " + cls + (a.more ? " im-cell-more" : ""));
      tr.setAttribute("data-count", String(a.count));
      const th = el("th"), sw = el("span", "im-swatch im-cell-swatch");
      sw.style.background = a.color;
      th.appendChild(sw);
      th.appendChild(document.createTextNode(" " + a.name));
      tr.appendChild(th);
      tr.appendChild(el("td", "im-cell-n", fmtInt(a.count)));
      table.appendChild(tr);
    });
    box.appendChild(table);
    return box;
  }
  function openCellPopup(map, drawnGrid, k) {
    const grid = drawnGrid.grid, set = drawnGrid.set, info = breakdown(grid, k, names(set.ctx, set.ds), set.ds.palette);
    const bounds = cellLatLngs(map, grid, k);
    const root = el("div", "im-popup im-cell-popup");
    root.setAttribute("data-count", String(info.count));
    root.appendChild(el("div", "im-title", fmtInt(info.count) + (info.count === 1 ? " incident" : " incidents") + " in this cell"));
    if (info.dates) {
      root.appendChild(el("div", "im-cell-dates", info.dates[0] === info.dates[1] ? info.dates[0] : info.dates[0] + " to " + info.dates[1]));
    }
    const zoom = el("button", "im-cell-zoom", "Zoom in");
    zoom.type = "button";
    zoom.addEventListener("click", () => {
      map.closePopup();
      map.fitBounds(bounds);
    });
    root.appendChild(zoom);
    root.appendChild(breakdownTable("Actors", "im-cell-actor", info.actors));
    root.appendChild(breakdownTable("Event types", "im-cell-type", info.types));
    L.popup(Object.assign({ maxWidth: 320, className: "im-cell-popup-wrap" }, popupPadding(map))).setLatLng(bounds.getCenter()).setContent(root).openOn(map);
    return root;
  }
  function cellHit(drawnCells, p) {
    for (let j = drawnCells.length - 1; j >= 0; j--) {
      const d = drawnCells[j], grid = d.grid, x = p.x + d.o.x, y = p.y + d.o.y;
      const col = Math.floor(x / grid.cell) - grid.c0, row = Math.floor(y / grid.cell) - grid.r0;
      if (col < 0 || row < 0 || col >= grid.cols || row >= grid.rows) {
        continue;
      }
      const k = row * grid.cols + col;
      if (grid.count[k]) {
        return { drawn: d, k };
      }
    }
    return null;
  }
  function rampCss() {
    const stops = [];
    for (let j = 0; j <= 8; j++) {
      stops.push(hex(rampColor(j / 8)) + " " + j * 12.5 + "%");
    }
    return "linear-gradient(to right, " + stops.join(", ") + ")";
  }
  function cellsPanel(map, canvas) {
    const node = el("div", "im-cells");
    node.hidden = true;
    const line = el("div", "im-cells-line");
    const pick = el("label", "im-cells-pick", "Colour by ");
    const select2 = el("select", "im-cells-split");
    SPLITS.forEach(([value, text]) => {
      const o = el("option", null, text);
      o.value = value;
      select2.appendChild(o);
    });
    select2.value = splitOf(map);
    select2.addEventListener("change", () => {
      map._imCellSplit = select2.value;
      canvas.changed();
    });
    pick.appendChild(select2);
    const key = el("div", "im-cells-key");
    node.appendChild(line);
    node.appendChild(pick);
    node.appendChild(key);
    function update(state) {
      node.hidden = state.mode !== "cells";
      if (node.hidden) {
        return;
      }
      line.textContent = fmtInt(state.count) + " in view, counted per " + state.cell + " px cell: zoom in or filter for single incidents";
      select2.value = state.split;
      key.textContent = "";
      if (state.split === "count") {
        const top = state.cells.reduce((m, c) => Math.max(m, c.count), 1);
        const bar = el("div", "im-cells-ramp");
        bar.style.background = rampCss();
        const ends = el("div", "im-cells-ends");
        ends.appendChild(el("span", null, "1"));
        ends.appendChild(el("span", null, fmtInt(top) + " (log scale)"));
        key.appendChild(bar);
        key.appendChild(ends);
        return;
      }
      const seen = {};
      state.cells.forEach((c) => {
        const main = (state.split === "actor" ? c.actors : c.types)[0];
        if (main && !seen[main.name]) {
          seen[main.name] = main.color;
        }
      });
      Object.keys(seen).sort().forEach((name) => {
        const row = el("div", "im-legend-row"), sw = el("span", "im-swatch");
        sw.style.background = seen[name];
        sw.style.borderRadius = "2px";
        row.appendChild(sw);
        row.appendChild(document.createTextNode(name));
        key.appendChild(row);
      });
    }
    return { node, update };
  }

  // src/shapes.js
  var SHAPES = ["circle", "square", "diamond", "triangle", "triangle-down", "star", "hexagon"];
  var RADIUS = 7;
  var SELECTED_RING = "#ffd400";
  var GLYPHS = {
    circle: "\u25CF",
    square: "\u25A0",
    diamond: "\u25C6",
    triangle: "\u25B2",
    "triangle-down": "\u25BC",
    star: "\u2605",
    hexagon: "\u2B22"
  };
  function shapePoints(shape, x, y, r) {
    const pts = [];
    let k;
    switch (shape) {
      case "square":
        k = r * 0.9;
        return [[x - k, y - k], [x + k, y - k], [x + k, y + k], [x - k, y + k]];
      case "diamond":
        k = r * 1.2;
        return [[x, y - k], [x + k, y], [x, y + k], [x - k, y]];
      case "triangle":
        k = r * 1.25;
        return [[x, y - k], [x + k * 0.95, y + k * 0.7], [x - k * 0.95, y + k * 0.7]];
      case "triangle-down":
        k = r * 1.25;
        return [[x, y + k], [x + k * 0.95, y - k * 0.7], [x - k * 0.95, y - k * 0.7]];
      case "star":
        for (let i = 0; i < 10; i++) {
          const a = -Math.PI / 2 + i * Math.PI / 5;
          k = (i % 2 ? 0.5 : 1.3) * r;
          pts.push([x + k * Math.cos(a), y + k * Math.sin(a)]);
        }
        return pts;
      case "hexagon":
        for (let i = 0; i < 6; i++) {
          const a = i * Math.PI / 3;
          pts.push([x + r * 1.1 * Math.cos(a), y + r * 1.1 * Math.sin(a)]);
        }
        return pts;
      default:
        return null;
    }
  }
  var SHAPE_OFFSETS = SHAPES.map((s) => shapePoints(s, 0, 0, RADIUS));
  function shapeCode(name) {
    return Math.max(SHAPES.indexOf(name || "circle"), 0);
  }
  function shapeGlyph(name) {
    return GLYPHS[name || "circle"] || GLYPHS.circle;
  }
  function shapeSvg(shape, color, dashed) {
    const NS = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(NS, "svg");
    svg.setAttribute("width", "16");
    svg.setAttribute("height", "16");
    svg.setAttribute("viewBox", "0 0 16 16");
    const pts = shapePoints(shape, 8, 8, 5);
    let node;
    if (pts) {
      node = document.createElementNS(NS, "polygon");
      node.setAttribute("points", pts.map((p) => p[0].toFixed(1) + "," + p[1].toFixed(1)).join(" "));
    } else {
      node = document.createElementNS(NS, "circle");
      node.setAttribute("cx", "8");
      node.setAttribute("cy", "8");
      node.setAttribute("r", "5.5");
    }
    node.setAttribute("fill", color);
    node.setAttribute("stroke", "#222");
    node.setAttribute("stroke-width", "1.2");
    if (dashed) {
      node.setAttribute("stroke-dasharray", "2,1.5");
    }
    svg.appendChild(node);
    return svg;
  }

  // src/contract.js
  var CONTRACT_VERSION = 10;
  var DRAW_FILE = "draw.bin.gz";
  var IDS_FILE = "ids.json.gz";
  var CARD_ROWS = [["date", "Date"], ["event", "Event"], ["actor", "Actor"], ["target", "Target"], ["attribution", "Attribution"], ["claimed_by", "Claimed by"], ["blamed_by", "Blamed by"], ["attribution_note", "On attribution"], ["fatalities", "Fatalities"], ["injuries", "Injuries"], ["place", "Place"], ["id", "ID"]];

  // src/card.js
  function names2(v) {
    const items = present(v).map(String);
    return items.length ? items.join("; ") : null;
  }
  var VALUES = {
    date: (p) => known(p.date) && p.date !== "" ? fmtDate(p) : null,
    event: (p) => [p.event_type, p.sub_event_type].filter((x) => known(x) && x !== "").join(" / "),
    actor: (p) => p.actor,
    target: (p) => p.target,
    attribution: (p, a) => a.status || "unknown",
    claimed_by: (p, a) => names2(a.claimed_by),
    blamed_by: (p, a) => names2(a.blamed_by),
    attribution_note: (p, a) => a.note,
    fatalities: (p) => fmtCount(p, "fatalities", "fatalities_low", "fatalities_high"),
    injuries: (p) => fmtCount(p, "injuries", null, null),
    place: (p) => fmtPlace(p),
    id: (p) => p.id
  };
  function cardRows(p) {
    const a = p.attribution && typeof p.attribution === "object" ? p.attribution : {};
    const rows = [];
    for (const [key, label] of CARD_ROWS) {
      const value = VALUES[key] ? VALUES[key](p, a) : null;
      if (known(value) && value !== "") {
        rows.push([key, label, String(value)]);
      }
    }
    return rows;
  }

  // src/chain.js
  function relationWords(relation) {
    return String(relation || "related").replace(/_/g, " ");
  }
  function chainLines(links, date) {
    const seen = /* @__PURE__ */ new Set(), directed = /* @__PURE__ */ new Set(), out = [];
    links.forEach((l) => {
      directed.add(l[0] + "," + l[1]);
    });
    links.forEach((l) => {
      const f = l[0], t = l[1];
      if (f === t) {
        return;
      }
      const key = f < t ? f + "," + t : t + "," + f;
      if (seen.has(key)) {
        return;
      }
      let line = [f, t, l[2]];
      const both = directed.has(t + "," + f);
      if (both && date && date[f] !== NONE32 && date[t] !== NONE32 && date[t] < date[f]) {
        line = [t, f, l[2]];
      }
      seen.add(key);
      out.push(line);
    });
    return out;
  }

  // src/safe.js
  function safeUrl(url) {
    if (typeof url !== "string") {
      return null;
    }
    try {
      const u = new URL(url.trim());
      return u.protocol === "http:" || u.protocol === "https:" ? u.href : null;
    } catch (e) {
      return null;
    }
  }
  var ENTITIES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;", "`": "&#96;" };
  function escapeHtml(text) {
    return String(text).replace(/[&<>"'`]/g, (c) => ENTITIES[c]);
  }

  // src/popup.js
  function markerById(ctx, id) {
    const i = ctx.ds ? ctx.ds.indexOf(id) : -1;
    return i >= 0 && ctx.inView[i] ? ctx.ds.marker(i) : null;
  }
  function sourceList(sources) {
    const ol = el("ol", "im-sources");
    sources.forEach((s) => {
      if (!s || typeof s !== "object") {
        return;
      }
      const li = el("li");
      const href = safeUrl(s.url);
      const label = s.title || s.url || "source";
      if (href) {
        const link = el("a", "im-source-link", label);
        link.href = href;
        link.target = "_blank";
        link.rel = "noopener noreferrer";
        li.appendChild(link);
      } else {
        li.appendChild(el("span", "im-source-title", label));
      }
      const meta = [s.publisher, s.date].filter((x) => x).join(", ");
      if (meta) {
        li.appendChild(document.createTextNode(" \u2014 " + meta));
      }
      ol.appendChild(li);
    });
    return ol;
  }
  function linkedList(ctx, related, linked) {
    const ul = el("ul", "im-related");
    function item(relId, relation, incoming) {
      const li = el("li");
      const target = markerById(ctx, relId);
      const tp = target && target.feature.properties;
      const text = (incoming ? "\u2190 " : "\u2192 ") + relationWords(relation) + ": " + (tp ? (tp.title || relId) + " (" + (tp.date || "") + ")" : relId);
      if (target) {
        const btn = el("a", "im-related-link", text);
        btn.href = "#";
        btn.setAttribute("data-incident-id", relId);
        btn.addEventListener("click", (ev) => {
          ev.preventDefault();
          ctx.focus(relId);
        });
        li.appendChild(btn);
      } else {
        li.appendChild(document.createTextNode(text + " (not in this view)"));
      }
      ul.appendChild(li);
    }
    const listed = /* @__PURE__ */ new Set();
    related.forEach((r) => {
      if (r && r.id && !listed.has(String(r.id))) {
        listed.add(String(r.id));
        item(r.id, r.relation, false);
      }
    });
    linked.forEach((r) => {
      if (!listed.has(String(r.id))) {
        listed.add(String(r.id));
        item(r.id, r.relation, true);
      }
    });
    return ul;
  }
  function popupContent(ctx, feature) {
    const p = feature.properties || {};
    const root = el("div", "im-popup");
    if (p.id !== void 0 && p.id !== null) {
      root.setAttribute("data-incident-id", String(p.id));
    }
    root.appendChild(el("div", "im-title", p.title || p.id));
    const table = el("table", "im-table");
    function row(label, value) {
      if (value === void 0 || value === null || value === "") {
        return;
      }
      const tr = el("tr");
      tr.appendChild(el("th", null, label));
      const td = el("td");
      if (value instanceof Node) {
        td.appendChild(value);
      } else {
        td.textContent = String(value);
      }
      tr.appendChild(td);
      table.appendChild(tr);
    }
    for (const [key, label, text] of cardRows(p)) {
      if (key === "attribution") {
        row(label, el("span", "im-status im-status-" + text.replace(/[^a-z]/g, ""), text));
      } else {
        row(label, text);
      }
    }
    root.appendChild(table);
    if (p.notes) {
      root.appendChild(el("p", "im-notes", p.notes));
    }
    const sources = Array.isArray(p.sources) ? p.sources : [];
    if (sources.length) {
      root.appendChild(el("div", "im-subhead", "Sources"));
      root.appendChild(sourceList(sources));
    }
    const related = Array.isArray(p.related) ? p.related : [];
    const linked = (ctx.incoming[p.id] || []).slice();
    if (related.length || linked.length) {
      root.appendChild(el("div", "im-subhead", "Linked incidents"));
      root.appendChild(linkedList(ctx, related, linked));
    }
    return root;
  }
  function tooltipContent(feature) {
    const p = feature.properties || {};
    const root = el("div", "im-tooltip");
    root.appendChild(el("b", null, p.title || p.id));
    root.appendChild(document.createTextNode(" \u2014 " + fmtDate(p)));
    return root;
  }
  function prepareClick(ctx, marker, options) {
    let content = popupContent(ctx, marker.feature);
    const ds = marker._imDs;
    if (!ds.hasProps(marker._imI) || ds.hasWanted()) {
      content = el("div", "im-popup", "Loading the details\u2026");
      content.setAttribute("data-incident-id", String(marker.feature.properties.id));
      ds.loadProps(marker._imI).then(() => {
        if (!(marker.isPopupOpen && marker.isPopupOpen())) {
          return;
        }
        if (ds.blockSize() && !ds.hasProps(marker._imI)) {
          const note = el("div", "im-popup", ds.propsError || "The details could not be loaded.");
          note.setAttribute("data-incident-id", String(marker.feature.properties.id));
          marker.setPopupContent(note);
          return;
        }
        marker.setPopupContent(popupContent(ctx, marker.feature));
      });
    }
    const pad = ctx.map ? popupPadding(ctx.map) : { autoPanPaddingTopLeft: [20, 20], autoPanPaddingBottomRight: [20, 20] };
    marker.bindPopup(content, Object.assign({
      maxWidth: 380,
      minWidth: 260,
      autoPanPaddingTopLeft: pad.autoPanPaddingTopLeft,
      autoPanPaddingBottomRight: pad.autoPanPaddingBottomRight
    }, options));
    if (ctx.selected !== marker._imI) {
      ctx.selected = marker._imI;
      if (ctx.canvas) {
        ctx.canvas.changed();
      }
    }
    if (marker._imParent !== ctx.group) {
      if (marker._imParent) {
        marker.removeEventParent(marker._imParent);
      }
      marker.addEventParent(ctx.group);
      marker._imParent = ctx.group;
    }
  }

  // src/canvas.js
  var CLUSTER_MAX_ZOOM = 11;
  var Stamps = class {
    constructor(canvas, x0, y0, x1, y1) {
      this.x0 = x0;
      this.y0 = y0;
      this.W = Math.ceil(x1 - x0) + 1;
      this.H = Math.ceil(y1 - y0) + 1;
      const size = this.W * this.H;
      this.a = canvas._imStamp && canvas._imStamp.length >= size ? canvas._imStamp : canvas._imStamp = new Uint32Array(size);
      this.reset();
    }
    reset() {
      this.a.fill(0, 0, this.W * this.H);
    }
    fresh(xx, yy, token) {
      const ix = Math.round(xx - this.x0), iy = Math.round(yy - this.y0);
      if (ix < 0 || iy < 0 || ix >= this.W || iy >= this.H) {
        return true;
      }
      const k = iy * this.W + ix;
      if (this.a[k] === token) {
        return false;
      }
      this.a[k] = token;
      return true;
    }
  };
  function drawUncertainty(g, ds, single2, ns, px, py, box, z2, minKm, stamps, fade) {
    const byColor = {};
    for (let q = 0; q < ns; q++) {
      const i = single2[q], km = ds.km[i];
      if (!(km >= minKm)) {
        continue;
      }
      const r = km * 1e3 * z2 / metresPerPixel0(ds.xy[2 * i + 1]);
      if (r < RADIUS + 1.5) {
        continue;
      }
      const x = px[i], y = py[i];
      if (x + r < box.x0 || x - r > box.x1 || y + r < box.y0 || y - r > box.y1) {
        continue;
      }
      const c = ds.color[i];
      if (!stamps.fresh(x, y, 1 + c * 65536 + Math.min(Math.round(r), 65535))) {
        continue;
      }
      (byColor[c] = byColor[c] || []).push(x, y, r);
    }
    let circles = 0;
    Object.keys(byColor).forEach((c) => {
      circles += byColor[c].length / 3;
    });
    if (circles > MAX_CIRCLES) {
      return circles;
    }
    g.lineWidth = 1;
    g.setLineDash([4, 3]);
    Object.keys(byColor).forEach((c) => {
      const a = byColor[c];
      g.beginPath();
      for (let j = 0; j < a.length; j += 3) {
        g.moveTo(a[j] + a[j + 2], a[j + 1]);
        g.arc(a[j], a[j + 1], a[j + 2], 0, 2 * Math.PI);
      }
      g.fillStyle = ds.palette[c] || "#8c8c8c";
      g.globalAlpha = 0.07 * fade;
      g.fill();
      g.strokeStyle = ds.palette[c] || "#8c8c8c";
      g.globalAlpha = 0.45 * fade;
      g.stroke();
    });
    g.globalAlpha = 1;
    g.setLineDash([]);
    return 0;
  }
  var MAX_CIRCLES = 500;
  function drawChain(g, ds, drawn2, px, py, highlight) {
    const lines = [[], []];
    ds.chain.forEach((l) => {
      const f = l[0], t = l[1];
      if (!drawn2[f] || !drawn2[t]) {
        return;
      }
      lines[highlight && !highlight[f] && !highlight[t] ? 1 : 0].push(px[f], py[f], px[t], py[t]);
    });
    lines.forEach((heads, faded) => {
      if (heads.length) {
        drawArrows(g, heads, faded ? 0.25 : 1);
      }
    });
  }
  function drawArrows(g, heads, fade) {
    g.beginPath();
    for (let h = 0; h < heads.length; h += 4) {
      g.moveTo(heads[h], heads[h + 1]);
      g.lineTo(heads[h + 2], heads[h + 3]);
    }
    g.strokeStyle = "#b2182b";
    g.lineWidth = 2;
    g.globalAlpha = 0.8 * fade;
    g.setLineDash([6, 4]);
    g.stroke();
    g.beginPath();
    g.setLineDash([]);
    g.globalAlpha = 0.9 * fade;
    const len = 12, spread = 0.45;
    for (let h = 0; h < heads.length; h += 4) {
      const ang = Math.atan2(heads[h + 3] - heads[h + 1], heads[h + 2] - heads[h]);
      const tx = heads[h] + (heads[h + 2] - heads[h]) * 0.6, ty = heads[h + 1] + (heads[h + 3] - heads[h + 1]) * 0.6;
      g.moveTo(tx - len * Math.cos(ang - spread), ty - len * Math.sin(ang - spread));
      g.lineTo(tx, ty);
      g.lineTo(tx - len * Math.cos(ang + spread), ty - len * Math.sin(ang + spread));
    }
    g.stroke();
    g.globalAlpha = 1;
  }
  function drawMarkers(g, set, single2, ns, box, shapeOf, stamps, alpha, key) {
    const ds = set.ds, n = ds.n, px = set.px, py = set.py, palette = ds.palette;
    const nstyles = palette.length * SHAPES.length * 2, count = new Int32Array(nstyles + 1);
    const style = set.style || (set.style = new Int32Array(n));
    const m = RADIUS + 2;
    for (let q = 0; q < ns; q++) {
      const i = single2[q];
      if (px[i] < box.x0 - m || px[i] > box.x1 + m || py[i] < box.y0 - m || py[i] > box.y1 + m) {
        style[i] = -1;
        continue;
      }
      const st = (ds.color[i] * SHAPES.length + (shapeOf[ds.type[i]] || 0)) * 2 + (ds.dashed[i] ? 1 : 0);
      style[i] = st;
      count[st + 1] += 1;
    }
    for (let s = 0; s < nstyles; s++) {
      count[s + 1] += count[s];
    }
    const order = set[key] || (set[key] = new Int32Array(n)), fillAt = count.slice(0, nstyles);
    for (let q = 0; q < ns; q++) {
      const i = single2[q];
      if (style[i] >= 0) {
        order[fillAt[style[i]]++] = i;
      }
    }
    g.lineWidth = 1;
    g.strokeStyle = "#222";
    for (let st = 0; st < nstyles; st++) {
      const from = count[st], to = count[st + 1];
      if (from === to) {
        continue;
      }
      const off = SHAPE_OFFSETS[Math.floor(st / 2) % SHAPES.length];
      g.beginPath();
      for (let q = from; q < to; q++) {
        const i = order[q], x = px[i], y = py[i];
        if (!stamps.fresh(x, y, st + 1)) {
          continue;
        }
        if (!off) {
          g.moveTo(x + RADIUS, y);
          g.arc(x, y, RADIUS, 0, 2 * Math.PI);
          continue;
        }
        g.moveTo(x + off[0][0], y + off[0][1]);
        for (let v = 1; v < off.length; v++) {
          g.lineTo(x + off[v][0], y + off[v][1]);
        }
        g.closePath();
      }
      g.fillStyle = palette[Math.floor(st / (2 * SHAPES.length))] || "#8c8c8c";
      g.globalAlpha = alpha;
      g.fill();
      g.setLineDash(st % 2 ? [3, 2] : []);
      g.stroke();
    }
    g.globalAlpha = 1;
    g.setLineDash([]);
    return { order, n: count[nstyles] };
  }
  function drawSelected(g, set, i, shapeOf) {
    const ds = set.ds, x = set.px[i], y = set.py[i];
    g.setLineDash([]);
    g.globalAlpha = 1;
    g.beginPath();
    g.arc(x, y, RADIUS + 6, 0, 2 * Math.PI);
    g.lineWidth = 6;
    g.strokeStyle = "#222";
    g.stroke();
    g.lineWidth = 4;
    g.strokeStyle = SELECTED_RING;
    g.stroke();
    const off = SHAPE_OFFSETS[shapeOf[ds.type[i]] || 0];
    g.beginPath();
    if (!off) {
      g.arc(x, y, RADIUS, 0, 2 * Math.PI);
    } else {
      g.moveTo(x + off[0][0], y + off[0][1]);
      for (let v = 1; v < off.length; v++) {
        g.lineTo(x + off[v][0], y + off[v][1]);
      }
      g.closePath();
    }
    g.fillStyle = ds.palette[ds.color[i]] || "#8c8c8c";
    g.fill();
    g.lineWidth = 1;
    g.strokeStyle = "#222";
    g.setLineDash(ds.dashed[i] ? [3, 2] : []);
    g.stroke();
    g.setLineDash([]);
  }
  function drawStepRings(g, set, list, n, box) {
    const m = RADIUS + 8;
    g.beginPath();
    for (let q = 0; q < n; q++) {
      const i = list[q];
      if (set.px[i] < box.x0 - m || set.px[i] > box.x1 + m || set.py[i] < box.y0 - m || set.py[i] > box.y1 + m) {
        continue;
      }
      g.moveTo(set.px[i] + RADIUS + 4, set.py[i]);
      g.arc(set.px[i], set.py[i], RADIUS + 4, 0, 2 * Math.PI);
    }
    g.setLineDash([]);
    g.globalAlpha = 0.85;
    g.lineWidth = 3;
    g.strokeStyle = "#111";
    g.stroke();
    g.globalAlpha = 1;
  }
  function splitStep(list, m, highlight, his) {
    let w = 0, h = 0;
    for (let q = 0; q < m; q++) {
      const i = list[q];
      if (highlight[i]) {
        his[h++] = i;
      } else {
        list[w++] = i;
      }
    }
    return { others: w, step: h };
  }
  function drawBubbles(g, bubbles) {
    g.textAlign = "center";
    g.textBaseline = "middle";
    g.font = "600 12px system-ui, sans-serif";
    bubbles.forEach((bu) => {
      const col = bubbleColor(bu.count);
      g.beginPath();
      g.arc(bu.x, bu.y, bu.r, 0, 2 * Math.PI);
      g.fillStyle = "rgba(" + col + ", 0.6)";
      g.fill();
      g.beginPath();
      g.arc(bu.x, bu.y, bu.r - 5, 0, 2 * Math.PI);
      g.fillStyle = "rgba(" + col + ", 0.95)";
      g.fill();
      g.fillStyle = "#111";
      g.fillText(String(bu.count), bu.x, bu.y + 0.5);
    });
  }
  var IncidentCanvas = L.Canvas.extend(Object.assign({
    options: { padding: 0.2, tolerance: 2 },
    /** ``options.retire(ctx)``: tears down a view that waited in retireLater. */
    initialize: function(options) {
      canvasInit(this, options);
      this._imSets = [];
      this.flags = { uncertainty: 0, chain: 0, cluster: 0 };
      this.version = 0;
    },
    attach: function(ds, ctx) {
      let set = this.setOf(ds);
      if (!set) {
        set = { ds, vis: new Uint8Array(ds.n), shown: 0 };
        this._imSets.push(set);
      }
      set.ctx = ctx;
      return set;
    },
    detach: function(ctx) {
      this._imSets = this._imSets.filter((s) => s.ctx !== ctx || s.shown > 0);
      this.changed();
    },
    setOf: function(ds) {
      for (let k = 0; k < this._imSets.length; k++) {
        if (this._imSets[k].ds === ds) {
          return this._imSets[k];
        }
      }
      return null;
    },
    show: function(marker, on) {
      if (this._imKeep) {
        return;
      }
      const set = this.setOf(marker._imDs) || this.attach(marker._imDs, null);
      const was = set.vis[marker._imI];
      set.vis[marker._imI] = on ? 1 : 0;
      set.shown += (on ? 1 : 0) - was;
      this.changed();
    },
    // A removed view waits here until the next view is built (in the same
    // task, for the page: the next view of the same dataset takes over its
    // layers) or the next turn of the event loop.
    retireLater: function(ctx) {
      (this._imPending = this._imPending || []).push(ctx);
      setTimeout(() => {
        this.retirePending();
      }, 0);
    },
    retirePending: function() {
      const pending = this._imPending || [];
      this._imPending = [];
      pending.forEach((ctx) => {
        this.options.retire(ctx);
      });
    },
    // The retired view of ``ds`` waiting here, if any (taken off the list).
    takePending: function(ds) {
      const pending = this._imPending || [];
      for (let k = pending.length - 1; k >= 0; k--) {
        if (pending[k].ds === ds) {
          return pending.splice(k, 1)[0];
        }
      }
      return null;
    },
    // Which incidents of ``ds`` are drawn: ``next`` (a Uint8Array, 1 each;
    // ``shown`` of them). Their markers (Leaflet layers, for popups, scripts
    // and st_folium) are on the map only while the canvas draws points
    // (putOnMap): a view drawn as cells costs no layer per incident.
    setShown: function(ds, next, shown) {
      const set = this.setOf(ds) || this.attach(ds, null), map = mapOf(this), vis = set.vis;
      if (map && set.onMap) {
        for (let i = 0; i < ds.n; i++) {
          if (next[i] !== vis[i]) {
            if (next[i]) {
              quietAdd(map, ds.marker(i));
            } else {
              this.layerOff(map, ds.marker(i));
            }
          }
        }
      } else if (set.loose) {
        set.loose.forEach((m) => {
          if (!next[m._imI]) {
            if (map) {
              this.layerOff(map, m);
            }
            set.loose.delete(m);
          }
        });
      }
      set.vis = next;
      set.shown = shown;
      this.changed();
    },
    // Take a marker off the map without an event (a marker that listens to
    // 'remove', such as one with an open popup, goes the usual way).
    layerOff: function(map, marker) {
      if (!map.hasLayer(marker)) {
        return;
      }
      if ((hasOwnListeners(marker) || marker._imDs.listeners.remove) && marker.listens("remove")) {
        this._imKeep = true;
        try {
          map.removeLayer(marker);
        } finally {
          this._imKeep = false;
        }
        return;
      }
      quietRemove(map, marker);
    },
    /** Put every shown incident's marker of ``set`` on the map (the canvas draws them as points). */
    putOnMap: function(set) {
      const map = mapOf(this), ds = set.ds, vis = set.vis;
      if (!map || set.onMap) {
        return;
      }
      for (let i = 0; i < ds.n; i++) {
        if (vis[i]) {
          quietAdd(map, ds.marker(i));
        }
      }
      set.onMap = true;
      set.loose = null;
    },
    /** Take ``set``'s markers off the map (all but one with an open popup). */
    takeOffMap: function(set) {
      const map = mapOf(this), ds = set.ds, vis = set.vis;
      if (!map || !set.onMap) {
        return;
      }
      const loose = /* @__PURE__ */ new Set();
      for (let i = 0; i < ds.n; i++) {
        const m = vis[i] && ds.markers[i];
        if (!m) {
          continue;
        }
        if ((hasOwnListeners(m) || ds.listeners.remove) && m.listens("remove")) {
          loose.add(m);
        } else {
          quietRemove(map, m);
        }
      }
      set.onMap = false;
      set.loose = loose;
    },
    /** Put a shown incident's marker on the map now (to open its popup); false when it is not shown. */
    ensureOnMap: function(marker) {
      const map = mapOf(this), set = this.setOf(marker._imDs);
      if (!map || !set || !set.vis[marker._imI]) {
        return false;
      }
      if (!set.onMap) {
        quietAdd(map, marker);
        (set.loose = set.loose || /* @__PURE__ */ new Set()).add(marker);
      }
      return true;
    },
    setFlag: function(name, on) {
      this.flags[name] = on ? (this.flags[name] || 0) + 1 : Math.max((this.flags[name] || 0) - 1, 0);
      this.changed();
    },
    changed: function() {
      this.version += 1;
      if (mapOf(this) && !this._imFrame) {
        this._imFrame = L.Util.requestAnimFrame(this.drawNow, this);
      }
    },
    /** Whether the last draw showed counts per cell (cellsdraw.js). */
    showsCells: function() {
      return !!(this._imCells && this._imCells.length);
    },
    /** Whether markers are drawn as clusters at the map's zoom. */
    clustering: function(zoom) {
      return this.flags.cluster > 0 && zoom < CLUSTER_MAX_ZOOM;
    },
    /** Draw everything now (not at the next frame). */
    drawNow: function() {
      if (this._imFrame) {
        L.Util.cancelAnimFrame(this._imFrame);
      }
      this._imFrame = null;
      if (!mapOf(this)) {
        return;
      }
      this.clearAll();
      this.drawAll();
    },
    clearAll: function() {
      const b = rendererBounds(this), size = b.getSize();
      canvasContext(this).clearRect(b.min.x, b.min.y, size.x, size.y);
    },
    drawAll: function() {
      const map = mapOf(this), b = rendererBounds(this);
      if (!map || !b) {
        return;
      }
      const g = canvasContext(this), zoom = map.getZoom();
      const view = {
        S: 256 * Math.pow(2, zoom),
        o: map.getPixelOrigin(),
        zoom,
        clusterOn: this.clustering(zoom),
        box: { x0: b.min.x, y0: b.min.y, x1: b.max.x, y1: b.max.y },
        bounds: map.getPixelBounds()
      };
      this._imHits = [];
      this._imCells = [];
      this._imBubbles = [];
      this._imSelected = null;
      this._imCirclesHidden = 0;
      g.save();
      for (let k = 0; k < this._imSets.length; k++) {
        this.drawSet(this._imSets[k], g, view);
      }
      g.restore();
      this.drawnVersion = this.version;
      map.fire("incidents:drawn");
    },
    // Which shown incidents of a set are in view (with a margin: a circle, a
    // marker or a cluster cell may reach in), at their pixel positions.
    visible: function(set, view, minKm, circles) {
      const ds = set.ds, n = ds.n, vis = set.vis, box = view.box, z2 = Math.pow(2, view.zoom);
      const margin = view.clusterOn ? CLUSTER_CELL : RADIUS + 2;
      const list = set.list || (set.list = new Int32Array(n));
      const px = set.px || (set.px = new Float32Array(n)), py = set.py || (set.py = new Float32Array(n));
      let m = 0;
      for (let i = 0; i < n; i++) {
        if (!vis[i]) {
          continue;
        }
        const x = ds.wx[i] * view.S - view.o.x, y = ds.wy[i] * view.S - view.o.y;
        let reach = margin;
        if (circles && ds.km[i] >= minKm) {
          reach = Math.max(margin, ds.km[i] * 1e3 * z2 / metresPerPixel0(ds.xy[2 * i + 1]));
        }
        if (x < box.x0 - reach || x > box.x1 + reach || y < box.y0 - reach || y > box.y1 + reach) {
          continue;
        }
        list[m++] = i;
        px[i] = x;
        py[i] = y;
      }
      return m;
    },
    drawSet: function(set, g, view) {
      if (!set.shown) {
        return;
      }
      const ds = set.ds, n = ds.n, ctx = set.ctx, opts = ctx && ctx.options || {};
      const cellGrid = ctx && !ctx.highlight ? cellsFor(set, view) : null;
      if (cellGrid) {
        this._imCells.push(drawCells(g, set, cellGrid, view, mapOf(this)));
        return;
      }
      this.putOnMap(set);
      const minKm = opts.uncertainty_min_km || 2, circles = this.flags.uncertainty > 0;
      let m = this.visible(set, view, minKm, circles);
      const highlight = ctx && ctx.highlight && ctx.highlight.length === n ? ctx.highlight : null;
      const his = highlight ? set.his || (set.his = new Int32Array(n)) : null;
      let nh = 0;
      if (highlight) {
        const parts = splitStep(set.list, m, highlight, his);
        m = parts.others;
        nh = parts.step;
      }
      let single2 = set.list, ns = m;
      if (view.clusterOn && m) {
        single2 = set.single || (set.single = new Int32Array(n));
        const grid = clusterGrid(set.list, m, ds.wx, ds.wy, ds.xy, set.px, set.py, view.S, single2);
        ns = grid.ns;
        grid.clusters.forEach((c) => {
          c.set = set;
          this._imBubbles.push(c);
        });
      }
      const drawn2 = set.drawn || (set.drawn = new Uint8Array(n));
      drawn2.fill(0);
      for (let q = 0; q < ns; q++) {
        drawn2[single2[q]] = 1;
      }
      for (let q = 0; q < nh; q++) {
        drawn2[his[q]] = 1;
      }
      const box = view.box, stamps = new Stamps(this, box.x0, box.y0, box.x1, box.y1);
      const fade = highlight ? 0.3 : 1, shapeOf = ctx && ctx.shapeOf || [];
      if (circles) {
        this._imCirclesHidden += drawUncertainty(g, ds, single2, ns, set.px, set.py, box, Math.pow(2, view.zoom), minKm, stamps, fade);
        stamps.reset();
        if (nh) {
          this._imCirclesHidden += drawUncertainty(g, ds, his, nh, set.px, set.py, box, Math.pow(2, view.zoom), minKm, stamps, 1);
          stamps.reset();
        }
      }
      if (this.flags.chain > 0 && ds.chain.length) {
        drawChain(g, ds, drawn2, set.px, set.py, highlight);
      }
      const hits = drawMarkers(g, set, single2, ns, box, shapeOf, stamps, 0.9 * fade, "order");
      this._imHits.push({ set, order: hits.order, n: hits.n, dimmed: !!highlight });
      if (nh) {
        drawStepRings(g, set, his, nh, box);
        stamps.reset();
        const step = drawMarkers(g, set, his, nh, box, shapeOf, stamps, 1, "stepOrder");
        this._imHits.push({ set, order: step.order, n: step.n, highlighted: true });
      }
      const sel = ctx ? ctx.selected : void 0;
      if (sel !== void 0 && sel !== null && drawn2[sel] && set.style[sel] >= 0) {
        drawSelected(g, set, sel, ctx.shapeOf || []);
        this._imSelected = { id: ds.ids[sel], x: set.px[sel], y: set.py[sel] };
      }
      drawBubbles(g, this._imBubbles.filter((bu) => bu.set === set));
    },
    // What is under a point (layer coordinates): a cluster or an incident.
    hitTest: function(p) {
      const cell = cellHit(this._imCells || [], p);
      if (cell) {
        return { cell };
      }
      const bubbles = this._imBubbles || [];
      for (let k = bubbles.length - 1; k >= 0; k--) {
        const dx = bubbles[k].x - p.x, dy = bubbles[k].y - p.y;
        if (dx * dx + dy * dy <= bubbles[k].r * bubbles[k].r) {
          return { cluster: bubbles[k] };
        }
      }
      let best = null, bestD = Infinity;
      const lim = (RADIUS + this.options.tolerance) * (RADIUS + this.options.tolerance);
      const hits = this._imHits || [];
      for (let k = hits.length - 1; k >= 0; k--) {
        const h = hits[k], px = h.set.px, py = h.set.py, order = h.order;
        for (let j = h.n - 1; j >= 0; j--) {
          const i = order[j], dx = px[i] - p.x, dy = py[i] - p.y, d = dx * dx + dy * dy;
          if (d <= lim && d < bestD) {
            bestD = d;
            best = { set: h.set, i };
          }
        }
      }
      return best;
    },
    clicked: function(e) {
      const map = mapOf(this);
      const hit = this.hitTest(map.mouseEventToLayerPoint(e));
      if (hit && hit.cell) {
        if (e.type === "click" && !draggedSince(map, map)) {
          L.DomEvent.stop(e);
          openCellPopup(map, hit.cell.drawn, hit.cell.k);
          return;
        }
        fireRendererEvent(this, false, e);
        return;
      }
      if (hit && hit.cluster) {
        if (e.type === "click" && !draggedSince(map, map)) {
          L.DomEvent.stop(e);
          const bb = L.latLngBounds(hit.cluster.bounds);
          if (bb.getNorthEast().equals(bb.getSouthWest())) {
            map.setView(bb.getCenter(), map.getZoom() + 2);
          } else {
            map.fitBounds(bb, { padding: [40, 40] });
          }
          return;
        }
        fireRendererEvent(this, false, e);
        return;
      }
      let marker = hit ? hit.set.ds.marker(hit.i) : null;
      if (marker && e.type === "click" && hit.set.ctx) {
        if (draggedSince(map, marker)) {
          marker = null;
        } else {
          prepareClick(hit.set.ctx, marker);
        }
      }
      fireRendererEvent(this, marker ? [marker] : false, e);
    },
    moved: function(e) {
      const map = mapOf(this);
      if (!map || map.dragging.moving() || zoomAnimating(map)) {
        return;
      }
      const hit = this.hitTest(map.mouseEventToLayerPoint(e));
      const marker = hit && hit.set ? hit.set.ds.marker(hit.i) : null;
      rendererContainer(this).classList.toggle("leaflet-interactive", !!hit);
      if (marker !== this._imHovered) {
        if (this._imHovered) {
          fireRendererEvent(this, [this._imHovered], e, "mouseout");
        }
        this._imHovered = marker;
        if (marker) {
          this.showTip(marker);
          fireRendererEvent(this, [marker], e, "mouseover");
        } else {
          this.hideTip();
        }
      }
      fireRendererEvent(this, marker ? [marker] : false, e);
    },
    showTip: function(marker) {
      const map = mapOf(this);
      const tip = this._imTip || (this._imTip = L.tooltip({ direction: "top", offset: [0, -8] }));
      tip.setLatLng(marker.getLatLng()).setContent(tooltipContent(marker.feature));
      map.openTooltip(tip);
      if (!marker._imDs.props) {
        marker._imDs.loadProps().then(() => {
          const now = mapOf(this);
          if (this._imHovered === marker && now && now.hasLayer(tip)) {
            tip.setContent(tooltipContent(marker.feature));
          }
        });
      }
    },
    hideTip: function() {
      const map = mapOf(this);
      if (this._imTip && map) {
        map.closeTooltip(this._imTip);
      }
    },
    left: function(e) {
      this.hideTip();
      this._imHovered = null;
      rendererContainer(this).classList.remove("leaflet-interactive");
      fireRendererEvent(this, false, e);
    }
  }, hooks({
    // (L.Canvas calls these on every move and zoom, and for DOM events)
    updatePaths: function() {
      if (!updatesPostponed(this)) {
        this.drawNow();
      }
    },
    redraw: function() {
      this.drawNow();
    },
    clear: function() {
      this.clearAll();
    },
    draw: function() {
      this.drawAll();
    },
    onClick: function(e) {
      this.clicked(e);
    },
    onMouseMove: function(e) {
      this.moved(e);
    },
    onMouseOut: function(e) {
      this.left(e);
    }
  })));
  function canvasOf(map, retire) {
    if (!map._imCanvas) {
      if (!map.getPane("im-incidents")) {
        const pane = map.createPane("im-incidents");
        pane.style.zIndex = 420;
      }
      map._imCanvas = new IncidentCanvas({ pane: "im-incidents", retire });
      map.addLayer(map._imCanvas);
    }
    return map._imCanvas;
  }

  // src/markers.js
  var Feature = class {
    constructor(ds, i) {
      this._imDs = ds;
      this._imI = i;
    }
    get properties() {
      return this._imDs.properties(this._imI);
    }
    get geometry() {
      return { type: "Point", coordinates: [this._imDs.lng(this._imI), this._imDs.lat(this._imI)] };
    }
  };
  Feature.prototype.type = "Feature";
  function addListener(type, fn, context, once) {
    if (once || typeof fn !== "function") {
      return eventedAdd(this, type, fn, context, once);
    }
    if (context === this) {
      context = void 0;
    }
    const reg = this._imDs.listeners[type] || (this._imDs.listeners[type] = []);
    let h = null;
    for (let k = 0; k < reg.length; k++) {
      if (reg[k].fn === fn && reg[k].ctx === context) {
        h = reg[k];
        break;
      }
    }
    if (!h) {
      h = { fn, ctx: context, on: new Uint8Array(this._imDs.n) };
      reg.push(h);
    }
    h.on[this._imI] = 1;
  }
  function removeListener(type, fn, context) {
    eventedRemove(this, ...arguments);
    const reg = this._imDs.listeners[type];
    if (!reg) {
      return;
    }
    const all = arguments.length === 1;
    if (context === this) {
      context = void 0;
    }
    for (let k = 0; k < reg.length; k++) {
      if (all || reg[k].fn === fn && reg[k].ctx === context) {
        reg[k].on[this._imI] = 0;
      }
    }
  }
  function single(types) {
    return typeof types === "string" && types.indexOf(" ") < 0 && types;
  }
  var IncidentMarker = L.CircleMarker.extend(Object.assign({
    getLatLng: function() {
      return L.latLng(this._imDs.lat(this._imI), this._imDs.lng(this._imI));
    },
    setLatLng: function() {
      return this;
    },
    getRadius: function() {
      return RADIUS;
    },
    setRadius: function() {
      return this;
    },
    setStyle: function() {
      return this;
    },
    bringToFront: function() {
      return this;
    },
    bringToBack: function() {
      return this;
    },
    redraw: function() {
      const map = mapOf(this);
      if (map && map._imCanvas) {
        map._imCanvas.changed();
      }
      return this;
    },
    beforeAdd: function() {
    },
    onAdd: function(map) {
      map._imCanvas.show(this, true);
    },
    onRemove: function(map) {
      if (map._imCanvas) {
        map._imCanvas.show(this, false);
      }
    },
    getBounds: function() {
      const ll = this.getLatLng();
      return L.latLngBounds(ll, ll);
    },
    /** The incident as a small GeoJSON Feature: its id and point (not its properties). */
    toGeoJSON: function() {
      const id = this._imDs.ids[this._imI];
      return {
        type: "Feature",
        id,
        properties: { id },
        geometry: { type: "Point", coordinates: [this._imDs.lng(this._imI), this._imDs.lat(this._imI)] }
      };
    },
    // A click (from the map or from a script) opens the popup; hovering shows the tooltip.
    fire: function(type, data, propagate2) {
      const map = mapOf(this);
      const canvas = map && map._imCanvas, set = canvas && canvas.setOf(this._imDs);
      if (set && set.ctx) {
        if (type === "click" && (!hasPopup(this) || this._imParent !== set.ctx.group)) {
          prepareClick(set.ctx, this);
        }
        if (type === "mouseover") {
          canvas.showTip(this);
        }
        if (type === "mouseout") {
          canvas.hideTip();
        }
      }
      if (!this.listens(type, propagate2)) {
        return this;
      }
      const event = L.Util.extend(
        type === "click" ? { layer: this } : {},
        data,
        { type, target: this, sourceTarget: data && data.sourceTarget || this }
      );
      fireOwn(this, type, event);
      const shared2 = this._imDs.listeners[type];
      if (shared2) {
        const copy = shared2.slice();
        for (let k = 0; k < copy.length; k++) {
          if (copy[k].on[this._imI]) {
            copy[k].fn.call(copy[k].ctx || this, event);
          }
        }
      }
      if (propagate2) {
        propagate(this, event);
      }
      return this;
    },
    // (one event type, the common case, without splitting it into words)
    on: function(types, fn, context) {
      if (single(types)) {
        addListener.call(this, types, fn, context);
        return this;
      }
      return L.Evented.prototype.on.apply(this, arguments);
    },
    off: function(types, fn, context) {
      if (!arguments.length) {
        const reg = this._imDs.listeners, i = this._imI;
        Object.keys(reg).forEach((t) => {
          reg[t].forEach((h) => {
            h.on[i] = 0;
          });
        });
      } else if (single(types)) {
        if (arguments.length === 1) {
          removeListener.call(this, types);
        } else {
          removeListener.call(this, types, fn, context);
        }
        return this;
      }
      return L.Evented.prototype.off.apply(this, arguments);
    },
    listens: function(type, fn, context, propagate2) {
      const reg = this._imDs.listeners[type];
      if (reg) {
        const any = typeof fn !== "function", ctx = context === this ? void 0 : context;
        for (let k = 0; k < reg.length; k++) {
          if (reg[k].on[this._imI] && (any || reg[k].fn === fn && reg[k].ctx === ctx)) {
            return true;
          }
        }
      }
      return L.Evented.prototype.listens.call(this, type, fn, context, propagate2);
    }
  }, hooks({
    // Map.addLayer without the per-layer 'add'/'layeradd' events (100,000
    // of them cost more than drawing): the canvas tells 'incidents:ready'.
    layerAdd: function(e) {
      layerAddQuietly(this, e);
    },
    addListener,
    removeListener
  })));
  markerFields(IncidentMarker.prototype, RADIUS);
  Object.defineProperty(IncidentMarker.prototype, "feature", {
    get: function() {
      return this._imFeature || (this._imFeature = new Feature(this._imDs, this._imI));
    }
  });
  function newMarker(ds, i) {
    const m = Object.create(IncidentMarker.prototype);
    m._imDs = ds;
    m._imI = i;
    return m;
  }

  // src/controls.js
  function makeControl(position, build2) {
    const C = L.Control.extend({
      options: { position },
      onAdd: function() {
        const div = L.DomUtil.create("div", "im-control leaflet-bar");
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        build2(div);
        return div;
      }
    });
    return new C();
  }
  function errorControl(message) {
    return makeControl("topleft", (div) => {
      div.classList.add("im-summary");
      div.appendChild(el("div", "im-error", message));
    });
  }
  function loadingControl(title) {
    return makeControl("topleft", (div) => {
      div.classList.add("im-summary");
      if (title) {
        div.appendChild(el("div", "im-summary-title", title));
      }
      const line = el("div", "im-summary-count", "Loading the incidents\u2026");
      line.setAttribute("data-state", "loading");
      div.appendChild(line);
    });
  }
  function summaryControl(ctx) {
    return makeControl("topleft", (div) => {
      div.classList.add("im-summary");
      const opts = ctx.options, n = ctx.count;
      if (opts.title) {
        div.appendChild(el("div", "im-summary-title", opts.title));
      }
      const line = el("div", "im-summary-count");
      line.setAttribute("data-count", String(n));
      line.setAttribute("data-state", "loading");
      const txt = countLine(n, opts.total, opts.start, opts.end);
      line.textContent = txt;
      div.appendChild(line);
      ctx.summaryLine = line;
      ctx.summaryText = txt;
      (opts.filters || []).forEach((f) => {
        div.appendChild(el("div", "im-summary-filter", f));
      });
    });
  }
  function legendRow(swatch, text) {
    const row = el("div", "im-legend-row");
    row.appendChild(swatch);
    row.appendChild(document.createTextNode(text));
    return row;
  }
  function colorSwatch(color) {
    const sw = el("span", "im-swatch");
    sw.style.background = color;
    return sw;
  }
  function svgNode(name, attrs) {
    const node = document.createElementNS("http://www.w3.org/2000/svg", name);
    Object.keys(attrs).forEach((k) => {
      node.setAttribute(k, attrs[k]);
    });
    return node;
  }
  function chainSwatch() {
    const svg = svgNode("svg", { width: "28", height: "16", viewBox: "0 0 28 16", class: "im-chain-swatch" });
    svg.appendChild(svgNode("path", { d: "M2 8H26", stroke: "#b2182b", "stroke-width": "2", "stroke-dasharray": "6,4", fill: "none" }));
    svg.appendChild(svgNode("path", { d: "M12 3L18 8L12 13", stroke: "#b2182b", "stroke-width": "2", fill: "none" }));
    return svg;
  }
  function ringSwatch() {
    const svg = svgNode("svg", { width: "28", height: "16", viewBox: "0 0 28 16" });
    svg.appendChild(svgNode("circle", { cx: "14", cy: "8", r: "6", stroke: "#222", "stroke-width": "4", fill: "none" }));
    svg.appendChild(svgNode("circle", { cx: "14", cy: "8", r: "6", stroke: SELECTED_RING, "stroke-width": "2.5", fill: "none" }));
    svg.appendChild(svgNode("circle", { cx: "14", cy: "8", r: "3.5", stroke: "#222", "stroke-width": "1", fill: "#bbb" }));
    return svg;
  }
  var CIRCLES_NOTE = "Faint circle: the point may be off by this radius.";
  function circlesNote(ctx, hidden) {
    const note = ctx.circlesNote;
    if (!note) {
      return;
    }
    note.setAttribute("data-circles-hidden", String(hidden || 0));
    note.textContent = hidden ? CIRCLES_NOTE + " Not drawn now: " + fmtInt(hidden) + " in view are too many to tell apart; zoom in." : CIRCLES_NOTE;
  }
  function legendControl(ctx) {
    return makeControl("bottomright", (div) => {
      div.classList.add("im-legend");
      const opts = ctx.options;
      const details = el("details");
      details.open = opts.legend_open !== false;
      details.appendChild(el("summary", "im-legend-head", "Legend"));
      const actors = opts.legend_actors || [];
      if (actors.length) {
        details.appendChild(el("div", "im-subhead", "Colour: actor"));
        actors.forEach((a) => {
          details.appendChild(legendRow(colorSwatch(a.color), a.name + " (" + a.count + ")"));
        });
        if (opts.other_actors) {
          details.appendChild(legendRow(colorSwatch(opts.other_color || "#8c8c8c"), opts.other_actors + " other actors"));
        }
      }
      const types = Object.keys(ctx.typeGroups).sort();
      if (types.length) {
        details.appendChild(el("div", "im-subhead", "Shape: event type"));
        types.forEach((t) => {
          details.appendChild(legendRow(shapeSvg((opts.shapes || {})[t] || "circle", "#bbb", false), " " + t));
        });
      }
      details.appendChild(el("div", "im-subhead", "Outline: attribution"));
      details.appendChild(legendRow(shapeSvg("circle", "#fff", false), " solid: confirmed"));
      details.appendChild(legendRow(shapeSvg("circle", "#fff", true), " dashed: claimed, alleged, disputed or unknown"));
      details.appendChild(el("div", "im-subhead", "Lines and rings"));
      details.appendChild(legendRow(chainSwatch(), " escalation chain: to the incident that answers (earlier to later)"));
      details.appendChild(legendRow(ringSwatch(), " the selected incident"));
      details.appendChild(ctx.circlesNote = el("div", "im-legend-note", CIRCLES_NOTE));
      div.appendChild(details);
    });
  }
  function timeSteps(ds, indices, count) {
    const seen = new Uint8Array(ds.dates.length), steps = [];
    for (let k = 0; k < count; k++) {
      const d = ds.date[indices ? indices[k] : k];
      if (d !== NONE32) {
        seen[d] = 1;
      }
    }
    for (let j = 0; j < seen.length; j++) {
      if (seen[j]) {
        steps.push(ds.dates[j]);
      }
    }
    return steps;
  }
  function timeControl(ctx, onChange) {
    const steps = timeSteps(ctx.ds, ctx.indices, ctx.count);
    return makeControl("bottomleft", (div) => {
      div.classList.add("im-time");
      const play = el("button", "im-play", "\u25B6");
      play.type = "button";
      play.title = "Play the incidents through time";
      const slider = el("input", "im-slider");
      slider.type = "range";
      slider.min = "0";
      slider.max = String(Math.max(steps.length - 1, 0));
      slider.value = slider.max;
      slider.step = "1";
      slider.setAttribute("aria-label", "Show incidents up to this date");
      const label = el("span", "im-time-label", steps.length ? "all to " + steps[steps.length - 1] : "");
      const track = el("span", "im-time-track"), mark = el("span", "im-time-mark");
      track.appendChild(slider);
      track.appendChild(mark);
      div.appendChild(play);
      div.appendChild(track);
      div.appendChild(label);
      function show(i) {
        ctx.timeUpTo = i >= steps.length - 1 ? null : steps[i];
        label.textContent = timeLabel(steps, i);
        onChange();
      }
      function stop() {
        clearInterval(ctx.timer);
        ctx.timer = null;
        play.textContent = "\u25B6";
      }
      ctx.timeDays = steps;
      ctx.showAllTimes = () => {
        if (ctx.timer) {
          stop();
        }
        slider.value = slider.max;
        show(steps.length - 1);
      };
      ctx.markTime = (span, days) => {
        mark.style.display = span ? "block" : "none";
        if (!span) {
          div.removeAttribute("data-story-start");
          div.removeAttribute("data-story-end");
          return;
        }
        mark.style.left = "calc(7px + (100% - 14px) * " + span[0] + " - 3px)";
        mark.style.width = "calc((100% - 14px) * " + (span[1] - span[0]) + " + 6px)";
        div.setAttribute("data-story-start", days[0]);
        div.setAttribute("data-story-end", days[1]);
        mark.title = days[0] === days[1] ? "This step: " + days[0] : "This step: " + days[0] + " to " + days[1];
      };
      slider.addEventListener("input", () => {
        show(parseInt(slider.value, 10));
      });
      play.addEventListener("click", () => {
        if (ctx.timer) {
          stop();
          return;
        }
        let i = parseInt(slider.value, 10);
        if (i >= steps.length - 1) {
          i = -1;
        }
        play.textContent = "\u275A\u275A";
        const delay = Math.max(60, Math.min(700, 12e3 / Math.max(steps.length, 1)));
        ctx.timer = setInterval(() => {
          i += 1;
          slider.value = String(i);
          show(i);
          if (i >= steps.length - 1) {
            stop();
          }
        }, delay);
      });
    });
  }
  function addOverlays2(ctx, control, switches) {
    const opts = ctx.options, types = Object.keys(ctx.typeGroups).sort();
    const items = types.map((t) => [ctx.typeGroups[t], shapeGlyph((opts.shapes || {})[t]) + " " + escapeHtml(t) + " (" + ctx.typeCounts[t] + ")"]);
    items.push([switches.chain, "Escalation chain (" + ctx.chainLinks + " links)"]);
    items.push([switches.uncertainty, "Location uncertainty"]);
    items.push([switches.clusters, "Cluster markers"]);
    items.push([switches.heat, "Density (heat map)"]);
    items.forEach((item) => ctx.overlays.push(item[0]));
    addOverlays(control, items);
  }
  function removeOverlays2(ctx, control) {
    if (control && ctx.overlays.length) {
      removeOverlays(control, ctx.overlays);
    }
  }

  // src/story.js
  var STEP_MAX_ZOOM = 9;
  var NARROW = 700;
  var NARROW_PANEL_SHARE = 0.45;
  var FLIGHT = 0.8;
  function clampStep(n, count) {
    if (!(count > 0)) {
      return null;
    }
    const k = Math.round(Number(n));
    if (!Number.isFinite(k)) {
      return 1;
    }
    return Math.min(Math.max(k, 1), count);
  }
  function parseHash(hash, count) {
    const parts = String(hash || "").replace(/^#/, "").split("&");
    for (let k = 0; k < parts.length; k++) {
      const eq = parts[k].indexOf("=");
      if (eq < 0 || parts[k].slice(0, eq).trim() !== "step") {
        continue;
      }
      const value = parts[k].slice(eq + 1).trim();
      if (!/^[+-]?\d{1,9}$/.test(value)) {
        return null;
      }
      return clampStep(parseInt(value, 10), count);
    }
    return null;
  }
  function stepHash(n) {
    return "#step=" + n;
  }
  function keyStep(key, current, count) {
    const next = key === "ArrowLeft" ? current - 1 : key === "ArrowRight" ? current + 1 : null;
    return next === null || next < 1 || next > count ? null : next;
  }
  function highlightOf(stepIds, n, indexOf, inView) {
    const mask = new Uint8Array(n), indices = [], ids = [];
    (stepIds || []).forEach((id) => {
      const i = indexOf(String(id));
      if (i < 0 || mask[i] || inView && !inView[i]) {
        return;
      }
      mask[i] = 1;
      indices.push(i);
      ids.push(String(id));
    });
    return { mask, indices, ids };
  }
  function stepDates(step, indices, dayOf) {
    if (step.dates && step.dates.length === 2) {
      return [step.dates[0], step.dates[1]];
    }
    let lo = null, hi = null;
    indices.forEach((i) => {
      const d = dayOf(i);
      if (d === null || d === void 0) {
        return;
      }
      if (lo === null || d < lo) {
        lo = d;
      }
      if (hi === null || d > hi) {
        hi = d;
      }
    });
    return lo === null ? null : [lo, hi];
  }
  function markSpan(days, lo, hi) {
    let first = -1, last = -1;
    for (let j = 0; j < days.length; j++) {
      if (days[j] >= lo && days[j] <= hi) {
        if (first < 0) {
          first = j;
        }
        last = j;
      }
    }
    if (first < 0) {
      return null;
    }
    const span = Math.max(days.length - 1, 1);
    return days.length === 1 ? [0, 1] : [first / span, last / span];
  }
  function stepLabel(n, count) {
    return n + " / " + count;
  }
  function stepTarget(map, bounds, view) {
    const room = fitPadding(map, bounds, STEP_MAX_ZOOM);
    const tl = room.paddingTopLeft, br = room.paddingBottomRight, size = map.getSize();
    const shift = L.point((tl.x - br.x) / 2, (tl.y - br.y) / 2);
    const centred = (ll, zoom) => map.unproject(map.project(ll, zoom).subtract(shift), zoom);
    const fits = (center, zoom) => {
      const c = map.project(center, zoom), half = size.divideBy(2);
      return [bounds.getSouthWest(), bounds.getNorthEast()].every((ll) => {
        const p = map.project(ll, zoom).subtract(c).add(half);
        return p.x >= tl.x && p.y >= tl.y && p.x <= size.x - br.x && p.y <= size.y - br.y;
      });
    };
    if (view) {
      const center = centred(L.latLng(view[0], view[1]), view[2]);
      if (fits(center, view[2])) {
        return { center, zoom: view[2] };
      }
    }
    const fitted = Math.max(Math.min(map.getBoundsZoom(bounds, false, tl.add(br)), STEP_MAX_ZOOM), map.getMinZoom());
    return { center: centred(bounds.getCenter(), fitted), zoom: fitted };
  }
  function reducedMotion() {
    return !!(window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches);
  }
  function moveTo(map, target, animate, done) {
    map.stop();
    const here = map.latLngToContainerPoint(target.center), mid = map.getSize().divideBy(2);
    if (map.getZoom() === target.zoom && here.distanceTo(mid) < 1) {
      done();
      return;
    }
    map.once("moveend", done);
    if (animate && !reducedMotion()) {
      map.flyTo(target.center, target.zoom, { duration: FLIGHT });
    } else {
      map.setView(target.center, target.zoom, { animate: false });
    }
  }
  function button(cls, text, title, onClick) {
    const b = el("button", cls, text);
    b.type = "button";
    b.title = title;
    b.addEventListener("click", onClick);
    return b;
  }
  function panelControl(player) {
    return makeControl("topright", (div) => {
      div.classList.add("im-story");
      div.setAttribute("data-step-count", String(player.count));
      const head = el("div", "im-story-head");
      if (player.story.title) {
        head.appendChild(el("div", "im-story-title", player.story.title));
      }
      player.counter = el("div", "im-story-count");
      head.appendChild(player.counter);
      div.appendChild(head);
      player.intro = el("div", "im-story-intro");
      (player.story.intro || []).forEach((p) => {
        player.intro.appendChild(el("p", null, p));
      });
      div.appendChild(player.intro);
      player.heading = el("h2", "im-story-heading");
      player.heading.setAttribute("aria-live", "polite");
      div.appendChild(player.heading);
      player.text = el("div", "im-story-text");
      div.appendChild(player.text);
      const nav = el("div", "im-story-nav");
      player.prev = button("im-story-prev", "\u2190 Previous", "The step before (Left arrow key)", () => go(player, player.step - 1, true));
      player.next = button("im-story-next", "Next \u2192", "The step after (Right arrow key)", () => go(player, player.step + 1, true));
      nav.appendChild(player.prev);
      nav.appendChild(player.next);
      div.appendChild(nav);
      player.panel = div;
    });
  }
  function narrowPanel(mapWidth, mapHeight, summaryBottom) {
    if (!(mapWidth < NARROW)) {
      return null;
    }
    return {
      top: Math.ceil(summaryBottom) + 10,
      width: Math.max(mapWidth - 20, 100),
      maxHeight: Math.max(Math.round(mapHeight * NARROW_PANEL_SHARE), 120)
    };
  }
  function placePanel(player) {
    const div = player.panel, map = player.map;
    if (!div) {
      return;
    }
    const size = map.getSize(), container = map.getContainer();
    const summary = container.querySelector(".im-summary");
    const box = container.getBoundingClientRect();
    const bottom = summary && summary.offsetParent ? summary.getBoundingClientRect().bottom - box.top : 0;
    const place = narrowPanel(size.x, size.y, bottom);
    div.classList.toggle("im-story-narrow", !!place);
    div.style.marginTop = "";
    div.style.width = "";
    div.style.maxHeight = "";
    if (!place) {
      return;
    }
    const natural = div.getBoundingClientRect().top - box.top;
    div.style.marginTop = Math.max(place.top - natural + 10, 10) + "px";
    div.style.width = place.width + "px";
    div.style.maxHeight = place.maxHeight + "px";
  }
  function fillPanel(player, step) {
    if (!player.panel) {
      return;
    }
    const n = player.step;
    player.panel.setAttribute("data-step", String(n));
    player.counter.textContent = stepLabel(n, player.count);
    player.intro.hidden = n !== 1 || !(player.story.intro || []).length;
    player.intro.scrollTop = 0;
    player.heading.textContent = step.heading || "";
    player.text.textContent = "";
    (step.paragraphs || []).forEach((p) => {
      player.text.appendChild(el("p", null, p));
    });
    player.text.scrollTop = 0;
    player.prev.disabled = n <= 1;
    player.next.disabled = n >= player.count;
    placePanel(player);
  }
  function setState(player, state) {
    player.state = state;
    if (player.panel) {
      player.panel.setAttribute("data-state", state);
    }
  }
  function go(player, n, animate) {
    const ctx = player.ctx, map = player.map, ds = ctx.ds;
    n = clampStep(n, player.count);
    if (n === null || ctx.removed) {
      return;
    }
    player.step = n;
    const step = player.story.steps[n - 1] || {};
    const hi = highlightOf(step.ids, ds.n, (id) => ds.indexOf(id), ctx.inView);
    ctx.highlight = hi.mask;
    player.ids = hi.ids;
    if (ctx.timeUpTo && ctx.showAllTimes) {
      ctx.showAllTimes();
    }
    if (ctx.unhide) {
      hi.indices.forEach((i) => ctx.unhide(i));
    }
    player.dates = stepDates(step, hi.indices, (i) => ds.date[i] < ds.dates.length ? ds.dates[ds.date[i]] : null);
    if (ctx.markTime) {
      ctx.markTime(player.dates ? markSpan(ctx.timeDays || [], player.dates[0], player.dates[1]) : null, player.dates);
    }
    fillPanel(player, step);
    if (player.story.hash) {
      writeHash(n);
    }
    ctx.canvas.changed();
    setState(player, "moving");
    const key = (player.story.title || "") + "\0" + n;
    const arrived = () => {
      if (player.step !== n || ctx.removed) {
        return;
      }
      ctx.canvas.drawNow();
      setState(player, "shown");
      map.fire("story:step", { step: n });
    };
    if (!hi.indices.length || map._imStoryKey === key) {
      arrived();
      return;
    }
    map._imStoryKey = key;
    const bounds = L.latLngBounds(hi.indices.map((i) => [ds.lat(i), ds.lng(i)]));
    moveTo(map, stepTarget(map, bounds, step.view), animate, arrived);
  }
  function writeHash(n) {
    if (window.location.hash === stepHash(n)) {
      return;
    }
    try {
      window.history.replaceState(null, "", stepHash(n));
    } catch (e) {
      window.location.hash = stepHash(n);
    }
  }
  function inField(target) {
    const tag = target && target.tagName ? target.tagName.toLowerCase() : "";
    return tag === "input" || tag === "textarea" || tag === "select" || !!(target && target.isContentEditable);
  }
  function listen(player) {
    const story = player.story, stops = [];
    if (player.panel) {
      const onResize = () => placePanel(player);
      player.map.on("resize", onResize);
      stops.push(() => player.map.off("resize", onResize));
    }
    if (story.keys) {
      const onKey = (e) => {
        if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || e.shiftKey || inField(e.target)) {
          return;
        }
        if (e.key !== "ArrowLeft" && e.key !== "ArrowRight") {
          return;
        }
        const next = keyStep(e.key, player.step, player.count);
        e.preventDefault();
        e.stopPropagation();
        if (next !== null) {
          go(player, next, true);
        }
      };
      document.addEventListener("keydown", onKey, true);
      stops.push(() => document.removeEventListener("keydown", onKey, true));
    }
    if (story.hash) {
      const onHash = () => {
        const n = parseHash(window.location.hash, player.count);
        if (n !== null && n !== player.step) {
          go(player, n, true);
        }
      };
      window.addEventListener("hashchange", onHash);
      stops.push(() => window.removeEventListener("hashchange", onHash));
    }
    return () => stops.forEach((stop) => stop());
  }
  function playStory(ctx, map, story) {
    const count = (story.steps || []).length;
    if (!count) {
      return null;
    }
    const player = ctx.story = { ctx, map, story, count, step: 0, ids: [], dates: null };
    if (story.panel) {
      ctx.controls.push(panelControl(player).addTo(map));
    }
    ctx.stopStory = listen(player);
    const fromHash = story.hash ? parseHash(window.location.hash, count) : null;
    go(player, fromHash !== null ? fromHash : story.step, false);
    return player;
  }
  function storyState(map) {
    let out = null;
    map.eachLayer((l) => {
      const p = l._imContext && !l._imContext.removed ? l._imContext.story : null;
      if (p) {
        out = { step: p.step, count: p.count, highlighted: p.ids.slice(), dates: p.dates, state: p.state };
      }
    });
    return out;
  }
  function showStep(map, n) {
    let done = false;
    map.eachLayer((l) => {
      const p = l._imContext && !l._imContext.removed ? l._imContext.story : null;
      if (p && !done) {
        go(p, n, true);
        done = true;
      }
    });
    return done;
  }

  // src/ids.js
  var SCANS = 16;
  var IdLookup = class {
    /** ``ids``: the incidents' ids (strings), in index order. */
    constructor(ids) {
      this.ids = ids;
      this.map = null;
      this.lookups = 0;
    }
    /**
     * The index of ``id`` (compared as a string), or -1; of two equal ids,
     * the later one.
     */
    indexOf(id) {
      const key = String(id);
      this.lookups += 1;
      if (!this.map && this.lookups <= SCANS) {
        return this.ids.lastIndexOf(key);
      }
      if (!this.map) {
        this.map = /* @__PURE__ */ new Map();
        for (let k = 0; k < this.ids.length; k++) {
          this.map.set(this.ids[k], k);
        }
      }
      const i = this.map.get(key);
      return i === void 0 ? -1 : i;
    }
  };

  // src/retry.js
  var RETRY_WAITS = [
    250,
    500,
    1e3,
    1e3,
    2e3,
    2e3,
    3e3,
    3e3,
    4e3,
    4e3,
    5e3,
    5e3,
    5e3,
    5e3,
    5e3,
    5e3
  ];
  var DRAW_WAITS = Array(400).fill(150);
  var HttpError = class extends Error {
    constructor(status) {
      super("HTTP " + status);
      this.status = status;
    }
  };
  function retryMissing(once, waits = RETRY_WAITS, sleep = defaultSleep) {
    let k = 0;
    const attempt = () => once().catch((err) => {
      if (!(err && err.status === 404) || k >= waits.length) {
        throw err;
      }
      return sleep(waits[k++]).then(attempt);
    });
    return attempt();
  }
  function defaultSleep(ms) {
    return new Promise((ok) => {
      setTimeout(ok, ms);
    });
  }
  function missingMessage(err, first, last) {
    const which = "incidents " + (first + 1).toLocaleString("en") + "\u2013" + (last + 1).toLocaleString("en");
    if (err && err.status === 404) {
      return "The details of " + which + " are not ready yet (the server is still writing them). Try again in a moment, or reload the page.";
    }
    return "The details of " + which + " could not be loaded (" + String(err && err.message || err) + ").";
  }

  // src/inflate.js
  function workerMain(unpack) {
    self.onmessage = (e) => {
      const job = e.data;
      if (job.body) {
        new Response(job.body.pipeThrough(new DecompressionStream("gzip"))).arrayBuffer().then(
          (buffer) => {
            self.postMessage({ job: job.job, buffer }, [buffer]);
          },
          (err) => {
            self.postMessage({ job: job.job, error: String(err) });
          }
        );
        return;
      }
      try {
        const packed = unpack(job.text);
        const stream = new Blob([packed]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
        new Response(stream).arrayBuffer().then(
          (buffer) => {
            self.postMessage({ job: job.job, buffer }, [buffer]);
          },
          (err) => {
            self.postMessage({ job: job.job, error: String(err) });
          }
        );
      } catch (err) {
        self.postMessage({ job: job.job, error: String(err) });
      }
    };
  }
  function inflateHere(text) {
    return new Promise((ok) => {
      ok(unpack7(text));
    }).then((packed) => {
      const stream = new Blob([packed]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
      return new Response(stream).arrayBuffer();
    }).then((buffer) => new Uint8Array(buffer));
  }
  var WORKERS = 2;
  var workers = [];
  var noWorkers = false;
  var jobs = {};
  var nextJob = 0;
  function doHere(j) {
    if (j.url) {
      return fetchHere(j.url);
    }
    return inflateHere(j.text);
  }
  function fetchHere(url) {
    return fetch(url, { credentials: "same-origin" }).then((r) => {
      if (!r.ok) {
        throw new HttpError(r.status);
      }
      return new Response(r.body.pipeThrough(new DecompressionStream("gzip"))).arrayBuffer();
    }).then((buffer) => new Uint8Array(buffer));
  }
  function failAll() {
    noWorkers = true;
    workers.splice(0).forEach((w) => {
      w.worker.terminate();
    });
    Object.keys(jobs).forEach((k) => {
      const j = jobs[k];
      delete jobs[k];
      doHere(j).then(j.ok, j.fail);
    });
  }
  function newWorker() {
    if (typeof Worker !== "function" || typeof Blob !== "function" || typeof URL === "undefined") {
      return null;
    }
    const source = "(" + workerMain.toString() + ")(" + unpack7.toString() + ");";
    const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
    try {
      const entry = { worker: new Worker(url), busy: 0 };
      entry.worker.onmessage = (e) => {
        const j = jobs[e.data.job];
        entry.busy -= 1;
        if (!j) {
          return;
        }
        delete jobs[e.data.job];
        if (e.data.error) {
          j.fail(new Error(e.data.error));
        } else {
          j.ok(new Uint8Array(e.data.buffer));
        }
      };
      entry.worker.onerror = (e) => {
        if (e && e.preventDefault) {
          e.preventDefault();
        }
        failAll();
      };
      return entry;
    } finally {
      URL.revokeObjectURL(url);
    }
  }
  function pickWorker() {
    if (noWorkers) {
      return null;
    }
    let best = null;
    workers.forEach((w) => {
      if (!best || w.busy < best.busy) {
        best = w;
      }
    });
    if ((!best || best.busy) && workers.length < WORKERS) {
      try {
        const w = newWorker();
        if (w) {
          workers.push(w);
          best = w;
        }
      } catch (e) {
        noWorkers = workers.length === 0;
      }
    }
    if (!best) {
      noWorkers = true;
    }
    return best;
  }
  function inflatePacked(text) {
    const w = pickWorker();
    if (!w) {
      return inflateHere(text);
    }
    return new Promise((ok, fail) => {
      const job = nextJob++;
      jobs[job] = { ok, fail, text };
      w.busy += 1;
      w.worker.postMessage({ job, text });
    });
  }
  function gunzipUrl(url) {
    return fetch(url, { credentials: "same-origin" }).then((r) => {
      if (!r.ok) {
        throw new HttpError(r.status);
      }
      const w = pickWorker();
      if (!w) {
        return new Response(r.body.pipeThrough(new DecompressionStream("gzip"))).arrayBuffer().then((b) => new Uint8Array(b));
      }
      return new Promise((ok, fail) => {
        const job = nextJob++;
        try {
          w.worker.postMessage({ job, body: r.body }, [r.body]);
        } catch (e) {
          new Response(r.body.pipeThrough(new DecompressionStream("gzip"))).arrayBuffer().then((b) => ok(new Uint8Array(b)), fail);
          return;
        }
        jobs[job] = { ok, fail, url };
        w.busy += 1;
      });
    });
  }

  // src/fetching.js
  function gunzipJson(response) {
    return new Response(response.body.pipeThrough(new DecompressionStream("gzip"))).json();
  }
  function fetchAppJson(url) {
    return fetch(url, { credentials: "same-origin" }).then((r) => {
      if (!r.ok) {
        throw new HttpError(r.status);
      }
      return /\.gz$/.test(String(url).split("?")[0]) ? gunzipJson(r) : r.json();
    });
  }
  function idsUrlOf(url) {
    const [path, query] = String(url).split("?");
    return path.slice(0, path.length - DRAW_FILE.length) + IDS_FILE + (query === void 0 ? "" : "?" + query);
  }
  function isDrawFile(url) {
    const path = String(url).split("?")[0];
    return path === DRAW_FILE || path.endsWith("/" + DRAW_FILE);
  }
  function fetchDrawPayload(url, waits) {
    const again = (once) => waits ? retryMissing(once, waits) : once();
    if (!isDrawFile(url)) {
      return again(() => fetchAppJson(url));
    }
    return Promise.all([again(() => gunzipUrl(url)), again(() => gunzipUrl(idsUrlOf(url)))]).then(([bytes, ids]) => {
      const payload = readPayload(bytes.byteOffset ? bytes.slice() : bytes);
      payload.ids = ids;
      return payload;
    });
  }
  var EARLY = "IncidentMapEarly";
  function putEarly(win, url, promise) {
    const early = win[EARLY] || (win[EARLY] = {});
    early[url] = promise;
  }
  function takeEarly(win, url) {
    const early = win && win[EARLY];
    const promise = early ? early[url] : null;
    if (promise) {
      delete early[url];
    }
    return promise || null;
  }

  // src/dataset.js
  var MAX_WANTED = 8;
  var Dataset = class {
    /**
     * ``payload``: the draw payload; ``props``: where the full properties
     * are: ``{url, block}``, a URL template whose '{block}' is a block's
     * number (the export's: '#' and an element's id), and the block's size.
     */
    constructor(payload, props) {
      const n = this.n = payload.n | 0;
      const ids = payload.ids || null;
      this.idsPacked = ids instanceof Uint8Array || typeof ids === "string" ? ids : null;
      this.idList = this.idsPacked === null ? ids : null;
      this.xy = positions(payload.xy, payload.xy_scale, n);
      this.color = column(payload.color, Uint8Array);
      this.palette = payload.palette || ["#8c8c8c"];
      this.type = column(payload.type, Uint16Array);
      this.types = payload.types || [];
      this.dashed = column(payload.dashed, Uint8Array);
      this.date = column(payload.date, Uint32Array);
      this.dates = payload.dates || [];
      this.km = column(payload.km, Float32Array);
      this.links = payload.links || [];
      this.chain = chainLines(this.links, this.date);
      this.propsSource = props;
      this.props = null;
      this.blocks = {};
      this.blockLoads = {};
      this.wanted = [];
      this.stubs = {};
      this.markers = new Array(n);
      this.listeners = {};
      const w = mercator(this.xy, n);
      this.wx = w.wx;
      this.wy = w.wy;
    }
    /** The incidents' ids (strings), in index order. */
    get ids() {
      if (!this.idList) {
        const packed = this.idsPacked;
        this.idList = typeof packed === "string" ? this.n ? packed.split("\n") : [] : packed ? idsOf(packed, this.n) : [];
        this.idsPacked = null;
      }
      return this.idList;
    }
    lat(i) {
      return this.xy[2 * i + 1];
    }
    lng(i) {
      return this.xy[2 * i];
    }
    /** The index of an incident id, or -1. */
    indexOf(id) {
      if (!this.lookup) {
        this.lookup = new IdLookup(this.ids);
      }
      return this.lookup.indexOf(id);
    }
    /** Incidents per properties block, or 0 (none to read). */
    blockSize() {
      const src = this.propsSource || {};
      return src.url ? Math.max(1, src.block | 0) : 0;
    }
    /**
     * Incident i's properties (only its id until they are loaded; the page
     * then remembers its block for the next loadProps()).
     */
    properties(i) {
      if (this.props && this.props[i]) {
        return this.props[i];
      }
      const size = this.blockSize();
      if (size) {
        const b = Math.floor(i / size);
        const block = this.blocks[b];
        if (block && block[i - b * size]) {
          return block[i - b * size];
        }
        if (!block) {
          this.want(b);
        }
      }
      return this.stubs[i] || (this.stubs[i] = { id: this.ids[i] });
    }
    /** Whether incident i's properties are here. */
    hasProps(i) {
      const size = this.blockSize();
      return size ? !!this.blocks[Math.floor(i / size)] : !!this.props;
    }
    /** Whether properties() was asked for incidents whose blocks are not read yet. */
    hasWanted() {
      return this.wanted.length > 0;
    }
    want(b) {
      if (b < 0 || b * this.blockSize() >= this.n || this.wanted.includes(b)) {
        return;
      }
      this.wanted.push(b);
      if (this.wanted.length > MAX_WANTED) {
        this.wanted.shift();
      }
    }
    /** Incident i's marker, made when first asked for. */
    marker(i) {
      return this.markers[i] || (this.markers[i] = newMarker(this, i));
    }
    /**
     * The full properties: the blocks of incident ``i`` (if given) and of
     * those properties() was asked for, each read once (fetched from the app,
     * or decoded from the export's page). Fires 'props'; never rejects (a
     * block that cannot be read leaves its incidents' ids only, and is read
     * again next time).
     */
    loadProps(i) {
      if (!this.blockSize()) {
        return Promise.resolve(this);
      }
      if (i !== void 0 && i !== null) {
        this.want(Math.floor(i / this.blockSize()));
      }
      const blocks = this.wanted;
      this.wanted = [];
      return Promise.all(blocks.map((b) => this.loadBlock(b))).then(() => this);
    }
    /**
     * Fetch properties block ``b`` once (the page); resolves when it is in.
     * The server writes the blocks after the drawing data, so a block not
     * there yet (404) is asked for again, for about a minute (retry.js);
     * then ``propsError`` says so in words and the next call tries again.
     */
    loadBlock(b) {
      if (!this.blockLoads[b]) {
        const url = String(this.propsSource.url).split("{block}").join(String(b));
        const size = this.blockSize();
        this.blockLoads[b] = retryMissing(() => fetchGzipJson(url)).then((props) => {
          if (props && !Array.isArray(props) && props.cols) {
            props = blockRows(props, this.ids.slice(b * size, (b + 1) * size));
          }
          this.blocks[b] = Array.isArray(props) ? props : [];
          for (let k = b * size; k < (b + 1) * size; k++) {
            delete this.stubs[k];
          }
          this.fire("props", { block: b });
        }).catch((err) => {
          delete this.blockLoads[b];
          this.propsError = missingMessage(err, b * size, Math.min((b + 1) * size, this.n) - 1);
        });
      }
      return this.blockLoads[b];
    }
  };
  L.extend(Dataset.prototype, L.Evented.prototype);
  function readInline(id, here) {
    if (reading[id]) {
      const started = reading[id];
      delete reading[id];
      return started;
    }
    const parsed = document.readyState === "loading" && !document.getElementById(id) ? new Promise((ok) => {
      document.addEventListener("DOMContentLoaded", ok, { once: true });
    }) : Promise.resolve();
    return parsed.then(() => {
      const node = document.getElementById(id);
      if (!node) {
        throw new Error("no element " + id + " in the page");
      }
      return (here ? inflateHere : inflatePacked)(node.textContent).then((bytes) => {
        if (node.parentNode) {
          node.parentNode.removeChild(node);
        }
        return bytes;
      });
    });
  }
  var reading = {};
  function readInlineEarly(id) {
    if (!reading[id] && document.getElementById(id)) {
      reading[id] = readInline(id);
      reading[id].catch(() => {
      });
    }
  }
  function fetchJson(url) {
    if (String(url).charAt(0) === "#") {
      return readExportPayload(String(url).slice(1));
    }
    return fetchAppJson(url);
  }
  function readExportPayload(id) {
    const idsId = id + "-ids";
    const ids = reading[idsId] || document.getElementById(idsId) ? readInline(idsId) : null;
    return Promise.all([readInline(id, true), ids]).then(([bytes, idsBytes]) => {
      const payload = readPayload(bytes);
      if (idsBytes) {
        payload.ids = idsBytes;
      }
      return payload;
    });
  }
  function fetchGzipJson(url) {
    if (String(url).charAt(0) === "#") {
      return readInline(String(url).slice(1)).then((bytes) => JSON.parse(new TextDecoder().decode(bytes)));
    }
    return fetch(url, { credentials: "same-origin" }).then((r) => {
      if (!r.ok) {
        throw new HttpError(r.status);
      }
      return gunzipJson(r);
    });
  }

  // src/layers.js
  var TypeGroup = L.LayerGroup.extend({
    // (the layer control gives each overlay a z-index, which a LayerGroup
    // passes to every one of its layers; the canvas draws them all at one)
    setZIndex: function() {
      return this;
    },
    onAdd: function() {
      if (this._imCtx && this._imCtx.applyShown) {
        this._imCtx.applyShown();
      }
    },
    // (Leaflet calls onRemove before it takes the group off the map's list)
    onRemove: function() {
      if (this._imCtx && this._imCtx.applyShown) {
        this._imCtx.applyShown(this);
      }
    }
  });
  var Toggle = L.Layer.extend({
    initialize: function(on, off) {
      this._imOn = on;
      this._imOff = off;
    },
    onAdd: function() {
      this._imOn();
    },
    onRemove: function() {
      this._imOff();
    }
  });
  function userChoices(map) {
    if (!map._imChoices) {
      map._imChoices = {};
      map.on("overlayadd overlayremove", (e) => {
        const control = map._imControl;
        if (e.layer && e.layer._imKey && control && userClicking(control)) {
          map._imChoices[e.layer._imKey] = e.type === "overlayadd";
        }
      });
    }
    return map._imChoices;
  }

  // src/shown.js
  function shownOf(out, indices, count, member, type, typeOn, ntype) {
    let shown = 0;
    for (let k = 0; k < count; k++) {
      const i = indices ? indices[k] : k;
      if (!member[i]) {
        continue;
      }
      const t = type[i], on = typeOn[t === NONE16 ? ntype : t];
      if (on) {
        out[i] = 1;
        shown += 1;
      }
    }
    return shown;
  }

  // src/reveal.js
  var DETAILS_WAIT_MS = 400;
  var MAX_REVEAL_ZOOM = 18;
  function afterDetails(ctx, layer, then) {
    const ds = ctx.ds, i = layer._imI;
    if (!ds.blockSize()) {
      then();
      return;
    }
    popupContent(ctx, layer.feature);
    if (ds.hasProps(i) && !ds.hasWanted()) {
      then();
      return;
    }
    let done = false;
    const once = () => {
      if (!done) {
        done = true;
        then();
      }
    };
    ds.loadProps(i).then(() => {
      popupContent(ctx, layer.feature);
      return ds.loadProps();
    }).then(once);
    setTimeout(once, DETAILS_WAIT_MS);
  }
  function popupBox(map, layer, ll) {
    const el2 = layer.getPopup() && layer.getPopup().getElement();
    if (!el2) {
      return null;
    }
    const r = el2.getBoundingClientRect(), m = map.getContainer().getBoundingClientRect(), p = map.latLngToContainerPoint(ll);
    return { x0: r.left - m.left - p.x, y0: r.top - m.top - p.y, x1: r.right - m.left - p.x, y1: r.bottom - m.top - p.y };
  }
  function targetPoint(map, ll, box, sameZoom) {
    const size = map.getSize(), here = map.latLngToContainerPoint(ll);
    const p = sameZoom && clearOfControls(map, here) ? here : size.divideBy(2);
    if (!box) {
      return p;
    }
    const pad = popupPadding(map);
    const s = fitShift(
      { x0: p.x + box.x0, y0: p.y + box.y0, x1: p.x + box.x1, y1: p.y + box.y1 },
      size,
      pad.autoPanPaddingTopLeft,
      pad.autoPanPaddingBottomRight
    );
    return L.point(p.x - s.x, p.y - s.y);
  }
  function centreFor(map, ll, zoom, p) {
    return map.unproject(map.project(ll, zoom).subtract(p.subtract(map.getSize().divideBy(2))), zoom);
  }
  function targetZoom(ctx, ll, p) {
    const map = ctx.map, canvas = ctx.canvas, zoom = map.getZoom();
    const set = canvas.setOf(ctx.ds), size = map.getSize(), max = Math.min(map.getMaxZoom(), MAX_REVEAL_ZOOM);
    let z = Math.max(CLUSTER_MAX_ZOOM, zoom);
    while (set && z < max && !ctx.highlight) {
      const tl = map.project(centreFor(map, ll, z, p), z).subtract(size.divideBy(2));
      if (!cellsFor(set, { S: 256 * Math.pow(2, z), bounds: L.bounds(tl, tl.add(size)) })) {
        break;
      }
      z += 1;
    }
    return z;
  }
  function reveal(ctx, layer, click) {
    const map = ctx.map, ll = layer.getLatLng();
    prepareClick(ctx, layer, { autoPan: false });
    if (click) {
      layer.fire("click", { latlng: ll }, true);
    } else {
      layer.openPopup(ll);
    }
    const box = popupBox(map, layer, ll), zoom = map.getZoom(), canvas = ctx.canvas;
    const leaving = canvas.clustering(zoom) || canvas.showsCells();
    const p = targetPoint(map, ll, box, !leaving), z = leaving ? targetZoom(ctx, ll, p) : zoom;
    const here = map.latLngToContainerPoint(ll);
    if (leaving) {
      map.setView(centreFor(map, ll, z, p), z, { animate: false });
    } else if (Math.abs(here.x - p.x) > 0.5 || Math.abs(here.y - p.y) > 0.5) {
      const d = here.subtract(p), size = map.getSize();
      map.panBy(d, { animate: click && Math.abs(d.x) < size.x && Math.abs(d.y) < size.y });
    }
    if (canvas.version !== canvas.drawnVersion) {
      canvas.drawNow();
    }
    if (layer.getPopup()) {
      layer.getPopup().options.autoPan = true;
    }
    return true;
  }

  // src/views.js
  var shared = {};
  var loaded = {};
  function loadShared(data) {
    const key = data.url;
    if (!shared[key]) {
      const early = takeEarly(typeof window === "undefined" ? null : window, key);
      shared[key] = (early || (String(data.url).charAt(0) === "#" ? fetchJson(data.url) : fetchDrawPayload(data.url, DRAW_WAITS))).then((payload) => loaded[key] = new Dataset(payload, { url: data.props_url, block: data.props_block }));
    }
    return shared[key];
  }
  function readEarly(url) {
    if (String(url).charAt(0) !== "#" || typeof window === "undefined" || shared[url]) {
      return;
    }
    if (/-ids$/.test(url)) {
      readInlineEarly(url.slice(1));
      return;
    }
    putEarly(window, url, fetchJson(url));
  }
  function readData(id) {
    const node = document.getElementById(id);
    const data = JSON.parse(node.textContent);
    node.parentNode.removeChild(node);
    data.props = { element: id + "-props" };
    return data;
  }
  function attach(group, data, options) {
    const ctx = {
      group,
      options: options || {},
      controls: [],
      overlays: [],
      typeGroups: {},
      map: null,
      count: 0,
      // (the page fits the map to a view once, not again when only the selection changed)
      fitKey: data.url ? data.url + "#" + data.mask : null
    };
    ctx.focus = (id) => focus(ctx, id);
    group._imContext = ctx;
    function setup() {
      const map = mapOf(group);
      if (!data.url) {
        build(ctx, map, new Dataset(data, data.props), null);
        return;
      }
      if (loaded[data.url]) {
        build(ctx, map, loaded[data.url], decodeMask(data.mask, loaded[data.url].n));
        return;
      }
      const loading = loadingControl(ctx.options.title).addTo(map);
      ctx.controls.push(loading);
      loadShared(data).then((ds) => {
        if (ctx.removed) {
          return;
        }
        map.removeControl(loading);
        ctx.controls = ctx.controls.filter((c) => c !== loading);
        build(ctx, map, ds, decodeMask(data.mask, ds.n));
      }).catch((err) => {
        if (ctx.removed) {
          return;
        }
        map.removeControl(loading);
        ctx.controls.push(errorControl("Could not load the incidents: " + err).addTo(map));
      });
    }
    if (mapOf(group)) {
      setup();
    } else {
      group.once("add", setup);
    }
    group.on("remove", () => {
      ctx.removed = true;
      const canvas = ctx.map && ctx.map._imCanvas;
      if (canvas && ctx.live) {
        canvas.retireLater(ctx);
      } else {
        teardown(ctx);
      }
    });
    return ctx;
  }
  function typeName(ds, i) {
    const t = ds.type[i];
    return t === NONE16 ? "Other" : ds.types[t];
  }
  function fillTypeGroups(ctx, canvas, map) {
    const ds = ctx.ds;
    const prev = canvas.takePending(ds);
    if (prev) {
      ctx.typeGroups = prev.typeGroups;
      prev.typeGroups = {};
      Object.keys(ctx.typeGroups).forEach((t) => {
        ctx.typeGroups[t]._imCtx = ctx;
      });
      teardown(prev);
    }
    const nt = ds.types.length, perCode = new Float64Array(nt + 1), type = ds.type, idx = ctx.indices;
    for (let k = 0; k < ctx.count; k++) {
      const t = type[idx ? idx[k] : k];
      perCode[t === NONE16 ? nt : t] += 1;
    }
    const byType = {};
    for (let t = 0; t <= nt; t++) {
      const name = t === nt ? "Other" : ds.types[t];
      if (perCode[t]) {
        byType[name] = (byType[name] || 0) + perCode[t];
      }
    }
    Object.keys(ctx.typeGroups).forEach((name) => {
      if (!byType[name]) {
        map.removeLayer(ctx.typeGroups[name]);
        delete ctx.typeGroups[name];
      }
    });
    Object.keys(byType).forEach((name) => {
      if (!ctx.typeGroups[name]) {
        const gj = ctx.typeGroups[name] = new TypeGroup();
        gj._imCtx = ctx;
        gj._imNew = true;
      }
    });
    ctx.typeCounts = byType;
  }
  function applyShown(ctx, leaving) {
    if (!ctx.live || ctx.batching || !ctx.canvas) {
      return;
    }
    const ds = ctx.ds, map = ctx.map, nt = ds.types.length, typeOn = new Uint8Array(nt + 1);
    const on = (name) => {
      const gj = ctx.typeGroups[name];
      return gj && gj !== leaving && map.hasLayer(gj) ? 1 : 0;
    };
    for (let t = 0; t < nt; t++) {
      typeOn[t] = on(ds.types[t]);
    }
    typeOn[nt] = on("Other");
    const next = new Uint8Array(ds.n);
    const shown = shownOf(next, ctx.indices, ctx.count, ctx.member, ds.type, typeOn, nt);
    ctx.canvas.setShown(ds, next, shown);
  }
  function viewLinks(ctx) {
    const ds = ctx.ds, inView = ctx.inView;
    let incoming = null;
    Object.defineProperty(ctx, "incoming", {
      configurable: true,
      enumerable: true,
      get: () => {
        if (!incoming) {
          incoming = {};
          const ids = ds.ids;
          ds.links.forEach((l) => {
            if (inView[l[1]]) {
              (incoming[ids[l[0]]] = incoming[ids[l[0]]] || []).push({ id: ids[l[1]], relation: l[2] });
            }
          });
        }
        return incoming;
      }
    });
    ctx.chainLinks = ds.chain.filter((l) => inView[l[0]] && inView[l[1]]).length;
  }
  function fitView(ctx, map) {
    const ds = ctx.ds;
    let s = 90, w = 180, no = -90, e = -180;
    const xy = ds.xy, idx = ctx.indices;
    for (let k = 0; k < ctx.count; k++) {
      const j = idx ? idx[k] : k, la = xy[2 * j + 1], lo = xy[2 * j];
      if (la < s) {
        s = la;
      }
      if (la > no) {
        no = la;
      }
      if (lo < w) {
        w = lo;
      }
      if (lo > e) {
        e = lo;
      }
    }
    const bounds = L.latLngBounds([[s, w], [no, e]]);
    ctx.room = fitPadding(map, bounds, 8);
    map.fitBounds(bounds, {
      maxZoom: 8,
      paddingTopLeft: ctx.room.paddingTopLeft,
      paddingBottomRight: ctx.room.paddingBottomRight,
      animate: false
    });
    map._imFitKey = ctx.fitKey;
  }
  function makeSwitches(ctx, canvas) {
    const flag = (name) => new Toggle(() => canvas.setFlag(name, true), () => canvas.setFlag(name, false));
    const heat = L.layerGroup();
    heat.on("add", () => {
      if (heat._imBuilt || typeof L.heatLayer !== "function") {
        return;
      }
      heat._imBuilt = true;
      const ds = ctx.ds, pts = new Array(ctx.count);
      for (let q = 0; q < ctx.count; q++) {
        const h = ctx.indices ? ctx.indices[q] : q;
        pts[q] = [ds.lat(h), ds.lng(h), 1];
      }
      heat.addLayer(L.heatLayer(pts, { radius: 18, blur: 15, minOpacity: 0.3 }));
    });
    return { uncertainty: flag("uncertainty"), chain: flag("chain"), clusters: flag("cluster"), heat };
  }
  function showLayers(ctx, map, sw) {
    const opts = ctx.options, choices = userChoices(map);
    const wanted = (layer, key, dflt) => {
      layer._imKey = key;
      return Object.prototype.hasOwnProperty.call(choices, key) ? choices[key] : dflt;
    };
    const useClusters = opts.cluster === true || opts.cluster === "auto" && ctx.count > (opts.cluster_threshold || 5e3);
    ctx.extras = [sw.uncertainty, sw.chain, sw.clusters, sw.heat];
    if (wanted(sw.uncertainty, "uncertainty", opts.show_uncertainty !== false)) {
      ctx.group.addLayer(sw.uncertainty);
    }
    if (wanted(sw.chain, "chain", opts.show_chain !== false)) {
      ctx.group.addLayer(sw.chain);
    }
    if (wanted(sw.clusters, "cluster", useClusters)) {
      ctx.group.addLayer(sw.clusters);
    }
    if (wanted(sw.heat, "heat", false)) {
      ctx.group.addLayer(sw.heat);
    }
    ctx.live = true;
    ctx.batching = true;
    Object.keys(ctx.typeGroups).sort().forEach((t) => {
      const gj = ctx.typeGroups[t];
      if (gj._imNew && wanted(gj, "type:" + t, true)) {
        map.addLayer(gj);
      }
      gj._imNew = false;
    });
    ctx.batching = false;
    applyShown(ctx);
  }
  function build(ctx, map, ds, indices) {
    ctx.map = map;
    ctx.ds = ds;
    const opts = ctx.options;
    const canvas = ctx.canvas = canvasOf(map, teardown);
    const n = ctx.count = indices ? indices.length : ds.n;
    ctx.indices = indices;
    const inView = ctx.inView = new Uint8Array(ds.n);
    for (let k = 0; k < n; k++) {
      inView[indices ? indices[k] : k] = 1;
    }
    ctx.member = inView.slice();
    ctx.applyShown = (leaving) => applyShown(ctx, leaving);
    const shapes = opts.shapes || {};
    ctx.shapeOf = ds.types.map((t) => shapeCode(shapes[t]));
    const set = canvas.attach(ds, ctx), co = cellOptions(ctx);
    if (co && n > co.threshold) {
      canvas.takeOffMap(set);
    }
    fillTypeGroups(ctx, canvas, map);
    viewLinks(ctx);
    const sw = makeSwitches(ctx, canvas);
    showLayers(ctx, map, sw);
    canvas.changed();
    canvas.retirePending();
    if (map._imControl) {
      addOverlays2(ctx, map._imControl, sw);
    }
    ctx.controls.push(summaryControl(ctx).addTo(map));
    watchCells(ctx, map, canvas);
    ctx.controls.push(legendControl(ctx).addTo(map));
    if (opts.timeline !== false && n) {
      ctx.controls.push(timeControl(ctx, () => refresh(ctx)).addTo(map));
    }
    if (opts.fit && n && !opts.story && (!ctx.fitKey || map._imFitKey !== ctx.fitKey)) {
      fitView(ctx, map);
    }
    if (opts.story) {
      ctx.unhide = (i) => unhide(ctx, ds.marker(i));
      map._imFitKey = ctx.fitKey;
      playStory(ctx, map, opts.story);
    }
    canvas.drawNow();
    ctx.ready = true;
    if (opts.selected !== void 0 && opts.selected !== null) {
      select(ctx, String(opts.selected));
    }
    if (ctx.summaryLine) {
      ctx.summaryLine.setAttribute("data-state", "drawn");
    }
    map.fire("incidents:ready", { count: n });
    if (!ds.propsSource || !ds.propsSource.url) {
      L.Util.requestAnimFrame(() => {
        setTimeout(() => {
          if (!ctx.removed) {
            ds.loadProps();
          }
        }, 0);
      });
    }
  }
  function watchCells(ctx, map, canvas) {
    const line = ctx.summaryLine;
    if (!line) {
      return;
    }
    const panel = cellsPanel(map, canvas);
    line.parentNode.appendChild(panel.node);
    line.setAttribute("data-mode", "points");
    ctx.onDrawn = () => {
      const state = cellsState(map);
      line.setAttribute("data-mode", state.mode);
      line.setAttribute("data-count", String(state.mode === "cells" ? state.count : ctx.count));
      if (ctx.ready) {
        line.setAttribute("data-state", "drawn");
      }
      panel.update(state);
      circlesNote(ctx, canvas._imCirclesHidden);
    };
    ctx.onMove = () => {
      const co = cellOptions(ctx), set = canvas.setOf(ctx.ds);
      if (ctx.ready && co && set && set.shown > co.threshold) {
        line.setAttribute("data-state", "loading");
      }
    };
    map.on("incidents:drawn", ctx.onDrawn);
    map.on("movestart zoomstart", ctx.onMove);
  }
  function refresh(ctx) {
    const ds = ctx.ds, upTo = ctx.timeUpTo, member = ctx.member;
    let limit = NONE32;
    if (upTo !== void 0 && upTo !== null) {
      limit = -1;
      for (let d = 0; d < ds.dates.length; d++) {
        if (ds.dates[d] <= upTo) {
          limit = d;
        }
      }
    }
    let shown = 0;
    for (let k = 0; k < ctx.count; k++) {
      const i = ctx.indices ? ctx.indices[k] : k;
      const on = limit === NONE32 || ds.date[i] !== NONE32 && ds.date[i] <= limit;
      if (on) {
        shown += 1;
      }
      member[i] = on ? 1 : 0;
    }
    applyShown(ctx);
    if (ctx.summaryLine) {
      ctx.summaryLine.textContent = (ctx.timeUpTo ? shown + " shown up to " + ctx.timeUpTo + " \xB7 " : "") + ctx.summaryText;
    }
  }
  function teardown(ctx) {
    const map = ctx.map;
    if (!map) {
      return;
    }
    ctx.live = false;
    if (ctx.onDrawn) {
      map.off("incidents:drawn", ctx.onDrawn);
      map.off("movestart zoomstart", ctx.onMove);
      ctx.onDrawn = null;
    }
    Object.keys(ctx.typeGroups).forEach((t) => {
      map.removeLayer(ctx.typeGroups[t]);
    });
    (ctx.extras || []).forEach((l) => {
      map.removeLayer(l);
    });
    ctx.controls.forEach((c) => {
      try {
        map.removeControl(c);
      } catch (e) {
      }
    });
    removeOverlays2(ctx, map._imControl);
    if (ctx.timer) {
      clearInterval(ctx.timer);
    }
    if (ctx.stopStory) {
      ctx.stopStory();
      ctx.stopStory = null;
    }
    ctx.typeGroups = {};
    ctx.member = null;
    if (ctx.canvas) {
      const set = ctx.canvas.setOf(ctx.ds);
      if (set && set.ctx === ctx) {
        ctx.canvas.setShown(ctx.ds, new Uint8Array(ctx.ds.n), 0);
      }
      ctx.canvas.detach(ctx);
    }
    ctx.controls = [];
    ctx.overlays = [];
  }
  function unhide(ctx, layer) {
    const map = ctx.map, gj = ctx.typeGroups[typeName(ctx.ds, layer._imI)], set = ctx.canvas && ctx.canvas.setOf(ctx.ds);
    if (set && !set.vis[layer._imI]) {
      ctx.timeUpTo = null;
      if (!map.hasLayer(gj)) {
        map.addLayer(gj);
        if (map._imChoices && gj._imKey) {
          map._imChoices[gj._imKey] = true;
        }
      }
      refresh(ctx);
    }
    if (ctx.canvas) {
      ctx.canvas.ensureOnMap(layer);
    }
  }
  function focus(ctx, id) {
    const layer = markerById(ctx, id), map = ctx.map;
    if (!layer || !map) {
      return false;
    }
    unhide(ctx, layer);
    const token = ctx.revealing = {};
    afterDetails(ctx, layer, () => {
      if (!ctx.removed && ctx.revealing === token && mapOf(layer)) {
        reveal(ctx, layer, true);
      }
    });
    return true;
  }
  function select(ctx, id) {
    const layer = markerById(ctx, id), map = ctx.map;
    if (!layer || !map) {
      return false;
    }
    unhide(ctx, layer);
    ctx.revealing = null;
    return reveal(ctx, layer, false);
  }
  function openIncident(map, id) {
    const views = (map._imCanvas && map._imCanvas._imSets || []).map((s) => s.ctx).filter((c) => c && !c.removed);
    for (let k = 0; k < views.length; k++) {
      if (focus(views[k], String(id))) {
        return true;
      }
    }
    let done = false;
    map.eachLayer((l) => {
      if (!done && l._imContext) {
        done = focus(l._imContext, String(id));
      }
    });
    return done;
  }
  function drawn(map) {
    const c = map._imCanvas, out = { clusters: [], markers: [], selected: null };
    if (!c || !mapOf(c)) {
      return out;
    }
    const shift = map.layerPointToContainerPoint([0, 0]), sel = c._imSelected;
    if (sel) {
      out.selected = { id: sel.id, x: sel.x + shift.x, y: sel.y + shift.y };
    }
    (c._imBubbles || []).forEach((b) => {
      out.clusters.push({ count: b.count, x: b.x + shift.x, y: b.y + shift.y });
    });
    (c._imHits || []).forEach((h) => {
      for (let j = 0; j < h.n; j++) {
        const i = h.order[j];
        const m = { id: h.set.ds.ids[i], x: h.set.px[i] + shift.x, y: h.set.py[i] + shift.y };
        if (h.highlighted) {
          m.highlighted = true;
        } else if (h.dimmed) {
          m.dimmed = true;
        }
        out.markers.push(m);
      }
    });
    return out;
  }

  // src/index.js
  window.IncidentMap = {
    version: CONTRACT_VERSION,
    basemap,
    attach,
    readData,
    readEarly,
    focus,
    openIncident,
    select,
    drawn,
    cells: cellsState,
    storyState,
    showStep,
    popupContent,
    decodeMask,
    safeUrl,
    escapeHtml,
    IncidentMarker,
    IncidentCanvas,
    checkLeaflet
  };
})();
