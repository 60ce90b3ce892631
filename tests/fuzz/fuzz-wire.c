/* fuzz-wire.c: libFuzzer target for the file-based paths: the -d=wire
 * dumper (ta_dump_wire takes a path) and, for zstd-compressed inputs, the
 * streaming decompressor under the parser (ta_parser_open_path). The input
 * goes to a memfd, reached through /proc/self/fd/N. */
#include "fuzz-targets.h"

#include "trace.h"
#include "trace-print.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define MAX_EVENTS 10000000

static FILE *
sink(void)
{
  static FILE *f;
  if (!f)
    f = fopen("/dev/null", "w");
  return f;
}

static void
parse_path(const char *path)
{
  ta_error err;
  ta_parser *p = ta_parser_open_path(path, &err);
  if (!p)
    return;
  ta_buf b = { 0 };
  ta_event ev;
  size_t n = 0;
  while (ta_parser_next(p, &ev) == 1) {
    if (++n > MAX_EVENTS)
      abort();
    b.len = 0;
    ta_print_event(&b, &ev);
  }
  ta_buf_free(&b);
  ta_parser_free(p);
}

int
ta_fuzz_wire(const uint8_t *data, size_t size)
{
  FILE *out = sink();
  if (!out)
    return -1;
  int fd = memfd_create("ta-fuzz", MFD_CLOEXEC);
  if (fd < 0)
    return -1;
  size_t done = 0;
  while (done < size) {
    ssize_t w = write(fd, data + done, size - done);
    if (w <= 0) {
      close(fd);
      return -1;
    }
    done += (size_t)w;
  }
  char path[64];
  snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
  ta_error err;
  int rc = ta_dump_wire(path, out, &err);
  if (rc != 0 && (!err.failed || memchr(err.message, '\0', sizeof err.message) == NULL))
    abort();
  static const uint8_t zstd_magic[4] = { 0x28, 0xB5, 0x2F, 0xFD };
  if (size >= 4 && memcmp(data, zstd_magic, 4) == 0)
    parse_path(path);
  close(fd);
  return rc;
}

#ifndef TA_FUZZ_REPLAY
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  ta_fuzz_wire(data, size);
  return 0;
}
#endif
