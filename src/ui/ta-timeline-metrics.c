/* ta-timeline-metrics.c: the timeline's metric rows (heap in use against
 * its goal, goroutines by state, threads): each row's band of pixels,
 * computed from the snapshot's metric summaries, shared with the frame
 * helper while the main thread draws the other rows.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ta-timeline"

#include "ta-frame-helper.h"
#include "ta-timeline-heavy.h"

static guint32
metric_pixel (TaColor c, float alpha)
{
  c.a = alpha;
  return ta_pixel_from_color (c);
}

/* A metric row is drawn a pixel column at a time: into a band of its own
 * stored a column per line, so that each column's pixels are adjacent
 * (drawn straight into the raster, a column's pixels are a raster line
 * apart, and those fills were a tenth of a zoomed-out frame), then
 * copied into the raster. Blends src over `ht` pixels of column x from
 * raster row y, as ta_raster_fill would over the raster: only the band's
 * rows are kept (what falls outside them is overwritten by the rows
 * below anyway). */
static inline void
metric_fill (TaRaster *columns, int top, int x, int y, int ht, guint32 src)
{
  int a = MAX (y - top, 0), b = MIN (y - top + ht, columns->width);

  if (src == 0 || x < 0 || x >= columns->height || a >= b)
    return;
  ta_pixels_fill (columns->px + (gsize)x * columns->width + a, b - a, src);
}

/* A metric row to draw: where, and its band once computed. */
typedef struct {
  Row      row;
  double   y;             /* logical, as draw_heavy places the row */
  guint32  bg;            /* its stripe or clear */
  int      y0, y1;        /* device pixel rows of the raster it covers */
  guint32 *px;            /* its band: (y1 - y0) pixels a column, ncols columns */
  gint64   vmax;          /* the value at the row's top */
} MetricRow;

/* A metric row's band (see metric_fill): stacked columns (goroutines by
 * state) or a min/max band per column with a line through the last
 * values. Reads only the snapshot and the colours: may run on any
 * thread. */
static void
metric_row_compute (TaTimeline *self, const TaViewport *vp, guint ncols, int scale, MetricRow *mr)
{
  const Row *row = &mr->row;
  TaMetric metrics[TA_N_METRICS];
  guint nm = ta_track_metrics (row->key.kind, metrics);
  g_autofree TaMetricColumn *mc = g_new0 (TaMetricColumn, (gsize)ncols * MAX (nm, 1));
  gint64 vmax = 1;
  gboolean stacked = row->key.kind == TA_TRACK_GOROUTINES;
  /* In device pixels, like the raster. */
  double top = floor ((mr->y - RULER_H) * scale + 0.5), rh = row->height * scale;
  int y0 = mr->y0;
  TaRaster columns;
  gsize n_px;
  guint32 fills[TA_N_METRICS];

  columns.width = MAX (mr->y1 - y0, 0);
  columns.height = (int)ncols;
  columns.px = mr->px;
  n_px = (gsize)columns.width * ncols;
  for (gsize k = 0; k < n_px; k++)
    columns.px[k] = mr->bg;
  for (guint m = 0; m < nm; m++)
    fills[m] = metric_pixel (self->metric_colors[metrics[m]], 0.9f);

  for (guint m = 0; m < nm; m++)
    if (!ta_snapshot_query_metric (self->snap, metrics[m], vp->start, vp->end, ncols, mc + m * ncols))
      memset (mc + m * ncols, 0, sizeof (TaMetricColumn) * ncols);
  for (guint c = 0; c < ncols; c++)
    {
      gint64 sum = 0;
      for (guint m = 0; m < nm; m++)
        {
          TaMetricColumn *x = &mc[m * ncols + c];
          if (!x->valid)
            continue;
          if (stacked)
            sum += x->max;
          else
            vmax = MAX (vmax, x->max);
        }
      vmax = MAX (vmax, sum);
    }
  mr->vmax = vmax;

  if (stacked)
    for (guint c = 0; c < ncols; c++)
      {
        double base = rh;
        for (guint m = 0; m < nm; m++)
          {
            TaMetricColumn *x = &mc[m * ncols + c];
            double hh;
            if (!x->valid || x->max <= 0)
              continue;
            hh = (double)x->max / (double)vmax * (rh - 2);
            metric_fill (&columns, y0, (int)c, (int)floor (top + base - hh + 0.5),
                         (int)floor (top + base + 0.5) - (int)floor (top + base - hh + 0.5), fills[m]);
            base -= hh;
          }
      }
  else
    for (guint m = 0; m < nm; m++)
      {
        gboolean first = TRUE, area = m == 0 && row->key.kind == TA_TRACK_HEAP;
        guint32 band = metric_pixel (self->metric_colors[metrics[m]], area ? 0.35f : 0.9f);
        guint32 ink = fills[m];
        double last_y = rh;
        for (guint c = 0; c < ncols; c++)
          {
            TaMetricColumn *x = &mc[m * ncols + c];
            double ya, yb;
            if (!x->valid)
              continue;
            ya = rh - 1 - (double)x->max / (double)vmax * (rh - 3);
            yb = rh - 1 - (double)x->min / (double)vmax * (rh - 3);
            if (area)
              metric_fill (&columns, y0, (int)c, (int)floor (top + ya), (int)ceil (rh - ya), band);
            else
              metric_fill (&columns, y0, (int)c, (int)floor (top + ya), (int)ceil (MAX (yb - ya, 1)), band);
            if (!first && !area)
              {
                /* The step from the previous column's last value. */
                double lo = MIN (last_y, ya), hi = MAX (last_y, ya);
                metric_fill (&columns, y0, (int)c, (int)floor (top + lo), (int)ceil (hi - lo) + 1, ink);
              }
            last_y = rh - 1 - (double)x->last / (double)vmax * (rh - 3);
            first = FALSE;
          }
      }
}

/* A metric row's band took 0.3-0.4 ms of the main thread, and three are
 * drawn every frame: the frame helper (ta-frame-helper.c) computes bands and
 * copies them into their rows of the raster (which the main thread leaves
 * alone: see heavy_metric_row_reserve) while the main thread draws the
 * other rows. Rows are taken one at a time, and the main thread takes those
 * the helper has not begun once it is done drawing, then waits only for the
 * row the helper is on: zoomed in, it has little else to do, and a helper
 * still waiting for a core (a busy machine) cost it more than the rows
 * themselves. */
struct _MetricJob {
  TaTimeline      *self;
  TaViewport       vp;
  guint            ncols;
  int              scale;
  TaRaster         ras;
  GArray          *rows;   /* MetricRow */
  gint             next;   /* the next row to take (atomic) */
  TaFrameHelperJob help;
};

static void
metric_job_work (MetricJob *job)
{
  for (;;)
    {
      guint k = (guint)g_atomic_int_add (&job->next, 1);
      MetricRow *mr;
      TaRaster columns;
      if (k >= job->rows->len)
        return;
      mr = &g_array_index (job->rows, MetricRow, k);
      columns = (TaRaster){ mr->px, MAX (mr->y1 - mr->y0, 0), (int)job->ncols };
      metric_row_compute (job->self, &job->vp, job->ncols, job->scale, mr);
      ta_raster_put_columns (&job->ras, &columns, mr->y0);
    }
}

static void
metric_job_help (gpointer data)
{
  metric_job_work (data);
}

/* The metric rows among `visible` (visible_rows), top to bottom, their
 * bands in one buffer of self's. */
GArray *
heavy_metric_rows (Heavy *h, const GArray *visible, guint32 stripe)
{
  TaTimeline *self = h->self;
  GArray *rows = g_array_new (FALSE, FALSE, sizeof (MetricRow));
  gsize n_px = 0;

  for (guint v = 0; v < visible->len; v++)
    {
      const VisibleRow *vr = &g_array_index (visible, VisibleRow, v);
      MetricRow mr = { vr->row, vr->y, vr->index % 2 ? stripe : 0 };
      if (mr.row.type == ROW_HEADER || mr.row.type == ROW_SUBHEADER || !mr.row.is_metric)
        continue;
      heavy_row_pixels (h, &mr.row, mr.y, &mr.y0, &mr.y1);
      n_px += (gsize)MAX (mr.y1 - mr.y0, 0) * h->ncols;
      g_array_append_val (rows, mr);
    }
  if (self->n_metric_band < n_px)
    {
      g_free (self->metric_band);
      self->n_metric_band = n_px;
      self->metric_band = g_new (guint32, n_px);
    }
  n_px = 0;
  for (guint k = 0; k < rows->len; k++)
    {
      MetricRow *mr = &g_array_index (rows, MetricRow, k);
      mr->px = self->metric_band + n_px;
      n_px += (gsize)MAX (mr->y1 - mr->y0, 0) * h->ncols;
    }
  return rows;
}

/* Starts computing the bands of `rows` on the frame helper;
 * heavy_metric_rows_finish computes what it has not taken. */
MetricJob *
heavy_metric_rows_start (Heavy *h, GArray *rows)
{
  MetricJob *job = g_new (MetricJob, 1);

  *job = (MetricJob){ h->self, h->vp, h->ncols, h->scale, h->ras, g_array_ref (rows) };
  job->help = (TaFrameHelperJob){ metric_job_help, job };
  if (rows->len)
    ta_frame_helper_post (&job->help);
  return job;
}

/* Keeps the raster rows of a metric row out of heavy_clear_to: the
 * thread that computes its band copies it there. */
void
heavy_metric_row_reserve (Heavy *h, GArray *rows, guint k)
{
  const MetricRow *mr = &g_array_index (rows, MetricRow, k);

  heavy_clear_to (h, mr->y0);
  h->cleared = MAX (h->cleared, MIN (mr->y1, h->ras.height));
}

/* Computes the metric rows the helper has not taken, waits for the one it
 * is on, and labels each row's top value. */
void
heavy_metric_rows_finish (Heavy *h, GArray *rows, MetricJob *job)
{
  TaTimeline *self = h->self;

  metric_job_work (job);
  if (rows->len)
    ta_frame_helper_join (&job->help);
  g_array_unref (job->rows);
  g_free (job);
  for (guint k = 0; k < rows->len; k++)
    {
      const MetricRow *mr = &g_array_index (rows, MetricRow, k);
      g_autofree char *max_text = mr->row.key.kind == TA_TRACK_HEAP ? g_format_size ((guint64)mr->vmax)
                                                                    : g_strdup_printf ("%" G_GINT64_FORMAT, mr->vmax);
      timeline_draw_cached_text (self, h->text, self->small_layout, max_text, GUTTER_W + (double)h->ncols / h->scale - 80,
                        mr->y, 76, timeline_fg_color (self, 0.6f));
    }
}
