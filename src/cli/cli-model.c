/* cli-model.c: the trace-atlas-cli commands built on the trace model.
 *
 *   stats FILE                 (after the decoder's counts) time per state
 *   spans FILE TRACK [--from NS] [--to NS]    exact spans of one track
 *   summary FILE TRACK [--level L] [--from NS] [--to NS]   summary buckets
 *   index FILE                 builds the model; prints timings and memory
 *
 * TRACK is --goroutine N, --proc N, --thread N, or --track KIND[:ID[:SUB]]
 * with KIND one of gc, stw, sweep, proc, thread, goroutine, regions, tasks.
 */
#include <unistd.h>
#include "cli-model.h"
#include "model.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
usage(const char *msg)
{
  fprintf(stderr, "trace-atlas-cli: %s\nTry 'trace-atlas-cli --help'.\n", msg);
  return 2;
}

static guint64
peak_rss_kib(void)
{
  g_autofree char *status = NULL;
  if (!g_file_get_contents("/proc/self/status", &status, NULL, NULL))
    return 0;
  const char *p = strstr(status, "VmHWM:");
  return p ? g_ascii_strtoull(p + 6, NULL, 10) : 0;
}

typedef struct {
  const char *path;
  TaTrackKey key;
  gboolean have_key;
  gint64 from, to;
  gint level;
  guint threads;
  gboolean no_cache, resident, no_states, json;
  guint64 budget;
} cli_args;

static gboolean
parse_track(const char *spec, TaTrackKey *key)
{
  static const struct {
    const char *name;
    TaTrackKind kind;
  } kinds[] = {
    { "gc", TA_TRACK_GC },         { "stw", TA_TRACK_STW },
    { "sweep", TA_TRACK_SWEEP },   { "proc", TA_TRACK_PROC },
    { "thread", TA_TRACK_THREAD }, { "goroutine", TA_TRACK_GOROUTINE },
    { "regions", TA_TRACK_REGIONS }, { "tasks", TA_TRACK_TASKS },
  };
  g_auto(GStrv) parts = g_strsplit(spec, ":", 3);
  memset(key, 0, sizeof *key);
  for (guint i = 0; i < G_N_ELEMENTS(kinds); i++)
    if (!strcmp(parts[0], kinds[i].name)) {
      key->kind = kinds[i].kind;
      if (parts[1])
        key->id = g_ascii_strtoll(parts[1], NULL, 10);
      if (parts[1] && parts[2])
        key->sub = (guint32)g_ascii_strtoull(parts[2], NULL, 10);
      if (key->kind == TA_TRACK_TASKS && parts[1] && !parts[2]) {
        key->sub = (guint32)key->id;
        key->id = 0;
      }
      return TRUE;
    }
  return FALSE;
}

static int
parse_args(int argc, char **argv, cli_args *a, gboolean need_track)
{
  memset(a, 0, sizeof *a);
  a->from = G_MININT64;
  a->to = G_MAXINT64;
  a->level = -1;
  for (int i = 0; i < argc; i++) {
    const char *s = argv[i];
    const char *val = i + 1 < argc ? argv[i + 1] : NULL;
#define NEEDVAL()                                                             \
  do {                                                                        \
    if (!val)                                                                 \
      return usage("missing value after an option");                         \
    i++;                                                                      \
  } while (0)
    if (!strcmp(s, "--goroutine") || !strcmp(s, "--proc") || !strcmp(s, "--thread")) {
      NEEDVAL();
      a->key.kind = s[2] == 'g' ? TA_TRACK_GOROUTINE : s[2] == 'p' ? TA_TRACK_PROC : TA_TRACK_THREAD;
      a->key.id = g_ascii_strtoll(val, NULL, 10);
      a->have_key = TRUE;
    } else if (!strcmp(s, "--track")) {
      NEEDVAL();
      if (!parse_track(val, &a->key))
        return usage("unknown track kind");
      a->have_key = TRUE;
    } else if (!strcmp(s, "--from")) {
      NEEDVAL();
      a->from = g_ascii_strtoll(val, NULL, 10);
    } else if (!strcmp(s, "--to")) {
      NEEDVAL();
      a->to = g_ascii_strtoll(val, NULL, 10);
    } else if (!strcmp(s, "--level")) {
      NEEDVAL();
      a->level = atoi(val);
    } else if (!strcmp(s, "--threads")) {
      NEEDVAL();
      a->threads = (guint)atoi(val);
    } else if (!strcmp(s, "--budget")) {
      NEEDVAL();
      a->budget = g_ascii_strtoull(val, NULL, 10);
    } else if (!strcmp(s, "--no-cache")) {
      a->no_cache = TRUE;
    } else if (!strcmp(s, "--resident")) {
      a->resident = TRUE;
    } else if (!strcmp(s, "--no-states")) {
      a->no_states = TRUE;
    } else if (s[0] == '-' && s[1] == '-') {
      return usage("unknown option");
    } else if (!a->path) {
      a->path = s;
    } else {
      return usage("more than one FILE");
    }
#undef NEEDVAL
  }
  if (!a->path)
    return usage("missing FILE");
  if (need_track && !a->have_key)
    return usage("which track? (--goroutine N, --proc N, --thread N or --track KIND:ID)");
  return 0;
}

static TaDocument *
open_document(const cli_args *a, gboolean use_cache)
{
  TaModelOptions o;
  ta_model_options_init(&o);
  o.use_cache = use_cache && !a->no_cache;
  if (a->threads)
    o.n_index_threads = a->threads;
  o.resident_limit = a->resident ? G_MAXUINT64 : 0;
  if (a->budget)
    o.window_cache_budget = a->budget;
  return ta_document_new(a->path, &o);
}

static void
print_model_error(const char *path, const GError *e)
{
  fprintf(stderr, "trace-atlas-cli: %s: %s\n", path, e->message);
}

static void
print_time(gint64 ns)
{
  printf("%lld.%09lld", (long long)(ns / 1000000000), (long long)(ns % 1000000000));
}

/* ---- stats: time per state ---- */

int
ta_cli_stats_states(const char *path)
{
  cli_args a;
  memset(&a, 0, sizeof a);
  a.path = path;
  g_autoptr(TaDocument) doc = open_document(&a, TRUE);
  g_autoptr(TaSnapshot) snap = ta_document_wait(doc);
  if (!snap)
    return 1;
  TaBucket tot;
  ta_snapshot_get_goroutine_totals(snap, &tot);
  gint64 all = 0;
  for (guint s = 1; s < TA_N_STATES; s++)
    all += tot.time[s];
  printf("goroutine time by state (ns, summed over %llu goroutines):\n",
         (unsigned long long)ta_snapshot_get_n_goroutines(snap));
  for (guint s = 1; s < TA_N_STATES; s++) {
    if (!tot.time[s])
      continue;
    printf("  %-16s %15lld  %6.2f%%\n", ta_state_name((TaState)s), (long long)tot.time[s],
           all ? 100.0 * (double)tot.time[s] / (double)all : 0.0);
  }
  /* procs and threads */
  static const TaTrackKind kinds[] = { TA_TRACK_PROC, TA_TRACK_THREAD };
  for (guint k = 0; k < 2; k++) {
    TaBucket sum;
    memset(&sum, 0, sizeof sum);
    guint n = kinds[k] == TA_TRACK_PROC ? ta_snapshot_get_n_procs(snap)
                                        : ta_snapshot_get_n_threads(snap);
    for (guint i = 0; i < n; i++) {
      TaProcInfo pi;
      if (kinds[k] == TA_TRACK_PROC)
        ta_snapshot_get_proc(snap, i, &pi);
      else
        ta_snapshot_get_thread(snap, i, (TaThreadInfo *)&pi);
      TaTrackKey key = { kinds[k], 0, pi.id };
      TaBucket b;
      if (ta_snapshot_get_track_totals(snap, &key, &b))
        for (guint s = 0; s < TA_N_STATES; s++)
          sum.time[s] += b.time[s];
    }
    printf("%s time by state (ns, summed over %u):\n", k == 0 ? "proc" : "thread", n);
    for (guint s = 1; s < TA_N_STATES; s++)
      if (sum.time[s])
        printf("  %-16s %15lld\n", ta_state_name((TaState)s), (long long)sum.time[s]);
  }
  const GError *e = ta_snapshot_get_error(snap);
  if (e) {
    print_model_error(path, e);
    return 1;
  }
  return 0;
}

/* ---- spans ---- */

static void
print_span(TaSnapshot *snap, const TaSpan *s)
{
  print_time(s->start);
  printf(" ");
  print_time(s->end);
  printf(" %12lld %-16s", (long long)(s->end - s->start), ta_state_name((TaState)s->state));
  if (s->g != TA_ID_NONE)
    printf(" g=%lld", (long long)s->g);
  if (s->p != TA_ID_NONE)
    printf(" p=%lld", (long long)s->p);
  if (s->state == TA_STATE_REGION || s->state == TA_STATE_TASK)
    printf(" task=%llu", (unsigned long long)s->task);
  if (s->flags & TA_SPAN_CREATED)
    printf(" created");
  if (s->flags & TA_SPAN_ENDS_IN_DEATH)
    printf(" dies");
  if (s->flags & TA_SPAN_OPEN)
    printf(" open");
  if (s->flags & TA_SPAN_BEFORE_TRACE)
    printf(" before-trace");
  const char *r = ta_snapshot_get_string(snap, s->reason);
  if (*r)
    printf(" reason=\"%s\"", r);
  g_autofree char *top = ta_snapshot_dup_stack_top(snap, s->stack);
  if (top)
    printf(" at %s", top);
  printf("\n");
}

static int
cmd_spans(int argc, char **argv)
{
  cli_args a;
  int rc = parse_args(argc, argv, &a, TRUE);
  if (rc)
    return rc;
  g_autoptr(TaDocument) doc = open_document(&a, TRUE);
  g_autoptr(TaSnapshot) snap = ta_document_wait(doc);
  if (!snap)
    return 1;
  gint64 t0 = a.from == G_MININT64 ? ta_snapshot_get_start(snap) : a.from;
  gint64 t1 = a.to == G_MAXINT64 ? ta_snapshot_get_end(snap) + 1 : a.to;
  g_autoptr(GError) error = NULL;
  g_autoptr(TaWindow) w = ta_document_request_spans(doc, snap, &a.key, 1, t0, t1, NULL, &error);
  if (!w) {
    print_model_error(a.path, error);
    return 1;
  }
  static char outbuf[1 << 16];
  setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
  gsize n;
  const TaSpan *spans = ta_window_get_spans(w, 0, &n);
  g_autofree char *label = ta_snapshot_dup_track_label(snap, &a.key);
  printf("# %s: %zu spans in [", label, n);
  print_time(t0);
  printf(", ");
  print_time(t1);
  printf(")\n");
  for (gsize i = 0; i < n; i++)
    print_span(snap, &spans[i]);
  fflush(stdout);
  const GError *e = ta_snapshot_get_error(snap);
  if (e) {
    print_model_error(a.path, e);
    return 1;
  }
  return 0;
}

/* ---- summary ---- */

static int
cmd_summary(int argc, char **argv)
{
  cli_args a;
  int rc = parse_args(argc, argv, &a, TRUE);
  if (rc)
    return rc;
  g_autoptr(TaDocument) doc = open_document(&a, TRUE);
  g_autoptr(TaSnapshot) snap = ta_document_wait(doc);
  if (!snap)
    return 1;
  guint levels = ta_snapshot_get_n_levels(snap);
  guint level = a.level < 0 ? 0 : (guint)a.level;
  if (level >= levels)
    return usage("no such level");
  gint64 origin = ta_snapshot_get_origin(snap);
  gint64 w = ta_snapshot_get_bucket_width(snap, level);
  gint64 from = a.from == G_MININT64 ? origin : MAX(a.from, origin);
  gint64 to = a.to == G_MAXINT64 ? ta_snapshot_get_end(snap) + 1 : a.to;
  g_autofree char *label = ta_snapshot_dup_track_label(snap, &a.key);
  printf("# %s: level %u of %u, bucket width %lld ns, origin %lld\n", label, level, levels,
         (long long)w, (long long)origin);
  static char outbuf[1 << 16];
  setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
  gint64 b = (from - origin) / w;
  TaBucket buf[256];
  for (;;) {
    guint n = ta_snapshot_get_buckets(snap, &a.key, level, b, buf, G_N_ELEMENTS(buf));
    if (n == 0)
      break;
    for (guint i = 0; i < n; i++) {
      if (buf[i].start >= to)
        goto done;
      printf("%lld ", (long long)((buf[i].start - origin) / w));
      print_time(buf[i].start);
      printf(" spans=%llu", (unsigned long long)buf[i].n_spans);
      for (guint s = 1; s < TA_N_STATES; s++)
        if (buf[i].time[s])
          printf(" %s=%lld", ta_state_name((TaState)s), (long long)buf[i].time[s]);
      printf("\n");
    }
    b = (buf[n - 1].start - origin) / w + 1;
  }
done:
  fflush(stdout);
  return 0;
}

/* ---- index ---- */

typedef struct {
  gint64 t_open;
  double first;
  gboolean seen;
} index_watch;

static int
cmd_index(int argc, char **argv)
{
  cli_args a;
  int rc = parse_args(argc, argv, &a, FALSE);
  if (rc)
    return rc;
  gint64 t0 = g_get_monotonic_time();
  if (g_getenv("TA_MODEL_DEBUG"))
    g_printerr("cli index starts at %.6f s (monotonic)\n", (double)t0 / 1e6);
  g_autoptr(TaDocument) doc = open_document(&a, TRUE);
  /* The first snapshot: watch the document's main context from here. */
  ta_document_start(doc);
  GMainContext *ctx = g_main_context_default();
  double first = -1;
  TaSnapshot *final = NULL;
  while (!final) {
    g_main_context_iteration(ctx, TRUE);
    g_autoptr(TaSnapshot) s = ta_document_dup_snapshot(doc);
    if (s && first < 0) {
      first = (double)(g_get_monotonic_time() - t0) / 1e6;
      /* For timing the first snapshot alone (bench, profiles). */
      if (g_getenv("TA_INDEX_FIRST_ONLY")) {
        printf("first snapshot seconds: %.3f\n", first);
        fflush(stdout);
        _exit(0);
      }
    }
    TaDocumentState st = ta_document_get_state(doc);
    if (st != TA_DOCUMENT_INDEXING && st != TA_DOCUMENT_IDLE)
      final = ta_document_wait(doc);
  }
  double total = (double)(g_get_monotonic_time() - t0) / 1e6;
  g_autoptr(TaSnapshot) snap = final;
  guint64 bytes = ta_document_get_bytes_total(doc);
  printf("file: %s\n", a.path);
  printf("bytes: %llu\n", (unsigned long long)bytes);
  printf("from cache: %s\n", ta_document_get_from_cache(doc) ? "yes" : "no");
  printf("generations: %llu\n", (unsigned long long)ta_snapshot_get_n_generations(snap));
  printf("events: %llu\n", (unsigned long long)ta_snapshot_get_n_events(snap));
  printf("goroutines: %llu\n", (unsigned long long)ta_snapshot_get_n_goroutines(snap));
  printf("procs: %u\n", ta_snapshot_get_n_procs(snap));
  printf("threads: %u\n", ta_snapshot_get_n_threads(snap));
  printf("tasks: %llu\n", (unsigned long long)ta_snapshot_get_n_tasks(snap));
  printf("regions: %llu\n", (unsigned long long)ta_snapshot_get_n_regions(snap));
  printf("logs: %llu\n", (unsigned long long)ta_snapshot_get_n_logs(snap));
  printf("gc cycles: %u\n", ta_snapshot_get_n_gc_cycles(snap));
  printf("tracks: %llu\n", (unsigned long long)ta_snapshot_get_n_tracks(snap));
  printf("levels: %u (level 0: %lld ns)\n", ta_snapshot_get_n_levels(snap),
         (long long)ta_snapshot_get_bucket_width(snap, 0));
  printf("time span: %lld ns\n",
         (long long)(ta_snapshot_get_end(snap) - ta_snapshot_get_start(snap)));
  printf("first snapshot seconds: %.3f\n", first);
  printf("index seconds: %.3f\n", total);
  printf("MB/s: %.1f\n", total > 0 ? (double)bytes / 1e6 / total : 0.0);
  printf("model memory: %zu bytes\n", ta_snapshot_get_memory_size(snap));
  printf("peak rss: %llu KiB\n", (unsigned long long)peak_rss_kib());
  const GError *e = ta_snapshot_get_error(snap);
  if (e) {
    print_model_error(a.path, e);
    return 1;
  }
  return 0;
}

int
ta_cli_model_dispatch(int argc, char **argv)
{
  if (argc < 2)
    return -1;
  if (!strcmp(argv[1], "spans"))
    return cmd_spans(argc - 2, argv + 2);
  if (!strcmp(argv[1], "summary"))
    return cmd_summary(argc - 2, argv + 2);
  if (!strcmp(argv[1], "index"))
    return cmd_index(argc - 2, argv + 2);
  return -1;
}
