/* test-column-range.c: the merged-column tooltip's time range against the
 * real model. For every track of a fixture and several views, the time per
 * state the model puts in a pixel column must fit in the range
 * ta_column_bucket_range says the column's buckets cover (the tooltip used
 * to divide by the column width instead: "Idle: 65.536 µs" of "44.5 µs").
 *
 *   test-column-range FILE
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "model.h"
#include "ta-timeline-math.h"

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

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (argc < 2)
    {
      g_printerr ("usage: test-column-range FILE\n");
      return 2;
    }
  trace_path = argv[1];
  g_test_add_func ("/column-range/columns-fit", test_columns_fit);
  return g_test_run ();
}
