/* errors.h - the one error vocabulary: each kind maps once to an HTTP status,
 * a Rocket.Chat errorType and a default message (see API.md, "Conventions").
 * The table in errors.c is the whole list of errorTypes this API answers;
 * no call site invents one. */
#ifndef MA_ERRORS_H
#define MA_ERRORS_H

enum err_kind {
	ERR_NONE = 0,
	ERR_INVALID_PARAMS,     /* 400 invalid-params: a field failed its spec */
	ERR_PARAM_REQUIRED,     /* 400 error-parameter-required */
	ERR_BAD_REQUEST,        /* 400 error-invalid-request: malformed body */
	ERR_LOGIN_FAILED,       /* 401 "Unauthorized" on /login (no errorType) */
	ERR_UNAUTHORIZED,       /* 401 "You must be logged in to do this." */
	ERR_CSRF,               /* 403 error-csrf: cookie request without CSRF header */
	ERR_FORBIDDEN,          /* 403 error-forbidden */
	ERR_NOT_ALLOWED,        /* 400 error-not-allowed: feature switched off */
	ERR_NOT_FOUND,          /* 404 unknown route */
	ERR_METHOD,             /* 405 known path, wrong method */
	ERR_TOO_LARGE,          /* 413 body over the route's limit */
	ERR_UNSUPPORTED_TYPE,   /* 415 content type the route does not take */
	ERR_RATE_LIMITED,       /* 429 error-too-many-requests */
	ERR_TOTP_REQUIRED,      /* 400 totp-required (401 on /login) */
	ERR_TOTP_INVALID,       /* 400 totp-invalid (401 on /login) */
	ERR_TOTP_MAX_ATTEMPTS,  /* 400 totp-max-attempts (401 on /login) */
	ERR_INVALID_USER,       /* 400 error-invalid-user */
	ERR_INVALID_PASSWORD,   /* 400 error-invalid-password */
	ERR_ACTION_NOT_ALLOWED, /* 400 error-action-not-allowed: another user's data */
	ERR_NOT_AUTHORIZED,     /* 400 not-authorized: Rocket.Chat's permission refusal */
	ERR_SESSION_NOT_FOUND,  /* 400 error-session-not-found (ours) */
	ERR_TOKEN_EXISTS,       /* 400 error-token-already-exists */
	ERR_TOKEN_NOT_FOUND,    /* 400 error-token-does-not-exists (sic) */
	ERR_TOO_MANY_TOKENS,    /* 400 error-too-many-tokens (ours) */
	ERR_TOKEN_OUTLIVES,     /* 400 error-token-expiry-too-late: a PAT minting a longer-lived one */
	ERR_USER_NOT_ACTIVATED, /* 401 on /login: error-user-is-not-activated */
	ERR_LOGIN_BLOCKED_USER, /* 401 on /login: error-login-blocked-for-user */
	ERR_LOGIN_BLOCKED_IP,   /* 401 on /login: error-login-blocked-for-ip */
	ERR_IDLE_TIME_LIMIT,    /* 400 invalid-idle-time-limit-value: idleTimeLimit under 60 s */
	/* security log and new-sign-in notices */
	ERR_NOT_ME_LINK,        /* 400 error-not-me-link-invalid (ours) */
	ERR_BUSY,               /* 503 error-server-busy: too many password checks at once */
	ERR_DB_UNAVAILABLE,     /* 503 error-database-unavailable */
	ERR_MAIL_UNAVAILABLE,   /* 503 error-email-send-failed */
	ERR_INTERNAL,           /* 500 never on bad input */
	ERR__COUNT
};

struct err_info {
	int         status;     /* HTTP status */
	const char *type;       /* Rocket.Chat errorType, NULL when none is sent */
	const char *message;    /* default human text */
};

/* Borrowed pointer into a static table; never NULL. */
const struct err_info *err_info(enum err_kind kind);

#endif
