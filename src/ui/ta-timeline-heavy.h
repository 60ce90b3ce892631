/* ta-timeline-heavy.h: what the timeline's row drawing (ta-timeline-draw.c)
 * shares with its metric rows (ta-timeline-metrics.c). Internal to the
 * timeline widget.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ta-timeline-private.h"
#include "ta-timeline-raster.h"

G_BEGIN_DECLS

/* The heavy layer paints the track area into a TaRaster (one texture for
 * GTK) and collects text (labels) in a second snapshot drawn over it:
 * thousands of one-pixel colour nodes per frame cost far more to build and
 * to render than writing the pixels. */
typedef struct {
  TaTimeline  *self;
  TaRaster     ras;           /* the track area in device pixels: x from GUTTER_W, y from RULER_H */
  guint32     *line;          /* one row's pixel line */
  GtkSnapshot *text;          /* labels, drawn over the raster */
  TaViewport   vp;            /* the time range over the raster's device pixel columns */
  guint        ncols;         /* device pixel columns (logical width * scale) */
  int          scale;         /* device pixels per logical pixel (2 on HiDPI) */
  int          cleared;       /* raster rows above this are cleared or drawn */
} Heavy;

/* A row at least partly visible this frame (visible_rows). */
typedef struct {
  Row     row;
  guint64 index;
  double  y;        /* logical, from the canvas top */
} VisibleRow;

/* Clears the raster from the last cleared row down to device row y. */
void heavy_clear_to (Heavy *h, int y);
/* Device pixel rows [y0, y1) of the raster a row at logical y covers. */
void heavy_row_pixels (const Heavy *h, const Row *row, double y, int *y0, int *y1);
/* Draws `text` (a cached layout) at x, y, ellipsized at max_w pixels. */
void timeline_draw_cached_text (TaTimeline *self, GtkSnapshot *snapshot, PangoLayout *base, const char *text,
                                double x, double y, int max_w, GdkRGBA color);

/* Metric rows (heap, goroutines, threads): their bands are computed by the
 * frame helper while the other rows are drawn; see ta-timeline-metrics.c. */
typedef struct _MetricJob MetricJob;
GArray    *heavy_metric_rows (Heavy *h, const GArray *visible, guint32 stripe);
MetricJob *heavy_metric_rows_start (Heavy *h, GArray *rows);
void       heavy_metric_row_reserve (Heavy *h, GArray *rows, guint k);
void       heavy_metric_rows_finish (Heavy *h, GArray *rows, MetricJob *job);

G_END_DECLS
