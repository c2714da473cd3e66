// The escalation chain: links between incidents, each drawn once.

import { NONE32 } from './decode.js';

/** A relation as words: "response_to" reads "response to". */
export function relationWords(relation) {
  return String(relation || 'related').replace(/_/g, ' ');
}

/**
 * The chain's lines: ``links`` ([from row, to row, relation]) with a link
 * recorded on both incidents (A to B and B to A) kept once, pointing from
 * the earlier incident to the later (``date``: each row's day code, larger
 * is later; unknown days keep the first recorded direction), and links of
 * an incident to itself left out.
 */
export function chainLines(links, date) {
  const seen = new Set(), directed = new Set(), out = [];
  links.forEach((l) => { directed.add(l[0] + ',' + l[1]); });  // (one pass: not a search per link)
  links.forEach((l) => {
    const f = l[0], t = l[1];
    if (f === t) { return; }
    const key = f < t ? f + ',' + t : t + ',' + f;
    if (seen.has(key)) { return; }
    let line = [f, t, l[2]];
    const both = directed.has(t + ',' + f);
    if (both && date && date[f] !== NONE32 && date[t] !== NONE32 && date[t] < date[f]) { line = [t, f, l[2]]; }
    seen.add(key);
    out.push(line);
  });
  return out;
}
