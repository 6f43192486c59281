/*
 * peers.c - fio as a peer (see peers.h).
 */
#include "engine/peers.h"

#include "engine/session.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

const char *const peer_engines[PEER_COUNT] = {"psync", "pvsync", "vsync",
					      "mmap"};

/* Run argv with stdout and stderr to /dev/null; its exit status or -errno. */
static int run_quiet(char *const argv[])
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execvp(argv[0], argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return -errno;
		if (session_interrupted())
			kill(pid, SIGKILL); /* Ctrl-C: fio's run is lost */
	}
	if (WIFSIGNALED(status) || session_interrupted())
		return session_interrupted() ? -EINTR : -EIO;
	return WEXITSTATUS(status);
}

int peer_available(void)
{
	char *argv[] = {"fio", "--version", NULL};
	return run_quiet(argv) == 0;
}

int peer_run(const char *engine, const char *path, uint64_t bytes, int fsync,
	     const char *scratch, struct sample *out)
{
	char eng[64], size[64], file[4200], output[4200];
	char *argv[] = {"fio",	   "--name=peer",
			eng,	   "--rw=write",
			"--bs=1M", size,
			file,	   "--output-format=json",
			output,	   fsync ? "--end_fsync=1" : "--end_fsync=0",
			NULL};
	json_t *root, *job, *w;
	json_error_t jerr;
	double lat, usr, sys, runtime_ms;
	int rc;

	memset(out, 0, sizeof(*out));
	snprintf(eng, sizeof(eng), "--ioengine=%s", engine);
	/* fio writes whole blocks only: round up to 1 MiB */
	bytes = (bytes + (1u << 20) - 1) & ~(uint64_t)((1u << 20) - 1);
	snprintf(size, sizeof(size), "--size=%llu", (unsigned long long)bytes);
	snprintf(file, sizeof(file), "--filename=%s", path);
	snprintf(output, sizeof(output), "--output=%s", scratch);
	unlink(path);
	rc = run_quiet(argv);
	if (rc)
		return rc < 0 ? rc : -EIO;
	root = json_load_file(scratch, 0, &jerr);
	unlink(scratch);
	unlink(path);
	if (!root)
		return -EPROTO;
	job = json_array_get(json_object_get(root, "jobs"), 0);
	w = json_object_get(job, "write");
	lat = json_number_value(
		json_object_get(json_object_get(w, "lat_ns"), "mean"));
	out->total_ns =
		(uint64_t)(lat * (double)json_integer_value(
					 json_object_get(w, "total_ios")));
	out->st.bytes_written =
		(uint64_t)json_integer_value(json_object_get(w, "io_bytes"));
	runtime_ms =
		(double)json_integer_value(json_object_get(job, "job_runtime"));
	usr = json_number_value(json_object_get(job, "usr_cpu"));
	sys = json_number_value(json_object_get(job, "sys_cpu"));
	out->utime_ns = (uint64_t)(usr / 100 * runtime_ms * 1e6);
	out->stime_ns = (uint64_t)(sys / 100 * runtime_ms * 1e6);
	out->minflt =
		(uint64_t)json_integer_value(json_object_get(job, "minf"));
	out->majflt =
		(uint64_t)json_integer_value(json_object_get(job, "majf"));
	json_decref(root);
	return out->total_ns && out->st.bytes_written == bytes ? 0 : -EPROTO;
}
