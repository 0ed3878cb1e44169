/* SPDX-License-Identifier: GPL-2.0 */
/* A tiny streaming JSON writer. All state lives in struct json. */
#ifndef IPSECCTL_JSON_H
#define IPSECCTL_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_DEPTH_MAX 16

struct json {
	FILE *f;
	bool pretty;
	int depth;
	bool first[JSON_DEPTH_MAX];
};

void json_init(struct json *j, FILE *f, bool pretty);
/* key is NULL inside arrays and at the top level */
void json_obj_begin(struct json *j, const char *key);
void json_obj_end(struct json *j);
void json_arr_begin(struct json *j, const char *key);
void json_arr_end(struct json *j);
void json_str(struct json *j, const char *key, const char *v);
void json_u64(struct json *j, const char *key, uint64_t v);
void json_finish(struct json *j);

#endif
