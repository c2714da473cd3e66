import test from 'node:test';
import assert from 'node:assert/strict';
import { CLUSTER_CELL, bubbleColor, bubbleRadius, clusterGrid } from '../src/clusters.js';
import { mercator } from '../src/decode.js';

// n incidents at lng, lat pairs, at zoom z: the arguments clusterGrid takes.
function setup(points, zoom) {
  const n = points.length, xy = new Float64Array(points.flat());
  const { wx, wy } = mercator(xy, n);
  const S = 256 * Math.pow(2, zoom);
  const px = new Float32Array(n), py = new Float32Array(n), list = new Int32Array(n);
  for (let i = 0; i < n; i++) { px[i] = wx[i] * S; py[i] = wy[i] * S; list[i] = i; }
  return { n, xy, wx, wy, S, px, py, list, single: new Int32Array(n) };
}

function run(points, zoom, pick) {
  const s = setup(points, zoom);
  const list = pick ? Int32Array.from(pick) : s.list, m = pick ? pick.length : s.n;
  const out = clusterGrid(list, m, s.wx, s.wy, s.xy, s.px, s.py, s.S, s.single);
  return { ...out, single: [...s.single.slice(0, out.ns)].sort(), s };
}

// A plain reading: which cell of CLUSTER_CELL pixels each point falls in.
function cellOf(s, i) { return Math.floor(s.wx[i] * s.S / CLUSTER_CELL) + ',' + Math.floor(s.wy[i] * s.S / CLUSTER_CELL); }

test('near points cluster at a low zoom and split at a high one', () => {
  const pts = [[44.30, 33.00], [44.31, 33.01], [44.32, 33.02], [-0.1, 51.5]];
  const low = run(pts, 3);
  assert.equal(low.clusters.length, 1);
  assert.equal(low.clusters[0].count, 3);
  assert.deepEqual(low.single, [3]);
  const high = run(pts, 16);
  assert.equal(high.clusters.length, 0);
  assert.deepEqual(high.single, [0, 1, 2, 3]);
});

test('a cluster knows its incidents\' bounds and mean position', () => {
  const pts = [[44.30, 33.00], [44.31, 33.01], [44.32, 33.02]];
  const { clusters, s } = run(pts, 3);
  const c = clusters[0];
  assert.deepEqual(c.bounds, [[33.00, 44.30], [33.02, 44.32]]);
  assert.ok(Math.abs(c.x - (s.px[0] + s.px[1] + s.px[2]) / 3) < 1e-3);
  assert.ok(Math.abs(c.y - (s.py[0] + s.py[1] + s.py[2]) / 3) < 1e-3);
  assert.equal(c.r, bubbleRadius(3));
});

test('clusters match a plain grid count, and only listed incidents count', () => {
  // a pseudo-random cloud over Iraq and Iran
  const pts = [];
  let seed = 7;
  const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
  for (let i = 0; i < 300; i++) { pts.push([40 + rnd() * 20, 28 + rnd() * 10]); }
  const pick = [];
  for (let i = 0; i < 300; i += 2) { pick.push(i); }
  for (const zoom of [2, 4, 6, 8]) {
    const { clusters, single, s } = run(pts, zoom, pick);
    const cells = new Map();
    pick.forEach((i) => { const k = cellOf(s, i); cells.set(k, (cells.get(k) || []).concat([i])); });
    const want = [...cells.values()].filter((v) => v.length > 1).map((v) => v.length).sort((a, b) => a - b);
    assert.deepEqual(clusters.map((c) => c.count).sort((a, b) => a - b), want, 'zoom ' + zoom);
    const alone = [...cells.values()].filter((v) => v.length === 1).map((v) => v[0]).sort();
    assert.deepEqual(single, alone, 'zoom ' + zoom);
    assert.equal(clusters.reduce((t, c) => t + c.count, 0) + single.length, pick.length);
  }
});

test('bubble size and colour step at 10, 100 and 1000', () => {
  assert.deepEqual([2, 9, 10, 99, 100, 999, 1000].map(bubbleRadius), [15, 15, 18, 18, 21, 21, 24]);
  assert.notEqual(bubbleColor(9), bubbleColor(10));
  assert.notEqual(bubbleColor(99), bubbleColor(100));
  assert.equal(bubbleColor(100), bubbleColor(5000));
});
