/* pwcheck.c - see pwcheck.h. */
#include "pwcheck.h"

#include <errno.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <time.h>

#include "config.h"
#include "log.h"
#include "respond.h"

static int semid = -1;
static char dummy[PWHASH_LEN];

/* The semaphore set's key: from the absolute config path and the cap, so
 * every program of one installation meets in one set, two installations
 * on one host do not, and a changed cap starts a fresh set (programs
 * still running with the old config keep the old one until restarted). */
static key_t
set_key(void)
{
	char path[PATH_MAX], buf[PATH_MAX + 32];
	unsigned char h[crypto_hash_sha256_BYTES];
	uint32_t k;

	if (realpath(config_default_path(), path) == NULL)
		snprintf(path, sizeof path, "%s", config_default_path());
	snprintf(buf, sizeof buf, "myaccount-hash:%s:%ld", path, cfg.hash_concurrency);
	crypto_hash_sha256(h, (const unsigned char *)buf, strlen(buf));
	memcpy(&k, h, sizeof k);
	k &= 0x7fffffff;
	return (key_t)(k ? k : 1);   /* never IPC_PRIVATE */
}

/* Opens (or creates) the set. The creator adds the cap without SEM_UNDO,
 * as the set's lasting value; others that come before that wait on 0. */
static int
open_set(void)
{
	key_t key = set_key();
	int id = semget(key, 1, 0600 | IPC_CREAT | IPC_EXCL);

	if (id >= 0) {
		struct sembuf init = { 0, (short)cfg.hash_concurrency, 0 };
		if (semop(id, &init, 1) != 0) {
			log_error("hashing semaphore: cannot set its value: %s", strerror(errno));
			return -1;
		}
	} else if (errno == EEXIST) {
		id = semget(key, 1, 0600);
	}
	if (id < 0) {
		log_error("hashing semaphore: %s (set hash_concurrency = 0 where System V IPC is unavailable)",
		    strerror(errno));
		return -1;
	}
	semid = id;
	return 0;
}

int
pw_slot_take(long wait_ms)
{
	struct sembuf down = { 0, -1, SEM_UNDO };
	struct timespec until, left;

	if (cfg.hash_concurrency == 0)
		return 0;
	if (semid < 0 && open_set() != 0)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += wait_ms / 1000;
	until.tv_nsec += (wait_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	for (int reopened = 0;;) {
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		left.tv_sec = until.tv_sec - now.tv_sec;
		left.tv_nsec = until.tv_nsec - now.tv_nsec;
		if (left.tv_nsec < 0) {
			left.tv_sec--;
			left.tv_nsec += 1000000000L;
		}
		if (left.tv_sec < 0)
			left.tv_sec = left.tv_nsec = 0;
		if (semtimedop(semid, &down, 1, &left) == 0)
			return 0;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN)
			return 1;
		/* Removed under us (ipcrm): make it again, once. */
		if ((errno == EIDRM || errno == EINVAL) && !reopened++ && open_set() == 0)
			continue;
		log_error("hashing semaphore: %s", strerror(errno));
		return -1;
	}
}

void
pw_slot_give(void)
{
	struct sembuf up = { 0, 1, SEM_UNDO };

	if (cfg.hash_concurrency == 0 || semid < 0)
		return;
	while (semop(semid, &up, 1) != 0 && errno == EINTR)
		;
}

void
pw_slot_remove(void)
{
	if (semid >= 0 || (semid = semget(set_key(), 1, 0600)) >= 0)
		semctl(semid, 0, IPC_RMID);
	semid = -1;
}

/* A well-formed argon2id string of the configured cost with random salt
 * and tag: verifying against it costs exactly a real verification and
 * always fails. Made by formatting, not hashing, so it cannot fail. */
static const char *
dummy_hash(void)
{
	unsigned char salt[crypto_pwhash_SALTBYTES], tag[32];
	char s64[sodium_base64_ENCODED_LEN(sizeof salt, sodium_base64_VARIANT_ORIGINAL_NO_PADDING)];
	char t64[sodium_base64_ENCODED_LEN(sizeof tag, sodium_base64_VARIANT_ORIGINAL_NO_PADDING)];

	if (dummy[0] && !crypto_pwhash_str_needs_rehash(dummy, (unsigned long long)cfg.argon2_opslimit,
	    (size_t)cfg.argon2_memlimit_kib * 1024))
		return dummy;
	randombytes_buf(salt, sizeof salt);
	randombytes_buf(tag, sizeof tag);
	sodium_bin2base64(s64, sizeof s64, salt, sizeof salt, sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
	sodium_bin2base64(t64, sizeof t64, tag, sizeof tag, sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
	snprintf(dummy, sizeof dummy, "$argon2id$v=19$m=%ld,t=%ld,p=1$%s$%s",
	    cfg.argon2_memlimit_kib, cfg.argon2_opslimit, s64, t64);
	return dummy;
}

enum pw_result
pw_verify(const char *stored, const char *hexdigest)
{
	enum pw_result r;
	int rc;

	if (pw_slot_take(cfg.hash_wait_ms) != 0)
		return PW_BUSY;
	errno = 0;
	rc = crypto_pwhash_str_verify(stored ? stored : dummy_hash(), hexdigest, strlen(hexdigest));
	/* libsodium says EINVAL for "does not match"; anything else (out of
	 * memory) means the work was not done and must not pass as a quick no. */
	r = rc == 0 ? (stored ? PW_MATCH : PW_MISMATCH) : errno == EINVAL ? PW_MISMATCH : PW_BUSY;
	pw_slot_give();
	if (r == PW_BUSY)
		log_error("password check could not run: %s", strerror(errno));
	return r;
}

enum pw_result
pw_hash(const char *hexdigest, char out[PWHASH_LEN])
{
	int rc;

	if (pw_slot_take(cfg.hash_wait_ms) != 0)
		return PW_BUSY;
	rc = password_hash(hexdigest, cfg.argon2_opslimit, cfg.argon2_memlimit_kib, out);
	pw_slot_give();
	return rc == 0 ? PW_MATCH : PW_BUSY;
}

bool
reply_hash_busy(struct request *req)
{
	resp_header(req, "Retry-After: 1");
	reply_error(req, ERR_BUSY, NULL);
	return false;
}
