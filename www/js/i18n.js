// Translations: t(key, params), the current language, and switching it.
//
// Strings live in www/i18n/<language>.json, flat {"key": "text"} objects; every
// key exists in every file (tests/browser/i18n.test.mjs checks this). Texts may
// hold {placeholders}. English is always loaded and is the fallback.
// The result of t() is plain text: put it in the page with textContent (dom.js).

import { loadStatic } from './api.js';

/** Supported languages, as Rocket.Chat spells their codes. */
export const LANGUAGES = ['en', 'de', 'fr', 'es', 'pt-BR'];

/** Each language's name in that language (for the language preference). */
export const LANGUAGE_NAMES = {
  en: 'English',
  de: 'Deutsch',
  fr: 'Français',
  es: 'Español',
  'pt-BR': 'Português (Brasil)',
};

const FALLBACK = 'en';
const loaded = new Map(); // language -> strings
const listeners = new Set();
let current = FALLBACK;

/**
 * The first supported language matching the candidates (codes such as "de-AT",
 * "pt", "pt-BR", or arrays of them, e.g. navigator.languages), compared without
 * case; a candidate matches exactly or by its primary subtag. English otherwise.
 */
export function pickLanguage(...candidates) {
  const wanted = candidates.flat().filter((c) => typeof c === 'string' && c);
  for (const code of wanted) {
    const exact = LANGUAGES.find((l) => l.toLowerCase() === code.toLowerCase());
    if (exact) return exact;
    const base = code.split(/[-_]/)[0].toLowerCase();
    const byBase = LANGUAGES.find((l) => l.split('-')[0].toLowerCase() === base);
    if (byBase) return byBase;
  }
  return FALLBACK;
}

async function load(language) {
  if (!loaded.has(language)) {
    loaded.set(language, await loadStatic(new URL(`../i18n/${language}.json`, import.meta.url)));
  }
  return loaded.get(language);
}

/**
 * Makes language (any code pickLanguage() accepts) the current one, loading its
 * file first; listeners run when the language actually changed. If the file
 * cannot be loaded the current language stays and the promise rejects.
 */
export async function setLanguage(language) {
  const next = pickLanguage(language);
  await Promise.all([load(FALLBACK), load(next)]);
  document.documentElement.lang = next;
  if (next === current) return;
  current = next;
  for (const fn of listeners) fn(current);
}

/** The current language code, e.g. "pt-BR". */
export function getLanguage() {
  return current;
}

/** fn(language) runs after every change; returns a function that unsubscribes. */
export function onLanguageChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** The text for key in the current language, {name} placeholders filled from params. */
export function t(key, params = {}) {
  let text = loaded.get(current)?.[key] ?? loaded.get(FALLBACK)?.[key];
  if (text === undefined) {
    console.warn(`i18n: missing key ${key}`);
    text = key;
  }
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}
