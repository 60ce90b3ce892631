/* ta-timeline.c: the timeline canvas.
 *
 * One widget draws the ruler, the track labels and every visible row with a
 * snapshot vfunc. Rows are virtual (ta-timeline-layout.c): the few fixed
 * rows are small structs, the goroutine group is a sorted array of table
 * rows built on a worker (ta-goroutine-layout.c), and a frame only
 * materialises the rows inside the viewport, found by binary search.
 *
 * Zoomed out, each pixel column of a row is coloured by the time each state
 * covers in it, read from the model's summaries (never a sample of spans, so
 * nothing flickers). When few spans are in view, or the summaries are
 * coarser than a pixel, exact spans are requested from the document on its
 * worker pool; the frame never waits for them: it draws columns until the
 * window arrives.
 *
 * Drawing (ta-timeline-draw.c) paints the track area's pixels itself into
 * one image, with text as Pango nodes over it. The heavy layer is cached as
 * a render node keyed by what it depends on, the gutter (labels, headers)
 * separately since it does not depend on the time range; hover, cursor and
 * selection are an overlay drawn on top, so moving the pointer never
 * rebuilds either.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ta-timeline"

#include "ta-timeline-private.h"
#include "ta-application.h"

G_DEFINE_FINAL_TYPE (TaTimeline, ta_timeline, GTK_TYPE_WIDGET)

enum {
  SIG_SPAN_ACTIVATED,
  SIG_ROW_ACTIVATED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

static void maybe_request_window (TaTimeline *self);

/* ---- helpers ----------------------------------------------------------- */

double
timeline_canvas_width (TaTimeline *self)
{
  return MAX (gtk_widget_get_width (GTK_WIDGET (self)) - GUTTER_W, 1.0);
}

TaViewport
timeline_current_viewport (TaTimeline *self)
{
  TaViewport vp = { 0, 1, timeline_canvas_width (self) };
  if (self->session)
    ta_session_get_view (self->session, &vp.start, &vp.end);
  return vp;
}

double
timeline_scroll_y (TaTimeline *self)
{
  return gtk_adjustment_get_value (self->vadj);
}

void
timeline_invalidate_heavy (TaTimeline *self)
{
  g_clear_pointer (&self->heavy, gsk_render_node_unref);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static gboolean
key_equal (const TaTrackKey *a, const TaTrackKey *b)
{
  return a->kind == b->kind && a->sub == b->sub && a->id == b->id;
}

guint
timeline_key_hash (gconstpointer k)
{
  return ta_track_key_hash (k);
}

gboolean
timeline_key_equal_cb (gconstpointer a, gconstpointer b)
{
  return key_equal (a, b);
}

/* ---- palette ----------------------------------------------------------- */

static void
load_palette (TaTimeline *self)
{
  g_autoptr (GBytes) bytes = g_resources_lookup_data (TA_RESOURCE_BASE "/palette.txt", 0, NULL);
  g_autoptr (GError) error = NULL;
  GSettings *settings = ta_settings_get_default ();
  g_autofree char *setting = settings ? g_settings_get_string (settings, "palette") : NULL;
  const char *override = g_getenv ("TRACE_ATLAS_PALETTE");
  g_autofree char *text = NULL;
  TaColor grey = { 0.5f, 0.5f, 0.5f, 1.f };

  /* The environment (for one run) wins over the preference. */
  if (!override || !*override)
    override = setting;
  if (override && *override && !g_file_get_contents (override, &text, NULL, &error))
    {
      g_warning ("palette: %s; using the built-in one", error->message);
      g_clear_error (&error);
    }
  if (text)
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
  g_clear_pointer (&self->gutter, gsk_render_node_unref);
  timeline_row_lines_clear (&self->lines);
  timeline_row_lines_clear (&self->incoming_lines);
  timeline_invalidate_heavy (self);
}

GdkRGBA
timeline_rgba (TaColor c)
{
  return (GdkRGBA){ c.r, c.g, c.b, c.a };
}

GdkRGBA
timeline_fg_color (TaTimeline *self, float alpha)
{
  return self->dark ? (GdkRGBA){ 1, 1, 1, alpha } : (GdkRGBA){ 0, 0, 0, alpha };
}

/* ---- exact spans (windows) ------------------------------------------------ */

int
timeline_window_track_index (TaTimeline *self, const TaTrackKey *key)
{
  gpointer v;
  if (!self->window || !self->window_tracks)
    return -1;
  v = g_hash_table_lookup (self->window_tracks, key);
  return v ? GPOINTER_TO_INT (v) - 1 : -1;
}

const TaSpan *
timeline_window_spans_for (TaTimeline *self, const TaTrackKey *key, gint64 t0, gint64 t1, gsize *n)
{
  int i = timeline_window_track_index (self, key);
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
  timeline_invalidate_heavy (self);
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

void
timeline_schedule_window_request (TaTimeline *self)
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
  TaViewport vp = timeline_current_viewport (self);
  g_autoptr (GArray) keys = NULL;
  double top, bottom;
  guint64 n_spans = 0;
  gboolean coarse = FALSE;
  guint ncols = 64;
  guint hash = 0;
  gint64 span = vp.end - vp.start, t0, t1;
  gboolean all_in_window = self->window != NULL;

  if (!self->doc || !self->snap || !timeline_n_rows (self))
    return;

  keys = g_array_new (FALSE, FALSE, sizeof (TaTrackKey));
  top = timeline_scroll_y (self);
  bottom = top + gtk_widget_get_height (GTK_WIDGET (self));
  if (self->n_cols_alloc < ncols)
    {
      self->cols = g_renew (TaColumn, self->cols, ncols);
      self->n_cols_alloc = ncols;
    }
  for (guint64 i = timeline_first_visible_row (self); i < timeline_n_rows (self); i++)
    {
      Row row, *r = &row;
      if (!timeline_get_row (self, i, r))
        break;
      if (r->top > bottom)
        break;
      if (r->type != ROW_TRACK || r->is_metric)
        continue;
      if (keys->len >= MAX_WINDOW_TRACKS)
        break;
      g_array_append_val (keys, r->key);
      hash = hash * 31 + ta_track_key_hash (&r->key);
      if (timeline_window_track_index (self, &r->key) < 0)
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


/* ---- hit testing ----------------------------------------------------------- */

/* Finds the exact span under (x, y) when detail is resident. */
static gboolean
span_at (TaTimeline *self, int row, double x, TaSpan *out)
{
  TaViewport vp = timeline_current_viewport (self);
  Row rowbuf, *r = &rowbuf;
  const TaSpan *spans;
  gsize n, lo = 0, hi;
  gint64 t, slop;
  gint64 best_d = G_MAXINT64;
  gboolean found = FALSE;

  if (row < 0 || !timeline_get_row (self, (guint64)row, r))
    return FALSE;
  if (r->type != ROW_TRACK || r->is_metric)
    return FALSE;
  spans = timeline_window_spans_for (self, &r->key, vp.start, vp.end, &n);
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
  int row = self->pointer_in ? timeline_row_at_y (self, self->pointer_y) : -1;
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
  int row = timeline_row_at_y (self, y);
  Row rowbuf, *r = &rowbuf;
  TaViewport vp = timeline_current_viewport (self);
  GString *s;
  TaSpan span;

  if (row < 0 || x < GUTTER_W || !self->snap || !timeline_get_row (self, (guint64)row, r))
    return FALSE;
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
      /* A merged area: span count and time per state in this pixel column,
       * queried exactly as the canvas drew it, over the time its buckets
       * cover (which is what the per-state times add up to). */
      guint ncols = (guint)MAX (timeline_canvas_width (self), 1);
      guint c = (guint)CLAMP (floor (x - GUTTER_W), 0, ncols - 1);
      g_autofree TaColumn *cols = g_new (TaColumn, ncols);
      gint64 b0, b1;
      if (ta_snapshot_query_track (self->snap, &r->key, vp.start, vp.end, ncols, cols))
        {
          const TaColumn *col = &cols[c];
          gint64 covered = 0;
          for (guint st = 1; st < TA_N_STATES; st++)
            covered += col->time[st];
          if ((covered == 0 && col->n_spans == 0)
              || !ta_column_bucket_range (ta_snapshot_get_origin (self->snap),
                                          ta_snapshot_get_bucket_width (self->snap, col->level),
                                          vp.start, vp.end, ncols, c, &b0, &b1))
            {
              g_string_free (s, TRUE);
              return FALSE;
            }
          {
            /* Buckets count the spans that begin in them: none means the
             * column lies inside one span that began earlier. */
            g_autofree char *cw = ta_format_duration (b1 - b0);
            if (col->n_spans == 0)
              g_string_append_printf (s, "Inside one span for %s", cw);
            else
              g_string_append_printf (s, "%" G_GUINT64_FORMAT " %s in %s", col->n_spans,
                                      col->n_spans == 1 ? "span begins" : "spans begin", cw);
          }
          for (guint st = 1; st < TA_N_STATES; st++)
            if (col->time[st] > 0)
              {
                g_autofree char *d = ta_format_duration (col->time[st]);
                g_string_append_printf (s, "\n%s: %s", ta_state_label (st), d);
              }
        }
    }
  gtk_label_set_markup (GTK_LABEL (self->tooltip_label), s->str);
  gtk_tooltip_set_custom (tooltip, self->tooltip_label);
  g_string_free (s, TRUE);
  return TRUE;
}

/* GTK asks for a tooltip's text when it shows it and when the pointer
 * moves, so one left showing while a trace loads kept the first snapshot's
 * figures. The text is our own label, mapped exactly while the tooltip
 * shows: only then is it asked for again (asking while it does not show
 * restarts GTK's popup delay, and snapshots arrive faster than that: no
 * tooltip at all while loading). */
static void
refresh_shown_tooltip (TaTimeline *self)
{
  if (gtk_widget_get_mapped (self->tooltip_label))
    gtk_widget_trigger_tooltip_query (GTK_WIDGET (self));
}

/* ---- input ------------------------------------------------------------------ */

static void
zoom_at (TaTimeline *self, double x, double factor)
{
  if (!self->session)
    return;
  ta_session_zoom_at (self->session, MAX (x - GUTTER_W, 0), timeline_canvas_width (self), factor);
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
      ta_session_pan_px (self->session, (dy + dx) * step, timeline_canvas_width (self));
      return TRUE;
    }
  if (dx != 0)
    ta_session_pan_px (self->session, dx * step, timeline_canvas_width (self));
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
  TaViewport vp = timeline_current_viewport (self);

  gtk_widget_grab_focus (GTK_WIDGET (self));
  self->drag_start_x = x;
  self->drag_start_y = y;
  self->drag_view_t0 = vp.start;
  self->drag_view_t1 = vp.end;
  self->drag_scroll = timeline_scroll_y (self);
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
      TaViewport vp = timeline_current_viewport (self);
      gint64 t = ta_viewport_x_to_time (&vp, MAX (self->drag_start_x + ox - GUTTER_W, 0));
      if (fabs (ox) >= 2)
        ta_session_set_selection (self->session, self->drag_sel_anchor, t);
    }
  else if (self->drag_mode == DRAG_PAN)
    {
      TaViewport vp = { self->drag_view_t0, self->drag_view_t1, timeline_canvas_width (self) };
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
  timeline_rebuild_layout (self);
}

static void
activate_at (TaTimeline *self, double x, double y)
{
  int row = timeline_row_at_y (self, y);
  Row rowbuf, *r = &rowbuf;
  TaSpan span;
  TaViewport vp = timeline_current_viewport (self);

  if (row < 0 || !timeline_get_row (self, (guint64)row, r))
    return;
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
      self->selected_key = r->key;
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
  vp = (TaViewport){ self->zoom_view_t0, self->zoom_view_t1, timeline_canvas_width (self) };
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
                                                            : GUTTER_W + timeline_canvas_width (self) / 2;
  zoom_at (self, x, g_str_equal (name, "timeline.zoom-in") ? 1.5 : 1 / 1.5);
}

static void
action_pan (GtkWidget *widget, const char *name, GVariant *param)
{
  TaTimeline *self = TA_TIMELINE (widget);
  double w = timeline_canvas_width (self);
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
  TaViewport vp = timeline_current_viewport (self);

  g_variant_get (param, "(uuxx)", &kind, &sub, &id, &t);
  key = (TaTrackKey){ kind, sub, id };
  if (ta_timeline_reveal_track (self, &key))
    {
      guint64 i;
      Row r;
      if (timeline_find_track_row (self, &key, &i) && timeline_get_row (self, i, &r))
        activate_at (self, GUTTER_W + ta_viewport_time_to_x (&vp, t),
                     RULER_H + r.top - timeline_scroll_y (self) + r.height / 2);
    }
}

/* ---- public ----------------------------------------------------------------- */

void
timeline_adopt_snapshot (TaTimeline *self, TaSnapshot *snap)
{
  gint64 start, end;

  timeline_drop_incoming (self);
  if (self->snap == snap)
    return;
  self->adopted_at = g_get_monotonic_time ();
  g_clear_pointer (&self->snap, ta_snapshot_release);
  self->snap = ta_snapshot_ref (snap);
  start = ta_snapshot_get_start (snap);
  end = ta_snapshot_get_end (snap);
  if (self->session)
    ta_session_set_extent (self->session, start, MAX (end, start + 1));
  timeline_request_goroutine_layout (self, FALSE);
  refresh_shown_tooltip (self);
}

static void
snapshot_published_cb (TaDocument *doc, TaSnapshot *snap, TaTimeline *self)
{
  if (self->snap != snap)
    timeline_offer_snapshot (self, snap);
}

/* The frame that first drew rows also rasterised every glyph of its
 * labels for the first time (FreeType hinting, cairo's glyph caches: about
 * 4 ms of that 30 ms frame, ui-bench stall). Drawing the characters labels
 * use once, while the first snapshot is still being read, fills those
 * caches (they are keyed by font, which the labels' layouts share) outside
 * any frame. */
static gboolean
warm_glyphs_idle (gpointer data)
{
  TaTimeline *self = data;
  PangoLayout *bases[] = { self->layout, self->small_layout };
  /* Wide enough for the text: glyphs outside the surface are skipped. */
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 1200, 20 * G_N_ELEMENTS (bases));
  cairo_t *cr = cairo_create (surface);

  self->warm_idle = 0;
  for (guint i = 0; i < G_N_ELEMENTS (bases); i++)
    {
      g_autoptr (PangoLayout) layout = pango_layout_copy (bases[i]);
      char text[96];
      for (int c = ' '; c <= '~'; c++)
        text[c - ' '] = (char)c;
      text[95] = 0;
      pango_layout_set_width (layout, -1);
      pango_layout_set_text (layout, text, -1);
      cairo_move_to (cr, 0, 20 * i);
      pango_cairo_show_layout (cr, layout);
    }
  cairo_destroy (cr);
  cairo_surface_destroy (surface);
  return G_SOURCE_REMOVE;
}

void
ta_timeline_set_document (TaTimeline *self, TaDocument *doc)
{
  g_autoptr (TaSnapshot) snap = NULL;

  g_return_if_fail (TA_IS_TIMELINE (self));
  if (self->doc == doc)
    return;
  g_clear_signal_handler (&self->snap_handler, self->doc);
  timeline_drop_incoming (self);
  g_clear_object (&self->doc);
  g_clear_pointer (&self->snap, ta_snapshot_release);
  timeline_request_goroutine_layout (self, TRUE);
  if (doc)
    {
      self->doc = g_object_ref (doc);
      if (!self->warm_idle)
        self->warm_idle = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, warm_glyphs_idle, self, NULL);
      self->snap_handler = g_signal_connect (doc, "snapshot-published", G_CALLBACK (snapshot_published_cb), self);
      snap = ta_document_dup_snapshot (doc);
      if (snap)
        timeline_adopt_snapshot (self, snap);
    }
}

static void
view_changed_cb (TaTimeline *self)
{
  self->hover_has_span = FALSE;
  if (self->pointer_in)
    update_hover (self);
  timeline_invalidate_heavy (self);
  refresh_shown_tooltip (self);
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
  timeline_invalidate_heavy (self);
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
  timeline_request_goroutine_layout (self, TRUE);
}

void
ta_timeline_set_group_by_function (TaTimeline *self, gboolean group)
{
  g_return_if_fail (TA_IS_TIMELINE (self));
  if (self->group_by_func == !!group)
    return;
  self->group_by_func = !!group;
  timeline_request_goroutine_layout (self, TRUE);
}

gboolean
ta_timeline_get_group_by_function (TaTimeline *self)
{
  g_return_val_if_fail (TA_IS_TIMELINE (self), FALSE);
  return self->group_by_func;
}

TaGoroutineSort
ta_timeline_get_goroutine_sort (TaTimeline *self)
{
  g_return_val_if_fail (TA_IS_TIMELINE (self), TA_SORT_BY_ID);
  return self->sort;
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
      timeline_rebuild_layout (self);
    }
  {
    guint64 i;
    Row row, *r = &row;
    if (timeline_find_track_row (self, key, &i) && timeline_get_row (self, i, r))
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

gboolean
ta_timeline_get_update_pending (TaTimeline *self)
{
  return self->incoming != NULL || self->incoming_go != NULL || self->first_lines_idle != 0;
}

guint
ta_timeline_get_n_frames (TaTimeline *self)
{
  return self->n_frames;
}

guint
ta_timeline_get_n_rows (TaTimeline *self)
{
  return (guint)MIN (timeline_n_rows (self), G_MAXUINT);
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
  timeline_invalidate_heavy (self);
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
  g_clear_handle_id (&self->warm_idle, g_source_remove);
  g_clear_handle_id (&self->prebuild_idle, g_source_remove);
  timeline_layout_dispose (self);
  ta_timeline_set_session (self, NULL);
  ta_timeline_set_document (self, NULL);
  g_clear_pointer (&self->window, ta_window_unref);
  g_clear_pointer (&self->heavy, gsk_render_node_unref);
  g_clear_pointer (&self->gutter, gsk_render_node_unref);
  for (guint i = 0; i < G_N_ELEMENTS (self->raster); i++)
    g_clear_pointer (&self->raster[i], cairo_surface_destroy);
  g_clear_object (&self->layout);
  g_clear_object (&self->small_layout);
  g_clear_pointer (&self->labels, g_hash_table_unref);
  g_clear_pointer (&self->goroutine_labels, g_hash_table_unref);
  g_signal_handlers_disconnect_by_data (adw_style_manager_get_default (), self);

  G_OBJECT_CLASS (ta_timeline_parent_class)->dispose (object);
}

static void
ta_timeline_finalize (GObject *object)
{
  TaTimeline *self = TA_TIMELINE (object);

  g_clear_pointer (&self->window_tracks, g_hash_table_unref);
  timeline_row_lines_clear (&self->lines);
  timeline_row_lines_clear (&self->incoming_lines);
  g_clear_pointer (&self->lines.table, g_hash_table_unref);
  g_clear_pointer (&self->incoming_lines.table, g_hash_table_unref);
  g_clear_pointer (&self->goroutine_labels_snap, ta_snapshot_release);
  g_clear_pointer (&self->rows, g_array_unref);
  g_clear_pointer (&self->palette, ta_palette_free);
  g_clear_object (&self->vadj);
  g_free (self->cols);
  g_free (self->cov);
  g_free (self->cov_states);
  g_free (self->worker_cov);
  g_free (self->worker_cov_states);
  g_free (self->metric_band);
  g_clear_object (&self->tooltip_label);
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
  self->tooltip_label = g_object_ref_sink (gtk_label_new (NULL));
  gtk_label_set_xalign (GTK_LABEL (self->tooltip_label), 0);
  self->vadj = g_object_ref_sink (gtk_adjustment_new (0, 0, 1, 20, 100, 100));
  g_signal_connect_swapped (self->vadj, "value-changed", G_CALLBACK (view_changed_cb), self);
  self->window_tracks = g_hash_table_new (timeline_key_hash, timeline_key_equal_cb);
  timeline_row_lines_init (&self->lines);
  timeline_row_lines_init (&self->incoming_lines);
  self->labels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, timeline_label_free);
  self->goroutine_labels = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
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
  if (ta_settings_get_default ())
    g_signal_connect_object (ta_settings_get_default (), "changed::palette",
                             G_CALLBACK (style_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_swapped (adw_style_manager_get_default (), "notify::dark", G_CALLBACK (style_changed_cb), self);
  g_signal_connect_swapped (adw_style_manager_get_default (), "notify::high-contrast", G_CALLBACK (style_changed_cb), self);
}
