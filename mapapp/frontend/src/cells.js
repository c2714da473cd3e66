// Cells: when a view holds more incidents than a person can read as points
// (LayerOptions.cells_threshold), the map counts them per square cell of the
// map's pixel grid instead. This module is the arithmetic (no DOM, no
// Leaflet): one pass over typed arrays into dense per-cell counts, the
// colour ramp, the labels and a cell's breakdown. cellsdraw.js draws them.

import { NONE32 } from './decode.js';

/** A cell's side in screen pixels (docs/performance.md, "Cells"). */
export const CELL_PX = 40;

/** Incidents in view above which the map draws cells (LayerOptions.cells_threshold). */
export const CELLS_THRESHOLD = 50000;

/** Event type buckets kept apart per cell; codes beyond share the last one. */
export const MAX_TYPES = 255;

/**
 * Count the shown incidents per cell of ``cell`` pixels at scale ``S``
 * (256 * 2^zoom), over the cells that touch the box ``[x0, y0, x1, y1]`` in
 * world pixels (the map's bounds). One pass, typed arrays only.
 *
 * ``src``: ``{n, wx, wy, vis, color, ncolor, type, ntype, date}``: Mercator
 * positions at zoom 0, which incidents are shown (1) and their colour,
 * type and date codes (see decode.js for the "none" codes).
 *
 * Returns the grid ``{c0, r0, cols, rows, cell, S, total, count, byColor,
 * byType, dmin, dmax, ncolor, ntype}``: cell ``k = row * cols + col``
 * is grid cell ``(c0 + col, r0 + row)``; ``byColor[k * ncolor + c]`` and
 * ``byType[k * ntype + t]`` its counts per colour and per type bucket
 * (``ntype - 1``: no type, and with ``lumped`` the types beyond MAX_TYPES); ``dmin``/``dmax`` its
 * first and last date codes (NONE32 when none).
 */
export function binCells(src, S, box, cell) {
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
    if (!vis[i]) { continue; }
    const gx = Math.floor(wx[i] * f) - c0;
    if (gx < 0 || gx >= cols) { continue; }
    const gy = Math.floor(wy[i] * f) - r0;
    if (gy < 0 || gy >= rows) { continue; }
    const k = gy * cols + gx, t = type[i];
    count[k] += 1;
    byColor[k * ncolor + (color[i] < ncolor ? color[i] : ncolor - 1)] += 1;
    byType[k * ntype + (t < other ? t : other)] += 1;
    const d = date[i];
    if (d !== NONE32) {
      if (d < dmin[k]) { dmin[k] = d; }
      if (d > dmax[k]) { dmax[k] = d; }
    }
    total += 1;
  }
  for (let k = 0; k < ncell; k++) { if (dmin[k] === NONE32) { dmax[k] = NONE32; } }
  return { c0, r0, cols, rows, cell, S, total, count, byColor, byType, dmin, dmax, ncolor, ntype, lumped: src.ntype > MAX_TYPES };
}

/** The cells holding incidents: their numbers ``k`` in the grid. */
export function filledCells(grid) {
  const out = [];
  for (let k = 0; k < grid.count.length; k++) { if (grid.count[k]) { out.push(k); } }
  return out;
}

/** Cell ``k``'s box in world pixels at the grid's scale: [x0, y0, x1, y1]. */
export function cellBox(grid, k) {
  const col = k % grid.cols, row = Math.floor(k / grid.cols);
  const x0 = (grid.c0 + col) * grid.cell, y0 = (grid.r0 + row) * grid.cell;
  return [x0, y0, x0 + grid.cell, y0 + grid.cell];
}

/** The cell under world pixel (x, y), or -1 (outside the grid or empty). */
export function cellAt(grid, x, y) {
  const col = Math.floor(x / grid.cell) - grid.c0, row = Math.floor(y / grid.cell) - grid.r0;
  if (col < 0 || row < 0 || col >= grid.cols || row >= grid.rows) { return -1; }
  const k = row * grid.cols + col;
  return grid.count[k] ? k : -1;
}

/** The largest cell count of the grid (at least 1). */
export function maxCount(grid) {
  let m = 1;
  for (let k = 0; k < grid.count.length; k++) { if (grid.count[k] > m) { m = grid.count[k]; } }
  return m;
}

// Viridis (colour-blind safe, sequential, readable in grey), 9 stops.
const RAMP = [[68, 1, 84], [71, 45, 123], [59, 82, 139], [44, 114, 142], [33, 145, 140],
              [39, 173, 129], [92, 200, 99], [170, 220, 50], [253, 231, 37]];

/** Where a count sits on the ramp, 0..1, on a log scale from 1 to ``max``. */
export function rampPosition(count, max) {
  if (max <= 1) { return 1; }
  return Math.min(Math.max(Math.log(Math.max(count, 1)) / Math.log(max), 0), 1);
}

/** The ramp's colour at ``t`` (0..1) as [r, g, b]. */
export function rampColor(t) {
  const x = Math.min(Math.max(t, 0), 1) * (RAMP.length - 1), j = Math.min(Math.floor(x), RAMP.length - 2), f = x - j;
  return RAMP[j].map((v, c) => Math.round(v + (RAMP[j + 1][c] - v) * f));
}

/** "#rrggbb" of [r, g, b]. */
export function hex(rgb) {
  return '#' + rgb.map((v) => v.toString(16).padStart(2, '0')).join('');
}

/** Black or white, whichever reads better on [r, g, b] (WCAG relative luminance). */
export function textOn(rgb) {
  const lin = rgb.map((v) => { const s = v / 255; return s <= 0.03928 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4); });
  const lum = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2];
  return (lum + 0.05) / 0.05 > 1.05 / (lum + 0.05) ? '#111111' : '#ffffff';
}

/** "#rrggbb" as [r, g, b] (grey for anything else). */
export function rgbOf(color) {
  const m = /^#([0-9a-f]{6})$/i.exec(String(color || ''));
  if (!m) { return [140, 140, 140]; }
  const v = parseInt(m[1], 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

/** A cell's label: 7, 950, 1.2k, 12k, 1.2M. */
export function shortCount(n) {
  if (n < 1000) { return String(n); }
  if (n < 10000) { return (Math.floor(n / 100) / 10) + 'k'; }
  if (n < 1000000) { return Math.floor(n / 1000) + 'k'; }
  return (Math.floor(n / 100000) / 10) + 'M';
}

/** Colours for the event types when cells are split by type (Okabe-Ito, then Tol). */
export const TYPE_COLORS = ['#E69F00', '#56B4E9', '#009E73', '#F0E442', '#0072B2', '#D55E00',
                            '#CC79A7', '#882255', '#332288', '#999933', '#44AA99', '#AA4499'];

/** Event type bucket ``t``'s colour (grey: no type, or beyond the list). */
export function typeColor(t, ntype) {
  return t < ntype - 1 && t < TYPE_COLORS.length ? TYPE_COLORS[t] : '#8c8c8c';
}

/** The bucket with the most incidents in cell ``k`` of ``counts`` (``width`` buckets a cell). */
export function dominant(counts, k, width) {
  let best = 0, bestN = -1;
  for (let j = 0; j < width; j++) { if (counts[k * width + j] > bestN) { bestN = counts[k * width + j]; best = j; } }
  return best;
}

/**
 * Cell ``k``'s breakdown: ``{count, actors, types, dates}``, each list
 * ``[{name, count, color}]`` sorted by count (largest first, then name), no
 * empty entries, summing to the cell's count; ``dates``: [first, last]
 * days or null. ``names``: ``{colors: [name per colour code], types: [name
 * per type code], dates: [day per date code]}``.
 */
export function breakdown(grid, k, names, palette) {
  const list = (counts, width, nameOf, colorOf) => {
    const out = [];
    for (let j = 0; j < width; j++) {
      const c = counts[k * width + j];
      if (c) { out.push({ name: nameOf(j), count: c, color: colorOf(j) }); }
    }
    return out.sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  };
  const other = grid.ntype - 1;
  const actors = list(grid.byColor, grid.ncolor, (j) => names.colors[j] || 'Other actors', (j) => palette[j] || '#8c8c8c');
  const types = list(grid.byType, grid.ntype,
                     (j) => (j < other && names.types[j] !== undefined ? names.types[j] : j === other && grid.lumped ? 'Other types' : 'No type'),
                     (j) => typeColor(j, grid.ntype));
  const d0 = grid.dmin[k], d1 = grid.dmax[k];
  const dates = d0 === NONE32 ? null : [names.dates[d0], names.dates[d1]];
  return { count: grid.count[k], actors, types, dates };
}
