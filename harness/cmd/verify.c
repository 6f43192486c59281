/*
 * verify.c - iovbench verify: every strategy writes the same bytes, and
 * those bytes load back into the same structures.
 *
 * For each workload, each strategy and a few batch/coalesce settings
 * (verify_settings()): write the files, digest them, compare them with
 * the reference (the `buffer` strategy when selected, else the first
 * setting), load every file back by the read and the mmap path and
 * deep-compare the rebuilt structures with the originals
 * (engine/verify.c). Files go to a scratch directory, removed at the end
 * and on Ctrl-C.
 */
#include "cmd/cli.h"
#include "engine/config.h"
#include "engine/files.h"
#include "engine/session.h"
#include "engine/verify.h"
#include "report/verify.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void help(FILE *f)
{
	fprintf(f,
		"usage: iovbench verify [-w LIST] [-s LIST] [--seed N] "
		"[--scale F | --quick]\n"
		"                       [--dir DIR] [--json FILE] "
		"[--inject-corruption S]\n"
		"  For every workload x strategy (pwritev also with --batch "
		"16 and --coalesce 64,\n"
		"  stream also with --batch 16 --stage 4096):\n"
		"  writes the files, checks their XXH3-128 digests and bytes "
		"agree with the\n"
		"  'buffer' strategy's, loads each back by the read and the "
		"mmap path and\n"
		"  compares the rebuilt structures with the originals.\n"
		"  -w LIST   workloads, comma-separated, or 'all' (default)\n"
		"  -s LIST   strategies, comma-separated, or 'all' (default)\n"
		"  --dir DIR where to write (default: a new directory under "
		"$TMPDIR or /tmp,\n"
		"            removed afterwards, also on Ctrl-C)\n"
		"  --json F  also write a JSON report to F (atomically)\n"
		"  --inject-corruption S\n"
		"            flip the last byte of the first file strategy S "
		"writes (at its\n"
		"            defaults), to see verify catch it: verify's own "
		"test\n"
		"Exit: 0 all equivalent, 1 a mismatch, 2 usage, 3 runtime "
		"failure, 130\n"
		"interrupted.\n");
}

struct verify_args {
	unsigned wmask, smask;
	const char *dir, *json, *corrupt;
	uint64_t seed;
	double scale;
};

static int parse(int argc, char **argv, struct verify_args *va)
{
	static const struct option opts[] = {
		{"workloads", required_argument, NULL, 'w'},
		{"strategies", required_argument, NULL, 's'},
		{"seed", required_argument, NULL, 'e'},
		{"scale", required_argument, NULL, 'S'},
		{"quick", no_argument, NULL, 'q'},
		{"dir", required_argument, NULL, 'd'},
		{"json", required_argument, NULL, 'j'},
		{"inject-corruption", required_argument, NULL, 'C'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct cli_args a = CLI_ARGS("verify", opts, "w:s:", help, argc, argv);
	iovw_strategy s;
	int c, rc = 0;

	while (!rc && (c = cli_next(&a)) > 0) {
		switch (c) {
		case 'w':
			rc = cli_workloads("verify", a.arg, &va->wmask);
			break;
		case 's':
			rc = cli_strategies("verify", a.arg, &va->smask);
			break;
		case 'd':
			va->dir = a.arg;
			break;
		case 'j':
			va->json = a.arg;
			break;
		case 'C':
			if (iovw_strategy_parse(a.arg, &s))
				rc = cli_usage_error("verify",
						     "unknown strategy '%s' "
						     "(see 'iovbench list')",
						     a.arg);
			va->corrupt = a.arg;
			break;
		default:
			rc = cli_workload_option("verify", c, a.arg, &va->seed,
						 &va->scale);
		}
	}
	if (rc)
		return rc;
	if (c < 0)
		return a.status == EXIT_OK ? -1 : a.status;
	return cli_operands(&a, 0, 0, NULL);
}

/* Should this setting's output be corrupted (--inject-corruption)? */
static int corrupt(const struct verify_args *va,
		   const struct verify_setting *set)
{
	return va->corrupt &&
	       !strcmp(va->corrupt, iovw_strategy_name(set->s)) &&
	       !set->batch && !set->coalesce;
}

/* Every setting of one workload: rows appended at rows[*n]. *ok cleared on
 * a mismatch. 0 or an exit code. */
static int verify_workload(const struct verify_args *va, const char *base,
			   const struct workload *w, struct verify_row *rows,
			   size_t *n, size_t total, int *ok)
{
	struct verify_setting sets[VERIFY_MAX_SETTINGS];
	size_t k, nsets = verify_settings(va->smask, sets);
	char dir[4200], ref[4200], name[64], failed[4096];
	int rc = 0;

	for (k = 0; k < nsets && !rc; k++) {
		struct verify_row *r = &rows[*n];

		if (session_interrupted())
			return cli_errno("verify", -EINTR, NULL,
					 "nothing written");
		snprintf(dir, sizeof(dir), "%s/%s-%zu%s", base, w->name, k,
			 w->is_dir ? "" : ".iovm");
		cli_progress("[%zu/%zu] %s %s", *n + 1, total, w->name,
			     verify_setting_name(&sets[k], name, sizeof(name)));
		rc = verify_one(w, &sets[k], dir, k ? ref : NULL,
				corrupt(va, &sets[k]), r, failed,
				sizeof(failed));
		if (rc)
			return cli_errno("verify", rc, failed,
					 "nothing written");
		if (k == 0)
			snprintf(ref, sizeof(ref), "%s", dir);
		else
			dir_remove(dir); /* only the reference is kept */
		++*n;
		cli_progress_done();
		verify_print_row(stdout, r);
		fflush(stdout);
		if (!(r->same && r->load_read && r->load_mmap))
			*ok = 0;
	}
	return 0;
}

/* Every workload, in the session's directory. 0 or an exit code. */
static int verify_all(const struct verify_args *va, const struct session *ses,
		      struct verify_row *rows, size_t *n, size_t total, int *ok)
{
	size_t i;
	int rc = 0;

	verify_print_header(stdout);
	for (i = 0; i < wl_count && !rc; i++) {
		struct workload *w;

		if (!(va->wmask & (1u << i)))
			continue;
		cli_progress("generating %s", wl_defs[i].name);
		if ((rc = wl_make(wl_defs[i].name, va->seed, va->scale, &w)))
			return cli_errno("verify", rc, wl_defs[i].name,
					 "nothing written");
		rc = verify_workload(va, ses->dir, w, rows, n, total, ok);
		wl_free(w);
		session_clear(ses);
	}
	return rc;
}

int cmd_verify(int argc, char **argv)
{
	struct verify_args va = {.wmask = (1u << wl_count) - 1,
				 .smask = (1u << IOVW_STRATEGY_COUNT) - 1,
				 .seed = 1,
				 .scale = 1};
	struct verify_setting sets[VERIFY_MAX_SETTINGS];
	struct verify_row *rows;
	struct session ses;
	size_t n = 0, total;
	int rc = parse(argc, argv, &va), ok = 1;

	if (rc)
		return rc < 0 ? EXIT_OK : rc;
	if ((va.smask & (1u << IOVW_URING)) && cfg_uring_probe() == -ENOSYS) {
		fprintf(stderr, "iovbench verify: io_uring is unavailable "
				"here (-ENOSYS); not verified\n");
		va.smask &= ~(1u << IOVW_URING);
	}
	total = (size_t)__builtin_popcount(va.wmask) *
		verify_settings(va.smask, sets);
	if (!(rows = calloc(total ? total : 1, sizeof(*rows))))
		return cli_runtime_error("verify", "out of memory");
	if ((rc = session_begin(&ses, va.dir, "verify"))) {
		free(rows);
		return va.dir ? cli_runtime_error("verify", "--dir %s: %s",
						  va.dir, iovw_strerror(rc))
			      : cli_runtime_error("verify",
						  "temporary directory: %s",
						  iovw_strerror(rc));
	}
	rc = verify_all(&va, &ses, rows, &n, total, &ok);
	cli_progress_done();
	session_end(&ses);
	if (!rc && session_interrupted())
		rc = cli_errno("verify", -EINTR, NULL, "nothing written");
	if (!rc && va.json &&
	    (rc = verify_write_json(va.json, rows, n, va.seed, va.scale, ok)))
		rc = cli_runtime_error("verify", "%s: %s", va.json,
				       iovw_strerror(rc));
	free(rows);
	if (rc)
		return rc;
	printf("verify: %zu checked, %s\n", n,
	       ok ? "all equivalent" : "MISMATCH");
	return ok ? EXIT_OK : EXIT_CHECK;
}
