// preferences.test.mjs - users.getPreferences / users.setPreferences through a
// real web server: every preference key with good values, a wrong type, values
// out of range or not in its enum; unknown keys; nothing stored from a refused
// request; Rocket.Chat's legacy remap; many clients saving different keys at
// the same moment; defaults merged into /me; field ownership.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { api, createUser, login, db } from './lib.mjs';

const SET = '/api/v1/users.setPreferences';
const GET = '/api/v1/users.getPreferences';

const SOUNDS = ['chime', 'door', 'beep', 'chelle', 'ding', 'droplet', 'highbell', 'seasons',
  'telephone', 'outbound-call-ringing', 'call-ended', 'dialtone', 'ringtone'];

// Shapes of a preference: good values and values the server must refuse.
// Strings that spell a boolean or a whole number are typed first, as
// Rocket.Chat's schema (AJV, coerceTypes) does; other strings are wrong types.
// null is no wrong value: it resets a key to the default (tested below).
const bool = { valid: [false, true], invalid: ['yes', 1, []] };
const choice = (values, wrong) => ({ valid: values, invalid: [...wrong, '', 1, [values[0]]] });
const range = (lo, hi) => ({ valid: [lo, Math.round((lo + hi) / 2), hi], invalid: [lo - 1, hi + 1, String(hi + 1), '5x', 1.5] });
const words = (maxItems, maxLength) => ({
  valid: [['alpha'], ['x'.repeat(maxLength)], Array.from({ length: maxItems }, (_, i) => `w${i}`), []],
  invalid: ['alpha', [1], ['x'.repeat(maxLength + 1)], Array.from({ length: maxItems + 1 }, (_, i) => `w${i}`), ['a\nb'], {}],
});
// The custom sound tests/run.sh lists in the stack's config (custom_sounds).
const CUSTOM_SOUND = 'k7Hq2fZ9ccustom';

// Every key of lib/preferences.c and what it takes (reference §3.3).
const SPEC = {
  language: { valid: ['de', 'pt-BR', 'zh-Hant', '', 'en'], invalid: [5, 'x', 'de DE', 'en;', 'a'.repeat(17), ['en'], 'de\n'] },
  enableAutoAway: bool,
  // Out of range answers Rocket.Chat's own errorType for this key.
  idleTimeLimit: { valid: [60, 61, 3600, 86400, 300], invalid: ['300s', 300.5, true],
    outOfRange: [59, 0, -60, 86401, '59'], rangeType: 'invalid-idle-time-limit-value' },
  desktopNotifications: choice(['all', 'mentions', 'nothing', 'default'], ['ALL', 'loud']),
  desktopNotificationRequireInteraction: bool,
  pushNotifications: choice(['mentions', 'default', 'nothing', 'all'], ['some']),
  emailNotificationMode: choice(['nothing', 'mentions'], ['default', 'always', 'Mentions']),
  receiveLoginDetectionEmail: bool,
  notifyCalendarEvents: bool,
  enableMobileRinging: bool,
  desktopNotificationVoiceCalls: bool,
  unreadAlert: bool,
  showThreadsInMainChannel: bool,
  alsoSendThreadToChannel: choice(['always', 'never', 'default'], ['sometimes']),
  clockMode: { valid: [1, 2, 0], invalid: [3, -1, '3', 'h24', 1.5, true] },
  useEmojis: bool,
  convertAsciiEmoji: bool,
  autoImageLoad: bool,
  saveMobileBandwidth: bool,
  collapseMediaByDefault: bool,
  hideUsernames: bool,
  hideRoles: bool,
  hideFlexTab: bool,
  displayAvatars: bool,
  sendOnEnter: choice(['alternative', 'desktop', 'normal'], ['enter', 'Normal']),
  messageViewMode: { valid: [1, 2, 0], invalid: [3, -1, 'cozy', 0.5, false] },
  mentionsWithSymbol: bool,
  useLegacyMessageTemplate: bool,
  enableNewMessageTemplate: bool,
  highlights: { ...words(100, 100), invalid: [...words(100, 100).invalid, [''], ['  '], ['ok', '']] },
  newRoomNotification: choice([...SOUNDS, CUSTOM_SOUND, 'none'], ['bell', 'Door', 'door.mp3', CUSTOM_SOUND.slice(1)]),
  newMessageNotification: choice(['none', CUSTOM_SOUND, ...SOUNDS], ['custom-sound']),
  muteFocusedConversations: bool,
  notificationsSoundVolume: range(0, 100),
  masterVolume: range(0, 100),
  voipRingerVolume: range(0, 100),
  sidebarShowFavorites: bool,
  sidebarShowUnread: bool,
  sidebarSortby: choice(['alphabetical', 'activity'], ['name']),
  sidebarViewMode: choice(['extended', 'condensed', 'medium'], ['large']),
  sidebarDisplayAvatar: bool,
  sidebarGroupByType: bool,
  sidebarSectionsOrder: { valid: [['Unread', 'Favorites', 'Channels'], []], invalid: ['Unread', [1], ['x'.repeat(41)], Array.from({ length: 21 }, (_, i) => `s${i}`)] },
  themeAppearence: choice(['dark', 'light', 'high-contrast', 'auto'], ['blue']),
  fontSize: { valid: ['112.5%', '87.5%', '100%'], invalid: ['100', '%', 'big', '100 %', 100] },
  dontAskAgainList: {
    valid: [[], [{ action: 'deleteMessage', label: 'Delete message' }, { action: 'leaveRoom', label: '' }]],
    invalid: [{}, ['deleteMessage'], [{ action: 'x' }], [{ label: 'x' }], [{ action: '', label: 'x' }],
      [{ action: 'x', label: 'y', extra: 1 }], [{ action: 5, label: 'y' }],
      Array.from({ length: 101 }, (_, i) => ({ action: `a${i}`, label: 'l' }))],
  },
  featuresPreview: {
    valid: [[], [{ name: 'quickReactions', value: true }, { name: 'navigationBar', value: false }]],
    invalid: [{}, [{ name: 'x' }], [{ value: true }], [{ name: 'x', value: 'maybe' }], [1], [{ name: '', value: true }]],
  },
  omnichannelTranscriptEmail: bool,
  omnichannelTranscriptPDF: bool,
  omnichannelHideConversationAfterClosing: bool,
};

// Rocket.Chat's Accounts_Default_User_Preferences_* (the built-in defaults).
const DEFAULTS = {
  enableAutoAway: true, idleTimeLimit: 300, desktopNotifications: 'all',
  desktopNotificationRequireInteraction: false, pushNotifications: 'all', emailNotificationMode: 'mentions',
  receiveLoginDetectionEmail: true, notifyCalendarEvents: true, enableMobileRinging: true,
  unreadAlert: true, showThreadsInMainChannel: false, alsoSendThreadToChannel: 'default', clockMode: 0,
  useEmojis: true, convertAsciiEmoji: true, autoImageLoad: true, saveMobileBandwidth: true,
  collapseMediaByDefault: false, hideUsernames: false, hideRoles: false, hideFlexTab: false,
  displayAvatars: true, sendOnEnter: 'normal', messageViewMode: 0, highlights: [],
  newRoomNotification: 'door', newMessageNotification: 'chime', muteFocusedConversations: true,
  notificationsSoundVolume: 100, masterVolume: 100, voipRingerVolume: 100, sidebarShowFavorites: true,
  sidebarShowUnread: false, sidebarSortby: 'activity', sidebarViewMode: 'medium', sidebarDisplayAvatar: true,
  sidebarGroupByType: true, themeAppearence: 'auto', omnichannelTranscriptEmail: false,
};

/** A value of key that differs from its default (for the concurrency test). */
function otherValue(key) {
  return SPEC[key].valid.find((v) => JSON.stringify(v) !== JSON.stringify(DEFAULTS[key]) && v !== '');
}

const set = (auth, data, extra = {}) => api('POST', SET, { auth, json: { data, ...extra } });
const stored = async (auth) => {
  const r = await api('GET', GET, { auth });
  assert.equal(r.status, 200, r.text);
  return r.json.preferences;
};

let alice;
let aliceAuth;
before(async () => {
  alice = createUser('prefs');
  aliceAuth = await login(alice);
});

test('a user who never saved anything gets empty stored preferences, not an error', async () => {
  const u = createUser('fresh');
  const r = await api('GET', GET, { auth: await login(u) });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, { preferences: {}, success: true });
  assert.equal(r.headers.get('cache-control'), 'no-store');
});

test('both endpoints need a login and answer wrong methods with 405', async () => {
  assert.equal((await api('GET', GET)).status, 401);
  const anon = await api('POST', SET, { json: { data: { useEmojis: false } } });
  assert.equal(anon.status, 401);
  assert.equal(anon.json.success, false);
  assert.equal((await api('POST', GET, { auth: aliceAuth, json: {} })).status, 405);
  assert.equal((await api('GET', SET, { auth: aliceAuth })).status, 405);
});

test('setPreferences answers Rocket.Chat\'s shape: the user with every stored preference', async () => {
  const u = createUser('shape');
  const auth = await login(u);
  await set(auth, { hideRoles: true });
  const r = await set(auth, { language: 'fr', idleTimeLimit: 120 });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(Object.keys(r.json), ['user', 'success']);
  assert.equal(r.json.success, true);
  assert.deepEqual(r.json.user, {
    _id: u.id,
    settings: { preferences: { hideRoles: true, language: 'fr', idleTimeLimit: 120 } },
  });
  const g = await api('GET', GET, { auth });
  assert.deepEqual(g.json, { preferences: { hideRoles: true, language: 'fr', idleTimeLimit: 120 }, success: true });
});

for (const [key, { valid, invalid, outOfRange = [], rangeType }] of Object.entries(SPEC)) {
  test(`${key}: every good value is stored, every bad one refused naming the key`, async () => {
    for (const value of valid) {
      const r = await set(aliceAuth, { [key]: value });
      assert.equal(r.status, 200, `${key}=${JSON.stringify(value)} -> ${r.text}`);
      assert.deepEqual(r.json.user.settings.preferences[key], value);
    }
    const last = valid[valid.length - 1];
    assert.deepEqual((await stored(aliceAuth))[key], last);
    for (const value of invalid) {
      const r = await set(aliceAuth, { [key]: value });
      assert.equal(r.status, 400, `${key}=${JSON.stringify(value)} must be refused: ${r.text}`);
      assert.equal(r.json.success, false);
      assert.equal(r.json.errorType, 'invalid-params');
      assert.ok(r.json.error.includes(`'data.${key}`), `the error names data.${key}: ${r.json.error}`);
      assert.match(r.json.error, / \[invalid-params\]$/);
    }
    for (const value of outOfRange) {
      const r = await set(aliceAuth, { [key]: value });
      assert.equal(r.status, 400, `${key}=${JSON.stringify(value)} must be refused: ${r.text}`);
      assert.equal(r.json.errorType, rangeType, r.text);
      assert.ok(r.json.error.includes(`'data.${key}`), r.json.error);
    }
    assert.deepEqual((await stored(aliceAuth))[key], last, 'refused values left the stored one alone');
  });
}

test('strings that spell a boolean or a whole number are stored typed, as Rocket.Chat coerces them', async () => {
  const u = createUser('coerce');
  const auth = await login(u);
  const r = await set(auth, { useEmojis: 'false', idleTimeLimit: '120', clockMode: '2', masterVolume: '0' });
  assert.equal(r.status, 200, r.text);
  const typed = { useEmojis: false, idleTimeLimit: 120, clockMode: 2, masterVolume: 0 };
  assert.deepEqual(r.json.user.settings.preferences, typed);
  assert.deepEqual(db('user', u.username).settings.preferences, typed);
  for (const data of [{ useEmojis: 'TRUE' }, { useEmojis: '' }, { idleTimeLimit: '120.0' }, { idleTimeLimit: '2m' }]) {
    assert.equal((await set(auth, data)).status, 400, JSON.stringify(data));
  }
});

test('an unknown key, a missing or wrong data, and unknown top-level fields are refused', async () => {
  const cases = [
    [{ data: { foo: 1 } }, /unknown field 'data\.foo'/],
    [{ data: { useEmojis: true, noSuchPreference: true } }, /unknown field 'data\.noSuchPreference'/],
    [{ data: { 'settings.preferences.useEmojis': true } }, /unknown field 'data\.settings\.preferences\.useEmojis'/],
    [{ data: { idleTimeLimitH: 1 } }, /unknown field 'data\.idleTimeLimitH'/],
    [{}, /'data' is required/],
    [{ data: [] }, /'data' must be an object/],
    [{ data: 'useEmojis=true' }, /'data' must be an object/],
    [{ data: null }, /'data' must not be null/],
    [{ data: {}, extra: 1 }, /unknown field 'extra'/],
    [{ data: {}, userId: '' }, /'userId' must not be empty/],
  ];
  for (const [body, message] of cases) {
    const r = await api('POST', SET, { auth: aliceAuth, json: body });
    assert.equal(r.status, 400, `${JSON.stringify(body)} -> ${r.text}`);
    assert.equal(r.json.errorType, 'invalid-params');
    assert.match(r.json.error, message);
  }
  const bad = await api('POST', SET, { auth: aliceAuth, json: '{"data": {' });
  assert.equal(bad.status, 400);
  assert.equal(bad.json.success, false);
});

test('nothing from a refused request is stored, not even its good keys', async () => {
  const u = createUser('atomic');
  const auth = await login(u);
  assert.equal((await set(auth, { useEmojis: true, hideRoles: false })).status, 200);
  const before = db('user', u.username);
  const attempts = [
    { useEmojis: false, hideRoles: true, idleTimeLimit: 30 },
    { useEmojis: false, language: 'de', bogus: 1 },
    { hideRoles: true, highlights: ['ok', 7] },
    { newRoomNotification: 'beep', clockMode: 5 },
  ];
  for (const data of attempts) {
    const r = await set(auth, data);
    assert.equal(r.status, 400, r.text);
  }
  const after = db('user', u.username);
  assert.deepEqual(after, before, 'the user document did not change at all');
  assert.deepEqual(await stored(auth), { useEmojis: true, hideRoles: false });
});

test('an idle time under a minute is refused (Rocket.Chat: at least 60 s)', async () => {
  const r = await set(aliceAuth, { idleTimeLimit: 59 });
  assert.equal(r.status, 400);
  assert.equal(r.json.errorType, 'invalid-idle-time-limit-value', 'Rocket.Chat\'s own errorType');
  assert.match(r.json.error, /'data\.idleTimeLimit' must be from 60/);
  assert.deepEqual(r.json.details, { field: 'data.idleTimeLimit' }, 'the full path is the field');
});

test('legacy email modes are remapped as Rocket.Chat does: all -> mentions, disabled -> nothing', async () => {
  for (const [sent, kept] of [['all', 'mentions'], ['disabled', 'nothing'], ['mentions', 'mentions'], ['nothing', 'nothing']]) {
    const r = await set(aliceAuth, { emailNotificationMode: sent });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.user.settings.preferences.emailNotificationMode, kept);
    assert.equal((await stored(aliceAuth)).emailNotificationMode, kept);
  }
  await set(aliceAuth, { emailNotificationMode: 'disabled' });
  assert.equal(db('user', alice.username).settings.preferences.emailNotificationMode, 'nothing', 'as stored');
});

test('each key gets its own path; language also goes to user.language; nothing else is written', async () => {
  const u = createUser('owner');
  const auth = await login(u);
  const before = db('user', u.username);
  const r = await set(auth, { language: 'es', useEmojis: false, highlights: ['café', 'ünïcödé'] });
  assert.equal(r.status, 200, r.text);
  const after = db('user', u.username);
  assert.equal(after.language, 'es');
  assert.deepEqual(after.settings.preferences, { language: 'es', useEmojis: false, highlights: ['café', 'ünïcödé'] });
  assert.ok(after._updatedAt && after._updatedAt !== before._updatedAt, '_updatedAt is set');
  const strip = ({ settings, language, _updatedAt, ...rest }) => rest;
  assert.deepEqual(strip(after), strip(before), 'no other field changed');
  // A second save keeps the first one's keys: $set per key, never a whole object.
  assert.equal((await set(auth, { hideRoles: true })).status, 200);
  assert.deepEqual(db('user', u.username).settings.preferences,
    { language: 'es', useEmojis: false, highlights: ['café', 'ünïcödé'], hideRoles: true });
});

test('an empty data object is accepted and writes nothing', async () => {
  const u = createUser('empty');
  const auth = await login(u);
  await set(auth, { clockMode: 2 });
  const before = db('user', u.username);
  const r = await set(auth, {});
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.user.settings.preferences, { clockMode: 2 });
  assert.deepEqual(db('user', u.username), before);
});

test('userId may name only the caller', async () => {
  const u = createUser('self');
  const other = createUser('other');
  const auth = await login(u);
  const own = await set(auth, { hideUsernames: true }, { userId: u.id });
  assert.equal(own.status, 200, own.text);
  const r = await set(auth, { hideUsernames: false }, { userId: other.id });
  assert.equal(r.status, 400);
  assert.equal(r.json.errorType, 'error-action-not-allowed');
  assert.equal(r.json.error, 'Editing user is not allowed [error-action-not-allowed]');
  assert.equal((await stored(auth)).hideUsernames, true);
  assert.equal(db('user', other.username).settings, undefined, 'the other user was not touched');
});

test('GET /me merges the defaults with the user\'s own values', async () => {
  const u = createUser('merged');
  const auth = await login(u);
  let me = (await api('GET', '/api/v1/me', { auth })).json;
  assert.deepEqual(me.settings.preferences, DEFAULTS, 'a new user sees every default');
  const mine = { idleTimeLimit: 900, newRoomNotification: 'ringtone', highlights: ['deploy'], language: 'pt-BR', fontSize: '112.5%' };
  assert.equal((await set(auth, mine)).status, 200);
  me = (await api('GET', '/api/v1/me', { auth })).json;
  assert.deepEqual(me.settings.preferences, { ...DEFAULTS, ...mine });
  assert.equal(me.language, 'pt-BR');
});

test('many clients saving different keys at the same moment all persist', async () => {
  const u = createUser('race');
  const clients = await Promise.all([login(u), login(u), login(u)]);
  const keys = Object.keys(SPEC).filter((k) => otherValue(k) !== undefined);
  assert.ok(keys.length >= 40, `${keys.length} keys`);
  const expected = Object.fromEntries(keys.map((k) => [k, otherValue(k)]));
  // Every request at once, spread over three login tokens, each with one key.
  const answers = await Promise.all(keys.map((key, i) => set(clients[i % clients.length], { [key]: expected[key] })));
  for (const [i, r] of answers.entries()) assert.equal(r.status, 200, `${keys[i]}: ${r.text}`);
  assert.deepEqual(await stored(clients[0]), expected);
  assert.deepEqual(db('user', u.username).settings.preferences, expected);

  // And again, twice per key with the last write known: the second value wins.
  const second = Object.fromEntries(keys.map((k) => [k, DEFAULTS[k] ?? SPEC[k].valid.at(-1)]));
  const round = await Promise.all(keys.map((key, i) => set(clients[i % clients.length], { [key]: second[key] })));
  for (const r of round) assert.equal(r.status, 200, r.text);
  assert.deepEqual(await stored(clients[1]), second);
});

test('a body over 64 KiB is refused with 413', async () => {
  const r = await set(aliceAuth, { highlights: ['x'.repeat(70 * 1024)] });
  assert.equal(r.status, 413);
  assert.equal(r.json.success, false);
});

test('an urlencoded body is read as Rocket.Chat reads it (data[key]=value)', async () => {
    const u = createUser('form');
    const auth = await login(u);
    const r = await api('POST', SET, {
      auth,
      form: { 'data[useEmojis]': 'false', 'data[idleTimeLimit]': '120', 'data[language]': 'de' },
    });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(await stored(auth), { useEmojis: false, idleTimeLimit: 120, language: 'de' });
  });

test('an urlencoded body with a bad value is refused and stores nothing', async () => {
  const u = createUser('formbad');
  const auth = await login(u);
  const r = await api('POST', SET, { auth, form: { 'data[idleTimeLimit]': '5' } });
  assert.equal(r.status, 400, r.text);
  assert.deepEqual(await stored(auth), {});
});

test('null resets a key to its default: the stored value goes, /me shows the default again', async () => {
  const u = createUser('reset');
  const auth = await login(u);
  assert.equal((await set(auth, { idleTimeLimit: 900, language: 'de', highlights: ['x'], useEmojis: false })).status, 200);
  const r = await set(auth, { idleTimeLimit: null, language: null, highlights: null });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.user.settings.preferences, { useEmojis: false });
  const doc = db('user', u.username);
  assert.deepEqual(doc.settings.preferences, { useEmojis: false }, 'removed from the document');
  assert.equal(doc.language, undefined, 'the top-level language too');
  const me = (await api('GET', '/api/v1/me', { auth })).json;
  assert.equal(me.settings.preferences.idleTimeLimit, 300, 'the default shows again');
});

test('form bodies take 0 and 1 for booleans, as Rocket.Chat\'s AJV coerces them', async () => {
  const u = createUser('formbool');
  const auth = await login(u);
  const r = await api('POST', SET, { auth, form: { 'data[useEmojis]': '0', 'data[hideRoles]': '1' } });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(db('user', u.username).settings.preferences, { useEmojis: false, hideRoles: true });
});
