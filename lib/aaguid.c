/* aaguid.c - see aaguid.h. AAGUIDs as their makers publish them (FIDO MDS
 * and the passkey providers' own documentation). */
#include "aaguid.h"

#include <string.h>

static const struct { const char *hex, *name; } known[] = {
	{ "ea9b8d664d011d213ce4b6b48cb575d4", "Google Password Manager" },
	{ "adce000235bcc60a648b0b25f1f05503", "Chrome on Mac" },
	{ "fbfc3007154e4ecc8c0b6e020557d7bd", "iCloud Keychain" },
	{ "dd4ec289e01d41c9bb8970fa845d4bf2", "iCloud Keychain (Managed)" },
	{ "08987058cadc4b81b6e130de50dcbe96", "Windows Hello" },
	{ "9ddd1817af5a4672a2b93e3dd95000a9", "Windows Hello" },
	{ "6028b017b1d44c02b4b3afcdafc96bb2", "Windows Hello" },
	{ "bada5566a7aa401fbd9645619a55120d", "1Password" },
	{ "d548826e79b4db40a3d811116f7e8349", "Bitwarden" },
	{ "531126d6e717415c93203d9aa6981239", "Dashlane" },
	{ "53414d53554e47000000000000000000", "Samsung Pass" },
	{ "ee882879721c491397753dfcce97072a", "YubiKey 5 Series" },
	{ "fa2b99dc9e3942578f924a30d23c4118", "YubiKey 5 Series with NFC" },
	{ "2fc0579f811347eab116bb5a8db9202a", "YubiKey 5 Series with NFC" },
	{ "cb69481e8ff7403993ec0a2729a154a8", "YubiKey 5 Series" },
	{ "c5ef55ffad9a4b9fb580adebafe026d0", "YubiKey 5Ci" },
	{ "f8a011f38c0a4d15800617111f9edc7d", "Security Key by Yubico" },
	{ "b92c3f9ac0144056887f140a2501163b", "Security Key by Yubico" },
	{ "6d44ba9bf6ec2e49b9300c8fe920cb73", "Security Key by Yubico with NFC" },
	{ "149a20218ef6413396b881f8d5b7f1f5", "Security Key by Yubico with NFC" },
};

const char *
aaguid_name(const char *hex)
{
	for (size_t i = 0; hex && i < sizeof known / sizeof known[0]; i++)
		if (strcmp(known[i].hex, hex) == 0)
			return known[i].name;
	return NULL;
}
