/* test-model.c: the trace model against brute force, itself, and Go.
 *
 * For every fixture:
 *   exactness   every bucket of every level of every track equals the
 *               aggregation of the track's exact spans, done by brute force;
 *   on-demand   with spans never resident and a window cache of one byte,
 *               windows decoded from the file on demand (generations decoded
 *               in parallel) equal the spans kept resident by a sequential
 *               build, and both builds have equal summaries and tables;
 *   go          each goroutine's time per state equals what Go 1.26's
 *               `go tool trace` goroutine analysis pages report (scraped live
 *               when `go` is present, else the committed expectations);
 *   truncated   cut and truncated traces index up to the last good generation
 *               and keep the error.
 * Plus the index cache (valid, stale, damaged) and the GObject side
 * (progressive snapshots on the main context, async window requests).
 */
#include "model.h"
#include "model-store.h"   /* ta_document_get_n_redecoded, mc_table */
#include "model-index.h"   /* ta_index_run: every published snapshot */

#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

static const char *fixtures_dir;
static const char *expect_dir;

static GPtrArray *
list_fixtures(void)
{
  GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GDir) d = g_dir_open(fixtures_dir, 0, NULL);
  if (!d)
    return out;
  const char *fmt;
  GPtrArray *fmts = g_ptr_array_new_with_free_func(g_free);
  while ((fmt = g_dir_read_name(d)))
    if (g_ascii_isdigit(fmt[0]))
      g_ptr_array_add(fmts, g_strdup(fmt));
  g_ptr_array_sort(fmts, (GCompareFunc)g_strcmp0);
  for (guint i = 0; i < fmts->len; i++) {
    g_autofree char *sub = g_build_filename(fixtures_dir, fmts->pdata[i], NULL);
    g_autoptr(GDir) d2 = g_dir_open(sub, 0, NULL);
    if (!d2)
      continue;
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    const char *n;
    while ((n = g_dir_read_name(d2)))
      if (g_str_has_suffix(n, ".trace") || g_str_has_suffix(n, ".trace.zst"))
        g_ptr_array_add(names, g_strdup(n));
    g_ptr_array_sort(names, (GCompareFunc)g_strcmp0);
    for (guint j = 0; j < names->len; j++)
      g_ptr_array_add(out, g_build_filename(sub, names->pdata[j], NULL));
    g_ptr_array_free(names, TRUE);
  }
  g_ptr_array_free(fmts, TRUE);
  return out;
}

static TaDocument *
open_doc(const char *path, gboolean resident, guint threads, guint64 budget, const char *cache)
{
  TaModelOptions o;
  ta_model_options_init(&o);
  o.resident_limit = resident ? G_MAXUINT64 : 0;
  o.n_index_threads = threads;
  o.n_window_threads = 2;
  o.window_cache_budget = budget;
  o.use_cache = cache != NULL;
  o.cache_dir = cache;
  return ta_document_new(path, &o);
}

static char *key_str(const TaTrackKey *k);

static GArray *
state_tracks(TaSnapshot *snap)
{
  GArray *keys = g_array_new(FALSE, FALSE, sizeof(TaTrackKey));
  guint64 n = ta_snapshot_get_n_tracks(snap);
  for (guint64 i = 0; i < n; i++) {
    TaTrackInfo info;
    g_assert_true(ta_snapshot_get_track(snap, i, &info));
    guint64 back = G_MAXUINT64;
    if (!ta_snapshot_find_track(snap, &info.key, &back) || back != i) {
      g_autofree char *ks = key_str(&info.key);
      g_error("track %" G_GUINT64_FORMAT " (%s) found at %" G_GUINT64_FORMAT, i, ks, back);
    }
    if (!info.is_metric)
      g_array_append_val(keys, info.key);
  }
  return keys;
}

static TaWindow *
whole_window(TaDocument *doc, TaSnapshot *snap, const TaTrackKey *keys, guint n)
{
  g_autoptr(GError) error = NULL;
  TaWindow *w = ta_document_request_spans(doc, snap, keys, n, ta_snapshot_get_start(snap),
                                          ta_snapshot_get_end(snap) + 1, NULL, &error);
  g_assert_no_error(error);
  g_assert_nonnull(w);
  return w;
}

static char *
key_str(const TaTrackKey *k)
{
  return g_strdup_printf("kind=%d id=%" G_GINT64_FORMAT " sub=%u", k->kind, k->id, k->sub);
}

/* ---- exactness ---- */

typedef struct {
  gint64 b;
  TaBucket bk;
} exp_bucket;

static void
brute_force(TaSnapshot *snap, const TaSpan *spans, gsize n, guint level, GHashTable *out)
{
  gint64 origin = ta_snapshot_get_origin(snap);
  gint64 w = ta_snapshot_get_bucket_width(snap, level);
  for (gsize i = 0; i < n; i++) {
    const TaSpan *s = &spans[i];
    gint64 b0 = (s->start - origin) / w;
    gint64 b1 = s->end > s->start ? (s->end - 1 - origin) / w : b0;
    for (gint64 b = b0; b <= b1; b++) {
      exp_bucket *found = g_hash_table_lookup(out, &b);
      TaBucket *bk = found ? &found->bk : NULL;
      if (!bk) {
        exp_bucket *e = g_new0(exp_bucket, 1);
        e->b = b;
        e->bk.start = origin + b * w;
        e->bk.end = e->bk.start + w;
        g_hash_table_insert(out, &e->b, e);
        bk = &e->bk;
      }
      gint64 cs = MAX(s->start, origin + b * w), ce = MIN(s->end, origin + (b + 1) * w);
      if (ce > cs)
        bk->time[s->state] += ce - cs;
      if (b == b0)
        bk->n_spans++;
    }
  }
}

static void
check_track_buckets(TaSnapshot *snap, const TaTrackKey *key, const TaSpan *spans, gsize n)
{
  guint levels = ta_snapshot_get_n_levels(snap);
  gint64 origin = ta_snapshot_get_origin(snap);
  for (guint level = 0; level < levels; level++) {
    GHashTable *exp = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, g_free);
    brute_force(snap, spans, n, level, exp);
    gint64 w = ta_snapshot_get_bucket_width(snap, level);
    guint cap = g_hash_table_size(exp) + 16;
    TaBucket *got = g_new(TaBucket, cap);
    guint ng = ta_snapshot_get_buckets(snap, key, level, 0, got, cap);
    guint nonempty_exp = 0;
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, exp);
    while (g_hash_table_iter_next(&it, &k, &v))
      nonempty_exp++;
    if (ng != nonempty_exp) {
      g_autofree char *ks = key_str(key);
      g_error("%s level %u: %u buckets, brute force %u", ks, level, ng, nonempty_exp);
    }
    for (guint i = 0; i < ng; i++) {
      gint64 b = (got[i].start - origin) / w;
      exp_bucket *e = g_hash_table_lookup(exp, &b);
      if (!e) {
        g_autofree char *ks = key_str(key);
        g_error("%s level %u: unexpected bucket %" G_GINT64_FORMAT, ks, level, b);
      }
      for (guint s = 0; s < TA_N_STATES; s++)
        if (got[i].time[s] != e->bk.time[s]) {
          g_autofree char *ks = key_str(key);
          g_error("%s level %u bucket %" G_GINT64_FORMAT " state %s: %" G_GINT64_FORMAT
                  " ns, brute force %" G_GINT64_FORMAT,
                  ks, level, b, ta_state_name(s), got[i].time[s], e->bk.time[s]);
        }
      if (got[i].n_spans != e->bk.n_spans) {
        g_autofree char *ks = key_str(key);
        g_error("%s level %u bucket %" G_GINT64_FORMAT ": %" G_GUINT64_FORMAT
                " spans, brute force %" G_GUINT64_FORMAT,
                ks, level, b, got[i].n_spans, e->bk.n_spans);
      }
    }
    g_free(got);
    g_hash_table_destroy(exp);
  }
}

static void
check_spans_sane(const TaTrackKey *key, const TaSpan *s, gsize n)
{
  for (gsize i = 0; i < n; i++) {
    g_assert_cmpint(s[i].end, >=, s[i].start);
    g_assert_cmpint(s[i].state, >, TA_STATE_NONE);
    g_assert_cmpint(s[i].state, <, TA_N_STATES);
    if (i && key->kind != TA_TRACK_SWEEP && s[i].start < s[i - 1].end) {
      g_autofree char *ks = key_str(key);
      g_error("%s: spans overlap at %" G_GINT64_FORMAT, ks, s[i].start);
    }
  }
}

/* How many events Go's reader (our parser) returns for the whole file. */
static guint64
parser_event_count(const char *path)
{
  ta_error err;
  ta_parser *p = ta_parser_open_path(path, &err);
  g_assert_nonnull(p);
  ta_event evs[64];
  guint64 n = 0;
  int r;
  while ((r = ta_parser_next_many(p, evs, 64)) > 0)
    n += (guint64)r;
  g_assert_cmpint(r, ==, 0);
  ta_parser_free(p);
  return n;
}

static void
test_exactness(gconstpointer data)
{
  const char *path = data;
  g_autoptr(TaDocument) doc = open_doc(path, TRUE, 1, 64 << 20, NULL);
  g_autoptr(TaSnapshot) snap = ta_document_wait(doc);
  g_assert_nonnull(snap);
  g_assert_true(ta_snapshot_is_complete(snap));
  /* The event count the viewer shows is the one Go's reader gives. */
  g_assert_cmpuint(ta_snapshot_get_n_events(snap), ==, parser_event_count(path));
  if (ta_snapshot_get_n_generations(snap) == 0)
    return;
  g_autoptr(GArray) keys = state_tracks(snap);
  g_autoptr(TaWindow) w = whole_window(doc, snap, (TaTrackKey *)keys->data, keys->len);
  guint64 total_spans = 0;
  for (guint i = 0; i < keys->len; i++) {
    const TaTrackKey *key = &g_array_index(keys, TaTrackKey, i);
    gsize n;
    const TaSpan *spans = ta_window_get_spans(w, i, &n);
    check_spans_sane(key, spans, n);
    check_track_buckets(snap, key, spans, n);
    total_spans += n;
    /* The canvas query agrees with the buckets: totals over columns. */
    TaBucket tot;
    g_assert_true(ta_snapshot_get_track_totals(snap, key, &tot));
    TaColumn cols[97];
    gint64 t0 = ta_snapshot_get_start(snap), t1 = ta_snapshot_get_end(snap) + 1;
    g_assert_true(ta_snapshot_query_track(snap, key, ta_snapshot_get_origin(snap), t1, 97, cols));
    gint64 sum[TA_N_STATES] = { 0 };
    guint64 nsp = 0;
    for (guint c = 0; c < 97; c++) {
      for (guint s = 0; s < TA_N_STATES; s++)
        sum[s] += cols[c].time[s];
      nsp += cols[c].n_spans;
    }
    gint64 brute[TA_N_STATES] = { 0 };
    for (gsize j = 0; j < n; j++)
      brute[spans[j].state] += spans[j].end - spans[j].start;
    for (guint s = 0; s < TA_N_STATES; s++) {
      g_assert_cmpint(sum[s], ==, tot.time[s]);
      g_assert_cmpint(brute[s], ==, tot.time[s]);
    }
    g_assert_cmpuint(nsp, ==, n);
    g_assert_cmpuint(tot.n_spans, ==, n);
    (void)t0;
  }
  g_test_message("%s: %u tracks, %" G_GUINT64_FORMAT " spans, %u levels", path, keys->len,
                 total_spans, ta_snapshot_get_n_levels(snap));
}

/* ---- on demand ---- */

static gboolean
span_equal(const TaSpan *a, const TaSpan *b)
{
  return a->start == b->start && a->end == b->end && a->state == b->state &&
         a->flags == b->flags && a->depth == b->depth && a->reason == b->reason &&
         a->stack == b->stack && a->end_stack == b->end_stack && a->g == b->g && a->p == b->p &&
         a->task == b->task;
}

static void
compare_windows(TaWindow *a, TaWindow *b, TaSnapshot *sa, TaSnapshot *sb, const char *what)
{
  g_assert_cmpuint(ta_window_get_n_tracks(a), ==, ta_window_get_n_tracks(b));
  for (guint i = 0; i < ta_window_get_n_tracks(a); i++) {
    gsize na, nb;
    const TaSpan *x = ta_window_get_spans(a, i, &na);
    const TaSpan *y = ta_window_get_spans(b, i, &nb);
    const TaTrackKey *key = ta_window_get_track(a, i);
    if (na != nb) {
      g_autofree char *ks = key_str(key);
      g_error("%s %s: %zu spans resident, %zu on demand", what, ks, na, nb);
    }
    for (gsize j = 0; j < na; j++) {
      /* string and stack ids differ between two documents: compare text */
      TaSpan yy = y[j];
      if (sa != sb) {
        g_assert_cmpstr(ta_snapshot_get_string(sa, x[j].reason), ==,
                        ta_snapshot_get_string(sb, y[j].reason));
        g_autofree char *ta = ta_snapshot_dup_stack_top(sa, x[j].stack);
        g_autofree char *tb = ta_snapshot_dup_stack_top(sb, y[j].stack);
        g_assert_cmpstr(ta, ==, tb);
        yy.reason = x[j].reason;
        yy.stack = x[j].stack;
        yy.end_stack = x[j].end_stack;
      }
      if (!span_equal(&x[j], &yy)) {
        g_autofree char *ks = key_str(key);
        g_error("%s %s span %zu: [%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ") %s flags %u g %"
                G_GINT64_FORMAT " vs [%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ") %s flags %u g %"
                G_GINT64_FORMAT,
                what, ks, j, x[j].start, x[j].end, ta_state_name(x[j].state), x[j].flags, x[j].g,
                y[j].start, y[j].end, ta_state_name(y[j].state), y[j].flags, y[j].g);
      }
    }
  }
}

static void
compare_summaries(TaSnapshot *a, TaSnapshot *b, const TaTrackKey *key)
{
  g_assert_cmpuint(ta_snapshot_get_n_levels(a), ==, ta_snapshot_get_n_levels(b));
  for (guint level = 0; level < ta_snapshot_get_n_levels(a); level++) {
    TaBucket x[256], y[256];
    gint64 first = 0;
    for (;;) {
      guint nx = ta_snapshot_get_buckets(a, key, level, first, x, 256);
      guint ny = ta_snapshot_get_buckets(b, key, level, first, y, 256);
      for (guint i = 0; i < MIN(nx, ny); i++) {
        if (x[i].start != y[i].start || x[i].n_spans != y[i].n_spans ||
            memcmp(x[i].time, y[i].time, sizeof x[i].time) != 0) {
          g_autofree char *ks = key_str(key);
          GString *d = g_string_new(NULL);
          for (guint s = 0; s < TA_N_STATES; s++)
            if (x[i].time[s] || y[i].time[s])
              g_string_append_printf(d, " %s=%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT,
                                     ta_state_name(s), x[i].time[s], y[i].time[s]);
          g_error("%s level %u: bucket at %" G_GINT64_FORMAT "/%" G_GINT64_FORMAT
                  " spans %" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT "%s",
                  ks, level, x[i].start, y[i].start, x[i].n_spans, y[i].n_spans, d->str);
        }
      }
      if (nx != ny) {
        g_autofree char *ks = key_str(key);
        g_error("%s level %u: %u buckets vs %u", ks, level, nx, ny);
      }
      if (!nx)
        break;
      gint64 w = ta_snapshot_get_bucket_width(a, level);
      first = (x[nx - 1].start - ta_snapshot_get_origin(a)) / w + 1;
    }
  }
}

static void
compare_tables(TaSnapshot *a, TaSnapshot *b)
{
  g_assert_cmpuint(ta_snapshot_get_n_goroutines(a), ==, ta_snapshot_get_n_goroutines(b));
  for (guint64 i = 0; i < ta_snapshot_get_n_goroutines(a); i++) {
    TaGoroutine x, y;
    g_assert_true(ta_snapshot_get_goroutine(a, i, &x));
    g_assert_true(ta_snapshot_get_goroutine(b, i, &y));
    g_assert_cmpint(x.id, ==, y.id);
    g_assert_cmpint(x.parent, ==, y.parent);
    g_assert_cmpint(x.creation_time, ==, y.creation_time);
    g_assert_cmpint(x.end_time, ==, y.end_time);
    g_assert_cmpuint(x.flags, ==, y.flags);
    g_assert_cmpstr(ta_snapshot_get_string(a, x.start_func), ==,
                    ta_snapshot_get_string(b, y.start_func));
    TaGoroutine z;
    guint64 row;
    g_assert_true(ta_snapshot_find_goroutine(a, x.id, &z, &row));
    g_assert_cmpuint(row, ==, i);
  }
  g_assert_cmpuint(ta_snapshot_get_n_regions(a), ==, ta_snapshot_get_n_regions(b));
  for (guint64 i = 0; i < ta_snapshot_get_n_regions(a); i++) {
    TaRegion x, y;
    ta_snapshot_get_region(a, i, &x);
    ta_snapshot_get_region(b, i, &y);
    g_assert_cmpint(x.g, ==, y.g);
    g_assert_cmpint(x.begin, ==, y.begin);
    g_assert_cmpint(x.end, ==, y.end);
    g_assert_cmpuint(x.depth, ==, y.depth);
  }
  g_assert_cmpuint(ta_snapshot_get_n_tasks(a), ==, ta_snapshot_get_n_tasks(b));
  for (guint64 i = 0; i < ta_snapshot_get_n_tasks(a); i++) {
    TaTask x, y;
    ta_snapshot_get_task(a, i, &x);
    ta_snapshot_get_task(b, i, &y);
    g_assert_cmpuint(x.id, ==, y.id);
    g_assert_cmpint(x.begin, ==, y.begin);
    g_assert_cmpint(x.end, ==, y.end);
    g_assert_cmpuint(x.lane, ==, y.lane);
    g_assert_cmpuint(x.n_goroutines, ==, y.n_goroutines);
  }
  g_assert_cmpuint(ta_snapshot_get_n_logs(a), ==, ta_snapshot_get_n_logs(b));
  g_assert_cmpuint(ta_snapshot_get_n_gc_cycles(a), ==, ta_snapshot_get_n_gc_cycles(b));
  g_assert_cmpuint(ta_snapshot_get_n_stws(a), ==, ta_snapshot_get_n_stws(b));
  g_assert_cmpuint(ta_snapshot_get_n_cpu_samples(a), ==, ta_snapshot_get_n_cpu_samples(b));
  for (guint m = 0; m < TA_N_METRICS; m++) {
    TaMetricColumn x[64], y[64];
    gint64 t0 = ta_snapshot_get_start(a), t1 = ta_snapshot_get_end(a) + 1;
    ta_snapshot_query_metric(a, m, t0, t1, 64, x);
    ta_snapshot_query_metric(b, m, t0, t1, 64, y);
    for (guint c = 0; c < 64; c++)
      if (x[c].valid != y[c].valid || x[c].min != y[c].min || x[c].max != y[c].max ||
          x[c].last != y[c].last)
        g_error("metric %s column %u: %d %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %" G_GINT64_FORMAT
                " vs %d %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %" G_GINT64_FORMAT,
                ta_metric_name(m), c, x[c].valid, x[c].min, x[c].max, x[c].last, y[c].valid,
                y[c].min, y[c].max, y[c].last);
  }
}

static void
test_ondemand(gconstpointer data)
{
  const char *path = data;
  g_autoptr(TaDocument) ra = open_doc(path, TRUE, 1, 64 << 20, NULL);
  g_autoptr(TaDocument) od = open_doc(path, FALSE, 2, 1, NULL);
  g_autoptr(TaSnapshot) sa = ta_document_wait(ra);
  g_autoptr(TaSnapshot) sb = ta_document_wait(od);
  g_assert_cmpuint(ta_snapshot_get_n_generations(sa), ==, ta_snapshot_get_n_generations(sb));
  g_assert_cmpint(ta_snapshot_get_start(sa), ==, ta_snapshot_get_start(sb));
  g_assert_cmpint(ta_snapshot_get_end(sa), ==, ta_snapshot_get_end(sb));
  g_assert_cmpuint(ta_snapshot_get_n_events(sa), ==, ta_snapshot_get_n_events(sb));
  g_assert_cmpint(ta_snapshot_get_error(sa) != NULL, ==, ta_snapshot_get_error(sb) != NULL);
  if (ta_snapshot_get_n_generations(sa) == 0)
    return;
  compare_tables(sa, sb);
  g_autoptr(GArray) keys = state_tracks(sa);
  g_autoptr(GArray) keys_b = state_tracks(sb);
  g_assert_cmpuint(keys->len, ==, keys_b->len);
  for (guint i = 0; i < keys->len; i++) {
    g_assert_true(ta_track_key_equal(&g_array_index(keys, TaTrackKey, i),
                                     &g_array_index(keys_b, TaTrackKey, i)));
    compare_summaries(sa, sb, &g_array_index(keys, TaTrackKey, i));
  }
  g_autoptr(TaWindow) wa = whole_window(ra, sa, (TaTrackKey *)keys->data, keys->len);
  g_autoptr(TaWindow) wb = whole_window(od, sb, (TaTrackKey *)keys->data, keys->len);
  compare_windows(wa, wb, sa, sb, "whole");
  guint64 hits, misses, ev;
  ta_document_get_window_cache_stats(od, &hits, &misses, &ev);
  g_assert_cmpuint(misses, >, 0);
  /* Sub-windows at random places, resident against decoded. */
  GRand *rnd = g_rand_new_with_seed(42);
  gint64 t0 = ta_snapshot_get_start(sa), t1 = ta_snapshot_get_end(sa) + 1;
  for (guint r = 0; r < 6; r++) {
    gint64 a = t0 + (gint64)(g_rand_double(rnd) * (double)(t1 - t0));
    gint64 len = (gint64)(g_rand_double(rnd) * (double)(t1 - t0) / 4) + 1;
    g_autoptr(GError) e1 = NULL, e2 = NULL;
    g_autoptr(TaWindow) x = ta_document_request_spans(ra, sa, (TaTrackKey *)keys->data, keys->len,
                                                      a, a + len, NULL, &e1);
    g_autoptr(TaWindow) y = ta_document_request_spans(od, sb, (TaTrackKey *)keys->data, keys->len,
                                                      a, a + len, NULL, &e2);
    g_assert_no_error(e1);
    g_assert_no_error(e2);
    compare_windows(x, y, sa, sb, "sub-window");
    /* A window holds exactly the spans of the whole that overlap it. */
    for (guint i = 0; i < keys->len; i++) {
      gsize nw, nx;
      const TaSpan *whole = ta_window_get_spans(wa, i, &nw);
      const TaSpan *part = ta_window_get_spans(x, i, &nx);
      gsize k = 0;
      for (gsize j = 0; j < nw; j++) {
        gboolean in = whole[j].end > a && whole[j].start < a + len;
        if (whole[j].end == whole[j].start)
          in = whole[j].start >= a && whole[j].start < a + len;
        if (!in)
          continue;
        g_assert_cmpuint(k, <, nx);
        g_assert_true(span_equal(&whole[j], &part[k]));
        k++;
      }
      g_assert_cmpuint(k, ==, nx);
    }
  }
  g_rand_free(rnd);
  g_assert_cmpuint(ta_document_get_window_cache_size(od), <=, 1 << 12);
}

/* ---- Go's goroutine analysis ---- */

static char *
go_binary(void)
{
  char *go = g_find_program_in_path("go");
  if (!go && g_file_test("/usr/local/go/bin/go", G_FILE_TEST_IS_EXECUTABLE))
    go = g_strdup("/usr/local/go/bin/go");
  return go;
}

static char *
expectation_name(const char *path)
{
  g_autofree char *dir = g_path_get_dirname(path);
  g_autofree char *fmt = g_path_get_basename(dir);
  g_autofree char *base = g_path_get_basename(path);
  char *dot = strstr(base, ".trace");
  if (dot)
    *dot = 0;
  return g_strdup_printf("%s-%s.txt", fmt, base);
}

static char *
go_expectations(const char *path, gboolean *live)
{
  g_autofree char *go = g_getenv("TA_MODEL_NO_GO") ? NULL : go_binary();
  *live = FALSE;
  if (go) {
    g_autofree char *script = g_build_filename(expect_dir, "..", "go_goroutines.py", NULL);
    const char *argv[] = { "python3", script, path, NULL };
    char *out = NULL;
    int status = 0;
    if (g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                     NULL, NULL, &out, NULL, &status, NULL) &&
        g_spawn_check_wait_status(status, NULL)) {
      *live = TRUE;
      return out;
    }
    g_free(out);
  }
  g_autofree char *name = expectation_name(path);
  g_autofree char *file = g_build_filename(expect_dir, name, NULL);
  char *text = NULL;
  if (!g_file_get_contents(file, &text, NULL, NULL))
    return NULL;
  return text;
}

static void
add_stat(GTree *t, const char *k, gint64 v)
{
  if (!v)
    return;
  gint64 *p = g_tree_lookup(t, k);
  if (!p) {
    p = g_new0(gint64, 1);
    g_tree_insert(t, g_strdup(k), p);
  }
  *p += v;
}

static gboolean
append_kv(gpointer k, gpointer v, gpointer ud)
{
  if (*(gint64 *)v)
    g_string_append_printf(ud, " %s=%" G_GINT64_FORMAT, (char *)k, *(gint64 *)v);
  return FALSE;
}

static gint
cmp_keys(gconstpointer a, gconstpointer b, gpointer ud)
{
  return strcmp(a, b);
}

static gboolean
sum_values(gpointer k, gpointer v, gpointer ud)
{
  if (strcmp(k, "total") != 0)
    *(gint64 *)ud += *(gint64 *)v;
  return FALSE;
}

/* One goroutine's accounting, the way Go's summariser does it. */
static char *
model_goroutine_line(TaSnapshot *snap, const TaGoroutine *g, const TaSpan *spans, gsize n)
{
  gint64 end = g->end_time != TA_TIME_NONE ? g->end_time : ta_snapshot_get_end(snap);
  GTree *t = g_tree_new_full(cmp_keys, NULL, g_free, g_free);
  gint64 total = end - g->creation_time;
  gint64 counted = 0;
  for (gsize i = 0; i < n; i++) {
    const TaSpan *s = &spans[i];
    if (s->start >= end)
      break;
    gint64 d = MIN(s->end, end) - s->start;
    if (d <= 0)
      continue;
    gboolean open_at_end = (s->flags & TA_SPAN_OPEN) && g->end_time == TA_TIME_NONE;
    switch (s->state) {
    case TA_STATE_RUNNING:
    case TA_STATE_GC_ASSIST:
      add_stat(t, "exec", d);
      break;
    case TA_STATE_RUNNABLE:
      add_stat(t, "sched", d);
      break;
    case TA_STATE_SYSCALL:
      add_stat(t, "syscall", d);
      break;
    case TA_STATE_SYSCALL_BLOCKED:
      if (open_at_end) {
        /* Go closes a syscall still blocked at the end of the trace as
         * syscall time from its start, plus sched wait from the block. */
        add_stat(t, "syscall", d);
        add_stat(t, "sched", d);
      } else {
        add_stat(t, "syscall_block", d);
      }
      break;
    default: {
      g_autofree char *k = g_strdup_printf("block[%s]", ta_snapshot_get_string(snap, s->reason));
      add_stat(t, k, d);
      break;
    }
    }
  }
  g_tree_foreach(t, sum_values, &counted);
  if (counted < total)
    add_stat(t, "unknown", total - counted);
  add_stat(t, "total", total);
  GString *line = g_string_new(NULL);
  g_string_append_printf(line, "g%" G_GINT64_FORMAT, g->id);
  g_tree_foreach(t, append_kv, line);
  g_tree_destroy(t);
  return g_string_free(line, FALSE);
}

static void
test_go(gconstpointer data)
{
  const char *path = data;
  gboolean live;
  g_autofree char *expected = go_expectations(path, &live);
  if (!expected) {
    g_test_skip("no go and no committed expectations");
    return;
  }
  g_autoptr(TaDocument) doc = open_doc(path, TRUE, 1, 64 << 20, NULL);
  g_autoptr(TaSnapshot) snap = ta_document_wait(doc);
  guint64 ng = ta_snapshot_get_n_goroutines(snap);
  GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
  GArray *keys = g_array_new(FALSE, FALSE, sizeof(TaTrackKey));
  for (guint64 i = 0; i < ng; i++) {
    TaGoroutine g;
    ta_snapshot_get_goroutine(snap, i, &g);
    TaTrackKey k = { TA_TRACK_GOROUTINE, 0, g.id };
    g_array_append_val(keys, k);
  }
  if (ng) {
    g_autoptr(TaWindow) w = whole_window(doc, snap, (TaTrackKey *)keys->data, keys->len);
    for (guint64 i = 0; i < ng; i++) {
      TaGoroutine g;
      ta_snapshot_get_goroutine(snap, i, &g);
      gsize n;
      const TaSpan *sp = ta_window_get_spans(w, (guint)i, &n);
      g_ptr_array_add(lines, model_goroutine_line(snap, &g, sp, n));
    }
  }
  g_array_free(keys, TRUE);
  GHashTable *ours = g_hash_table_new(g_str_hash, g_str_equal);
  for (guint i = 0; i < lines->len; i++) {
    char *l = lines->pdata[i];
    char *sp = strchr(l, ' ');
    g_autofree char *id = sp ? g_strndup(l, (gsize)(sp - l)) : g_strdup(l);
    g_hash_table_insert(ours, g_strdup(id), l);
  }
  g_auto(GStrv) exp_lines = g_strsplit(expected, "\n", -1);
  guint n_exp = 0, mismatches = 0;
  for (guint i = 0; exp_lines[i]; i++) {
    const char *l = exp_lines[i];
    if (!*l)
      continue;
    n_exp++;
    const char *sp = strchr(l, ' ');
    g_autofree char *id = sp ? g_strndup(l, (gsize)(sp - l)) : g_strdup(l);
    const char *mine = g_hash_table_lookup(ours, id);
    if (!mine || strcmp(mine, l) != 0) {
      if (mismatches++ < 5)
        g_printerr("%s:\n  go:    %s\n  model: %s\n", path, l, mine ? mine : "(missing)");
    }
  }
  g_test_message("%s: %u goroutines, Go %s", path, n_exp, live ? "live" : "committed");
  g_assert_cmpuint(mismatches, ==, 0);
  g_assert_cmpuint(n_exp, ==, lines->len);
  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init(&it, ours);
  while (g_hash_table_iter_next(&it, &k, &v))
    g_free(k);
  g_hash_table_destroy(ours);
  g_ptr_array_free(lines, TRUE);
}

/* ---- truncated and corrupt ---- */

static void
test_truncated(gconstpointer data)
{
  const char *path = data;
  g_autoptr(TaDocument) doc = open_doc(path, FALSE, 2, 1 << 20, NULL);
  g_autoptr(TaSnapshot) snap = ta_document_wait(doc);
  g_assert_nonnull(snap);
  g_assert_true(ta_snapshot_is_complete(snap));
  const GError *e = ta_snapshot_get_error(snap);
  g_assert_nonnull(e);
  g_assert_true(g_error_matches(e, TA_MODEL_ERROR, TA_MODEL_ERROR_DECODE));
  g_test_message("%s: %" G_GUINT64_FORMAT " good generations, error: %s", path,
                 ta_snapshot_get_n_generations(snap), e->message);
  if (strstr(path, "generations-"))
    g_assert_cmpuint(ta_snapshot_get_n_generations(snap), >, 0);
  /* What was indexed is usable: summaries and windows up to the error. */
  if (ta_snapshot_get_n_generations(snap)) {
    g_autoptr(GArray) keys = state_tracks(snap);
    g_autoptr(TaWindow) w = whole_window(doc, snap, (TaTrackKey *)keys->data, keys->len);
    for (guint i = 0; i < keys->len; i++) {
      gsize n;
      const TaSpan *sp = ta_window_get_spans(w, i, &n);
      check_spans_sane(&g_array_index(keys, TaTrackKey, i), sp, n);
      check_track_buckets(snap, &g_array_index(keys, TaTrackKey, i), sp, n);
    }
  }
}

/* ---- the index cache ---- */

static void
test_cache(void)
{
  g_autofree char *path = g_build_filename(fixtures_dir, "26", "annotations.trace", NULL);
  g_autofree char *dir = g_dir_make_tmp("ta-model-cache-XXXXXX", NULL);
  g_assert_nonnull(dir);
  g_autoptr(TaDocument) a = open_doc(path, FALSE, 2, 1 << 20, dir);
  g_autoptr(TaSnapshot) sa = ta_document_wait(a);
  g_assert_false(ta_document_get_from_cache(a));
  /* one cache file appeared */
  g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
  const char *name = g_dir_read_name(d);
  g_assert_nonnull(name);
  g_autofree char *cache_file = g_build_filename(dir, name, NULL);

  g_autoptr(TaDocument) b = open_doc(path, FALSE, 2, 1 << 20, dir);
  g_autoptr(TaSnapshot) sb = ta_document_wait(b);
  g_assert_true(ta_document_get_from_cache(b));
  g_assert_true(ta_snapshot_is_complete(sb));
  compare_tables(sa, sb);
  g_autoptr(GArray) keys = state_tracks(sa);
  for (guint i = 0; i < keys->len; i++)
    compare_summaries(sa, sb, &g_array_index(keys, TaTrackKey, i));
  g_autoptr(TaWindow) wa = whole_window(a, sa, (TaTrackKey *)keys->data, keys->len);
  g_autoptr(TaWindow) wb = whole_window(b, sb, (TaTrackKey *)keys->data, keys->len);
  compare_windows(wa, wb, sa, sb, "cached");

  /* Damaged: a flipped byte in the middle is caught and the trace re-indexed. */
  gchar *bytes;
  gsize len;
  g_assert_true(g_file_get_contents(cache_file, &bytes, &len, NULL));
  bytes[len / 2] ^= 0x5a;
  g_assert_true(g_file_set_contents(cache_file, bytes, (gssize)len, NULL));
  g_free(bytes);
  g_autoptr(TaDocument) c = open_doc(path, FALSE, 2, 1 << 20, dir);
  g_autoptr(TaSnapshot) sc = ta_document_wait(c);
  g_assert_false(ta_document_get_from_cache(c));
  compare_tables(sa, sc);
  /* ... and the rebuild wrote a good one again. */
  g_autoptr(TaDocument) e = open_doc(path, FALSE, 2, 1 << 20, dir);
  g_autoptr(TaSnapshot) se = ta_document_wait(e);
  g_assert_true(ta_document_get_from_cache(e));

  /* Truncated cache file. */
  g_assert_true(g_file_get_contents(cache_file, &bytes, &len, NULL));
  g_assert_true(g_file_set_contents(cache_file, bytes, (gssize)(len / 3), NULL));
  g_free(bytes);
  g_autoptr(TaDocument) f = open_doc(path, FALSE, 2, 1 << 20, dir);
  g_autoptr(TaSnapshot) sf = ta_document_wait(f);
  g_assert_false(ta_document_get_from_cache(f));

  /* Stale: the trace changed (a copy with another mtime and size). */
  g_autofree char *copy = g_build_filename(dir, "copy.trace", NULL);
  g_assert_true(g_file_get_contents(path, &bytes, &len, NULL));
  g_assert_true(g_file_set_contents(copy, bytes, (gssize)len, NULL));
  g_autoptr(TaDocument) h = open_doc(copy, FALSE, 2, 1 << 20, dir);
  g_autoptr(TaSnapshot) sh = ta_document_wait(h);
  g_assert_false(ta_document_get_from_cache(h));
  g_assert_true(g_file_set_contents(copy, bytes, (gssize)len - 1, NULL));
  g_free(bytes);
  g_autoptr(TaDocument) h2 = open_doc(copy, FALSE, 2, 1 << 20, dir);
  g_autoptr(TaSnapshot) sh2 = ta_document_wait(h2);
  g_assert_false(ta_document_get_from_cache(h2));

  /* clean up */
  g_autoptr(GDir) d2 = g_dir_open(dir, 0, NULL);
  const char *n2;
  while ((n2 = g_dir_read_name(d2))) {
    g_autofree char *p = g_build_filename(dir, n2, NULL);
    g_unlink(p);
  }
  g_rmdir(dir);
}

/* ---- the main-thread side ---- */

typedef struct {
  GMainLoop *loop;
  guint published, progress, finished;
  TaWindow *window;
  GError *error;
  gboolean done_async;
} loop_state;

static void
on_published(TaDocument *doc, TaSnapshot *snap, loop_state *st)
{
  st->published++;
  g_assert_nonnull(snap);
}

static void
on_progress(TaDocument *doc, loop_state *st)
{
  st->progress++;
}

static void
on_finished(TaDocument *doc, loop_state *st)
{
  st->finished++;
  g_main_loop_quit(st->loop);
}

static void
on_spans(GObject *src, GAsyncResult *res, gpointer ud)
{
  loop_state *st = ud;
  st->window = ta_document_request_spans_finish(TA_DOCUMENT(src), res, &st->error);
  st->done_async = TRUE;
  g_main_loop_quit(st->loop);
}

static void
test_progressive(void)
{
  g_autofree char *path = g_build_filename(fixtures_dir, "26", "flightsub.trace", NULL);
  g_autoptr(TaDocument) doc = open_doc(path, FALSE, 2, 1 << 20, NULL);
  loop_state st = { 0 };
  st.loop = g_main_loop_new(NULL, FALSE);
  g_signal_connect(doc, "snapshot-published", G_CALLBACK(on_published), &st);
  g_signal_connect(doc, "progress", G_CALLBACK(on_progress), &st);
  g_signal_connect(doc, "finished", G_CALLBACK(on_finished), &st);
  ta_document_start(doc);
  g_main_loop_run(st.loop);
  g_assert_cmpuint(st.finished, ==, 1);
  g_assert_cmpuint(st.published, >=, 1);
  g_assert_cmpuint(st.published, ==, st.progress);
  g_assert_cmpint(ta_document_get_state(doc), ==, TA_DOCUMENT_COMPLETE);
  g_assert_cmpfloat(ta_document_get_progress(doc), ==, 1.0);
  g_autoptr(TaSnapshot) snap = ta_document_dup_snapshot(doc);
  g_assert_true(ta_snapshot_is_complete(snap));

  /* async window, and a cancelled one */
  TaTrackInfo info;
  g_assert_true(ta_snapshot_get_track(snap, 6, &info));
  ta_document_request_spans_async(doc, snap, &info.key, 1, ta_snapshot_get_start(snap),
                                  ta_snapshot_get_end(snap), NULL, on_spans, &st);
  g_main_loop_run(st.loop);
  g_assert_no_error(st.error);
  g_assert_nonnull(st.window);
  gsize n;
  ta_window_get_spans(st.window, 0, &n);
  g_assert_cmpuint(n, >, 0);
  g_clear_pointer(&st.window, ta_window_unref);
  g_autoptr(GCancellable) c = g_cancellable_new();
  g_cancellable_cancel(c);
  st.done_async = FALSE;
  ta_document_request_spans_async(doc, snap, &info.key, 1, ta_snapshot_get_start(snap),
                                  ta_snapshot_get_end(snap), c, on_spans, &st);
  g_main_loop_run(st.loop);
  g_assert_error(st.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error(&st.error);
  g_main_loop_unref(st.loop);
}

static void
collect_snapshot(gpointer ud, TaSnapshot *snap, gboolean final)
{
  g_ptr_array_add(ud, snap);
}

/* Every snapshot an index run publishes, in order (no coalescing, unlike a
 * document's signal). */
static GPtrArray *
published_snapshots(const char *path)
{
  GPtrArray *snaps = g_ptr_array_new_with_free_func((GDestroyNotify)ta_snapshot_unref);
  ta_store *s = ta_store_new(path);
  ta_index_opts o = { 0 };
  o.n_threads = 2;
  o.publish = collect_snapshot;
  o.ud = snaps;
  g_assert_true(ta_index_run(s, &o));
  ta_store_unref(s);
  return snaps;
}

/* A big first generation gets a preview snapshot before its real one (here
 * forced for small fixtures): the preview holds only goroutines the trace
 * really has, and the finished index is the same as without a preview. */
static void
test_preview(void)
{
  const char *names[][2] = { { "26", "flightsub.trace" }, { "26", "sync.trace" }, { "22", "gc.trace" } };
  for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
    g_autofree char *path = g_build_filename(fixtures_dir, names[i][0], names[i][1], NULL);
    g_autoptr(GPtrArray) plain = published_snapshots(path);
    ta_index_test_preview_always = TRUE;
    g_autoptr(GPtrArray) with = published_snapshots(path);
    ta_index_test_preview_always = FALSE;

    g_assert_cmpuint(with->len, ==, plain->len + 1);
    TaSnapshot *preview = g_ptr_array_index(with, 0);
    TaSnapshot *last = g_ptr_array_index(with, with->len - 1);
    TaSnapshot *last_plain = g_ptr_array_index(plain, plain->len - 1);
    g_assert_false(ta_snapshot_is_complete(preview));
    g_assert_cmpuint(ta_snapshot_get_n_generations(preview), ==, 1);
    g_assert_cmpuint(ta_snapshot_get_n_events(preview), >, 0);
    g_assert_cmpuint(ta_snapshot_get_n_events(preview), <=, ta_snapshot_get_n_events(last));
    g_assert_cmpuint(ta_snapshot_get_n_events(last), ==, ta_snapshot_get_n_events(last_plain));
    g_assert_cmpuint(ta_snapshot_get_n_tracks(last), ==, ta_snapshot_get_n_tracks(last_plain));
    g_assert_cmpuint(ta_snapshot_get_n_goroutines(last), ==, ta_snapshot_get_n_goroutines(last_plain));

    g_autoptr(GHashTable) ids = g_hash_table_new(g_int64_hash, g_int64_equal);
    g_autoptr(GArray) all = g_array_new(FALSE, FALSE, sizeof(gint64));
    for (guint64 k = 0; k < ta_snapshot_get_n_goroutines(last); k++) {
      TaGoroutine g;
      g_assert_true(ta_snapshot_get_goroutine(last, k, &g));
      g_array_append_val(all, g.id);
    }
    for (guint k = 0; k < all->len; k++)
      g_hash_table_add(ids, &g_array_index(all, gint64, k));
    g_assert_cmpuint(ta_snapshot_get_n_goroutines(preview), >, 0);
    for (guint64 k = 0; k < ta_snapshot_get_n_goroutines(preview); k++) {
      TaGoroutine g;
      g_assert_true(ta_snapshot_get_goroutine(preview, k, &g));
      g_assert_true(g_hash_table_contains(ids, &g.id));
    }
  }
}

/* Every snapshot published while indexing is consistent with the final one
 * up to its frontier (tables only grow). */
/* Go's reader makes times strictly increasing over the trace (t = max(t,
 * last + 1)), so a generation decoded alone needs the previous one's last
 * event time (its floor). These fixtures have generations whose first event
 * is not after the previous one's last. Normally the floor reader supplies
 * every floor before the generation is decoded (nothing decoded twice);
 * with the floor made late, generations are decoded as if nothing came
 * before them and decoded again once the floor shows that the clamp moves
 * them. Either way the result must equal a sequential read. */
static void
test_clamp_fallback(void)
{
  const char *names[][2] = { { "22", "generations-trunc.trace" },
                             { "25", "generations-trunc.trace" },
                             { "23", "generations-cut.trace" } };
  for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
    g_autofree char *path = g_build_filename(fixtures_dir, names[i][0], names[i][1], NULL);
    ta_index_test_floor_late = TRUE;
    g_autoptr(TaDocument) par = open_doc(path, FALSE, 2, 1, NULL);
    g_autoptr(TaSnapshot) sp = ta_document_wait(par);
    ta_index_test_floor_late = FALSE;
    g_assert_cmpuint(ta_document_get_n_redecoded(par), >=, 1);
    g_autoptr(TaDocument) normal = open_doc(path, FALSE, 2, 1, NULL);
    g_autoptr(TaSnapshot) sn = ta_document_wait(normal);
    g_assert_cmpuint(ta_document_get_n_redecoded(normal), ==, 0);
    g_autoptr(TaDocument) seq = open_doc(path, TRUE, 1, 64 << 20, NULL);
    g_autoptr(TaSnapshot) ss = ta_document_wait(seq);
    g_assert_cmpuint(ta_document_get_n_redecoded(seq), ==, 0);
    ta_index_test_floor_late = TRUE;
    test_ondemand(path);
    ta_index_test_floor_late = FALSE;
  }
}

/* Row tables: blocks packed as frames of reference must give back every
 * value exactly, whatever its spread (constant columns, ids counting up,
 * times, "none" values, and deltas needing all 64 bits), through get, find,
 * views and a serialisation round trip. */
static void
test_coltab(void)
{
  enum { N = 64 * 7 + 13, C = 6 };
  mc_table *t = mc_table_new(C, 0);
  mc_table_set_rel(t, 4, 3, TA_TIME_NONE);
  GRand *rnd = g_rand_new_with_seed(7);
  gint64 *rows = g_new(gint64, N * C);
  gint64 time = 1000;
  for (guint r = 0; r < N; r++) {
    gint64 *v = rows + r * C;
    v[0] = 100 + r * 2 + (r % 64 == 63 ? 5 : 0);            /* key, counting up */
    v[1] = 42;                                               /* constant */
    v[2] = (r / 64) % 2 ? g_rand_int(rnd) : (gint64)r % 3;   /* small or wide */
    time += g_rand_int_range(rnd, 1, 100000);
    v[3] = time;
    v[4] = r % 5 == 0 ? TA_TIME_NONE : time + g_rand_int_range(rnd, 0, 5000);  /* rel to 3 */
    v[5] = (gint64)((guint64)g_rand_int(rnd) << 32 | g_rand_int(rnd));  /* 64-bit deltas */
    mc_table_append(t, v);
  }
  gint64 got[MC_MAX_COLS];
  for (guint r = 0; r < N; r++) {
    g_assert_true(mc_table_get(t, r, got));
    for (guint c = 0; c < C; c++)
      g_assert_cmpint(got[c], ==, rows[r * C + c]);
  }
  mu_buf b = { 0 };
  mc_table_serialize(t, &b);
  const guint8 *p = b.data;
  mc_table *u = mc_table_deserialize(&p, b.data + b.len);
  g_assert_nonnull(u);
  mc_view *v = mc_table_view(u);
  for (guint r = 0; r < N; r++) {
    guint64 row = G_MAXUINT64;
    g_assert_true(mc_view_find(v, 0, rows[r * C], &row, got));
    g_assert_cmpuint(row, ==, r);
    for (guint c = 0; c < C; c++)
      g_assert_cmpint(got[c], ==, rows[r * C + c]);
  }
  g_assert_false(mc_view_find(v, 0, 101, NULL, NULL));
  mc_view_free(v);
  mc_table_free(u);
  mc_table_free(t);
  mu_buf_free(&b);
  g_free(rows);
  g_rand_free(rnd);
}

/* A goroutine whose level-0 stream is one bucket gets its summary blob
 * straight from that stream (no pyramid built); it must be the blob the
 * pyramid gives, byte for byte, for any base (the creation bucket), and any
 * other stream must be refused. */
static void
test_single_blob(void)
{
  const guint shift = 20;
  const gint64 w = 1 << shift, origin = 5000;
  struct { gint64 s, e; guint cls; } lives[][4] = {
    { { 3 * w + origin + 10, 3 * w + origin + 900, TA_STATE_RUNNABLE },
      { 3 * w + origin + 900, 3 * w + origin + 5000, TA_STATE_RUNNING }, { 0 } },
    { { 7 * w + origin, 7 * w + origin, TA_STATE_RUNNING },            /* zero length */
      { 7 * w + origin, 8 * w + origin, TA_STATE_BLOCKED_SYNC }, { 0 } },
    { { 1000 * w + origin + 1, 1000 * w + origin + 2, TA_STATE_SYSCALL }, { 0 } },
    { { 2 * w + origin, 4 * w + origin + 7, TA_STATE_RUNNING }, { 0 } },  /* several buckets */
  };
  gint64 bases[] = { -1, 0, 2, 3, 7, 999, 1000, 1001 };
  guint fast = 0;
  for (guint i = 0; i < G_N_ELEMENTS(lives); i++) {
    ms_l0 l;
    ms_l0_init(&l);
    for (guint j = 0; lives[i][j].e; j++)
      ms_l0_add_span(&l, shift, origin, lives[i][j].s, lives[i][j].e, lives[i][j].cls);
    ms_l0_finish(&l);
    for (guint k = 0; k < G_N_ELEMENTS(bases); k++) {
      ms_track *t = ms_track_new(shift);
      ms_track_feed_l0(t, l.out.data, l.out.len);
      ms_track_finish(t);
      mu_buf slow = { 0 }, quick = { 0 };
      g_assert_true(ms_track_to_blob(t, &slow, 512, bases[k]));
      if (ms_l0_single_to_blob(l.out.data, l.out.len, bases[k], &quick)) {
        g_assert_cmpmem(quick.data, quick.len, slow.data, slow.len);
        fast++;
      } else {
        g_assert_cmpuint(i, ==, 3);
      }
      mu_buf_free(&slow);
      mu_buf_free(&quick);
      ms_track_unref(t);
    }
    ms_l0_clear(&l);
  }
  g_assert_cmpuint(fast, ==, 3 * G_N_ELEMENTS(bases));
}

static void
test_cancel(void)
{
  g_autofree char *path = g_build_filename(fixtures_dir, "26", "generations.trace.zst", NULL);
  g_autoptr(TaDocument) doc = open_doc(path, FALSE, 1, 1 << 20, NULL);
  ta_document_start(doc);
  ta_document_cancel(doc);
  g_autoptr(TaSnapshot) snap = ta_document_wait(doc);
  g_assert_nonnull(snap);
  g_assert_true(ta_snapshot_is_complete(snap));
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  ta_merge_test_check_blobs = TRUE;
  fixtures_dir = g_getenv("TA_FIXTURES");
  expect_dir = g_getenv("TA_MODEL_EXPECT");
  if (!fixtures_dir)
    fixtures_dir = "tests/fixtures";
  if (!expect_dir)
    expect_dir = "tests/model/expected";
  GPtrArray *fx = list_fixtures();
  for (guint i = 0; i < fx->len; i++) {
    const char *p = fx->pdata[i];
    g_autofree char *dir = g_path_get_dirname(p);
    g_autofree char *fmt = g_path_get_basename(dir);
    g_autofree char *base = g_path_get_basename(p);
    gboolean broken = strstr(base, "-cut") || strstr(base, "-trunc");
    g_autofree char *n1 = g_strdup_printf("/model/exact/%s/%s", fmt, base);
    g_autofree char *n2 = g_strdup_printf("/model/ondemand/%s/%s", fmt, base);
    g_autofree char *n3 = g_strdup_printf("/model/go/%s/%s", fmt, base);
    g_autofree char *n4 = g_strdup_printf("/model/truncated/%s/%s", fmt, base);
    if (broken) {
      g_test_add_data_func(n4, p, test_truncated);
      g_test_add_data_func(n2, p, test_ondemand);
    } else {
      g_test_add_data_func(n1, p, test_exactness);
      g_test_add_data_func(n2, p, test_ondemand);
      g_test_add_data_func(n3, p, test_go);
    }
  }
  g_test_add_func("/model/cache", test_cache);
  g_test_add_func("/model/progressive", test_progressive);
  g_test_add_func("/model/preview", test_preview);
  g_test_add_func("/model/cancel", test_cancel);
  g_test_add_func("/model/clamp-fallback", test_clamp_fallback);
  g_test_add_func("/model/coltab", test_coltab);
  g_test_add_func("/model/single-blob", test_single_blob);
  int rc = g_test_run();
  g_ptr_array_free(fx, TRUE);
  return rc;
}
