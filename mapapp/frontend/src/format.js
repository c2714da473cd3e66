// How values from an incident's properties read in the popup, tooltip and summary.

/** Whether a value is there (not undefined, null or NaN). */
export function known(v) { return v !== undefined && v !== null && !(typeof v === 'number' && isNaN(v)); }

/** A whole number with thousands separators, as Python's "{:,}" writes it. */
export function fmtInt(v) { return Math.trunc(Number(v)).toLocaleString('en-US'); }

/** The non-empty entries of an array (anything else: an empty list). */
export function present(v) {
  return Array.isArray(v) ? v.filter((x) => x !== null && x !== undefined && x !== '') : [];
}

/**
 * A count with its range: "3", "3 (range 2\u20135)", or "2\u20135" when only
 * the range is known; null when nothing is.
 */
export function fmtCount(p, best, low, high) {
  const b = p[best];
  const lo = known(p[low]) ? p[low] : b, hi = known(p[high]) ? p[high] : b;
  if (!known(b)) {
    return known(lo) && known(hi) ? fmtInt(lo) + '\u2013' + fmtInt(hi) : null;
  }
  let s = fmtInt(b);
  if (Number(lo) !== Number(b) || Number(hi) !== Number(b)) {
    s += ' (range ' + fmtInt(lo) + '\u2013' + fmtInt(hi) + ')';
  }
  return s;
}

/** "2020-01-03", "2020-01-03 to 2020-01-05", with the precision when it is not a day. */
export function fmtDate(p) {
  let s = p.date || '';
  if (p.end_date && p.end_date !== p.date) { s += ' to ' + p.end_date; }
  if (p.date_precision && p.date_precision !== 'day') { s += ' (precision: ' + p.date_precision + ')'; }
  return s;
}

/** "Place, Admin1, Country (precision: ..., \u00b1N km)". */
export function fmtPlace(p) {
  const parts = [];
  [p.place, p.admin1, p.country].forEach((x) => {
    // ("Baghdad, Baghdad, IRQ" reads "Baghdad, IRQ")
    if (x && !parts.some((y) => y.toLowerCase() === String(x).toLowerCase())) { parts.push(String(x)); }
  });
  let s = parts.join(', ');
  if (p.geo_precision) {
    s += ' (precision: ' + p.geo_precision;
    if (typeof p.geo_precision_km === 'number') { s += ', \u00b1' + p.geo_precision_km + ' km'; }
    s += ')';
  }
  return s;
}

/** The summary's count line: "12 incidents of 40 \u00b7 2020-01-01 to 2020-01-08". */
export function countLine(n, total, start, end) {
  let txt = n + (n === 1 ? ' incident' : ' incidents');
  if (typeof total === 'number' && total !== n) { txt += ' of ' + total; }
  if (start && end) { txt += ' \u00b7 ' + (start === end ? start : start + ' to ' + end); }
  return txt;
}

/** The time control's label for step ``i`` of ``steps`` (sorted days). */
export function timeLabel(steps, i) {
  return (i >= steps.length - 1 ? 'all to ' : 'up to ') + steps[i];
}
