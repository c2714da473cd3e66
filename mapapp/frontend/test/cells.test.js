import test from 'node:test';
import assert from 'node:assert/strict';
import { CELL_PX, MAX_TYPES, binCells, breakdown, cellAt, cellBox, dominant, filledCells, maxCount, rampColor,
         rampPosition, shortCount, textOn } from '../src/cells.js';
import { NONE16, NONE32, mercator } from '../src/decode.js';

// A pseudo-random cloud of n incidents over Iraq and Iran with colour, type and date codes.
function cloud(n, seed = 11) {
  let s = seed;
  const rnd = () => { s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648; };
  const xy = new Float64Array(2 * n), color = new Uint8Array(n), type = new Uint16Array(n), date = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    xy[2 * i] = 40 + rnd() * 20; xy[2 * i + 1] = 28 + rnd() * 10;
    color[i] = Math.floor(rnd() * 4); type[i] = i % 7 === 6 ? NONE16 : i % 3; date[i] = i % 11 === 10 ? NONE32 : i % 50;
  }
  const { wx, wy } = mercator(xy, n);
  return { n, wx, wy, vis: new Uint8Array(n).fill(1), color, ncolor: 4, type, ntype: 3, date };
}

// The world-pixel box of a map view: the cloud's bounding box at zoom z.
function worldBox(src, zoom) {
  const S = 256 * Math.pow(2, zoom);
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (let i = 0; i < src.n; i++) {
    x0 = Math.min(x0, src.wx[i] * S); x1 = Math.max(x1, src.wx[i] * S);
    y0 = Math.min(y0, src.wy[i] * S); y1 = Math.max(y1, src.wy[i] * S);
  }
  return { S, box: [x0, y0, x1, y1] };
}

test('every shown incident in the box is counted once, in the cell a plain reading puts it in', () => {
  const src = cloud(5000);
  for (let i = 0; i < src.n; i += 3) { src.vis[i] = 0; }  // (filtered out)
  for (const zoom of [3, 5, 7]) {
    const { S, box } = worldBox(src, zoom);
    const grid = binCells(src, S, box, CELL_PX);
    const want = new Map();
    let shown = 0;
    for (let i = 0; i < src.n; i++) {
      if (!src.vis[i]) { continue; }
      shown += 1;
      const key = Math.floor(src.wx[i] * S / CELL_PX) + ',' + Math.floor(src.wy[i] * S / CELL_PX);
      want.set(key, (want.get(key) || 0) + 1);
    }
    assert.equal(grid.total, shown, 'zoom ' + zoom);
    const got = new Map();
    filledCells(grid).forEach((k) => {
      const b = cellBox(grid, k);
      got.set((b[0] / CELL_PX) + ',' + (b[1] / CELL_PX), grid.count[k]);
    });
    assert.deepEqual(got, want, 'zoom ' + zoom);
  }
});

test('only the cells that touch the box count, and a cell keeps its count while the box pans', () => {
  const src = cloud(4000);
  const { S, box } = worldBox(src, 6);
  const mid = [(box[0] + box[2]) / 2, (box[1] + box[3]) / 2];
  const half = binCells(src, S, [box[0], box[1], mid[0], mid[1]], CELL_PX);
  assert.ok(half.total > 0 && half.total < src.n);
  const moved = binCells(src, S, [box[0] + 7, box[1] + 5, mid[0] + 7, mid[1] + 5], CELL_PX);
  // (a cell present in both views has the same count: the grid is the zoom's, not the view's)
  let same = 0;
  filledCells(half).forEach((k) => {
    const b = cellBox(half, k), j = cellAt(moved, b[0] + 1, b[1] + 1);
    if (j >= 0) { assert.equal(moved.count[j], half.count[k]); same += 1; }
  });
  assert.ok(same > 0);
  for (let i = 0; i < src.n; i++) {
    const x = src.wx[i] * S, y = src.wy[i] * S;
    const inCells = x >= half.c0 * CELL_PX && x < (half.c0 + half.cols) * CELL_PX && y >= half.r0 * CELL_PX && y < (half.r0 + half.rows) * CELL_PX;
    assert.equal(cellAt(half, x, y) >= 0, inCells);
  }
});

test('a cell\'s colour, type and date counts add up to its count', () => {
  const src = cloud(3000);
  const { S, box } = worldBox(src, 4);
  const grid = binCells(src, S, box, 32);
  filledCells(grid).forEach((k) => {
    let byColor = 0, byType = 0;
    for (let c = 0; c < grid.ncolor; c++) { byColor += grid.byColor[k * grid.ncolor + c]; }
    for (let t = 0; t < grid.ntype; t++) { byType += grid.byType[k * grid.ntype + t]; }
    assert.equal(byColor, grid.count[k]); assert.equal(byType, grid.count[k]);
  });
  // the "no type" bucket is the last one and holds exactly the NONE16 incidents
  let none = 0, noneCounted = 0;
  for (let i = 0; i < src.n; i++) { if (src.type[i] === NONE16) { none += 1; } }
  filledCells(grid).forEach((k) => { noneCounted += grid.byType[k * grid.ntype + grid.ntype - 1]; });
  assert.equal(noneCounted, none);
});

test('breakdown: names, sorted counts summing to the cell, the date range', () => {
  const src = cloud(2000);
  const { S, box } = worldBox(src, 2);
  const grid = binCells(src, S, box, 200);
  const names = { colors: ['Iran', 'Iraq', 'United States', 'Other actors'], types: ['Battles', 'Protests', 'Riots'],
                  dates: Array.from({ length: 50 }, (_, d) => '2020-01-' + String(d + 1).padStart(2, '0')) };
  const palette = ['#0072B2', '#D55E00', '#009E73', '#8c8c8c'];
  const k = filledCells(grid).sort((p, q) => grid.count[q] - grid.count[p])[0];
  const b = breakdown(grid, k, names, palette);
  assert.equal(b.count, grid.count[k]);
  for (const list of [b.actors, b.types]) {
    assert.equal(list.reduce((t, a) => t + a.count, 0), b.count);
    for (let j = 1; j < list.length; j++) { assert.ok(list[j - 1].count >= list[j].count); }
    assert.ok(list.every((a) => a.count > 0));
  }
  assert.ok(b.types.some((t) => t.name === 'No type'));
  assert.equal(b.actors.find((a) => a.name === 'Iran').color, '#0072B2');
  assert.ok(b.dates[0] <= b.dates[1] && b.dates[0].startsWith('2020-01-'));
  assert.equal(dominant(grid.byColor, k, grid.ncolor), names.colors.indexOf(b.actors[0].name));
});

test('more types than MAX_TYPES share one bucket; a cell with no dates has no range', () => {
  const n = 600, xy = new Float64Array(2 * n).fill(0);
  const { wx, wy } = mercator(xy, n);
  const type = new Uint16Array(n).map((_, i) => i % 300);
  const src = { n, wx, wy, vis: new Uint8Array(n).fill(1), color: new Uint8Array(n), ncolor: 1, type, ntype: 300,
                date: new Uint32Array(n).fill(NONE32) };
  const grid = binCells(src, 256, [100, 100, 150, 150], 40);
  assert.equal(grid.ntype, MAX_TYPES + 1);
  const k = filledCells(grid)[0];
  const b = breakdown(grid, k, { colors: ['A'], types: Array.from({ length: 300 }, (_, t) => 'T' + t), dates: [] }, ['#000000']);
  assert.equal(b.types.find((t) => t.name === 'Other types').count, 2 * 45);
  assert.equal(b.dates, null);
  assert.equal(b.count, n);
});

test('the ramp: log scale, dark to light, readable text on every step', () => {
  assert.equal(rampPosition(1, 1000), 0);
  assert.equal(rampPosition(1000, 1000), 1);
  assert.ok(Math.abs(rampPosition(31.6, 1000) - 0.5) < 0.01);
  const lum = (c) => 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  for (let j = 0; j < 10; j++) { assert.ok(lum(rampColor(j / 10)) < lum(rampColor((j + 1) / 10))); }
  assert.equal(textOn(rampColor(0)), '#ffffff');
  assert.equal(textOn(rampColor(1)), '#111111');
});

test('labels stay short: at most 4 characters up to 9.9M', () => {
  assert.deepEqual([7, 950, 1000, 1299, 9999, 12345, 999999, 1250000].map(shortCount),
                   ['7', '950', '1k', '1.2k', '9.9k', '12k', '999k', '1.2M']);
  for (const v of [1, 99, 999, 5555, 55555, 555555, 5555555]) { assert.ok(shortCount(v).length <= 4, v); }
  assert.equal(maxCount({ count: new Int32Array([0, 3, 9, 2]) }), 9);
});
