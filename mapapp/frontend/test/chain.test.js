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

test('chainLines gives what a search of every link for its reverse gives, on made-up links', () => {
  // The rule stated plainly (a search per link: too slow for a million incidents' links).
  function reference(links, date) {
    const seen = new Set(), out = [];
    for (const [f, t, r] of links) {
      if (f === t) { continue; }
      const key = Math.min(f, t) + ',' + Math.max(f, t);
      if (seen.has(key)) { continue; }
      const both = links.some((m) => m[0] === t && m[1] === f);
      const flip = both && date[f] !== 4294967295 && date[t] !== 4294967295 && date[t] < date[f];
      out.push(flip ? [t, f, r] : [f, t, r]);
      seen.add(key);
    }
    return out;
  }
  let seed = 7;
  const rand = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
  for (let round = 0; round < 50; round++) {
    const n = 2 + rand(12);
    const date = Uint32Array.from({ length: n }, () => (rand(5) === 0 ? 4294967295 : rand(9)));
    const links = Array.from({ length: rand(30) }, () => [rand(n), rand(n), ['follows', 'response_to'][rand(2)]]);
    assert.deepEqual(chainLines(links, date), reference(links, date), 'round ' + round);
  }
});
