// Finding an incident by its id among a view's ids (a million at most):
// the first few look-ups scan the ids (a few ms at a million), later ones
// use a Map made once (about a second at a million: worth it only for many
// look-ups, such as a story's steps, not for the one incident a person opens).

/** Look-ups answered by scanning before the Map is made. */
export const SCANS = 16;

export class IdLookup {
  /** ``ids``: the incidents' ids (strings), in index order. */
  constructor(ids) {
    this.ids = ids;
    this.map = null;
    this.lookups = 0;
  }

  /**
   * The index of ``id`` (compared as a string), or -1; of two equal ids,
   * the later one.
   */
  indexOf(id) {
    const key = String(id);
    this.lookups += 1;
    if (!this.map && this.lookups <= SCANS) { return this.ids.lastIndexOf(key); }
    if (!this.map) {
      this.map = new Map();
      for (let k = 0; k < this.ids.length; k++) { this.map.set(this.ids[k], k); }
    }
    const i = this.map.get(key);
    return i === undefined ? -1 : i;
  }
}
