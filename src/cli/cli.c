/* trace-atlas-cli: the headless companion of Trace Atlas.
 *
 *   dump --parsed FILE   the text of `go tool trace -d=parsed FILE` (Go 1.26)
 *   dump --wire FILE     the text of `go tool trace -d=wire FILE`
 *   stats FILE           a summary of the trace
 */
#include "cli-model.h"
#include "trace.h"
#include "trace-print.h"

#include <glib.h>
#include <malloc.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static const char usage_text[] =
  "NAME\n"
  "    trace-atlas-cli - inspect Go execution traces from the command line\n"
  "\n"
  "SYNOPSIS\n"
  "    trace-atlas-cli dump --parsed FILE\n"
  "    trace-atlas-cli dump --wire FILE\n"
  "    trace-atlas-cli stats [--no-states] FILE\n"
  "    trace-atlas-cli spans FILE (--goroutine N|--proc N|--thread N|--track KIND[:ID[:SUB]])\n"
  "                          [--from NS] [--to NS]\n"
  "    trace-atlas-cli summary FILE TRACK [--level L] [--from NS] [--to NS]\n"
  "    trace-atlas-cli index [--threads N] [--no-cache] [--resident] FILE\n"
  "    trace-atlas-cli --help\n"
  "\n"
  "DESCRIPTION\n"
  "    Reads traces written by Go 1.22 to 1.26 (runtime/trace, go test -trace,\n"
  "    /debug/pprof/trace, flight recorder snapshots), plain or compressed with\n"
  "    zstd (detected by content, not by name).\n"
  "\n"
  "    dump --parsed  prints every event exactly as `go tool trace -d=parsed`\n"
  "                   of Go 1.26 does (set TZ=UTC on both sides to compare).\n"
  "    dump --wire    prints the raw records as `go tool trace -d=wire` does.\n"
  "    stats          prints the format version, generations, time span,\n"
  "                   events by kind, goroutines, procs, threads, CPU samples,\n"
  "                   then (unless --no-states) the trace model's time per\n"
  "                   state over all goroutines, procs and threads.\n"
  "    spans          prints the exact spans of one track (start, end,\n"
  "                   duration, state, goroutine/proc, reason, stack top).\n"
  "    summary        prints the summary buckets of one track at a level.\n"
  "                   KIND: gc, stw, sweep, proc, thread, goroutine, regions\n"
  "                   (ID goroutine, SUB depth), tasks (SUB lane).\n"
  "    index          builds the model (index cache under $XDG_CACHE_HOME/\n"
  "                   trace-atlas unless --no-cache) and prints timings and\n"
  "                   memory.\n"
  "\n"
  "EXIT STATUS\n"
  "    0 on success; 1 when the trace is invalid or cannot be read (every\n"
  "    event before the error is still printed, and the error names what\n"
  "    went wrong and where); 2 on a usage error.\n";

static void
print_error(const char *path, const ta_error *err)
{
  fprintf(stderr, "trace-atlas-cli: %s: ", path);
  if (err->offset >= 0)
    fprintf(stderr, "at byte %lld", (long long)err->offset);
  if (err->gen)
    fprintf(stderr, "%sin generation %llu", err->offset >= 0 ? ", " : "", (unsigned long long)err->gen);
  fprintf(stderr, "%s%s\n", err->offset >= 0 || err->gen ? ": " : "", err->message);
}

/* After a decoding error: what was kept and how much was lost. */
static void
print_loss(const char *path, const ta_parser *p)
{
  int64_t kept_end;
  uint64_t kept = ta_parser_complete_generations(p, &kept_end);
  uint64_t read = ta_parser_bytes_read(p);
  struct stat st;
  bool plain = stat(path, &st) == 0 && (uint64_t)st.st_size >= read && st.st_size > 0;
  uint64_t total = plain ? (uint64_t)st.st_size : read;
  uint64_t lost = total > (uint64_t)kept_end ? total - (uint64_t)kept_end : 0;
  fprintf(stderr, "trace-atlas-cli: %s: kept %llu complete generation%s (bytes 0-%lld); "
          "%llu of %llu bytes (%.2f%%) after them were not used\n", path,
          (unsigned long long)kept, kept == 1 ? "" : "s", (long long)kept_end,
          (unsigned long long)lost, (unsigned long long)total,
          total ? 100.0 * (double)lost / (double)total : 0.0);
}

/* A trace that ended inside a table batch: Go ends there quietly; say so. */
static void
print_early_end(const char *path, const ta_parser *p)
{
  const ta_error *e = ta_parser_early_end(p);
  if (!e)
    return;
  fprintf(stderr, "trace-atlas-cli: %s: note: the trace ends early (at byte %lld, generation %llu: %s); "
          "like Go, the events before it are kept and the rest is ignored\n", path,
          (long long)e->offset, (unsigned long long)e->gen, e->message);
  print_loss(path, p);
}

static int
dump_parsed(const char *path)
{
  ta_error err;
  ta_parser *p = ta_parser_open_path(path, &err);
  if (!p) {
    print_error(path, &err);
    return 1;
  }
  static char outbuf[1 << 16];
  setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
  ta_buf b = { 0 };
  ta_event ev;
  int r;
  while ((r = ta_parser_next(p, &ev)) > 0) {
    b.len = 0;
    ta_print_event(&b, &ev);
    ta_buf_putc(&b, '\n');
    fwrite(b.data, 1, b.len, stdout);
  }
  fflush(stdout);
  ta_buf_free(&b);
  int rc = 0;
  if (r < 0) {
    print_error(path, ta_parser_error(p));
    print_loss(path, p);
    rc = 1;
  }
  print_early_end(path, p);
  ta_parser_free(p);
  return rc;
}

static int
dump_wire(const char *path)
{
  static char outbuf[1 << 16];
  setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
  ta_error err;
  int rc = ta_dump_wire(path, stdout, &err);
  fflush(stdout);
  if (rc)
    print_error(path, &err);
  return rc;
}

static double
now_seconds(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Distinct IDs, for counting goroutines, procs and threads: a bitmap for
 * the small IDs the runtime hands out, a hash set for any others. */
#define ID_SET_BITMAP_LIMIT (UINT64_C(1) << 24)
typedef struct {
  uint64_t *bits;
  size_t n_words;
  GHashTable *others;
} id_set;

static void
id_set_init(id_set *s)
{
  *s = (id_set){ .others = g_hash_table_new(NULL, NULL) };
}

static void
id_set_clear(id_set *s)
{
  g_free(s->bits);
  g_hash_table_destroy(s->others);
}

/* Grows the bitmap or uses the hash set: id_set_add()'s rare cases. */
static void __attribute__((noinline))
id_set_add_slow(id_set *s, int64_t id)
{
  if (id < 0)
    return;
  if ((uint64_t)id >= ID_SET_BITMAP_LIMIT) {
    g_hash_table_add(s->others, GSIZE_TO_POINTER((gsize)id + 1));
    return;
  }
  size_t w = (size_t)id / 64;
  if (w >= s->n_words) {
    size_t n = s->n_words ? s->n_words : 64;
    while (n <= w)
      n *= 2;
    s->bits = g_realloc_n(s->bits, n, sizeof *s->bits);
    memset(s->bits + s->n_words, 0, (n - s->n_words) * sizeof *s->bits);
    s->n_words = n;
  }
  s->bits[w] |= UINT64_C(1) << (id % 64);
}

/* Setting a bit needs no test of whether it was set (the count comes from
 * the bitmap at the end), so this is cheap enough to call on every event. */
static inline void
id_set_add(id_set *s, int64_t id)
{
  if ((uint64_t)id < s->n_words * 64)
    s->bits[(uint64_t)id / 64] |= UINT64_C(1) << ((uint64_t)id % 64);
  else
    id_set_add_slow(s, id);
}

static guint
id_set_count(const id_set *s)
{
  guint n = g_hash_table_size(s->others);
  for (size_t w = 0; w < s->n_words; w++)
    n += (guint)__builtin_popcountll(s->bits[w]);
  return n;
}

/* What stats() does with each event type beyond counting it. */
enum { STATS_PLAIN, STATS_SYNC, STATS_NEW_G, STATS_NEW_P };
static const uint8_t stats_role[256] = {
  [TA_EV_PARSER_SYNC] = STATS_SYNC,
  [TA_EV_GO_CREATE] = STATS_NEW_G,
  [TA_EV_GO_CREATE_BLOCKED] = STATS_NEW_G,
  [TA_EV_GO_CREATE_SYSCALL] = STATS_NEW_G,
  [TA_EV_GO_STATUS] = STATS_NEW_G,
  [TA_EV_GO_STATUS_STACK] = STATS_NEW_G,
  [TA_EV_PROC_STATUS] = STATS_NEW_P,
  [TA_EV_PROC_START] = STATS_NEW_P,
};

static int
stats(const char *path)
{
  double t0 = now_seconds();
  ta_error err;
  ta_parser *p = ta_parser_open_path(path, &err);
  if (!p) {
    print_error(path, &err);
    return 1;
  }
  uint64_t by_kind[TA_KIND_COUNT] = { 0 };
  uint64_t total = 0, generations = 0;
  int64_t first = 0, last = 0;
  id_set goroutines, procs, threads;
  id_set_init(&goroutines);
  id_set_init(&procs);
  id_set_init(&threads);
  /* The threads' bitmap in locals, which a store through it cannot
   * change: no reload on every event. Refreshed when it grows. */
  uint64_t *thread_bits = threads.bits;
  uint64_t thread_bits_limit = 0;
  /* Events come in batches: less call overhead per event. */
  ta_event evs[64];
  int r;
  while ((r = ta_parser_next_many(p, evs, 64)) > 0) {
    if (total == 0)
      first = evs[0].time;
    total += (uint64_t)r;
    last = evs[r - 1].time;
    for (int i = 0; i < r; i++) {
      const ta_event *ev = &evs[i];
      by_kind[ev->kind]++;
      /* Unconditionally: which thread comes next is hard to predict. */
      if (__builtin_expect((uint64_t)ev->m < thread_bits_limit, 1)) {
        thread_bits[(uint64_t)ev->m / 64] |= UINT64_C(1) << ((uint64_t)ev->m % 64);
      } else {
        id_set_add(&threads, ev->m);
        thread_bits = threads.bits;
        thread_bits_limit = threads.n_words * 64;
      }
      /* A table test first: most events need nothing more. */
      if (__builtin_expect(stats_role[ev->type] == STATS_PLAIN, 1))
        continue;
      switch (stats_role[ev->type]) {
      case STATS_SYNC:
        if (ev->gen)
          generations++;
        break;
      case STATS_NEW_G:
        id_set_add(&goroutines, (int64_t)ev->args[0]);
        break;
      case STATS_NEW_P:
        id_set_add(&procs, (int64_t)ev->args[0]);
        break;
      }
    }
  }
  double elapsed = now_seconds() - t0;
  int64_t span = last - first;
  printf("file: %s\n", path);
  printf("format: go 1.%d\n", ta_parser_format(p));
  printf("generations: %llu\n", (unsigned long long)generations);
  printf("time span: %lld ns (%.6f s)\n", (long long)span, (double)span / 1e9);
  printf("events: %llu\n", (unsigned long long)total);
  for (int k = 1; k < TA_KIND_COUNT; k++)
    printf("  %-16s %llu\n", ta_kind_name((ta_kind)k), (unsigned long long)by_kind[k]);
  printf("goroutines: %u\n", id_set_count(&goroutines));
  printf("procs: %u\n", id_set_count(&procs));
  printf("threads: %u\n", id_set_count(&threads));
  printf("cpu samples: %llu\n", (unsigned long long)by_kind[TA_KIND_STACK_SAMPLE]);
  printf("bytes read: %llu\n", (unsigned long long)ta_parser_bytes_read(p));
  printf("largest generation: %llu bytes\n", (unsigned long long)ta_parser_largest_generation(p));
  printf("decode seconds: %.3f\n", elapsed);
  id_set_clear(&goroutines);
  id_set_clear(&procs);
  id_set_clear(&threads);
  int rc = 0;
  if (r < 0) {
    fflush(stdout);
    print_error(path, ta_parser_error(p));
    print_loss(path, p);
    rc = 1;
  }
  print_early_end(path, p);
  ta_parser_free(p);
  return rc;
}

static int
usage_error(const char *msg)
{
  fprintf(stderr, "trace-atlas-cli: %s\nTry 'trace-atlas-cli --help'.\n", msg);
  return 2;
}

int
main(int argc, char **argv)
{
  /* Indexing's big transient buffers (a generation's packed goroutines and
   * track lists, megabytes each on spawn-heavy traces) are made by worker
   * threads and freed by the merging one. Under glibc's adaptive threshold
   * later ones come from the workers' arenas, which keep the freed space
   * resident (a third of spawn-256MiB's peak); a fixed threshold keeps them
   * in mappings of their own, given back when freed. A process-wide choice,
   * so the program makes it: the viewer keeps the adaptive threshold, since
   * there it would turn each frame's 8-10 MB paint buffers into fresh
   * mappings and page faults. */
  mallopt(M_MMAP_THRESHOLD, 4 << 20);
  if (argc < 2)
    return usage_error("missing command");
  if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
    fputs(usage_text, stdout);
    return 0;
  }
  if (!strcmp(argv[1], "dump")) {
    if (argc != 4)
      return usage_error("dump takes --parsed or --wire, then one FILE");
    if (!strcmp(argv[2], "--parsed"))
      return dump_parsed(argv[3]);
    if (!strcmp(argv[2], "--wire"))
      return dump_wire(argv[3]);
    return usage_error("dump takes --parsed or --wire");
  }
  if (!strcmp(argv[1], "stats")) {
    gboolean states = !(argc == 4 && !strcmp(argv[2], "--no-states"));
    if (argc != 3 && states)
      return usage_error("stats takes [--no-states] and one FILE");
    const char *path = argv[argc - 1];
    int rc = stats(path);
    if (rc == 0 && states) {
      fflush(stdout);
      rc = ta_cli_stats_states(path);
    }
    return rc;
  }
  int rc = ta_cli_model_dispatch(argc, argv);
  if (rc >= 0)
    return rc;
  return usage_error("unknown command");
}
