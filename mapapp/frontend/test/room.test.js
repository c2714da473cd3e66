import test from 'node:test';
import assert from 'node:assert/strict';
import { fitShift } from '../src/room.js';

const size = { x: 1280, y: 900 }, tl = { x: 20, y: 120 }, br = { x: 20, y: 20 };

test('a popup already inside the room does not move the view', () => {
  assert.deepEqual(fitShift({ x0: 500, y0: 200, x1: 800, y1: 600 }, size, tl, br), { x: 0, y: 0 });
});

test('a popup over the top controls moves the view up by what it lacks', () => {
  // (the content moves down by 70: its top lands at 120)
  assert.deepEqual(fitShift({ x0: 500, y0: 50, x1: 800, y1: 400 }, size, tl, br), { x: 0, y: -70 });
});

test('a popup past the right and bottom edges is brought inside with the padding', () => {
  assert.deepEqual(fitShift({ x0: 1100, y0: 700, x1: 1400, y1: 1000 }, size, tl, br), { x: 140, y: 120 });
});

test('a popup larger than the room keeps its top left inside', () => {
  const s = fitShift({ x0: -100, y0: -300, x1: 1400, y1: 1000 }, size, tl, br);
  assert.deepEqual(s, { x: -120, y: -420 });
});
