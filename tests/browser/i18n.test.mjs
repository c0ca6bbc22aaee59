// The translations are complete: every www/i18n/*.json has the same keys, the
// same {placeholders} per key, no empty text, and every key the code names
// (t('key'), labelKey: 'key') exists. Reads files only; needs no browser or server.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const WWW = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../www');
const LANGUAGES = ['en', 'de', 'fr', 'es', 'pt-BR'];
const load = (lang) => JSON.parse(fs.readFileSync(path.join(WWW, 'i18n', `${lang}.json`), 'utf8'));
const placeholders = (text) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

function sourceFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.js') ? [full] : [];
  });
}

test('the language list in i18n.js matches the files in www/i18n', () => {
  const files = fs.readdirSync(path.join(WWW, 'i18n')).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5));
  assert.deepEqual(files.sort(), [...LANGUAGES].sort());
  const code = fs.readFileSync(path.join(WWW, 'js', 'i18n.js'), 'utf8');
  assert.match(code, new RegExp(`LANGUAGES = \\[${LANGUAGES.map((l) => `'${l}'`).join(', ')}\\]`));
});

test('every language has every key, with the same placeholders and no empty text', () => {
  const en = load('en');
  for (const lang of LANGUAGES) {
    const strings = load(lang);
    assert.deepEqual(Object.keys(strings).sort(), Object.keys(en).sort(), `${lang}.json keys`);
    for (const [key, text] of Object.entries(strings)) {
      assert.ok(typeof text === 'string' && text.trim(), `${lang}: ${key} is empty`);
      assert.deepEqual(placeholders(text), placeholders(en[key]), `${lang}: ${key} placeholders`);
    }
  }
});

test('every key the code uses exists', () => {
  const en = load('en');
  const used = new Set();
  for (const file of sourceFiles(path.join(WWW, 'js'))) {
    const code = fs.readFileSync(file, 'utf8');
    for (const m of code.matchAll(/\bt\(\s*'([^']+)'/g)) used.add(m[1]);
    for (const m of code.matchAll(/\b(?:labelKey|\w+Key)\s*:\s*'([^']+)'/g)) used.add(m[1]);
    for (const m of code.matchAll(/^\s*\w+: '((?:status|nav)\.[\w.]+)'/gm)) used.add(m[1]);
  }
  assert.ok(used.size > 20, 'found the keys in the code');
  const missing = [...used].filter((key) => !(key in en));
  assert.deepEqual(missing, []);
});
