/* config.h - the one config file every program reads (flat "key = value").
 * Path: $MYACCOUNT_CONFIG, else SYSCONFDIR "/myaccount.conf". */
#ifndef MA_CONFIG_H
#define MA_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

struct config {
	char *mongodb_uri;
	char *mongodb_database;
	char *site_url;                 /* no trailing slash */
	char *site_name;
	char *rocketchat_version;       /* the Rocket.Chat API level implemented */
	char *min_desktop_client_version;
	char *min_mobile_client_version;
	char *custom_sounds;            /* comma-separated custom sound ids users may pick */
	long  session_days;
	char *cookie_secure;            /* auto | yes | no */
	long  login_max_failures_per_user;
	long  login_max_failures_per_ip;
	long  login_block_seconds;
	long  argon2_opslimit;
	long  argon2_memlimit_kib;
	long  password_min_length;
	long  password_max_length;
	char *smtp_url;
	char *smtp_from;
	char *smtp_user;
	char *smtp_password;
	char *mail_texts;               /* directory of <lang>.json mail texts; "": DATADIR's */
	char *mail_sender;              /* the admin tool, run to send queued mail; "": BINDIR's */
	char *log_level;
	bool  allow_username_change;
	bool  allow_email_change;
	bool  allow_password_change;
	bool  allow_avatar_change;
	bool  allow_name_change;
	bool  totp_enabled;
	bool  email_2fa_enabled;
	bool  e2e_enabled;
	bool  personal_access_tokens_enabled;
	long  personal_access_tokens_max_per_user;
	bool  data_export_enabled;
	bool  allow_delete_own_account;
	char *trusted_proxies;          /* comma-separated IPs */
	char *secret_key;               /* 64 hex digits: keys backup/email codes, device cookies */
	long  login_forget_seconds;     /* a series of failed sign-ins is forgotten after this */
	long  hash_concurrency;         /* password hashes at once on this host; 0: no cap */
	long  security_log_days;        /* how long security log events are kept */
	long  hash_wait_ms;             /* how long a sign-in waits for a hashing slot */
	/* profile: Rocket.Chat's Accounts_AllowUserProfileChange,
	 * _AllowUserStatusMessageChange, _AllowInvisibleStatusOption,
	 * Accounts_BlockedUsernameList */
	bool  allow_profile_change;
	bool  allow_status_message_change;
	bool  allow_invisible_status;
	char *blocked_usernames;        /* comma-separated, matched without regard to case */
	/* Password policy (Rocket.Chat's Accounts_Password_Policy_*; the length
	 * limits above always apply), history, strength, mailed links. */
	bool  password_policy_enabled;  /* the rules below; off: length only */
	bool  password_forbid_repeating;
	long  password_max_repeating;   /* more equal characters in a row are refused */
	bool  password_require_lowercase;
	bool  password_require_uppercase;
	bool  password_require_number;
	bool  password_require_special;
	bool  password_history_enabled;
	long  password_history_amount;  /* recent passwords refused, the current one included */
	long  password_min_strength;    /* zxcvbn score 0-4 a password needs; 0: no check */
	long  password_reset_minutes;   /* a reset link's life */
	long  email_verify_hours;       /* a verification link's life */
	/* Avatars (cgi-bin/profile/avatar*.c, lib/image.c, lib/fetch.c). */
	long  avatar_size;              /* pixels of the square every avatar is resized to */
	long  avatar_max_bytes;         /* bytes of an uploaded or fetched image */
	long  avatar_max_pixels;        /* width x height of an image before decoding */
	bool  avatar_url_fetch;         /* users.setAvatar may fetch an avatarUrl */
	long  avatar_fetch_timeout_ms;  /* the whole fetch, redirects included */
	bool  avatar_fetch_allow_private; /* RFC 1918, CGNAT and unique-local servers */
	char *avatar_fetch_allow_networks; /* comma-separated CIDRs allowed whatever they are */
	/* The security area (cgi-bin/security, lib/secretbox.c, lib/twofactor.c). */
	char *totp_keys;                /* key ring of TOTP secrets at rest: "ID:64hex, ..." */
	char *totp_key_current;         /* the ring key new secrets are sealed with; "": first */
	long  totp_window_steps;        /* TOTP steps accepted either side of now (MaxDelta) */
	long  twofactor_remember_seconds; /* a passed second factor is remembered; 0: never */
	long  backup_codes_warn_below;  /* codesRemaining warns at this many or fewer */
	bool  passkeys_enabled;
	char *passkeys_user_verification; /* required | preferred | discouraged */
	char *passkeys_origin;          /* "": site_url's; the rp id is its host */
	/* My Data export */
	long  data_export_link_days;    /* how long a download link works */
	long  data_export_requests_per_hour; /* requestDataDownload calls per user */
	long  data_export_lease_seconds; /* a worker's hold on a job; a dead worker's job is retaken after it */
};

/* The process-wide config, valid after config_load() succeeded. */
extern struct config cfg;

/* Sets defaults, then reads PATH (NULL: the default path). A missing file is
 * fine only when PATH is NULL and the env variable is unset. On error writes a
 * message naming file and line into ERR and returns -1. */
int config_load(const char *path, char *err, size_t errlen);

/* Sets one key from text; used by the loader and by tests. -1 on bad value. */
int config_set(const char *key, const char *value, char *err, size_t errlen);

/* A family of keys an area owns ("preference." + key): SET gets the key
 * without PREFIX. Registered before config_load(); -1 when the table of
 * sections is full. */
typedef int config_section_fn(const char *key, const char *value, char *err, size_t errlen);
int config_section(const char *prefix, config_section_fn *set);

/* The 32 bytes of secret_key; valid after config_load() succeeded with a
 * file (it refuses a file without one). NULL when no key is loaded. */
const unsigned char *config_secret(void);

/* The path config_load(NULL, ...) reads. */
const char *config_default_path(void);

void config_free(void);

#endif
