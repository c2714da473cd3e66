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

  var ShapeMarker = L.CircleMarker.extend({
    options: { shape: 'circle' },
    _updatePath: function () {
      var renderer = this._renderer;
      var pts = shapePoints(this.options.shape, this._point.x, this._point.y,
                            Math.max(Math.round(this._radius), 1));
      if (!pts) { return renderer._updateCircle(this); }
      if (renderer._ctx) {
        if (!renderer._drawing || this._empty()) { return; }
        var ctx = renderer._ctx;
        ctx.beginPath();
        for (var i = 0; i < pts.length; i++) {
          if (i) { ctx.lineTo(pts[i][0], pts[i][1]); } else { ctx.moveTo(pts[i][0], pts[i][1]); }
        }
        ctx.closePath();
        renderer._fillStroke(ctx, this);
      } else {
        var d = '';
        for (var j = 0; j < pts.length; j++) { d += (j ? 'L' : 'M') + pts[j][0] + ' ' + pts[j][1]; }
        renderer._setPath(this, this._empty() ? 'M0 0' : d + 'z');
      }
    }
  });
  IM.ShapeMarker = ShapeMarker;

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
        var target = ctx.byId[relId];
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

  function arrowHead(map, from, to, color) {
    var a = map.latLngToLayerPoint(from), b = map.latLngToLayerPoint(to);
    var ang = Math.atan2(b.y - a.y, b.x - a.x), len = 12, spread = 0.45;
    var tip = a.add(b.subtract(a).multiplyBy(0.6));
    var p1 = L.point(tip.x - len * Math.cos(ang - spread), tip.y - len * Math.sin(ang - spread));
    var p2 = L.point(tip.x - len * Math.cos(ang + spread), tip.y - len * Math.sin(ang + spread));
    return [map.layerPointToLatLng(p1), map.layerPointToLatLng(tip), map.layerPointToLatLng(p2)];
  }

  // What every view of one dataset shares (the page): its features, fetched
  // once from the app, and each incident's marker, made once.
  var shared = {};
  function loadShared(url) {
    if (!shared[url]) {
      shared[url] = {
        layers: [],
        circles: [],
        promise: fetch(url, { credentials: 'same-origin' }).then(function (r) {
          if (!r.ok) { throw new Error('HTTP ' + r.status); }
          return r.json();
        })
      };
    }
    return shared[url];
  }

  // A view's incidents: a bitset (base64, bit i = feature i) or 'all'.
  function decodeMask(code, n) {
    if (code === 'all') { return null; }
    var bytes = atob(code), out = [];
    for (var i = 0; i < n; i++) {
      if ((bytes.charCodeAt(i >> 3) >> (i & 7)) & 1) { out.push(i); }
    }
    return out;
  }
  IM.decodeMask = decodeMask;

  // The export puts each layer's data in a JSON block (<script
  // type="application/json">), much faster to parse than a script literal;
  // read it once and drop the text.
  IM.readData = function (id) {
    var node = document.getElementById(id);
    var data = JSON.parse(node.textContent);
    node.parentNode.removeChild(node);
    return data;
  };

  IM.attach = function (group, data, options) {
    options = options || {};
    var ctx = { group: group, data: data, options: options, byId: {}, incoming: {},
                layers: [], controls: [], overlays: [], typeGroups: {}, map: null };
    group._imContext = ctx;
    function setup() {
      var map = group._map;
      if (data && data.url) {
        var s = loadShared(data.url);
        s.promise.then(function (fc) {
          if (ctx.removed) { return; }
          var all = (fc && fc.features) || [];
          var idx = decodeMask(data.mask, all.length);
          ctx.indices = idx;
          ctx.cache = s.layers;
          ctx.circleCache = s.circles;
          ctx.data = { type: 'FeatureCollection', features: idx ? idx.map(function (i) { return all[i]; }) : all };
          build(ctx, map);
        }).catch(function (err) {
          ctx.controls.push(makeControl('topleft', function (div) {
            div.classList.add('im-summary');
            div.appendChild(el('div', 'im-error', 'Could not load the incidents: ' + err));
          }).addTo(map));
        });
      } else {
        build(ctx, map);
      }
    }
    if (group._map) { setup(); } else { group.once('add', setup); }
    group.on('remove', function () { ctx.removed = true; teardown(ctx); });
    return ctx;
  };

  function styleFor(ctx, p) {
    var colors = ctx.options.colors || {};
    var status = (p.attribution && p.attribution.status) || 'unknown';
    return {
      shape: (ctx.options.shapes || {})[p.event_type] || 'circle',
      radius: ctx.options.radius || 7,
      color: '#222', weight: 1, opacity: 0.9,
      fillColor: colors[p.actor] || ctx.options.other_color || '#8c8c8c', fillOpacity: 0.9,
      dashArray: status === 'confirmed' ? null : '3,2'
    };
  }

  function build(ctx, map) {
    ctx.map = map;
    var group = ctx.group;
    var opts = ctx.options, features = (ctx.data && ctx.data.features) || [];
    // One canvas for the markers (clicks reach it), and one under it, in a
    // pane that lets clicks through, for what is context only.
    // (one of each per map, shared by every view: cached markers keep theirs)
    if (!map.getPane('im-context')) {
      var pane = map.createPane('im-context');
      pane.style.zIndex = 390;
      pane.style.pointerEvents = 'none';
    }
    var renderer = map._imRenderer || (map._imRenderer = L.canvas({ padding: 0.3 }));
    var contextRenderer = map._imContextRenderer ||
      (map._imContextRenderer = L.canvas({ pane: 'im-context', padding: 0.3 }));
    ctx.renderer = renderer;
    var bindings = function (layer) {
      layer.bindPopup(function (l) { return popupContent(ctx, l.feature); }, { maxWidth: 380, minWidth: 260, autoPanPadding: [20, 20], autoPanPaddingTopLeft: [60, 100] });
      layer.bindTooltip(function (l) { return tooltipContent(l.feature); }, { sticky: false, direction: 'top', offset: [0, -6] });
    };

    // One layer per event type (so each can be switched off). Each marker
    // carries its feature, as GeoJSON layers do: layer.feature.properties.id.
    var byType = {};
    features.forEach(function (f, k) {
      var t = (f.properties && f.properties.event_type) || 'Other';
      (byType[t] = byType[t] || []).push(k);
    });
    Object.keys(byType).sort().forEach(function (type) {
      var gj = L.featureGroup();
      byType[type].forEach(function (k) {
        var f = features[k], p = f.properties || {};
        var i = ctx.indices ? ctx.indices[k] : k;
        var layer = ctx.cache ? ctx.cache[i] : null;
        if (!layer) {
          var c = f.geometry.coordinates;
          layer = new ShapeMarker([c[1], c[0]], L.extend({ renderer: renderer }, styleFor(ctx, p)));
          layer.feature = f;
          if (ctx.cache) { ctx.cache[i] = layer; }
        }
        if (p.id !== undefined) { ctx.byId[p.id] = layer; }
        layer._imDate = p.date || '';
        layer._imType = type;
        ctx.layers.push(layer);
        gj.addLayer(layer);
      });
      bindings(gj);
      ctx.typeGroups[type] = gj;
    });

    // Incoming links, for "linked incidents" in popups.
    features.forEach(function (f) {
      var p = f.properties || {};
      (Array.isArray(p.related) ? p.related : []).forEach(function (r) {
        if (r && r.id) { (ctx.incoming[r.id] = ctx.incoming[r.id] || []).push({ id: p.id, relation: r.relation }); }
      });
    });

    // Uncertainty: a faint circle of geo_precision_km where coarser than a site.
    var uncertainty = L.layerGroup();
    var minKm = opts.uncertainty_min_km || 2;
    features.forEach(function (f, k) {
      var p = f.properties || {}, km = p.geo_precision_km;
      if (typeof km === 'number' && km >= minKm && f.geometry && f.geometry.coordinates) {
        var i = ctx.indices ? ctx.indices[k] : k;
        var circle = ctx.circleCache ? ctx.circleCache[i] : null;  // (the page reuses them)
        if (!circle) {
          var c = f.geometry.coordinates;
          circle = L.circle([c[1], c[0]], { radius: km * 1000, renderer: contextRenderer, interactive: false,
                                            pane: 'im-context',
                                            color: styleFor(ctx, p).fillColor, weight: 1, opacity: 0.45,
                                            fillOpacity: 0.07, dashArray: '4,3' });
          if (ctx.circleCache) { ctx.circleCache[i] = circle; }
        }
        uncertainty.addLayer(circle);
      }
    });

    // Fit the view before anything is on the map, without animation: every
    // layer is then projected and drawn once, at the final zoom.
    if (opts.fit && features.length) {
      var b = L.latLngBounds(features.map(function (f) { var c = f.geometry.coordinates; return [c[1], c[0]]; }));
      map.fitBounds(b, { maxZoom: 8, padding: [30, 30], animate: false });
    }

    // The escalation chain: an arrow from each incident to the one that answers it.
    var chain = L.featureGroup();
    var chainLinks = [];
    features.forEach(function (f) {
      var p = f.properties || {};
      (Array.isArray(p.related) ? p.related : []).forEach(function (r) {
        var from = r && ctx.byId[r.id], to = ctx.byId[p.id];
        if (from && to && from !== to) {
          chainLinks.push({ from: from.getLatLng(), to: to.getLatLng(), relation: r.relation || 'related',
                            text: (r.relation || 'related').replace(/_/g, ' ') });
        }
      });
    });
    function drawChain() {
      chain.clearLayers();
      chainLinks.forEach(function (c) {
        chain.addLayer(L.polyline([c.from, c.to], { color: '#b2182b', weight: 2, opacity: 0.8, dashArray: '6,4',
                                                     interactive: false, pane: 'im-context', renderer: contextRenderer }));
        chain.addLayer(L.polyline(arrowHead(map, c.from, c.to), { color: '#b2182b', weight: 2, opacity: 0.9,
                                                                  interactive: false, pane: 'im-context', renderer: contextRenderer }));
      });
    }
    drawChain();
    ctx.onZoom = drawChain;
    map.on('zoomend', drawChain);

    // Density (heat) layer, built the first time it is switched on.
    var heat = L.layerGroup();
    heat.on('add', function () {
      if (heat._built || typeof L.heatLayer !== 'function') { return; }
      heat._built = true;
      var pts = features.map(function (f) { var c = f.geometry.coordinates; return [c[1], c[0], 1]; });
      heat.addLayer(L.heatLayer(pts, { radius: 18, blur: 15, minOpacity: 0.3 }));
    });

    // Clusters, built the first time they are switched on; while on, the
    // markers move from their per-type layers into the cluster group.
    var clusters = L.layerGroup();
    clusters.on('add', function () {
      if (typeof L.markerClusterGroup !== 'function') { return; }
      if (!ctx.clusterGroup) {
        ctx.clusterGroup = L.markerClusterGroup({ chunkedLoading: true, showCoverageOnHover: false,
                                                  maxClusterRadius: 45, spiderfyOnMaxZoom: true });
        bindings(ctx.clusterGroup);
      }
      ctx.clustered = true;
      clusters.addLayer(ctx.clusterGroup);
      refresh(ctx);
    });
    clusters.on('remove', function () {
      ctx.clustered = false;
      if (ctx.clusterGroup) { ctx.clusterGroup.clearLayers(); clusters.removeLayer(ctx.clusterGroup); }
      refresh(ctx);
    });
    ctx.hiddenTypes = {};

    // Add to the group (and so to the map), then register with the layer control.
    var control = map._imControl;
    if (opts.show_uncertainty !== false) { group.addLayer(uncertainty); }
    if (opts.show_chain !== false) { group.addLayer(chain); }
    var useClusters = opts.cluster === true || (opts.cluster === 'auto' && features.length > (opts.cluster_threshold || 5000));
    // Clusters first: the markers then go straight into them, instead of
    // onto the canvas and out again.
    if (useClusters) { group.addLayer(clusters); }
    Object.keys(ctx.typeGroups).sort().forEach(function (t) { group.addLayer(ctx.typeGroups[t]); });
    if (control) {
      var overlay = function (layer, name) { control.addOverlay(layer, name); ctx.overlays.push(layer); };
      Object.keys(ctx.typeGroups).sort().forEach(function (t) {
        var gj = ctx.typeGroups[t];
        // (counted from the data: in cluster mode the type's layer is empty)
        overlay(gj, shapeLabel(ctx, t) + ' ' + escapeHtml(t) + ' (' + byType[t].length + ')');
      });
      overlay(chain, 'Escalation chain (' + chainLinks.length + ' links)');
      overlay(uncertainty, 'Location uncertainty');
      overlay(clusters, 'Cluster markers');
      overlay(heat, 'Density (heat map)');
      // In cluster mode a type's checkbox takes its markers out of the clusters.
      Object.keys(ctx.typeGroups).forEach(function (t) { ctx.typeGroups[t]._imTypeName = t; });
      ctx.onOverlay = function (e) {
        var type = e.layer && e.layer._imTypeName;
        if (!type) { return; }
        ctx.hiddenTypes[type] = e.type === 'overlayremove';
        if (ctx.clustered) { refresh(ctx); }
      };
      map.on('overlayadd overlayremove', ctx.onOverlay);
    }

    // Controls: summary, legend, time.
    ctx.controls.push(summaryControl(ctx).addTo(map));
    ctx.controls.push(legendControl(ctx).addTo(map));
    if (opts.timeline !== false && features.length) { ctx.controls.push(timeControl(ctx).addTo(map)); }

    ctx.ready = true;
    map.fire('incidents:ready', { count: features.length });
  }

  function shapeLabel(ctx, type) {
    var s = (ctx.options.shapes || {})[type] || 'circle';
    return { circle: '\u25cf', square: '\u25a0', diamond: '\u25c6', triangle: '\u25b2', 'triangle-down': '\u25bc', star: '\u2605', hexagon: '\u2b22' }[s] || '\u25cf';
  }

  function inTime(ctx, l) {
    return ctx.timeUpTo === undefined || ctx.timeUpTo === null || l._imDate <= ctx.timeUpTo;
  }

  // Put every marker where it belongs: in its type's layer (non-clustered,
  // within the time control's range) or in the cluster group.
  function refresh(ctx) {
    var shown = 0;
    if (ctx.clustered && ctx.clusterGroup) {
      Object.keys(ctx.typeGroups).forEach(function (t) { ctx.typeGroups[t].clearLayers(); });
      var vis = ctx.layers.filter(function (l) { return inTime(ctx, l) && !ctx.hiddenTypes[l._imType]; });
      ctx.clusterGroup.clearLayers();
      ctx.clusterGroup.addLayers(vis);
      shown = vis.length;
    } else {
      ctx.layers.forEach(function (l) {
        var gj = ctx.typeGroups[l._imType], on = inTime(ctx, l);
        if (on) { shown += 1; if (!gj.hasLayer(l)) { gj.addLayer(l); } } else if (gj.hasLayer(l)) { gj.removeLayer(l); }
      });
    }
    if (ctx.summaryLine) {
      ctx.summaryLine.textContent = (ctx.timeUpTo ? shown + ' shown up to ' + ctx.timeUpTo + ' · ' : '') + ctx.summaryText;
    }
  }

  function teardown(ctx) {
    var map = ctx.map;
    if (!map) { return; }
    ctx.controls.forEach(function (c) { try { map.removeControl(c); } catch (e) { /* already gone */ } });
    if (map._imControl) { ctx.overlays.forEach(function (l) { map._imControl.removeLayer(l); }); }
    if (ctx.onZoom) { map.off('zoomend', ctx.onZoom); }
    if (ctx.onOverlay) { map.off('overlayadd overlayremove', ctx.onOverlay); }
    if (ctx.timer) { clearInterval(ctx.timer); }
    // Let go of the markers (a later view may reuse them).
    Object.keys(ctx.typeGroups).forEach(function (t) { ctx.typeGroups[t].clearLayers(); });
    if (ctx.clusterGroup) { ctx.clusterGroup.clearLayers(); }
    ctx.controls = []; ctx.overlays = [];
  }

  // ------------------------------------------------------------------ controls

  function summaryControl(ctx) {
    return makeControl('topleft', function (div) {
      div.classList.add('im-summary');
      var o = ctx.options, n = ((ctx.data && ctx.data.features) || []).length;
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
    var feats = ctx.data.features;
    var days = {};
    feats.forEach(function (f) { if (f.properties && f.properties.date) { days[f.properties.date] = true; } });
    var steps = Object.keys(days).sort();
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
    var layer = ctx.byId[id];
    if (!layer || !ctx.map) { return false; }
    if (!layer._map) {  // hidden by the time control, a type toggle or a cluster
      if (ctx.clustered && ctx.clusterGroup && ctx.clusterGroup.hasLayer(layer)) {
        ctx.clusterGroup.zoomToShowLayer(layer, function () { layer.fire('click', { latlng: layer.getLatLng() }, true); });
        return true;
      }
      ctx.timeUpTo = null; ctx.hiddenTypes[layer._imType] = false;
      var gj = ctx.typeGroups[layer._imType];
      if (!ctx.map.hasLayer(gj)) { ctx.map.addLayer(gj); }
      refresh(ctx);
    }
    ctx.map.panTo(layer.getLatLng());
    layer.fire('click', { latlng: layer.getLatLng() }, true);
    return true;
  };

  // For tests and scripts: every incident id currently drawn on a map.
  IM.drawnIds = function (map) {
    var ids = [];
    map.eachLayer(function (l) {
      if (l.feature && l.feature.properties && l.feature.properties.id !== undefined && l instanceof L.CircleMarker) {
        ids.push(l.feature.properties.id);
      }
    });
    return ids;
  };

  window.IncidentMap = IM;
})();
