/* secretbox.c - see secretbox.h. */
#include "secretbox.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "crypto.h"

#define RING_MAX  8
#define ID_CHARS  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
#define PLAIN_MAX 256

static struct {
	char          id[SECRETBOX_ID_MAX + 1];
	unsigned char key[crypto_secretbox_KEYBYTES];
} ring[RING_MAX];
static size_t ring_n;
static int current = -1;

static int
add_key(const char *id, size_t id_len, const unsigned char *key, char *err, size_t errlen)
{
	if (id_len == 0 || id_len > SECRETBOX_ID_MAX || strspn(id, ID_CHARS) < id_len) {
		snprintf(err, errlen, "totp_keys: a key id is 1 to %d letters, digits, _ or -", SECRETBOX_ID_MAX);
		return -1;
	}
	for (size_t i = 0; i < ring_n; i++)
		if (strlen(ring[i].id) == id_len && memcmp(ring[i].id, id, id_len) == 0) {
			snprintf(err, errlen, "totp_keys: key id '%.*s' is listed twice", (int)id_len, id);
			return -1;
		}
	if (ring_n == RING_MAX) {
		snprintf(err, errlen, "totp_keys: at most %d keys", RING_MAX);
		return -1;
	}
	memcpy(ring[ring_n].id, id, id_len);
	ring[ring_n].id[id_len] = '\0';
	memcpy(ring[ring_n].key, key, sizeof ring[ring_n].key);
	ring_n++;
	return 0;
}

/* One "ID:64hex" entry of N bytes at S. */
static int
parse_entry(const char *s, size_t n, char *err, size_t errlen)
{
	unsigned char key[crypto_secretbox_KEYBYTES];
	const char *colon = memchr(s, ':', n);
	size_t hex_len, got = 0;
	int rc;

	hex_len = colon ? n - (size_t)(colon + 1 - s) : 0;
	if (colon == NULL || hex_len != 2 * sizeof key ||
	    sodium_hex2bin(key, sizeof key, colon + 1, hex_len, NULL, &got, NULL) != 0 || got != sizeof key) {
		snprintf(err, errlen, "totp_keys: each key is ID:<64 hex digits> (openssl rand -hex 32)");
		return -1;
	}
	rc = add_key(s, (size_t)(colon - s), key, err, errlen);
	sodium_memzero(key, sizeof key);
	return rc;
}

int
secretbox_load(char *err, size_t errlen)
{
	const char *s = cfg.totp_keys ? cfg.totp_keys : "";

	sodium_memzero(ring, sizeof ring);
	ring_n = 0;
	current = -1;
	while (*s) {
		size_t skip = strspn(s, " \t,"), n;
		s += skip;
		n = strcspn(s, " \t,");
		if (n && parse_entry(s, n, err, errlen) != 0)
			return -1;
		s += n;
	}
	/* The key derived from secret_key (ID "sk") always opens, so secrets
	 * sealed before a ring existed can be rotated onto it. */
	unsigned char key[32];
	if (keyed_mac("totp-secret-box", "", 0, key)) {
		int rc = add_key("sk", 2, key, err, errlen);
		sodium_memzero(key, sizeof key);
		if (rc != 0)
			return -1;
	}
	if (ring_n == 0)
		return 0;
	const char *want = cfg.totp_key_current && *cfg.totp_key_current ? cfg.totp_key_current : ring[0].id;
	for (size_t i = 0; i < ring_n; i++)
		if (strcmp(ring[i].id, want) == 0)
			current = (int)i;
	if (current < 0) {
		snprintf(err, errlen, "totp_key_current: '%s' is not a key of totp_keys", want);
		return -1;
	}
	return 0;
}

const char *
secretbox_current_id(void)
{
	return current < 0 ? "" : ring[current].id;
}

/* "<user id>\n<plain>": what is sealed. False when it does not fit. */
static bool
bound_text(const char *user_id, const char *plain, char out[PLAIN_MAX], size_t *len)
{
	int n = snprintf(out, PLAIN_MAX, "%s\n%s", user_id, plain);
	*len = n > 0 ? (size_t)n : 0;
	return n > 0 && n < PLAIN_MAX;
}

char *
secretbox_seal(const char *user_id, const char *plain)
{
	unsigned char box[crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + PLAIN_MAX];
	char text[PLAIN_MAX], *out;
	size_t len, b64_len, box_len;

	if (current < 0 || !bound_text(user_id, plain, text, &len))
		return NULL;
	randombytes_buf(box, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES, (const unsigned char *)text, len, box,
	    ring[current].key);
	sodium_memzero(text, sizeof text);
	box_len = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + len;
	b64_len = sodium_base64_ENCODED_LEN(box_len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	out = malloc(strlen(SECRETBOX_PREFIX) + SECRETBOX_ID_MAX + 1 + b64_len);
	if (out == NULL)
		return NULL;
	int n = sprintf(out, SECRETBOX_PREFIX "%s:", ring[current].id);
	sodium_bin2base64(out + n, b64_len, box, box_len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return out;
}

/* The ring index of SEALED's key and where its base64 starts; -1 if none. */
static int
key_of(const char *sealed, const char **b64)
{
	size_t pre = strlen(SECRETBOX_PREFIX);
	const char *id, *colon;

	if (sealed == NULL || strncmp(sealed, SECRETBOX_PREFIX, pre) != 0)
		return -1;
	id = sealed + pre;
	if ((colon = strchr(id, ':')) == NULL)
		return -1;
	for (size_t i = 0; i < ring_n; i++)
		if (strlen(ring[i].id) == (size_t)(colon - id) && memcmp(ring[i].id, id, (size_t)(colon - id)) == 0) {
			*b64 = colon + 1;
			return (int)i;
		}
	return -1;
}

char *
secretbox_open(const char *user_id, const char *sealed)
{
	unsigned char box[crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + PLAIN_MAX];
	unsigned char text[PLAIN_MAX];
	const char *b64;
	size_t box_len = 0, ulen = strlen(user_id), tlen;
	int k = key_of(sealed, &b64);
	char *plain = NULL;

	if (k < 0 || sodium_base642bin(box, sizeof box, b64, strlen(b64), NULL, &box_len, NULL,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    box_len < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
		return NULL;
	tlen = box_len - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
	if (crypto_secretbox_open_easy(text, box + crypto_secretbox_NONCEBYTES,
	    box_len - crypto_secretbox_NONCEBYTES, box, ring[k].key) != 0)
		return NULL;
	/* Bound to its user: "<user id>\n" first. */
	if (tlen > ulen && memcmp(text, user_id, ulen) == 0 && text[ulen] == '\n' &&
	    (plain = malloc(tlen - ulen)) != NULL) {
		memcpy(plain, text + ulen + 1, tlen - ulen - 1);
		plain[tlen - ulen - 1] = '\0';
	}
	sodium_memzero(text, sizeof text);
	return plain;
}

void
secretbox_free(char *plain)
{
	if (plain) {
		sodium_memzero(plain, strlen(plain));
		free(plain);
	}
}

bool
secretbox_is_current(const char *sealed)
{
	const char *b64;
	int k = key_of(sealed, &b64);
	return k >= 0 && k == current;
}
