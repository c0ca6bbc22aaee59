/* test_ipclass.c - the address classifier lib/fetch.c trusts to keep
 * avatar fetches off the server's own networks: every special range, the
 * IPv6 spellings of IPv4 addresses, and admin network lists. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "ipclass.h"
#include "unit.h"

static const struct { const char *addr; enum ip_class cls; } cases[] = {
	{ "8.8.8.8", IP_PUBLIC },
	{ "1.1.1.1", IP_PUBLIC },
	{ "93.184.216.34", IP_PUBLIC },
	{ "127.0.0.1", IP_LOOPBACK },
	{ "127.255.255.254", IP_LOOPBACK },
	{ "10.0.0.1", IP_PRIVATE },
	{ "10.255.255.255", IP_PRIVATE },
	{ "172.16.0.1", IP_PRIVATE },
	{ "172.31.255.255", IP_PRIVATE },
	{ "172.32.0.1", IP_PUBLIC },
	{ "172.15.255.255", IP_PUBLIC },
	{ "192.168.1.1", IP_PRIVATE },
	{ "100.64.0.1", IP_PRIVATE },
	{ "100.127.255.255", IP_PRIVATE },
	{ "100.128.0.1", IP_PUBLIC },
	{ "169.254.169.254", IP_LINK_LOCAL },
	{ "169.254.0.1", IP_LINK_LOCAL },
	{ "0.0.0.0", IP_UNSPECIFIED },
	{ "0.1.2.3", IP_UNSPECIFIED },
	{ "224.0.0.1", IP_MULTICAST },
	{ "239.255.255.250", IP_MULTICAST },
	{ "255.255.255.255", IP_RESERVED },
	{ "240.0.0.1", IP_RESERVED },
	{ "192.0.2.1", IP_RESERVED },
	{ "198.51.100.7", IP_RESERVED },
	{ "203.0.113.9", IP_RESERVED },
	{ "198.18.0.1", IP_RESERVED },
	{ "198.19.255.255", IP_RESERVED },
	{ "192.0.0.8", IP_RESERVED },
	{ "192.88.99.1", IP_RESERVED },
	{ "2606:4700:4700::1111", IP_PUBLIC },
	{ "2a00:1450:4001:80b::200e", IP_PUBLIC },
	{ "::", IP_UNSPECIFIED },
	{ "::1", IP_LOOPBACK },
	{ "::ffff:127.0.0.1", IP_LOOPBACK },
	{ "::ffff:7f00:1", IP_LOOPBACK },
	{ "::ffff:10.1.2.3", IP_PRIVATE },
	{ "::ffff:169.254.169.254", IP_LINK_LOCAL },
	{ "::ffff:8.8.8.8", IP_PUBLIC },
	{ "::127.0.0.1", IP_LOOPBACK },               /* IPv4-compatible */
	{ "::10.0.0.1", IP_PRIVATE },
	{ "64:ff9b::127.0.0.1", IP_LOOPBACK },        /* NAT64 */
	{ "64:ff9b::8.8.8.8", IP_PUBLIC },
	{ "64:ff9b:1::1", IP_PRIVATE },
	{ "2002:7f00:1::1", IP_LOOPBACK },            /* 6to4 of 127.0.0.1 */
	{ "2002:a9fe:a9fe::1", IP_LINK_LOCAL },       /* 6to4 of 169.254.169.254 */
	{ "2002:808:808::1", IP_PUBLIC },
	{ "2001::1", IP_RESERVED },                   /* Teredo */
	{ "2001:db8::1", IP_RESERVED },
	{ "3fff::1", IP_RESERVED },
	{ "100::1", IP_RESERVED },
	{ "fc00::1", IP_PRIVATE },
	{ "fd12:3456::1", IP_PRIVATE },
	{ "fe80::1", IP_LINK_LOCAL },
	{ "febf::1", IP_LINK_LOCAL },
	{ "fec0::1", IP_RESERVED },                   /* site-local, deprecated */
	{ "ff02::1", IP_MULTICAST },
	{ "4000::1", IP_RESERVED },                   /* outside 2000::/3 */
	{ "::ffff:0:7f00:1", IP_RESERVED },           /* IPv4-translated: not reachable as such */
};

/* ADDR as a sockaddr in SS. */
static const struct sockaddr *
sockaddr_of(const char *addr, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof *ss);
	struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
	if (inet_pton(AF_INET, addr, &v4->sin_addr) == 1)
		v4->sin_family = AF_INET;
	else if (inet_pton(AF_INET6, addr, &v6->sin6_addr) == 1)
		v6->sin6_family = AF_INET6;
	return (const struct sockaddr *)ss;
}

int
main(void)
{
	struct sockaddr_storage ss;
	struct ip_nets nets;
	char what[128];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct sockaddr *sa = sockaddr_of(cases[i].addr, &ss);
		enum ip_class got = ip_class_sockaddr(sa);
		snprintf(what, sizeof what, "%s is %s (got %s)", cases[i].addr,
		    ip_class_name(cases[i].cls), ip_class_name(got));
		CHECK(sa->sa_family != AF_UNSPEC && got == cases[i].cls, what);
	}
	ss.ss_family = AF_UNIX;
	CHECK(ip_class_sockaddr((const struct sockaddr *)&ss) == IP_RESERVED, "another family is refused");

	CHECK(ip_nets_parse("127.0.0.2/32, 10.1.0.0/16 2001:db8::/32,192.0.2.7", &nets) && nets.n == 4,
	    "a list of four networks");
	CHECK(ip_nets_contain(&nets, sockaddr_of("127.0.0.2", &ss)), "127.0.0.2 is listed");
	CHECK(!ip_nets_contain(&nets, sockaddr_of("127.0.0.1", &ss)), "127.0.0.1 is not");
	CHECK(ip_nets_contain(&nets, sockaddr_of("::ffff:127.0.0.2", &ss)), "its mapped form is listed");
	CHECK(ip_nets_contain(&nets, sockaddr_of("10.1.200.3", &ss)), "inside 10.1/16");
	CHECK(!ip_nets_contain(&nets, sockaddr_of("10.2.0.1", &ss)), "outside 10.1/16");
	CHECK(ip_nets_contain(&nets, sockaddr_of("2001:db8:5::1", &ss)), "inside 2001:db8::/32");
	CHECK(ip_nets_contain(&nets, sockaddr_of("192.0.2.7", &ss)), "a single address");
	CHECK(!ip_nets_contain(&nets, sockaddr_of("192.0.2.8", &ss)), "only that address");
	CHECK(ip_nets_parse("", &nets) && nets.n == 0, "empty list");
	CHECK(ip_nets_parse(NULL, &nets) && nets.n == 0, "no list");
	CHECK(!ip_nets_contain(&nets, sockaddr_of("127.0.0.1", &ss)), "an empty list holds nothing");
	CHECK(ip_nets_parse("0.0.0.0/0", &nets) && ip_nets_contain(&nets, sockaddr_of("1.2.3.4", &ss)),
	    "/0 holds every IPv4 address");
	static const char *const bad[] = { "10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/-1",
	    "10.0.0.0/8x", "localhost", "2130706433", "0x7f.1", "127.1", "10.0.0.0/+8" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(what, sizeof what, "'%s' is refused as a network", bad[i]);
		CHECK(!ip_nets_parse(bad[i], &nets), what);
	}
	return unit_done();
}
