/* fuzz_webauthn.c - fuzzes the WebAuthn parsers of lib/webauthn.c: the first
 * byte picks clientDataJSON, an attestation object (CBOR) or an assertion's
 * authenticator data; the rest is the input. Asserts no crash, leak or UB,
 * and that whatever is accepted holds what the checks promise. */
#include <fido/param.h>
#include <sodium.h>
#include <stdint.h>
#include <string.h>

#include "fuzz.h"
#include "webauthn.h"

static const struct wa_expect get = { .type = "webauthn.get", .origin = "https://example.org", .rp_id = "example.org" };
static const struct wa_expect create = { .type = "webauthn.create", .origin = "https://example.org", .rp_id = "example.org" };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char cdh[32] = { 1 };
	/* A P-256 point (the generator), in libfido2's raw form: x || y. */
	static const unsigned char key[64] = {
		0x6b, 0x17, 0xd1, 0xf2, 0xe1, 0x2c, 0x42, 0x47, 0xf8, 0xbc, 0xe6, 0xe5, 0x63, 0xa4, 0x40, 0xf2,
		0x77, 0x03, 0x7d, 0x81, 0x2d, 0xeb, 0x33, 0xa0, 0xf4, 0xa1, 0x39, 0x45, 0xd8, 0x98, 0xc2, 0x96,
		0x4f, 0xe3, 0x42, 0xe2, 0xfe, 0x1a, 0x7f, 0x9b, 0x8e, 0xe7, 0xeb, 0x4a, 0x7c, 0x0f, 0x9e, 0x16,
		0x2b, 0xce, 0x33, 0x57, 0x6b, 0x31, 0x5e, 0xce, 0xcb, 0xb6, 0x40, 0x68, 0x37, 0xbf, 0x51, 0xf5,
	};
	struct wa_client_data cd;
	struct wa_credential c;
	uint32_t count;

	if (size < 1)
		return 0;
	switch (data[0] % 3) {
	case 0:
		if (wa_client_data_check(data + 1, size - 1, &get, &cd) == WA_OK) {
			unsigned char h[32];
			crypto_hash_sha256(h, data + 1, size - 1);
			FUZZ_ASSERT(memcmp(h, cd.hash, 32) == 0);
		}
		break;
	case 1:
		if (wa_attestation_check(data + 1, size - 1, cdh, &create, &c) == WA_OK) {
			FUZZ_ASSERT(c.id_len > 0 && c.id_len <= sizeof c.id);
			FUZZ_ASSERT(c.pubkey_len > 0 && c.pubkey_len <= sizeof c.pubkey);
			FUZZ_ASSERT(c.alg == COSE_ES256 || c.alg == COSE_RS256 || c.alg == COSE_EDDSA);
			FUZZ_ASSERT((c.flags & WA_FLAG_UP) && (c.flags & WA_FLAG_AT));
		}
		break;
	default:
		/* Random bytes as authenticator data and signature never verify. */
		FUZZ_ASSERT(wa_assertion_check(COSE_ES256, key, sizeof key, data + 1, size - 1,
		    data + 1, size - 1, cdh, &get, &count) != WA_OK);
		break;
	}
	return 0;
}
