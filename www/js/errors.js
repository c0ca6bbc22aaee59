// Turns a failed request into a sentence for the user, in the UI language.

import { ApiError } from './api.js';
import { t } from './i18n.js';
import { formatWait } from './time.js';

/**
 * The message to show for err. Transport-level failures (no connection, rate
 * limit, service down, server fault, session ended) get our own translated text;
 * other API errors show the server's "error" text, as the API contract says.
 */
export function describeError(err) {
  if (!(err instanceof ApiError)) return t('error.unexpected');
  if (err.status === 0) return t('error.network');
  if (err.status === 429) {
    return err.retryAfter ? t('error.rateLimitedWait', { when: formatWait(err.retryAfter) }) : t('error.rateLimited');
  }
  if (err.status === 503) return t('error.unavailable');
  if (err.status === 401) return t('error.sessionEnded');
  if (err.errorType === 'totp-max-attempts') return t('twofactor.maxAttempts');
  if (err.status >= 500 || !err.error || err.error.startsWith('HTTP ')) return t('error.server');
  return err.error;
}
