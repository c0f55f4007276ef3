/*
 * fuzz.h - shared by the fuzz harnesses of tests/fuzz.
 *
 * Each harness defines LLVMFuzzerTestOneInput.  It is linked either with
 * libFuzzer (COSTRANK_FUZZ, clang) to fuzz, or with replay.c to run a
 * corpus once, as ctest does in every build.  A harness checks the
 * invariants of its module with FUZZ_CHECK: a broken invariant aborts, and
 * libFuzzer (or the sanitizers) report it as a finding.
 */
#ifndef COSTRANK_FUZZ_H
#define COSTRANK_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                         \
	do {                                                                     \
		if (!(cond)) {                                                   \
			fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, \
				__LINE__, #cond);                                \
			abort();                                                 \
		}                                                                \
	} while (0)

/*
 * The input as a file that the module under test opens by name: an
 * in-memory file (memfd) rewritten for every input, reached through
 * /proc/self/fd.  Nothing touches the disk.
 */
static inline const char *fuzz_file(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	size_t off = 0;

	if (fd < 0) {
		fd = memfd_create("costrank-fuzz", MFD_CLOEXEC);
		if (fd < 0) {
			perror("memfd_create");
			abort();
		}
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) != 0) {
		perror("ftruncate");
		abort();
	}
	while (off < size) {
		ssize_t n = pwrite(fd, data + off, size - off, (off_t)off);
		if (n <= 0) {
			perror("pwrite");
			abort();
		}
		off += (size_t)n;
	}
	return path;
}

/* A stream that discards what is written to it (messages of the module). */
static inline FILE *fuzz_devnull(void)
{
	static FILE *f;

	if (!f)
		f = fopen("/dev/null", "w");
	if (!f) {
		perror("/dev/null");
		abort();
	}
	return f;
}

/* The input as a NUL-terminated string (freed by the caller). */
static inline char *fuzz_strndup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#endif
