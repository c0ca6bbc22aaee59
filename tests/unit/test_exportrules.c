/* test_exportrules.c - every collection of the store's table has an export
 * rule, and no rule names a secret: a collection added without one (or a
 * secret field added to a whitelist) fails here, never reaches an archive. */
#include <stdio.h>
#include <string.h>

#include "dataexport.h"
#include "exportrules.h"
#include "store.h"
#include "unit.h"

static void
test_every_collection_has_a_rule(void)
{
	for (int c = 0; c < COLL__COUNT; c++) {
		const struct export_rule *r = export_rule((enum coll)c);
		const struct coll_owner *o = store_coll_owner((enum coll)c);
		char what[160];

		snprintf(what, sizeof what, "%s has an export rule (exportrules.c)", store_coll_name((enum coll)c));
		CHECK(r != NULL, what);
		if (r == NULL)
			continue;
		snprintf(what, sizeof what, "%s: a collection that is nobody's is not exported", store_coll_name((enum coll)c));
		CHECK(o->kind != OWNER_NONE || r->kind == EXPORT_SKIP, what);
		snprintf(what, sizeof what, "%s: a skipped collection says why", store_coll_name((enum coll)c));
		CHECK(r->kind != EXPORT_SKIP || (r->why && *r->why), what);
		snprintf(what, sizeof what, "%s: an exported collection names its files", store_coll_name((enum coll)c));
		CHECK(r->kind == EXPORT_SKIP || (r->parts[0].file && r->parts[0].section), what);
		snprintf(what, sizeof what, "%s: a document rule has a whitelist", store_coll_name((enum coll)c));
		CHECK(r->kind != EXPORT_DOCS || (r->fields && r->fields[0]), what);
		snprintf(what, sizeof what, "%s: GridFS files are not exported as documents", store_coll_name((enum coll)c));
		CHECK(o->kind != OWNER_GRIDFS || r->kind == EXPORT_SKIP, what);
	}
}

static void
test_no_rule_names_a_secret(void)
{
	for (int c = 0; c < COLL__COUNT; c++) {
		const struct export_rule *r = export_rule((enum coll)c);
		if (r == NULL || r->kind != EXPORT_DOCS)
			continue;
		for (size_t i = 0; r->fields[i]; i++) {
			char what[160];
			snprintf(what, sizeof what, "%s.%s is not a secret", store_coll_name((enum coll)c), r->fields[i]);
			CHECK(!export_path_is_secret(r->fields[i]), what);
		}
	}
	/* A token's _id is the hash of the token. */
	const struct export_rule *t = export_rule(COLL_TOKENS);
	bool has_id = false;
	for (size_t i = 0; t && t->fields[i]; i++)
		has_id |= strcmp(t->fields[i], "_id") == 0;
	CHECK(t && !has_id, "tokens: the _id (the token's hash) is not exported");
}

static void
test_secret_paths(void)
{
	static const char *const secret[] = {
		"services", "services.password", "services.password.argon2", "services.totp.secret",
		"services.totp.hashedBackup", "services.resume.loginTokens", "hash", "message", "downloadHash",
		"linkNonce", "e2e", "twoFactorAuthorizedHash", "services.totp", "data.secret", "x.secret", "pwHash",
	};
	static const char *const fine[] = {
		"username", "emails", "services.totp.enabled", "services.email2fa.enabled", "e2e.public_key",
		"e2e.private_key", "createdAt", "userAgent", "settings.preferences", "sid", "messages",
	};
	for (size_t i = 0; i < sizeof secret / sizeof secret[0]; i++)
		CHECK(export_path_is_secret(secret[i]), secret[i]);
	for (size_t i = 0; i < sizeof fine / sizeof fine[0]; i++)
		CHECK(!export_path_is_secret(fine[i]), fine[i]);
}

static void
test_link_ids(void)
{
	CHECK(export_link_id_ok("abcdefghijABCDEFGHIJ0123456789-_abcdefghijk"), "43 base64url characters");
	CHECK(!export_link_id_ok("abcdefghijABCDEFGHIJ0123456789-_abcdefghij"), "42 is too short");
	CHECK(!export_link_id_ok("abcdefghijABCDEFGHIJ0123456789-_abcdefghij/"), "no slash");
	CHECK(!export_link_id_ok("abcdefghijABCDEFGHIJ0123456789-_abcdefghij="), "no padding");
	CHECK(!export_link_id_ok(NULL), "NULL");
}

int
main(void)
{
	test_every_collection_has_a_rule();
	test_no_rule_names_a_secret();
	test_secret_paths();
	test_link_ids();
	return unit_done();
}
