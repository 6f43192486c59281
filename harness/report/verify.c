/*
 * verify.c - `verify`'s output (see verify.h).
 */
#include "report/verify.h"

#include "engine/files.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>

static int row_ok(const struct verify_row *r)
{
	return r->same && r->load_read && r->load_mmap;
}

void verify_print_header(FILE *f)
{
	fprintf(f, "%-13s %-28s %6s %12s  %-16s %5s %5s %5s\n", "workload",
		"strategy", "files", "bytes", "digest", "same", "read", "mmap");
}

void verify_print_row(FILE *f, const struct verify_row *r)
{
	char name[64];

	fprintf(f, "%-13s %-28s %6zu %12llu  %.16s %5s %5s %5s\n", r->workload,
		verify_setting_name(&r->set, name, sizeof(name)), r->files,
		(unsigned long long)r->bytes, r->digest, r->same ? "yes" : "NO",
		r->load_read ? "ok" : "FAIL", r->load_mmap ? "ok" : "FAIL");
	if (!row_ok(r))
		fprintf(f, "  -> %s\n", r->error);
}

static json_t *row_json(const struct verify_row *w)
{
	json_t *r = json_object();

	json_object_set_new(r, "workload", json_string(w->workload));
	json_object_set_new(r, "strategy",
			    json_string(iovw_strategy_name(w->set.s)));
	json_object_set_new(r, "params",
			    json_pack("{s:I,s:I,s:I}", "batch",
				      (json_int_t)w->set.batch, "coalesce",
				      (json_int_t)w->set.coalesce, "stage",
				      (json_int_t)w->set.stage));
	json_object_set_new(r, "files", json_integer((json_int_t)w->files));
	json_object_set_new(r, "bytes", json_integer((json_int_t)w->bytes));
	json_object_set_new(r, "digest",
			    json_pack("s+", "xxh3-128:", w->digest));
	json_object_set_new(r, "equivalent", json_boolean(w->same));
	json_object_set_new(r, "load_read", json_boolean(w->load_read));
	json_object_set_new(r, "load_mmap", json_boolean(w->load_mmap));
	if (!row_ok(w))
		json_object_set_new(r, "error", json_string(w->error));
	return r;
}

int verify_write_json(const char *path, const struct verify_row *rows, size_t n,
		      uint64_t seed, double scale, int ok)
{
	json_t *root, *results = json_array(), *failures = json_array();
	char *text;
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		json_array_append_new(results, row_json(&rows[i]));
		if (!row_ok(&rows[i]))
			json_array_append_new(failures,
					      json_string(rows[i].error));
	}
	root = json_pack("{s:s,s:{s:s,s:s},s:{s:I,s:f},s:o,s:{s:b,s:I,s:o}}",
			 "schema", "iovbench-verify/1", "tool", "name",
			 "iovbench", "version", IOVW_VERSION_STRING, "config",
			 "seed", (json_int_t)seed, "scale", scale, "results",
			 results, "verify", "ok", ok, "checked", (json_int_t)n,
			 "failures", failures);
	if (!root)
		return -ENOMEM;
	text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (!text)
		return -ENOMEM;
	rc = file_write_text(path, text);
	free(text);
	return rc;
}
