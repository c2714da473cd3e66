import test from 'node:test';
import assert from 'node:assert/strict';
import { IdLookup, SCANS } from '../src/ids.js';

test('an id is found by scanning first, then through the map, with the same answers', () => {
  const ids = ['a', 'b', '7', 'c', 'b'];
  const look = new IdLookup(ids);
  const asked = ['a', 'c', 7, '7', 'b', 'zz', '', 'A'];
  const want = [0, 3, 2, 2, 4, -1, -1, -1];
  for (let round = 0; round < SCANS; round++) {
    asked.forEach((id, k) => { assert.equal(look.indexOf(id), want[k], `round ${round}: ${id}`); });
  }
  assert.ok(look.map, 'the map is made after the first look-ups');
  asked.forEach((id, k) => { assert.equal(look.indexOf(id), want[k]); });
});

test('a single look-up makes no map (opening one incident of a million stays cheap)', () => {
  const ids = Array.from({ length: 1000 }, (_, k) => 'inc-' + k);
  const look = new IdLookup(ids);
  assert.equal(look.indexOf('inc-500'), 500);
  assert.equal(look.indexOf('inc-1000'), -1);
  assert.equal(look.map, null);
});
