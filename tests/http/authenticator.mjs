// authenticator.mjs - a software WebAuthn authenticator for the HTTP tests,
// built on node:crypto: ES256, EdDSA and RS256 keys, attestation "none" or
// "packed" (self), assertions with a signature counter. It also makes the
// client's half (clientDataJSON), so every member can be made wrong on
// purpose. Nothing here trusts the server: it only produces what a browser
// and an authenticator would.
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';

export const b64url = (buf) => Buffer.from(buf).toString('base64url');
export const sha256 = (data) => createHash('sha256').update(data).digest();

// The relying party the server under test is: passkeys_origin, else site_url.
export function relyingParty() {
  const conf = readFileSync(process.env.MYACCOUNT_CONFIG, 'utf8');
  const value = (k) => new RegExp(`^${k}\\s*=\\s*(.*)$`, 'm').exec(conf)?.[1].trim() ?? '';
  const origin = new URL(value('passkeys_origin') || value('site_url')).origin;
  return { origin, rpId: new URL(origin).hostname };
}

// ---- a minimal CBOR encoder (RFC 8949): what COSE keys and attestation objects use.
function head(major, n) {
  if (n < 24) return Buffer.from([(major << 5) | n]);
  if (n < 256) return Buffer.from([(major << 5) | 24, n]);
  if (n < 65536) { const b = Buffer.alloc(3); b[0] = (major << 5) | 25; b.writeUInt16BE(n, 1); return b; }
  const b = Buffer.alloc(5); b[0] = (major << 5) | 26; b.writeUInt32BE(n, 1); return b;
}
export function cbor(v) {
  if (typeof v === 'number') return v >= 0 ? head(0, v) : head(1, -1 - v);
  if (typeof v === 'string') { const s = Buffer.from(v, 'utf8'); return Buffer.concat([head(3, s.length), s]); }
  if (Buffer.isBuffer(v)) return Buffer.concat([head(2, v.length), v]);
  if (v instanceof Map) {
    const parts = [head(5, v.size)];
    for (const [k, x] of v) parts.push(cbor(k), cbor(x));
    return Buffer.concat(parts);
  }
  throw new Error(`cbor: cannot encode ${typeof v}`);
}

const ALGS = {
  ES256: { cose: -7, make: () => generateKeyPairSync('ec', { namedCurve: 'P-256' }) },
  EdDSA: { cose: -8, make: () => generateKeyPairSync('ed25519') },
  RS256: { cose: -257, make: () => generateKeyPairSync('rsa', { modulusLength: 2048 }) },
};

function coseKey(alg, publicKey) {
  const j = publicKey.export({ format: 'jwk' });
  const d = (s) => Buffer.from(s, 'base64url');
  if (alg === 'ES256') return cbor(new Map([[1, 2], [3, -7], [-1, 1], [-2, d(j.x)], [-3, d(j.y)]]));
  if (alg === 'EdDSA') return cbor(new Map([[1, 1], [3, -8], [-1, 6], [-2, d(j.x)]]));
  return cbor(new Map([[1, 3], [3, -257], [-1, d(j.n)], [-2, d(j.e)]]));
}

function signWith(alg, privateKey, data) {
  if (alg === 'EdDSA') return sign(null, data, privateKey);
  if (alg === 'ES256') return sign('sha256', data, { key: privateKey, dsaEncoding: 'der' });
  return sign('sha256', data, privateKey);
}

const FLAG = { UP: 0x01, UV: 0x04, BE: 0x08, BS: 0x10, AT: 0x40 };

// 1Password's AAGUID, so the list can name the authenticator.
export const AAGUID_1PASSWORD = Buffer.from('bada5566a7aa401fbd9645619a55120d', 'hex');

export class Authenticator {
  constructor(alg = 'ES256', { aaguid = AAGUID_1PASSWORD } = {}) {
    this.alg = alg;
    this.aaguid = aaguid;
    ({ publicKey: this.publicKey, privateKey: this.privateKey } = ALGS[alg].make());
    this.credId = randomBytes(32);
    this.id = b64url(this.credId);
    this.counter = 0;
    this.userHandle = null;
  }

  clientData(type, challenge, { origin, crossOrigin = false } = {}) {
    return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin }));
  }

  // navigator.credentials.create() as toJSON() gives it. Overrides make one
  // member wrong: origin, rpId, type, challenge, fmt, flags.
  create(options, rp, o = {}) {
    this.userHandle = options.user.id;
    const cdj = this.clientData(o.type ?? 'webauthn.create', o.challenge ?? options.challenge, { origin: o.origin ?? rp.origin });
    const flags = o.flags ?? (FLAG.UP | FLAG.UV | FLAG.AT);
    const counter = Buffer.alloc(4); counter.writeUInt32BE(this.counter);
    const idLen = Buffer.alloc(2); idLen.writeUInt16BE(this.credId.length);
    const authData = Buffer.concat([sha256(o.rpId ?? rp.rpId), Buffer.from([flags]), counter, this.aaguid,
      idLen, this.credId, coseKey(this.alg, this.publicKey)]);
    let fmt = o.fmt ?? 'none', attStmt = new Map();
    if (fmt === 'packed') {
      const sig = signWith(this.alg, this.privateKey, Buffer.concat([authData, sha256(cdj)]));
      attStmt = new Map([['alg', ALGS[this.alg].cose], ['sig', o.tamper ? flip(sig) : sig]]);
    }
    const att = cbor(new Map([['fmt', fmt], ['attStmt', attStmt], ['authData', authData]]));
    return {
      id: this.id, rawId: this.id, type: 'public-key',
      response: { clientDataJSON: b64url(cdj), attestationObject: b64url(att), transports: ['internal', 'hybrid'] },
      authenticatorAttachment: 'platform', clientExtensionResults: {},
    };
  }

  // navigator.credentials.get(). The counter goes up by one unless o.counter
  // sets it; o.tamper flips a bit of the signature.
  get(options, rp, o = {}) {
    const cdj = this.clientData(o.type ?? 'webauthn.get', o.challenge ?? options.challenge, { origin: o.origin ?? rp.origin });
    this.counter = o.counter ?? this.counter + 1;
    const counter = Buffer.alloc(4); counter.writeUInt32BE(this.counter);
    const flags = o.flags ?? (FLAG.UP | FLAG.UV);
    const authData = Buffer.concat([sha256(o.rpId ?? rp.rpId), Buffer.from([flags]), counter]);
    const sig = signWith(this.alg, this.privateKey, Buffer.concat([authData, sha256(cdj)]));
    return {
      id: this.id, rawId: this.id, type: 'public-key',
      response: {
        clientDataJSON: b64url(cdj), authenticatorData: b64url(authData),
        signature: b64url(o.tamper ? flip(sig) : sig),
        userHandle: o.userHandle === undefined ? this.userHandle : o.userHandle,
      },
      authenticatorAttachment: 'platform', clientExtensionResults: {},
    };
  }
}

function flip(sig) {
  const s = Buffer.from(sig);
  s[s.length - 5] ^= 0x01;
  return s;
}

export { FLAG };
