// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer entry point over the argument parser. The input is split at
 * NUL bytes into argv; the first byte picks sa/policy and add/del.
 *   make fuzz && ./fuzz/parse_fuzz
 */
#include <stdlib.h>
#include <string.h>

#include "../parse.h"

#define ARGS_MAX 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[ARGS_MAX], err[ERRLEN], *buf, *p, *end;
	struct policy pol;
	struct sa sa;
	int argc = 0;
	uint8_t sel;

	if (size < 1)
		return 0;
	sel = data[0];
	buf = malloc(size);
	if (!buf)
		return 0;
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = '\0';
	end = buf + size - 1;
	for (p = buf; p < end && argc < ARGS_MAX; p += strlen(p) + 1)
		argv[argc++] = p;

	if (sel & 1)
		parse_policy(sel & 2 ? OP_KEY : OP_ADD, argc, argv, &pol, err);
	else
		parse_sa(sel & 2 ? OP_KEY : OP_ADD, argc, argv, &sa, err);
	/* the error text is always terminated */
	if (strlen(err) >= ERRLEN)
		abort();
	free(buf);
	return 0;
}
