// Marker shapes: their outlines (for the canvas) and SVG swatches (for the legend).

/** The shapes, in the order of their codes; 'circle' (0) is the default. */
export const SHAPES = ['circle', 'square', 'diamond', 'triangle', 'triangle-down', 'star', 'hexagon'];

/** A marker's radius in pixels. */
export const RADIUS = 7;

/** The colour of the ring around the selected incident. */
export const SELECTED_RING = '#ffd400';

const GLYPHS = {
  circle: '\u25cf', square: '\u25a0', diamond: '\u25c6', triangle: '\u25b2',
  'triangle-down': '\u25bc', star: '\u2605', hexagon: '\u2b22'
};

/**
 * The corners of ``shape`` centred on (x, y) with radius r, as [x, y]
 * pairs, or null for a circle (or an unknown shape).
 */
export function shapePoints(shape, x, y, r) {
  const pts = [];
  let k;
  switch (shape) {
    case 'square':
      k = r * 0.9;
      return [[x - k, y - k], [x + k, y - k], [x + k, y + k], [x - k, y + k]];
    case 'diamond':
      k = r * 1.2;
      return [[x, y - k], [x + k, y], [x, y + k], [x - k, y]];
    case 'triangle':
      k = r * 1.25;
      return [[x, y - k], [x + k * 0.95, y + k * 0.7], [x - k * 0.95, y + k * 0.7]];
    case 'triangle-down':
      k = r * 1.25;
      return [[x, y + k], [x + k * 0.95, y - k * 0.7], [x - k * 0.95, y - k * 0.7]];
    case 'star':
      for (let i = 0; i < 10; i++) {
        const a = -Math.PI / 2 + i * Math.PI / 5;
        k = (i % 2 ? 0.5 : 1.3) * r;
        pts.push([x + k * Math.cos(a), y + k * Math.sin(a)]);
      }
      return pts;
    case 'hexagon':
      for (let i = 0; i < 6; i++) {
        const a = i * Math.PI / 3;
        pts.push([x + r * 1.1 * Math.cos(a), y + r * 1.1 * Math.sin(a)]);
      }
      return pts;
    default:
      return null;  // circle
  }
}

/** Each shape's corners around (0, 0) at RADIUS, by shape code. */
export const SHAPE_OFFSETS = SHAPES.map((s) => shapePoints(s, 0, 0, RADIUS));

/** The code of a shape name (unknown names: 0, the circle). */
export function shapeCode(name) {
  return Math.max(SHAPES.indexOf(name || 'circle'), 0);
}

/** The text glyph of a shape, for the layer control. */
export function shapeGlyph(name) {
  return GLYPHS[name || 'circle'] || GLYPHS.circle;
}

/** A 16 x 16 SVG swatch of a shape (the legend). */
export function shapeSvg(shape, color, dashed) {
  const NS = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('width', '16'); svg.setAttribute('height', '16');
  svg.setAttribute('viewBox', '0 0 16 16');
  const pts = shapePoints(shape, 8, 8, 5);
  let node;
  if (pts) {
    node = document.createElementNS(NS, 'polygon');
    node.setAttribute('points', pts.map((p) => p[0].toFixed(1) + ',' + p[1].toFixed(1)).join(' '));
  } else {
    node = document.createElementNS(NS, 'circle');
    node.setAttribute('cx', '8'); node.setAttribute('cy', '8'); node.setAttribute('r', '5.5');
  }
  node.setAttribute('fill', color); node.setAttribute('stroke', '#222'); node.setAttribute('stroke-width', '1.2');
  if (dashed) { node.setAttribute('stroke-dasharray', '2,1.5'); }
  svg.appendChild(node);
  return svg;
}
