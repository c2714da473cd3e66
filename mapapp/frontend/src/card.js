// The incident card: the rows of mapapp/card.py (CARD_ROWS, sent through the
// contract), each formatted by the same rules as the page's detail panel.

import { CARD_ROWS } from './contract.js';
import { fmtCount, fmtDate, fmtPlace, known, present } from './format.js';

function names(v) {
  const items = present(v).map(String);
  return items.length ? items.join('; ') : null;
}

const VALUES = {
  date: (p) => (known(p.date) && p.date !== '' ? fmtDate(p) : null),
  event: (p) => [p.event_type, p.sub_event_type].filter((x) => known(x) && x !== '').join(' / '),
  actor: (p) => p.actor,
  target: (p) => p.target,
  attribution: (p, a) => a.status || 'unknown',
  claimed_by: (p, a) => names(a.claimed_by),
  blamed_by: (p, a) => names(a.blamed_by),
  attribution_note: (p, a) => a.note,
  fatalities: (p) => fmtCount(p, 'fatalities', 'fatalities_low', 'fatalities_high'),
  injuries: (p) => fmtCount(p, 'injuries', null, null),
  place: (p) => fmtPlace(p),
  id: (p) => p.id
};

/**
 * The card of an incident: [key, label, text] for each row that has a value,
 * in CARD_ROWS' order (a key this script does not know is left out).
 */
export function cardRows(p) {
  const a = (p.attribution && typeof p.attribution === 'object') ? p.attribution : {};
  const rows = [];
  for (const [key, label] of CARD_ROWS) {
    const value = VALUES[key] ? VALUES[key](p, a) : null;
    if (known(value) && value !== '') { rows.push([key, label, String(value)]); }
  }
  return rows;
}
