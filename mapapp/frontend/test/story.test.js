import test from 'node:test';
import assert from 'node:assert/strict';
import { clampStep, highlightOf, keyStep, markSpan, narrowPanel, parseHash, stepDates, stepHash, stepLabel } from '../src/story.js';

test('a step is clamped to the story', () => {
  assert.equal(clampStep(3, 12), 3);
  assert.equal(clampStep(0, 12), 1);
  assert.equal(clampStep(-4, 12), 1);
  assert.equal(clampStep(99, 12), 12);
  assert.equal(clampStep(2.6, 12), 3);
  assert.equal(clampStep('x', 12), 1);
  assert.equal(clampStep(3, 0), null);
});

test('the hash #step=N names a step, clamped; anything else names none', () => {
  assert.equal(parseHash('#step=3', 12), 3);
  assert.equal(parseHash('step=3', 12), 3);
  assert.equal(parseHash('#a=1&step=4', 12), 4);
  assert.equal(parseHash('#step=40', 12), 12);
  assert.equal(parseHash('#step=0', 12), 1);
  assert.equal(parseHash('#step=-2', 12), 1);
  assert.equal(parseHash('#step=2x', 12), null);
  assert.equal(parseHash('#step=', 12), null);
  assert.equal(parseHash('#step=1e3', 12), null);
  assert.equal(parseHash('#steps=2', 12), null);
  assert.equal(parseHash('', 12), null);
  assert.equal(parseHash(undefined, 12), null);
  assert.equal(parseHash('#step=3', 0), null);
  assert.equal(parseHash(stepHash(7), 12), 7);
});

test('arrow keys step back and forth, never past either end', () => {
  assert.equal(keyStep('ArrowRight', 3, 12), 4);
  assert.equal(keyStep('ArrowLeft', 3, 12), 2);
  assert.equal(keyStep('ArrowLeft', 1, 12), null);
  assert.equal(keyStep('ArrowRight', 12, 12), null);
  assert.equal(keyStep('ArrowUp', 3, 12), null);
  assert.equal(keyStep('Enter', 3, 12), null);
});

test('a step highlights exactly its incidents the view has, each once', () => {
  const ids = ['a', 'b', 'c', 'd'];
  const indexOf = (id) => ids.indexOf(id);
  const hi = highlightOf(['c', 'a', 'zz', 'c'], 4, indexOf);
  assert.deepEqual(Array.from(hi.mask), [1, 0, 1, 0]);
  assert.deepEqual(hi.ids, ['c', 'a']);
  assert.deepEqual(hi.indices, [2, 0]);
  const inView = Uint8Array.from([1, 1, 0, 1]);
  assert.deepEqual(highlightOf(['c', 'a'], 4, indexOf, inView).ids, ['a']);
  assert.deepEqual(highlightOf(undefined, 4, indexOf).ids, []);
});

test("a step's dates: its own, else its incidents' first and last day", () => {
  const days = ['2020-01-03', null, '2019-12-27'];
  assert.deepEqual(stepDates({ dates: ['2020-01-01', '2020-01-02'] }, [0], (i) => days[i]), ['2020-01-01', '2020-01-02']);
  assert.deepEqual(stepDates({}, [0, 1, 2], (i) => days[i]), ['2019-12-27', '2020-01-03']);
  assert.equal(stepDates({ dates: null }, [1], (i) => days[i]), null);
});

test("the step's days on the time control's track", () => {
  const days = ['2019-05-12', '2019-06-13', '2019-12-27', '2020-01-03', '2020-03-11'];
  assert.deepEqual(markSpan(days, '2019-12-27', '2019-12-27'), [0.5, 0.5]);
  assert.deepEqual(markSpan(days, '2019-06-01', '2020-01-05'), [0.25, 0.75]);
  assert.deepEqual(markSpan(days, '2000-01-01', '2030-01-01'), [0, 1]);
  assert.equal(markSpan(days, '2019-07-01', '2019-08-01'), null);
  assert.deepEqual(markSpan(['2020-01-01'], '2020-01-01', '2020-01-01'), [0, 1]);
});

test('the panel counts steps as "3 / 12"', () => {
  assert.equal(stepLabel(3, 12), '3 / 12');
});

test('a narrow map puts the panel under the summary, across the map; a wide one does not', () => {
  assert.equal(narrowPanel(700, 800, 160), null);
  assert.equal(narrowPanel(1200, 800, 160), null);
  assert.deepEqual(narrowPanel(600, 800, 160.4), { top: 171, width: 580, maxHeight: 360 });
  assert.deepEqual(narrowPanel(320, 200, 0), { top: 10, width: 300, maxHeight: 120 });
});
