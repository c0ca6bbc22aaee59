/* user.h - the user document: what /me and login show of it, and the
 * lookups every program needs. Secrets (password hash, TOTP secret, backup
 * codes) never leave through here. */
#ifndef MA_USER_H
#define MA_USER_H

#include <bson/bson.h>
#include <json-c/json.h>

/* Rocket.Chat's /me shape (getUserInfo): whitelisted fields, "email" of the
 * first verified address, preferences merged with defaults, avatarUrl and
 * services reduced to flags. Caller owns the result. */
json_object *user_me_json(const bson_t *user);

/* The key that keeps usernames unique without regard to case: USERNAME
 * with ASCII letters lower-cased (Rocket.Chat's names are ASCII by
 * default; other characters are kept as they are). New string, caller
 * frees with bson_free(). Stored as usernameKey, under a unique index. */
char *user_name_key(const char *username);

/* The first verified email address, or NULL. Borrowed from USER. */
const char *user_verified_email(const bson_t *user);

#endif
