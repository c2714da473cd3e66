import test from 'node:test';
import assert from 'node:assert/strict';
import { escapeHtml, safeUrl } from '../src/safe.js';

test('only http and https URLs become links', () => {
  assert.equal(safeUrl('https://example.org/a?b=1'), 'https://example.org/a?b=1');
  assert.equal(safeUrl('  http://example.org  '), 'http://example.org/');
  for (const bad of ['javascript:alert(1)', 'JAVASCRIPT:alert(1)', ' javascript:alert(1)',
                     'data:text/html,<b>x</b>', 'vbscript:x', 'ftp://example.org/', 'file:///etc/passwd',
                     '/relative/path', 'example.org', '', 'http//broken']) {
    assert.equal(safeUrl(bad), null, bad);
  }
  for (const notText of [null, undefined, 42, { url: 'https://example.org' }, ['https://example.org']]) {
    assert.equal(safeUrl(notText), null);
  }
});

test('escapeHtml leaves no markup', () => {
  assert.equal(escapeHtml('<img src=x onerror="a(\'b\')">&`'),
               '&lt;img src=x onerror=&quot;a(&#39;b&#39;)&quot;&gt;&amp;&#96;');
  assert.equal(escapeHtml(5), '5');
});
