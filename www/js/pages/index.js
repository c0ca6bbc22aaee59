// The account area's pages, in navigation order; the route is the URL hash
// (#/profile). To add a page: write pages/<route>.js (see profile.js for the
// shape), add one line here, and add its labelKey to every www/i18n/*.json.
// Pages load on first visit, so a broken page cannot break the others.
// `feature` names an admin switch of GET /api/info's `features`: when the
// admin turned it off, the page is not offered.

export const PAGES = [
  { route: 'profile', labelKey: 'nav.profile', load: () => import('./profile.js') },
  { route: 'preferences', labelKey: 'nav.preferences', load: () => import('./preferences.js') },
  { route: 'security', labelKey: 'nav.security', load: () => import('./security.js') },
  { route: 'tokens', labelKey: 'nav.tokens', feature: 'personalAccessTokens', load: () => import('./tokens.js') },
];

/** The page shown for an empty or unknown hash. */
export const DEFAULT_ROUTE = 'profile';
