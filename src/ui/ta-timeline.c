/* ta-timeline.c: the timeline canvas.
 *
 * One widget draws the ruler, the track labels and every visible row with a
 * snapshot vfunc. Rows are virtual: the layout is an array of small structs
 * (a million goroutines is a million of those, nothing more) and a frame
 * only touches the rows inside the viewport, found by binary search.
 *
 * Zoomed out, each pixel column of a row is coloured by the time each state
 * covers in it, read from the model's summaries (never a sample of spans, so
 * nothing flickers). When few spans are in view, or the summaries are
 * coarser than a pixel, exact spans are requested from the document on its
 * worker pool; the frame never waits for them: it draws columns until the
 * window arrives.
 *
 * The heavy layer is cached as a render node keyed by what it depends on;
 * hover, cursor and selection are an overlay drawn on top, so moving the
 * pointer never rebuilds it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ta-timeline"

#include "config.h"

#include <adwaita.h>
#include <math.h>
#include <string.h>

#include "ta-timeline.h"
#include "ta-timeline-math.h"

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

static const char *group_names[N_GROUPS] = {
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

typedef struct {
  gint64 id, created;
  TaStringId func;
} GoSortItem;

struct _TaTimeline
{
  GtkWidget parent_instance;

  TaDocument *doc;
  TaSnapshot *snap;
  TaSession  *session;
  gulong      snap_handler;
  gulong      view_handler, sel_handler;

  /* layout */
  GArray    *rows;                /* Row */
  double     content_h;
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

  /* palette */
  TaPalette *palette;
  TaColor    state_colors[TA_N_STATES];
  TaColor    metric_colors[TA_N_METRICS];
  TaColor    cpu_color;
  gboolean   dark;

  /* drawing scratch */
  TaColumn  *cols;
  guint      n_cols_alloc;
  gint64    *cov;
  PangoLayout *layout;
  PangoLayout *small_layout;

  /* heavy layer cache */
  GskRenderNode *heavy;
  gint64   heavy_t0, heavy_t1;
  double   heavy_scroll;
  int      heavy_w, heavy_h;
  gpointer heavy_snap, heavy_window;
  guint    heavy_layout_serial;
  guint    layout_serial;
  guint    n_frames;

  /* interaction */
  double   pointer_x, pointer_y;
  gboolean pointer_in;
  int      hover_row;
  gboolean hover_has_span;
  TaSpan   hover_span;
  double   drag_start_x, drag_start_y;
  gint64   drag_view_t0, drag_view_t1;
  double   drag_scroll;
  enum { DRAG_NONE, DRAG_PAN, DRAG_SELECT } drag_mode;
  gint64   drag_sel_anchor;
  double   zoom_scale_start;
  gint64   zoom_view_t0, zoom_view_t1;
  int      selected_row;
  gboolean has_selected_span;
  TaSpan   selected_span;
};

G_DEFINE_FINAL_TYPE (TaTimeline, ta_timeline, GTK_TYPE_WIDGET)

enum {
  SIG_SPAN_ACTIVATED,
  SIG_ROW_ACTIVATED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

static void ta_timeline_rebuild_layout (TaTimeline *self);
static void maybe_request_window (TaTimeline *self);

/* ---- helpers ----------------------------------------------------------- */

static double
canvas_width (TaTimeline *self)
{
  return MAX (gtk_widget_get_width (GTK_WIDGET (self)) - GUTTER_W, 1.0);
}

static TaViewport
current_viewport (TaTimeline *self)
{
  TaViewport vp = { 0, 1, canvas_width (self) };
  if (self->session)
    ta_session_get_view (self->session, &vp.start, &vp.end);
  return vp;
}

static double
scroll_y (TaTimeline *self)
{
  return gtk_adjustment_get_value (self->vadj);
}

static void
invalidate_heavy (TaTimeline *self)
{
  g_clear_pointer (&self->heavy, gsk_render_node_unref);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static gboolean
key_equal (const TaTrackKey *a, const TaTrackKey *b)
{
  return a->kind == b->kind && a->sub == b->sub && a->id == b->id;
}

static guint
key_hash (gconstpointer k)
{
  return ta_track_key_hash (k);
}

static gboolean
key_equal_cb (gconstpointer a, gconstpointer b)
{
  return key_equal (a, b);
}

/* ---- palette ----------------------------------------------------------- */

static void
load_palette (TaTimeline *self)
{
  g_autoptr (GBytes) bytes = g_resources_lookup_data (TA_RESOURCE_BASE "/palette.txt", 0, NULL);
  g_autoptr (GError) error = NULL;
  const char *override = g_getenv ("TRACE_ATLAS_PALETTE");
  g_autofree char *text = NULL;
  TaColor grey = { 0.5f, 0.5f, 0.5f, 1.f };

  if (override && g_file_get_contents (override, &text, NULL, NULL))
    ;
  else if (bytes)
    text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_clear_pointer (&self->palette, ta_palette_free);
  self->palette = ta_palette_parse (text ? text : "", &error);
  if (!self->palette)
    {
      g_warning ("palette: %s", error->message);
      self->palette = ta_palette_parse ("", NULL);
    }
  self->dark = adw_style_manager_get_dark (adw_style_manager_get_default ());

  for (guint s = 0; s < TA_N_STATES; s++)
    {
      const char *name = ta_state_name ((TaState)s);
      g_autofree char *dark_name = g_strconcat ("dark.", name, NULL);
      if (!(self->dark && ta_palette_lookup (self->palette, dark_name, &self->state_colors[s]))
          && !ta_palette_lookup (self->palette, name, &self->state_colors[s]))
        self->state_colors[s] = grey;
    }
  self->state_colors[TA_STATE_NONE].a = 0;
  for (guint m = 0; m < TA_N_METRICS; m++)
    if (!ta_palette_lookup (self->palette, ta_metric_name ((TaMetric)m), &self->metric_colors[m]))
      self->metric_colors[m] = grey;
  if (!(self->dark && ta_palette_lookup (self->palette, "dark.cpu-sample", &self->cpu_color))
      && !ta_palette_lookup (self->palette, "cpu-sample", &self->cpu_color))
    self->cpu_color = (TaColor){ 0, 0, 0, 1 };
}

static void
style_changed_cb (TaTimeline *self)
{
  load_palette (self);
  invalidate_heavy (self);
}

static inline GdkRGBA
rgba (TaColor c)
{
  return (GdkRGBA){ c.r, c.g, c.b, c.a };
}

static GdkRGBA
fg_color (TaTimeline *self, float alpha)
{
  return self->dark ? (GdkRGBA){ 1, 1, 1, alpha } : (GdkRGBA){ 0, 0, 0, alpha };
}

/* ---- layout ------------------------------------------------------------ */

static void
add_row (TaTimeline *self, RowType type, Group group, TaTrackKey key, float h, gboolean metric,
         guint8 indent)
{
  Row r = { 0 };
  r.key = key;
  r.type = type;
  r.group = group;
  r.height = h;
  r.is_metric = metric;
  r.indent = indent;
  r.top = self->content_h;
  self->content_h += h + ROW_GAP;
  g_array_append_val (self->rows, r);
}

static guint
add_header (TaTimeline *self, Group group, guint count)
{
  TaTrackKey none = { TA_TRACK_NONE, 0, 0 };
  add_row (self, ROW_HEADER, group, none, HEADER_H, FALSE, 0);
  g_array_index (self->rows, Row, self->rows->len - 1).count = count;
  return self->rows->len - 1;
}

static int
cmp_go_id (gconstpointer a, gconstpointer b)
{
  const GoSortItem *x = a, *y = b;
  return (x->id > y->id) - (x->id < y->id);
}

static int
cmp_go_start (gconstpointer a, gconstpointer b)
{
  const GoSortItem *x = a, *y = b;
  if (x->created != y->created)
    return (x->created > y->created) - (x->created < y->created);
  return cmp_go_id (a, b);
}

static int
cmp_go_func (gconstpointer a, gconstpointer b, gpointer user_data)
{
  TaTimeline *self = user_data;
  const GoSortItem *x = a, *y = b;
  if (x->func != y->func)
    {
      int c = g_strcmp0 (ta_snapshot_get_string (self->snap, x->func),
                         ta_snapshot_get_string (self->snap, y->func));
      if (c)
        return c;
    }
  return self->sort == TA_SORT_BY_START ? cmp_go_start (a, b) : cmp_go_id (a, b);
}

static void
add_goroutine_rows (TaTimeline *self, gint64 goid, guint8 indent)
{
  TaTrackKey key = { TA_TRACK_GOROUTINE, 0, goid };
  guint64 idx;

  add_row (self, ROW_TRACK, GROUP_GOROUTINES, key, TRACK_H, FALSE, indent);
  /* Its user regions, one row per nesting depth. */
  for (guint32 d = 0; d < 64; d++)
    {
      TaTrackKey rk = { TA_TRACK_REGIONS, d, goid };
      if (!ta_snapshot_find_track (self->snap, &rk, &idx))
        break;
      add_row (self, ROW_TRACK, GROUP_GOROUTINES, rk, REGION_H, FALSE, indent + 1);
    }
}

static void
ta_timeline_rebuild_layout (TaTimeline *self)
{
  TaSnapshot *snap = self->snap;
  guint hdr;

  g_array_set_size (self->rows, 0);
  self->content_h = 0;
  self->layout_serial++;

  if (snap)
    {
      static const TaTrackKind overview[] = {
        TA_TRACK_GC, TA_TRACK_STW, TA_TRACK_HEAP, TA_TRACK_GOROUTINES, TA_TRACK_THREADS,
      };
      guint np = ta_snapshot_get_n_procs (snap), nt = ta_snapshot_get_n_threads (snap);
      guint64 ng = ta_snapshot_get_n_goroutines (snap);
      guint n_lanes = 0;
      guint64 idx;

      hdr = add_header (self, GROUP_OVERVIEW, G_N_ELEMENTS (overview));
      if (!self->collapsed[GROUP_OVERVIEW])
        for (guint i = 0; i < G_N_ELEMENTS (overview); i++)
          {
            TaTrackKey key = { overview[i], 0, 0 };
            gboolean metric = overview[i] == TA_TRACK_HEAP || overview[i] == TA_TRACK_GOROUTINES
                              || overview[i] == TA_TRACK_THREADS;
            add_row (self, ROW_TRACK, GROUP_OVERVIEW, key, metric ? METRIC_H : TRACK_H, metric, 0);
          }

      hdr = add_header (self, GROUP_PROCS, np);
      if (!self->collapsed[GROUP_PROCS])
        for (guint i = 0; i < np; i++)
          {
            TaProcInfo p;
            if (ta_snapshot_get_proc (snap, i, &p))
              add_row (self, ROW_TRACK, GROUP_PROCS, (TaTrackKey){ TA_TRACK_PROC, 0, p.id }, TRACK_H, FALSE, 0);
          }

      hdr = add_header (self, GROUP_THREADS, nt);
      if (!self->collapsed[GROUP_THREADS])
        for (guint i = 0; i < nt; i++)
          {
            TaThreadInfo t;
            if (ta_snapshot_get_thread (snap, i, &t))
              add_row (self, ROW_TRACK, GROUP_THREADS, (TaTrackKey){ TA_TRACK_THREAD, 0, t.id }, TRACK_H, FALSE, 0);
          }

      hdr = add_header (self, GROUP_GOROUTINES, (guint)ng);
      if (!self->collapsed[GROUP_GOROUTINES] && ng > 0)
        {
          g_autoptr (GArray) items = g_array_sized_new (FALSE, FALSE, sizeof (GoSortItem), (guint)ng);
          for (guint64 i = 0; i < ng; i++)
            {
              TaGoroutine g;
              GoSortItem it;
              if (!ta_snapshot_get_goroutine (snap, i, &g))
                continue;
              it.id = g.id;
              it.created = g.creation_time;
              it.func = g.start_func;
              g_array_append_val (items, it);
            }
          if (self->group_by_func)
            g_array_sort_with_data (items, cmp_go_func, self);
          else
            g_array_sort (items, self->sort == TA_SORT_BY_START ? cmp_go_start : cmp_go_id);

          for (guint i = 0; i < items->len; i++)
            {
              GoSortItem *it = &g_array_index (items, GoSortItem, i);
              if (self->group_by_func && (i == 0 || g_array_index (items, GoSortItem, i - 1).func != it->func))
                {
                  guint n = 0;
                  TaTrackKey none = { TA_TRACK_NONE, 0, 0 };
                  while (i + n < items->len && g_array_index (items, GoSortItem, i + n).func == it->func)
                    n++;
                  add_row (self, ROW_SUBHEADER, GROUP_GOROUTINES, none, SUBHEADER_H, FALSE, 0);
                  g_array_index (self->rows, Row, self->rows->len - 1).count = n;
                  g_array_index (self->rows, Row, self->rows->len - 1).func = it->func;
                }
              add_goroutine_rows (self, it->id, self->group_by_func ? 1 : 0);
            }
        }

      while (TRUE)
        {
          TaTrackKey key = { TA_TRACK_TASKS, n_lanes, 0 };
          if (!ta_snapshot_find_track (snap, &key, &idx))
            break;
          n_lanes++;
        }
      if (n_lanes || ta_snapshot_get_n_tasks (snap))
        {
          hdr = add_header (self, GROUP_TASKS, n_lanes);
          if (!self->collapsed[GROUP_TASKS])
            for (guint l = 0; l < n_lanes; l++)
              add_row (self, ROW_TRACK, GROUP_TASKS, (TaTrackKey){ TA_TRACK_TASKS, l, 0 }, TASK_H, FALSE, 0);
        }
      (void)hdr;
    }

  {
    double page = MAX (gtk_widget_get_height (GTK_WIDGET (self)) - RULER_H, 1);
    double value = gtk_adjustment_get_value (self->vadj);
    gtk_adjustment_configure (self->vadj, CLAMP (value, 0, MAX (self->content_h - page, 0)),
                              0, MAX (self->content_h, page), TRACK_H * 3, page * 0.9, page);
  }
  self->hover_row = -1;
  self->hover_has_span = FALSE;
  invalidate_heavy (self);
}

static int
row_at_y (TaTimeline *self, double y)
{
  guint lo = 0, hi = self->rows->len;
  double cy = y - RULER_H + scroll_y (self);

  if (y < RULER_H)
    return -1;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      if (g_array_index (self->rows, Row, mid).top <= cy)
        lo = mid + 1;
      else
        hi = mid;
    }
  if (lo == 0)
    return -1;
  lo--;
  {
    Row *r = &g_array_index (self->rows, Row, lo);
    if (cy < r->top + r->height)
      return (int)lo;
  }
  return -1;
}

/* ---- exact spans (windows) ------------------------------------------------ */

static int
window_track_index (TaTimeline *self, const TaTrackKey *key)
{
  gpointer v;
  if (!self->window || !self->window_tracks)
    return -1;
  v = g_hash_table_lookup (self->window_tracks, key);
  return v ? GPOINTER_TO_INT (v) - 1 : -1;
}

static const TaSpan *
window_spans_for (TaTimeline *self, const TaTrackKey *key, gint64 t0, gint64 t1, gsize *n)
{
  int i = window_track_index (self, key);
  *n = 0;
  if (i < 0)
    return NULL;
  /* Only use a window that covers the whole view: a partial one would draw
   * detail on one side and columns on the other. */
  if (ta_window_get_start (self->window) > t0 || ta_window_get_end (self->window) < t1)
    return NULL;
  return ta_window_get_spans (self->window, (guint)i, n);
}

static void
window_ready_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  TaTimeline *self = user_data;
  g_autoptr (GError) error = NULL;
  TaWindow *win = ta_document_request_spans_finish (TA_DOCUMENT (source), result, &error);

  if (!win)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
          && !g_error_matches (error, TA_MODEL_ERROR, TA_MODEL_ERROR_CANCELLED))
        g_debug ("window: %s", error->message);
      g_object_unref (self);
      return;
    }
  g_clear_pointer (&self->window, ta_window_unref);
  self->window = win;
  g_hash_table_remove_all (self->window_tracks);
  for (guint i = 0; i < ta_window_get_n_tracks (win); i++)
    g_hash_table_insert (self->window_tracks, (gpointer)ta_window_get_track (win, i),
                         GINT_TO_POINTER (i + 1));
  invalidate_heavy (self);
  g_object_unref (self);
}

static gboolean
request_window_idle (gpointer user_data)
{
  TaTimeline *self = user_data;
  self->window_idle = 0;
  maybe_request_window (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_window_request (TaTimeline *self)
{
  if (!self->window_idle)
    self->window_idle = g_timeout_add_full (G_PRIORITY_LOW, 30, request_window_idle, self, NULL);
}

/* Decides, from what the last frame saw, whether exact spans are worth
 * asking for, and asks for the visible tracks over the view plus a margin
 * either side so small pans stay exact. */
static void
maybe_request_window (TaTimeline *self)
{
  TaViewport vp = current_viewport (self);
  g_autoptr (GArray) keys = NULL;
  double top, bottom;
  guint64 n_spans = 0;
  gboolean coarse = FALSE;
  guint ncols = 64;
  guint hash = 0;
  gint64 span = vp.end - vp.start, t0, t1;
  gboolean all_in_window = self->window != NULL;

  if (!self->doc || !self->snap || !self->rows->len)
    return;

  keys = g_array_new (FALSE, FALSE, sizeof (TaTrackKey));
  top = scroll_y (self);
  bottom = top + gtk_widget_get_height (GTK_WIDGET (self));
  if (self->n_cols_alloc < ncols)
    {
      self->cols = g_renew (TaColumn, self->cols, ncols);
      self->n_cols_alloc = ncols;
    }
  for (int i = MAX (row_at_y (self, RULER_H), 0); i < (int)self->rows->len; i++)
    {
      Row *r = &g_array_index (self->rows, Row, i);
      if (r->top > bottom)
        break;
      if (r->type != ROW_TRACK || r->is_metric)
        continue;
      if (keys->len >= MAX_WINDOW_TRACKS)
        break;
      g_array_append_val (keys, r->key);
      hash = hash * 31 + ta_track_key_hash (&r->key);
      if (window_track_index (self, &r->key) < 0)
        all_in_window = FALSE;
      if (ta_snapshot_query_track (self->snap, &r->key, vp.start, vp.end, ncols, self->cols))
        for (guint c = 0; c < ncols; c++)
          {
            n_spans += self->cols[c].n_spans;
            if (self->cols[c].flags & TA_COLUMN_COARSE)
              coarse = TRUE;
          }
    }
  if (!keys->len || (!coarse && n_spans > EXACT_MAX_SPANS))
    return;
  if (all_in_window && ta_window_get_start (self->window) <= vp.start
      && ta_window_get_end (self->window) >= vp.end
      && ta_window_get_snapshot (self->window) == self->snap)
    return;
  t0 = MAX (vp.start - span / 2, ta_snapshot_get_start (self->snap));
  t1 = MIN (vp.end + span / 2, ta_snapshot_get_end (self->snap) + 1);
  if (self->window_cancel && self->pending_t0 <= vp.start && self->pending_t1 >= vp.end
      && self->pending_tracks_hash == hash)
    return;  /* the one in flight will do */

  if (self->window_cancel)
    g_cancellable_cancel (self->window_cancel);
  g_clear_object (&self->window_cancel);
  self->window_cancel = g_cancellable_new ();
  self->pending_t0 = t0;
  self->pending_t1 = t1;
  self->pending_tracks_hash = hash;
  ta_document_request_spans_async (self->doc, self->snap, (const TaTrackKey *)keys->data, keys->len,
                                   t0, t1, self->window_cancel, window_ready_cb, g_object_ref (self));
}

/* ---- drawing: rows ------------------------------------------------------- */

static void
draw_text (TaTimeline *self, GtkSnapshot *snapshot, PangoLayout *layout, const char *text,
           double x, double y, double max_w, GdkRGBA color)
{
  pango_layout_set_text (layout, text, -1);
  pango_layout_set_width (layout, max_w > 0 ? (int)(max_w * PANGO_SCALE) : -1);
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT ((float)x, (float)y));
  gtk_snapshot_append_layout (snapshot, layout, &color);
  gtk_snapshot_restore (snapshot);
}

static void
fill (GtkSnapshot *snapshot, GdkRGBA c, double x, double y, double w, double h)
{
  gtk_snapshot_append_color (snapshot, &c, &GRAPHENE_RECT_INIT ((float)x, (float)y, (float)w, (float)h));
}

static char *
span_label (TaTimeline *self, const TaTrackKey *key, const TaSpan *s)
{
  switch (key->kind)
    {
    case TA_TRACK_PROC:
    case TA_TRACK_THREAD:
      if (s->g != TA_ID_NONE)
        {
          TaGoroutine g;
          if (ta_snapshot_find_goroutine (self->snap, s->g, &g, NULL))
            return ta_snapshot_dup_goroutine_label (self->snap, &g);
          return g_strdup_printf ("g%" G_GINT64_FORMAT, s->g);
        }
      return g_strdup (ta_state_label (s->state));
    case TA_TRACK_REGIONS:
    case TA_TRACK_TASKS:
    case TA_TRACK_STW:
      return g_strdup (ta_snapshot_get_string (self->snap, s->reason));
    case TA_TRACK_GOROUTINE:
      {
        const char *reason = ta_snapshot_get_string (self->snap, s->reason);
        if (reason && *reason && s->state != TA_STATE_RUNNING)
          return g_strdup_printf ("%s: %s", ta_state_label (s->state), reason);
        return g_strdup (ta_state_label (s->state));
      }
    default:
      return g_strdup (ta_state_label (s->state));
    }
}

static TaColor
span_color (TaTimeline *self, const TaTrackKey *key, const TaSpan *s)
{
  TaColor c = self->state_colors[s->state < TA_N_STATES ? s->state : 0];
  if (key->kind == TA_TRACK_REGIONS)
    {
      /* Alternate the shade by depth so nested regions read apart. */
      float k = (key->sub % 2) ? 0.8f : 1.0f;
      c.r *= k, c.g *= k, c.b *= k;
    }
  return c;
}

/* Draws one state row from columns: colour-mixed per pixel, runs merged. */
static void
draw_row_columns (TaTimeline *self, GtkSnapshot *snapshot, const Row *row, double y,
                  const TaViewport *vp, guint ncols)
{
  double x0 = GUTTER_W;
  guint c = 0;

  if (!ta_snapshot_query_track (self->snap, &row->key, vp->start, vp->end, ncols, self->cols))
    return;
  while (c < ncols)
    {
      TaColor col;
      guint run = 1;
      if (!ta_color_mix (self->cols[c].time, self->state_colors, TA_N_STATES,
                         self->cols[c].end - self->cols[c].start, 0.35f, &col))
        {
          c++;
          continue;
        }
      while (c + run < ncols)
        {
          TaColor next;
          if (!ta_color_mix (self->cols[c + run].time, self->state_colors, TA_N_STATES,
                             self->cols[c + run].end - self->cols[c + run].start, 0.35f, &next)
              || fabsf (next.r - col.r) > 0.01f || fabsf (next.g - col.g) > 0.01f
              || fabsf (next.b - col.b) > 0.01f || fabsf (next.a - col.a) > 0.01f)
            break;
          run++;
        }
      fill (snapshot, rgba (col), x0 + c, y, run, row->height);
      c += run;
    }
}

/* Draws one state row from exact spans: spans of a pixel or more as boxes
 * (labelled when wide), thinner ones merged per pixel column by coverage. */
static void
draw_row_spans (TaTimeline *self, GtkSnapshot *snapshot, const Row *row, double y,
                const TaViewport *vp, const TaSpan *spans, gsize n, guint ncols)
{
  double nspp = ta_viewport_ns_per_px (vp);
  gint64 *cov = self->cov;
  gboolean any_thin = FALSE;
  gsize i = 0;

  /* Skip spans ending before the view (binary search). */
  {
    gsize lo = 0, hi = n;
    while (lo < hi)
      {
        gsize mid = lo + (hi - lo) / 2;
        if (spans[mid].end <= vp->start)
          lo = mid + 1;
        else
          hi = mid;
      }
    i = lo;
  }
  memset (cov, 0, sizeof (gint64) * ncols * TA_N_STATES);
  for (; i < n && spans[i].start < vp->end; i++)
    {
      const TaSpan *s = &spans[i];
      double xa = ta_viewport_time_to_x (vp, s->start), xb = ta_viewport_time_to_x (vp, s->end);
      TaColor col;

      if (s->state == TA_STATE_NONE || s->state >= TA_N_STATES || s->end <= vp->start)
        continue;
      col = span_color (self, &row->key, s);
      if (col.a <= 0)
        continue;
      if (xb - xa >= 1.0)
        {
          double ca = MAX (xa, 0), cb = MIN (xb, (double)ncols);
          fill (snapshot, rgba (col), GUTTER_W + ca, y, cb - ca, row->height);
          if (cb - ca > LABEL_MIN_PX && row->height >= 12)
            {
              g_autofree char *label = span_label (self, &row->key, s);
              GdkRGBA tc = { 0, 0, 0, 0.85f };
              if (label && *label)
                {
                  PangoLayout *lay = row->height >= TRACK_H ? self->layout : self->small_layout;
                  draw_text (self, snapshot, lay, label, GUTTER_W + ca + 3,
                             y + (row->height >= TRACK_H ? 2 : 0), cb - ca - 6, tc);
                }
            }
        }
      else
        {
          /* Sub-pixel: accumulate into the columns it touches. */
          gint64 a = MAX (s->start, vp->start), b = MIN (s->end, vp->end);
          guint c0 = (guint)MIN ((double)(a - vp->start) / nspp, ncols - 1);
          guint c1 = (guint)MIN ((double)(b - 1 - vp->start) / nspp, ncols - 1);
          for (guint c = c0; c <= c1; c++)
            {
              gint64 cs = vp->start + (gint64)(c * nspp), ce = vp->start + (gint64)((c + 1) * nspp);
              gint64 ov = MIN (b, ce) - MAX (a, cs);
              cov[c * TA_N_STATES + s->state] += MAX (ov, 1);
            }
          any_thin = TRUE;
        }
    }
  if (any_thin)
    for (guint c = 0; c < ncols; c++)
      {
        TaColor col;
        if (ta_color_mix (&cov[c * TA_N_STATES], self->state_colors, TA_N_STATES,
                          (gint64)MAX (nspp, 1), 0.35f, &col))
          fill (snapshot, rgba (col), GUTTER_W + c, y, 1, row->height);
      }
}

static void
draw_metric_row (TaTimeline *self, GtkSnapshot *snapshot, const Row *row, double y,
                 const TaViewport *vp, guint ncols)
{
  TaMetric metrics[TA_N_METRICS];
  guint nm = ta_track_metrics (row->key.kind, metrics);
  g_autofree TaMetricColumn *mc = g_new0 (TaMetricColumn, (gsize)ncols * MAX (nm, 1));
  gint64 vmax = 1;
  cairo_t *cr;
  gboolean stacked = row->key.kind == TA_TRACK_GOROUTINES;

  for (guint m = 0; m < nm; m++)
    {
      if (!ta_snapshot_query_metric (self->snap, metrics[m], vp->start, vp->end, ncols, mc + m * ncols))
        memset (mc + m * ncols, 0, sizeof (TaMetricColumn) * ncols);
    }
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

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT ((float)GUTTER_W, (float)y,
                                                                 (float)ncols, row->height));
  cairo_translate (cr, GUTTER_W, y);
  if (stacked)
    {
      /* Goroutines by state: stacked columns of each state's maximum. */
      for (guint c = 0; c < ncols; c++)
        {
          double base = row->height;
          for (guint m = 0; m < nm; m++)
            {
              TaMetricColumn *x = &mc[m * ncols + c];
              TaColor col = self->metric_colors[metrics[m]];
              double h;
              if (!x->valid || x->max <= 0)
                continue;
              h = (double)x->max / (double)vmax * (row->height - 2);
              cairo_set_source_rgba (cr, col.r, col.g, col.b, 0.9);
              cairo_rectangle (cr, c, base - h, 1, h);
              cairo_fill (cr);
              base -= h;
            }
        }
    }
  else
    {
      for (guint m = 0; m < nm; m++)
        {
          TaColor col = self->metric_colors[metrics[m]];
          gboolean first = TRUE, area = m == 0 && row->key.kind == TA_TRACK_HEAP;
          double last_y = row->height;
          /* min/max band per column, then a line through the last values. */
          for (guint c = 0; c < ncols; c++)
            {
              TaMetricColumn *x = &mc[m * ncols + c];
              double ya, yb;
              if (!x->valid)
                continue;
              ya = row->height - 1 - (double)x->max / (double)vmax * (row->height - 3);
              yb = row->height - 1 - (double)x->min / (double)vmax * (row->height - 3);
              cairo_set_source_rgba (cr, col.r, col.g, col.b, area ? 0.35 : 0.9);
              if (area)
                cairo_rectangle (cr, c, ya, 1, row->height - ya);
              else
                cairo_rectangle (cr, c, ya, 1, MAX (yb - ya, 1));
              cairo_fill (cr);
              if (!first && !area)
                {
                  cairo_move_to (cr, c - 0.5, last_y);
                  cairo_line_to (cr, c + 0.5, ya);
                }
              last_y = row->height - 1 - (double)x->last / (double)vmax * (row->height - 3);
              first = FALSE;
            }
          cairo_set_line_width (cr, 1);
          cairo_stroke (cr);
        }
    }
  cairo_destroy (cr);

  {
    g_autofree char *max_text = row->key.kind == TA_TRACK_HEAP ? g_format_size ((guint64)vmax)
                                                              : g_strdup_printf ("%" G_GINT64_FORMAT, vmax);
    draw_text (self, snapshot, self->small_layout, max_text, GUTTER_W + ncols - 80, y, 76, fg_color (self, 0.6f));
  }
}

/* CPU sample ticks on goroutine, proc and thread rows. */
static void
draw_cpu_ticks (TaTimeline *self, GtkSnapshot *snapshot, const TaViewport *vp,
                GHashTable *visible, double y_off)
{
  guint64 n = ta_snapshot_get_n_cpu_samples (self->snap);
  guint64 i = ta_snapshot_lower_bound_cpu_sample (self->snap, vp->start);
  guint drawn = 0;
  GdkRGBA c = rgba (self->cpu_color);

  for (; i < n && drawn < MAX_CPU_TICKS; i++)
    {
      TaCpuSample s;
      double x;
      TaTrackKey keys[3];
      if (!ta_snapshot_get_cpu_sample (self->snap, i, &s) || s.time >= vp->end)
        break;
      x = GUTTER_W + ta_viewport_time_to_x (vp, s.time);
      keys[0] = (TaTrackKey){ TA_TRACK_GOROUTINE, 0, s.g };
      keys[1] = (TaTrackKey){ TA_TRACK_PROC, 0, s.p };
      keys[2] = (TaTrackKey){ TA_TRACK_THREAD, 0, s.m };
      for (guint k = 0; k < 3; k++)
        {
          gpointer v = g_hash_table_lookup (visible, &keys[k]);
          if (v)
            {
              const Row *r = &g_array_index (self->rows, Row, GPOINTER_TO_UINT (v) - 1);
              fill (snapshot, c, x, RULER_H + r->top - y_off + r->height - 5, 1, 5);
              drawn++;
            }
        }
    }
}

static void
draw_heavy (TaTimeline *self, GtkSnapshot *snapshot, int width, int height)
{
  TaViewport vp = current_viewport (self);
  guint ncols = (guint)MAX (canvas_width (self), 1);
  double y_off = scroll_y (self);
  g_autoptr (GHashTable) visible = g_hash_table_new (key_hash, key_equal_cb);
  GdkRGBA header_bg = self->dark ? (GdkRGBA){ 1, 1, 1, 0.08f } : (GdkRGBA){ 0, 0, 0, 0.06f };
  GdkRGBA stripe = self->dark ? (GdkRGBA){ 1, 1, 1, 0.025f } : (GdkRGBA){ 0, 0, 0, 0.02f };
  int first;

  if (self->n_cols_alloc < ncols)
    {
      self->cols = g_renew (TaColumn, self->cols, ncols);
      self->n_cols_alloc = ncols;
    }
  self->cov = g_renew (gint64, self->cov, (gsize)ncols * TA_N_STATES);

  gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (0, RULER_H, width, height - RULER_H));
  first = row_at_y (self, RULER_H);
  if (first < 0)
    first = 0;
  /* row_at_y returns -1 in gaps: step back to the row above the top edge. */
  while (first > 0 && g_array_index (self->rows, Row, first).top > y_off)
    first--;

  for (guint i = (guint)first; i < self->rows->len; i++)
    {
      const Row *r = &g_array_index (self->rows, Row, i);
      double y = RULER_H + r->top - y_off;
      if (y > height)
        break;
      if (y + r->height < RULER_H)
        continue;

      if (r->type == ROW_HEADER || r->type == ROW_SUBHEADER)
        {
          g_autofree char *text = NULL;
          if (r->type == ROW_HEADER)
            text = g_strdup_printf ("%s %s  (%u)", self->collapsed[r->group] ? "▸" : "▾",
                                    group_names[r->group], r->count);
          else
            text = g_strdup_printf ("%s  (%u)", ta_snapshot_get_string (self->snap, r->func), r->count);
          fill (snapshot, header_bg, 0, y, width, r->height);
          draw_text (self, snapshot, r->type == ROW_HEADER ? self->layout : self->small_layout, text,
                     r->type == ROW_HEADER ? 6 : 18, y + (r->type == ROW_HEADER ? 4 : 2),
                     width - 12, fg_color (self, r->type == ROW_HEADER ? 0.9f : 0.7f));
          continue;
        }

      if (i % 2)
        fill (snapshot, stripe, GUTTER_W, y, ncols, r->height);
      if (r->key.kind == TA_TRACK_GOROUTINE || r->key.kind == TA_TRACK_PROC
          || r->key.kind == TA_TRACK_THREAD)
        g_hash_table_insert (visible, (gpointer)&r->key, GUINT_TO_POINTER (i + 1));

      gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT ((float)GUTTER_W, (float)y, (float)ncols, r->height));
      if (r->is_metric)
        draw_metric_row (self, snapshot, r, y, &vp, ncols);
      else
        {
          gsize n;
          const TaSpan *spans = window_spans_for (self, &r->key, vp.start, vp.end, &n);
          if (spans || (self->window && window_track_index (self, &r->key) >= 0
                        && ta_window_get_start (self->window) <= vp.start
                        && ta_window_get_end (self->window) >= vp.end))
            draw_row_spans (self, snapshot, r, y, &vp, spans, n, ncols);
          else
            draw_row_columns (self, snapshot, r, y, &vp, ncols);
        }
      gtk_snapshot_pop (snapshot);

      /* The label in the gutter. */
      {
        g_autofree char *label = ta_snapshot_dup_track_label (self->snap, &r->key);
        PangoLayout *lay = r->height >= TRACK_H ? self->layout : self->small_layout;
        draw_text (self, snapshot, lay, label ? label : "", 8 + r->indent * 12,
                   y + (r->height >= TRACK_H ? 2 : 0), GUTTER_W - 12 - r->indent * 12,
                   fg_color (self, r->key.kind == TA_TRACK_REGIONS ? 0.6f : 0.85f));
      }
    }
  if (ta_snapshot_get_n_cpu_samples (self->snap))
    draw_cpu_ticks (self, snapshot, &vp, visible, y_off);
  gtk_snapshot_pop (snapshot);
}

/* ---- drawing: ruler and overlay ------------------------------------------ */

static void
draw_ruler (TaTimeline *self, GtkSnapshot *snapshot, int width)
{
  TaViewport vp = current_viewport (self);
  gint64 origin = self->snap ? ta_snapshot_get_start (self->snap) : 0;
  gint64 step = ta_tick_step (vp.end - vp.start, vp.width, 110);
  gint64 t = ta_tick_first (vp.start, origin, step);
  GdkRGBA bg = self->dark ? (GdkRGBA){ 0.14f, 0.14f, 0.15f, 1 } : (GdkRGBA){ 0.96f, 0.96f, 0.96f, 1 };
  GdkRGBA line = fg_color (self, 0.25f), grid = fg_color (self, 0.07f);
  /* Deep zooms make absolute labels long: label the first tick in full and
   * the rest relative to it. */
  gboolean relative = (t - origin) / MAX (step, 1) > 1000;
  gint64 anchor = t;
  int k = 0;

  fill (snapshot, bg, 0, 0, width, RULER_H);
  fill (snapshot, line, 0, RULER_H - 1, width, 1);
  for (; t <= vp.end && k < 1000; t += step, k++)
    {
      double x = GUTTER_W + ta_viewport_time_to_x (&vp, t);
      g_autofree char *label = NULL;
      if (x < GUTTER_W)
        continue;
      fill (snapshot, line, x, RULER_H - 8, 1, 8);
      fill (snapshot, grid, x, RULER_H, 1, 100000);
      for (int m = 1; m < 5; m++)
        {
          double xm = GUTTER_W + ta_viewport_time_to_x (&vp, t + step * m / 5);
          fill (snapshot, line, xm, RULER_H - 4, 1, 4);
        }
      if (relative && t != anchor)
        label = ta_format_tick_delta (t - anchor, step);
      else
        label = ta_format_tick_label (t - origin, step);
      draw_text (self, snapshot, self->small_layout, label, x + 3, 3, 106, fg_color (self, 0.8f));
    }
  /* Gutter corner: the visible span. */
  {
    g_autofree char *span = ta_format_duration (vp.end - vp.start);
    g_autofree char *text = g_strdup_printf ("view %s", span);
    fill (snapshot, bg, 0, 0, GUTTER_W, RULER_H - 1);
    draw_text (self, snapshot, self->small_layout, text, 8, 8, GUTTER_W - 12, fg_color (self, 0.6f));
    fill (snapshot, line, GUTTER_W - 1, 0, 1, RULER_H);
  }
}

static void
draw_overlay (TaTimeline *self, GtkSnapshot *snapshot, int width, int height)
{
  TaViewport vp = current_viewport (self);
  gint64 s0, s1;
  double y_off = scroll_y (self);

  /* Selection: shaded range and its duration in the ruler. */
  if (self->session && ta_session_get_selection (self->session, &s0, &s1))
    {
      double xa = GUTTER_W + ta_viewport_time_to_x (&vp, s0);
      double xb = GUTTER_W + ta_viewport_time_to_x (&vp, s1);
      GdkRGBA shade = { 0.21f, 0.52f, 0.89f, 0.15f }, edge = { 0.21f, 0.52f, 0.89f, 0.9f };
      g_autofree char *d = ta_format_duration (s1 - s0);
      xa = MAX (xa, GUTTER_W);
      xb = MIN (xb, width);
      if (xb > xa)
        {
          fill (snapshot, shade, xa, 0, xb - xa, height);
          fill (snapshot, edge, xa, 0, 1, height);
          fill (snapshot, edge, xb - 1, 0, 1, height);
          fill (snapshot, edge, xa, RULER_H - 12, xb - xa, 12);
          draw_text (self, snapshot, self->small_layout, d, MAX (xa, (xa + xb) / 2 - 40), RULER_H - 14,
                     120, (GdkRGBA){ 1, 1, 1, 1 });
        }
    }

  /* Selected span outline. */
  if (self->has_selected_span && self->selected_row >= 0 && self->selected_row < (int)self->rows->len)
    {
      const Row *r = &g_array_index (self->rows, Row, self->selected_row);
      double xa = MAX (GUTTER_W + ta_viewport_time_to_x (&vp, self->selected_span.start), GUTTER_W - 2);
      double xb = MIN (GUTTER_W + ta_viewport_time_to_x (&vp, self->selected_span.end), width + 2);
      double y = RULER_H + r->top - y_off;
      GdkRGBA c = fg_color (self, 1);
      GskRoundedRect rr;
      float w[4] = { 2, 2, 2, 2 };
      GdkRGBA cs[4] = { c, c, c, c };
      gsk_rounded_rect_init_from_rect (&rr, &GRAPHENE_RECT_INIT ((float)xa - 1, (float)y - 1,
                                                                 (float)MAX (xb - xa, 1) + 2, r->height + 2), 0);
      if (xb >= GUTTER_W && y + r->height > RULER_H)
        gtk_snapshot_append_border (snapshot, &rr, w, cs);
    }

  /* Hover: row highlight, span outline and the cursor line. */
  if (self->pointer_in && self->pointer_x >= GUTTER_W)
    {
      if (self->hover_row >= 0 && self->hover_row < (int)self->rows->len)
        {
          const Row *r = &g_array_index (self->rows, Row, self->hover_row);
          double y = RULER_H + r->top - y_off;
          fill (snapshot, fg_color (self, 0.06f), 0, y, GUTTER_W, r->height);
          if (self->hover_has_span)
            {
              double xa = MAX (GUTTER_W + ta_viewport_time_to_x (&vp, self->hover_span.start), GUTTER_W);
              double xb = MIN (GUTTER_W + ta_viewport_time_to_x (&vp, self->hover_span.end), width);
              GdkRGBA c = fg_color (self, 0.7f);
              GskRoundedRect rr;
              float w[4] = { 1, 1, 1, 1 };
              GdkRGBA cs[4] = { c, c, c, c };
              gsk_rounded_rect_init_from_rect (&rr, &GRAPHENE_RECT_INIT ((float)xa, (float)y,
                                                                         (float)MAX (xb - xa, 1), r->height), 0);
              gtk_snapshot_append_border (snapshot, &rr, w, cs);
            }
        }
      fill (snapshot, fg_color (self, 0.35f), self->pointer_x, 0, 1, height);
      {
        gint64 t = ta_viewport_x_to_time (&vp, self->pointer_x - GUTTER_W);
        g_autofree char *label = ta_format_duration (t - (self->snap ? ta_snapshot_get_start (self->snap) : 0));
        GdkRGBA bg = self->dark ? (GdkRGBA){ 0.2f, 0.2f, 0.2f, 0.95f } : (GdkRGBA){ 1, 1, 1, 0.95f };
        fill (snapshot, bg, self->pointer_x + 2, RULER_H - 15, 90, 14);
        draw_text (self, snapshot, self->small_layout, label, self->pointer_x + 4, RULER_H - 16, 86,
                   fg_color (self, 0.9f));
      }
    }

  /* Indexing frontier: what lies past it is not known yet. */
  if (self->snap && !ta_snapshot_is_complete (self->snap))
    {
      double x = GUTTER_W + ta_viewport_time_to_x (&vp, ta_snapshot_get_end (self->snap));
      if (x < width)
        fill (snapshot, fg_color (self, 0.08f), MAX (x, GUTTER_W), RULER_H, width - MAX (x, GUTTER_W), height);
    }
}

static void
ta_timeline_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  TaTimeline *self = TA_TIMELINE (widget);
  int width = gtk_widget_get_width (widget), height = gtk_widget_get_height (widget);
  TaViewport vp = current_viewport (self);
  double y_off = scroll_y (self);

  self->n_frames++;
  if (!self->snap)
    return;

  if (!self->heavy || self->heavy_t0 != vp.start || self->heavy_t1 != vp.end || self->heavy_w != width
      || self->heavy_h != height || self->heavy_scroll != y_off || self->heavy_snap != self->snap
      || self->heavy_window != self->window || self->heavy_layout_serial != self->layout_serial)
    {
      GtkSnapshot *s = gtk_snapshot_new ();
      g_clear_pointer (&self->heavy, gsk_render_node_unref);
      draw_heavy (self, s, width, height);
      draw_ruler (self, s, width);
      self->heavy = gtk_snapshot_free_to_node (s);
      self->heavy_t0 = vp.start;
      self->heavy_t1 = vp.end;
      self->heavy_w = width;
      self->heavy_h = height;
      self->heavy_scroll = y_off;
      self->heavy_snap = self->snap;
      self->heavy_window = self->window;
      self->heavy_layout_serial = self->layout_serial;
      schedule_window_request (self);
    }
  if (self->heavy)
    gtk_snapshot_append_node (snapshot, self->heavy);
  draw_overlay (self, snapshot, width, height);
}

/* ---- hit testing ----------------------------------------------------------- */

/* Finds the exact span under (x, y) when detail is resident. */
static gboolean
span_at (TaTimeline *self, int row, double x, TaSpan *out)
{
  TaViewport vp = current_viewport (self);
  const Row *r;
  const TaSpan *spans;
  gsize n, lo = 0, hi;
  gint64 t, slop;
  gint64 best_d = G_MAXINT64;
  gboolean found = FALSE;

  if (row < 0 || row >= (int)self->rows->len)
    return FALSE;
  r = &g_array_index (self->rows, Row, row);
  if (r->type != ROW_TRACK || r->is_metric)
    return FALSE;
  spans = window_spans_for (self, &r->key, vp.start, vp.end, &n);
  if (!spans || !n)
    return FALSE;
  t = ta_viewport_x_to_time (&vp, x - GUTTER_W);
  slop = (gint64)(ta_viewport_ns_per_px (&vp) * 3);
  hi = n;
  while (lo < hi)
    {
      gsize mid = lo + (hi - lo) / 2;
      if (spans[mid].end <= t - slop)
        lo = mid + 1;
      else
        hi = mid;
    }
  for (gsize i = lo; i < n && spans[i].start <= t + slop; i++)
    {
      gint64 d;
      if (spans[i].state == TA_STATE_NONE || spans[i].state == TA_STATE_PROC_IDLE)
        continue;
      if (t >= spans[i].start && t < spans[i].end)
        {
          *out = spans[i];
          return TRUE;
        }
      d = t < spans[i].start ? spans[i].start - t : t - spans[i].end + 1;
      if (d < best_d)
        {
          best_d = d;
          *out = spans[i];
          found = TRUE;
        }
    }
  return found;
}

static void
update_hover (TaTimeline *self)
{
  int row = self->pointer_in ? row_at_y (self, self->pointer_y) : -1;
  TaSpan s;
  gboolean has = row >= 0 && self->pointer_x >= GUTTER_W && span_at (self, row, self->pointer_x, &s);

  self->hover_row = row;
  self->hover_has_span = has;
  if (has)
    self->hover_span = s;
  /* Overlay only: the heavy node is reused. */
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static gboolean
query_tooltip_cb (GtkWidget *widget, int x, int y, gboolean keyboard, GtkTooltip *tooltip, gpointer data)
{
  TaTimeline *self = TA_TIMELINE (widget);
  int row = row_at_y (self, y);
  const Row *r;
  TaViewport vp = current_viewport (self);
  GString *s;
  TaSpan span;

  if (row < 0 || x < GUTTER_W || !self->snap)
    return FALSE;
  r = &g_array_index (self->rows, Row, row);
  if (r->type != ROW_TRACK)
    return FALSE;
  s = g_string_new (NULL);
  {
    g_autofree char *label = ta_snapshot_dup_track_label (self->snap, &r->key);
    g_string_append_printf (s, "<b>%s</b>\n", label ? label : "");
  }
  if (r->is_metric)
    {
      TaMetric metrics[TA_N_METRICS];
      guint nm = ta_track_metrics (r->key.kind, metrics);
      gint64 t = ta_viewport_x_to_time (&vp, x - GUTTER_W);
      for (guint m = 0; m < nm; m++)
        {
          TaMetricColumn mc;
          if (ta_snapshot_query_metric (self->snap, metrics[m], t, t + MAX ((gint64)ta_viewport_ns_per_px (&vp), 1), 1, &mc)
              && mc.valid)
            {
              g_autofree char *v = r->key.kind == TA_TRACK_HEAP ? g_format_size ((guint64)mc.last)
                                                               : g_strdup_printf ("%" G_GINT64_FORMAT, mc.last);
              g_string_append_printf (s, "%s: %s\n", ta_metric_label (metrics[m]), v);
            }
        }
    }
  else if (span_at (self, row, x, &span))
    {
      g_autofree char *dur = ta_format_duration (span.end - span.start);
      g_autofree char *start = ta_format_duration (span.start - ta_snapshot_get_start (self->snap));
      const char *reason = ta_snapshot_get_string (self->snap, span.reason);
      g_autofree char *esc_reason = g_markup_escape_text (reason ? reason : "", -1);
      g_string_append_printf (s, "%s for %s\nat %s", ta_state_label (span.state), dur, start);
      if (reason && *reason)
        g_string_append_printf (s, "\n%s: %s",
                                r->key.kind == TA_TRACK_GOROUTINE ? "reason" : "name", esc_reason);
      if (span.g != TA_ID_NONE && r->key.kind != TA_TRACK_GOROUTINE)
        {
          TaGoroutine g;
          if (ta_snapshot_find_goroutine (self->snap, span.g, &g, NULL))
            {
              g_autofree char *gl = ta_snapshot_dup_goroutine_label (self->snap, &g);
              g_autofree char *esc = g_markup_escape_text (gl, -1);
              g_string_append_printf (s, "\ngoroutine: %s", esc);
            }
        }
      if (span.stack)
        {
          g_autofree char *top = ta_snapshot_dup_stack_top (self->snap, span.stack);
          g_autofree char *esc = g_markup_escape_text (top ? top : "", -1);
          g_string_append_printf (s, "\n%s", esc);
        }
    }
  else
    {
      /* A merged area: span count and time per state in this pixel column. */
      TaColumn col;
      gint64 t = ta_viewport_x_to_time (&vp, floor (x - GUTTER_W));
      gint64 w = MAX ((gint64)ceil (ta_viewport_ns_per_px (&vp)), 1);
      if (ta_snapshot_query_track (self->snap, &r->key, t, t + w, 1, &col))
        {
          gint64 covered = 0;
          for (guint st = 1; st < TA_N_STATES; st++)
            covered += col.time[st];
          if (covered == 0 && col.n_spans == 0)
            {
              g_string_free (s, TRUE);
              return FALSE;
            }
          g_autofree char *cw = ta_format_duration (col.end - col.start);
          g_string_append_printf (s, "%" G_GUINT64_FORMAT " span%s in %s", col.n_spans,
                                  col.n_spans == 1 ? "" : "s", cw);
          for (guint st = 1; st < TA_N_STATES; st++)
            if (col.time[st] > 0)
              {
                g_autofree char *d = ta_format_duration (col.time[st]);
                g_string_append_printf (s, "\n%s: %s", ta_state_label (st), d);
              }
        }
    }
  gtk_tooltip_set_markup (tooltip, s->str);
  g_string_free (s, TRUE);
  return TRUE;
}

/* ---- input ------------------------------------------------------------------ */

static void
zoom_at (TaTimeline *self, double x, double factor)
{
  if (!self->session)
    return;
  ta_session_zoom_at (self->session, MAX (x - GUTTER_W, 0), canvas_width (self), factor);
}

static void
scroll_by (TaTimeline *self, double dy)
{
  gtk_adjustment_set_value (self->vadj, gtk_adjustment_get_value (self->vadj) + dy);
}

static gboolean
scroll_cb (GtkEventControllerScroll *ctl, double dx, double dy, TaTimeline *self)
{
  GdkModifierType mods = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (ctl));
  gboolean wheel = gtk_event_controller_scroll_get_unit (ctl) == GDK_SCROLL_UNIT_WHEEL;
  double step = wheel ? 60 : 1;

  if (mods & GDK_CONTROL_MASK)
    {
      /* Wheel clicks zoom by a fixed ratio; touchpads proportionally. */
      double f = wheel ? pow (1.25, -dy) : exp (-dy * 0.01);
      zoom_at (self, self->pointer_x, f);
      return TRUE;
    }
  if (mods & GDK_SHIFT_MASK)
    {
      ta_session_pan_px (self->session, (dy + dx) * step, canvas_width (self));
      return TRUE;
    }
  if (dx != 0)
    ta_session_pan_px (self->session, dx * step, canvas_width (self));
  if (dy != 0)
    scroll_by (self, dy * step);
  return TRUE;
}

static void
motion_cb (GtkEventControllerMotion *ctl, double x, double y, TaTimeline *self)
{
  self->pointer_x = x;
  self->pointer_y = y;
  self->pointer_in = TRUE;
  update_hover (self);
}

static void
leave_cb (GtkEventControllerMotion *ctl, TaTimeline *self)
{
  self->pointer_in = FALSE;
  self->hover_row = -1;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
drag_begin_cb (GtkGestureDrag *gesture, double x, double y, TaTimeline *self)
{
  GdkModifierType mods = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (gesture));
  TaViewport vp = current_viewport (self);

  gtk_widget_grab_focus (GTK_WIDGET (self));
  self->drag_start_x = x;
  self->drag_start_y = y;
  self->drag_view_t0 = vp.start;
  self->drag_view_t1 = vp.end;
  self->drag_scroll = scroll_y (self);
  if ((y < RULER_H || (mods & GDK_SHIFT_MASK)) && x >= GUTTER_W)
    {
      self->drag_mode = DRAG_SELECT;
      self->drag_sel_anchor = ta_viewport_x_to_time (&vp, x - GUTTER_W);
    }
  else
    self->drag_mode = DRAG_PAN;
}

static void
drag_update_cb (GtkGestureDrag *gesture, double ox, double oy, TaTimeline *self)
{
  if (!self->session)
    return;
  if (self->drag_mode == DRAG_SELECT)
    {
      TaViewport vp = current_viewport (self);
      gint64 t = ta_viewport_x_to_time (&vp, MAX (self->drag_start_x + ox - GUTTER_W, 0));
      if (fabs (ox) >= 2)
        ta_session_set_selection (self->session, self->drag_sel_anchor, t);
    }
  else if (self->drag_mode == DRAG_PAN)
    {
      TaViewport vp = { self->drag_view_t0, self->drag_view_t1, canvas_width (self) };
      gint64 lo, hi;
      ta_session_get_extent (self->session, &lo, &hi);
      ta_viewport_pan_px (&vp, -ox, lo, hi);
      ta_session_set_view (self->session, vp.start, vp.end, FALSE);
      gtk_adjustment_set_value (self->vadj, self->drag_scroll - oy);
    }
}

static void
toggle_group (TaTimeline *self, Group g)
{
  self->collapsed[g] = !self->collapsed[g];
  ta_timeline_rebuild_layout (self);
}

static void
activate_at (TaTimeline *self, double x, double y)
{
  int row = row_at_y (self, y);
  const Row *r;
  TaSpan span;
  TaViewport vp = current_viewport (self);

  if (row < 0)
    return;
  r = &g_array_index (self->rows, Row, row);
  if (r->type == ROW_HEADER)
    {
      toggle_group (self, r->group);
      return;
    }
  if (r->type != ROW_TRACK)
    return;
  if (x < GUTTER_W)
    {
      g_signal_emit (self, signals[SIG_ROW_ACTIVATED], 0, &r->key);
      return;
    }
  if (span_at (self, row, x, &span))
    {
      self->selected_row = row;
      self->has_selected_span = TRUE;
      self->selected_span = span;
      gtk_widget_queue_draw (GTK_WIDGET (self));
      g_signal_emit (self, signals[SIG_SPAN_ACTIVATED], 0, &r->key, &span,
                     ta_viewport_x_to_time (&vp, x - GUTTER_W));
    }
  else
    {
      self->has_selected_span = FALSE;
      gtk_widget_queue_draw (GTK_WIDGET (self));
      g_signal_emit (self, signals[SIG_SPAN_ACTIVATED], 0, &r->key, NULL,
                     ta_viewport_x_to_time (&vp, x - GUTTER_W));
    }
}

static void
drag_end_cb (GtkGestureDrag *gesture, double ox, double oy, TaTimeline *self)
{
  if (fabs (ox) < 3 && fabs (oy) < 3 && self->drag_mode != DRAG_NONE)
    {
      if (self->drag_mode == DRAG_SELECT && self->session)
        ta_session_clear_selection (self->session);
      else
        activate_at (self, self->drag_start_x, self->drag_start_y);
    }
  else if (self->drag_mode == DRAG_PAN && self->session)
    {
      /* Remember where a drag started so Alt+Left goes back to it. */
      gint64 a, b;
      ta_session_get_view (self->session, &a, &b);
      ta_session_set_view (self->session, self->drag_view_t0, self->drag_view_t1, FALSE);
      ta_session_set_view (self->session, a, b, TRUE);
    }
  self->drag_mode = DRAG_NONE;
}

static void
zoom_begin_cb (GtkGesture *gesture, GdkEventSequence *seq, TaTimeline *self)
{
  if (self->session)
    ta_session_get_view (self->session, &self->zoom_view_t0, &self->zoom_view_t1);
}

static void
zoom_scale_cb (GtkGestureZoom *gesture, double scale, TaTimeline *self)
{
  double cx, cy;
  TaViewport vp;
  gint64 lo, hi;

  if (!self->session || scale <= 0)
    return;
  gtk_gesture_get_bounding_box_center (GTK_GESTURE (gesture), &cx, &cy);
  vp = (TaViewport){ self->zoom_view_t0, self->zoom_view_t1, canvas_width (self) };
  ta_session_get_extent (self->session, &lo, &hi);
  ta_viewport_zoom_at (&vp, MAX (cx - GUTTER_W, 0), scale, ta_session_get_min_span (self->session), lo, hi);
  ta_session_set_view (self->session, vp.start, vp.end, FALSE);
}

/* ---- actions ---------------------------------------------------------------- */

static void
action_zoom (GtkWidget *widget, const char *name, GVariant *param)
{
  TaTimeline *self = TA_TIMELINE (widget);
  double x = self->pointer_in && self->pointer_x > GUTTER_W ? self->pointer_x
                                                            : GUTTER_W + canvas_width (self) / 2;
  zoom_at (self, x, g_str_equal (name, "timeline.zoom-in") ? 1.5 : 1 / 1.5);
}

static void
action_pan (GtkWidget *widget, const char *name, GVariant *param)
{
  TaTimeline *self = TA_TIMELINE (widget);
  double w = canvas_width (self);
  if (self->session)
    ta_session_pan_px (self->session, g_str_equal (name, "timeline.pan-left") ? -w / 8 : w / 8, w);
}

static void
action_scroll (GtkWidget *widget, const char *name, GVariant *param)
{
  TaTimeline *self = TA_TIMELINE (widget);
  scroll_by (self, g_str_equal (name, "timeline.scroll-up") ? -TRACK_H * 3 : TRACK_H * 3);
}

static void
action_fit (GtkWidget *widget, const char *name, GVariant *param)
{
  TaTimeline *self = TA_TIMELINE (widget);
  if (self->session)
    ta_session_fit (self->session);
}

static void
action_zoom_selection (GtkWidget *widget, const char *name, GVariant *param)
{
  TaTimeline *self = TA_TIMELINE (widget);
  if (self->session)
    ta_session_zoom_to_selection (self->session);
}

static void
action_clear_selection (GtkWidget *widget, const char *name, GVariant *param)
{
  TaTimeline *self = TA_TIMELINE (widget);
  if (self->session)
    ta_session_clear_selection (self->session);
  self->has_selected_span = FALSE;
  gtk_widget_queue_draw (widget);
}

static void
action_select_range (GtkWidget *widget, const char *name, GVariant *param)
{
  TaTimeline *self = TA_TIMELINE (widget);
  gint64 a, b;
  g_variant_get (param, "(xx)", &a, &b);
  if (self->session)
    ta_session_set_selection (self->session, a, b);
}

static void
action_set_view (GtkWidget *widget, const char *name, GVariant *param)
{
  TaTimeline *self = TA_TIMELINE (widget);
  gint64 a, b;
  g_variant_get (param, "(xx)", &a, &b);
  if (self->session)
    ta_session_set_view (self->session, a, b, TRUE);
}

static void
action_history (GtkWidget *widget, const char *name, GVariant *param)
{
  TaTimeline *self = TA_TIMELINE (widget);
  if (!self->session)
    return;
  if (g_str_equal (name, "timeline.back"))
    ta_session_go_back (self->session);
  else
    ta_session_go_forward (self->session);
}

static void
action_toggle_group (GtkWidget *widget, const char *name, GVariant *param)
{
  TaTimeline *self = TA_TIMELINE (widget);
  const char *g = g_variant_get_string (param, NULL);
  for (guint i = 0; i < N_GROUPS; i++)
    if (g_ascii_strcasecmp (g, group_names[i]) == 0)
      toggle_group (self, i);
}

/* Clicks the span at a time on a track: what a click does, for tests and
 * keyboard users ("(uxxx)": kind, sub, id, time). */
static void
action_activate_at (GtkWidget *widget, const char *name, GVariant *param)
{
  TaTimeline *self = TA_TIMELINE (widget);
  guint32 kind, sub;
  gint64 id, t;
  TaTrackKey key;
  TaViewport vp = current_viewport (self);

  g_variant_get (param, "(uuxx)", &kind, &sub, &id, &t);
  key = (TaTrackKey){ kind, sub, id };
  for (guint i = 0; i < self->rows->len; i++)
    {
      Row *r = &g_array_index (self->rows, Row, i);
      if (r->type == ROW_TRACK && key_equal (&r->key, &key))
        {
          ta_timeline_reveal_track (self, &key);
          activate_at (self, GUTTER_W + ta_viewport_time_to_x (&vp, t),
                       RULER_H + r->top - scroll_y (self) + r->height / 2);
          return;
        }
    }
}

/* ---- public ----------------------------------------------------------------- */

static void
snapshot_published_cb (TaDocument *doc, TaSnapshot *snap, TaTimeline *self)
{
  gint64 start, end;

  if (self->snap == snap)
    return;
  g_clear_pointer (&self->snap, ta_snapshot_unref);
  self->snap = ta_snapshot_ref (snap);
  start = ta_snapshot_get_start (snap);
  end = ta_snapshot_get_end (snap);
  if (self->session)
    ta_session_set_extent (self->session, start, MAX (end, start + 1));
  ta_timeline_rebuild_layout (self);
}

void
ta_timeline_set_document (TaTimeline *self, TaDocument *doc)
{
  g_autoptr (TaSnapshot) snap = NULL;

  g_return_if_fail (TA_IS_TIMELINE (self));
  if (self->doc == doc)
    return;
  g_clear_signal_handler (&self->snap_handler, self->doc);
  g_clear_object (&self->doc);
  g_clear_pointer (&self->snap, ta_snapshot_unref);
  if (doc)
    {
      self->doc = g_object_ref (doc);
      self->snap_handler = g_signal_connect (doc, "snapshot-published", G_CALLBACK (snapshot_published_cb), self);
      snap = ta_document_dup_snapshot (doc);
      if (snap)
        snapshot_published_cb (doc, snap, self);
    }
  ta_timeline_rebuild_layout (self);
}

static void
view_changed_cb (TaTimeline *self)
{
  self->hover_has_span = FALSE;
  if (self->pointer_in)
    update_hover (self);
  invalidate_heavy (self);
}

static void
selection_changed_cb (TaTimeline *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
ta_timeline_set_session (TaTimeline *self, TaSession *session)
{
  g_return_if_fail (TA_IS_TIMELINE (self));
  if (self->session)
    {
      g_clear_signal_handler (&self->view_handler, self->session);
      g_clear_signal_handler (&self->sel_handler, self->session);
    }
  g_set_object (&self->session, session);
  if (session)
    {
      self->view_handler = g_signal_connect_swapped (session, "view-changed", G_CALLBACK (view_changed_cb), self);
      self->sel_handler = g_signal_connect_swapped (session, "selection-changed", G_CALLBACK (selection_changed_cb), self);
    }
  invalidate_heavy (self);
}

TaSession *
ta_timeline_get_session (TaTimeline *self)
{
  return self->session;
}

GtkAdjustment *
ta_timeline_get_vadjustment (TaTimeline *self)
{
  return self->vadj;
}

void
ta_timeline_set_goroutine_sort (TaTimeline *self, TaGoroutineSort sort)
{
  g_return_if_fail (TA_IS_TIMELINE (self));
  if (self->sort == sort)
    return;
  self->sort = sort;
  ta_timeline_rebuild_layout (self);
}

void
ta_timeline_set_group_by_function (TaTimeline *self, gboolean group)
{
  g_return_if_fail (TA_IS_TIMELINE (self));
  if (self->group_by_func == !!group)
    return;
  self->group_by_func = !!group;
  ta_timeline_rebuild_layout (self);
}

gboolean
ta_timeline_reveal_track (TaTimeline *self, const TaTrackKey *key)
{
  Group g;

  g_return_val_if_fail (TA_IS_TIMELINE (self), FALSE);
  switch (key->kind)
    {
    case TA_TRACK_PROC: g = GROUP_PROCS; break;
    case TA_TRACK_THREAD: g = GROUP_THREADS; break;
    case TA_TRACK_GOROUTINE:
    case TA_TRACK_REGIONS: g = GROUP_GOROUTINES; break;
    case TA_TRACK_TASKS: g = GROUP_TASKS; break;
    default: g = GROUP_OVERVIEW; break;
    }
  if (self->collapsed[g])
    {
      self->collapsed[g] = FALSE;
      ta_timeline_rebuild_layout (self);
    }
  for (guint i = 0; i < self->rows->len; i++)
    {
      Row *r = &g_array_index (self->rows, Row, i);
      if (r->type == ROW_TRACK && key_equal (&r->key, key))
        {
          double page = gtk_adjustment_get_page_size (self->vadj);
          double v = gtk_adjustment_get_value (self->vadj);
          if (r->top < v || r->top + r->height > v + page)
            gtk_adjustment_set_value (self->vadj, MAX (r->top - page / 3, 0));
          self->revealed = *key;
          self->has_revealed = TRUE;
          self->hover_row = (int)i;
          gtk_widget_queue_draw (GTK_WIDGET (self));
          return TRUE;
        }
    }
  return FALSE;
}

TaWindow *
ta_timeline_get_window (TaTimeline *self)
{
  return self->window;
}

guint
ta_timeline_get_n_frames (TaTimeline *self)
{
  return self->n_frames;
}

guint
ta_timeline_get_n_rows (TaTimeline *self)
{
  return self->rows->len;
}

GtkWidget *
ta_timeline_new (void)
{
  return g_object_new (TA_TYPE_TIMELINE, NULL);
}

/* ---- GObject ------------------------------------------------------------------ */

static void
ta_timeline_size_allocate (GtkWidget *widget, int width, int height, int baseline)
{
  TaTimeline *self = TA_TIMELINE (widget);
  double page = MAX (height - RULER_H, 1);
  gtk_adjustment_configure (self->vadj, CLAMP (gtk_adjustment_get_value (self->vadj), 0, MAX (self->content_h - page, 0)),
                            0, MAX (self->content_h, page), TRACK_H * 3, page * 0.9, page);
  invalidate_heavy (self);
}

static void
ta_timeline_measure (GtkWidget *widget, GtkOrientation o, int for_size, int *min, int *nat,
                     int *min_baseline, int *nat_baseline)
{
  *min = o == GTK_ORIENTATION_HORIZONTAL ? (int)GUTTER_W + 200 : (int)RULER_H + 100;
  *nat = o == GTK_ORIENTATION_HORIZONTAL ? 1200 : 700;
}

static void
ta_timeline_dispose (GObject *object)
{
  TaTimeline *self = TA_TIMELINE (object);

  if (self->window_cancel)
    g_cancellable_cancel (self->window_cancel);
  g_clear_object (&self->window_cancel);
  g_clear_handle_id (&self->window_idle, g_source_remove);
  ta_timeline_set_session (self, NULL);
  ta_timeline_set_document (self, NULL);
  g_clear_pointer (&self->window, ta_window_unref);
  g_clear_pointer (&self->heavy, gsk_render_node_unref);
  g_clear_object (&self->layout);
  g_clear_object (&self->small_layout);
  g_signal_handlers_disconnect_by_data (adw_style_manager_get_default (), self);

  G_OBJECT_CLASS (ta_timeline_parent_class)->dispose (object);
}

static void
ta_timeline_finalize (GObject *object)
{
  TaTimeline *self = TA_TIMELINE (object);

  g_clear_pointer (&self->window_tracks, g_hash_table_unref);
  g_clear_pointer (&self->rows, g_array_unref);
  g_clear_pointer (&self->palette, ta_palette_free);
  g_clear_object (&self->vadj);
  g_free (self->cols);
  g_free (self->cov);
  G_OBJECT_CLASS (ta_timeline_parent_class)->finalize (object);
}

static void
ta_timeline_class_init (TaTimelineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ta_timeline_dispose;
  object_class->finalize = ta_timeline_finalize;
  widget_class->snapshot = ta_timeline_snapshot;
  widget_class->size_allocate = ta_timeline_size_allocate;
  widget_class->measure = ta_timeline_measure;

  /* span-activated (const TaTrackKey *key, const TaSpan *span or NULL, gint64 time) */
  signals[SIG_SPAN_ACTIVATED] = g_signal_new ("span-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                              0, NULL, NULL, NULL, G_TYPE_NONE, 3,
                                              G_TYPE_POINTER, G_TYPE_POINTER, G_TYPE_INT64);
  /* row-activated (const TaTrackKey *key): a click on a track's label. */
  signals[SIG_ROW_ACTIVATED] = g_signal_new ("row-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                             0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);

  gtk_widget_class_install_action (widget_class, "timeline.zoom-in", NULL, action_zoom);
  gtk_widget_class_install_action (widget_class, "timeline.zoom-out", NULL, action_zoom);
  gtk_widget_class_install_action (widget_class, "timeline.pan-left", NULL, action_pan);
  gtk_widget_class_install_action (widget_class, "timeline.pan-right", NULL, action_pan);
  gtk_widget_class_install_action (widget_class, "timeline.scroll-up", NULL, action_scroll);
  gtk_widget_class_install_action (widget_class, "timeline.scroll-down", NULL, action_scroll);
  gtk_widget_class_install_action (widget_class, "timeline.fit", NULL, action_fit);
  gtk_widget_class_install_action (widget_class, "timeline.zoom-selection", NULL, action_zoom_selection);
  gtk_widget_class_install_action (widget_class, "timeline.clear-selection", NULL, action_clear_selection);
  gtk_widget_class_install_action (widget_class, "timeline.select-range", "(xx)", action_select_range);
  gtk_widget_class_install_action (widget_class, "timeline.set-view", "(xx)", action_set_view);
  gtk_widget_class_install_action (widget_class, "timeline.back", NULL, action_history);
  gtk_widget_class_install_action (widget_class, "timeline.forward", NULL, action_history);
  gtk_widget_class_install_action (widget_class, "timeline.toggle-group", "s", action_toggle_group);
  gtk_widget_class_install_action (widget_class, "timeline.activate-at", "(uuxx)", action_activate_at);

  /* Keys (as in Perfetto and Tracy): W/S zoom, A/D pan, arrows pan and scroll. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, 0, "timeline.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, 0, "timeline.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_a, 0, "timeline.pan-left", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_d, 0, "timeline.pan-right", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_plus, 0, "timeline.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_equal, GDK_CONTROL_MASK, "timeline.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_plus, GDK_CONTROL_MASK, "timeline.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_minus, 0, "timeline.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_minus, GDK_CONTROL_MASK, "timeline.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, 0, "timeline.pan-left", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Right, 0, "timeline.pan-right", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Up, 0, "timeline.scroll-up", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Down, 0, "timeline.scroll-down", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_0, GDK_CONTROL_MASK, "timeline.fit", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_z, 0, "timeline.zoom-selection", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "timeline.clear-selection", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "timeline.back", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Right, GDK_ALT_MASK, "timeline.forward", NULL);

  gtk_widget_class_set_css_name (widget_class, "timeline");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
ta_timeline_init (TaTimeline *self)
{
  GtkEventController *ctl;
  GtkGesture *gesture;
  PangoFontDescription *small;

  self->rows = g_array_new (FALSE, FALSE, sizeof (Row));
  self->vadj = g_object_ref_sink (gtk_adjustment_new (0, 0, 1, 20, 100, 100));
  g_signal_connect_swapped (self->vadj, "value-changed", G_CALLBACK (view_changed_cb), self);
  self->window_tracks = g_hash_table_new (key_hash, key_equal_cb);
  self->hover_row = -1;
  self->selected_row = -1;

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_focus_on_click (GTK_WIDGET (self), TRUE);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
  g_signal_connect (self, "query-tooltip", G_CALLBACK (query_tooltip_cb), NULL);

  self->layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), NULL);
  pango_layout_set_ellipsize (self->layout, PANGO_ELLIPSIZE_END);
  self->small_layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), NULL);
  pango_layout_set_ellipsize (self->small_layout, PANGO_ELLIPSIZE_END);
  small = pango_font_description_from_string ("Sans 8");
  pango_layout_set_font_description (self->small_layout, small);
  pango_font_description_free (small);
  {
    PangoFontDescription *normal = pango_font_description_from_string ("Sans 9");
    pango_layout_set_font_description (self->layout, normal);
    pango_font_description_free (normal);
  }

  ctl = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES);
  g_signal_connect (ctl, "scroll", G_CALLBACK (scroll_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), ctl);

  ctl = gtk_event_controller_motion_new ();
  g_signal_connect (ctl, "motion", G_CALLBACK (motion_cb), self);
  g_signal_connect (ctl, "enter", G_CALLBACK (motion_cb), self);
  g_signal_connect (ctl, "leave", G_CALLBACK (leave_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), ctl);

  gesture = gtk_gesture_drag_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (gesture), GDK_BUTTON_PRIMARY);
  g_signal_connect (gesture, "drag-begin", G_CALLBACK (drag_begin_cb), self);
  g_signal_connect (gesture, "drag-update", G_CALLBACK (drag_update_cb), self);
  g_signal_connect (gesture, "drag-end", G_CALLBACK (drag_end_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  gesture = gtk_gesture_zoom_new ();
  g_signal_connect (gesture, "begin", G_CALLBACK (zoom_begin_cb), self);
  g_signal_connect (gesture, "scale-changed", G_CALLBACK (zoom_scale_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  load_palette (self);
  g_signal_connect_swapped (adw_style_manager_get_default (), "notify::dark", G_CALLBACK (style_changed_cb), self);
  g_signal_connect_swapped (adw_style_manager_get_default (), "notify::high-contrast", G_CALLBACK (style_changed_cb), self);
}
