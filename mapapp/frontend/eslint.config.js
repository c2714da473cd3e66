import js from '@eslint/js';

const browser = {
  window: 'readonly', document: 'readonly', L: 'readonly', atob: 'readonly', fetch: 'readonly',
  Blob: 'readonly', Response: 'readonly', DecompressionStream: 'readonly', URL: 'readonly',
  Node: 'readonly', setTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly',
  TextDecoder: 'readonly', Worker: 'readonly', self: 'readonly'
};
const node = { process: 'readonly', Buffer: 'readonly', console: 'readonly', URL: 'readonly', atob: 'readonly',
  TextDecoder: 'readonly', TextEncoder: 'readonly', Blob: 'readonly', Response: 'readonly',
  CompressionStream: 'readonly' };

// Leaflet's private members (a leading "_" that is not our own "_im")
// only in src/compat.js.
const leafletPrivate = [
  { selector: 'MemberExpression[property.name=/^_(?!im)/]',
    message: "Leaflet's private members only in src/compat.js" },
  { selector: 'Property[key.name=/^_(?!im)/]',
    message: "Leaflet's private members only in src/compat.js (use compat.hooks)" }
];

export default [
  { ignores: ['node_modules/**'] },
  js.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: 'module' },
    rules: {
      'no-var': 'error',
      'no-shadow': ['error', { builtinGlobals: false, hoist: 'all' }],
      'prefer-const': 'error',
      'no-unused-vars': ['error', { args: 'none' }],
      eqeqeq: 'error'
    }
  },
  { files: ['src/**/*.js'], languageOptions: { globals: browser } },
  { files: ['src/**/*.js'], ignores: ['src/compat.js'],
    rules: { 'no-restricted-syntax': ['error', ...leafletPrivate] } },
  { files: ['test/**/*.js', '*.mjs', '*.js'], languageOptions: { globals: node } }
];
