/*
 * export.c - a report in other tools' formats: Bencher's metric
 * format and github-action-benchmark's customSmallerIsBetter.
 */
#include "compare/internal.h"

#include <string.h>

/* Bencher Metric Format: {"name": {"measure": {"value", "lower_value",
 * "upper_value"}}}; latency is Bencher's built-in measure (ns). */
static json_t *export_bencher(const struct creport *r)
{
	json_t *out = json_object();
	size_t i;
	char label[200], name[300];

	for (i = 0; i < json_array_size(r->results); i++) {
		const json_t *x = json_array_get(r->results, i);
		const json_t *w = json_object_get(x, "wall_ns");
		const json_t *rss = json_object_get(x, "rss");
		const json_t *sc = json_object_get(x, "syscalls");
		const json_t *ratio = json_object_get(x, "ratio");
		json_t *m;

		compare_row_label(r, x, label, sizeof(label));
		snprintf(name, sizeof(name), "iovbench/%s/%s",
			 cj_str(x, "workload"), label);
		m = json_pack("{s:{s:f,s:f,s:f},s:{s:f}}", "latency", "value",
			      json_number_value(json_object_get(w, "median")),
			      "lower_value",
			      json_number_value(json_object_get(w, "min")),
			      "upper_value",
			      json_number_value(json_object_get(w, "max")),
			      "mib-per-second", "value",
			      json_number_value(
				      json_object_get(x, "throughput_mib_s")));
		if (rss)
			json_object_set_new(
				m, "peak-rss-bytes",
				json_pack("{s:f}", "value",
					  json_number_value(json_object_get(
						  rss, "peak_delta_bytes"))));
		if (sc)
			json_object_set_new(
				m, "syscalls",
				json_pack("{s:f}", "value",
					  json_number_value(json_object_get(
						  sc, "total"))));
		if (ratio)
			json_object_set_new(
				m, "x-pwrite-limit",
				json_pack("{s:f}", "value",
					  json_number_value(json_object_get(
						  ratio, "pwrite_limit"))));
		json_object_set_new(out, name, m);
	}
	return out;
}

/* github-action-benchmark's customSmallerIsBetter: [{"name", "unit",
 * "value", "range", "extra"}]. The ratio goes in as time relative to
 * pwrite-limit (1 / ratio), which is smaller-is-better. */
static json_t *export_gab(const struct creport *r)
{
	json_t *out = json_array();
	size_t i;
	char label[200], name[300], range[64], extra[300];

	snprintf(extra, sizeof(extra), "%s, %s %s", cj_str(r->env, "host"),
		 cj_str(r->env, "fs_type"), cj_str(r->env, "kernel"));
	for (i = 0; i < json_array_size(r->results); i++) {
		const json_t *x = json_array_get(r->results, i);
		const json_t *w = json_object_get(x, "wall_ns");
		const json_t *rss = json_object_get(x, "rss");
		const json_t *ratio = json_object_get(x, "ratio");

		compare_row_label(r, x, label, sizeof(label));
		snprintf(name, sizeof(name), "%s/%s: time",
			 cj_str(x, "workload"), label);
		snprintf(range, sizeof(range), "± %.4f",
			 json_number_value(json_object_get(w, "mad")) / 1e6);
		json_array_append_new(
			out, json_pack("{s:s,s:s,s:f,s:s,s:s}", "name", name,
				       "unit", "ms", "value",
				       json_number_value(
					       json_object_get(w, "median")) /
					       1e6,
				       "range", range, "extra", extra));
		if (ratio && json_number_value(json_object_get(
				     ratio, "pwrite_limit")) > 0) {
			snprintf(name, sizeof(name),
				 "%s/%s: time / pwrite-limit",
				 cj_str(x, "workload"), label);
			json_array_append_new(
				out,
				json_pack("{s:s,s:s,s:f,s:s}", "name", name,
					  "unit", "x", "value",
					  1 / json_number_value(json_object_get(
						      ratio, "pwrite_limit")),
					  "extra", extra));
		}
		if (rss) {
			snprintf(name, sizeof(name), "%s/%s: peak RSS",
				 cj_str(x, "workload"), label);
			json_array_append_new(
				out,
				json_pack("{s:s,s:s,s:f,s:s}", "name", name,
					  "unit", "MiB", "value",
					  json_number_value(json_object_get(
						  rss, "peak_delta_bytes")) /
						  (1 << 20),
					  "extra", extra));
		}
	}
	return out;
}

json_t *compare_export(const struct creport *r, const char *format)
{
	if (!strcmp(format, "bencher"))
		return export_bencher(r);
	if (!strcmp(format, "github-action-benchmark"))
		return export_gab(r);
	return NULL;
}
