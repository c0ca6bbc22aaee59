// The one place that calls fetch: the REST API (cookie session + CSRF header) and
// the SPA's own static JSON files. Every failure becomes an ApiError.
//
// Contract with the server (API.md, DESIGN.md "Auth"):
// - the session lives in the HttpOnly cookie rc_session, set by POST /api/v1/login
//   when the request carries "X-Session-Cookie: 1"; fetch sends it by itself
//   (same origin);
// - every request that is not GET/HEAD carries "X-CSRF-Token: <rc_csrf cookie>"
//   and a JSON body (or a FormData one, sent as multipart/form-data);
// - success is a 2xx answer whose JSON has no "success": false (logout answers
//   {"status":"success", ...} without a success field);
// - failure bodies are {"success": false, "error": "...", "errorType"?, "details"?}.

import { sha256Hex } from './sha256.js';

const API_BASE = '/api/v1/';
const SAFE_METHODS = new Set(['GET', 'HEAD']);

/** A failed request. status is 0 when the server could not be reached. */
export class ApiError extends Error {
  constructor({ status, error, errorType = null, details = null, retryAfter = null }) {
    super(error);
    this.name = 'ApiError';
    this.status = status;
    /** The server's "error" text (for /login also the 2FA code, e.g. "totp-required"). */
    this.error = error;
    this.errorType = errorType;
    this.details = details;
    /** Seconds to wait, for 429 answers, when the server said so. */
    this.retryAfter = retryAfter;
  }
}

let unauthorizedHandler = null;

/**
 * fn(error) is called when a request made with a session is answered 401, i.e.
 * the session ended (signed out elsewhere, expired, revoked). Requests that
 * expect a 401 as a normal answer (login, the first /me) pass handle401: false.
 */
export function setUnauthorizedHandler(fn) {
  unauthorizedHandler = fn;
}

/** The value of a cookie readable by scripts (rc_csrf), or '' when absent. */
function readCookie(name) {
  for (const part of document.cookie.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      return decodeURIComponent(part.slice(eq + 1).trim());
    }
  }
  return '';
}

/** N from Rocket.Chat's "... You must wait N seconds ..." or the rate-limit headers. */
function retryAfterSeconds(response, message) {
  const fromText = /wait (\d+) seconds?/i.exec(message || '');
  if (fromText) return Number(fromText[1]);
  const retry = Number(response.headers.get('Retry-After'));
  if (retry > 0) return retry;
  const reset = Number(response.headers.get('X-RateLimit-Reset')); // epoch ms
  if (reset > 0) return Math.max(1, Math.ceil((reset - Date.now()) / 1000));
  return null;
}

/**
 * Calls an API endpoint and resolves with the parsed JSON body, or rejects with
 * an ApiError. endpoint is relative to /api/v1/ ("me", "sessions/list").
 */
export async function request(method, endpoint, { body, headers = {}, signal, handle401 = true } = {}) {
  const url = endpoint.startsWith('/') ? endpoint : API_BASE + endpoint;
  const init = { method, headers: { Accept: 'application/json', ...headers }, credentials: 'same-origin', signal };
  if (!SAFE_METHODS.has(method)) {
    // A FormData body (a file upload) goes as multipart/form-data, with the
    // boundary the browser picks; everything else as JSON.
    const multipart = typeof FormData !== 'undefined' && body instanceof FormData;
    if (!multipart) init.headers['Content-Type'] = 'application/json';
    const csrf = readCookie('rc_csrf');
    if (csrf) init.headers['X-CSRF-Token'] = csrf;
    if (body !== undefined) init.body = multipart ? body : JSON.stringify(body);
  }

  let response;
  try {
    response = await fetch(url, init);
  } catch (cause) {
    if (cause.name === 'AbortError') throw cause;
    throw new ApiError({ status: 0, error: 'network-error' });
  }

  let data = null;
  try {
    data = await response.json();
  } catch {
    // Not JSON (a web server error page, an empty body): judged by the status alone.
  }

  if (response.ok && !(data && data.success === false)) return data ?? {};

  const error = new ApiError({
    status: response.status,
    error: (data && typeof data.error === 'string' && data.error) || `HTTP ${response.status}`,
    errorType: data?.errorType ?? null,
    details: data?.details ?? null,
    retryAfter: response.status === 429 ? retryAfterSeconds(response, data?.error) : null,
  });
  if (response.status === 401 && handle401 && unauthorizedHandler) unauthorizedHandler(error);
  throw error;
}

export const get = (endpoint, options) => request('GET', endpoint, options);
export const post = (endpoint, body, options) => request('POST', endpoint, { ...options, body });

/**
 * What to send as "password" at login: always {digest, algorithm}, the
 * lower-case hex SHA-256 Rocket.Chat clients send, so the typed password never
 * crosses the wire as it is, not even on a plain-http LAN install, where the
 * page has no WebCrypto and sha256.js computes it (tested against node:crypto
 * in tests/browser/sha256.test.mjs). Callers keep this value, not the typed
 * password, for the 2FA retry.
 */
export async function loginPassword(password) {
  return { digest: await sha256Hex(password), algorithm: 'sha-256' };
}

/**
 * POST /api/v1/login in cookie mode. password is loginPassword()'s result;
 * code is the 2FA code (TOTP, emailed code or 8-character backup code), if any;
 * method the 2FA method chosen ('totp' or 'email'), sent as x-2fa-method as
 * Rocket.Chat reads it (without a code, 'email' makes the server mail one).
 * Resolves with data ({userId, me}); rejects with ApiError (401 error text
 * "Unauthorized", "totp-required", "totp-invalid", "totp-max-attempts"; 429; 503).
 */
export async function login({ user, password, code, method }) {
  const body = { user, password };
  if (code) body.code = code;
  const headers = { 'X-Session-Cookie': '1' };
  if (method) headers['x-2fa-method'] = method;
  const answer = await request('POST', 'login', { body, headers, handle401: false });
  return answer.data ?? {};
}

/** GET /api/v1/me: the signed-in user. */
export const getMe = (options) => get('me', options);

/** POST /api/v1/logout: ends this session; the server clears the cookies. */
/** Mails a fresh sign-in code to a user with email 2FA; always "success". */
export const sendEmailCode = (emailOrUsername) =>
  post('users.2fa.sendEmailCode', { emailOrUsername }, { handle401: false });

export const logout = () => post('logout', undefined, { handle401: false });

/** GET /api/info: {version}. */
export const getInfo = () => get('/api/info', { handle401: false });

/** GET /api/v1/sessions/list: this user's browser and app sessions. */
export const listSessions = (options) => get('sessions/list', options);

/** POST /api/v1/sessions/logout.me: revokes one session by its id. */
export const logoutSession = (sessionId) => post('sessions/logout.me', { sessionId });

/** POST /api/v1/users.logoutOtherClients: revokes every other session (not tokens). */
export const logoutOtherClients = () => post('users.logoutOtherClients');

/** Fetches one of the SPA's own JSON files (translations), relative to www/. */
export async function loadStatic(url) {
  const response = await fetch(url, { credentials: 'same-origin' });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.json();
}
