// The one helper that turns timestamps into text, in the UI language and with the
// user's 12/24-hour preference (settings.preferences.clockMode: 0 = the language's
// default, 1 = 12-hour, 2 = 24-hour).

import { getLanguage } from './i18n.js';

let clockMode = 0;

/** Sets the clock mode from the preference value; anything unknown means 0. */
export function setClockMode(mode) {
  clockMode = mode === 1 || mode === 2 ? mode : 0;
}

export function getClockMode() {
  return clockMode;
}

// hourCycle, not hour12: hour12 gives "00:30 AM" in some locales (h11).
function hourOptions() {
  if (clockMode === 1) return { hourCycle: 'h12' };
  if (clockMode === 2) return { hourCycle: 'h23' };
  return {};
}

function toDate(value) {
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** "5 Mar 2024, 13:30"-style text for a Date or ISO string; '' when invalid. */
export function formatDateTime(value) {
  const date = toDate(value);
  if (!date) return '';
  return new Intl.DateTimeFormat(getLanguage(), { dateStyle: 'medium', timeStyle: 'short', ...hourOptions() }).format(date);
}

/** A <time datetime="ISO"> element showing formatDateTime(value); '' text when invalid. */
export function timeElement(value) {
  const el = document.createElement('time');
  const date = toDate(value);
  if (date) el.dateTime = date.toISOString();
  el.textContent = formatDateTime(value);
  return el;
}
