// Passkeys in the browser (WebAuthn): the one place that calls
// navigator.credentials. The server sends options with binary members as
// base64url (cgi-bin/passkeys/); they become ArrayBuffers here, and the
// credential the browser makes goes back as JSON with base64url members,
// the shape PublicKeyCredential.toJSON() gives. Three uses:
//   signInWithPasskey()          passwordless sign-in (discoverable passkey)
//   answerWithPasskey(send, d)   the second factor (x-2fa-method: webauthn)
//   createPasskey(name)          adding one on the Security page
// The user dismissing the browser's prompt rejects with PasskeyCancelled.

import * as api from './api.js';

/** The user closed the browser's passkey prompt, or it timed out. */
export class PasskeyCancelled extends Error {
  constructor() {
    super('passkey cancelled');
    this.name = 'AbortError';
  }
}

export const passkeysSupported = () => typeof window.PublicKeyCredential === 'function'
  && typeof navigator.credentials?.get === 'function';

function fromB64url(s) {
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((s.length + 3) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0)).buffer;
}

function toB64url(buffer) {
  let bin = '';
  for (const byte of new Uint8Array(buffer)) bin += String.fromCharCode(byte);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

// The transports the server stores; any newer name is left out.
const TRANSPORTS = new Set(['usb', 'nfc', 'ble', 'internal', 'hybrid', 'smart-card']);

const descriptors = (list = []) => list.map((d) => ({ ...d, id: fromB64url(d.id) }));

/** navigator.credentials.*; NotAllowedError (dismissed, timed out) becomes PasskeyCancelled. */
async function ask(fn) {
  try {
    return await fn();
  } catch (err) {
    if (err?.name === 'NotAllowedError' || err?.name === 'AbortError') throw new PasskeyCancelled();
    throw err;
  }
}

/** An assertion for request options from the server, as JSON. */
export async function getAssertion(options, { signal } = {}) {
  const publicKey = {
    ...options,
    challenge: fromB64url(options.challenge),
    allowCredentials: descriptors(options.allowCredentials),
  };
  const cred = await ask(() => navigator.credentials.get({ publicKey, signal }));
  const r = cred.response;
  return {
    id: cred.id,
    rawId: toB64url(cred.rawId),
    type: cred.type,
    response: {
      clientDataJSON: toB64url(r.clientDataJSON),
      authenticatorData: toB64url(r.authenticatorData),
      signature: toB64url(r.signature),
      userHandle: r.userHandle ? toB64url(r.userHandle) : null,
    },
    authenticatorAttachment: cred.authenticatorAttachment ?? null,
    clientExtensionResults: {},
  };
}

/** Passwordless sign-in; resolves once the session cookie is set. */
export async function signInWithPasskey() {
  const { publicKey } = await api.post('passkeys.signInOptions', {}, { handle401: false });
  const credential = await getAssertion(publicKey);
  await api.request('POST', 'passkeys.signIn', {
    body: { credential }, headers: { 'X-Session-Cookie': '1' }, handle401: false,
  });
}

/** The passkey step of a password sign-in (details of its totp-required answer). */
export async function loginWithPasskey({ user, password }, details) {
  const credential = await getAssertion(details.webauthn);
  await api.request('POST', 'login', {
    body: { user, password },
    headers: { 'X-Session-Cookie': '1', 'x-2fa-method': 'webauthn', 'x-2fa-code': JSON.stringify(credential) },
    handle401: false,
  });
}

/** The second factor of a protected request: sends it again with the assertion. */
export async function answerWithPasskey(send, details, { signal } = {}) {
  const credential = await getAssertion(details.webauthn, { signal });
  return send({ 'x-2fa-method': 'webauthn', 'x-2fa-code': JSON.stringify(credential) });
}

/**
 * Adds a passkey named name: creation options (asking for the second factor
 * through withSecondFactor, passed in to keep this module free of the dialog),
 * the browser's ceremony, then the attestation to the server.
 */
export async function createPasskey(name, withSecondFactor) {
  const { publicKey: o } = await withSecondFactor((headers) => api.post('passkeys.registerOptions', {}, { headers }));
  const publicKey = {
    ...o,
    challenge: fromB64url(o.challenge),
    user: { ...o.user, id: fromB64url(o.user.id) },
    excludeCredentials: descriptors(o.excludeCredentials),
  };
  const cred = await ask(() => navigator.credentials.create({ publicKey }));
  const r = cred.response;
  const credential = {
    id: cred.id,
    rawId: toB64url(cred.rawId),
    type: cred.type,
    response: {
      clientDataJSON: toB64url(r.clientDataJSON),
      attestationObject: toB64url(r.attestationObject),
      transports: (typeof r.getTransports === 'function' ? r.getTransports() : []).filter((x) => TRANSPORTS.has(x)),
    },
    authenticatorAttachment: cred.authenticatorAttachment ?? null,
    clientExtensionResults: {},
  };
  return api.post('passkeys.register', { name, credential });
}

export const listPasskeys = (options) => api.get('passkeys.list', options);
export const renamePasskey = (id, name) => api.post('passkeys.rename', { id, name });
export const removePasskey = (id, withSecondFactor) =>
  withSecondFactor((headers) => api.post('passkeys.remove', { id }, { headers }));
