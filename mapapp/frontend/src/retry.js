// A properties block the page is still writing (the server writes the map's
// drawing data first, then the blocks): asked for again a few times, with
// growing waits, before the map says the details are not there.

/** Waits, in ms, between the tries of a block not written yet (about a minute in all). */
export const RETRY_WAITS = [250, 500, 1000, 1000, 2000, 2000, 3000, 3000, 4000, 4000,
  5000, 5000, 5000, 5000, 5000, 5000];

/**
 * Waits, in ms, between the tries of the page's draw payload: the server sends
 * the map at once and writes the payload meanwhile (a second or two at a
 * million incidents), so it is asked for often, for about a minute.
 */
export const DRAW_WAITS = Array(400).fill(150);

/** An error saying what was fetched and its HTTP status. */
export class HttpError extends Error {
  constructor(status) {
    super('HTTP ' + status);
    this.status = status;
  }
}

/**
 * ``once()`` (a promise) until it resolves; tried again after each of
 * ``waits`` when it fails with a 404 (not written yet); any other failure,
 * or the last 404, rejects. ``sleep(ms)`` is a promise (a timer; a test's
 * stub).
 */
export function retryMissing(once, waits = RETRY_WAITS, sleep = defaultSleep) {
  let k = 0;
  const attempt = () => once().catch((err) => {
    if (!(err && err.status === 404) || k >= waits.length) { throw err; }
    return sleep(waits[k++]).then(attempt);
  });
  return attempt();
}

function defaultSleep(ms) {
  return new Promise((ok) => { setTimeout(ok, ms); });
}

/** What a person reads when incidents ``first``..``last``'s details never came. */
export function missingMessage(err, first, last) {
  const which = 'incidents ' + (first + 1).toLocaleString('en') + '\u2013' + (last + 1).toLocaleString('en');
  if (err && err.status === 404) {
    return 'The details of ' + which + ' are not ready yet (the server is still writing them). ' +
      'Try again in a moment, or reload the page.';
  }
  return 'The details of ' + which + ' could not be loaded (' + String(err && err.message || err) + ').';
}
