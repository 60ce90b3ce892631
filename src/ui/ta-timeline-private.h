/* ta-timeline-private.h: what the timeline's files share (the instance
 * struct, row layout types, sizes and the helpers each side calls). */
#pragma once

#include "config.h"

#include <adwaita.h>
#include <math.h>
#include <string.h>

#include "ta-timeline.h"
#include "ta-timeline-math.h"
#include "ta-goroutine-layout.h"

#define RULER_H      30.0
#define GUTTER_W     210.0
#define HEADER_H     26.0
#define SUBHEADER_H  20.0
#define TRACK_H      20.0
#define REGION_H     14.0
#define METRIC_H     44.0
#define TASK_H       16.0
#define ROW_GAP      1.0
#define LABEL_MIN_PX 40.0
#define EXACT_MAX_SPANS 40000   /* ask for exact spans when this few start in view */
#define MAX_WINDOW_TRACKS 256
#define MAX_CPU_TICKS 200000

typedef enum {
  GROUP_OVERVIEW,
  GROUP_PROCS,
  GROUP_THREADS,
  GROUP_GOROUTINES,
  GROUP_TASKS,
  N_GROUPS
} Group;

G_GNUC_UNUSED static const char *group_names[N_GROUPS] = {
  "Overview", "Procs", "Threads", "Goroutines", "Tasks",
};

typedef enum {
  ROW_HEADER,
  ROW_SUBHEADER,
  ROW_TRACK,
} RowType;

typedef struct {
  TaTrackKey key;
  double     top;
  float      height;
  guint8     type;       /* RowType */
  guint8     group;      /* Group */
  guint8     is_metric;
  guint8     indent;
  guint32    count;      /* headers: rows in the group */
  TaStringId func;       /* subheaders */
} Row;

/* Summary rows' colour lines (ta-timeline-draw.c) for one time range,
 * width and snapshot. */
typedef struct {
  GHashTable *table;              /* TaTrackKey* -> RowLine */
  gint64      t0, t1;
  guint       ncols;
  TaSnapshot *snap;
} RowLineCache;

struct _TaTimeline
{
  GtkWidget parent_instance;

  TaDocument *doc;
  TaSnapshot *snap;
  TaSession  *session;
  gulong      snap_handler;
  gulong      view_handler, sel_handler;

  /* layout: fixed rows (overview, procs, threads, tasks) materialised; the
   * goroutine group virtual (go_layout), inserted before rows[go_at] */
  GArray    *rows;                /* Row */
  double     content_h;
  TaGoLayout *go_layout;          /* NULL until the first one is built */
  guint      go_at;               /* rows[] index the goroutine rows come before */
  double     go_top;              /* y of the first goroutine row */
  guint64    go_n;                /* virtual rows shown (0 when collapsed) */
  GCancellable *go_cancel;        /* the build in flight */
  guint      go_serial;           /* bumps when the order changes: older builds are stale */
  gboolean   go_pending;          /* a newer snapshot waits for a build */
  gint64     go_next_start;       /* monotonic µs before which no build starts (throttle) */
  guint      go_timeout;
  TaGoLayout *incoming_go;        /* built; shown once its visible rows' lines are ready */
  guint      incoming_go_idle;
  gboolean   collapsed[N_GROUPS];
  TaGoroutineSort sort;
  gboolean   group_by_func;
  GtkAdjustment *vadj;
  TaTrackKey revealed;
  gboolean   has_revealed;

  /* exact spans */
  TaWindow     *window;
  GHashTable   *window_tracks;    /* TaTrackKey* -> index+1 */
  GCancellable *window_cancel;
  gint64        pending_t0, pending_t1;
  guint         pending_tracks_hash;
  guint         window_idle;
  guint         warm_idle;        /* glyphs drawn once before the first rows (warm_glyphs_idle) */

  /* palette */
  TaPalette *palette;
  TaColor    state_colors[TA_N_STATES];
  TaColor    metric_colors[TA_N_METRICS];
  TaColor    cpu_color;
  gboolean   dark;

  /* drawing scratch */
  TaColumn  *cols;
  guint      n_cols_alloc;
  gint64    *cov;                 /* per column and state, kept all zero between rows */
  guint32   *cov_states;          /* per column, the states cov holds (bit per state), also kept zero */
  guint      n_cov_cols;
  gint64    *worker_cov;          /* the same two for the frame helper's lines */
  guint32   *worker_cov_states;
  guint      n_worker_cov_cols;
  guint32   *metric_band;         /* the metric rows' pixels, a column per line (heavy_metric_rows) */
  gsize      n_metric_band;
  cairo_surface_t *raster[3];     /* the track area's pixels; one no node draws from is reused */
  RowLineCache lines;             /* summary rows' colours for what is drawn */
  RowLineCache incoming_lines;    /* the same for `incoming` */
  TaSnapshot *incoming;           /* published while loading; shown once its lines are ready */
  guint      incoming_idle;       /* preparing `incoming`, or waiting to (incoming_delayed) */
  gboolean   incoming_delayed;
  gint64     adopted_at;          /* monotonic µs of the last timeline_adopt_snapshot() */
  guint      first_lines_idle;    /* the first snapshot's rows wait for their lines */
  guint      prebuild_idle;       /* building the nodes of what was just adopted, before its frame */
  PangoLayout *layout;
  PangoLayout *small_layout;
  GHashTable *labels;             /* "font|width|text" -> Label: texts laid out and drawn once */
  GHashTable *goroutine_labels;   /* goroutine id -> its label, for goroutine_labels_snap */
  TaSnapshot *goroutine_labels_snap;

  /* heavy layer cache */
  GskRenderNode *heavy;
  gint64   heavy_t0, heavy_t1;
  double   heavy_scroll;
  int      heavy_w, heavy_h, heavy_scale;
  gpointer heavy_snap, heavy_window;
  guint    heavy_layout_serial;
  /* gutter layer (header bars, texts, track labels): kept while only the
   * time range changes */
  GskRenderNode *gutter;
  double   gutter_scroll;
  int      gutter_w, gutter_h;
  gpointer gutter_snap;
  guint    gutter_layout_serial;
  guint    layout_serial;
  guint    n_frames;

  /* interaction */
  double   pointer_x, pointer_y;
  gboolean pointer_in;
  int      hover_row;
  gboolean hover_has_span;
  GtkWidget *tooltip_label;       /* the tooltip's content (ours: mapped while it shows) */
  TaSpan   hover_span;
  double   drag_start_x, drag_start_y;
  gint64   drag_view_t0, drag_view_t1;
  double   drag_scroll;
  enum { DRAG_NONE, DRAG_PAN, DRAG_SELECT } drag_mode;
  gint64   drag_sel_anchor;
  double   zoom_scale_start;
  gint64   zoom_view_t0, zoom_view_t1;
  int      selected_row;
  TaTrackKey selected_key;        /* to find selected_row again when rows move */
  gboolean has_selected_span;
  TaSpan   selected_span;
};

/* ta-timeline-layout.c */
void timeline_rebuild_layout (TaTimeline *self);
void timeline_request_goroutine_layout (TaTimeline *self, gboolean order_changed);
void timeline_layout_dispose (TaTimeline *self);
guint64 timeline_n_rows (TaTimeline *self);
gboolean timeline_get_row (TaTimeline *self, guint64 i, Row *out);
int timeline_row_at_y (TaTimeline *self, double y);
guint64 timeline_first_visible_row (TaTimeline *self);
gboolean timeline_find_track_row (TaTimeline *self, const TaTrackKey *key, guint64 *index_out);

/* ta-timeline.c */
GdkRGBA timeline_rgba (TaColor c);
GdkRGBA timeline_fg_color (TaTimeline *self, float alpha);
TaViewport timeline_current_viewport (TaTimeline *self);
double timeline_canvas_width (TaTimeline *self);
double timeline_scroll_y (TaTimeline *self);
guint timeline_key_hash (gconstpointer k);
gboolean timeline_key_equal_cb (gconstpointer a, gconstpointer b);
const TaSpan * timeline_window_spans_for (TaTimeline *self, const TaTrackKey *key, gint64 t0, gint64 t1, gsize *n);
int timeline_window_track_index (TaTimeline *self, const TaTrackKey *key);
void timeline_schedule_window_request (TaTimeline *self);
void timeline_invalidate_heavy (TaTimeline *self);

void timeline_adopt_snapshot (TaTimeline *self, TaSnapshot *snap);

/* ta-timeline-draw.c */
void timeline_prebuild_heavy (TaTimeline *self);
void ta_timeline_snapshot (GtkWidget *widget, GtkSnapshot *snapshot);
void timeline_row_lines_init (RowLineCache *cache);
void timeline_row_lines_clear (RowLineCache *cache);
void timeline_offer_snapshot (TaTimeline *self, TaSnapshot *snap);
void timeline_drop_incoming (TaTimeline *self);
/* The main-loop turn's share of computing lines between frames (µs). */
#define PREPARE_SLICE_US 4000
/* Computes the summary lines of `keys` over the current view into the
 * drawn line cache until `deadline` (monotonic µs); TRUE once all are
 * there. */
gboolean timeline_prepare_lines (TaTimeline *self, const TaTrackKey *keys, guint n, gint64 deadline);
void timeline_label_free (gpointer label);
