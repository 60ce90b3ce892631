/* replay.c: runs the fuzz targets over every file of a corpus directory
 * without libFuzzer, so CI can replay the corpus with any compiler (and
 * with -Db_sanitize=address,undefined to catch what the fuzzer found).
 *
 *   fuzz-replay DIR [DIR...]      every regular file, sorted by name
 *   fuzz-replay FILE              a single input (e.g. a crasher)
 *
 * Exit status 0 when every input was processed; a crash or sanitizer
 * report aborts the run (the name of the input is printed first). */
#include "fuzz-targets.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int
read_file(const char *path, uint8_t **data, size_t *len)
{
  FILE *f = fopen(path, "rb");
  if (!f)
    return -1;
  size_t cap = 1 << 16, n = 0;
  uint8_t *buf = malloc(cap);
  for (;;) {
    if (n == cap) {
      cap *= 2;
      buf = realloc(buf, cap);
    }
    if (!buf) {
      fclose(f);
      return -1;
    }
    size_t r = fread(buf + n, 1, cap - n, f);
    n += r;
    if (r == 0)
      break;
  }
  int bad = ferror(f);
  fclose(f);
  if (bad) {
    free(buf);
    return -1;
  }
  *data = buf;
  *len = n;
  return 0;
}

static int
run_one(const char *path)
{
  uint8_t *data;
  size_t len;
  if (read_file(path, &data, &len) < 0) {
    fprintf(stderr, "fuzz-replay: cannot read %s: %s\n", path, strerror(errno));
    return -1;
  }
  fprintf(stderr, "fuzz-replay: %s (%zu bytes)\n", path, len);
  size_t events = ta_fuzz_parser(data, len);
  int wire = ta_fuzz_wire(data, len);
  free(data);
  if (wire < 0) {
    fprintf(stderr, "fuzz-replay: wire target setup failed for %s\n", path);
    return -1;
  }
  printf("%zu events, wire %s: %s\n", events, wire == 0 ? "ok" : "error", path);
  return 0;
}

static int
cmp_names(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
run_dir(const char *dir, unsigned *count)
{
  DIR *d = opendir(dir);
  if (!d) {
    fprintf(stderr, "fuzz-replay: cannot open %s: %s\n", dir, strerror(errno));
    return -1;
  }
  char **names = NULL;
  size_t n = 0, cap = 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.')
      continue;
    if (n == cap) {
      cap = cap ? cap * 2 : 64;
      names = realloc(names, cap * sizeof *names);
    }
    names[n++] = strdup(e->d_name);
  }
  closedir(d);
  if (n)
    qsort(names, n, sizeof *names, cmp_names);
  int rc = 0;
  for (size_t i = 0; i < n; i++) {
    size_t len = strlen(dir) + strlen(names[i]) + 2;
    char *path = malloc(len);
    snprintf(path, len, "%s/%s", dir, names[i]);
    struct stat st;
    if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
      if (run_one(path) < 0)
        rc = -1;
      (*count)++;
    }
    free(path);
    free(names[i]);
  }
  free(names);
  return rc;
}

int
main(int argc, char **argv)
{
  if (argc < 2) {
    fprintf(stderr, "usage: %s DIR|FILE...\n", argv[0]);
    return 2;
  }
  unsigned count = 0;
  int rc = 0;
  for (int i = 1; i < argc; i++) {
    struct stat st;
    if (stat(argv[i], &st) != 0) {
      fprintf(stderr, "fuzz-replay: %s: %s\n", argv[i], strerror(errno));
      rc = 1;
    } else if (S_ISDIR(st.st_mode)) {
      if (run_dir(argv[i], &count) < 0)
        rc = 1;
    } else {
      if (run_one(argv[i]) < 0)
        rc = 1;
      count++;
    }
  }
  printf("fuzz-replay: %u inputs\n", count);
  return rc;
}
