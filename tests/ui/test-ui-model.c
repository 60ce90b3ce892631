/* test-ui-model.c: what the timeline relies on from the real model.
 *
 * - columns-fit: the merged-column tooltip's time range. For every track of
 *   a fixture and several views, the time per state the model puts in a
 *   pixel column must fit in the range ta_column_bucket_range says the
 *   column's buckets cover (the tooltip used to divide by the column width
 *   instead: "Idle: 65.536 µs" of "44.5 µs").
 * - fast-columns: ta_snapshot_query_track (columns found by stepping) and
 *   ta_snapshot_accumulate_track agree with the straightforward computation
 *   (each raw bucket of the level put in the column floor((start - t0) * n /
 *   span) by a 128-bit division) on random ranges and widths, and
 *   TaColumnSteps gives the columns' widths.
 * - bulk-goroutines: the bulk goroutine and region accessors the goroutine
 *   layout is built from agree with the row-by-row ones.
 *
 *   test-ui-model FILE
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "model.h"
#include "ta-timeline-math.h"

#include <math.h>

static const char *trace_path;

static void
test_columns_fit (void)
{
  TaModelOptions opts;
  g_autoptr (TaDocument) doc = NULL;
  g_autoptr (TaSnapshot) snap = NULL;
  gint64 start, end;
  guint checked = 0, wider = 0;

  ta_model_options_init (&opts);
  opts.use_cache = FALSE;
  doc = ta_document_new (trace_path, &opts);
  ta_document_start (doc);
  snap = ta_document_wait (doc);
  g_assert_nonnull (snap);
  start = ta_snapshot_get_start (snap);
  end = ta_snapshot_get_end (snap) + 1;

  for (guint64 ti = 0; ti < ta_snapshot_get_n_tracks (snap); ti++)
    {
      TaTrackInfo info;
      g_assert_true (ta_snapshot_get_track (snap, ti, &info));
      if (info.is_metric || info.key.kind == TA_TRACK_SWEEP)
        continue;  /* sweep ranges of all procs overlap: their time is summed */
      /* Whole trace and zooms down to columns narrower than a bucket, at
       * odd widths and offsets. */
      for (guint z = 0; z < 6; z++)
        {
          static const guint widths[] = { 1710, 997, 333, 64, 7, 1 };
          gint64 span = MAX ((end - start) >> (3 * z), 10);
          gint64 t0 = start + (end - start - span) / 3 + 13 * z;
          gint64 t1 = t0 + span;
          guint n = widths[z];
          g_autofree TaColumn *cols = g_new (TaColumn, n);
          if (!ta_snapshot_query_track (snap, &info.key, t0, t1, n, cols))
            continue;
          for (guint c = 0; c < n; c++)
            {
              gint64 sum = 0, a, b;
              for (guint st = 1; st < TA_N_STATES; st++)
                sum += cols[c].time[st];
              if (sum == 0 && cols[c].n_spans == 0)
                continue;
              g_assert_true (ta_column_bucket_range (ta_snapshot_get_origin (snap),
                                                     ta_snapshot_get_bucket_width (snap, cols[c].level),
                                                     t0, t1, n, c, &a, &b));
              g_assert_cmpint (sum, <=, b - a);
              if (sum > cols[c].end - cols[c].start)
                wider++;
              checked++;
            }
        }
    }
  g_test_message ("%u columns checked, %u with more time than their own width", checked, wider);
  g_assert_cmpuint (checked, >, 100);
  /* The fixture does exercise the case the old tooltip got wrong. */
  g_assert_cmpuint (wider, >, 0);
}

static TaSnapshot *
open_fixture (void)
{
  TaModelOptions opts;
  g_autoptr (TaDocument) doc = NULL;

  ta_model_options_init (&opts);
  opts.use_cache = FALSE;
  doc = ta_document_new (trace_path, &opts);
  ta_document_start (doc);
  return ta_document_wait (doc);
}

/* The column a query over [t0, t1) in n columns assigns a bucket starting at
 * `bs` to, computed the slow, obvious way. */
static guint
reference_column (gint64 t0, gint64 t1, guint n, gint64 bs)
{
  __int128 c;
  if (bs <= t0)
    return 0;
  c = (__int128)(bs - t0) * n / (t1 - t0);
  return c >= n ? n - 1 : (guint)c;
}

static void
check_fast_columns (TaSnapshot *snap, const TaTrackKey *key, gint64 t0, gint64 t1, guint n)
{
  g_autofree TaColumn *cols = g_new (TaColumn, n);
  g_autofree TaColumn *ref = g_new0 (TaColumn, n);
  g_autofree gint64 *acc = g_new0 (gint64, (gsize)n * TA_N_STATES);
  g_autofree guint32 *acc_states = g_new0 (guint32, n);
  gint64 origin = ta_snapshot_get_origin (snap);
  guint level, lo, hi, got;
  gint64 w, bf, bl;
  gsize cap;
  g_autofree TaBucket *buckets = NULL;
  TaColumnSteps steps;

  if (!ta_snapshot_query_track (snap, key, t0, t1, n, cols))
    return;
  level = ta_snapshot_pick_level (snap, (t1 - t0) / n);
  w = ta_snapshot_get_bucket_width (snap, level);
  bf = t0 <= origin ? 0 : (t0 - origin) / w;
  bl = t1 <= origin ? -1 : (t1 - 1 - origin) / w;
  if (bl >= bf)
    {
      cap = (gsize)MIN (bl - bf + 16, 1 << 22);
      buckets = g_new (TaBucket, cap);
      got = ta_snapshot_get_buckets (snap, key, level, bf, buckets, (guint)cap);
      for (guint i = 0; i < got; i++)
        {
          TaColumn *c;
          if (buckets[i].start >= t1 || buckets[i].end <= t0)
            continue;
          c = &ref[reference_column (t0, t1, n, buckets[i].start)];
          for (guint st = 0; st < TA_N_STATES; st++)
            c->time[st] += buckets[i].time[st];
          c->n_spans += buckets[i].n_spans;
        }
    }
  g_assert_true (ta_snapshot_accumulate_track (snap, key, t0, t1, n, acc, acc_states, &lo, &hi));
  ta_column_steps_init (&steps, t0, t1, n, 0);
  for (guint c = 0; c < n; c++)
    {
      gint64 cs = t0 + (gint64)((__int128)(t1 - t0) * c / n);
      gint64 ce = t0 + (gint64)((__int128)(t1 - t0) * (c + 1) / n);
      g_assert_cmpint (cols[c].start, ==, cs);
      g_assert_cmpint (cols[c].end, ==, ce);
      g_assert_cmpint (ta_column_steps_next (&steps), ==, ce - cs);
      g_assert_cmpuint (cols[c].level, ==, level);
      g_assert_cmpuint (cols[c].n_spans, ==, ref[c].n_spans);
      for (guint st = 0; st < TA_N_STATES; st++)
        {
          g_assert_cmpint (cols[c].time[st], ==, ref[c].time[st]);
          g_assert_cmpint (acc[(gsize)c * TA_N_STATES + st], ==, ref[c].time[st]);
          if (acc[(gsize)c * TA_N_STATES + st])
            g_assert_true (lo <= c && c <= hi);
          /* Every state added to is marked (a mark on a zero sum is allowed). */
          if (acc[(gsize)c * TA_N_STATES + st])
            g_assert_true (acc_states[c] & (1u << st));
        }
      if (acc_states[c])
        g_assert_true (lo <= c && c <= hi);
    }
}

static void
test_fast_columns (void)
{
  g_autoptr (TaSnapshot) snap = open_fixture ();
  gint64 start = ta_snapshot_get_start (snap), end = ta_snapshot_get_end (snap) + 1;
  guint64 n_tracks = ta_snapshot_get_n_tracks (snap);

  for (guint iter = 0; iter < 400; iter++)
    {
      TaTrackInfo info;
      gint64 span, t0;
      guint n;
      g_assert_true (ta_snapshot_get_track (snap, g_test_rand_int_range (0, (gint32)n_tracks), &info));
      if (info.is_metric)
        continue;
      /* Spans from the whole trace (and beyond) down to a few ns, odd
       * widths, starts before the trace and anywhere in it. */
      span = MAX ((gint64)((end - start) * 1.3 / pow (2, g_test_rand_double_range (0, 30))), 3);
      t0 = start - span / 4 + (gint64)(g_test_rand_double () * (double)(end - start));
      n = (guint)g_test_rand_int_range (1, 2500);
      check_fast_columns (snap, &info.key, t0, t0 + span, n);
    }
}

static void
test_bulk_goroutines (void)
{
  g_autoptr (TaSnapshot) snap = open_fixture ();
  guint64 n = ta_snapshot_get_n_goroutines (snap);
  g_autofree gint64 *ids = g_new (gint64, n + 1);
  g_autofree gint64 *created = g_new (gint64, n + 1);
  g_autofree TaStringId *funcs = g_new (TaStringId, n + 1);
  guint64 region_tracks = 0, prev_row = 0;

  g_assert_cmpuint (n, >, 0);
  /* Whole table, and windows starting inside it (not on a block edge). */
  g_assert_cmpuint (ta_snapshot_get_goroutine_columns (snap, 0, n + 5, ids, created, funcs), ==, n);
  for (guint64 i = 0; i < n; i++)
    {
      TaGoroutine g;
      g_assert_true (ta_snapshot_get_goroutine (snap, i, &g));
      g_assert_cmpint (ids[i], ==, g.id);
      g_assert_cmpint (created[i], ==, g.creation_time);
      g_assert_cmpuint (funcs[i], ==, g.start_func);
    }
  for (guint64 first = 1; first < n; first += 3)
    {
      gint64 id;
      TaGoroutine g;
      g_assert_cmpuint (ta_snapshot_get_goroutine_columns (snap, first, 1, &id, NULL, NULL), ==, 1);
      g_assert_true (ta_snapshot_get_goroutine (snap, first, &g));
      g_assert_cmpint (id, ==, g.id);
    }
  g_assert_cmpuint (ta_snapshot_get_goroutine_columns (snap, n, 1, ids, NULL, NULL), ==, 0);

  /* Region goroutines: ascending rows, each with exactly its region tracks. */
  for (guint64 k = 0; k < ta_snapshot_get_n_region_goroutines (snap); k++)
    {
      guint64 row, idx;
      guint32 depths;
      TaGoroutine g;
      g_assert_true (ta_snapshot_get_region_goroutine (snap, k, &row, &depths));
      g_assert_true (k == 0 || row > prev_row);
      prev_row = row;
      g_assert_true (ta_snapshot_get_goroutine (snap, row, &g));
      for (guint32 d = 0; d < depths; d++)
        g_assert_true (ta_snapshot_find_track (snap, &(TaTrackKey){ TA_TRACK_REGIONS, d, g.id }, &idx));
      g_assert_false (ta_snapshot_find_track (snap, &(TaTrackKey){ TA_TRACK_REGIONS, depths, g.id }, &idx));
      region_tracks += depths;
    }
  g_assert_false (ta_snapshot_get_region_goroutine (snap, ta_snapshot_get_n_region_goroutines (snap), NULL, NULL));
  g_test_message ("%" G_GUINT64_FORMAT " goroutines, %" G_GUINT64_FORMAT " region tracks", n, region_tracks);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (argc < 2)
    {
      g_printerr ("usage: test-ui-model FILE\n");
      return 2;
    }
  trace_path = argv[1];
  g_test_add_func ("/ui-model/columns-fit", test_columns_fit);
  g_test_add_func ("/ui-model/fast-columns", test_fast_columns);
  g_test_add_func ("/ui-model/bulk-goroutines", test_bulk_goroutines);
  return g_test_run ();
}
