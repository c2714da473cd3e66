import test from 'node:test';
import assert from 'node:assert/strict';
import { NONE16 } from '../src/decode.js';
import { shownOf } from '../src/shown.js';

// Six incidents: types 0, 1, none, 0, 1, none.
const type = Uint16Array.from([0, 1, NONE16, 0, 1, NONE16]);
const all = new Uint8Array(6).fill(1);

test('the view\'s incidents of the types switched on are shown, the others not', () => {
  const out = new Uint8Array(6);
  const shown = shownOf(out, Int32Array.from([0, 1, 2, 4]), 4, all, type, Uint8Array.from([1, 0, 1]), 2);
  assert.deepEqual([...out], [1, 0, 1, 0, 0, 0]);
  assert.equal(shown, 2);
});

test('an incident out of the time control\'s range is not shown', () => {
  const out = new Uint8Array(6), member = Uint8Array.from([1, 1, 0, 0, 1, 1]);
  const shown = shownOf(out, null, 6, member, type, Uint8Array.from([1, 1, 1]), 2);
  assert.deepEqual([...out], [1, 1, 0, 0, 1, 1]);
  assert.equal(shown, 4);
});

test('without indices the view is the first count incidents; no type on: none shown', () => {
  const out = new Uint8Array(6);
  assert.equal(shownOf(out, null, 3, all, type, Uint8Array.from([1, 1, 1]), 2), 3);
  assert.deepEqual([...out], [1, 1, 1, 0, 0, 0]);
  const none = new Uint8Array(6);
  assert.equal(shownOf(none, null, 6, all, type, new Uint8Array(3), 2), 0);
  assert.deepEqual([...none], [0, 0, 0, 0, 0, 0]);
});
