/* ipclass.h - what kind of network an IP address is on (IANA's special-
 * purpose registries, RFC 6890 and successors), and admin lists of
 * networks. lib/fetch.c asks this for every address it is about to
 * connect to, so the answer must hold for every spelling of an address:
 * it works on the bytes, and IPv6 forms that carry an IPv4 address
 * (mapped, compatible, NAT64, 6to4) are judged by that address. */
#ifndef MA_IPCLASS_H
#define MA_IPCLASS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

enum ip_class {
	IP_PUBLIC,          /* global unicast */
	IP_PRIVATE,         /* RFC 1918, CGNAT 100.64/10, unique-local fc00::/7 */
	IP_LOOPBACK,        /* 127/8, ::1 */
	IP_LINK_LOCAL,      /* 169.254/16 (cloud metadata), fe80::/10 */
	IP_UNSPECIFIED,     /* 0/8, :: */
	IP_MULTICAST,       /* 224/4, ff00::/8 */
	IP_RESERVED,        /* documentation, benchmarking, broadcast, unassigned, ... */
};

/* The class of a 4-byte IPv4 or 16-byte IPv6 address (network order). */
enum ip_class ip_class_v4(const uint8_t a[4]);
enum ip_class ip_class_v6(const uint8_t a[16]);
/* The class of SA (AF_INET or AF_INET6; any other family is IP_RESERVED). */
enum ip_class ip_class_sockaddr(const struct sockaddr *sa);
/* "public", "private", ... for logs and tests. */
const char *ip_class_name(enum ip_class c);

/* A list of networks ("10.1.0.0/16, 2001:db8::/32, 192.0.2.7"; no prefix
 * is the single address). IPv4-mapped IPv6 addresses match IPv4 entries. */
#define IP_NETS_MAX 32
struct ip_net { int family; uint8_t addr[16]; unsigned prefix; };
struct ip_nets { struct ip_net net[IP_NETS_MAX]; unsigned n; };

/* Parses TEXT (NULL or "" is the empty list) into NETS; false on a bad
 * entry or more than IP_NETS_MAX. */
bool ip_nets_parse(const char *text, struct ip_nets *nets);
bool ip_nets_contain(const struct ip_nets *nets, const struct sockaddr *sa);

#endif
