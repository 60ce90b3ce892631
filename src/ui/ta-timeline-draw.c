/* ta-timeline-draw.c: the timeline's drawing: rows (columns from summaries,
 * exact spans, regions, CPU ticks, labels; metric rows are in
 * ta-timeline-metrics.c), the ruler and the hover/selection overlay.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ta-timeline"

#include "ta-frame-helper.h"
#include "ta-timeline-heavy.h"

G_STATIC_ASSERT (TA_N_STATES <= TA_MIX_MAX_COLORS);

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

/* Span labels: a span's text laid out once, at its natural width or
 * ellipsized to the span's width rounded down to LABEL_STEP_PX (so a few
 * widths serve every span); shaping text anew for each span of each frame
 * was most of a labelled view's time. The text node drawn from the layout
 * is kept too: building it again for each of a few hundred labels was a
 * third of a labelled frame's snapshot. */
#define LABEL_STEP_PX 8
#define LABEL_CACHE_MAX 4096

typedef struct {
  PangoLayout   *layout;
  GskRenderNode *node;        /* the layout drawn in node_color, at 0,0; NULL until drawn */
  GdkRGBA        node_color;
} Label;

void
timeline_label_free (gpointer data)
{
  Label *label = data;
  g_object_unref (label->layout);
  g_clear_pointer (&label->node, gsk_render_node_unref);
  g_free (label);
}

static Label *
label_get (TaTimeline *self, PangoLayout *base, const char *text, int width_px)
{
  g_autofree char *key = g_strdup_printf ("%c%d|%s", base == self->layout ? 'n' : 's', width_px, text);
  Label *label = g_hash_table_lookup (self->labels, key);

  if (label)
    return label;
  if (g_hash_table_size (self->labels) >= LABEL_CACHE_MAX)
    g_hash_table_remove_all (self->labels);
  label = g_new0 (Label, 1);
  label->layout = pango_layout_copy (base);
  pango_layout_set_text (label->layout, text, -1);
  pango_layout_set_width (label->layout, width_px > 0 ? width_px * PANGO_SCALE : -1);
  g_hash_table_insert (self->labels, g_steal_pointer (&key), label);
  return label;
}

static void
append_label_at (GtkSnapshot *snapshot, Label *label, double x, double y, GdkRGBA color)
{
  if (!label->node || !gdk_rgba_equal (&label->node_color, &color))
    {
      GtkSnapshot *s = gtk_snapshot_new ();
      g_clear_pointer (&label->node, gsk_render_node_unref);
      gtk_snapshot_append_layout (s, label->layout, &color);
      label->node = gtk_snapshot_free_to_node (s);
      label->node_color = color;
    }
  if (!label->node)
    return;
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT ((float)x, (float)y));
  gtk_snapshot_append_node (snapshot, label->node);
  gtk_snapshot_restore (snapshot);
}

/* Texts that come back frame after frame: gutter texts (headers, track
 * labels; every snapshot published while loading redraws the gutter),
 * ruler ticks and metric scales (a frame that only moved the view by a
 * pixel or less has the same). Laid out once from the label cache,
 * ellipsized at max_w pixels. */
void
timeline_draw_cached_text (TaTimeline *self, GtkSnapshot *snapshot, PangoLayout *base, const char *text,
                  double x, double y, int max_w, GdkRGBA color)
{
  append_label_at (snapshot, label_get (self, base, text, max_w), x, y, color);
}

/* Draws `text` in at most max_w pixels (ellipsized), or nothing when that
 * leaves no room for a letter. */
static void
draw_span_label (TaTimeline *self, GtkSnapshot *snapshot, PangoLayout *base, const char *text,
                 double x, double y, double max_w, GdkRGBA color)
{
  Label *label = label_get (self, base, text, -1);
  int natural_w;

  pango_layout_get_pixel_size (label->layout, &natural_w, NULL);
  if (natural_w > max_w)
    {
      int w = (int)(max_w / LABEL_STEP_PX) * LABEL_STEP_PX;
      if (w < 2 * LABEL_STEP_PX)
        return;
      label = label_get (self, base, text, w);
    }
  append_label_at (snapshot, label, x, y, color);
}

static void
fill (GtkSnapshot *snapshot, GdkRGBA c, double x, double y, double w, double h)
{
  gtk_snapshot_append_color (snapshot, &c, &GRAPHENE_RECT_INIT ((float)x, (float)y, (float)w, (float)h));
}

/* A goroutine's label for spans on proc and thread rows, kept per
 * snapshot: finding the goroutine in the model's table for each labelled
 * span was the larger part of a labelled frame. */
#define GOROUTINE_LABELS_MAX 8192

static const char *
goroutine_label (TaTimeline *self, gint64 id)
{
  const char *label;
  TaGoroutine g;

  if (self->goroutine_labels_snap != self->snap
      || g_hash_table_size (self->goroutine_labels) >= GOROUTINE_LABELS_MAX)
    {
      g_hash_table_remove_all (self->goroutine_labels);
      /* Held, so that no later snapshot can have its address. */
      g_clear_pointer (&self->goroutine_labels_snap, ta_snapshot_release);
      self->goroutine_labels_snap = ta_snapshot_ref (self->snap);
    }
  label = g_hash_table_lookup (self->goroutine_labels, &id);
  if (!label)
    {
      gint64 *key = g_new (gint64, 1);
      *key = id;
      label = ta_snapshot_find_goroutine (self->snap, id, &g, NULL)
                ? ta_snapshot_dup_goroutine_label (self->snap, &g)
                : g_strdup_printf ("g%" G_GINT64_FORMAT, id);
      g_hash_table_insert (self->goroutine_labels, key, (char *)label);
    }
  return label;
}

static char *
span_label (TaTimeline *self, const TaTrackKey *key, const TaSpan *s)
{
  switch (key->kind)
    {
    case TA_TRACK_PROC:
    case TA_TRACK_THREAD:
      if (s->g != TA_ID_NONE)
        return g_strdup (goroutine_label (self, s->g));
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

/* The raster is cleared as rows are drawn, top to bottom, and only where
 * no row line overwrites it whole (headers, gaps, metric rows): clearing
 * all of it first and then copying row lines over it wrote it twice. */
void
heavy_clear_to (Heavy *h, int y)
{
  y = MIN (y, h->ras.height);
  if (y > h->cleared)
    memset (h->ras.px + (gsize)h->cleared * h->ras.width, 0,
            sizeof (guint32) * (gsize)(y - h->cleared) * h->ras.width);
  h->cleared = MAX (h->cleared, y);
}

/* Copies a row's line into device rows [y0, y1). */
static void
raster_put_row (Heavy *h, const guint32 *line, int y0, int y1)
{
  heavy_clear_to (h, y0);
  ta_raster_put_line (&h->ras, line, y0, y1 - y0);
  h->cleared = MAX (h->cleared, MIN (y1, h->ras.height));
}

/* Device pixel rows [y0, y1) of the raster a row at logical y covers. */
void
heavy_row_pixels (const Heavy *h, const Row *row, double y, int *y0, int *y1)
{
  *y0 = (int)floor ((y - RULER_H) * h->scale + 0.5);
  *y1 = (int)floor ((y - RULER_H + row->height) * h->scale + 0.5);
}

/* A summary row's colour line for the current time range, kept so that a
 * redraw that only scrolled vertically does not query the model again. */
typedef struct {
  TaTrackKey key;
  guint32    px[];   /* premultiplied colour per pixel column, 0 where empty */
} RowLine;

#define ROW_LINES_MAX 512

void
timeline_row_lines_init (RowLineCache *cache)
{
  *cache = (RowLineCache){ g_hash_table_new_full (timeline_key_hash, timeline_key_equal_cb, NULL, g_free) };
}

void
timeline_row_lines_clear (RowLineCache *cache)
{
  g_hash_table_remove_all (cache->table);
  g_clear_pointer (&cache->snap, ta_snapshot_release);
}

/* Empties `cache` unless it holds lines for this range, width and snapshot. */
static void
row_lines_use_for (RowLineCache *cache, TaSnapshot *snap, const TaViewport *vp, guint ncols)
{
  if (cache->t0 != vp->start || cache->t1 != vp->end || cache->ncols != ncols || cache->snap != snap
      || g_hash_table_size (cache->table) >= ROW_LINES_MAX)
    {
      g_hash_table_remove_all (cache->table);
      cache->t0 = vp->start;
      cache->t1 = vp->end;
      cache->ncols = ncols;
      /* Held, so that no later snapshot can have its address. */
      g_clear_pointer (&cache->snap, ta_snapshot_release);
      cache->snap = snap ? ta_snapshot_ref (snap) : NULL;
    }
}

/* Grows a coverage buffer (columns of TA_N_STATES, all zero) and its
 * per-column state masks (all zero) to ncols. */
static void
ensure_cov_columns (gint64 **cov, guint32 **states, guint *n_cols, guint ncols)
{
  if (*n_cols < ncols)
    {
      g_free (*cov);
      g_free (*states);
      *cov = g_new0 (gint64, (gsize)ncols * TA_N_STATES);
      *states = g_new0 (guint32, ncols);
      *n_cols = ncols;
    }
}

static void
ensure_cov (TaTimeline *self, guint ncols)
{
  ensure_cov_columns (&self->cov, &self->cov_states, &self->n_cov_cols, ncols);
}

static void
ensure_worker_cov (TaTimeline *self, guint ncols)
{
  ensure_cov_columns (&self->worker_cov, &self->worker_cov_states, &self->n_worker_cov_cols, ncols);
}

/* Whether the states of `time` in `states` (the others are zero) add up
 * to at least `width`. */
static gboolean
covers (const gint64 *time, guint32 states, gint64 width)
{
  gint64 total = 0;
  for (; states; states &= states - 1)
    total += MAX (time[__builtin_ctz (states)], 0);
  return total >= width;
}

/* Whether a and b agree in the states of `states`. */
static gboolean
same_times (const gint64 *a, const gint64 *b, guint32 states)
{
  for (; states; states &= states - 1)
    if (a[__builtin_ctz (states)] != b[__builtin_ctz (states)])
      return FALSE;
  return TRUE;
}

/* The line of `key` over [t0, t1) in ncols columns. `cov` (ncols columns
 * of TA_N_STATES) and `cov_states` (ncols state masks) are all zero, and
 * are again on return: the query adds into them, and only the columns and
 * states it touched are mixed and cleared (a column holds one to three of
 * some thirty states: clearing and comparing all of them was about a fifth
 * of a whole-trace frame's snapshot). Reads only the snapshot: may run on
 * any thread. */
static RowLine *
compute_row_line (TaSnapshot *snap, const TaColorMixer *mixer, gint64 t0, gint64 t1, guint ncols, gint64 *cov_all,
                  guint32 *cov_states, const TaTrackKey *key)
{
  RowLine *line = g_malloc0 (sizeof (RowLine) + sizeof (guint32) * ncols);
  guint lo, hi;

  line->key = *key;
  if (ta_snapshot_accumulate_track (snap, key, t0, t1, ncols, cov_all, cov_states, &lo, &hi) && lo <= hi)
    {
      TaColumnSteps steps;
      gint64 prev[TA_N_STATES], prev_w = -1;
      guint32 prev_states = 0, prev_px = 0;
      ta_column_steps_init (&steps, t0, t1, ncols, lo);
      for (guint c = lo; c <= hi; c++)
        {
          gint64 *cov = &cov_all[(gsize)c * TA_N_STATES];
          guint32 states = cov_states[c];
          gint64 w = ta_column_steps_next (&steps);
          TaColor col;
          /* Neighbouring columns often hold the same mix (a long span):
           * mixing is the costly part, comparing is not. Widths differ by a
           * nanosecond from column to column; that only matters when the
           * buckets do not cover the column (ta_color_mix's coverage). The
           * first column has no previous one: prev is uninitialised. */
          if (c == lo || states != prev_states || !same_times (cov, prev, states)
              || (w != prev_w && !covers (cov, states, MAX (w, prev_w))))
            {
              prev_px = ta_color_mixer_mix_states (mixer, cov, states, w, &col) ? ta_pixel_from_color (col) : 0;
              prev_w = w;
              prev_states = states;
              for (guint32 s = states; s; s &= s - 1)
                prev[__builtin_ctz (s)] = cov[__builtin_ctz (s)];
            }
          line->px[c] = prev_px;
          for (; states; states &= states - 1)
            cov[__builtin_ctz (states)] = 0;
          cov_states[c] = 0;
        }
    }
  return line;
}

/* The line of `key` in `cache` (see row_lines_use_for), computed if missing. */
static const guint32 *
row_line_in (TaTimeline *self, RowLineCache *cache, const TaTrackKey *key)
{
  RowLine *line = g_hash_table_lookup (cache->table, key);
  TaColorMixer mixer;

  if (line)
    return line->px;
  ensure_cov (self, cache->ncols);
  ta_color_mixer_init (&mixer, self->state_colors, TA_N_STATES, 0.35f);
  line = compute_row_line (cache->snap, &mixer, cache->t0, cache->t1, cache->ncols, self->cov, self->cov_states, key);
  g_hash_table_insert (cache->table, &line->key, line);
  return line->px;
}

/* Whether the exact window holds `key` over all of `vp`: its row is then
 * drawn from spans, and needs no summary line. */
static gboolean
window_draws_track (TaTimeline *self, const TaViewport *vp, const TaTrackKey *key)
{
  return self->window && ta_window_get_start (self->window) <= vp->start
         && ta_window_get_end (self->window) >= vp->end && timeline_window_track_index (self, key) >= 0;
}

/* The rows at least partly visible in `height`, top to bottom, with their
 * row index: one walk a frame for all its passes (a goroutine row is
 * looked up in the goroutine layout each time one is got). */
static GArray *
visible_rows (TaTimeline *self, int height)
{
  GArray *rows = g_array_new (FALSE, FALSE, sizeof (VisibleRow));
  double y_off = timeline_scroll_y (self);

  for (guint64 i = timeline_first_visible_row (self); i < timeline_n_rows (self); i++)
    {
      VisibleRow vr = { .index = i };
      if (!timeline_get_row (self, i, &vr.row))
        break;
      vr.y = RULER_H + vr.row.top - y_off;
      if (vr.y > height)
        break;
      if (vr.y + vr.row.height < RULER_H)
        continue;
      g_array_append_val (rows, vr);
    }
  return rows;
}

/* A track row (not a header, not a metric): drawn from a line. */
static gboolean
is_track_row (const Row *row)
{
  return row->type == ROW_TRACK && !row->is_metric;
}

/* The keys of the summary rows among `visible` (visible_rows) whose line
 * `cache` lacks, top to bottom (rows drawn from exact spans or as metrics
 * need none: as draw_heavy decides). */
static GArray *
visible_rows_missing_lines (TaTimeline *self, RowLineCache *cache, const TaViewport *vp, const GArray *visible)
{
  GArray *keys = g_array_new (FALSE, FALSE, sizeof (TaTrackKey));

  for (guint k = 0; k < visible->len; k++)
    {
      const Row *row = &g_array_index (visible, VisibleRow, k).row;
      if (!is_track_row (row) || window_draws_track (self, vp, &row->key)
          || g_hash_table_contains (cache->table, &row->key))
        continue;
      g_array_append_val (keys, row->key);
    }
  return keys;
}

/* Zoomed out, the visible rows' summary lines are half of a frame, and
 * while a trace loads, computing them for each new snapshot between frames
 * took over a fifth of the main thread's CPU time. When many are missing,
 * the frame helper (ta-frame-helper.c) and the main thread take them one at
 * a time from a shared counter until none is left or time is up (snapshots
 * may be read from any thread); the rows then find them in the cache.
 * Taking turns instead (every other row each) made the main thread wait for
 * the helper's whole half whenever the helper started late or shared its
 * core: 5 ms of a whole-trace frame on a loaded machine. */
#define PARALLEL_LINES_MIN 8

typedef struct {
  TaSnapshot         *snap;
  const TaColorMixer *mixer;
  gint64              t0, t1;
  guint               ncols;
  gint64             *cov;
  guint32            *cov_states;
  const TaTrackKey   *keys;
  RowLine           **out;    /* NULL where no thread took the row */
  guint               n;
  gint               *next;   /* the next row to take, shared (atomic) */
  gint64              deadline;   /* monotonic µs; 0: none */
} LineJob;

static void
line_job_run (LineJob *job)
{
  guint k;

  while ((!job->deadline || g_get_monotonic_time () < job->deadline)
         && (k = (guint)g_atomic_int_add (job->next, 1)) < job->n)
    job->out[k] = compute_row_line (job->snap, job->mixer, job->t0, job->t1, job->ncols, job->cov, job->cov_states,
                                    &job->keys[k]);
}

static void
line_job_help (gpointer data)
{
  line_job_run (data);
}

/* Whether computing `n` missing lines is worth sharing with the helper,
 * and they fit in `cache` without its being cleared midway. */
static gboolean
lines_worth_sharing (RowLineCache *cache, guint n)
{
  return n >= PARALLEL_LINES_MIN && g_hash_table_size (cache->table) + n < ROW_LINES_MAX;
}

/* Computes the lines of `keys` (none of them in `cache`, which is set up
 * for its snapshot and view; lines_worth_sharing) on the main thread and
 * the frame helper until `deadline` (monotonic µs; 0: none). TRUE once all
 * are in the cache. */
static gboolean
compute_lines_in_parallel (TaTimeline *self, RowLineCache *cache, const TaTrackKey *keys, guint n,
                           gint64 deadline)
{
  TaColorMixer mixer;
  LineJob job, worker;
  TaFrameHelperJob help = { line_job_help, &worker };
  gint next = 0;
  gboolean all = TRUE;

  ensure_cov (self, cache->ncols);
  ensure_worker_cov (self, cache->ncols);
  ta_color_mixer_init (&mixer, self->state_colors, TA_N_STATES, 0.35f);
  job = (LineJob){ cache->snap, &mixer, cache->t0, cache->t1, cache->ncols, self->cov, self->cov_states, keys,
                   g_new0 (RowLine *, n), n, &next, deadline };
  worker = job;
  worker.cov = self->worker_cov;
  worker.cov_states = self->worker_cov_states;
  ta_frame_helper_post (&help);
  line_job_run (&job);
  ta_frame_helper_join (&help);
  for (guint k = 0; k < n; k++)
    if (job.out[k])
      g_hash_table_insert (cache->table, &job.out[k]->key, job.out[k]);
    else
      all = FALSE;
  g_free (job.out);
  return all;
}

static void
prepare_lines_in_parallel (TaTimeline *self, const TaViewport *vp, guint ncols, const GArray *visible)
{
  RowLineCache *cache = &self->lines;
  g_autoptr (GArray) keys = NULL;

  row_lines_use_for (cache, self->snap, vp, ncols);
  keys = visible_rows_missing_lines (self, cache, vp, visible);
  if (lines_worth_sharing (cache, keys->len))
    compute_lines_in_parallel (self, cache, (const TaTrackKey *)keys->data, keys->len, 0);
}

static const guint32 *
row_line (Heavy *h, const Row *row)
{
  row_lines_use_for (&h->self->lines, h->self->snap, &h->vp, h->ncols);
  return row_line_in (h->self, &h->self->lines, &row->key);
}

/* One state row from the summaries: each pixel column coloured by the time
 * each state covers in its bucket. */
static void
raster_row_columns (Heavy *h, const Row *row, double y, guint32 base)
{
  const guint32 *px = row_line (h, row);
  int y0, y1;

  for (guint c = 0; c < h->ncols; c++)
    h->line[c] = px[c] ? ta_pixel_over (px[c], base) : base;
  heavy_row_pixels (h, row, y, &y0, &y1);
  raster_put_row (h, h->line, y0, y1);
}

/* The pixel column thin spans last fell in, with the offsets (from the
 * view's start) that fall in it: zoomed out to many spans per pixel, most
 * spans land in the previous span's column, told by two compares. */
typedef struct {
  guint  c;
  gint64 first, end;          /* offsets whose column is c: [first, end) */
  gint64 cs, ce;              /* the column's time range, as the overlap is taken */
} ThinColumn;

static void
thin_column_set (ThinColumn *tc, const TaViewport *vp, double nspp, guint ncols, guint c)
{
  tc->c = c;
  tc->first = ta_column_first_offset (nspp, c);
  tc->end = c + 1 >= ncols ? G_MAXINT64 : ta_column_first_offset (nspp, c + 1);
  tc->cs = vp->start + (gint64)(c * nspp);
  tc->ce = vp->start + (gint64)((c + 1) * nspp);
}

/* Adds a sub-pixel span's [a, b) of `state` to the coverage of the
 * columns it touches, c0 to c1. */
static void
thin_span_add (gint64 *cov, const TaViewport *vp, double nspp, guint ncols, gint64 a, gint64 b,
               guint state, guint *c0, guint *c1)
{
  *c0 = (guint)MIN ((double)(a - vp->start) / nspp, ncols - 1);
  *c1 = (guint)MIN ((double)(b - 1 - vp->start) / nspp, ncols - 1);
  for (guint c = *c0; c <= *c1; c++)
    {
      gint64 cs = vp->start + (gint64)(c * nspp), ce = vp->start + (gint64)((c + 1) * nspp);
      gint64 ov = MIN (b, ce) - MAX (a, cs);
      cov[c * TA_N_STATES + state] += MAX (ov, 1);
    }
}

/* Rows drawn from exact spans have their pixel lines computed before the
 * rows are drawn, every other one on a worker thread: zoomed out to many
 * spans per pixel they are most of a frame. The spans wide enough for a
 * label are listed with the line; their text is laid out as the row is
 * drawn, on the main thread. */
typedef struct {
  gsize  i;                   /* the span */
  double ca, cb;              /* its visible part, logical pixels from the track area's left */
} SpanLabel;

typedef struct {
  TaTrackKey    key;
  const TaSpan *spans;
  gsize         n;
  guint32       base;         /* the row's background */
  gboolean      labelled;     /* tall enough for labels */
  guint32      *line;         /* ncols pixels */
  GArray       *labels;       /* SpanLabel */
} SpanRow;

/* One state row from exact spans: spans of a pixel or more as boxes
 * (labelled when wide), thinner ones merged per pixel column by coverage.
 * `cov` is ncols columns of TA_N_STATES, all zero, and is again on return.
 * Reads only the window and the colours: may run on any thread. */
static void
span_row_compute (TaTimeline *self, const TaViewport *vp, guint ncols, int scale, gint64 *cov, SpanRow *row)
{
  const TaSpan *spans = row->spans;
  gsize n = row->n;
  double nspp = ta_viewport_ns_per_px (vp);
  /* Shorter spans are under a pixel wide whatever their position (the
   * margin covers the rounding of the x computed below). */
  double thin_ns = nspp * 0.999999;
  guint thin_lo = G_MAXUINT, thin_hi = 0;
  gsize i = 0;
  TaColorMixer mixer;
  ThinColumn last = { 0, 0, -1 };    /* no offset falls in it */
  const gint64 *starts = NULL, *ends = NULL;
  const guint8 *states = NULL;

  for (guint c = 0; c < ncols; c++)
    row->line[c] = row->base;
  if (n)
    ta_window_get_span_columns (self->window, (guint)timeline_window_track_index (self, &row->key), &starts,
                                &ends, &states);
  /* Skip spans ending before the view (binary search). */
  {
    gsize lo = 0, hi = n;
    while (lo < hi)
      {
        gsize mid = lo + (hi - lo) / 2;
        if (ends[mid] <= vp->start)
          lo = mid + 1;
        else
          hi = mid;
      }
    i = lo;
  }
  /* cov is all zero between calls: only the columns thin spans touched
   * are cleared again afterwards. The span itself is only read when it
   * is a pixel wide or more. */
  for (; i < n && starts[i] < vp->end; i++)
    {
      const TaSpan *s;
      gint64 start = starts[i], end = ends[i];
      guint state = states[i];
      double xa, xb;
      TaColor col;

      if (state == TA_STATE_NONE || state >= TA_N_STATES || end <= vp->start)
        continue;
      if ((double)(end - start) < thin_ns)
        {
          /* Sub-pixel: accumulate into the columns it touches (a shade
           * of its state's colour has the same alpha). */
          gint64 a = MAX (start, vp->start), b = MIN (end, vp->end);
          guint c0, c1;
          if (self->state_colors[state].a <= 0)
            continue;
          if (a - vp->start >= last.first && b - 1 - vp->start < last.end)
            {
              /* Within the last span's column: as thin_span_add would. */
              gint64 ov = MIN (b, last.ce) - MAX (a, last.cs);
              cov[last.c * TA_N_STATES + state] += MAX (ov, 1);
              continue;
            }
          thin_span_add (cov, vp, nspp, ncols, a, b, state, &c0, &c1);
          thin_lo = MIN (thin_lo, c0);
          thin_hi = MAX (thin_hi, c1);
          if (c0 == c1)
            thin_column_set (&last, vp, nspp, ncols, c0);
          continue;
        }
      s = &spans[i];
      /* ta_viewport_time_to_x, inline: a labelled view has tens of
       * thousands of spans a frame. */
      xa = (double)(s->start - vp->start) / nspp;
      xb = (double)(s->end - vp->start) / nspp;
      col = span_color (self, &row->key, s);
      if (col.a <= 0 || xb - xa < 1.0)
        {
          /* Under a pixel only by rounding: merged as above, without the
           * shortcut. */
          guint c0, c1;
          if (col.a <= 0)
            continue;
          thin_span_add (cov, vp, nspp, ncols, MAX (s->start, vp->start), MIN (s->end, vp->end), s->state,
                         &c0, &c1);
          thin_lo = MIN (thin_lo, c0);
          thin_hi = MAX (thin_hi, c1);
          continue;
        }
      {
        double ca = MAX (xa, 0), cb = MIN (xb, (double)ncols);
        ta_line_blend (row->line, (int)ncols, ca, cb, ta_pixel_from_color (col));
        /* Labels are placed in logical pixels. */
        ca /= scale, cb /= scale;
        if (cb - ca > LABEL_MIN_PX && row->labelled)
          {
            SpanLabel l = { i, ca, cb };
            g_array_append_val (row->labels, l);
          }
      }
    }
  if (thin_lo <= thin_hi)
    ta_color_mixer_init (&mixer, self->state_colors, TA_N_STATES, 0.35f);
  for (guint c = thin_lo; c <= thin_hi && c < ncols; c++)
    {
      TaColor col;
      if (ta_color_mixer_mix (&mixer, &cov[c * TA_N_STATES], (gint64)MAX (nspp, 1), &col))
        row->line[c] = ta_pixel_over (ta_pixel_from_color (col), row->line[c]);
      memset (&cov[c * TA_N_STATES], 0, sizeof (gint64) * TA_N_STATES);
    }
}

typedef struct {
  TaTimeline *self;
  TaViewport  vp;
  guint       ncols;
  int         scale;
  gint64     *cov;
  SpanRow    *rows;
  guint       n;
  gint       *next;   /* the next row to take, shared (atomic): see LineJob */
} SpanRowJob;

static void
span_row_job_run (SpanRowJob *job)
{
  guint k;

  while ((k = (guint)g_atomic_int_add (job->next, 1)) < job->n)
    span_row_compute (job->self, &job->vp, job->ncols, job->scale, job->cov, &job->rows[k]);
}

static void
span_row_job_help (gpointer data)
{
  span_row_job_run (data);
}

/* The rows among `visible` (visible_rows) that draw_heavy draws from
 * exact spans (its choice, made once here), their lines computed. */
static GArray *
prepare_span_rows (TaTimeline *self, const TaViewport *vp, guint ncols, int scale, const GArray *visible,
                   guint32 stripe)
{
  GArray *rows = g_array_new (FALSE, FALSE, sizeof (SpanRow));
  guint32 *lines;
  SpanRowJob job, worker;
  TaFrameHelperJob help = { span_row_job_help, &worker };
  gint next = 0;

  for (guint v = 0; v < visible->len; v++)
    {
      const VisibleRow *vr = &g_array_index (visible, VisibleRow, v);
      const Row *r = &vr->row;
      SpanRow sr = { 0 };
      if (!is_track_row (r))
        continue;
      sr.spans = timeline_window_spans_for (self, &r->key, vp->start, vp->end, &sr.n);
      if (!sr.spans && !window_draws_track (self, vp, &r->key))
        continue;
      sr.key = r->key;
      sr.base = vr->index % 2 ? stripe : 0;
      sr.labelled = r->height >= 12;
      g_array_append_val (rows, sr);
    }
  if (rows->len == 0)
    return rows;
  lines = g_new (guint32, (gsize)ncols * rows->len);
  for (guint k = 0; k < rows->len; k++)
    {
      SpanRow *sr = &g_array_index (rows, SpanRow, k);
      sr->line = lines + (gsize)ncols * k;
      sr->labels = g_array_new (FALSE, FALSE, sizeof (SpanLabel));
    }
  job = (SpanRowJob){ self, *vp, ncols, scale, self->cov, (SpanRow *)rows->data, rows->len, &next };
  if (rows->len >= 2)
    {
      ensure_worker_cov (self, ncols);
      worker = job;
      worker.cov = self->worker_cov;
      ta_frame_helper_post (&help);
    }
  span_row_job_run (&job);
  if (rows->len >= 2)
    ta_frame_helper_join (&help);
  return rows;
}

static void
span_rows_free (GArray *rows)
{
  if (rows->len)
    g_free (g_array_index (rows, SpanRow, 0).line);
  for (guint k = 0; k < rows->len; k++)
    g_array_unref (g_array_index (rows, SpanRow, k).labels);
  g_array_unref (rows);
}

/* Draws a row prepared by prepare_span_rows: its line and its labels. */
static void
raster_span_row (Heavy *h, const Row *row, double y, const SpanRow *sr)
{
  TaTimeline *self = h->self;
  PangoLayout *lay = row->height >= TRACK_H ? self->layout : self->small_layout;
  GdkRGBA tc = { 0, 0, 0, 0.85f };
  int y0, y1;

  for (guint k = 0; k < sr->labels->len; k++)
    {
      const SpanLabel *l = &g_array_index (sr->labels, SpanLabel, k);
      g_autofree char *label = span_label (self, &row->key, &sr->spans[l->i]);
      if (label && *label)
        draw_span_label (self, h->text, lay, label, GUTTER_W + l->ca + 3, y + (row->height >= TRACK_H ? 2 : 0),
                         l->cb - l->ca - 6, tc);
    }
  heavy_row_pixels (h, row, y, &y0, &y1);
  raster_put_row (h, sr->line, y0, y1);
}

/* CPU sample ticks on goroutine, proc and thread rows. `visible` maps the
 * keys of the visible rows to their index in `rows` + 1. */
static void
raster_cpu_ticks (Heavy *h, GHashTable *visible, const GArray *rows, double y_off)
{
  TaTimeline *self = h->self;
  guint64 n = ta_snapshot_get_n_cpu_samples (self->snap);
  guint64 i = ta_snapshot_lower_bound_cpu_sample (self->snap, h->vp.start);
  guint drawn = 0;
  guint32 tick = ta_pixel_from_color (self->cpu_color);
  g_autofree int *last_x = g_new (int, MAX (rows->len, 1));

  for (guint k = 0; k < rows->len; k++)
    last_x[k] = G_MININT;

  for (; i < n && drawn < MAX_CPU_TICKS; i++)
    {
      TaCpuSample s;
      int x;
      TaTrackKey keys[3];
      if (!ta_snapshot_get_cpu_sample (self->snap, i, &s) || s.time >= h->vp.end)
        break;
      x = (int)floor (ta_viewport_time_to_x (&h->vp, s.time));
      keys[0] = (TaTrackKey){ TA_TRACK_GOROUTINE, 0, s.g };
      keys[1] = (TaTrackKey){ TA_TRACK_PROC, 0, s.p };
      keys[2] = (TaTrackKey){ TA_TRACK_THREAD, 0, s.m };
      for (guint k = 0; k < 3; k++)
        {
          gpointer v = g_hash_table_lookup (visible, &keys[k]);
          if (v)
            {
              guint ri = GPOINTER_TO_UINT (v) - 1;
              const Row *r = &g_array_index (rows, Row, ri);
              int y1 = (int)floor ((r->top - y_off + r->height) * h->scale + 0.5);
              /* Samples come in time order: zoomed out, many fall in the
               * pixel the row's last tick already marked. */
              if (last_x[ri] != x)
                ta_raster_fill (&h->ras, x, y1 - 5 * h->scale, h->scale, 5 * h->scale, tick);
              last_x[ri] = x;
              drawn++;
            }
        }
    }
}

/* The raster goes into the cairo node as a raster source pattern, which
 * lends the surface when the node is drawn, not as a surface pattern: the
 * node would record a copy-on-write snapshot of the surface, and cairo
 * copies all of it (8 MB at 1920x1080) when the surface is next written or
 * destroyed, even once the node is gone (4-5 ms of each frame that redrew
 * the rows). The pattern and every copy cairo makes of it hold a
 * reference to the surface; a surface only we hold is drawn into again. */
static cairo_surface_t *
raster_lend (cairo_pattern_t *pattern, void *surface, cairo_surface_t *target,
             const cairo_rectangle_int_t *extents)
{
  return cairo_surface_reference (surface);
}

static void
raster_give_back (cairo_pattern_t *pattern, void *surface, cairo_surface_t *lent)
{
  cairo_surface_destroy (lent);
}

static cairo_status_t
raster_pattern_copied (cairo_pattern_t *pattern, void *surface, const cairo_pattern_t *other)
{
  cairo_surface_reference (surface);
  return CAIRO_STATUS_SUCCESS;
}

static void
raster_pattern_done (cairo_pattern_t *pattern, void *surface)
{
  cairo_surface_destroy (surface);
}

/* Paints `surface` (device pixels, `scale` per logical pixel) at x, y. */
static void
raster_paint (cairo_t *cr, cairo_surface_t *surface, double x, double y, int scale)
{
  int w = cairo_image_surface_get_width (surface), ht = cairo_image_surface_get_height (surface);
  cairo_pattern_t *pattern = cairo_pattern_create_raster_source (cairo_surface_reference (surface),
                                                                 CAIRO_CONTENT_COLOR_ALPHA, w, ht);
  cairo_matrix_t m;

  cairo_raster_source_pattern_set_acquire (pattern, raster_lend, raster_give_back);
  cairo_raster_source_pattern_set_copy (pattern, raster_pattern_copied);
  cairo_raster_source_pattern_set_finish (pattern, raster_pattern_done);
  /* Pattern space is the raster's device pixels: 1:1, no filtering. */
  cairo_matrix_init_scale (&m, scale, scale);
  cairo_matrix_translate (&m, -x, -y);
  cairo_pattern_set_matrix (pattern, &m);
  cairo_pattern_set_filter (pattern, CAIRO_FILTER_NEAREST);
  cairo_set_source (cr, pattern);
  cairo_paint (cr);
  cairo_pattern_destroy (pattern);
}

/* A raster no node still draws from: the reference count is only ours. */
static gboolean
raster_is_free (cairo_surface_t *s)
{
  return cairo_surface_get_reference_count (s) == 1;
}

/* Slot i, made width x height unless it is. */
static cairo_surface_t *
raster_sized (TaTimeline *self, guint i, int width, int height)
{
  cairo_surface_t *s = self->raster[i];

  if (!s || cairo_image_surface_get_width (s) != width || cairo_image_surface_get_height (s) != height)
    {
      g_clear_pointer (&self->raster[i], cairo_surface_destroy);
      self->raster[i] = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
    }
  return self->raster[i];
}

/* A free width x height raster, made if none is. */
static cairo_surface_t *
raster_take (TaTimeline *self, int width, int height)
{
  guint slot = 0;

  for (guint i = 0; i < G_N_ELEMENTS (self->raster); i++)
    {
      cairo_surface_t *s = self->raster[i];
      if (s && raster_is_free (s) && cairo_image_surface_get_width (s) == width
          && cairo_image_surface_get_height (s) == height)
        return s;
    }
  /* Replaced: an empty slot, else a free one, else the first (its nodes
   * keep it alive). */
  for (guint i = G_N_ELEMENTS (self->raster); i-- > 0;)
    if (!self->raster[i] || (self->raster[slot] && raster_is_free (self->raster[i])))
      slot = i;
  return raster_sized (self, slot, width, height);
}

/* Makes `n` free rasters of that size resident: a frame takes another one
 * while the previous frame's node still holds the first, and a fresh one's
 * pages were faulted in during that frame. */
static void
raster_prefault (TaTimeline *self, int width, int height, guint n)
{
  for (guint i = 0; i < G_N_ELEMENTS (self->raster) && n > 0; i++)
    {
      cairo_surface_t *s;
      if (self->raster[i] && !raster_is_free (self->raster[i]))
        continue;
      s = raster_sized (self, i, width, height);
      cairo_surface_flush (s);
      memset (cairo_image_surface_get_data (s), 0, (gsize)cairo_image_surface_get_stride (s) * (gsize)height);
      cairo_surface_mark_dirty (s);
      n--;
    }
}

/* Draws the rows: state colours and span labels into `snapshot`; header
 * bars, header texts and track labels into `gutter` unless it is NULL (the
 * caller's cached gutter layer still holds: they depend on the rows and the
 * scroll position, not on the time range). */
static void
draw_heavy (TaTimeline *self, GtkSnapshot *snapshot, GtkSnapshot *gutter, int width, int height)
{
  Heavy h = { self };
  double y_off = timeline_scroll_y (self);
  g_autoptr (GHashTable) visible = g_hash_table_new (timeline_key_hash, timeline_key_equal_cb);
  g_autoptr (GArray) shown = g_array_new (FALSE, FALSE, sizeof (Row));
  GdkRGBA header_bg = self->dark ? (GdkRGBA){ 1, 1, 1, 0.08f } : (GdkRGBA){ 0, 0, 0, 0.06f };
  TaColor stripe_c = self->dark ? (TaColor){ 1, 1, 1, 0.025f } : (TaColor){ 0, 0, 0, 0.02f };
  guint32 stripe = ta_pixel_from_color (stripe_c);
  cairo_surface_t *surface;
  int ras_h;
  GArray *span_rows;
  guint next_span_row = 0;
  g_autoptr (GArray) in_view = NULL;
  g_autoptr (GArray) metric_rows = NULL;
  guint next_metric_row = 0;
  MetricJob *metric_job;

  /* The raster has the surface's device pixels, so that it stays sharp at
   * scale 2; rows, hit testing and labels stay in logical pixels. */
  h.scale = MAX (gtk_widget_get_scale_factor (GTK_WIDGET (self)), 1);
  h.vp = timeline_current_viewport (self);
  h.ncols = (guint)MAX (timeline_canvas_width (self), 1) * (guint)h.scale;
  h.vp.width = h.ncols;
  ras_h = MAX (height - (int)RULER_H, 1) * h.scale;
  if (self->n_cols_alloc < h.ncols)
    {
      self->cols = g_renew (TaColumn, self->cols, h.ncols);
      self->n_cols_alloc = h.ncols;
    }
  ensure_cov (self, h.ncols);
  /* The raster is the pixel data of a cairo image surface: GTK 4.8 converts
   * every pixel of a texture node through floats when it draws one with
   * cairo, an image painted from a cairo node is one composite. */
  surface = raster_take (self, (int)h.ncols, ras_h);
  g_assert (cairo_image_surface_get_stride (surface) == (int)h.ncols * 4);
  cairo_surface_flush (surface);
  h.ras.px = (guint32 *)cairo_image_surface_get_data (surface);
  h.ras.width = (int)h.ncols;
  h.ras.height = ras_h;
  h.line = g_new (guint32, h.ncols);
  h.text = gtk_snapshot_new ();

  in_view = visible_rows (self, height);
  prepare_lines_in_parallel (self, &h.vp, h.ncols, in_view);
  span_rows = prepare_span_rows (self, &h.vp, h.ncols, h.scale, in_view, stripe);
  /* Started once the line workers are done: on two cores it then shares
   * none with them, and runs while this thread draws the rows. */
  metric_rows = heavy_metric_rows (&h, in_view, stripe);
  metric_job = heavy_metric_rows_start (&h, metric_rows);
  gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (0, RULER_H, width, height - RULER_H));
  if (gutter)
    gtk_snapshot_push_clip (gutter, &GRAPHENE_RECT_INIT (0, RULER_H, width, height - RULER_H));
  for (guint v = 0; v < in_view->len; v++)
    {
      const VisibleRow *vr = &g_array_index (in_view, VisibleRow, v);
      const Row *r = &vr->row;
      double y = vr->y;
      guint64 i = vr->index;

      if (r->type == ROW_HEADER || r->type == ROW_SUBHEADER)
        {
          g_autofree char *text = NULL;
          if (!gutter)
            continue;
          if (r->type == ROW_HEADER)
            text = g_strdup_printf ("%s %s  (%u)", self->collapsed[r->group] ? "▸" : "▾",
                                    group_names[r->group], r->count);
          else
            text = g_strdup_printf ("%s  (%u)", ta_snapshot_get_string (self->snap, r->func), r->count);
          fill (gutter, header_bg, 0, y, width, r->height);
          timeline_draw_cached_text (self, gutter, r->type == ROW_HEADER ? self->layout : self->small_layout, text,
                            r->type == ROW_HEADER ? 6 : 18, y + (r->type == ROW_HEADER ? 4 : 2),
                            width - 12, timeline_fg_color (self, r->type == ROW_HEADER ? 0.9f : 0.7f));
          continue;
        }

      if (r->key.kind == TA_TRACK_GOROUTINE || r->key.kind == TA_TRACK_PROC
          || r->key.kind == TA_TRACK_THREAD)
        g_array_append_val (shown, *r);

      if (r->is_metric)
        {
          if (next_metric_row < metric_rows->len)
            heavy_metric_row_reserve (&h, metric_rows, next_metric_row++);
        }
      else
        {
          const SpanRow *sr = next_span_row < span_rows->len
                                ? &g_array_index (span_rows, SpanRow, next_span_row) : NULL;
          if (sr && timeline_key_equal_cb (&sr->key, &r->key))
            {
              raster_span_row (&h, r, y, sr);
              next_span_row++;
            }
          else
            raster_row_columns (&h, r, y, i % 2 ? stripe : 0);
        }

      /* The label in the gutter. */
      if (gutter)
      {
        g_autofree char *label = ta_snapshot_dup_track_label (self->snap, &r->key);
        PangoLayout *lay = r->height >= TRACK_H ? self->layout : self->small_layout;
        timeline_draw_cached_text (self, gutter, lay, label ? label : "", 8 + r->indent * 12,
                          y + (r->height >= TRACK_H ? 2 : 0), (int)GUTTER_W - 12 - r->indent * 12,
                          timeline_fg_color (self, r->key.kind == TA_TRACK_REGIONS ? 0.6f : 0.85f));
      }
    }
  heavy_clear_to (&h, h.ras.height);
  heavy_metric_rows_finish (&h, metric_rows, metric_job);
  if (ta_snapshot_get_n_cpu_samples (self->snap))
    {
      /* Keyed only now: `shown` no longer moves. */
      for (guint k = 0; k < shown->len; k++)
        g_hash_table_insert (visible, &g_array_index (shown, Row, k).key, GUINT_TO_POINTER (k + 1));
      raster_cpu_ticks (&h, visible, shown, y_off);
    }

  cairo_surface_mark_dirty (surface);
  {
    cairo_t *cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT ((float)GUTTER_W, (float)RULER_H,
                                                                           (float)h.ras.width / h.scale,
                                                                           (float)h.ras.height / h.scale));
    raster_paint (cr, surface, GUTTER_W, RULER_H, h.scale);
    cairo_destroy (cr);
  }
  {
    GskRenderNode *text = gtk_snapshot_free_to_node (h.text);
    if (text)
      {
        gtk_snapshot_append_node (snapshot, text);
        gsk_render_node_unref (text);
      }
  }
  g_free (h.line);
  span_rows_free (span_rows);
  gtk_snapshot_pop (snapshot);
  if (gutter)
    gtk_snapshot_pop (gutter);
}

/* ---- drawing: ruler and overlay ------------------------------------------ */

static void
draw_ruler (TaTimeline *self, GtkSnapshot *snapshot, int width)
{
  TaViewport vp = timeline_current_viewport (self);
  gint64 origin = self->snap ? ta_snapshot_get_start (self->snap) : 0;
  gint64 step = ta_tick_step (vp.end - vp.start, vp.width, 110);
  gint64 t = ta_tick_first (vp.start, origin, step);
  GdkRGBA bg = self->dark ? (GdkRGBA){ 0.14f, 0.14f, 0.15f, 1 } : (GdkRGBA){ 0.96f, 0.96f, 0.96f, 1 };
  GdkRGBA line = timeline_fg_color (self, 0.25f), grid = timeline_fg_color (self, 0.07f);
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
      timeline_draw_cached_text (self, snapshot, self->small_layout, label, x + 3, 3, 106, timeline_fg_color (self, 0.8f));
    }
  /* Gutter corner: the visible span. */
  {
    g_autofree char *span = ta_format_duration (vp.end - vp.start);
    g_autofree char *text = g_strdup_printf ("view %s", span);
    fill (snapshot, bg, 0, 0, GUTTER_W, RULER_H - 1);
    timeline_draw_cached_text (self, snapshot, self->small_layout, text, 8, 8, (int)GUTTER_W - 12, timeline_fg_color (self, 0.6f));
    fill (snapshot, line, GUTTER_W - 1, 0, 1, RULER_H);
  }
}

static void
draw_overlay (TaTimeline *self, GtkSnapshot *snapshot, int width, int height)
{
  TaViewport vp = timeline_current_viewport (self);
  gint64 s0, s1;
  double y_off = timeline_scroll_y (self);
  Row rowbuf;

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
  if (self->has_selected_span && self->selected_row >= 0
      && timeline_get_row (self, (guint64)self->selected_row, &rowbuf))
    {
      const Row *r = &rowbuf;
      double xa = MAX (GUTTER_W + ta_viewport_time_to_x (&vp, self->selected_span.start), GUTTER_W - 2);
      double xb = MIN (GUTTER_W + ta_viewport_time_to_x (&vp, self->selected_span.end), width + 2);
      double y = RULER_H + r->top - y_off;
      GdkRGBA c = timeline_fg_color (self, 1);
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
      if (self->hover_row >= 0 && timeline_get_row (self, (guint64)self->hover_row, &rowbuf))
        {
          const Row *r = &rowbuf;
          double y = RULER_H + r->top - y_off;
          fill (snapshot, timeline_fg_color (self, 0.06f), 0, y, GUTTER_W, r->height);
          if (self->hover_has_span)
            {
              double xa = MAX (GUTTER_W + ta_viewport_time_to_x (&vp, self->hover_span.start), GUTTER_W);
              double xb = MIN (GUTTER_W + ta_viewport_time_to_x (&vp, self->hover_span.end), width);
              GdkRGBA c = timeline_fg_color (self, 0.7f);
              GskRoundedRect rr;
              float w[4] = { 1, 1, 1, 1 };
              GdkRGBA cs[4] = { c, c, c, c };
              gsk_rounded_rect_init_from_rect (&rr, &GRAPHENE_RECT_INIT ((float)xa, (float)y,
                                                                         (float)MAX (xb - xa, 1), r->height), 0);
              gtk_snapshot_append_border (snapshot, &rr, w, cs);
            }
        }
      fill (snapshot, timeline_fg_color (self, 0.35f), self->pointer_x, 0, 1, height);
      {
        gint64 t = ta_viewport_x_to_time (&vp, self->pointer_x - GUTTER_W);
        g_autofree char *label = ta_format_duration (t - (self->snap ? ta_snapshot_get_start (self->snap) : 0));
        GdkRGBA bg = self->dark ? (GdkRGBA){ 0.2f, 0.2f, 0.2f, 0.95f } : (GdkRGBA){ 1, 1, 1, 0.95f };
        fill (snapshot, bg, self->pointer_x + 2, RULER_H - 15, 90, 14);
        draw_text (self, snapshot, self->small_layout, label, self->pointer_x + 4, RULER_H - 16, 86,
                   timeline_fg_color (self, 0.9f));
      }
    }

  /* Indexing frontier: what lies past it is not known yet. */
  if (self->snap && !ta_snapshot_is_complete (self->snap))
    {
      double x = GUTTER_W + ta_viewport_time_to_x (&vp, ta_snapshot_get_end (self->snap));
      if (x < width)
        fill (snapshot, timeline_fg_color (self, 0.08f), MAX (x, GUTTER_W), RULER_H, width - MAX (x, GUTTER_W), height);
    }
}

/* Builds the track area's node (heavy) and the gutter's unless they are
 * up to date for what is shown. */
static void
ensure_heavy_nodes (TaTimeline *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  int width = gtk_widget_get_width (widget), height = gtk_widget_get_height (widget);
  TaViewport vp = timeline_current_viewport (self);
  double y_off = timeline_scroll_y (self);

  if (!self->gutter || self->gutter_w != width || self->gutter_h != height || self->gutter_scroll != y_off
      || self->gutter_snap != self->snap || self->gutter_layout_serial != self->layout_serial)
    g_clear_pointer (&self->gutter, gsk_render_node_unref);
  if (!self->heavy || !self->gutter || self->heavy_t0 != vp.start || self->heavy_t1 != vp.end
      || self->heavy_w != width || self->heavy_h != height || self->heavy_scroll != y_off
      || self->heavy_scale != gtk_widget_get_scale_factor (widget)
      || self->heavy_snap != self->snap || self->heavy_window != self->window
      || self->heavy_layout_serial != self->layout_serial)
    {
      GtkSnapshot *s = gtk_snapshot_new ();
      GtkSnapshot *gs = self->gutter ? NULL : gtk_snapshot_new ();
      g_clear_pointer (&self->heavy, gsk_render_node_unref);
      draw_heavy (self, s, gs, width, height);
      draw_ruler (self, s, width);
      self->heavy = gtk_snapshot_free_to_node (s);
      self->heavy_t0 = vp.start;
      self->heavy_t1 = vp.end;
      self->heavy_w = width;
      self->heavy_h = height;
      self->heavy_scale = gtk_widget_get_scale_factor (widget);
      self->heavy_scroll = y_off;
      self->heavy_snap = self->snap;
      self->heavy_window = self->window;
      self->heavy_layout_serial = self->layout_serial;
      if (gs)
        {
          self->gutter = gtk_snapshot_free_to_node (gs);
          self->gutter_w = width;
          self->gutter_h = height;
          self->gutter_scroll = y_off;
          self->gutter_snap = self->snap;
          self->gutter_layout_serial = self->layout_serial;
        }
      timeline_schedule_window_request (self);
    }
}

/* The frame after a snapshot or goroutine layout is adopted draws it:
 * building its nodes (rows rasterised from their lines, labels, metric
 * rows: 2-3 ms of a 1920x1080 canvas) in a main-loop turn of their own,
 * just before that frame's, leaves the frame to GTK's render (6-11 ms
 * while loading) instead of adding the two in one turn. */
static gboolean
prebuild_heavy_cb (gpointer data)
{
  TaTimeline *self = data;

  self->prebuild_idle = 0;
  if (self->snap && !self->first_lines_idle && gtk_widget_get_mapped (GTK_WIDGET (self)))
    ensure_heavy_nodes (self);
  return G_SOURCE_REMOVE;
}

void
timeline_prebuild_heavy (TaTimeline *self)
{
  /* Before the frame clock's paint (GDK_PRIORITY_REDRAW), after events. */
  if (!self->prebuild_idle)
    self->prebuild_idle = g_idle_add_full (GDK_PRIORITY_REDRAW - 5, prebuild_heavy_cb, self, NULL);
}

void
ta_timeline_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  TaTimeline *self = TA_TIMELINE (widget);
  int width = gtk_widget_get_width (widget), height = gtk_widget_get_height (widget);

  /* Not counted: nothing is drawn (prepare_first_lines_cb). */
  if (self->first_lines_idle)
    return;
  self->n_frames++;
  if (!self->snap)
    return;
  ensure_heavy_nodes (self);
  if (self->gutter)
    gtk_snapshot_append_node (snapshot, self->gutter);
  if (self->heavy)
    gtk_snapshot_append_node (snapshot, self->heavy);
  draw_overlay (self, snapshot, width, height);
}

/* ---- snapshots published while loading ---------------------------------- */

/* A new snapshot changes every summary row, and computing the lines of all
 * visible rows in the frame that first draws it blocked the main thread for
 * 15-30 ms after each snapshot while a large trace indexed. So a snapshot
 * that replaces a shown one is adopted only once those lines are computed,
 * a few ms per main-loop turn, and the frame that draws it finds them
 * ready. So is the complete one: adopted at once, its lines took the
 * frame after indexing finished to 20 ms of main-thread CPU (ui-bench
 * stall). The first snapshot is adopted at once. */

/* The view the session will show once `snap` is adopted: a view that
 * showed everything grows with the extent (ta_session_set_extent). */
static TaViewport
incoming_viewport (TaTimeline *self, TaSnapshot *snap, guint ncols)
{
  TaViewport vp = timeline_current_viewport (self);
  gint64 es = 0, ee = 0;

  if (self->session)
    ta_session_get_extent (self->session, &es, &ee);
  if (vp.start <= es && vp.end >= ee)
    {
      vp.start = ta_snapshot_get_start (snap);
      vp.end = MAX (ta_snapshot_get_end (snap), vp.start + 1);
    }
  vp.width = ncols;
  return vp;
}

/* Computes the lines of `keys` that `cache` lacks until `deadline`
 * (monotonic µs, in the future), at least one per call; TRUE once every one
 * is there. */
static gboolean
compute_lines_until (TaTimeline *self, RowLineCache *cache, const TaTrackKey *keys, guint n, gint64 deadline)
{
  g_autoptr (GArray) missing = g_array_new (FALSE, FALSE, sizeof (TaTrackKey));

  for (guint k = 0; k < n; k++)
    if (!g_hash_table_contains (cache->table, &keys[k]))
      g_array_append_val (missing, keys[k]);
  if (lines_worth_sharing (cache, missing->len))
    return compute_lines_in_parallel (self, cache, (const TaTrackKey *)missing->data, missing->len, deadline);
  for (guint k = 0; k < missing->len; k++)
    {
      row_line_in (self, cache, &g_array_index (missing, TaTrackKey, k));
      if (g_get_monotonic_time () > deadline)
        return k + 1 == missing->len;
    }
  return TRUE;
}

/* Computes the lines of the visible summary rows into `cache` (for `snap`
 * and `vp`, ncols wide) until `deadline` (monotonic µs); TRUE once every
 * one is there. */
static gboolean
prepare_visible_lines (TaTimeline *self, RowLineCache *cache, TaSnapshot *snap, const TaViewport *vp,
                       guint ncols, gint64 deadline)
{
  int height = gtk_widget_get_height (GTK_WIDGET (self));
  g_autoptr (GArray) visible = visible_rows (self, height);
  g_autoptr (GArray) keys = NULL;

  row_lines_use_for (cache, snap, vp, ncols);
  keys = visible_rows_missing_lines (self, cache, vp, visible);
  return compute_lines_until (self, cache, (const TaTrackKey *)keys->data, keys->len, deadline);
}

static guint
canvas_device_cols (TaTimeline *self)
{
  int scale = MAX (gtk_widget_get_scale_factor (GTK_WIDGET (self)), 1);
  return (guint)MAX (timeline_canvas_width (self), 1) * (guint)scale;
}

gboolean
timeline_prepare_lines (TaTimeline *self, const TaTrackKey *keys, guint n, gint64 deadline)
{
  guint ncols = canvas_device_cols (self);
  TaViewport vp = timeline_current_viewport (self);

  vp.width = ncols;
  row_lines_use_for (&self->lines, self->snap, &vp, ncols);
  return compute_lines_until (self, &self->lines, keys, n, deadline);
}

static gboolean
prepare_incoming_cb (gpointer data)
{
  TaTimeline *self = data;
  gint64 deadline = g_get_monotonic_time () + PREPARE_SLICE_US;
  guint ncols = canvas_device_cols (self);
  TaViewport vp = incoming_viewport (self, self->incoming, ncols);
  g_autoptr (TaSnapshot) snap = NULL;

  if (!prepare_visible_lines (self, &self->incoming_lines, self->incoming, &vp, ncols, deadline))
    return G_SOURCE_CONTINUE;
  /* Ready: the lines become the drawn ones along with the snapshot. */
  {
    RowLineCache ready = self->incoming_lines;
    self->incoming_lines = self->lines;
    self->lines = ready;
    timeline_row_lines_clear (&self->incoming_lines);
  }
  self->incoming_idle = 0;
  snap = g_steal_pointer (&self->incoming);
  timeline_adopt_snapshot (self, snap);
  timeline_prebuild_heavy (self);
  return G_SOURCE_REMOVE;
}

/* The first snapshot has no rows on screen to keep showing while its
 * lines are computed: it is adopted at once (that lays out its rows), and
 * its rows are drawn once the lines are ready (the canvas stays empty a
 * few main-loop turns longer instead of one frame taking 5 ms more). So is
 * a first snapshot that is already complete (a small trace, or one read
 * from the index cache): drawn at once, its frame took 13-21 ms of
 * main-thread CPU on http-32MiB, 1800 page faults of them the raster's. */
static gboolean
prepare_first_lines_cb (gpointer data)
{
  TaTimeline *self = data;
  gint64 deadline = g_get_monotonic_time () + PREPARE_SLICE_US;
  guint ncols = canvas_device_cols (self);
  TaViewport vp = timeline_current_viewport (self);

  vp.width = ncols;
  if (!prepare_visible_lines (self, &self->lines, self->snap, &vp, ncols, deadline))
    return G_SOURCE_CONTINUE;
  /* A new raster's pages are faulted in when first written: here, not in
   * a frame (2-3 ms at 1920x1080). Two: the second frame with rows takes
   * another while the first one's node holds the first (a load from the
   * index cache, whose final snapshot comes right after the first: its
   * frame took 5350 page faults, 18 ms of main-thread CPU). */
  {
    int scale = MAX (gtk_widget_get_scale_factor (GTK_WIDGET (self)), 1);
    int ras_h = MAX (gtk_widget_get_height (GTK_WIDGET (self)) - (int)RULER_H, 1) * scale;
    raster_prefault (self, (int)ncols, ras_h, 2);
  }
  self->first_lines_idle = 0;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  timeline_prebuild_heavy (self);
  return G_SOURCE_REMOVE;
}

/* While a trace loads, snapshots are adopted at most this often: each
 * one redraws the whole canvas (some 10 ms of main-thread CPU at
 * 1920x1080, competing with the indexing for the cores), and four updates
 * a second show the progress as well as twelve do. */
#define ADOPT_INTERVAL_US 250000

static gboolean
prepare_incoming_later_cb (gpointer data)
{
  TaTimeline *self = data;

  self->incoming_delayed = FALSE;
  self->incoming_idle = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, prepare_incoming_cb, self, NULL);
  return G_SOURCE_REMOVE;
}

void
timeline_offer_snapshot (TaTimeline *self, TaSnapshot *snap)
{
  if (!self->snap || !gtk_widget_get_mapped (GTK_WIDGET (self)))
    {
      gboolean first = !self->snap;
      timeline_adopt_snapshot (self, snap);
      if (first && gtk_widget_get_mapped (GTK_WIDGET (self)))
        self->first_lines_idle = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, prepare_first_lines_cb, self, NULL);
      return;
    }
  g_clear_pointer (&self->incoming, ta_snapshot_release);
  self->incoming = ta_snapshot_ref (snap);
  /* The complete snapshot does not wait. */
  if (self->incoming_delayed && ta_snapshot_is_complete (snap))
    {
      g_clear_handle_id (&self->incoming_idle, g_source_remove);
      self->incoming_delayed = FALSE;
    }
  if (!self->incoming_idle)
    {
      gint64 wait_us = self->adopted_at + ADOPT_INTERVAL_US - g_get_monotonic_time ();
      if (wait_us >= 1000 && !ta_snapshot_is_complete (snap))
        {
          self->incoming_delayed = TRUE;
          self->incoming_idle = g_timeout_add_full (G_PRIORITY_DEFAULT_IDLE, (guint)(wait_us / 1000),
                                                    prepare_incoming_later_cb, self, NULL);
        }
      else
        self->incoming_idle = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, prepare_incoming_cb, self, NULL);
    }
}

void
timeline_drop_incoming (TaTimeline *self)
{
  g_clear_handle_id (&self->incoming_idle, g_source_remove);
  self->incoming_delayed = FALSE;
  g_clear_handle_id (&self->first_lines_idle, g_source_remove);
  g_clear_pointer (&self->incoming, ta_snapshot_release);
  timeline_row_lines_clear (&self->incoming_lines);
}
