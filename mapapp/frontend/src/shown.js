// Which incidents of a view the canvas draws: a bitset (no layers).

import { NONE16 } from './decode.js';

/**
 * Which incidents are shown (1) in ``out`` (a Uint8Array of the dataset's
 * size, all 0): the ``count`` incidents of the view (``indices``, or
 * 0..count-1 when null) with ``member[i]`` set (in the time control's
 * range) whose type is switched on: ``typeOn[type[i]]``, and for the type
 * code NONE16 (no type) ``typeOn[ntype]``. Returns how many.
 */
export function shownOf(out, indices, count, member, type, typeOn, ntype) {
  let shown = 0;
  for (let k = 0; k < count; k++) {
    const i = indices ? indices[k] : k;
    if (!member[i]) { continue; }
    const t = type[i], on = typeOn[t === NONE16 ? ntype : t];
    if (on) { out[i] = 1; shown += 1; }
  }
  return shown;
}
