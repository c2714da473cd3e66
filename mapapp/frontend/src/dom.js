// Elements made with text only: data never reaches the page as HTML.

/** A new element with a class and text content (set through textContent). */
export function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) { node.className = cls; }
  if (text !== undefined && text !== null) { node.textContent = String(text); }
  return node;
}
