/* test_webauthn.c - the clientDataJSON checks of lib/webauthn.c, table-driven:
 * what a browser sends passes; every member made wrong is refused with the
 * reason. (Signatures and attestation objects are tested end to end in
 * tests/http/passkeys.test.mjs and by fuzz_webauthn.) */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "unit.h"
#include "webauthn.h"

#define CH "CQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQk"   /* 32 bytes of 9 */

static const struct wa_expect get = { .type = "webauthn.get", .origin = "https://example.org", .rp_id = "example.org" };

static const struct { const char *json; enum wa_result want; const char *what; } cases[] = {
	{ "{\"type\":\"webauthn.get\",\"challenge\":\"" CH "\",\"origin\":\"https://example.org\",\"crossOrigin\":false}", WA_OK, "a browser's client data" },
	{ "{\"type\":\"webauthn.get\",\"challenge\":\"" CH "\",\"origin\":\"https://example.org\",\"tokenBinding\":{}}", WA_OK, "extra members are ignored" },
	{ "{\"type\":\"webauthn.create\",\"challenge\":\"" CH "\",\"origin\":\"https://example.org\"}", WA_BAD_TYPE, "the other ceremony's type" },
	{ "{\"type\":\"webauthn.get\",\"challenge\":\"" CH "\",\"origin\":\"https://example.org.evil\"}", WA_BAD_ORIGIN, "a look-alike origin" },
	{ "{\"type\":\"webauthn.get\",\"challenge\":\"" CH "\",\"origin\":\"http://example.org\"}", WA_BAD_ORIGIN, "http for https" },
	{ "{\"type\":\"webauthn.get\",\"challenge\":\"" CH "\",\"origin\":\"https://example.org:8443\"}", WA_BAD_ORIGIN, "another port" },
	{ "{\"type\":\"webauthn.get\",\"challenge\":\"" CH "\",\"origin\":\"https://example.org\",\"crossOrigin\":true}", WA_BAD_ORIGIN, "in another site's frame" },
	{ "{\"type\":\"webauthn.get\",\"challenge\":\"CQkJ\",\"origin\":\"https://example.org\"}", WA_BAD_CLIENT_DATA, "a short challenge" },
	{ "{\"type\":\"webauthn.get\",\"challenge\":\"" CH "=\",\"origin\":\"https://example.org\"}", WA_BAD_CLIENT_DATA, "a padded challenge" },
	{ "{\"type\":\"webauthn.get\",\"challenge\":\"" CH "\"}", WA_BAD_CLIENT_DATA, "no origin" },
	{ "{\"type\":\"webauthn.get\",\"challenge\":7,\"origin\":\"https://example.org\"}", WA_BAD_CLIENT_DATA, "a number as challenge" },
	{ "[\"webauthn.get\"]", WA_BAD_CLIENT_DATA, "not an object" },
	{ "{\"type\":\"webauthn.get\",\"challenge\":\"" CH "\",\"origin\":\"https://example.org\"} x", WA_BAD_CLIENT_DATA, "trailing bytes" },
	{ "", WA_BAD_CLIENT_DATA, "empty" },
};

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct wa_client_data cd;
		const char *j = cases[i].json;
		enum wa_result r = wa_client_data_check((const unsigned char *)j, strlen(j), &get, &cd);
		CHECK(r == cases[i].want, cases[i].what);
		if (r == WA_OK) {
			unsigned char h[32], want[WA_CHALLENGE_LEN];
			crypto_hash_sha256(h, (const unsigned char *)j, strlen(j));
			memset(want, 9, sizeof want);
			CHECK(memcmp(cd.hash, h, 32) == 0, "the hash is of the bytes as sent");
			CHECK(memcmp(cd.challenge, want, sizeof want) == 0, "the challenge decoded");
		}
	}
	return unit_done();
}
