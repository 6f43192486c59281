/*
 * gbench.cc - the C API of gbench.h over google-benchmark (the project's
 * only C++). Every extern "C" function catches what the library or the
 * standard library may throw and turns it into an error code, so that no
 * exception unwinds through C frames.
 */
#include "gbench.h"

#include <benchmark/benchmark.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <unistd.h>

/* A registered benchmark: what the C side handed over, and the library's
 * object. Every run of one benchmark has the same number of arguments. */
struct gb_bench {
	benchmark::internal::Benchmark *b = nullptr;
	gb_fn fn = nullptr;
	void *ctx = nullptr;
	int nargs = -1; /* -1: not known yet */
};

/* What a benchmark function sees: the library's state and its benchmark. */
struct gb_state {
	benchmark::State *s;
	const gb_bench *e;
};

namespace
{

/* The registered benchmarks; freed at exit. */
std::vector<std::unique_ptr<gb_bench>> &entries()
{
	static std::vector<std::unique_ptr<gb_bench>> v;
	return v;
}

std::atomic<unsigned> failed_runs{0};
std::string prog = "gbench";

/* The arity of a benchmark's runs must stay the same: the library
 * aborts otherwise, so check it here and say -EINVAL. */
bool arity_ok(gb_bench *b, int n)
{
	if (b->nargs != -1 && b->nargs != n)
		return false;
	b->nargs = n;
	return true;
}

void print_help()
{
	std::printf("usage: %s [--benchmark_FLAG=VALUE ...]\n"
		    "Runs the registered benchmarks and prints a table; "
		    "google-benchmark's flags:\n\n",
		    prog.c_str());
	benchmark::PrintDefaultHelp();
	std::printf("\n--benchmark_min_time takes seconds as a plain number "
		    "(0.5).\nExit status: 0 ok, 2 bad argument or no "
		    "benchmark selected, 3 a benchmark failed.\n");
	std::fflush(stdout);
}

bool starts_with(const char *s, const char *prefix)
{
	return std::strncmp(s, prefix, std::strlen(prefix)) == 0;
}

/* The library exits with status 1 on a bad format name and returns
 * "nothing run" for an output file it cannot open: check both first, so
 * that they are a usage error (2) and a runtime failure (3). */
int precheck(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (starts_with(a, "--benchmark_format=") ||
		    starts_with(a, "--benchmark_out_format=")) {
			const char *v = std::strchr(a, '=') + 1;
			if (std::strcmp(v, "console") &&
			    std::strcmp(v, "json") && std::strcmp(v, "csv")) {
				std::fprintf(stderr,
					     "%s: bad value in '%s': console, "
					     "json or csv (see --help)\n",
					     prog.c_str(), a);
				return 2;
			}
		} else if (starts_with(a, "--benchmark_out=")) {
			std::string path = std::strchr(a, '=') + 1;
			std::string dir = ".";
			size_t slash = path.rfind('/');
			int ok;
			if (slash != std::string::npos)
				dir = slash ? path.substr(0, slash) : "/";
			if (path.empty())
				ok = 0;
			else if (access(path.c_str(), F_OK) == 0)
				ok = access(path.c_str(), W_OK) == 0;
			else
				ok = access(dir.c_str(), W_OK | X_OK) == 0;
			if (!ok) {
				std::fprintf(
					stderr, "%s: cannot write '%s': %s\n",
					prog.c_str(), path.c_str(),
					path.empty() ? "empty name"
						     : std::strerror(errno));
				return 3;
			}
		}
	}
	return 0;
}

} // namespace

extern "C" {

gb_bench *gb_register(const char *name, gb_fn fn, void *ctx)
{
	if (!name || !fn)
		return nullptr;
	try {
		auto e = std::make_unique<gb_bench>();
		gb_bench *p = e.get();
		p->fn = fn;
		p->ctx = ctx;
		entries().push_back(std::move(e));
		p->b = benchmark::RegisterBenchmark(name,
						    [p](benchmark::State &s) {
							    gb_state st{&s, p};
							    p->fn(&st, p->ctx);
						    });
		return p;
	} catch (...) {
		return nullptr;
	}
}

int gb_bench_arg(gb_bench *b, int64_t a)
{
	return gb_bench_args(b, &a, 1);
}

int gb_bench_args(gb_bench *b, const int64_t *a, size_t n)
{
	if (!b || !a || n < 1 || n > 16 || !arity_ok(b, (int)n))
		return -EINVAL;
	try {
		b->b->Args(std::vector<int64_t>(a, a + n));
		return 0;
	} catch (...) {
		return -ENOMEM;
	}
}

int gb_bench_range(gb_bench *b, int64_t lo, int64_t hi, int mult)
{
	if (!b || lo < 0 || hi < lo || mult < 2 || !arity_ok(b, 1))
		return -EINVAL;
	try {
		b->b->RangeMultiplier(mult)->Range(lo, hi);
		return 0;
	} catch (...) {
		return -ENOMEM;
	}
}

int gb_bench_arg_names(gb_bench *b, const char *const *names, size_t n)
{
	if (!b || !names || n < 1 || n > 16 || !arity_ok(b, (int)n))
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!names[i])
			return -EINVAL;
	try {
		b->b->ArgNames(std::vector<std::string>(names, names + n));
		return 0;
	} catch (...) {
		return -ENOMEM;
	}
}

int gb_bench_unit(gb_bench *b, enum gb_unit u)
{
	static const benchmark::TimeUnit units[] = {
		benchmark::kNanosecond, benchmark::kMicrosecond,
		benchmark::kMillisecond, benchmark::kSecond};

	if (!b || (unsigned)u > GB_S)
		return -EINVAL;
	b->b->Unit(units[u]);
	return 0;
}

int gb_keep_running(gb_state *st)
{
	try {
		return st->s->KeepRunning() ? 1 : 0;
	} catch (...) {
		gb_skip_with_error(st, "exception in the benchmark loop");
		return 0;
	}
}

int64_t gb_range(const gb_state *st, size_t i)
{
	if (st->e->nargs < 0 || i >= (size_t)st->e->nargs)
		return 0;
	return st->s->range(i);
}

uint64_t gb_iterations(const gb_state *st)
{
	return (uint64_t)st->s->iterations();
}

void gb_set_bytes_processed(gb_state *st, int64_t bytes)
{
	try {
		st->s->SetBytesProcessed(bytes);
	} catch (...) {
		/* a counter lost to a failed allocation */
	}
}

void gb_set_items_processed(gb_state *st, int64_t items)
{
	try {
		st->s->SetItemsProcessed(items);
	} catch (...) {
	}
}

void gb_pause_timing(gb_state *st)
{
	try {
		st->s->PauseTiming();
	} catch (...) {
	}
}

void gb_resume_timing(gb_state *st)
{
	try {
		st->s->ResumeTiming();
	} catch (...) {
	}
}

int gb_counter(gb_state *st, const char *name, double value, unsigned flags)
{
	const unsigned known =
		GB_COUNTER_RATE | GB_COUNTER_ITERATION_INVARIANT |
		GB_COUNTER_AVG_ITERATIONS | GB_COUNTER_INVERT | GB_COUNTER_1024;
	int f = benchmark::Counter::kDefaults;

	if (!name || (flags & ~known))
		return -EINVAL;
	if (flags & GB_COUNTER_RATE)
		f |= benchmark::Counter::kIsRate;
	if (flags & GB_COUNTER_ITERATION_INVARIANT)
		f |= benchmark::Counter::kIsIterationInvariant;
	if (flags & GB_COUNTER_AVG_ITERATIONS)
		f |= benchmark::Counter::kAvgIterations;
	if (flags & GB_COUNTER_INVERT)
		f |= benchmark::Counter::kInvert;
	try {
		st->s->counters[name] = benchmark::Counter(
			value, static_cast<benchmark::Counter::Flags>(f),
			(flags & GB_COUNTER_1024)
				? benchmark::Counter::kIs1024
				: benchmark::Counter::kIs1000);
		return 0;
	} catch (...) {
		return -ENOMEM;
	}
}

int gb_set_label(gb_state *st, const char *label)
{
	try {
		st->s->SetLabel(label ? label : "");
		return 0;
	} catch (...) {
		return -ENOMEM;
	}
}

void gb_skip_with_error(gb_state *st, const char *msg)
{
	failed_runs++;
	try {
		st->s->SkipWithError(msg ? msg : "failed");
	} catch (...) {
	}
}

int gb_run(int argc, char **argv)
{
	try {
		if (argc > 0 && argv && argv[0]) {
			const char *slash = std::strrchr(argv[0], '/');
			prog = slash ? slash + 1 : argv[0];
		}
		for (int i = 1; i < argc; i++) {
			if (!std::strcmp(argv[i], "-h")) {
				print_help();
				return 0;
			}
		}
		int rc = precheck(argc, argv);
		if (rc)
			return rc;
		/* --help prints print_help() and exits 0 in here */
		benchmark::Initialize(&argc, argv, print_help);
		if (argc > 1) {
			const char *a = argv[1];
			std::fprintf(stderr, "%s: %s '%s' (see --help)\n",
				     prog.c_str(),
				     starts_with(a, "--benchmark_")
					     ? "unknown flag or bad value in"
					     : "unknown argument",
				     a);
			return 2;
		}
		size_t n = benchmark::RunSpecifiedBenchmarks();
		std::string filter = benchmark::GetBenchmarkFilter();
		benchmark::Shutdown();
		if (n == 0) {
			std::fprintf(
				stderr,
				"%s: the filter '%s' selects no "
				"benchmark (see --benchmark_list_tests=true)\n",
				prog.c_str(), filter.c_str());
			return 2;
		}
		if (failed_runs) {
			std::fprintf(stderr, "%s: %u run(s) failed\n",
				     prog.c_str(), failed_runs.load());
			return 3;
		}
		return 0;
	} catch (const std::exception &ex) {
		std::fprintf(stderr, "%s: %s\n", prog.c_str(), ex.what());
		return 3;
	} catch (...) {
		std::fprintf(stderr, "%s: unknown C++ exception\n",
			     prog.c_str());
		return 3;
	}
}

} /* extern "C" */
