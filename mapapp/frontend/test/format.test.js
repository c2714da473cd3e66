import test from 'node:test';
import assert from 'node:assert/strict';
import { countLine, fmtCount, fmtDate, fmtPlace, present, timeLabel } from '../src/format.js';

const F = ['fatalities', 'fatalities_low', 'fatalities_high'];

test('a count with a range different from it shows the range', () => {
  assert.equal(fmtCount({ fatalities: 3, fatalities_low: 2, fatalities_high: 5 }, ...F), '3 (range 2\u20135)');
});

test('a count whose range is only itself shows the count alone', () => {
  assert.equal(fmtCount({ fatalities: 3, fatalities_low: 3, fatalities_high: 3 }, ...F), '3');
  assert.equal(fmtCount({ fatalities: 0 }, ...F), '0');
});

test('only a range, half a range, or nothing', () => {
  assert.equal(fmtCount({ fatalities_low: 0, fatalities_high: 4 }, ...F), '0\u20134');
  assert.equal(fmtCount({ fatalities_low: 1 }, ...F), null);
  assert.equal(fmtCount({ fatalities: null }, ...F), null);
});

test('dates: a span and a precision coarser than a day', () => {
  assert.equal(fmtDate({ date: '2020-01-03' }), '2020-01-03');
  assert.equal(fmtDate({ date: '2020-01-03', end_date: '2020-01-03', date_precision: 'day' }), '2020-01-03');
  assert.equal(fmtDate({ date: '2020-01-03', end_date: '2020-01-05' }), '2020-01-03 to 2020-01-05');
  assert.equal(fmtDate({ date: '2020-01-01', date_precision: 'month' }), '2020-01-01 (precision: month)');
  assert.equal(fmtDate({}), '');
});

test('a place with its precision and \u00b1 km', () => {
  assert.equal(fmtPlace({ place: 'Taji', admin1: 'Baghdad', country: 'Iraq' }), 'Taji, Baghdad, Iraq');
  assert.equal(fmtPlace({ place: 'Taji', country: 'Iraq', geo_precision: 'approximate', geo_precision_km: 5 }),
               'Taji, Iraq (precision: approximate, \u00b15 km)');
  // (a distance that is not a number is left out)
  assert.equal(fmtPlace({ country: 'Iraq', geo_precision: 'region', geo_precision_km: '5' }),
               'Iraq (precision: region)');
});

test('the summary line: one incident, of a total, one day or a span', () => {
  assert.equal(countLine(1, 1, null, null), '1 incident');
  assert.equal(countLine(12, 40, '2020-01-01', '2020-01-08'), '12 incidents of 40 \u00b7 2020-01-01 to 2020-01-08');
  assert.equal(countLine(2, 2, '2020-01-03', '2020-01-03'), '2 incidents \u00b7 2020-01-03');
  assert.equal(countLine(0, undefined, null, '2020-01-03'), '0 incidents');
});

test('present drops empty entries and non-lists', () => {
  assert.deepEqual(present(['a', '', null, undefined, 'b', 0]), ['a', 'b', 0]);
  assert.deepEqual(present('a'), []);
});

test('the time label says "all" on the last step only', () => {
  const steps = ['2020-01-01', '2020-01-03'];
  assert.equal(timeLabel(steps, 0), 'up to 2020-01-01');
  assert.equal(timeLabel(steps, 1), 'all to 2020-01-03');
});

test('counts get thousands separators and a missing bound is the count itself', () => {
  assert.equal(fmtCount({ fatalities: 1234, fatalities_low: 1000, fatalities_high: 1500 }, ...F),
    '1,234 (range 1,000\u20131,500)');
  assert.equal(fmtCount({ fatalities: 7, fatalities_low: 7 }, ...F), '7');
  assert.equal(fmtCount({ fatalities_low: 2, fatalities_high: 9 }, ...F), '2\u20139');
  assert.equal(fmtCount({ fatalities_low: 2 }, ...F), null);
});

test('a place named twice is written once', () => {
  assert.equal(fmtPlace({ place: 'Baghdad', admin1: 'baghdad', country: 'IRQ' }), 'Baghdad, IRQ');
  assert.equal(fmtPlace({ place: 'K-1', admin1: 'Kirkuk', country: 'IRQ', geo_precision: 'site',
    geo_precision_km: 2.0 }), 'K-1, Kirkuk, IRQ (precision: site, \u00b12 km)');
});
