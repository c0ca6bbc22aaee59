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

/** "5 Mar 2024": a day without a time, for dates the user chose as a day. */
export function formatDate(value) {
  const date = toDate(value);
  if (!date) return '';
  return new Intl.DateTimeFormat(getLanguage(), { dateStyle: 'medium' }).format(date);
}

/** A <time> element showing formatDate(value). */
export function dateElement(value) {
  const el = timeElement(value);
  el.textContent = formatDate(value);
  return el;
}

// The largest unit that still reads as a whole number of it.
const UNITS = [['day', 86400], ['hour', 3600], ['minute', 60], ['second', 1]];

function relative(seconds, numeric) {
  const format = new Intl.RelativeTimeFormat(getLanguage(), { numeric });
  const size = Math.abs(seconds);
  const [unit, length] = UNITS.find(([, len]) => size >= len) || UNITS[UNITS.length - 1];
  return format.format(Math.sign(seconds) * Math.ceil(size / length), unit);
}

/** A wait of seconds as people say it: "in 5 minutes", "in 30 seconds" (rounded up). */
export function formatWait(seconds) {
  return relative(Math.max(1, Math.round(seconds)), 'always');
}

/**
 * A <time> saying how long ago value was ("5 minutes ago", "yesterday") within
 * the last week, the date and time beyond that; the exact time is its title.
 */
export function agoElement(value, now = Date.now()) {
  const el = timeElement(value);
  const date = toDate(value);
  if (!date) return el;
  const seconds = Math.round((date.getTime() - now) / 1000);
  // A few seconds "ahead" are the two clocks disagreeing: that is now, too.
  if (seconds <= 60 && seconds > -7 * 86400) {
    el.title = el.textContent;
    el.textContent = seconds > -60 ? new Intl.RelativeTimeFormat(getLanguage(), { numeric: 'auto' }).format(0, 'second')
      : relative(-Math.floor(-seconds / 60) * 60, 'auto');
  }
  return el;
}
