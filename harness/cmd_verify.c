/*
 * cmd_verify.c - iovbench verify: every strategy writes the same bytes,
 * and those bytes load back into the same structures.
 *
 * For each workload, each strategy and a few batch/coalesce settings: write
 * the files, digest them (XXH3-128), compare digests and bytes with the
 * reference (the `buffer` strategy when selected, else the first setting),
 * then load every file by the read and the mmap path, rebuild it and
 * deep-compare it with the structures it was written from.
 */
#include "cli.h"
#include "kinds.h"
#include "loader.h"
#include "output.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

struct setting {
	iovw_strategy s;
	size_t batch, coalesce;
};

struct row {
	const char *workload;
	struct setting set;
	size_t files;
	uint64_t bytes;
	XXH128_hash_t digest;
	int same, load_read, load_mmap;
	char error[2 * 4096 + IOVM_ERRLEN + 64];
};

static void help(FILE *f)
{
	fprintf(f,
		"usage: iovbench verify [-w LIST] [-s LIST] [--seed N] "
		"[--scale F | --quick]\n"
		"                       [--dir DIR] [--json FILE]\n"
		"  For every workload x strategy (pwritev also with --batch "
		"16 and --coalesce 64):\n"
		"  writes the files, checks their XXH3-128 digests and bytes "
		"agree with the\n"
		"  'buffer' strategy's, loads each back by the read and the "
		"mmap path and\n"
		"  compares the rebuilt structures with the originals. Exit 1 "
		"on any mismatch.\n"
		"  -w LIST   workloads, comma-separated, or 'all' (default)\n"
		"  -s LIST   strategies, comma-separated, or 'all' (default)\n"
		"  --dir DIR where to write (default: a new directory under "
		"$TMPDIR or /tmp,\n"
		"            removed afterwards)\n"
		"  --json F  also write a JSON report to F (atomically)\n");
}

/* The settings to run, reference first. */
static size_t settings(unsigned smask, struct setting *out)
{
	static const struct setting all[] = {
		{IOVW_BUFFER, 0, 0},	 {IOVW_PWRITEV, 0, 0},
		{IOVW_PWRITEV, 16, 0},	 {IOVW_PWRITEV, 0, 64},
		{IOVW_WRITE_EACH, 0, 0}, {IOVW_MMAP, 0, 0},
	};
	size_t i, n = 0;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (smask & (1u << all[i].s))
			out[n++] = all[i];
	return n;
}

static int read_all(const char *path, unsigned char **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	long n;

	*buf = NULL;
	if (!f)
		return -errno;
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return -EIO;
	}
	*buf = malloc((size_t)n + 1);
	if (!*buf || fread(*buf, 1, (size_t)n, f) != (size_t)n) {
		free(*buf);
		*buf = NULL;
		fclose(f);
		return -EIO;
	}
	fclose(f);
	*len = (size_t)n;
	return 0;
}

/* Load file i by one path, rebuild, compare with the original. */
static int load_check(const struct workload *w, size_t i, const char *path,
		      enum iovm_path how, char *err, size_t errlen)
{
	const struct kind_ops *k = w->files[i].ops;
	struct iovm_file f;
	void *obj = NULL;
	int rc = iovm_open_path(path, how, &f, err, errlen);

	if (rc)
		return rc;
	if (f.h->kind != k->kind) {
		iovm_close(&f);
		return iovm_bad(err, errlen, "kind %u, expected %u", f.h->kind,
				k->kind);
	}
	rc = iovm_rebuild(&f, &obj, err, errlen);
	if (!rc) {
		rc = k->equal(w->files[i].obj, obj, err, errlen);
		k->free(obj);
	}
	iovm_close(&f);
	return rc;
}

/* The verifier's own test: with IOVBENCH_TEST_CORRUPT=STRATEGY in the
 * environment, the last byte of the first file that strategy writes is
 * flipped, and verify must report the mismatch and exit 1. */
static void corrupt_for_test(const struct workload *w, const char *dir,
			     const struct setting *set)
{
	const char *e = getenv("IOVBENCH_TEST_CORRUPT");
	char path[4096];
	unsigned char c;
	FILE *f;

	if (!e || strcmp(e, iovw_strategy_name(set->s)) || set->batch ||
	    set->coalesce)
		return;
	out_path(w, dir, 0, path, sizeof(path));
	f = fopen(path, "r+b");
	if (!f)
		return;
	if (!fseek(f, -1, SEEK_END) && fread(&c, 1, 1, f) == 1 &&
	    !fseek(f, -1, SEEK_END)) {
		c ^= 0x40;
		fwrite(&c, 1, 1, f);
	}
	fclose(f);
}

/* Write, digest, compare and load one setting. `ref` is the reference
 * directory (NULL for the reference itself). Returns EXIT_RUNTIME on I/O
 * failure, else 0 (the row says whether the checks passed). */
static int run_setting(const struct workload *w, const struct setting *set,
		       const char *dir, const char *ref, struct row *row)
{
	iovw_options o = {.batch_limit = set->batch,
			  .coalesce_below = set->coalesce};
	char failed[4096], path[4096], rpath[4096], err[IOVM_ERRLEN];
	XXH3_state_t *hs = XXH3_createState();
	size_t i;
	int rc;

	if (!hs)
		return cli_runtime_error("out of memory");
	XXH3_128bits_reset(hs);
	memset(row, 0, sizeof(*row));
	row->workload = w->name;
	row->set = *set;
	row->files = w->nfiles;
	row->same = row->load_read = row->load_mmap = 1;
	rc = out_write(w, dir, set->s, &o, NULL, failed, sizeof(failed));
	if (rc) {
		XXH3_freeState(hs);
		return cli_runtime_error("%s: %s", failed, iovw_strerror(rc));
	}
	corrupt_for_test(w, dir, set);
	for (i = 0; i < w->nfiles; i++) {
		unsigned char *a, *b = NULL;
		size_t la, lb = 0;
		XXH128_hash_t d;

		out_path(w, dir, i, path, sizeof(path));
		if ((rc = read_all(path, &a, &la))) {
			XXH3_freeState(hs);
			return cli_runtime_error("%s: %s", path,
						 iovw_strerror(rc));
		}
		d = XXH3_128bits(a, la);
		XXH3_128bits_update(hs, &d, sizeof(d));
		row->bytes += la;
		if (ref) {
			out_path(w, ref, i, rpath, sizeof(rpath));
			if (read_all(rpath, &b, &lb) || la != lb ||
			    memcmp(a, b, la)) {
				if (row->same)
					snprintf(row->error, sizeof(row->error),
						 "%s differs from %s", path,
						 rpath);
				row->same = 0;
			}
			free(b);
		}
		free(a);
		rc = load_check(w, i, path, IOVM_READ, err, sizeof(err));
		if (rc && row->load_read) {
			row->load_read = 0;
			if (!row->error[0])
				snprintf(row->error, sizeof(row->error),
					 "read path: %s: %s", w->files[i].name,
					 rc < 0 ? iovw_strerror(rc) : err);
		}
		rc = load_check(w, i, path, IOVM_MMAP, err, sizeof(err));
		if (rc && row->load_mmap) {
			row->load_mmap = 0;
			if (!row->error[0])
				snprintf(row->error, sizeof(row->error),
					 "mmap path: %s: %s", w->files[i].name,
					 rc < 0 ? iovw_strerror(rc) : err);
		}
	}
	row->digest = XXH3_128bits_digest(hs);
	XXH3_freeState(hs);
	return 0;
}

static const char *setting_name(const struct setting *s, char *buf, size_t n)
{
	snprintf(buf, n, "%s", iovw_strategy_name(s->s));
	if (s->batch)
		snprintf(buf + strlen(buf), n - strlen(buf), " batch=%zu",
			 s->batch);
	if (s->coalesce)
		snprintf(buf + strlen(buf), n - strlen(buf), " coalesce=%zu",
			 s->coalesce);
	return buf;
}

static void digest_hex(XXH128_hash_t d, char *buf)
{
	sprintf(buf, "%016llx%016llx", (unsigned long long)d.high64,
		(unsigned long long)d.low64);
}

static int write_json(const char *path, const struct row *rows, size_t n,
		      uint64_t seed, double scale, int ok)
{
	json_t *root = json_object(), *results = json_array(),
	       *failures = json_array(), *verify = json_object(),
	       *config = json_object(), *tool = json_object();
	char hex[40], *text;
	size_t i;
	int rc;

	json_object_set_new(tool, "name", json_string("iovbench"));
	json_object_set_new(tool, "version", json_string(IOVW_VERSION_STRING));
	json_object_set_new(config, "seed", json_integer((json_int_t)seed));
	json_object_set_new(config, "scale", json_real(scale));
	for (i = 0; i < n; i++) {
		json_t *r = json_object(), *params = json_object();
		const struct row *w = &rows[i];
		int good = w->same && w->load_read && w->load_mmap;

		digest_hex(w->digest, hex);
		json_object_set_new(r, "workload", json_string(w->workload));
		json_object_set_new(r, "strategy",
				    json_string(iovw_strategy_name(w->set.s)));
		json_object_set_new(params, "batch",
				    json_integer((json_int_t)w->set.batch));
		json_object_set_new(params, "coalesce",
				    json_integer((json_int_t)w->set.coalesce));
		json_object_set_new(r, "params", params);
		json_object_set_new(r, "files",
				    json_integer((json_int_t)w->files));
		json_object_set_new(r, "bytes",
				    json_integer((json_int_t)w->bytes));
		json_object_set_new(r, "digest",
				    json_pack("s+", "xxh3-128:", hex));
		json_object_set_new(r, "equivalent", json_boolean(w->same));
		json_object_set_new(r, "load_read", json_boolean(w->load_read));
		json_object_set_new(r, "load_mmap", json_boolean(w->load_mmap));
		if (!good) {
			json_object_set_new(r, "error", json_string(w->error));
			json_array_append_new(failures, json_string(w->error));
		}
		json_array_append_new(results, r);
	}
	json_object_set_new(verify, "ok", json_boolean(ok));
	json_object_set_new(verify, "checked", json_integer((json_int_t)n));
	json_object_set_new(verify, "failures", failures);
	json_object_set_new(root, "schema", json_string("iovbench-verify/1"));
	json_object_set_new(root, "tool", tool);
	json_object_set_new(root, "config", config);
	json_object_set_new(root, "results", results);
	json_object_set_new(root, "verify", verify);
	text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (!text)
		return -ENOMEM;
	rc = cli_write_text(path, text);
	free(text);
	return rc;
}

int cmd_verify(int argc, char **argv)
{
	static const struct option opts[] = {
		{"workloads", required_argument, NULL, 'w'},
		{"strategies", required_argument, NULL, 's'},
		{"seed", required_argument, NULL, 'e'},
		{"scale", required_argument, NULL, 'S'},
		{"quick", no_argument, NULL, 'q'},
		{"dir", required_argument, NULL, 'd'},
		{"json", required_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	unsigned wmask = (1u << wl_count) - 1,
		 smask = (1u << IOVW_STRATEGY_COUNT) - 1;
	const char *dir_arg = NULL, *json = NULL;
	struct setting sets[8];
	struct row *rows;
	char base[4096], dir[4200], refdir[4200], name[64], hex[40];
	size_t nsets, nrows = 0, i, k, total;
	uint64_t seed = 1;
	double scale = 1;
	int c, rc = 0, ok = 1;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "w:s:h", opts, NULL)) != -1) {
		switch (c) {
		case 'w':
			if ((rc = cli_workloads("verify", optarg, &wmask)))
				return rc;
			break;
		case 's':
			if ((rc = cli_strategies("verify", optarg, &smask)))
				return rc;
			break;
		case 'd':
			dir_arg = optarg;
			break;
		case 'j':
			json = optarg;
			break;
		case 'h':
			help(stdout);
			return EXIT_OK;
		default:
			rc = cli_workload_option("verify", c, optarg,
						 argv[optind - 1], &seed,
						 &scale);
			if (rc)
				return rc;
			break;
		}
	}
	if (optind < argc)
		return cli_usage_error("verify", "unexpected argument '%s'",
				       argv[optind]);
	if (dir_arg) {
		snprintf(base, sizeof(base), "%s/iovbench-verify-XXXXXX",
			 dir_arg);
		if (!mkdtemp(base))
			return cli_runtime_error("--dir %s: %s", dir_arg,
						 strerror(errno));
	} else if ((rc = cli_tempdir(base, sizeof(base), "verify"))) {
		return cli_runtime_error("temporary directory: %s",
					 iovw_strerror(rc));
	}
	nsets = settings(smask, sets);
	rows = calloc(wl_count * nsets, sizeof(*rows));
	if (!rows) {
		cli_rmtree(base);
		return cli_runtime_error("out of memory");
	}
	total = 0;
	for (i = 0; i < wl_count; i++)
		total += (wmask >> i) & 1;
	total *= nsets;
	printf("%-13s %-28s %6s %12s  %-16s %5s %5s %5s\n", "workload",
	       "strategy", "files", "bytes", "digest", "same", "read", "mmap");
	for (i = 0; i < wl_count && !rc; i++) {
		struct workload *w;

		if (!(wmask & (1u << i)))
			continue;
		cli_progress("generating %s", wl_defs[i].name);
		rc = wl_make(wl_defs[i].name, seed, scale, &w);
		if (rc) {
			rc = cli_runtime_error("%s: %s", wl_defs[i].name,
					       iovw_strerror(rc));
			break;
		}
		for (k = 0; k < nsets && !rc; k++) {
			struct row *r = &rows[nrows];

			snprintf(dir, sizeof(dir), "%s/%s-%zu%s", base, w->name,
				 k, w->is_dir ? "" : ".iovm");
			cli_progress(
				"[%zu/%zu] %s %s", nrows + 1, total, w->name,
				setting_name(&sets[k], name, sizeof(name)));
			rc = run_setting(w, &sets[k], dir, k ? refdir : NULL,
					 r);
			if (rc)
				break;
			if (k == 0)
				snprintf(refdir, sizeof(refdir), "%s", dir);
			else
				cli_rmtree(dir);
			nrows++;
			cli_progress_done();
			digest_hex(r->digest, hex);
			printf("%-13s %-28s %6zu %12llu  %.16s %5s %5s %5s\n",
			       r->workload,
			       setting_name(&r->set, name, sizeof(name)),
			       r->files, (unsigned long long)r->bytes, hex,
			       r->same ? "yes" : "NO",
			       r->load_read ? "ok" : "FAIL",
			       r->load_mmap ? "ok" : "FAIL");
			if (!(r->same && r->load_read && r->load_mmap)) {
				ok = 0;
				printf("  -> %s\n", r->error);
			}
			fflush(stdout);
		}
		cli_rmtree(refdir);
		wl_free(w);
	}
	cli_progress_done();
	cli_rmtree(base);
	if (!rc && json) {
		int jr = write_json(json, rows, nrows, seed, scale, ok);
		if (jr)
			rc = cli_runtime_error("%s: %s", json,
					       iovw_strerror(jr));
	}
	free(rows);
	if (rc)
		return rc;
	printf("verify: %zu checked, %s\n", nrows,
	       ok ? "all equivalent" : "MISMATCH");
	return ok ? EXIT_OK : EXIT_CHECK;
}
