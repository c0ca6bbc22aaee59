/* aaguid.h - names of well-known authenticators by AAGUID, so the list of
 * passkeys can say "iCloud Keychain" rather than a number. Data only (the
 * table in aaguid.c); an unknown AAGUID has no name. */
#ifndef MA_AAGUID_H
#define MA_AAGUID_H

/* HEX: the 32 lower-case hex digits of the AAGUID. NULL when unknown or all
 * zero (attestation "none" may zero it). Static. */
const char *aaguid_name(const char *hex);

#endif
