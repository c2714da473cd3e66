import test from 'node:test';
import assert from 'node:assert/strict';
import { RADIUS, SHAPES, SHAPE_OFFSETS, shapeCode, shapeGlyph, shapePoints } from '../src/shapes.js';

const centroid = (pts) => [pts.reduce((t, p) => t + p[0], 0) / pts.length, pts.reduce((t, p) => t + p[1], 0) / pts.length];
const near = (a, b, eps = 1e-9) => Math.abs(a - b) < eps;

test('a circle (or an unknown shape) has no corners', () => {
  assert.equal(shapePoints('circle', 0, 0, 5), null);
  assert.equal(shapePoints('blob', 0, 0, 5), null);
});

test('corner counts and centring', () => {
  const corners = { square: 4, diamond: 4, triangle: 3, 'triangle-down': 3, star: 10, hexagon: 6 };
  for (const [shape, k] of Object.entries(corners)) {
    const pts = shapePoints(shape, 10, 20, 5);
    assert.equal(pts.length, k, shape);
    if (shape !== 'triangle' && shape !== 'triangle-down') {
      const [cx, cy] = centroid(pts);
      assert.ok(near(cx, 10) && near(cy, 20), shape + ' is centred');
    }
  }
});

test('a square is axis-aligned with sides of 1.8 r', () => {
  const pts = shapePoints('square', 0, 0, 10);
  assert.deepEqual(pts, [[-9, -9], [9, -9], [9, 9], [-9, 9]]);
});

test('the triangles point up and down and mirror each other', () => {
  const up = shapePoints('triangle', 0, 0, 4), down = shapePoints('triangle-down', 0, 0, 4);
  assert.ok(up[0][1] < 0, 'apex above the centre (screen y grows down)');
  assert.ok(down[0][1] > 0);
  up.forEach((p, i) => { assert.ok(near(p[0], down[i][0]) && near(p[1], -down[i][1])); });
});

test('a star alternates outer and inner points', () => {
  const r = 6, pts = shapePoints('star', 0, 0, r);
  pts.forEach((p, i) => {
    assert.ok(near(Math.hypot(p[0], p[1]), (i % 2 ? 0.5 : 1.3) * r), 'point ' + i);
  });
  assert.ok(near(pts[0][0], 0) && pts[0][1] < 0, 'first point straight up');
});

test('offsets by code, codes by name, glyphs', () => {
  assert.equal(SHAPE_OFFSETS.length, SHAPES.length);
  SHAPES.forEach((s, k) => {
    assert.deepEqual(SHAPE_OFFSETS[k], shapePoints(s, 0, 0, RADIUS));
    assert.equal(shapeCode(s), k);
  });
  assert.equal(shapeCode('nonsense'), 0);
  assert.equal(shapeCode(undefined), 0);
  assert.equal(shapeGlyph('star'), '\u2605');
  assert.equal(shapeGlyph('nonsense'), shapeGlyph('circle'));
});
