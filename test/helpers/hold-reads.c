// Preloaded into a process under test (LD_PRELOAD): a large read of one file, from a given offset on, waits
// until a release file exists. The test then sees the process exactly as a slow disk would leave it, half
// way through a file, for as long as it looks, without depending on how fast this machine reads.
//
//   LAYERLENS_TEST_HOLD_PATH     the file's absolute, canonical path
//   LAYERLENS_TEST_HOLD_FROM     the offset from which reads wait (bytes)
//   LAYERLENS_TEST_HOLD_RELEASE  the file whose existence lets them go on
//
// Small reads (under 16 KiB: a tar header, a manifest) never wait, so a scan of the headers goes through.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

static int held(int fd, off_t offset, size_t count) {
	const char *path = getenv("LAYERLENS_TEST_HOLD_PATH");
	const char *from = getenv("LAYERLENS_TEST_HOLD_FROM");
	if (path == NULL || from == NULL || count < 16384 || offset < atoll(from)) return 0;
	char link[64];
	char target[PATH_MAX];
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	ssize_t length = readlink(link, target, sizeof target - 1);
	if (length < 0) return 0;
	target[length] = '\0';
	return strcmp(target, path) == 0;
}

static void wait_for_release(void) {
	const char *release = getenv("LAYERLENS_TEST_HOLD_RELEASE");
	struct stat status;
	struct timespec pause = {0, 20 * 1000 * 1000};
	while (release != NULL && stat(release, &status) != 0) nanosleep(&pause, NULL);
}

static size_t total(const struct iovec *vectors, int count) {
	size_t bytes = 0;
	for (int index = 0; index < count; index++) bytes += vectors[index].iov_len;
	return bytes;
}

#define REAL(name) static __typeof__(name) *real; if (real == NULL) real = dlsym(RTLD_NEXT, #name)

ssize_t read(int fd, void *buffer, size_t count) {
	REAL(read);
	if (held(fd, lseek(fd, 0, SEEK_CUR), count)) wait_for_release();
	return real(fd, buffer, count);
}

ssize_t readv(int fd, const struct iovec *vectors, int count) {
	REAL(readv);
	if (held(fd, lseek(fd, 0, SEEK_CUR), total(vectors, count))) wait_for_release();
	return real(fd, vectors, count);
}

ssize_t pread(int fd, void *buffer, size_t count, off_t offset) {
	REAL(pread);
	if (held(fd, offset, count)) wait_for_release();
	return real(fd, buffer, count, offset);
}

ssize_t pread64(int fd, void *buffer, size_t count, off_t offset) {
	REAL(pread64);
	if (held(fd, offset, count)) wait_for_release();
	return real(fd, buffer, count, offset);
}

ssize_t preadv(int fd, const struct iovec *vectors, int count, off_t offset) {
	REAL(preadv);
	if (held(fd, offset, total(vectors, count))) wait_for_release();
	return real(fd, vectors, count, offset);
}

ssize_t preadv64(int fd, const struct iovec *vectors, int count, off_t offset) {
	REAL(preadv64);
	if (held(fd, offset, total(vectors, count))) wait_for_release();
	return real(fd, vectors, count, offset);
}
