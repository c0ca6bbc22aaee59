// The end-to-end encryption key pair, made and re-encrypted in the browser
// (WebCrypto) in exactly the format Rocket.Chat's clients use, so that any
// Rocket.Chat client can decrypt what this page stores (reference §5.2):
//
//   public_key   JSON.stringify(public JWK) of an RSA-OAEP 2048 / e=65537 /
//                SHA-256 key pair
//   private_key  '{"$binary":"' + base64(iv[16] || AES-256-CBC(JSON.stringify(private JWK))) + '"}'
//                (EJSON of a Uint8Array), the AES key derived by PBKDF2-HMAC-SHA-256,
//                1000 iterations, salt = the user's id, password = the E2E password
//
// Rocket.Chat turns the password, salt and JWK text into bytes as "binary"
// strings (one byte per UTF-16 code unit, refusing units above 0xFF), not as
// UTF-8; toBytes() does the same, so a password with "é" derives the same key
// there and here, and passwordProblem() refuses what Rocket.Chat cannot take.
// Reading also accepts the newer Rocket.Chat format (AES-GCM, own salt and
// iteration count) so that a key made by a 7.x client can have its password
// changed here; writing always uses the first format, which every client reads.
//
// The E2E password never leaves this module: nothing here sends, logs or stores it.

const IV_LENGTH = 16;
const ITERATIONS = 1000;
const RSA = { name: 'RSA-OAEP', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' };

/** Thrown when the password does not decrypt the stored key (or the key is damaged). */
export class WrongPassword extends Error {
  constructor() {
    super('the E2E password does not decrypt this key');
    this.name = 'WrongPassword';
  }
}

/** True when this page may use WebCrypto (a secure context: https or localhost). */
export const isAvailable = () => Boolean(globalThis.crypto?.subtle);

/** Why password cannot be used, as 'empty' | 'characters', or null when it can. */
export function passwordProblem(password) {
  if (!password) return 'empty';
  for (let i = 0; i < password.length; i += 1) if (password.charCodeAt(i) > 0xff) return 'characters';
  return null;
}

/** Rocket.Chat's "binary" string encoding: one byte per code unit (all <= 0xFF). */
function toBytes(text) {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i += 1) {
    const unit = text.charCodeAt(i);
    if (unit > 0xff) throw new RangeError('character outside Latin-1');
    bytes[i] = unit;
  }
  return bytes;
}

function fromBytes(bytes) {
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x2000) text += String.fromCharCode(...bytes.subarray(i, i + 0x2000));
  return text;
}

const toBase64 = (bytes) => btoa(fromBytes(bytes));
const fromBase64 = (text) => toBytes(atob(text));

/** The AES key for password and salt (PBKDF2-HMAC-SHA-256). */
async function masterKey(password, salt, iterations, cipher) {
  const base = await crypto.subtle.importKey('raw', toBytes(password), 'PBKDF2', false, ['deriveKey']);
  return crypto.subtle.deriveKey({ name: 'PBKDF2', hash: 'SHA-256', salt: toBytes(salt), iterations },
    base, { name: cipher, length: 256 }, false, ['encrypt', 'decrypt']);
}

/**
 * Makes a new key pair. Resolves with {publicKey, privateKey}: the two JWKs
 * as JSON text, the public one ready to store as public_key.
 */
export async function createKeyPair() {
  const pair = await crypto.subtle.generateKey(RSA, true, ['encrypt', 'decrypt']);
  const [publicJwk, privateJwk] = await Promise.all([
    crypto.subtle.exportKey('jwk', pair.publicKey),
    crypto.subtle.exportKey('jwk', pair.privateKey),
  ]);
  return { publicKey: JSON.stringify(publicJwk), privateKey: JSON.stringify(privateJwk) };
}

/** Encrypts the private JWK text under password for userId: the stored private_key. */
export async function encryptPrivateKey(privateKey, password, userId) {
  const key = await masterKey(password, userId, ITERATIONS, 'AES-CBC');
  const iv = crypto.getRandomValues(new Uint8Array(IV_LENGTH));
  const ciphertext = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-CBC', iv }, key, toBytes(privateKey)));
  const joined = new Uint8Array(iv.length + ciphertext.length);
  joined.set(iv, 0);
  joined.set(ciphertext, iv.length);
  return JSON.stringify({ $binary: toBase64(joined) });
}

/** {iv, ciphertext, salt, iterations, cipher} of a stored private_key, or null if it is neither format. */
function parseStored(stored, userId) {
  let value;
  try {
    value = JSON.parse(stored);
  } catch {
    return null;
  }
  if (typeof value?.$binary === 'string') {
    const bytes = fromBase64(value.$binary);
    return { iv: bytes.slice(0, IV_LENGTH), ciphertext: bytes.slice(IV_LENGTH), salt: userId, iterations: ITERATIONS, cipher: 'AES-CBC' };
  }
  if (typeof value?.iv === 'string' && typeof value.ciphertext === 'string' && typeof value.salt === 'string'
      && Number.isInteger(value.iterations) && value.iterations > 0) {
    const iv = fromBase64(value.iv);
    return { iv, ciphertext: fromBase64(value.ciphertext), salt: value.salt, iterations: value.iterations,
      cipher: iv.length === IV_LENGTH ? 'AES-CBC' : 'AES-GCM' };
  }
  return null;
}

/**
 * Decrypts a stored private_key with password; resolves with the private JWK
 * text. Rejects with WrongPassword when it does not decrypt to an RSA private JWK.
 */
export async function decryptPrivateKey(stored, password, userId) {
  const parts = parseStored(String(stored), userId);
  if (!parts) throw new WrongPassword();
  let text;
  try {
    const key = await masterKey(password, parts.salt, parts.iterations, parts.cipher);
    const plain = await crypto.subtle.decrypt({ name: parts.cipher, iv: parts.iv }, key, parts.ciphertext);
    text = fromBytes(new Uint8Array(plain));
    const jwk = JSON.parse(text);
    if (jwk?.kty !== 'RSA' || typeof jwk.d !== 'string') throw new Error('not a private key');
  } catch {
    throw new WrongPassword(); // a wrong key mostly fails the padding, rarely the JSON
  }
  return text;
}
