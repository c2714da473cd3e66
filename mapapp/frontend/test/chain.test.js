import test from 'node:test';
import assert from 'node:assert/strict';
import { chainLines, relationWords } from '../src/chain.js';
import { NONE32 } from '../src/decode.js';

test('a link recorded on both incidents is one line, from the earlier to the later', () => {
  // row 0 is later (day 5) than row 1 (day 2): the line runs 1 -> 0
  const date = Uint32Array.from([5, 2, 7]);
  assert.deepEqual(chainLines([[0, 1, 'response_to'], [1, 0, 'related']], date), [[1, 0, 'response_to']]);
  assert.deepEqual(chainLines([[1, 0, 'related'], [0, 1, 'response_to']], date), [[1, 0, 'related']]);
});

test('one-way links keep their direction; self links go', () => {
  const date = Uint32Array.from([5, 2, 7]);
  assert.deepEqual(chainLines([[0, 1, 'a'], [2, 0, 'b'], [2, 2, 'c']], date), [[0, 1, 'a'], [2, 0, 'b']]);
});

test('an unknown day keeps the recorded direction', () => {
  const date = Uint32Array.from([NONE32, 2]);
  assert.deepEqual(chainLines([[0, 1, 'a'], [1, 0, 'a']], date), [[0, 1, 'a']]);
});

test('relations read as words', () => {
  assert.equal(relationWords('response_to'), 'response to');
  assert.equal(relationWords(null), 'related');
});
