/* passkeys.h - the passkeys program (ours, not Rocket.Chat's): adding a
 * passkey (registration ceremony), listing, renaming and removing them,
 * and signing in with one, passwordless (authentication ceremony with a
 * discoverable credential). The route table is in passkeys.c; each file
 * holds one ceremony or page. */
#ifndef MA_PASSKEYS_H
#define MA_PASSKEYS_H

#include "passkey.h"
#include "route.h"

#define PASSKEYS_BODY_MAX 16384

/* register.c */
enum { REG_NAME, REG_CREDENTIAL };
extern const struct field register_fields[];
void register_options(struct request *req);
void register_finish(struct request *req);

/* signin.c */
enum { SIGNIN_CREDENTIAL };
extern const struct field signin_fields[];
void signin_options(struct request *req);
void signin_finish(struct request *req);

/* manage.c */
enum { RENAME_ID, RENAME_NAME };
extern const struct field rename_fields[];
enum { REMOVE_ID };
extern const struct field remove_fields[];
void passkeys_list(struct request *req);
void passkeys_rename(struct request *req);
void passkeys_remove(struct request *req);

#define PASSKEY_NAME_FIELD(k) { .name = (k), .type = F_STRING, .flags = F_REQUIRED | F_NO_CTRL, \
                                .min = 1, .max = PASSKEY_NAME_MAX }
#define PASSKEY_ID_FIELD(k)   { .name = (k), .type = F_STRING, .flags = F_REQUIRED | F_NO_CTRL, \
                                .min = 1, .max = PASSKEY_ID_B64_MAX, .check = passkey_check_b64url }

#endif
