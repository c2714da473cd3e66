// Cells on the map: drawn on the incident canvas in place of the points when
// a view holds more than LayerOptions.cells_threshold incidents in the map's
// bounds (cells.js counts them), a cell's breakdown in a popup, the panel on
// the summary (ramp, "colour by" choice) and the state scripts read
// (IncidentMap.cells).

import * as compat from './compat.js';
import { el } from './dom.js';
import { fmtInt } from './format.js';
import { CELLS_THRESHOLD, CELL_PX, binCells, breakdown, cellBox, dominant, filledCells, hex,
         maxCount, rampColor, rampPosition, rgbOf, shortCount, textOn, typeColor } from './cells.js';
import { controlRects, popupPadding } from './room.js';

/** The choices of the "colour by" control. */
export const SPLITS = [['count', 'Count'], ['actor', 'Main actor'], ['type', 'Main event type']];

/** How a map's cells are coloured now ('count', 'actor' or 'type'). */
export function splitOf(map) { return map._imCellSplit || 'count'; }

/** The view's threshold and cell size (LayerOptions), or null: never cells. */
export function cellOptions(ctx) {
  const opts = (ctx && ctx.options) || {};
  if (!ctx || opts.story) { return null; }  // (a story shows its incidents)
  const threshold = opts.cells_threshold === undefined ? CELLS_THRESHOLD : opts.cells_threshold;
  if (threshold === null || threshold === false || !(threshold >= 0)) { return null; }
  return { threshold: threshold, cell: Math.max(opts.cell_px || CELL_PX, 8) };
}

/**
 * The grid of a canvas set when its incidents in the map's bounds are
 * more than the threshold, else null. ``view``: the canvas's draw state
 * (``S``, and ``bounds``: the map's pixel bounds, world pixels).
 */
export function cellsFor(set, view) {
  const co = cellOptions(set.ctx);
  if (!co || set.shown <= co.threshold) { return null; }
  const ds = set.ds, b = view.bounds;
  const grid = binCells({ n: ds.n, wx: ds.wx, wy: ds.wy, vis: set.vis, color: ds.color, ncolor: ds.palette.length,
                          type: ds.type, ntype: ds.types.length, date: ds.date },
                        view.S, [b.min.x, b.min.y, b.max.x, b.max.y], co.cell);
  return grid.total > co.threshold ? grid : null;
}

// The fill of cell k: by count on the ramp, or its main actor's or type's colour.
function cellFill(grid, k, split, palette, top) {
  if (split === 'actor') { return rgbOf(palette[dominant(grid.byColor, k, grid.ncolor)]); }
  if (split === 'type') { return rgbOf(typeColor(dominant(grid.byType, k, grid.ntype), grid.ntype)); }
  return rampColor(rampPosition(grid.count[k], top));
}

function overlaps(rects, x0, y0, x1, y1) {
  return rects.some((r) => x1 > r.x0 && x0 < r.x1 && y1 > r.y0 && y0 < r.y1);
}

/**
 * Draw a grid's cells (layer pixels: world minus ``view.o``) with their
 * counts where a label fits and no control covers it. Returns what was
 * drawn: ``{set, grid, cells, labels, o, split}``.
 */
export function drawCells(g, set, grid, view, map) {
  const split = splitOf(map), palette = set.ds.palette, cells = filledCells(grid), top = maxCount(grid);
  const shift = map.layerPointToContainerPoint([0, 0]), rects = controlRects(map), labels = {};
  const gap = grid.cell >= 16 ? 1 : 0;
  g.save();
  g.font = '600 12px system-ui, sans-serif'; g.textAlign = 'center'; g.textBaseline = 'middle';
  cells.forEach((k) => {
    const b = cellBox(grid, k), x = b[0] - view.o.x, y = b[1] - view.o.y, rgb = cellFill(grid, k, split, palette, top);
    g.globalAlpha = 0.78; g.fillStyle = hex(rgb);
    g.fillRect(x + gap, y + gap, grid.cell - 2 * gap, grid.cell - 2 * gap);
    const text = shortCount(grid.count[k]), w = g.measureText(text).width;
    const cx = x + grid.cell / 2 + shift.x, cy = y + grid.cell / 2 + shift.y;
    if (w + 6 > grid.cell || overlaps(rects, cx - w / 2 - 2, cy - 8, cx + w / 2 + 2, cy + 8)) { return; }
    g.globalAlpha = 1; g.fillStyle = textOn(rgb);
    g.fillText(text, x + grid.cell / 2, y + grid.cell / 2 + 0.5);
    labels[k] = text;
  });
  g.restore();
  return { set: set, grid: grid, cells: cells, labels: labels, o: view.o, split: split };
}

// The names behind a grid's codes: each palette colour's actor (from the
// legend; grey: the others), each type, each date.
function names(ctx, ds) {
  const byColor = {};
  ((ctx && ctx.options.legend_actors) || []).forEach((a) => { byColor[String(a.color).toLowerCase()] = a.name; });
  return { colors: ds.palette.map((c) => byColor[String(c).toLowerCase()] || 'Other actors'), types: ds.types, dates: ds.dates };
}

/** A cell's latitude/longitude bounds on ``map``. */
export function cellLatLngs(map, grid, k) {
  const b = cellBox(grid, k), zoom = Math.log2(grid.S / 256);
  return L.latLngBounds(map.unproject([b[0], b[3]], zoom), map.unproject([b[2], b[1]], zoom));
}

/**
 * What the map's cells are, for scripts and tests (IncidentMap.cells):
 * ``{mode: 'cells'|'points', count, zoom, cell, split, cells: [{bounds:
 * [[s, w], [n, e]], x, y, width, height (container pixels), count, label
 * (the drawn text, or null), actors, types, dates}]}``.
 */
export function cellsState(map) {
  const c = map._imCanvas, out = { mode: 'points', count: null, zoom: map.getZoom(), cell: null, split: splitOf(map), cells: [] };
  const drawnCells = (c && c._imCells) || [];
  if (!drawnCells.length) { return out; }
  const shift = map.layerPointToContainerPoint([0, 0]);
  out.mode = 'cells'; out.count = 0;
  drawnCells.forEach((d) => {
    const grid = d.grid, nm = names(d.set.ctx, d.set.ds);
    out.cell = grid.cell; out.count += grid.total;
    d.cells.forEach((k) => {
      const b = cellBox(grid, k), ll = cellLatLngs(map, grid, k), info = breakdown(grid, k, nm, d.set.ds.palette);
      out.cells.push({ bounds: [[ll.getSouth(), ll.getWest()], [ll.getNorth(), ll.getEast()]],
                       x: b[0] - d.o.x + shift.x, y: b[1] - d.o.y + shift.y, width: grid.cell, height: grid.cell,
                       count: info.count, label: d.labels[k] || null, actors: info.actors, types: info.types, dates: info.dates });
    });
  });
  return out;
}

// A breakdown list: every entry up to 13 (the legend's actors and the
// others), else the 12 largest and one line for the rest.
function breakdownTable(title, cls, items) {
  const box = el('div', 'im-cell-part');
  box.appendChild(el('div', 'im-subhead', title));
  const table = el('table', 'im-table im-cell-table');
  const shown = items.length > 13 ? items.slice(0, 12) : items.slice(), rest = items.slice(shown.length);
  if (rest.length) {
    shown.push({ name: rest.length + ' more', count: rest.reduce((t, a) => t + a.count, 0), color: '#8c8c8c', more: true });
  }
  shown.forEach((a) => {
    const tr = el('tr', 'im-cell-row ' + cls + (a.more ? ' im-cell-more' : ''));
    tr.setAttribute('data-count', String(a.count));
    const th = el('th'), sw = el('span', 'im-swatch im-cell-swatch');
    sw.style.background = a.color;
    th.appendChild(sw); th.appendChild(document.createTextNode(' ' + a.name));
    tr.appendChild(th); tr.appendChild(el('td', 'im-cell-n', fmtInt(a.count)));
    table.appendChild(tr);
  });
  box.appendChild(table);
  return box;
}

/** Cell ``k`` of a drawn grid: its popup (text only), with a "Zoom in" button. */
export function openCellPopup(map, drawnGrid, k) {
  const grid = drawnGrid.grid, set = drawnGrid.set, info = breakdown(grid, k, names(set.ctx, set.ds), set.ds.palette);
  const bounds = cellLatLngs(map, grid, k);
  const root = el('div', 'im-popup im-cell-popup');
  root.setAttribute('data-count', String(info.count));
  root.appendChild(el('div', 'im-title', fmtInt(info.count) + (info.count === 1 ? ' incident' : ' incidents') + ' in this cell'));
  if (info.dates) {
    root.appendChild(el('div', 'im-cell-dates', info.dates[0] === info.dates[1] ? info.dates[0] : info.dates[0] + ' to ' + info.dates[1]));
  }
  // (the button above the lists: in view without scrolling the popup)
  const zoom = el('button', 'im-cell-zoom', 'Zoom in');
  zoom.type = 'button';
  zoom.addEventListener('click', () => { map.closePopup(); map.fitBounds(bounds); });
  root.appendChild(zoom);
  root.appendChild(breakdownTable('Actors', 'im-cell-actor', info.actors));
  root.appendChild(breakdownTable('Event types', 'im-cell-type', info.types));
  L.popup(Object.assign({ maxWidth: 320, className: 'im-cell-popup-wrap' }, popupPadding(map)))
    .setLatLng(bounds.getCenter()).setContent(root).openOn(map);
  return root;
}

/** The cell under layer point ``p`` of the drawn grids: ``{drawn, k}``, or null. */
export function cellHit(drawnCells, p) {
  for (let j = drawnCells.length - 1; j >= 0; j--) {
    const d = drawnCells[j], grid = d.grid, x = p.x + d.o.x, y = p.y + d.o.y;
    const col = Math.floor(x / grid.cell) - grid.c0, row = Math.floor(y / grid.cell) - grid.r0;
    if (col < 0 || row < 0 || col >= grid.cols || row >= grid.rows) { continue; }
    const k = row * grid.cols + col;
    if (grid.count[k]) { return { drawn: d, k: k }; }
  }
  return null;
}

// The ramp as a CSS gradient.
function rampCss() {
  const stops = [];
  for (let j = 0; j <= 8; j++) { stops.push(hex(rampColor(j / 8)) + ' ' + (j * 12.5) + '%'); }
  return 'linear-gradient(to right, ' + stops.join(', ') + ')';
}

/**
 * The cells' part of the summary (shown only while cells are drawn): how
 * many incidents the cells hold, the "colour by" choice and the key to
 * the colours. Returns ``{node, update(state)}``.
 */
export function cellsPanel(map, canvas) {
  const node = el('div', 'im-cells');
  node.hidden = true;
  const line = el('div', 'im-cells-line');
  const pick = el('label', 'im-cells-pick', 'Colour by ');
  const select = el('select', 'im-cells-split');
  SPLITS.forEach(([value, text]) => { const o = el('option', null, text); o.value = value; select.appendChild(o); });
  select.value = splitOf(map);
  select.addEventListener('change', () => { map._imCellSplit = select.value; canvas.changed(); });
  pick.appendChild(select);
  const key = el('div', 'im-cells-key');
  node.appendChild(line); node.appendChild(pick); node.appendChild(key);
  function update(state) {
    node.hidden = state.mode !== 'cells';
    if (node.hidden) { return; }
    line.textContent = fmtInt(state.count) + ' in view, counted per ' + state.cell + ' px cell: zoom in or filter for single incidents';
    select.value = state.split;
    key.textContent = '';
    if (state.split === 'count') {
      const top = state.cells.reduce((m, c) => Math.max(m, c.count), 1);
      const bar = el('div', 'im-cells-ramp');
      bar.style.background = rampCss();
      const ends = el('div', 'im-cells-ends');
      ends.appendChild(el('span', null, '1')); ends.appendChild(el('span', null, fmtInt(top) + ' (log scale)'));
      key.appendChild(bar); key.appendChild(ends);
      return;
    }
    const seen = {};
    state.cells.forEach((c) => {
      const main = (state.split === 'actor' ? c.actors : c.types)[0];
      if (main && !seen[main.name]) { seen[main.name] = main.color; }
    });
    Object.keys(seen).sort().forEach((name) => {
      const row = el('div', 'im-legend-row'), sw = el('span', 'im-swatch');
      sw.style.background = seen[name]; sw.style.borderRadius = '2px';
      row.appendChild(sw); row.appendChild(document.createTextNode(name));
      key.appendChild(row);
    });
  }
  return { node: node, update: update };
}

/** Whether ``map``'s canvas shows cells now. */
export function showingCells(map) {
  const c = map && map._imCanvas;
  return !!(c && compat.mapOf(c) && c._imCells && c._imCells.length);
}
