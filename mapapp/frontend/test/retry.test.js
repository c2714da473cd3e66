import test from 'node:test';
import assert from 'node:assert/strict';
import { DRAW_WAITS, HttpError, missingMessage, retryMissing, RETRY_WAITS } from '../src/retry.js';

const noSleep = (waited) => (ms) => { waited.push(ms); return Promise.resolve(); };

test('a block not written yet is fetched again until it is there', async () => {
  let calls = 0;
  const waited = [];
  const got = await retryMissing(() => {
    calls += 1;
    return calls < 4 ? Promise.reject(new HttpError(404)) : Promise.resolve(['block']);
  }, RETRY_WAITS, noSleep(waited));
  assert.deepEqual(got, ['block']);
  assert.equal(calls, 4);
  assert.deepEqual(waited, RETRY_WAITS.slice(0, 3));
});

test('the tries are bounded, about a minute in all', async () => {
  let calls = 0;
  const waited = [];
  await assert.rejects(retryMissing(() => { calls += 1; return Promise.reject(new HttpError(404)); },
    RETRY_WAITS, noSleep(waited)), (err) => err.status === 404);
  assert.equal(calls, RETRY_WAITS.length + 1);
  const total = waited.reduce((a, b) => a + b, 0);
  assert.ok(total >= 30000 && total <= 90000, String(total));
});

test('the draw payload being written is asked for often, about a minute in all', async () => {
  let calls = 0;
  const waited = [];
  const got = await retryMissing(() => {
    calls += 1;
    return calls < 12 ? Promise.reject(new HttpError(404)) : Promise.resolve({ n: 1 });
  }, DRAW_WAITS, noSleep(waited));
  assert.deepEqual(got, { n: 1 });
  // (written in about 2 s: found within a fifth of a second of it, not seconds later)
  assert.ok(waited.length === 11 && waited.every((ms) => ms <= 200), String(waited));
  const total = DRAW_WAITS.reduce((a, b) => a + b, 0);
  assert.ok(total >= 30000 && total <= 90000, String(total));
});

test('any other failure is not tried again', async () => {
  let calls = 0;
  await assert.rejects(retryMissing(() => { calls += 1; return Promise.reject(new HttpError(500)); },
    RETRY_WAITS, noSleep([])));
  assert.equal(calls, 1);
});

test('the message names the incidents and says what to do', () => {
  const text = missingMessage(new HttpError(404), 1000, 1999);
  assert.match(text, /incidents 1,001\u20132,000 are not ready yet/);
  assert.match(text, /Try again in a moment/);
  assert.match(missingMessage(new HttpError(500), 0, 9), /could not be loaded \(HTTP 500\)/);
});
