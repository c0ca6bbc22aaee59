/* pwcheck.h - password checks under a host-wide cap on concurrent argon2id
 * work. Every hash costs argon2_memlimit_kib of memory; without a cap, a
 * flood of sign-ins (150 plain-CGI processes at 64 MiB) takes gigabytes.
 * The cap (hash_concurrency) is a System V counting semaphore shared by
 * every program using this config file on the host, taken with SEM_UNDO
 * so a process killed while hashing gives its slot back. A caller that
 * gets no slot within hash_wait_ms is told the server is busy (503). */
#ifndef MA_PWCHECK_H
#define MA_PWCHECK_H

#include <stdbool.h>

#include "crypto.h"
#include "request.h"

enum pw_result {
	PW_MATCH,
	PW_MISMATCH,
	PW_BUSY,        /* no slot in time, or the work could not be done */
};

/* Verifies HEXDIGEST against STORED; STORED NULL checks it against a dummy
 * hash of the configured cost, so an unknown account costs what a known
 * one does (and fails the same). Never answers early: a check that could
 * not run is PW_BUSY, not a quick mismatch. */
enum pw_result pw_verify(const char *stored, const char *hexdigest);
/* argon2id of HEXDIGEST at the configured cost into OUT, under the cap.
 * PW_MATCH when made, PW_BUSY otherwise. */
enum pw_result pw_hash(const char *hexdigest, char out[PWHASH_LEN]);

/* The 503 answer with Retry-After. Returns false. */
bool reply_hash_busy(struct request *req);

/* The slot itself, for tests and for work other than the two above:
 * 0 taken, 1 none free within WAIT_MS, -1 error (logged). */
int pw_slot_take(long wait_ms);
void pw_slot_give(void);
/* Removes this installation's semaphore set (tests; after uninstalling). */
void pw_slot_remove(void);

#endif
