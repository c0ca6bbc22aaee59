// A short, readable name for a User-Agent string ("Firefox 128", "Linux").
// Heuristic on purpose: it only labels sessions for a human; nothing depends on it.

// Order matters: Edge and Opera also say "Chrome", Chrome also says "Safari",
// the Rocket.Chat desktop app also says "Chrome" and "Electron".
const APPS = [
  ['Rocket.Chat Desktop', /Rocket\.Chat\/([\d.]+)/],
  ['Rocket.Chat Mobile', /^RC Mobile;.*?v([\d.]+)/],
  ['Edge', /Edg(?:e|A|iOS)?\/(\d+)/],
  ['Opera', /OPR\/(\d+)/],
  ['Samsung Internet', /SamsungBrowser\/(\d+)/],
  ['Firefox', /(?:Firefox|FxiOS)\/(\d+)/],
  ['Chrome', /(?:Chrome|CriOS)\/(\d+)/],
  ['Safari', /Version\/(\d+)[\d.]*.*Safari\//],
];

const SYSTEMS = [
  ['iOS', /iPhone|iPad|iPod|; ios /i],
  ['Android', /Android/i],
  ['ChromeOS', /CrOS/],
  ['Windows', /Windows/],
  ['macOS', /Mac OS X|Macintosh/],
  ['Linux', /Linux|X11/],
];

/**
 * {app, system} for ua, either part '' when not recognised. An unknown client
 * is named by its first product token ("curl/8.1.2" gives "curl 8.1.2").
 */
export function describeUserAgent(ua) {
  const text = typeof ua === 'string' ? ua.trim() : '';
  let app = '';
  for (const [name, pattern] of APPS) {
    const match = pattern.exec(text);
    if (match) {
      app = `${name} ${match[1]}`;
      break;
    }
  }
  if (!app && text) {
    const product = /^([^\s/;()]+)(?:\/([^\s;()]+))?/.exec(text);
    app = product ? [product[1], product[2]].filter(Boolean).join(' ').slice(0, 40) : '';
  }
  const system = SYSTEMS.find(([, pattern]) => pattern.test(text))?.[0] || '';
  return { app, system };
}
