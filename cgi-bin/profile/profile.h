/* profile.h - the profile program's pages, one file each (as cgit's ui-*.c):
 * avatar.c serves avatars. The route table is in profile.c. */
#ifndef MA_PROFILE_H
#define MA_PROFILE_H

#include "request.h"

/* GET /avatar/<username>: the user's avatar; a generated one (initial on a
 * colour) while no image is uploaded. */
void avatar_get(struct request *req);

#endif
