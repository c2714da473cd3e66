/*
 * incidentmap.js: draws incidents on a Leaflet map.
 *
 * Part of the incident-map project (mapapp). Used by the map builder for both
 * the standalone HTML export and the Streamlit page. All text from the data
 * reaches the page through textContent / createTextNode only, never through
 * innerHTML, and a source becomes a link only when its URL is http(s).
 *
 * IncidentMap.basemap(map, options)      country outlines under the tiles, tile layers, layer control
 * IncidentMap.attach(group, data, opts)  incidents, chain, uncertainty, heat, clusters, legend,
 *                                        summary and time control; all removed with the group
 *
 * Keep this file Latin-1: write other characters as \u escapes. One of them
 * would make Python hold the whole exported page, data included, at two or
 * four bytes a character, which slows every step of the export.
 */
(function () {
  'use strict';

  var IM = {};

  // ------------------------------------------------------------------ shapes

  function shapePoints(shape, x, y, r) {
    var pts = [], i, a, k;
    switch (shape) {
      case 'square':
        k = r * 0.9;
        return [[x - k, y - k], [x + k, y - k], [x + k, y + k], [x - k, y + k]];
      case 'diamond':
        k = r * 1.2;
        return [[x, y - k], [x + k, y], [x, y + k], [x - k, y]];
      case 'triangle':
        k = r * 1.25;
        return [[x, y - k], [x + k * 0.95, y + k * 0.7], [x - k * 0.95, y + k * 0.7]];
      case 'triangle-down':
        k = r * 1.25;
        return [[x, y + k], [x + k * 0.95, y - k * 0.7], [x - k * 0.95, y - k * 0.7]];
      case 'star':
        for (i = 0; i < 10; i++) {
          a = -Math.PI / 2 + i * Math.PI / 5;
          k = (i % 2 ? 0.5 : 1.3) * r;
          pts.push([x + k * Math.cos(a), y + k * Math.sin(a)]);
        }
        return pts;
      case 'hexagon':
        for (i = 0; i < 6; i++) {
          a = i * Math.PI / 3;
          pts.push([x + r * 1.1 * Math.cos(a), y + r * 1.1 * Math.sin(a)]);
        }
        return pts;
      default:
        return null;  // circle
    }
  }

  function shapeSvg(shape, color, dashed) {
    var NS = 'http://www.w3.org/2000/svg';
    var svg = document.createElementNS(NS, 'svg');
    svg.setAttribute('width', '16'); svg.setAttribute('height', '16');
    svg.setAttribute('viewBox', '0 0 16 16');
    var pts = shapePoints(shape, 8, 8, 5), el;
    if (pts) {
      el = document.createElementNS(NS, 'polygon');
      el.setAttribute('points', pts.map(function (p) { return p[0].toFixed(1) + ',' + p[1].toFixed(1); }).join(' '));
    } else {
      el = document.createElementNS(NS, 'circle');
      el.setAttribute('cx', '8'); el.setAttribute('cy', '8'); el.setAttribute('r', '5.5');
    }
    el.setAttribute('fill', color); el.setAttribute('stroke', '#222'); el.setAttribute('stroke-width', '1.2');
    if (dashed) { el.setAttribute('stroke-dasharray', '2,1.5'); }
    svg.appendChild(el);
    return svg;
  }

  // ------------------------------------------------------------------ DOM helpers (text only)

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function safeUrl(url) {
    if (typeof url !== 'string') { return null; }
    try {
      var u = new URL(url.trim());
      return (u.protocol === 'http:' || u.protocol === 'https:') ? u.href : null;
    } catch (e) { return null; }
  }
  IM.safeUrl = safeUrl;

  // Leaflet's layer control puts layer names into the page as HTML: escape them.
  function escapeHtml(text) {
    return String(text).replace(/[&<>"'`]/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' }[c];
    });
  }
  IM.escapeHtml = escapeHtml;

  function list(v) { return Array.isArray(v) ? v.filter(function (x) { return x !== null && x !== undefined && x !== ''; }) : []; }

  function fmtCount(p, best, low, high) {
    var b = p[best], lo = p[low], hi = p[high];
    if (b === undefined || b === null) {
      if (lo !== undefined && lo !== null && hi !== undefined && hi !== null) { return lo + '\u2013' + hi; }
      return null;
    }
    var s = String(b);
    if (lo !== undefined && lo !== null && hi !== undefined && hi !== null && (lo !== b || hi !== b)) {
      s += ' (range ' + lo + '\u2013' + hi + ')';
    }
    return s;
  }

  function fmtDate(p) {
    var s = p.date || '';
    if (p.end_date && p.end_date !== p.date) { s += ' to ' + p.end_date; }
    if (p.date_precision && p.date_precision !== 'day') { s += ' (precision: ' + p.date_precision + ')'; }
    return s;
  }

  function fmtPlace(p) {
    var parts = [p.place, p.admin1, p.country].filter(function (x) { return x; });
    var s = parts.join(', ');
    if (p.geo_precision) {
      s += ' (precision: ' + p.geo_precision;
      if (typeof p.geo_precision_km === 'number') { s += ', ±' + p.geo_precision_km + ' km'; }
      s += ')';
    }
    return s;
  }

  // The popup: everything an analyst needs about one incident.
  function popupContent(ctx, feature) {
    var p = feature.properties || {};
    var root = el('div', 'im-popup');
    root.appendChild(el('div', 'im-title', p.title || p.id));
    var table = el('table', 'im-table');
    function row(label, value) {
      if (value === undefined || value === null || value === '') { return; }
      var tr = el('tr');
      tr.appendChild(el('th', null, label));
      var td = el('td');
      if (value instanceof Node) { td.appendChild(value); } else { td.textContent = String(value); }
      tr.appendChild(td);
      table.appendChild(tr);
    }
    row('Date', fmtDate(p));
    row('Event', [p.event_type, p.sub_event_type].filter(function (x) { return x; }).join(' / '));
    row('Actor', p.actor);
    row('Target', p.target);
    var a = p.attribution || {};
    var status = a.status || 'unknown';
    var att = el('span', 'im-status im-status-' + status.replace(/[^a-z]/g, ''), status);
    row('Attribution', att);
    if (list(a.claimed_by).length) { row('Claimed by', list(a.claimed_by).join('; ')); }
    if (list(a.blamed_by).length) { row('Blamed by', list(a.blamed_by).join('; ')); }
    if (a.note) { row('On attribution', a.note); }
    row('Fatalities', fmtCount(p, 'fatalities', 'fatalities_low', 'fatalities_high'));
    row('Injuries', p.injuries);
    row('Place', fmtPlace(p));
    row('ID', p.id);
    root.appendChild(table);
    if (p.notes) { root.appendChild(el('p', 'im-notes', p.notes)); }

    var sources = Array.isArray(p.sources) ? p.sources : [];
    if (sources.length) {
      root.appendChild(el('div', 'im-subhead', 'Sources'));
      var ol = el('ol', 'im-sources');
      sources.forEach(function (s) {
        if (!s || typeof s !== 'object') { return; }
        var li = el('li');
        var href = safeUrl(s.url);
        var label = s.title || s.url || 'source';
        if (href) {
          var link = el('a', 'im-source-link', label);
          link.href = href; link.target = '_blank'; link.rel = 'noopener noreferrer';
          li.appendChild(link);
        } else {
          li.appendChild(el('span', 'im-source-title', label));
        }
        var meta = [s.publisher, s.date].filter(function (x) { return x; }).join(', ');
        if (meta) { li.appendChild(document.createTextNode(' \u2014 ' + meta)); }
        ol.appendChild(li);
      });
      root.appendChild(ol);
    }

    var related = Array.isArray(p.related) ? p.related : [];
    var linked = (ctx.incoming[p.id] || []).slice();
    if (related.length || linked.length) {
      root.appendChild(el('div', 'im-subhead', 'Linked incidents'));
      var ul = el('ul', 'im-related');
      function item(relId, relation, incoming) {
        var li = el('li');
        var target = markerById(ctx, relId);
        var text = (incoming ? '\u2190 ' : '\u2192 ') + (relation || 'related') + ': ' +
          (target ? (target.feature.properties.title || relId) + ' (' + (target.feature.properties.date || '') + ')' : relId);
        if (target) {
          var btn = el('a', 'im-related-link', text);
          btn.href = '#';
          btn.setAttribute('data-incident-id', relId);
          btn.addEventListener('click', function (ev) { ev.preventDefault(); IM.focus(ctx, relId); });
          li.appendChild(btn);
        } else {
          li.appendChild(document.createTextNode(text + ' (not in this view)'));
        }
        ul.appendChild(li);
      }
      related.forEach(function (r) { if (r && r.id) { item(r.id, r.relation, false); } });
      linked.forEach(function (r) { item(r.id, r.relation, true); });
      root.appendChild(ul);
    }
    return root;
  }
  IM.popupContent = popupContent;

  // The view's marker of an incident, or null when it is not in the view.
  function markerById(ctx, id) {
    var i = ctx.ds ? ctx.ds.indexOf(id) : -1;
    return i >= 0 && ctx.inView[i] ? ctx.ds.marker(i) : null;
  }

  function tooltipContent(feature) {
    var p = feature.properties || {};
    var root = el('div', 'im-tooltip');
    root.appendChild(el('b', null, p.title || p.id));
    root.appendChild(document.createTextNode(' \u2014 ' + fmtDate(p)));
    return root;
  }

  // ------------------------------------------------------------------ basemap

  // Country outlines in a pane under the tiles: readable with no network,
  // hidden by the tiles whenever they load.
  IM.basemap = function (map, options) {
    options = options || {};
    if (!map.getPane('im-basemap')) {
      var pane = map.createPane('im-basemap');
      pane.style.zIndex = 150;
      pane.style.pointerEvents = 'none';
    }
    map.getContainer().classList.add('im-map');
    var base = {};
    var first = null;
    (options.tiles || []).forEach(function (t) {
      var layer = L.tileLayer(t.url, { attribution: t.attribution, maxZoom: t.max_zoom || 19,
                                       subdomains: t.subdomains || 'abc', crossOrigin: true });
      base[t.name] = layer;
      if (!first) { first = layer; }
    });
    base['No tiles (offline outlines only)'] = L.layerGroup();
    if (first) { first.addTo(map); }
    var outlines = null;
    if (options.countries) {
      outlines = L.geoJSON(options.countries, {
        pane: 'im-basemap', interactive: false,
        renderer: L.svg({ pane: 'im-basemap' }),
        style: { color: '#8a8f98', weight: 0.8, fillColor: '#f4f1ea', fillOpacity: 1 }
      }).addTo(map);
    }
    var control = L.control.layers(base, {}, { collapsed: options.collapsed !== false, position: 'topright' });
    control.addTo(map);
    if (outlines) { control.addOverlay(outlines, 'Country outlines (offline)'); }
    map._imControl = control;
    map._imBasemap = outlines;
    if (options.bounds) { map.fitBounds(options.bounds, { maxZoom: 8, padding: [20, 20] }); }
    return control;
  };

  // ------------------------------------------------------------------ incidents

  function makeControl(position, build) {
    var C = L.Control.extend({
      options: { position: position },
      onAdd: function () {
        var div = L.DomUtil.create('div', 'im-control leaflet-bar');
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        build(div);
        return div;
      }
    });
    return new C();
  }

  // ------------------------------------------------------------------ data

  // The map draws from compact columns (see mapapp.builder.draw_payload):
  // typed arrays in base64 plus lists of distinct values. The full
  // properties of each incident (for popups) come afterwards.
  function b64bytes(text) {
    if (typeof Uint8Array.fromBase64 === 'function') { return Uint8Array.fromBase64(text); }
    var bin = atob(text), n = bin.length, out = new Uint8Array(n);
    for (var i = 0; i < n; i++) { out[i] = bin.charCodeAt(i); }
    return out;
  }
  function column(text, Type) {
    var b = b64bytes(text || '');
    return new Type(b.buffer, b.byteOffset, Math.floor(b.byteLength / Type.BYTES_PER_ELEMENT));
  }

  var NONE16 = 65535, NONE32 = 4294967295;

  function Dataset(payload, props) {
    var n = this.n = payload.n | 0;
    this.ids = payload.ids || [];
    this.xy = column(payload.xy, Float64Array);
    this.color = column(payload.color, Uint8Array);
    this.palette = payload.palette || ['#8c8c8c'];
    this.type = column(payload.type, Uint16Array);
    this.types = payload.types || [];
    this.dashed = column(payload.dashed, Uint8Array);
    this.date = column(payload.date, Uint32Array);
    this.dates = payload.dates || [];
    this.km = column(payload.km, Float32Array);
    this.links = payload.links || [];
    this.propsSource = props;  // {element: id} (export) or {url: ...} (page)
    this.props = null;
    this.stubs = {};
    this.markers = new Array(n);
    this.listeners = {};  // (of its markers: see IncidentMarker._on)
    // Web Mercator at zoom 0, in [0, 1]: the map's pixel x, y are these times 256 * 2^zoom.
    var wx = this.wx = new Float64Array(n), wy = this.wy = new Float64Array(n);
    var max = 0.9999999999999999, d = Math.PI / 180;
    for (var i = 0; i < n; i++) {
      var s = Math.sin(Math.max(Math.min(this.xy[2 * i + 1], 85.0511287798), -85.0511287798) * d);
      s = Math.max(Math.min(s, max), -max);
      wx[i] = 0.5 + this.xy[2 * i] / 360;
      wy[i] = 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI);
    }
  }
  Dataset.prototype.lat = function (i) { return this.xy[2 * i + 1]; };
  Dataset.prototype.lng = function (i) { return this.xy[2 * i]; };
  Dataset.prototype.indexOf = function (id) {
    if (!this.index) {
      this.index = new Map();
      for (var i = 0; i < this.n; i++) { this.index.set(this.ids[i], i); }
    }
    var i = this.index.get(String(id));
    return i === undefined ? -1 : i;
  };
  Dataset.prototype.properties = function (i) {
    if (this.props && this.props[i]) { return this.props[i]; }
    return this.stubs[i] || (this.stubs[i] = { id: this.ids[i] });
  };
  Dataset.prototype.marker = function (i) {
    var m = this.markers[i];
    if (!m) {  // (no constructor: nothing per marker but these two fields)
      m = this.markers[i] = Object.create(IncidentMarker.prototype);
      m._ds = this; m._i = i;
    }
    return m;
  };
  // The full properties: an array in the dataset's order, read once, after
  // the first frame (the export: gzip + base64 in a block at the end of the
  // page; the page: a JSON file the app serves).
  Dataset.prototype.loadProps = function () {
    var ds = this, src = this.propsSource || {};
    if (this.propsPromise) { return this.propsPromise; }
    var whenParsed = document.readyState === 'loading'
      ? new Promise(function (ok) { document.addEventListener('DOMContentLoaded', ok, { once: true }); })
      : Promise.resolve();
    this.propsPromise = whenParsed.then(function () {
      if (src.url) {
        return fetch(src.url, { credentials: 'same-origin' }).then(function (r) {
          if (!r.ok) { throw new Error('HTTP ' + r.status); }
          return r.json();
        });
      }
      var parts = [], node;
      while (src.element && (node = document.getElementById(src.element + '-' + parts.length))) {
        parts.push(b64bytes(node.textContent.trim()));
        node.parentNode.removeChild(node);
      }
      if (!parts.length) { return []; }
      var stream = new Blob(parts).stream().pipeThrough(new DecompressionStream('gzip'));
      return new Response(stream).json();
    }).then(function (props) {
      ds.props = Array.isArray(props) ? props : [];
      ds.stubs = {};
      ds.fire('props');
      return ds;
    });
    return this.propsPromise;
  };
  L.extend(Dataset.prototype, L.Evented.prototype);

  // One incident: a Leaflet layer (on the map while it is shown) carrying
  // its feature, as GeoJSON layers do: layer.feature.properties.id. It has
  // no DOM and no renderer of its own: the map's IncidentCanvas draws every
  // shown incident in one pass.
  var Feature = function (ds, i) { this._ds = ds; this._i = i; };
  Feature.prototype.type = 'Feature';
  Object.defineProperty(Feature.prototype, 'properties', {
    get: function () { return this._ds.properties(this._i); }
  });
  Object.defineProperty(Feature.prototype, 'geometry', {
    get: function () { return { type: 'Point', coordinates: [this._ds.lng(this._i), this._ds.lat(this._i)] }; }
  });

  var IncidentMarker = L.CircleMarker.extend({
    _radius: 7,
    getLatLng: function () { return L.latLng(this._ds.lat(this._i), this._ds.lng(this._i)); },
    setLatLng: function () { return this; },
    getRadius: function () { return this._radius; },
    setRadius: function () { return this; },
    setStyle: function () { return this; },
    bringToFront: function () { return this; },
    bringToBack: function () { return this; },
    redraw: function () { if (this._map && this._map._imCanvas) { this._map._imCanvas.changed(); } return this; },
    beforeAdd: function () {},
    // Map.addLayer without the per-layer 'add'/'layeradd' events (100,000
    // of them cost more than drawing): the canvas tells 'incidents:ready'.
    _layerAdd: function (e) {
      var map = e.target;
      if (!map.hasLayer(this)) { return; }
      this._map = map;
      this._zoomAnimated = map._zoomAnimated;
      this.onAdd(map);
    },
    onAdd: function (map) { map._imCanvas.show(this, true); },
    onRemove: function (map) { if (map._imCanvas) { map._imCanvas.show(this, false); } },
    getBounds: function () { var ll = this.getLatLng(); return L.latLngBounds(ll, ll); },
    // A click (from the map or from a script) opens the popup; hovering shows the tooltip.
    fire: function (type, data, propagate) {
      var canvas = this._map && this._map._imCanvas, set = canvas && canvas.setOf(this._ds);
      if (set && set.ctx) {
        if (type === 'click' && (!this._popup || this._imParent !== set.ctx.group)) { prepareClick(set.ctx, this); }
        if (type === 'mouseover') { canvas.showTip(this); }
        if (type === 'mouseout') { canvas.hideTip(); }
      }
      if (!this.listens(type, propagate)) { return this; }
      var event = L.Util.extend({}, data, { type: type, target: this, sourceTarget: (data && data.sourceTarget) || this });
      var mine = this._events && this._events[type];
      if (mine) {  // (as L.Evented.fire does)
        this._firingCount = (this._firingCount + 1) || 1;
        for (var k = 0, len = mine.length; k < len; k++) {
          var l = mine[k], fn = l.fn;
          if (l.once) { this.off(type, fn, l.ctx); }
          fn.call(l.ctx || this, event);
        }
        this._firingCount--;
      }
      var shared = this._ds.listeners[type];
      if (shared) {
        shared = shared.slice();
        for (k = 0; k < shared.length; k++) {
          if (shared[k].on[this._i]) { shared[k].fn.call(shared[k].ctx || this, event); }
        }
      }
      if (propagate) { this._propagateEvent(event); }
      return this;
    },

    // Listeners live in the dataset, one bitset per listener (which markers
    // have it), not in an object per marker: st_folium takes a click
    // listener off every layer of the map and puts it back at each rerun.
    // (``once`` listeners stay with the marker, as Leaflet keeps them.)
    _on: function (type, fn, context, _once) {
      if (_once || typeof fn !== 'function') { return L.Evented.prototype._on.call(this, type, fn, context, _once); }
      if (context === this) { context = undefined; }
      var list = this._ds.listeners[type] || (this._ds.listeners[type] = []), h = null;
      for (var k = 0; k < list.length; k++) { if (list[k].fn === fn && list[k].ctx === context) { h = list[k]; break; } }
      if (!h) { h = { fn: fn, ctx: context, on: new Uint8Array(this._ds.n) }; list.push(h); }
      h.on[this._i] = 1;
    },
    _off: function (type, fn, context) {
      L.Evented.prototype._off.apply(this, arguments);
      var list = this._ds.listeners[type];
      if (!list) { return; }
      var all = arguments.length === 1;
      if (context === this) { context = undefined; }
      for (var k = 0; k < list.length; k++) {
        if (all || (list[k].fn === fn && list[k].ctx === context)) { list[k].on[this._i] = 0; }
      }
    },
    // (one event type, the common case, without splitting it into words)
    on: function (types, fn, context) {
      if (typeof types === 'string' && types.indexOf(' ') < 0 && types) { this._on(types, fn, context); return this; }
      return L.Evented.prototype.on.apply(this, arguments);
    },
    off: function (types, fn, context) {
      if (!arguments.length) {
        var reg = this._ds.listeners, i = this._i;
        Object.keys(reg).forEach(function (t) { reg[t].forEach(function (h) { h.on[i] = 0; }); });
      } else if (typeof types === 'string' && types.indexOf(' ') < 0 && types) {
        if (arguments.length === 1) { this._off(types); } else { this._off(types, fn, context); }
        return this;
      }
      return L.Evented.prototype.off.apply(this, arguments);
    },
    listens: function (type, fn, context, propagate) {
      var list = this._ds.listeners[type];
      if (list) {
        var any = typeof fn !== 'function', ctx = context === this ? undefined : context;
        for (var k = 0; k < list.length; k++) {
          if (list[k].on[this._i] && (any || (list[k].fn === fn && list[k].ctx === ctx))) { return true; }
        }
      }
      return L.Evented.prototype.listens.call(this, type, fn, context, propagate);
    }
  });
  Object.defineProperty(IncidentMarker.prototype, 'feature', {
    get: function () { return this._feature || (this._feature = new Feature(this._ds, this._i)); }
  });
  Object.defineProperty(IncidentMarker.prototype, '_latlng', { get: function () { return this.getLatLng(); } });
  IM.IncidentMarker = IncidentMarker;

  // ------------------------------------------------------------------ drawing

  var SHAPES = ['circle', 'square', 'diamond', 'triangle', 'triangle-down', 'star', 'hexagon'];
  var RADIUS = 7;
  var SHAPE_OFFSETS = SHAPES.map(function (s) { return shapePoints(s, 0, 0, RADIUS); });
  var CLUSTER_CELL = 60;

  function metresPerPixel0(lat) {  // at zoom 0 (divide by 2^zoom)
    return 40075016.686 * Math.cos(lat * Math.PI / 180) / 256;
  }

  // Every shown incident of the map drawn in one pass on one canvas:
  // uncertainty circles, then the chain, then the markers, batched by
  // style, or clusters of them; clicks and hovers are hit-tested here.
  var IncidentCanvas = L.Canvas.extend({
    options: { padding: 0.2, tolerance: 2 },

    initialize: function (options) {
      L.Canvas.prototype.initialize.call(this, options);
      this._sets = [];
      this.flags = { uncertainty: 0, chain: 0, cluster: 0 };
      this.version = 0;
    },

    attach: function (ds, ctx) {
      var set = this.setOf(ds);
      if (!set) { set = { ds: ds, vis: new Uint8Array(ds.n), shown: 0 }; this._sets.push(set); }
      set.ctx = ctx;
      return set;
    },
    detach: function (ctx) {
      this._sets = this._sets.filter(function (s) { return s.ctx !== ctx || s.shown > 0; });
      this.changed();
    },
    setOf: function (ds) {
      for (var k = 0; k < this._sets.length; k++) { if (this._sets[k].ds === ds) { return this._sets[k]; } }
      return null;
    },
    show: function (marker, on) {
      var set = this.setOf(marker._ds) || this.attach(marker._ds, null);
      var was = set.vis[marker._i];
      set.vis[marker._i] = on ? 1 : 0;
      set.shown += (on ? 1 : 0) - was;
      this.changed();
    },
    // A removed view waits here until the next view is built (in the same
    // task, for the page: the next view of the same dataset takes over its
    // layers) or the next turn of the event loop.
    retireLater: function (ctx) {
      var self = this;
      (this._pending = this._pending || []).push(ctx);
      setTimeout(function () { self.retirePending(); }, 0);
    },
    retirePending: function () {
      var pending = this._pending || [];
      this._pending = [];
      pending.forEach(teardown);
    },
    // The retired view of ``ds`` waiting here, if any (taken off the list).
    takePending: function (ds) {
      var pending = this._pending || [];
      for (var k = pending.length - 1; k >= 0; k--) {
        if (pending[k].ds === ds) { return pending.splice(k, 1)[0]; }
      }
      return null;
    },
    // Show or hide many markers at once: what Map.addLayer and removeLayer
    // do for one, without an event per marker (a marker that listens to
    // 'remove', such as one with an open popup, goes the usual way).
    quietAdd: function (map, marker) {
      var id = L.stamp(marker);
      if (map._layers[id]) { return; }
      map._layers[id] = marker;
      marker._mapToAdd = marker._map = map;
      marker._zoomAnimated = map._zoomAnimated;
      var set = this.setOf(marker._ds) || this.attach(marker._ds, null);
      if (!set.vis[marker._i]) { set.vis[marker._i] = 1; set.shown += 1; }
    },
    quietRemove: function (map, marker) {
      var id = marker._leaflet_id;
      if (id === undefined || !map._layers[id]) { return; }
      if ((marker._events || marker._ds.listeners.remove) && marker.listens('remove')) { map.removeLayer(marker); return; }
      delete map._layers[id];
      marker._mapToAdd = marker._map = null;
      var set = this.setOf(marker._ds);
      if (set && set.vis[marker._i]) { set.vis[marker._i] = 0; set.shown -= 1; }
    },
    setFlag: function (name, on) { this.flags[name] = on ? (this.flags[name] || 0) + 1 : Math.max((this.flags[name] || 0) - 1, 0); this.changed(); },
    changed: function () {
      this.version += 1;
      if (this._map && !this._redrawRequest) { this._redrawRequest = L.Util.requestAnimFrame(this._redraw, this); }
    },

    // (L.Canvas calls these on every move and zoom)
    _updatePaths: function () { if (!this._postponeUpdatePaths) { this._redraw(); } },
    _redraw: function () {
      if (this._redrawRequest) { L.Util.cancelAnimFrame(this._redrawRequest); }
      this._redrawRequest = null;
      if (!this._map) { return; }
      this._clear();
      this._draw();
    },
    _clear: function () {
      var b = this._bounds, size = b.getSize();
      this._ctx.clearRect(b.min.x, b.min.y, size.x, size.y);
    },

    _draw: function () {
      var map = this._map;
      if (!map || !this._bounds) { return; }
      var g = this._ctx, b = this._bounds, zoom = map.getZoom();
      var S = 256 * Math.pow(2, zoom), o = map.getPixelOrigin();
      var clusterOn = this.flags.cluster > 0 && zoom < (this.options.clusterMaxZoom || 11);
      this._hits = [];
      this._bubbles = [];
      g.save();
      for (var k = 0; k < this._sets.length; k++) { this._drawSet(this._sets[k], g, b, S, o, zoom, clusterOn); }
      g.restore();
      this.drawnVersion = this.version;
      if (map) { map.fire('incidents:drawn'); }
    },

    _drawSet: function (set, g, b, S, o, zoom, clusterOn) {
      var ds = set.ds, vis = set.vis, n = ds.n, wx = ds.wx, wy = ds.wy, i, x, y, q;
      if (!set.shown) { return; }
      var ctx = set.ctx, opts = (ctx && ctx.options) || {};
      var shapeOf = (ctx && ctx.shapeOf) || [];
      var x0 = b.min.x, y0 = b.min.y, x1 = b.max.x, y1 = b.max.y;
      var palette = ds.palette;

      // Which shown incidents are in view (with a margin: a circle, a
      // marker or a cluster cell may reach in), and their clusters.
      var minKm = opts.uncertainty_min_km || 2, z2 = Math.pow(2, zoom);
      var circles = this.flags.uncertainty > 0;
      var margin = clusterOn ? CLUSTER_CELL : RADIUS + 2;
      var list = set.list || (set.list = new Int32Array(n));
      var px = set.px || (set.px = new Float32Array(n)), py = set.py || (set.py = new Float32Array(n));
      var m = 0;
      for (i = 0; i < n; i++) {
        if (!vis[i]) { continue; }
        x = wx[i] * S - o.x; y = wy[i] * S - o.y;
        var reach = margin;
        if (circles && ds.km[i] >= minKm) { reach = Math.max(margin, ds.km[i] * 1000 * z2 / metresPerPixel0(ds.xy[2 * i + 1])); }
        if (x < x0 - reach || x > x1 + reach || y < y0 - reach || y > y1 + reach) { continue; }
        list[m++] = i; px[i] = x; py[i] = y;
      }
      var single = list, ns = m;
      if (clusterOn && m) {
        var cells = new Map(), cn = new Int32Array(m), cx = new Float64Array(m), cy = new Float64Array(m);
        var cb = new Float64Array(4 * m), owner = new Int32Array(m), nc = 0;
        for (q = 0; q < m; q++) {
          i = list[q];
          var key = Math.floor(wx[i] * S / CLUSTER_CELL) * 67108864 + Math.floor(wy[i] * S / CLUSTER_CELL);
          var id = cells.get(key), la = ds.xy[2 * i + 1], lo = ds.xy[2 * i];
          if (id === undefined) { id = nc++; cells.set(key, id); cb[4 * id] = cb[4 * id + 2] = la; cb[4 * id + 1] = cb[4 * id + 3] = lo; }
          cn[id] += 1; cx[id] += px[i]; cy[id] += py[i]; owner[q] = id;
          if (la < cb[4 * id]) { cb[4 * id] = la; } if (lo < cb[4 * id + 1]) { cb[4 * id + 1] = lo; }
          if (la > cb[4 * id + 2]) { cb[4 * id + 2] = la; } if (lo > cb[4 * id + 3]) { cb[4 * id + 3] = lo; }
        }
        single = set.single || (set.single = new Int32Array(n)); ns = 0;
        for (q = 0; q < m; q++) { if (cn[owner[q]] === 1) { single[ns++] = list[q]; } }
        for (var ci = 0; ci < nc; ci++) {
          if (cn[ci] < 2) { continue; }
          this._bubbles.push({ x: cx[ci] / cn[ci], y: cy[ci] / cn[ci], count: cn[ci],
                               r: cn[ci] < 10 ? 15 : cn[ci] < 100 ? 18 : cn[ci] < 1000 ? 21 : 24,
                               bounds: [[cb[4 * ci], cb[4 * ci + 1]], [cb[4 * ci + 2], cb[4 * ci + 3]]], set: set });
        }
      }
      // (an incident inside a cluster is drawn as part of it: no circle, no arrow)
      var drawn = set.drawn || (set.drawn = new Uint8Array(n));
      drawn.fill(0);
      for (q = 0; q < ns; q++) { drawn[single[q]] = 1; }

      // Pixels already holding the same shape and colour: a marker or circle
      // drawn again there would not change the picture, only cost time.
      var W = Math.ceil(x1 - x0) + 1, H = Math.ceil(y1 - y0) + 1;
      var stamp = this._stamp && this._stamp.length >= W * H ? this._stamp : (this._stamp = new Uint32Array(W * H));
      stamp.fill(0, 0, W * H);
      function fresh(xx, yy, token) {  // token > 0
        var ix = Math.round(xx - x0), iy = Math.round(yy - y0);
        if (ix < 0 || iy < 0 || ix >= W || iy >= H) { return true; }
        var k = iy * W + ix;
        if (stamp[k] === token) { return false; }
        stamp[k] = token;
        return true;
      }

      // Uncertainty: a faint circle of geo_precision_km, where it shows beyond the marker.
      if (circles) {
        var byColor = {};
        for (q = 0; q < ns; q++) {
          i = single[q];
          var km = ds.km[i];
          if (!(km >= minKm)) { continue; }
          var r = km * 1000 * z2 / metresPerPixel0(ds.xy[2 * i + 1]);
          if (r < RADIUS + 1.5) { continue; }
          x = px[i]; y = py[i];
          if (x + r < x0 || x - r > x1 || y + r < y0 || y - r > y1) { continue; }
          var c = ds.color[i];
          if (!fresh(x, y, 1 + c * 65536 + Math.min(Math.round(r), 65535))) { continue; }
          (byColor[c] = byColor[c] || []).push(x, y, r);
        }
        g.lineWidth = 1; g.setLineDash([4, 3]);
        Object.keys(byColor).forEach(function (c) {
          var a = byColor[c];
          g.beginPath();
          for (var j = 0; j < a.length; j += 3) { g.moveTo(a[j] + a[j + 2], a[j + 1]); g.arc(a[j], a[j + 1], a[j + 2], 0, 2 * Math.PI); }
          g.fillStyle = palette[c] || '#8c8c8c'; g.globalAlpha = 0.07; g.fill();
          g.strokeStyle = palette[c] || '#8c8c8c'; g.globalAlpha = 0.45; g.stroke();
        });
        g.globalAlpha = 1; g.setLineDash([]);
        stamp.fill(0, 0, W * H);
      }

      // The escalation chain: a dashed arrow from an incident to the one that answers it.
      if (this.flags.chain > 0 && ds.links.length) {
        g.beginPath();
        var heads = [];
        ds.links.forEach(function (l) {
          var f = l[0], t = l[1];
          if (!drawn[f] || !drawn[t]) { return; }
          var ax = px[f], ay = py[f], bx = px[t], by = py[t];
          g.moveTo(ax, ay); g.lineTo(bx, by);
          heads.push(ax, ay, bx, by);
        });
        g.strokeStyle = '#b2182b'; g.lineWidth = 2; g.globalAlpha = 0.8; g.setLineDash([6, 4]); g.stroke();
        g.beginPath(); g.setLineDash([]); g.globalAlpha = 0.9;
        for (var h = 0; h < heads.length; h += 4) {
          var ang = Math.atan2(heads[h + 3] - heads[h + 1], heads[h + 2] - heads[h]), len = 12, spread = 0.45;
          var tx = heads[h] + (heads[h + 2] - heads[h]) * 0.6, ty = heads[h + 1] + (heads[h + 3] - heads[h + 1]) * 0.6;
          g.moveTo(tx - len * Math.cos(ang - spread), ty - len * Math.sin(ang - spread));
          g.lineTo(tx, ty);
          g.lineTo(tx - len * Math.cos(ang + spread), ty - len * Math.sin(ang + spread));
        }
        g.stroke(); g.globalAlpha = 1;
      }

      // Markers, one path per style (colour x shape x outline): a few dozen
      // fills instead of one per incident.
      var nstyles = palette.length * SHAPES.length * 2, count = new Int32Array(nstyles + 1);
      var style = set.style || (set.style = new Int32Array(n));
      for (q = 0; q < ns; q++) {
        i = single[q];
        if (px[i] < x0 - RADIUS - 2 || px[i] > x1 + RADIUS + 2 || py[i] < y0 - RADIUS - 2 || py[i] > y1 + RADIUS + 2) { style[i] = -1; continue; }
        var st = (ds.color[i] * SHAPES.length + (shapeOf[ds.type[i]] || 0)) * 2 + (ds.dashed[i] ? 1 : 0);
        style[i] = st; count[st + 1] += 1;
      }
      for (var s2 = 0; s2 < nstyles; s2++) { count[s2 + 1] += count[s2]; }
      var order = set.order || (set.order = new Int32Array(n)), fillAt = count.slice(0, nstyles);
      for (q = 0; q < ns; q++) { i = single[q]; if (style[i] >= 0) { order[fillAt[style[i]]++] = i; } }
      g.lineWidth = 1; g.strokeStyle = '#222';
      for (var st2 = 0; st2 < nstyles; st2++) {
        var from = count[st2], to = count[st2 + 1];
        if (from === to) { continue; }
        var shape = Math.floor(st2 / 2) % SHAPES.length, off = SHAPE_OFFSETS[shape];
        g.beginPath();
        for (var q3 = from; q3 < to; q3++) {
          i = order[q3]; x = px[i]; y = py[i];
          if (!fresh(x, y, st2 + 1)) { continue; }
          if (!off) { g.moveTo(x + RADIUS, y); g.arc(x, y, RADIUS, 0, 2 * Math.PI); continue; }
          g.moveTo(x + off[0][0], y + off[0][1]);
          for (var v = 1; v < off.length; v++) { g.lineTo(x + off[v][0], y + off[v][1]); }
          g.closePath();
        }
        g.fillStyle = palette[Math.floor(st2 / (2 * SHAPES.length))] || '#8c8c8c';
        g.globalAlpha = 0.9; g.fill();
        g.setLineDash(st2 % 2 ? [3, 2] : []); g.stroke();
      }
      g.globalAlpha = 1; g.setLineDash([]);
      this._hits.push({ set: set, order: order, n: count[nstyles] });

      // Cluster bubbles with their counts.
      var bubbles = this._bubbles.filter(function (bu) { return bu.set === set; });
      g.textAlign = 'center'; g.textBaseline = 'middle'; g.font = '600 12px system-ui, sans-serif';
      bubbles.forEach(function (bu) {
        var col = bu.count < 10 ? '110, 204, 57' : bu.count < 100 ? '240, 194, 12' : '241, 128, 23';
        g.beginPath(); g.arc(bu.x, bu.y, bu.r, 0, 2 * Math.PI); g.fillStyle = 'rgba(' + col + ', 0.6)'; g.fill();
        g.beginPath(); g.arc(bu.x, bu.y, bu.r - 5, 0, 2 * Math.PI); g.fillStyle = 'rgba(' + col + ', 0.95)'; g.fill();
        g.fillStyle = '#111'; g.fillText(String(bu.count), bu.x, bu.y + 0.5);
      });
    },

    // What is under a point (layer coordinates): a cluster or an incident.
    hitTest: function (p) {
      var best = null, bestD = Infinity, k, j, d, dx, dy;
      var bubbles = this._bubbles || [];
      for (k = bubbles.length - 1; k >= 0; k--) {
        dx = bubbles[k].x - p.x; dy = bubbles[k].y - p.y;
        if (dx * dx + dy * dy <= bubbles[k].r * bubbles[k].r) { return { cluster: bubbles[k] }; }
      }
      var lim = (RADIUS + this.options.tolerance) * (RADIUS + this.options.tolerance);
      (this._hits || []).forEach(function (h) {
        var px = h.set.px, py = h.set.py, order = h.order;
        for (j = h.n - 1; j >= 0; j--) {
          var i = order[j];
          dx = px[i] - p.x; dy = py[i] - p.y; d = dx * dx + dy * dy;
          if (d <= lim && d < bestD) { bestD = d; best = { set: h.set, i: i }; }
        }
      });
      return best;
    },

    _onClick: function (e) {
      var map = this._map;
      var hit = this.hitTest(map.mouseEventToLayerPoint(e));
      if (hit && hit.cluster) {
        if (e.type === 'click' && !map._draggableMoved(map)) {
          L.DomEvent.stop(e);
          var bb = L.latLngBounds(hit.cluster.bounds);
          if (bb.getNorthEast().equals(bb.getSouthWest())) { map.setView(bb.getCenter(), map.getZoom() + 2); } else { map.fitBounds(bb, { padding: [40, 40] }); }
          return;
        }
        this._fireEvent(false, e);
        return;
      }
      var marker = hit ? hit.set.ds.marker(hit.i) : null;
      if (marker && e.type === 'click' && hit.set.ctx) {
        if (map._draggableMoved(marker)) { marker = null; } else { prepareClick(hit.set.ctx, marker); }
      }
      this._fireEvent(marker ? [marker] : false, e);
    },

    _onMouseMove: function (e) {
      var map = this._map;
      if (!map || map.dragging.moving() || map._animatingZoom) { return; }
      var hit = this.hitTest(map.mouseEventToLayerPoint(e));
      var marker = hit && !hit.cluster ? hit.set.ds.marker(hit.i) : null;
      this._container.classList.toggle('leaflet-interactive', !!hit);
      if (marker !== this._hovered) {
        if (this._hovered) { this._fireEvent([this._hovered], e, 'mouseout'); }
        this._hovered = marker;
        if (marker) { this.showTip(marker); this._fireEvent([marker], e, 'mouseover'); } else { this.hideTip(); }
      }
      this._fireEvent(marker ? [marker] : false, e);
    },
    showTip: function (marker) {
      var tip = this._tip || (this._tip = L.tooltip({ direction: 'top', offset: [0, -8] }));
      tip.setLatLng(marker.getLatLng()).setContent(tooltipContent(marker.feature));
      this._map.openTooltip(tip);
      if (!marker._ds.props) {  // (titles come with the details: show it once they are in)
        var self = this;
        marker._ds.loadProps().then(function () {
          if (self._hovered === marker && self._map && self._map.hasLayer(tip)) { tip.setContent(tooltipContent(marker.feature)); }
        });
      }
    },
    hideTip: function () { if (this._tip && this._map) { this._map.closeTooltip(this._tip); } },
    _handleMouseOut: function (e) {
      this.hideTip();
      this._hovered = null;
      this._container.classList.remove('leaflet-interactive');
      this._fireEvent(false, e);
    }
  });
  IM.IncidentCanvas = IncidentCanvas;

  function canvasOf(map) {
    if (!map._imCanvas) {
      if (!map.getPane('im-incidents')) {
        var pane = map.createPane('im-incidents');
        pane.style.zIndex = 420;
      }
      map._imCanvas = new IncidentCanvas({ pane: 'im-incidents' });
      map.addLayer(map._imCanvas);
    }
    return map._imCanvas;
  }

  // Before a click reaches a marker: its popup (made now, from the full
  // properties) and its view's layer as event parent (the page listens there).
  function prepareClick(ctx, marker) {
    var content = popupContent(ctx, marker.feature);
    if (!marker._ds.props) {
      content = el('div', 'im-popup', 'Loading the details\u2026');
      marker._ds.loadProps().then(function () {
        if (marker.isPopupOpen && marker.isPopupOpen()) { marker.setPopupContent(popupContent(ctx, marker.feature)); }
      });
    }
    marker.bindPopup(content, { maxWidth: 380, minWidth: 260, autoPanPadding: [20, 20], autoPanPaddingTopLeft: [60, 100] });
    if (marker._imParent !== ctx.group) {
      if (marker._imParent) { marker.removeEventParent(marker._imParent); }
      marker.addEventParent(ctx.group);
      marker._imParent = ctx.group;
    }
  }

  // An event type's incidents in one view. Its markers go on and off the
  // map in one batch (no event per marker), and the next view of the same
  // dataset takes the group over, so a filter change on the page costs only
  // the difference, not removing and adding every marker.
  var TypeGroup = L.LayerGroup.extend({
    // (the layer control gives each overlay a z-index, which a LayerGroup
    // passes to every one of its layers; the canvas draws them all at one)
    setZIndex: function () { return this; },
    addQuietly: function (marker) {
      this._layers[L.stamp(marker)] = marker;
      if (this._map) { this._map._imCanvas.quietAdd(this._map, marker); }
    },
    removeQuietly: function (marker) {
      delete this._layers[marker._leaflet_id];
      if (this._map) { this._map._imCanvas.quietRemove(this._map, marker); }
    },
    onAdd: function (map) {
      var canvas = map._imCanvas;
      for (var id in this._layers) { canvas.quietAdd(map, this._layers[id]); }
      canvas.changed();
    },
    onRemove: function (map) {
      var canvas = map._imCanvas;
      for (var id in this._layers) { canvas.quietRemove(map, this._layers[id]); }
      canvas.changed();
    }
  });

  // The overlays the user switched on or off in the layer control (by key).
  function userChoices(map) {
    if (!map._imChoices) {
      map._imChoices = {};
      map.on('overlayadd overlayremove', function (e) {
        var control = map._imControl;
        if (e.layer && e.layer._imKey && control && control._handlingClick) {
          map._imChoices[e.layer._imKey] = e.type === 'overlayadd';
        }
      });
    }
    return map._imChoices;
  }

  // A switch in the layer control that is not a layer of its own.
  var Toggle = L.Layer.extend({
    initialize: function (on, off) { this._imOn = on; this._imOff = off; },
    onAdd: function () { this._imOn(); },
    onRemove: function () { this._imOff(); }
  });

  // ------------------------------------------------------------------ views

  // What every view of one dataset shares (the page): its columns, fetched
  // once from the app, and each incident's marker, made once.
  var shared = {};
  function loadShared(data) {
    var key = data.url;
    if (!shared[key]) {
      shared[key] = fetch(data.url, { credentials: 'same-origin' }).then(function (r) {
        if (!r.ok) { throw new Error('HTTP ' + r.status); }
        return r.json();
      }).then(function (payload) { return (loaded[key] = new Dataset(payload, { url: data.props_url })); });
    }
    return shared[key];
  }
  var loaded = {};

  // A view's incidents: a bitset (base64, bit i = incident i) or 'all'.
  function decodeMask(code, n) {
    if (code === 'all') { return null; }
    var bytes = b64bytes(code), out = [];
    for (var i = 0; i < n; i++) {
      if ((bytes[i >> 3] >> (i & 7)) & 1) { out.push(i); }
    }
    return out;
  }
  IM.decodeMask = decodeMask;

  // The export puts the columns in a JSON block (<script
  // type="application/json">) and the properties, gzip + base64, in blocks
  // of the same id + '-props-0', '-props-1', ... at the end of the page.
  IM.readData = function (id) {
    var node = document.getElementById(id);
    var data = JSON.parse(node.textContent);
    node.parentNode.removeChild(node);
    data.props = { element: id + '-props' };
    return data;
  };

  IM.attach = function (group, data, options) {
    options = options || {};
    var ctx = { group: group, options: options, controls: [], overlays: [], typeGroups: {}, map: null, count: 0 };
    group._imContext = ctx;
    function setup() {
      var map = group._map;
      if (!data.url) {  // (the export: draw now, in this task)
        build(ctx, map, new Dataset(data, data.props), null);
        return;
      }
      if (loaded[data.url]) {  // (fetched for an earlier view: build now, in this task)
        build(ctx, map, loaded[data.url], decodeMask(data.mask, loaded[data.url].n));
        return;
      }
      loadShared(data).then(function (ds) {
        if (ctx.removed) { return; }
        build(ctx, map, ds, decodeMask(data.mask, ds.n));
      }).catch(function (err) {
        if (ctx.removed) { return; }
        ctx.controls.push(makeControl('topleft', function (div) {
          div.classList.add('im-summary');
          div.appendChild(el('div', 'im-error', 'Could not load the incidents: ' + err));
        }).addTo(map));
      });
    }
    if (group._map) { setup(); } else { group.once('add', setup); }
    group.on('remove', function () {
      ctx.removed = true;
      var canvas = ctx.map && ctx.map._imCanvas;
      if (canvas && ctx.live) { canvas.retireLater(ctx); } else { teardown(ctx); }
    });
    return ctx;
  };

  function build(ctx, map, ds, indices) {
    ctx.map = map; ctx.ds = ds;
    var group = ctx.group, opts = ctx.options;
    var canvas = canvasOf(map);
    ctx.canvas = canvas;
    var n = indices ? indices.length : ds.n;
    ctx.count = n;
    ctx.indices = indices;
    var inView = ctx.inView = new Uint8Array(ds.n);
    var idx = function (k) { return indices ? indices[k] : k; };
    for (var k = 0; k < n; k++) { inView[idx(k)] = 1; }
    var shapes = opts.shapes || {};
    ctx.shapeOf = ds.types.map(function (t) { return Math.max(SHAPES.indexOf(shapes[t] || 'circle'), 0); });
    canvas.attach(ds, ctx);

    // One layer per event type (so each can be switched off), holding its
    // incidents. The retired view of the same dataset (the page, after a
    // filter change) hands over its groups: only the difference moves.
    var prev = canvas.takePending(ds);
    var member;
    if (prev) {
      ctx.typeGroups = prev.typeGroups; prev.typeGroups = {};
      member = prev.member; prev.member = null;
      Object.keys(ctx.typeGroups).forEach(function (t) { ctx.typeGroups[t]._imCtx = ctx; });
      teardown(prev);
    }
    ctx.member = member = member || new Uint8Array(ds.n);
    var groupOf = function (i) {
      var t = ds.type[i], name = t === NONE16 ? 'Other' : ds.types[t];
      var gj = ctx.typeGroups[name];
      if (!gj) { gj = ctx.typeGroups[name] = new TypeGroup(); gj._imCtx = ctx; gj._imNew = true; }
      return gj;
    };
    for (var i = 0; i < ds.n; i++) {
      if (inView[i] !== member[i]) {
        if (inView[i]) { groupOf(i).addQuietly(ds.marker(i)); } else { groupOf(i).removeQuietly(ds.marker(i)); }
        member[i] = inView[i];
      }
    }
    var byType = {};
    for (k = 0; k < n; k++) {
      var t = ds.type[idx(k)], name = t === NONE16 ? 'Other' : ds.types[t];
      byType[name] = (byType[name] || 0) + 1;
    }
    Object.keys(ctx.typeGroups).forEach(function (name) {
      if (!byType[name]) { map.removeLayer(ctx.typeGroups[name]); delete ctx.typeGroups[name]; }
    });
    ctx.typeCounts = byType;

    // Links in this view, for "linked incidents" in popups.
    ctx.incoming = {};
    ds.links.forEach(function (l) {
      if (inView[l[1]]) { (ctx.incoming[ds.ids[l[0]]] = ctx.incoming[ds.ids[l[0]]] || []).push({ id: ds.ids[l[1]], relation: l[2] }); }
    });
    ctx.chainLinks = ds.links.filter(function (l) { return inView[l[0]] && inView[l[1]] && l[0] !== l[1]; }).length;

    // Fit the view before anything is drawn, without animation.
    if (opts.fit && n) {
      var s = 90, w = 180, no = -90, e = -180;
      for (k = 0; k < n; k++) {
        var j = idx(k), la = ds.lat(j), lo = ds.lng(j);
        if (la < s) { s = la; } if (la > no) { no = la; } if (lo < w) { w = lo; } if (lo > e) { e = lo; }
      }
      map.fitBounds([[s, w], [no, e]], { maxZoom: 8, padding: [30, 30], animate: false });
    }

    var uncertainty = new Toggle(function () { canvas.setFlag('uncertainty', true); }, function () { canvas.setFlag('uncertainty', false); });
    var chain = new Toggle(function () { canvas.setFlag('chain', true); }, function () { canvas.setFlag('chain', false); });
    var clusters = new Toggle(function () { canvas.setFlag('cluster', true); }, function () { canvas.setFlag('cluster', false); });

    // Density (heat) layer, built the first time it is switched on.
    var heat = L.layerGroup();
    heat.on('add', function () {
      if (heat._built || typeof L.heatLayer !== 'function') { return; }
      heat._built = true;
      var pts = new Array(n);
      for (var q = 0; q < n; q++) { var h = idx(q); pts[q] = [ds.lat(h), ds.lng(h), 1]; }
      heat.addLayer(L.heatLayer(pts, { radius: 18, blur: 15, minOpacity: 0.3 }));
    });

    // What the user switched on or off in the layer control stays so in the
    // next view (the page, after a filter change).
    var choices = userChoices(map);
    var wanted = function (layer, key, dflt) {
      layer._imKey = key;
      return Object.prototype.hasOwnProperty.call(choices, key) ? choices[key] : dflt;
    };
    var control = map._imControl;
    var useClusters = opts.cluster === true || (opts.cluster === 'auto' && n > (opts.cluster_threshold || 5000));
    ctx.extras = [uncertainty, chain, clusters, heat];
    if (wanted(uncertainty, 'uncertainty', opts.show_uncertainty !== false)) { group.addLayer(uncertainty); }
    if (wanted(chain, 'chain', opts.show_chain !== false)) { group.addLayer(chain); }
    if (wanted(clusters, 'cluster', useClusters)) { group.addLayer(clusters); }
    if (wanted(heat, 'heat', false)) { group.addLayer(heat); }
    var types = Object.keys(ctx.typeGroups).sort();
    // (on the map itself, not in the group: when the page swaps the group,
    // the next view takes them over)
    ctx.live = true;
    types.forEach(function (t) {
      var gj = ctx.typeGroups[t];
      if (gj._imNew && wanted(gj, 'type:' + t, true)) { map.addLayer(gj); }
      gj._imNew = false;
    });
    canvas.changed();
    canvas.retirePending();
    if (control) {
      // (added in one go: the control rebuilds its whole list on each change)
      var overlay = function (layer, label) { control._addLayer(layer, label, true); ctx.overlays.push(layer); };
      types.forEach(function (t) { overlay(ctx.typeGroups[t], shapeLabel(ctx, t) + ' ' + escapeHtml(t) + ' (' + byType[t] + ')'); });
      overlay(chain, 'Escalation chain (' + ctx.chainLinks + ' links)');
      overlay(uncertainty, 'Location uncertainty');
      overlay(clusters, 'Cluster markers');
      overlay(heat, 'Density (heat map)');
      if (control._map) { control._update(); }
    }

    ctx.controls.push(summaryControl(ctx).addTo(map));
    ctx.controls.push(legendControl(ctx).addTo(map));
    if (opts.timeline !== false && n) { ctx.controls.push(timeControl(ctx).addTo(map)); }

    // Draw now (not at the next frame), then read the full properties.
    canvas._redraw();
    ctx.ready = true;
    map.fire('incidents:ready', { count: n });
    // (the page reads them when first needed: a hover or a click)
    if (!ds.propsSource || !ds.propsSource.url) {
      L.Util.requestAnimFrame(function () { setTimeout(function () { if (!ctx.removed) { ds.loadProps(); } }, 0); });
    }
  }

  function shapeLabel(ctx, type) {
    var s = (ctx.options.shapes || {})[type] || 'circle';
    return { circle: '\u25cf', square: '\u25a0', diamond: '\u25c6', triangle: '\u25b2', 'triangle-down': '\u25bc', star: '\u2605', hexagon: '\u2b22' }[s] || '\u25cf';
  }

  // The time control: a view's incident is in its type's layer while its
  // date is within the control's range.
  function refresh(ctx) {
    var ds = ctx.ds, upTo = ctx.timeUpTo, limit = NONE32;
    if (upTo !== undefined && upTo !== null) {
      limit = -1;
      for (var d = 0; d < ds.dates.length; d++) { if (ds.dates[d] <= upTo) { limit = d; } }
    }
    var shown = 0, n = ctx.count, member = ctx.member;
    for (var k = 0; k < n; k++) {
      var i = ctx.indices ? ctx.indices[k] : k;
      var on = limit === NONE32 || (ds.date[i] !== NONE32 && ds.date[i] <= limit);
      if (on) { shown += 1; }
      if ((on ? 1 : 0) !== member[i]) {
        var t = ds.type[i], gj = ctx.typeGroups[t === NONE16 ? 'Other' : ds.types[t]];
        if (on) { gj.addQuietly(ds.marker(i)); } else { gj.removeQuietly(ds.marker(i)); }
        member[i] = on ? 1 : 0;
      }
    }
    if (ctx.canvas) { ctx.canvas.changed(); }
    if (ctx.summaryLine) {
      ctx.summaryLine.textContent = (ctx.timeUpTo ? shown + ' shown up to ' + ctx.timeUpTo + ' \u00b7 ' : '') + ctx.summaryText;
    }
  }

  function teardown(ctx) {
    var map = ctx.map;
    if (!map) { return; }
    ctx.live = false;
    Object.keys(ctx.typeGroups).forEach(function (t) { map.removeLayer(ctx.typeGroups[t]); });
    // (switched back on in the control, a switch is on the map, not in the group)
    (ctx.extras || []).forEach(function (l) { map.removeLayer(l); });
    ctx.controls.forEach(function (c) { try { map.removeControl(c); } catch (e) { /* already gone */ } });
    var control = map._imControl;
    if (control && ctx.overlays.length) {  // (in one go, as they were added)
      var gone = {};
      ctx.overlays.forEach(function (l) { l.off('add remove', control._onLayerChange, control); gone[L.stamp(l)] = true; });
      control._layers = control._layers.filter(function (o) { return !gone[L.stamp(o.layer)]; });
      if (control._map) { control._update(); }
    }
    if (ctx.timer) { clearInterval(ctx.timer); }
    Object.keys(ctx.typeGroups).forEach(function (t) { ctx.typeGroups[t]._layers = {}; });
    ctx.typeGroups = {}; ctx.member = null;
    if (ctx.canvas) { ctx.canvas.detach(ctx); }
    ctx.controls = []; ctx.overlays = [];
  }

  // ------------------------------------------------------------------ controls

  function summaryControl(ctx) {
    return makeControl('topleft', function (div) {
      div.classList.add('im-summary');
      var o = ctx.options, n = ctx.count;
      if (o.title) { div.appendChild(el('div', 'im-summary-title', o.title)); }
      var line = el('div', 'im-summary-count');
      line.setAttribute('data-count', String(n));
      var txt = n + (n === 1 ? ' incident' : ' incidents');
      if (typeof o.total === 'number' && o.total !== n) { txt += ' of ' + o.total; }
      if (o.start && o.end) { txt += ' · ' + (o.start === o.end ? o.start : o.start + ' to ' + o.end); }
      line.textContent = txt;
      div.appendChild(line);
      ctx.summaryLine = line; ctx.summaryText = txt;
      (o.filters || []).forEach(function (f) { div.appendChild(el('div', 'im-summary-filter', f)); });
    });
  }

  function legendControl(ctx) {
    return makeControl('bottomright', function (div) {
      div.classList.add('im-legend');
      var o = ctx.options;
      var details = el('details');
      details.open = o.legend_open !== false;
      details.appendChild(el('summary', 'im-legend-head', 'Legend'));
      var colors = o.legend_actors || [];
      if (colors.length) {
        details.appendChild(el('div', 'im-subhead', 'Colour: actor'));
        colors.forEach(function (a) {
          var row = el('div', 'im-legend-row');
          var sw = el('span', 'im-swatch'); sw.style.background = a.color;
          row.appendChild(sw); row.appendChild(document.createTextNode(a.name + ' (' + a.count + ')'));
          details.appendChild(row);
        });
        if (o.other_actors) {
          var row = el('div', 'im-legend-row');
          var sw = el('span', 'im-swatch'); sw.style.background = o.other_color || '#8c8c8c';
          row.appendChild(sw); row.appendChild(document.createTextNode(o.other_actors + ' other actors'));
          details.appendChild(row);
        }
      }
      var types = Object.keys(ctx.typeGroups).sort();
      if (types.length) {
        details.appendChild(el('div', 'im-subhead', 'Shape: event type'));
        types.forEach(function (t) {
          var row = el('div', 'im-legend-row');
          row.appendChild(shapeSvg((o.shapes || {})[t] || 'circle', '#bbb', false));
          row.appendChild(document.createTextNode(' ' + t));
          details.appendChild(row);
        });
      }
      details.appendChild(el('div', 'im-subhead', 'Outline: attribution'));
      var r1 = el('div', 'im-legend-row'); r1.appendChild(shapeSvg('circle', '#fff', false));
      r1.appendChild(document.createTextNode(' solid: confirmed')); details.appendChild(r1);
      var r2 = el('div', 'im-legend-row'); r2.appendChild(shapeSvg('circle', '#fff', true));
      r2.appendChild(document.createTextNode(' dashed: claimed, alleged, disputed or unknown')); details.appendChild(r2);
      details.appendChild(el('div', 'im-legend-note', 'Faint circle: the point may be off by this radius. Red dashed arrow: one incident answers another.'));
      div.appendChild(details);
    });
  }

  function timeControl(ctx) {
    var ds = ctx.ds, seen = new Uint8Array(ds.dates.length), steps = [];
    for (var k = 0; k < ctx.count; k++) {
      var d = ds.date[ctx.indices ? ctx.indices[k] : k];
      if (d !== NONE32) { seen[d] = 1; }
    }
    for (var j = 0; j < seen.length; j++) { if (seen[j]) { steps.push(ds.dates[j]); } }
    return makeControl('bottomleft', function (div) {
      div.classList.add('im-time');
      var play = el('button', 'im-play', '\u25b6');
      play.type = 'button'; play.title = 'Play the incidents through time';
      var slider = el('input', 'im-slider');
      slider.type = 'range'; slider.min = '0'; slider.max = String(Math.max(steps.length - 1, 0));
      slider.value = slider.max; slider.step = '1';
      slider.setAttribute('aria-label', 'Show incidents up to this date');
      var label = el('span', 'im-time-label', steps.length ? 'all to ' + steps[steps.length - 1] : '');
      div.appendChild(play); div.appendChild(slider); div.appendChild(label);
      function show(i) {
        var last = i >= steps.length - 1;
        ctx.timeUpTo = last ? null : steps[i];
        label.textContent = (last ? 'all to ' : 'up to ') + steps[i];
        refresh(ctx);
      }
      slider.addEventListener('input', function () { show(parseInt(slider.value, 10)); });
      play.addEventListener('click', function () {
        if (ctx.timer) { clearInterval(ctx.timer); ctx.timer = null; play.textContent = '\u25b6'; return; }
        var i = parseInt(slider.value, 10);
        if (i >= steps.length - 1) { i = -1; }
        play.textContent = '\u275a\u275a';
        var delay = Math.max(60, Math.min(700, 12000 / Math.max(steps.length, 1)));
        ctx.timer = setInterval(function () {
          i += 1; slider.value = String(i); show(i);
          if (i >= steps.length - 1) { clearInterval(ctx.timer); ctx.timer = null; play.textContent = '\u25b6'; }
        }, delay);
      });
    });
  }

  // Step along the chain: pan to an incident and open its popup.
  IM.focus = function (ctx, id) {
    var layer = markerById(ctx, id), map = ctx.map;
    if (!layer || !map) { return false; }
    var i = layer._i, t = ctx.ds.type[i], gj = ctx.typeGroups[t === NONE16 ? 'Other' : ctx.ds.types[t]];
    if (!layer._map) {  // hidden by the time control or a type toggle
      ctx.timeUpTo = null;
      if (!map.hasLayer(gj)) {
        map.addLayer(gj);
        if (map._imChoices && gj._imKey) { map._imChoices[gj._imKey] = true; }
      }
      refresh(ctx);
    }
    var ll = layer.getLatLng();
    var clustered = ctx.canvas.flags.cluster > 0 && map.getZoom() < (ctx.canvas.options.clusterMaxZoom || 11);
    if (clustered) { map.setView(ll, ctx.canvas.options.clusterMaxZoom || 11, { animate: false }); } else { map.panTo(ll); }
    ctx.canvas._redraw();
    prepareClick(ctx, layer);
    layer.fire('click', { latlng: ll }, true);
    return true;
  };

  // For tests and scripts: what the canvas drew last, in the map's
  // container coordinates: each cluster (its count) and each single marker.
  IM.drawn = function (map) {
    var c = map._imCanvas, out = { clusters: [], markers: [] };
    if (!c || !c._map) { return out; }
    var shift = map.layerPointToContainerPoint([0, 0]);
    (c._bubbles || []).forEach(function (b) { out.clusters.push({ count: b.count, x: b.x + shift.x, y: b.y + shift.y }); });
    (c._hits || []).forEach(function (h) {
      for (var j = 0; j < h.n; j++) {
        var i = h.order[j];
        out.markers.push({ id: h.set.ds.ids[i], x: h.set.px[i] + shift.x, y: h.set.py[i] + shift.y });
      }
    });
    return out;
  };

  window.IncidentMap = IM;
})();
