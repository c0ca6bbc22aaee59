/* avatar.h - the avatar program: changing avatars (users.setAvatar,
 * users.resetAvatar). It is a program of its own, apart from profile,
 * because it is the one that links libgd and libcurl: libgd alone loads
 * some 50 shared libraries, which every plain-CGI request of a program
 * pays for, and GET /avatar/<username> (in profile) is the most frequent
 * request there is. avatar.c holds the table, setavatar.c the handlers. */
#ifndef MA_AVATAR_PROGRAM_H
#define MA_AVATAR_PROGRAM_H

#include <stdbool.h>
#include <stddef.h>

#include "request.h"
#include "validate.h"

#define AVATAR_BODY_MAX (12L << 20)     /* the web servers' own body limit (gen-config.sh) */

enum { SET_URL, SET_USER_ID, SET_USERNAME };
enum { RESET_USER_ID, RESET_USERNAME };
extern const struct field set_avatar_fields[];
extern const struct field reset_avatar_fields[];
extern const struct part set_avatar_parts[];

void set_avatar(struct request *req);
void reset_avatar(struct request *req);

/* avstore.c: the two documents an avatar lives in, the avatars row
 * (_id = user id: contentType, etag, data, version) and the user's
 * avatarETag / avatarOrigin (Rocket.Chat's). Every change carries a
 * version (time, then random) and is written to both documents only over
 * an older version, so racing changes end with both documents showing the
 * same, newest one, whatever order their writes land in. A reset writes a
 * row without data. Each returns false after answering (database). */
bool avatar_store_set_or_reply(struct request *req, const void *data, size_t len,
    const char *type, const char *origin);
bool avatar_store_reset_or_reply(struct request *req);

#endif
