/*
 * fuzz_loader.c - libFuzzer target for the loader: any bytes are validated
 * and, when valid, rebuilt, without a crash, a leak or an out-of-bounds
 * read. Most inputs skip the checksum so that the fuzzer reaches the
 * checks behind it. `make fuzz` builds it with clang and runs it.
 */
#include "kinds.h"
#include "loader.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[IOVM_ERRLEN];
	struct iovm_file f;
	void *obj = NULL;
	unsigned char *copy = malloc(size ? size : 1); /* 16-aligned */
	int rc;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	rc = size % 4
		     ? iovm_open_mem_unchecked(copy, size, &f, err, sizeof(err))
		     : iovm_open_mem(copy, size, &f, err, sizeof(err));
	if (!rc && iovm_rebuild(&f, &obj, err, sizeof(err)) == 0 && obj)
		kind_ops_of(f.h->kind)->free(obj);
	if (!rc)
		iovm_rebuild(&f, NULL, err, sizeof(err)); /* check only */
	free(copy);
	return 0;
}
