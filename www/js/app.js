// The SPA's entry point: decides between the sign-in screen and the account
// area, draws the account area's frame (header, navigation, main) and routes
// the hash (#/<route>) to the page modules listed in pages/index.js.
//
// A page module exports default { render(container, ctx) }: it fills container
// (below the page's <h1>, which app.js draws) and may be async. ctx holds:
//   me                the signed-in user, as GET /api/v1/me returned it
//   signal            an AbortSignal, aborted when the page is left or redrawn;
//                     pass it to api calls and stop touching the DOM once aborted
//   announce(text)    says text in the polite live region (screen readers)
//   keepScroll        true when this draw replaces the same page in place (after
//                     a language or clock change): keep focus where it was
//   refreshMe()       reloads /me and redraws (after changing the profile)
//   applyPreferences(preferences)
//                     applies language / clockMode at once and redraws
// Pages are redrawn from scratch when the language or clock mode changes, at
// the same scroll position. Pages with a form register it with unsaved.js, so
// leaving it asks first and a session that ends keeps what was typed.

import * as api from './api.js';
import { h, replaceChildren } from './dom.js';
import { describeError } from './errors.js';
import { forgetRetries, retryBox, runBusy, say } from './feedback.js';
import { t, setLanguage, pickLanguage, onLanguageChange } from './i18n.js';
import { setClockMode } from './time.js';
import { renderSignIn } from './signin.js';
import { notMeToken, renderNotMe } from './notme.js';
import { confirmLeave, dropUnsavedChanges, hasUnsavedChanges, keepDraft } from './unsaved.js';
import { PAGES, DEFAULT_ROUTE } from './pages/index.js';

const root = document.getElementById('app');

const state = {
  me: null, // the signed-in user, or null on the sign-in screen
  features: {}, // the admin's switches from GET /api/info; missing = on
  pageController: null, // AbortController of the mounted page
  signInNotice: '',
};

/** The browser's own language preference, before anyone has signed in. */
function browserLanguage() {
  return pickLanguage(navigator.languages || [], navigator.language || '');
}

/**
 * Applies language and clock mode from a preferences object ({} is fine) and
 * redraws. options go to the redraw ({focusHeading: true} after signing in).
 */
async function applyPreferences(preferences = {}, options = {}) {
  setClockMode(preferences.clockMode);
  await setLanguage(preferences.language ? pickLanguage(preferences.language) : browserLanguage());
  scheduleRender({ keepScroll: !options.focusHeading, ...options });
}

// Redraws are coalesced: a language change and a preference change in the same
// task draw once (a timer, not a microtask, so that awaits in between still merge).
let queuedRender = null;
function scheduleRender({ focusHeading = false, keepScroll = false } = {}) {
  if (queuedRender) {
    queuedRender.focusHeading ||= focusHeading;
    queuedRender.keepScroll &&= keepScroll;
    return;
  }
  queuedRender = { focusHeading, keepScroll };
  setTimeout(() => {
    const options = queuedRender;
    queuedRender = null;
    render(options);
  }, 0);
}

function render(options = {}) {
  // A mailed "this was not me" link is answered before anything else.
  const notMe = notMeToken();
  if (notMe) {
    abortPage();
    renderNotMe(root, notMe, { done: leaveNotMe });
    return;
  }
  if (state.me) renderAccount(options);
  else showSignIn(state.signInNotice);
}

// ---- Signed out ----------------------------------------------------------

/** Leaves the "not me" page: its sessions may have ended, so sign in anew. */
function leaveNotMe(notice) {
  history.replaceState(null, '', location.pathname + location.search);
  state.me = null;
  showSignIn(notice);
}

function showSignIn(notice = '') {
  abortPage();
  state.me = null;
  state.signInNotice = notice;
  renderSignIn(root, { notice, onSignedIn: afterSignIn });
}

async function afterSignIn() {
  // Reading /me proves the browser kept the session cookie.
  const me = await api.getMe({ handle401: false });
  state.me = me;
  state.signInNotice = '';
  await applyPreferences(me.settings?.preferences, { focusHeading: true });
}

/** The session ended elsewhere (a 401): keep unsaved changes, then ask to sign in again. */
function sessionEnded() {
  if (!state.me) return;
  const kept = keepDraft(state.me._id);
  showSignIn(kept ? t('signin.sessionEndedKept') : t('signin.sessionEnded'));
}

// Coming back to the tab (focus, or visible again) checks the session at once,
// instead of at the next click; a 401 then goes to sessionEnded().
let lastSessionCheck = 0;
function checkSession() {
  if (!state.me || document.visibilityState !== 'visible') return;
  if (Date.now() - lastSessionCheck < 1000) return;
  lastSessionCheck = Date.now();
  api.getMe().catch(() => {}); // only a 401 matters here, and the handler has it
}

// ---- Signed in -------------------------------------------------------------

/** The pages this server offers: those whose feature the admin left on. */
function visiblePages() {
  return PAGES.filter((p) => !p.feature || state.features[p.feature] !== false);
}

function currentRoute() {
  const match = /^#\/([\w-]+)/.exec(location.hash);
  const page = match && visiblePages().find((p) => p.route === match[1]);
  return page || null;
}

function renderAccount({ focusHeading = false, keepScroll = false } = {}) {
  const me = state.me;
  const focusedId = document.activeElement?.id;
  const scrollY = keepScroll ? window.scrollY : null;

  const navList = h('ul', { class: 'nav-list' },
    visiblePages().map((page) => h('li', {},
      h('a', { href: `#/${page.route}`, class: 'nav-link', 'data-route': page.route, onClick: navClick }, t(page.labelKey)))));

  const signOutButton = h('button', { type: 'button', class: 'button topbar-signout', onClick: (e) => signOut(e.currentTarget) }, t('app.signOut'));
  const main = h('main', { id: 'main', class: 'main', tabindex: '-1' });

  replaceChildren(root,
    h('a', { href: '#main', class: 'skip-link', onClick: skipToMain }, t('app.skipToContent')),
    h('header', { class: 'topbar' },
      h('span', { class: 'topbar-brand' }, t('app.name')),
      h('span', { class: 'topbar-user' },
        h('span', { class: 'visually-hidden' }, t('app.signedInAs')),
        h('span', { class: 'topbar-username' }, me.username || me.name || '')),
      signOutButton),
    h('div', { class: 'layout' },
      h('nav', { class: 'nav', 'aria-label': t('app.navLabel') }, navList),
      main));

  showPage({ focusHeading, focusedId, scrollY });
}

/** Mounts the page for the current hash into <main>. */
async function showPage({ focusHeading = false, focusedId = null, scrollY = null } = {}) {
  let entry = currentRoute();
  if (!entry) {
    entry = PAGES.find((p) => p.route === DEFAULT_ROUTE);
    history.replaceState(null, '', `#/${entry.route}`);
  }
  abortPage();
  const controller = new AbortController();
  state.pageController = controller;
  state.shownHash = location.hash;

  for (const link of root.querySelectorAll('.nav-link')) {
    if (link.dataset.route === entry.route) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  const label = t(entry.labelKey);
  document.title = t('app.documentTitle', { page: label });

  const main = document.getElementById('main');
  const heading = h('h1', { class: 'page-title', tabindex: '-1' }, label);
  const content = h('div', { class: 'page' });
  replaceChildren(main, heading, content);
  if (focusHeading) heading.focus();

  try {
    const module = await entry.load();
    if (controller.signal.aborted) return;
    await module.default.render(content, {
      me: state.me,
      signal: controller.signal,
      announce: say,
      keepScroll: scrollY !== null,
      refreshMe,
      applyPreferences,
    });
  } catch (err) {
    if (controller.signal.aborted || err?.name === 'AbortError') return;
    console.error(err);
    replaceChildren(content, retryBox(describeError(err), () => showPage()));
  }
  if (controller.signal.aborted) return;
  // A redraw in place: the same scroll position, and focus back on the control
  // that had it (unless the page put it somewhere on purpose).
  if (scrollY !== null) window.scrollTo(0, scrollY);
  if (focusedId && (document.activeElement === document.body || !document.activeElement)) {
    document.getElementById(focusedId)?.focus({ preventScroll: true });
  }
}

function abortPage() {
  state.pageController?.abort();
  state.pageController = null;
  forgetRetries();
}

async function refreshMe() {
  state.me = await api.getMe();
  await applyPreferences(state.me.settings?.preferences);
}

/**
 * A navigation link: on the page already shown it changes no hash, so focus
 * moves to its heading; with unsaved changes it asks before the hash changes
 * (so no history entry is added when the user stays).
 */
async function navClick(event) {
  const href = event.currentTarget.getAttribute('href');
  if (href === location.hash) {
    event.preventDefault();
    document.querySelector('#main h1')?.focus();
    return;
  }
  if (!hasUnsavedChanges()) return;
  event.preventDefault();
  if (!(await confirmLeave())) return;
  dropUnsavedChanges();
  location.hash = href;
}

function skipToMain(event) {
  event.preventDefault(); // the hash is the router's
  document.getElementById('main')?.focus();
}

async function signOut(button) {
  if (hasUnsavedChanges() && !(await confirmLeave())) return;
  dropUnsavedChanges();
  document.getElementById('signout-error')?.remove();
  try {
    await runBusy(button, t('app.signingOut'), () => api.logout());
  } catch (err) {
    if (!(err instanceof api.ApiError && err.status === 401)) {
      const main = document.getElementById('main');
      main?.prepend(h('p', { id: 'signout-error', class: 'form-error', role: 'alert' }, describeError(err)));
      return;
    }
  }
  showSignIn(t('signin.signedOut'));
}

// Back, Forward or an edited address with unsaved changes asks first (links
// ask in navClick, before the hash changes). The hash has already changed when
// we hear of it: put the shown page's hash back, ask, and go on only when the
// user chose to leave.
async function routeChanged() {
  if (notMeToken()) {
    render();
    return;
  }
  if (!state.me) return;
  const target = location.hash;
  if (target === state.shownHash) return;
  if (hasUnsavedChanges()) {
    history.replaceState(null, '', state.shownHash);
    if (!(await confirmLeave())) return;
    dropUnsavedChanges();
    history.pushState(null, '', target);
  }
  showPage({ focusHeading: true });
}

function warnBeforeUnload(event) {
  if (!hasUnsavedChanges()) return;
  event.preventDefault();
  event.returnValue = ''; // older browsers need it set to show the question
}

// ---- Start ---------------------------------------------------------------

/** The server could not be asked who is signed in: say so; retry on click or when back online. */
function renderStartError(err) {
  replaceChildren(root,
    h('main', { class: 'signin', id: 'main' },
      h('div', { class: 'signin-card' },
        h('h1', { class: 'signin-title' }, t('app.name')),
        retryBox(describeError(err), start))));
}

async function start() {
  root.setAttribute('aria-busy', 'true');
  const languageReady = setLanguage(browserLanguage()).catch(() => setLanguage('en'));
  // Feature switches are a nicety: without them every page is offered and
  // a switched-off one explains itself.
  const featuresReady = api.getInfo().then((info) => { state.features = info.features || {}; }, () => {});
  try {
    await featuresReady;
    const me = await api.getMe({ handle401: false });
    state.me = me;
    await languageReady;
    await applyPreferences(me.settings?.preferences);
  } catch (err) {
    await languageReady;
    if (err instanceof api.ApiError && err.status === 401) {
      state.me = null;
      render();
    } else {
      renderStartError(err);
    }
  } finally {
    root.removeAttribute('aria-busy');
  }
}

api.setUnauthorizedHandler(sessionEnded);
onLanguageChange(() => scheduleRender());
window.addEventListener('hashchange', routeChanged);
window.addEventListener('beforeunload', warnBeforeUnload);
window.addEventListener('focus', checkSession);
document.addEventListener('visibilitychange', checkSession);
start();
