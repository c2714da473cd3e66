// Data text is hostile: these are the only ways it becomes a link or HTML.

/**
 * The URL as an absolute http(s) href, or null for anything else
 * (javascript:, data:, relative or malformed URLs, non-strings).
 */
export function safeUrl(url) {
  if (typeof url !== 'string') { return null; }
  try {
    const u = new URL(url.trim());
    return (u.protocol === 'http:' || u.protocol === 'https:') ? u.href : null;
  } catch { return null; }
}

const ENTITIES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/** Text escaped for HTML (Leaflet's layer control puts layer names into the page as HTML). */
export function escapeHtml(text) {
  return String(text).replace(/[&<>"'`]/g, (c) => ENTITIES[c]);
}
