/* ipclass.c - address classes by table: the most specific matching row
 * decides (rows are ordered so the first match is it). Everything IPv6
 * outside 2000::/3 is unassigned or special, so the last row refuses it. */
#include "ipclass.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#define EMBEDS_V4 (-1)  /* the row's class is that of the IPv4 address inside */

struct row {
	uint8_t  prefix[16];
	unsigned bits;
	int      cls;        /* enum ip_class, or EMBEDS_V4 */
	unsigned v4_at;      /* EMBEDS_V4: byte offset of the IPv4 address */
};

static const struct row v4_rows[] = {
	{ { 0 }, 8, IP_UNSPECIFIED, 0 },                /* "this network" */
	{ { 10 }, 8, IP_PRIVATE, 0 },
	{ { 100, 64 }, 10, IP_PRIVATE, 0 },             /* CGNAT, RFC 6598 */
	{ { 127 }, 8, IP_LOOPBACK, 0 },
	{ { 169, 254 }, 16, IP_LINK_LOCAL, 0 },         /* and 169.254.169.254, metadata */
	{ { 172, 16 }, 12, IP_PRIVATE, 0 },
	{ { 192, 0, 0 }, 24, IP_RESERVED, 0 },          /* IETF protocol assignments */
	{ { 192, 0, 2 }, 24, IP_RESERVED, 0 },          /* TEST-NET-1 */
	{ { 192, 88, 99 }, 24, IP_RESERVED, 0 },        /* 6to4 relay anycast */
	{ { 192, 168 }, 16, IP_PRIVATE, 0 },
	{ { 198, 18 }, 15, IP_RESERVED, 0 },            /* benchmarking */
	{ { 198, 51, 100 }, 24, IP_RESERVED, 0 },       /* TEST-NET-2 */
	{ { 203, 0, 113 }, 24, IP_RESERVED, 0 },        /* TEST-NET-3 */
	{ { 224 }, 4, IP_MULTICAST, 0 },
	{ { 240 }, 4, IP_RESERVED, 0 },                 /* and 255.255.255.255 */
	{ { 0 }, 0, IP_PUBLIC, 0 },
};

static const struct row v6_rows[] = {
	{ { 0 }, 128, IP_UNSPECIFIED, 0 },
	{ { [15] = 1 }, 128, IP_LOOPBACK, 0 },
	{ { [10] = 0xff, [11] = 0xff }, 96, EMBEDS_V4, 12 },         /* ::ffff:a.b.c.d mapped */
	{ { 0 }, 96, EMBEDS_V4, 12 },                                /* ::a.b.c.d compatible */
	{ { 0, 0x64, 0xff, 0x9b }, 96, EMBEDS_V4, 12 },              /* NAT64 well-known */
	{ { 0, 0x64, 0xff, 0x9b, 0, 1 }, 48, IP_PRIVATE, 0 },        /* local-use NAT64 */
	{ { 1 }, 64, IP_RESERVED, 0 },                               /* 100::/64 discard */
	{ { 0x20, 0x01, 0x0d, 0xb8 }, 32, IP_RESERVED, 0 },          /* documentation */
	{ { 0x20, 0x02 }, 16, EMBEDS_V4, 2 },                        /* 6to4 */
	{ { 0x20, 0x01 }, 23, IP_RESERVED, 0 },                      /* protocol assignments, Teredo */
	{ { 0x3f, 0xff }, 20, IP_RESERVED, 0 },                      /* documentation (RFC 9637) */
	{ { 0xfc }, 7, IP_PRIVATE, 0 },                              /* unique-local */
	{ { 0xfe, 0x80 }, 10, IP_LINK_LOCAL, 0 },
	{ { 0xff }, 8, IP_MULTICAST, 0 },
	{ { 0x20 }, 3, IP_PUBLIC, 0 },                               /* global unicast */
	{ { 0 }, 0, IP_RESERVED, 0 },                                /* the rest: unassigned, site-local */
};

/* Do the first BITS bits of A and P agree? */
static bool
prefix_match(const uint8_t *a, const uint8_t *p, unsigned bits)
{
	unsigned whole = bits / 8, rest = bits % 8;

	if (memcmp(a, p, whole) != 0)
		return false;
	return rest == 0 || ((a[whole] ^ p[whole]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

static const struct row *
first_match(const struct row *rows, const uint8_t *a)
{
	while (!prefix_match(a, rows->prefix, rows->bits))
		rows++;
	return rows;    /* the last row of each table matches everything */
}

enum ip_class
ip_class_v4(const uint8_t a[4])
{
	return (enum ip_class)first_match(v4_rows, a)->cls;
}

enum ip_class
ip_class_v6(const uint8_t a[16])
{
	const struct row *r = first_match(v6_rows, a);

	return r->cls == EMBEDS_V4 ? ip_class_v4(a + r->v4_at) : (enum ip_class)r->cls;
}

enum ip_class
ip_class_sockaddr(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return ip_class_v4((const uint8_t *)&((const struct sockaddr_in *)(const void *)sa)->sin_addr);
	if (sa->sa_family == AF_INET6)
		return ip_class_v6(((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr.s6_addr);
	return IP_RESERVED;
}

const char *
ip_class_name(enum ip_class c)
{
	static const char *const names[] = {
		[IP_PUBLIC] = "public", [IP_PRIVATE] = "private", [IP_LOOPBACK] = "loopback",
		[IP_LINK_LOCAL] = "link-local", [IP_UNSPECIFIED] = "unspecified",
		[IP_MULTICAST] = "multicast", [IP_RESERVED] = "reserved",
	};
	return (unsigned)c < sizeof names / sizeof names[0] ? names[c] : "reserved";
}

/* One "address[/prefix]" of LEN bytes at S into NET. */
static bool
parse_net(const char *s, size_t len, struct ip_net *net)
{
	char buf[64], *slash, *end;
	unsigned long bits;

	if (len == 0 || len >= sizeof buf)
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	slash = strchr(buf, '/');
	if (slash != NULL)
		*slash = '\0';
	memset(net, 0, sizeof *net);
	if (inet_pton(AF_INET, buf, net->addr) == 1)
		net->family = AF_INET;
	else if (inet_pton(AF_INET6, buf, net->addr) == 1)
		net->family = AF_INET6;
	else
		return false;
	net->prefix = net->family == AF_INET ? 32 : 128;
	if (slash == NULL)
		return true;
	bits = strtoul(slash + 1, &end, 10);
	if (slash[1] < '0' || slash[1] > '9' || *end != '\0' || bits > net->prefix)
		return false;
	net->prefix = (unsigned)bits;
	return true;
}

bool
ip_nets_parse(const char *text, struct ip_nets *nets)
{
	const char *p = text ? text : "";

	nets->n = 0;
	for (;;) {
		size_t skip = strspn(p, " \t,"), len;

		p += skip;
		if (*p == '\0')
			return true;
		len = strcspn(p, " \t,");
		if (nets->n == IP_NETS_MAX || !parse_net(p, len, &nets->net[nets->n]))
			return false;
		nets->n++;
		p += len;
	}
}

bool
ip_nets_contain(const struct ip_nets *nets, const struct sockaddr *sa)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };
	const uint8_t *a;
	int family = sa->sa_family;

	if (family == AF_INET)
		a = (const uint8_t *)&((const struct sockaddr_in *)(const void *)sa)->sin_addr;
	else if (family == AF_INET6) {
		a = ((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr.s6_addr;
		if (memcmp(a, mapped, sizeof mapped) == 0) {
			a += 12;
			family = AF_INET;
		}
	} else
		return false;
	for (unsigned i = 0; i < nets->n; i++)
		if (nets->net[i].family == family && prefix_match(a, nets->net[i].addr, nets->net[i].prefix))
			return true;
	return false;
}
