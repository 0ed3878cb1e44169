// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite of the ESP trailer parser, esp.c's nfipsec_esp_trailer()
 * (nfipsec_esp_trailer): RFC 4303 2.4-2.6, padding 1, 2, 3, ... then the
 * pad length and the next header. Included by kunit.c.
 */

#define TRAILER_BUF 600

struct trailer_case {
	unsigned int payload;	/* payload bytes (0x55) before the padding */
	unsigned int padlen;	/* pad bytes written, 1, 2, 3, ... */
	int padfield;		/* the pad length byte; -1: padlen */
	int bad_at;		/* pad byte to corrupt, -1: none */
	u8 bad_val;		/* ... with this value */
	u8 nexthdr;
	int want;		/* payload length, or -EBADMSG */
};

static const struct trailer_case trailer_cases[] = {
	/* well formed */
	/*  1 */ { 0, 0, -1, -1, 0, IPPROTO_IPIP, 0 },	/* nothing but the trailer */
	/*  2 */ { 10, 0, -1, -1, 0, IPPROTO_TCP, 10 },	/* zero padding */
	/*  3 */ { 10, 2, -1, -1, 0, IPPROTO_UDP, 10 },
	/*  4 */ { 1, 3, -1, -1, 0, IPPROTO_IPIP, 1 },	/* 4-byte alignment */
	/*  5 */ { 20, 10, -1, -1, 0, IPPROTO_IPIP, 20 },	/* AES block */
	/*  6 */ { 0, 14, -1, -1, 0, IPPROTO_ICMP, 0 },	/* padding fills it */
	/*  7 */ { 40, 255, -1, -1, 0, IPPROTO_IPIP, 40 },	/* maximal */
	/*  8 */ { 0, 255, -1, -1, 0, IPPROTO_IPIP, 0 },	/* maximal, fills */
	/*  9 */ { 300, 1, -1, -1, 0, 59, 300 },		/* no next header */
	/* 10 */ { 2, 0, -1, -1, 0, IPPROTO_IPV6, 2 },
	/* pad length larger than what precedes it */
	/* 11 */ { 0, 0, 1, -1, 0, IPPROTO_IPIP, -EBADMSG },
	/* 12 */ { 3, 0, 4, -1, 0, IPPROTO_IPIP, -EBADMSG },
	/* 13 */ { 3, 0, 255, -1, 0, IPPROTO_IPIP, -EBADMSG },
	/* 14 */ { 0, 254, 255, -1, 0, IPPROTO_IPIP, -EBADMSG },
	/* 15 */ { 0, 3, 4, -1, 0, IPPROTO_IPIP, -EBADMSG },	/* one too many */
	/* pad bytes not 1, 2, 3, ... */
	/* 16 */ { 8, 4, -1, 0, 0, IPPROTO_IPIP, -EBADMSG },	/* 0, 2, 3, 4 */
	/* 17 */ { 8, 4, -1, 3, 5, IPPROTO_IPIP, -EBADMSG },	/* 1, 2, 3, 5 */
	/* 18 */ { 8, 4, -1, 1, 1, IPPROTO_IPIP, -EBADMSG },	/* 1, 1, 3, 4 */
	/* 19 */ { 8, 1, -1, 0, 0, IPPROTO_IPIP, -EBADMSG },	/* 0 */
	/* 20 */ { 8, 1, -1, 0, 2, IPPROTO_IPIP, -EBADMSG },	/* 2 */
	/* 21 */ { 40, 255, -1, 254, 0, IPPROTO_IPIP, -EBADMSG },
	/* 22 */ { 40, 255, -1, 127, 127, IPPROTO_IPIP, -EBADMSG },
	/* pad length smaller than the padding */
	/* 23 */ { 8, 4, 2, -1, 0, IPPROTO_IPIP, -EBADMSG },
	/* 24: pad length 0: "1, 2, 3, 4" is payload, nothing to tell */
	/* 24 */ { 8, 4, 0, -1, 0, IPPROTO_IPIP, 12 },
};

/* Lay out payload | padding | pad length | next header; returns the length. */
static unsigned int trailer_build(u8 *buf, const struct trailer_case *tc)
{
	unsigned int i, len = tc->payload;

	memset(buf, 0x55, tc->payload);
	for (i = 0; i < tc->padlen; i++)
		buf[len++] = i + 1;
	if (tc->bad_at >= 0)
		buf[tc->payload + tc->bad_at] = tc->bad_val;
	buf[len++] = tc->padfield < 0 ? tc->padlen : tc->padfield;
	buf[len++] = tc->nexthdr;
	return len;
}

static void trailer_table(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, TRAILER_BUF, GFP_KERNEL);
	unsigned int c, len;
	u8 nh;
	int ret;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	for (c = 0; c < ARRAY_SIZE(trailer_cases); c++) {
		const struct trailer_case *tc = &trailer_cases[c];

		len = trailer_build(buf, tc);
		nh = 0xaa;
		ret = nfipsec_esp_trailer(buf, len, &nh);
		KUNIT_EXPECT_EQ_MSG(test, ret, tc->want, "case %u", c + 1);
		KUNIT_EXPECT_EQ_MSG(test, nh, tc->want < 0 ? 0xaa : tc->nexthdr,
				    "case %u: next header", c + 1);
	}
}

/* Too short to hold a trailer at all. */
static void trailer_short(struct kunit *test)
{
	static const u8 data[2] = { 0, IPPROTO_IPIP };
	u8 nh = 0xaa;

	/* 1 */ KUNIT_EXPECT_EQ(test, nfipsec_esp_trailer(data, 0, &nh), -EBADMSG);
	/* 2 */ KUNIT_EXPECT_EQ(test, nfipsec_esp_trailer(data, 1, &nh), -EBADMSG);
	/* 3 */ KUNIT_EXPECT_EQ(test, nh, 0xaa);
	/* 4 */ KUNIT_EXPECT_EQ(test, nfipsec_esp_trailer(data, 2, &nh), 0);
	/* 5 */ KUNIT_EXPECT_EQ(test, nh, IPPROTO_IPIP);
}

/*
 * Every pad length 0..255 with every payload length 0..3, well formed;
 * then each pad byte of each pad length corrupted in turn, to the value
 * below and above the right one.
 */
static void trailer_every_position(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, TRAILER_BUF, GFP_KERNEL);
	unsigned int padlen, payload, pos, bad = 0, cases = 0;
	struct trailer_case tc = { .padfield = -1, .bad_at = -1,
				   .nexthdr = IPPROTO_IPIP };
	unsigned int len;
	int ret, d;
	u8 nh;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	for (padlen = 0; padlen <= 255; padlen++) {
		for (payload = 0; payload < 4; payload++) {
			tc.padlen = padlen;
			tc.payload = payload;
			tc.bad_at = -1;
			len = trailer_build(buf, &tc);
			ret = nfipsec_esp_trailer(buf, len, &nh);
			cases++;
			if (ret != payload || nh != IPPROTO_IPIP)
				bad++;
		}
		for (pos = 0; pos < padlen; pos++) {
			for (d = -1; d <= 1; d += 2) {
				tc.padlen = padlen;
				tc.payload = 16;
				tc.bad_at = pos;
				tc.bad_val = pos + 1 + d;
				len = trailer_build(buf, &tc);
				cases++;
				if (nfipsec_esp_trailer(buf, len, &nh) != -EBADMSG)
					bad++;
			}
		}
	}
	KUNIT_EXPECT_EQ(test, bad, 0U);
	kunit_info(test, "%u cases", cases);
}

static struct kunit_case nfipsec_esp_trailer_cases[] = {
	KUNIT_CASE(trailer_table),
	KUNIT_CASE(trailer_short),
	KUNIT_CASE(trailer_every_position),
	{}
};

static struct kunit_suite nfipsec_esp_trailer_suite = {
	.name = "nfipsec_esp_trailer",
	.test_cases = nfipsec_esp_trailer_cases,
};
