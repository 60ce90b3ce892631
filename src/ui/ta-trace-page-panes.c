/* ta-trace-page-panes.c: the side panes and the jump palette of a page.
 *
 *  - Details: the span clicked on the timeline (times, state, reason, the
 *    goroutine/proc, both stacks, the goroutine that unblocked it).
 *  - Goroutine: drill-down (parent, creation stack, lifetime, per-state
 *    statistics, regions, events, CPU samples); rows jump back.
 *  - CPU samples: the functions most sampled in the selection (or the
 *    whole trace), optionally for the drilled-down goroutine only.
 *  - Jump palette (Ctrl+K): g123, p4, m7, @1.5ms or a function name.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ta-trace-page"

#include "config.h"

#include <string.h>

#include "ta-trace-page-private.h"

#define MAX_EVENT_ROWS 300
#define MAX_JUMP_ROWS  30
#define TOP_FUNCS      25

/* ---- small widget helpers ----------------------------------------------- */

static void
clear_box (GtkBox *box)
{
  GtkWidget *child;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (box))))
    gtk_box_remove (box, child);
}

static GtkWidget *
add_heading (GtkBox *box, const char *text, const char *css)
{
  GtkWidget *l = gtk_label_new (text);
  gtk_label_set_xalign (GTK_LABEL (l), 0);
  gtk_label_set_wrap (GTK_LABEL (l), TRUE);
  gtk_label_set_selectable (GTK_LABEL (l), TRUE);
  gtk_widget_add_css_class (l, css ? css : "heading");
  gtk_widget_set_margin_top (l, 6);
  gtk_box_append (box, l);
  return l;
}

static void
add_kv (GtkBox *box, GString *text, const char *key, const char *value)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *k = gtk_label_new (key), *v = gtk_label_new (value);

  gtk_label_set_xalign (GTK_LABEL (k), 0);
  gtk_widget_set_size_request (k, 96, -1);
  gtk_widget_add_css_class (k, "dim-label");
  gtk_label_set_xalign (GTK_LABEL (v), 0);
  gtk_label_set_wrap (GTK_LABEL (v), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (v), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (GTK_LABEL (v), TRUE);
  gtk_widget_set_hexpand (v, TRUE);
  gtk_box_append (GTK_BOX (row), k);
  gtk_box_append (GTK_BOX (row), v);
  gtk_box_append (box, row);
  if (text)
    g_string_append_printf (text, "%s: %s\n", key, value);
}

static GtkWidget *
link_button (const char *label, const char *action, GVariant *target)
{
  GtkWidget *b = gtk_button_new_with_label (label);
  gtk_widget_add_css_class (b, "link-button");
  gtk_widget_add_css_class (b, "flat");
  gtk_widget_set_halign (b, GTK_ALIGN_START);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (b), action);
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (b), target);
  return b;
}

static void
add_link (GtkBox *box, GString *text, const char *key, const char *label, const char *action,
          GVariant *target)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *k = gtk_label_new (key);

  gtk_label_set_xalign (GTK_LABEL (k), 0);
  gtk_widget_set_size_request (k, 96, -1);
  gtk_widget_add_css_class (k, "dim-label");
  gtk_box_append (GTK_BOX (row), k);
  gtk_box_append (GTK_BOX (row), link_button (label, action, target));
  gtk_box_append (box, row);
  if (text)
    g_string_append_printf (text, "%s: %s\n", key, label);
}

static char *
rel_time (TaSnapshot *snap, gint64 t)
{
  if (t == TA_TIME_NONE)
    return g_strdup ("—");
  return ta_format_duration (t - ta_snapshot_get_start (snap));
}

/* A stack as selectable monospace text, innermost frame first. */
static void
add_stack (GtkBox *box, GString *text, TaSnapshot *snap, TaStackId stack, const char *title)
{
  guint depth = ta_snapshot_get_stack_depth (snap, stack);
  GString *s = g_string_new (NULL);
  GtkWidget *l;

  if (depth == 0)
    return;
  add_heading (box, title, "heading");
  for (guint i = 0; i < depth; i++)
    {
      TaFrame f;
      if (!ta_snapshot_get_stack_frame (snap, stack, i, &f))
        break;
      g_string_append_printf (s, "%s\n    %s:%" G_GUINT64_FORMAT "\n", f.func ? f.func : "?",
                              f.file ? f.file : "?", f.line);
    }
  if (s->len)
    g_string_truncate (s, s->len - 1);
  l = gtk_label_new (s->str);
  gtk_label_set_xalign (GTK_LABEL (l), 0);
  gtk_label_set_selectable (GTK_LABEL (l), TRUE);
  gtk_label_set_wrap (GTK_LABEL (l), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (l), PANGO_WRAP_WORD_CHAR);
  gtk_widget_add_css_class (l, "monospace");
  gtk_widget_add_css_class (l, "stack");
  gtk_box_append (box, l);
  if (text)
    g_string_append_printf (text, "%s:\n%s\n", title, s->str);
  g_string_free (s, TRUE);
}

static char *
goroutine_label (TaSnapshot *snap, gint64 goid)
{
  TaGoroutine g;
  if (ta_snapshot_find_goroutine (snap, goid, &g, NULL))
    return ta_snapshot_dup_goroutine_label (snap, &g);
  return g_strdup_printf ("g%" G_GINT64_FORMAT, goid);
}

/* A list whose rows jump to [start, end) on a track when activated. */
static void
row_jump_cb (GtkListBox *list, GtkListBoxRow *row, TaTracePage *self)
{
  gint64 *r = g_object_get_data (G_OBJECT (row), "range");
  TaTrackKey *key = g_object_get_data (G_OBJECT (row), "key");
  gint64 pad;

  if (!r)
    return;
  pad = MAX ((r[1] - r[0]) / 4, 1000);
  ta_session_set_view (self->session, r[0] - pad, r[1] + pad, TRUE);
  ta_session_set_selection (self->session, r[0], MAX (r[1], r[0] + 1));
  if (key)
    ta_timeline_reveal_track (self->timeline, key);
}

static GtkListBox *
add_jump_list (TaTracePage *self, GtkBox *box)
{
  GtkWidget *list = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  g_signal_connect (list, "row-activated", G_CALLBACK (row_jump_cb), self);
  gtk_box_append (box, list);
  return GTK_LIST_BOX (list);
}

static void
add_jump_row (GtkListBox *list, const char *text, gint64 start, gint64 end, const TaTrackKey *key)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *l = gtk_label_new (text);
  gint64 *r = g_new (gint64, 2);

  gtk_label_set_xalign (GTK_LABEL (l), 0);
  gtk_label_set_ellipsize (GTK_LABEL (l), PANGO_ELLIPSIZE_END);
  gtk_widget_set_margin_start (l, 8);
  gtk_widget_set_margin_end (l, 8);
  gtk_widget_set_margin_top (l, 3);
  gtk_widget_set_margin_bottom (l, 3);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), l);
  r[0] = start;
  r[1] = end;
  g_object_set_data_full (G_OBJECT (row), "range", r, g_free);
  if (key)
    g_object_set_data_full (G_OBJECT (row), "key", g_memdup2 (key, sizeof *key), g_free);
  gtk_list_box_append (list, row);
}

/* ---- details pane ----------------------------------------------------------- */

typedef struct {
  TaTracePage *self;
  gint64 goid, t;
  GtkBox *slot;
} UnblockLookup;

static void
unblocker_ready_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  UnblockLookup *lk = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (TaWindow) win = ta_document_request_spans_finish (TA_DOCUMENT (source), result, &error);
  gint64 p = TA_ID_NONE, unblocker = TA_ID_NONE;

  if (win && !g_cancellable_is_cancelled (lk->self->pane_cancel))
    {
      /* The span after the wait starts where the unblock happened; its
       * proc is the P that ran the unblocking goroutine at that instant. */
      for (guint i = 0; i < ta_window_get_n_tracks (win); i++)
        {
          const TaTrackKey *k = ta_window_get_track (win, i);
          gsize n;
          const TaSpan *s = ta_window_get_spans (win, i, &n);
          if (k->kind == TA_TRACK_GOROUTINE && k->id == lk->goid)
            for (gsize j = 0; j < n; j++)
              if (s[j].start == lk->t)
                p = s[j].p;
        }
      for (guint i = 0; i < ta_window_get_n_tracks (win) && p != TA_ID_NONE; i++)
        {
          const TaTrackKey *k = ta_window_get_track (win, i);
          gsize n;
          const TaSpan *s = ta_window_get_spans (win, i, &n);
          if (k->kind == TA_TRACK_PROC && k->id == p)
            for (gsize j = 0; j < n; j++)
              if (s[j].start <= lk->t && lk->t <= s[j].end && s[j].g != TA_ID_NONE && s[j].g != lk->goid)
                unblocker = s[j].g;
        }
      if (unblocker != TA_ID_NONE)
        {
          TaSnapshot *snap = ta_window_get_snapshot (win);
          g_autofree char *label = goroutine_label (snap, unblocker);
          clear_box (lk->slot);
          add_link (lk->slot, NULL, "Unblocked by", label, "page.show-goroutine", g_variant_new_int64 (unblocker));
        }
      else
        {
          clear_box (lk->slot);
          add_kv (lk->slot, NULL, "Unblocked by", "(not known: no goroutine ran on its P)");
        }
    }
  g_object_unref (lk->self);
  g_free (lk);
}

static void
lookup_unblocker (TaTracePage *self, TaSnapshot *snap, gint64 goid, gint64 t, GtkBox *slot)
{
  g_autoptr (GArray) keys = g_array_new (FALSE, FALSE, sizeof (TaTrackKey));
  TaTrackKey gk = { TA_TRACK_GOROUTINE, 0, goid };
  UnblockLookup *lk;

  g_array_append_val (keys, gk);
  for (guint i = 0; i < ta_snapshot_get_n_procs (snap); i++)
    {
      TaProcInfo p;
      if (ta_snapshot_get_proc (snap, i, &p))
        {
          TaTrackKey pk = { TA_TRACK_PROC, 0, p.id };
          g_array_append_val (keys, pk);
        }
    }
  lk = g_new0 (UnblockLookup, 1);
  lk->self = g_object_ref (self);
  lk->goid = goid;
  lk->t = t;
  lk->slot = slot;
  ta_document_request_spans_async (self->doc, snap, (const TaTrackKey *)keys->data, keys->len,
                                   t - 1, t + 1, self->pane_cancel, unblocker_ready_cb, lk);
}

static void
span_activated_cb (TaTimeline *timeline, const TaTrackKey *key, const TaSpan *span, gint64 t,
                   TaTracePage *self)
{
  g_autoptr (TaSnapshot) snap = ta_document_dup_snapshot (self->doc);
  g_autofree char *label = NULL;
  GString *text = g_string_new (NULL);
  GtkBox *box = self->details_box;
  GtkWidget *buttons;

  if (!snap)
    return;
  if (self->pane_cancel)
    g_cancellable_cancel (self->pane_cancel);
  g_clear_object (&self->pane_cancel);
  self->pane_cancel = g_cancellable_new ();

  clear_box (box);
  label = ta_snapshot_dup_track_label (snap, key);
  add_heading (box, label ? label : "", "title-4");
  g_string_append_printf (text, "%s\n", label ? label : "");

  if (!span)
    {
      /* Nothing exact under the pointer: what the summaries say. */
      TaColumn col;
      TaViewport vp = { 0, 1, 1000 };
      gint64 w;
      ta_session_get_view (self->session, &vp.start, &vp.end);
      w = MAX ((gint64)ta_viewport_ns_per_px (&vp) * 3, 1);
      gint64 b0, b1;
      /* "Around" is the time the summary buckets cover, which is what the
       * per-state times add up to (not the queried width). */
      if (ta_snapshot_query_track (snap, key, t - w, t + w, 1, &col)
          && ta_column_bucket_range (ta_snapshot_get_origin (snap), ta_snapshot_get_bucket_width (snap, col.level),
                                     t - w, t + w, 1, 0, &b0, &b1))
        {
          g_autofree char *n = g_strdup_printf ("%" G_GUINT64_FORMAT, col.n_spans);
          g_autofree char *cw = ta_format_duration (b1 - b0);
          add_kv (box, text, "Spans beginning", n);
          add_kv (box, text, "Around", cw);
          for (guint st = 1; st < TA_N_STATES; st++)
            if (col.time[st] > 0)
              {
                g_autofree char *d = ta_format_duration (col.time[st]);
                add_kv (box, text, ta_state_label (st), d);
              }
        }
    }
  else
    {
      g_autofree char *start = rel_time (snap, span->start);
      g_autofree char *end = rel_time (snap, span->end);
      g_autofree char *dur = ta_format_duration (span->end - span->start);
      const char *reason = ta_snapshot_get_string (snap, span->reason);

      add_kv (box, text, "State", ta_state_label (span->state));
      add_kv (box, text, "Start", start);
      add_kv (box, text, "End", end);
      add_kv (box, text, "Duration", dur);
      if (reason && *reason)
        add_kv (box, text, key->kind == TA_TRACK_GOROUTINE || key->kind == TA_TRACK_STW ? "Reason" : "Type", reason);

      if (key->kind == TA_TRACK_GOROUTINE)
        {
          g_autofree char *gl = goroutine_label (snap, key->id);
          add_link (box, text, "Goroutine", gl, "page.show-goroutine", g_variant_new_int64 (key->id));
          if (span->p != TA_ID_NONE)
            {
              g_autofree char *pl = g_strdup_printf ("p%" G_GINT64_FORMAT, span->p);
              add_link (box, text, "Proc", pl, "page.jump-to", g_variant_new_string (pl));
            }
          if (span->state >= TA_STATE_BLOCKED_CHAN && span->state <= TA_STATE_BLOCKED_OTHER
              && !(span->flags & TA_SPAN_OPEN))
            {
              GtkWidget *slot = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
              gtk_box_append (box, slot);
              add_kv (GTK_BOX (slot), NULL, "Unblocked by", "looking…");
              lookup_unblocker (self, snap, key->id, span->end, GTK_BOX (slot));
            }
        }
      else if (span->g != TA_ID_NONE)
        {
          g_autofree char *gl = goroutine_label (snap, span->g);
          add_link (box, text, key->kind == TA_TRACK_PROC || key->kind == TA_TRACK_THREAD ? "Ran goroutine" : "Goroutine",
                    gl, "page.show-goroutine", g_variant_new_int64 (span->g));
        }
      if (key->kind == TA_TRACK_THREAD && span->p != TA_ID_NONE)
        {
          g_autofree char *pl = g_strdup_printf ("p%" G_GINT64_FORMAT, span->p);
          add_link (box, text, "Proc", pl, "page.jump-to", g_variant_new_string (pl));
        }
      add_stack (box, text, snap, span->stack, "Stack where it began");
      add_stack (box, text, snap, span->end_stack, "Stack where it ended");
    }

  buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_set_margin_top (buttons, 12);
  {
    GtkWidget *copy = gtk_button_new_with_label ("Copy");
    gtk_actionable_set_action_name (GTK_ACTIONABLE (copy), "page.copy-details");
    gtk_box_append (GTK_BOX (buttons), copy);
  }
  gtk_box_append (box, buttons);

  g_free (self->span_text);
  self->span_text = g_string_free (text, FALSE);
  gtk_toggle_button_set_active (self->pane_toggle, TRUE);
  gtk_stack_set_visible_child_name (self->pane_stack, "details");
}

static void
row_activated_cb (TaTimeline *timeline, const TaTrackKey *key, TaTracePage *self)
{
  if (key->kind == TA_TRACK_GOROUTINE || key->kind == TA_TRACK_REGIONS)
    gtk_widget_activate_action (GTK_WIDGET (self), "page.show-goroutine", "x", key->id);
}

static void
copy_details_action (GtkWidget *widget, const char *name, GVariant *param)
{
  TaTracePage *self = TA_TRACE_PAGE (widget);
  if (self->span_text)
    gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), self->span_text);
}

/* ---- goroutine drill-down ---------------------------------------------------- */

typedef struct {
  TaTracePage *self;
  gint64 goid;
  GtkBox *slot;
} DrillLookup;

static void fill_cpu_list_now (GtkBox *box, TaSnapshot *snap, gint64 t0, gint64 t1, gint64 goid);

static void
drill_ready_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  DrillLookup *dl = data;
  TaTracePage *self = dl->self;
  g_autoptr (GError) error = NULL;
  g_autoptr (TaWindow) win = ta_document_request_spans_finish (TA_DOCUMENT (source), result, &error);
  TaSnapshot *snap;
  GtkBox *box = dl->slot;
  GArray *per_state[TA_N_STATES] = { NULL };
  GtkWidget *grid;
  int row = 1;
  GtkListBox *list;
  guint shown = 0;

  if (!win || self->drill_g != dl->goid)
    {
      if (error && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
          && !g_error_matches (error, TA_MODEL_ERROR, TA_MODEL_ERROR_CANCELLED) && self->drill_g == dl->goid)
        {
          clear_box (box);
          add_kv (box, NULL, "Spans", error->message);
        }
      goto out;
    }
  snap = ta_window_get_snapshot (win);
  clear_box (box);

  for (guint s = 0; s < TA_N_STATES; s++)
    per_state[s] = g_array_new (FALSE, FALSE, sizeof (gint64));

  /* Per-state statistics over the goroutine's spans. */
  for (guint i = 0; i < ta_window_get_n_tracks (win); i++)
    {
      const TaTrackKey *k = ta_window_get_track (win, i);
      gsize n;
      const TaSpan *s = ta_window_get_spans (win, i, &n);
      if (k->kind != TA_TRACK_GOROUTINE)
        continue;
      for (gsize j = 0; j < n; j++)
        if (s[j].state < TA_N_STATES && s[j].state != TA_STATE_NONE)
          {
            gint64 d = s[j].end - s[j].start;
            g_array_append_val (per_state[s[j].state], d);
          }
    }
  add_heading (box, "Time by state", "heading");
  grid = gtk_grid_new ();
  gtk_grid_set_column_spacing (GTK_GRID (grid), 10);
  gtk_grid_set_row_spacing (GTK_GRID (grid), 2);
  gtk_widget_add_css_class (grid, "stats");
  {
    static const char *hdr[] = { "State", "Count", "Total", "Min", "Max", "Mean", "p50", "p99" };
    for (guint c = 0; c < G_N_ELEMENTS (hdr); c++)
      {
        GtkWidget *l = gtk_label_new (hdr[c]);
        gtk_label_set_xalign (GTK_LABEL (l), c ? 1 : 0);
        gtk_widget_add_css_class (l, "dim-label");
        gtk_grid_attach (GTK_GRID (grid), l, (int)c, 0, 1, 1);
      }
  }
  for (guint s = 1; s < TA_N_STATES; s++)
    {
      TaDurationStats st;
      char *cells[8];
      if (!per_state[s]->len)
        continue;
      ta_duration_stats ((gint64 *)per_state[s]->data, per_state[s]->len, &st);
      cells[0] = g_strdup (ta_state_label (s));
      cells[1] = g_strdup_printf ("%" G_GUINT64_FORMAT, st.count);
      cells[2] = ta_format_duration (st.total);
      cells[3] = ta_format_duration (st.min);
      cells[4] = ta_format_duration (st.max);
      cells[5] = ta_format_duration ((gint64)st.mean);
      cells[6] = ta_format_duration (st.p50);
      cells[7] = ta_format_duration (st.p99);
      for (guint c = 0; c < 8; c++)
        {
          GtkWidget *l = gtk_label_new (cells[c]);
          gtk_label_set_xalign (GTK_LABEL (l), c ? 1 : 0);
          gtk_label_set_selectable (GTK_LABEL (l), TRUE);
          gtk_grid_attach (GTK_GRID (grid), l, (int)c, row, 1, 1);
          g_free (cells[c]);
        }
      row++;
    }
  gtk_box_append (box, grid);

  /* Regions. */
  {
    gboolean any = FALSE;
    for (guint i = 0; i < ta_window_get_n_tracks (win); i++)
      {
        const TaTrackKey *k = ta_window_get_track (win, i);
        gsize n;
        const TaSpan *s = ta_window_get_spans (win, i, &n);
        if (k->kind != TA_TRACK_REGIONS || !n)
          continue;
        if (!any)
          {
            add_heading (box, "Regions", "heading");
            list = add_jump_list (self, box);
            any = TRUE;
          }
        for (gsize j = 0; j < n && j < MAX_EVENT_ROWS; j++)
          {
            g_autofree char *at = rel_time (snap, s[j].start);
            g_autofree char *d = ta_format_duration (s[j].end - s[j].start);
            g_autofree char *txt = g_strdup_printf ("%*s%s  ·  %s at %s", (int)k->sub * 2, "",
                                                    ta_snapshot_get_string (snap, s[j].reason), d, at);
            add_jump_row (list, txt, s[j].start, s[j].end, k);
          }
      }
  }

  /* Events: its state transitions and logs, in time order. */
  add_heading (box, "Events", "heading");
  list = add_jump_list (self, box);
  for (guint i = 0; i < ta_window_get_n_tracks (win); i++)
    {
      const TaTrackKey *k = ta_window_get_track (win, i);
      gsize n;
      const TaSpan *s = ta_window_get_spans (win, i, &n);
      if (k->kind != TA_TRACK_GOROUTINE)
        continue;
      for (gsize j = 0; j < n && shown < MAX_EVENT_ROWS; j++, shown++)
        {
          g_autofree char *at = rel_time (snap, s[j].start);
          g_autofree char *d = ta_format_duration (s[j].end - s[j].start);
          const char *reason = ta_snapshot_get_string (snap, s[j].reason);
          g_autofree char *txt = g_strdup_printf ("%s  %s for %s%s%s", at, ta_state_label (s[j].state), d,
                                                  reason && *reason ? " · " : "", reason ? reason : "");
          add_jump_row (list, txt, s[j].start, s[j].end, k);
        }
      if (n > MAX_EVENT_ROWS)
        {
          g_autofree char *more = g_strdup_printf ("… %" G_GSIZE_FORMAT " more", n - MAX_EVENT_ROWS);
          add_heading (box, more, "dim-label");
        }
    }
  {
    guint64 nl = ta_snapshot_get_n_logs (snap);
    TaTrackKey gk = { TA_TRACK_GOROUTINE, 0, dl->goid };
    GtkListBox *logs = NULL;
    for (guint64 i = 0; i < nl; i++)
      {
        TaLog lg;
        if (!ta_snapshot_get_log (snap, i, &lg) || lg.g != dl->goid)
          continue;
        if (!logs)
          {
            add_heading (box, "Logs", "heading");
            logs = add_jump_list (self, box);
          }
        {
          g_autofree char *at = rel_time (snap, lg.time);
          g_autofree char *txt = g_strdup_printf ("%s  %s%s%s", at, ta_snapshot_get_string (snap, lg.category),
                                                  *ta_snapshot_get_string (snap, lg.category) ? ": " : "",
                                                  ta_snapshot_get_string (snap, lg.message));
          add_jump_row (logs, txt, lg.time, lg.time + 1, &gk);
        }
      }
  }

  /* CPU samples of this goroutine. */
  add_heading (box, "CPU samples", "heading");
  fill_cpu_list_now (box, snap, ta_snapshot_get_start (snap), ta_snapshot_get_end (snap) + 1, dl->goid);

out:
  for (guint s = 0; s < TA_N_STATES; s++)
    g_clear_pointer (&per_state[s], g_array_unref);
  g_object_unref (dl->self);
  g_free (dl);
}

static void
show_goroutine (TaTracePage *self, gint64 goid)
{
  g_autoptr (TaSnapshot) snap = self->doc ? ta_document_dup_snapshot (self->doc) : NULL;
  g_autoptr (GArray) keys = NULL;
  GtkBox *box = self->goroutine_box;
  TaGoroutine g;
  g_autofree char *label = NULL;
  GString *text = NULL;
  gint64 end;
  GtkWidget *slot;
  DrillLookup *dl;

  if (!snap)
    return;
  clear_box (box);
  gtk_toggle_button_set_active (self->pane_toggle, TRUE);
  gtk_stack_set_visible_child_name (self->pane_stack, "goroutine");
  self->drill_g = goid;
  if (!ta_snapshot_find_goroutine (snap, goid, &g, NULL))
    {
      g_autofree char *msg = g_strdup_printf ("No goroutine %" G_GINT64_FORMAT " in this trace", goid);
      add_heading (box, msg, "title-4");
      return;
    }
  label = ta_snapshot_dup_goroutine_label (snap, &g);
  add_heading (box, label, "title-4");
  {
    TaTrackKey key = { TA_TRACK_GOROUTINE, 0, goid };
    GtkWidget *show = link_button ("Show on timeline", "page.jump-to",
                                   g_variant_new_take_string (g_strdup_printf ("g%" G_GINT64_FORMAT, goid)));
    gtk_box_append (box, show);
    (void)key;
  }
  if (g.parent != TA_ID_NONE)
    {
      g_autofree char *pl = goroutine_label (snap, g.parent);
      add_link (box, text, "Parent", pl, "page.show-goroutine", g_variant_new_int64 (g.parent));
    }
  else
    add_kv (box, text, "Parent", g.flags & TA_GOROUTINE_EXISTED ? "(existed before the trace)" : "—");
  {
    g_autofree char *c = rel_time (snap, g.creation_time);
    g_autofree char *e = g.end_time == TA_TIME_NONE ? g_strdup ("still running at the end") : rel_time (snap, g.end_time);
    end = g.end_time == TA_TIME_NONE ? ta_snapshot_get_end (snap) : g.end_time;
    g_autofree char *life = ta_format_duration (end - g.creation_time);
    add_kv (box, text, g.flags & TA_GOROUTINE_EXISTED ? "First seen" : "Created", c);
    add_kv (box, text, "Ended", e);
    add_kv (box, text, "Lifetime", life);
  }
  add_stack (box, text, snap, g.creation_stack, "Creation stack");
  add_stack (box, text, snap, g.start_stack, "Start stack");

  slot = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_box_append (box, slot);
  add_heading (GTK_BOX (slot), "Loading spans…", "dim-label");

  keys = g_array_new (FALSE, FALSE, sizeof (TaTrackKey));
  {
    TaTrackKey gk = { TA_TRACK_GOROUTINE, 0, goid };
    guint64 idx;
    g_array_append_val (keys, gk);
    for (guint32 d = 0; d < 16; d++)
      {
        TaTrackKey rk = { TA_TRACK_REGIONS, d, goid };
        if (!ta_snapshot_find_track (snap, &rk, &idx))
          break;
        g_array_append_val (keys, rk);
      }
  }
  if (self->drill_cancel)
    g_cancellable_cancel (self->drill_cancel);
  g_clear_object (&self->drill_cancel);
  self->drill_cancel = g_cancellable_new ();
  dl = g_new0 (DrillLookup, 1);
  dl->self = g_object_ref (self);
  dl->goid = goid;
  dl->slot = GTK_BOX (slot);
  ta_document_request_spans_async (self->doc, snap, (const TaTrackKey *)keys->data, keys->len,
                                   MAX (g.creation_time, ta_snapshot_get_start (snap)), end + 1,
                                   self->drill_cancel, drill_ready_cb, dl);
  ta_trace_page_update_cpu (self);
}

static void
show_goroutine_action (GtkWidget *widget, const char *name, GVariant *param)
{
  show_goroutine (TA_TRACE_PAGE (widget), g_variant_get_int64 (param));
}

void
ta_trace_page_show_pane_action (GtkWidget *widget, const char *name, GVariant *param)
{
  TaTracePage *self = TA_TRACE_PAGE (widget);
  gtk_toggle_button_set_active (self->pane_toggle, TRUE);
  gtk_stack_set_visible_child_name (self->pane_stack, g_variant_get_string (param, NULL));
}

/* ---- CPU samples -------------------------------------------------------------- */

/* Counting samples walks every CPU sample in the range (hundreds of
 * thousands in a large trace), so it runs on a worker against the
 * immutable snapshot; the main thread only builds the TOP_FUNCS rows. */

typedef struct {
  const char *func;     /* owned by the document */
  guint count;
  GHashTable *stacks;   /* TaStackId -> count */
  TaStackId best;       /* most common stack */
  guint best_n;
} FuncCount;

typedef struct {
  TaSnapshot *snap;
  gint64 t0, t1, goid;
  char *heading;
  /* results */
  GPtrArray *funcs;     /* FuncCount, most samples first, at most TOP_FUNCS */
  guint total, n_funcs;
} CpuJob;

static void
func_count_free (gpointer p)
{
  FuncCount *fc = p;
  g_clear_pointer (&fc->stacks, g_hash_table_unref);
  g_free (fc);
}

static void
cpu_job_free (gpointer p)
{
  CpuJob *job = p;
  ta_snapshot_release (job->snap);
  g_free (job->heading);
  g_clear_pointer (&job->funcs, g_ptr_array_unref);
  g_free (job);
}

static int
cmp_func_count (gconstpointer a, gconstpointer b)
{
  const FuncCount *x = *(FuncCount **)a, *y = *(FuncCount **)b;
  if (x->count != y->count)
    return x->count < y->count ? 1 : -1;
  return g_strcmp0 (x->func, y->func);
}

static gboolean
count_cpu (CpuJob *job, GCancellable *cancel)
{
  TaSnapshot *snap = job->snap;
  guint64 n = ta_snapshot_get_n_cpu_samples (snap);
  guint64 i = ta_snapshot_lower_bound_cpu_sample (snap, job->t0);
  g_autoptr (GHashTable) by_func = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTableIter it;
  gpointer v;

  job->funcs = g_ptr_array_new_with_free_func (func_count_free);
  for (guint64 k = 0; i < n; i++, k++)
    {
      TaCpuSample s;
      TaFrame f;
      FuncCount *fc;
      gpointer c;
      if ((k & 4095) == 0 && g_cancellable_is_cancelled (cancel))
        break;
      if (!ta_snapshot_get_cpu_sample (snap, i, &s) || s.time >= job->t1)
        break;
      if (job->goid >= 0 && s.g != job->goid)
        continue;
      if (!ta_snapshot_get_stack_frame (snap, s.stack, 0, &f) || !f.func)
        f.func = "(unknown)";
      fc = g_hash_table_lookup (by_func, f.func);
      if (!fc)
        {
          fc = g_new0 (FuncCount, 1);
          fc->func = f.func;
          fc->stacks = g_hash_table_new (NULL, NULL);
          g_hash_table_insert (by_func, (gpointer)f.func, fc);
          g_ptr_array_add (job->funcs, fc);
        }
      fc->count++;
      c = g_hash_table_lookup (fc->stacks, GUINT_TO_POINTER (s.stack));
      g_hash_table_insert (fc->stacks, GUINT_TO_POINTER (s.stack), GUINT_TO_POINTER (GPOINTER_TO_UINT (c) + 1));
      job->total++;
    }
  g_ptr_array_sort (job->funcs, cmp_func_count);
  job->n_funcs = job->funcs->len;
  if (job->funcs->len > TOP_FUNCS)
    g_ptr_array_set_size (job->funcs, TOP_FUNCS);
  for (guint k = 0; k < job->funcs->len; k++)
    {
      FuncCount *fc = g_ptr_array_index (job->funcs, k);
      gpointer sk, sv;
      g_hash_table_iter_init (&it, fc->stacks);
      while (g_hash_table_iter_next (&it, &sk, &sv))
        if (GPOINTER_TO_UINT (sv) > fc->best_n)
          {
            fc->best_n = GPOINTER_TO_UINT (sv);
            fc->best = GPOINTER_TO_UINT (sk);
          }
      g_clear_pointer (&fc->stacks, g_hash_table_unref);
    }
  (void)v;
  return !g_cancellable_is_cancelled (cancel);
}

static void
count_cpu_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancel)
{
  g_task_return_boolean (task, count_cpu (data, cancel));
}

static void
fill_cpu_list (GtkBox *box, const CpuJob *job)
{
  if (job->total == 0)
    {
      add_heading (box, ta_snapshot_get_n_cpu_samples (job->snap)
                          ? "No CPU samples here."
                          : "This trace has no CPU samples (record a CPU profile while tracing).", "dim-label");
      return;
    }
  {
    g_autofree char *sum = g_strdup_printf ("%u samples, %u functions", job->total, job->n_funcs);
    add_heading (box, sum, "dim-label");
  }
  for (guint k = 0; k < job->funcs->len; k++)
    {
      FuncCount *fc = g_ptr_array_index (job->funcs, k);
      g_autofree char *title = g_strdup_printf ("%5.1f%%  %u  %s", 100.0 * fc->count / job->total, fc->count, fc->func);
      GtkWidget *exp = gtk_expander_new (title);
      GtkWidget *inner = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);

      gtk_label_set_ellipsize (GTK_LABEL (gtk_expander_get_label_widget (GTK_EXPANDER (exp))), PANGO_ELLIPSIZE_END);
      {
        g_autofree char *h = g_strdup_printf ("Most common stack (%u of %u)", fc->best_n, fc->count);
        add_stack (GTK_BOX (inner), NULL, job->snap, fc->best, h);
      }
      gtk_expander_set_child (GTK_EXPANDER (exp), inner);
      gtk_box_append (box, exp);
    }
}

/* One goroutine's samples, for its drill-down (already on a user action). */
static void
fill_cpu_list_now (GtkBox *box, TaSnapshot *snap, gint64 t0, gint64 t1, gint64 goid)
{
  CpuJob *job = g_new0 (CpuJob, 1);
  job->snap = ta_snapshot_ref (snap);
  job->t0 = t0;
  job->t1 = t1;
  job->goid = goid;
  count_cpu (job, NULL);
  fill_cpu_list (box, job);
  cpu_job_free (job);
}

static void
cpu_counted_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  TaTracePage *self = TA_TRACE_PAGE (source);
  CpuJob *job = g_task_get_task_data (G_TASK (result));

  if (!g_task_propagate_boolean (G_TASK (result), NULL))
    return;  /* superseded */
  g_clear_object (&self->cpu_cancel);
  clear_box (self->cpu_box);
  add_heading (self->cpu_box, job->heading, "heading");
  fill_cpu_list (self->cpu_box, job);
}

static gboolean
update_cpu_idle (gpointer data)
{
  TaTracePage *self = data;
  g_autoptr (TaSnapshot) snap = self->doc ? ta_document_dup_snapshot (self->doc) : NULL;
  g_autoptr (GTask) task = NULL;
  CpuJob *job;
  gboolean sel;

  self->cpu_idle = 0;
  if (self->cpu_cancel)
    g_cancellable_cancel (self->cpu_cancel);
  g_clear_object (&self->cpu_cancel);
  if (!snap)
    {
      clear_box (self->cpu_box);
      return G_SOURCE_REMOVE;
    }
  job = g_new0 (CpuJob, 1);
  job->snap = ta_snapshot_ref (snap);
  job->goid = self->drill_g;
  sel = ta_session_get_selection (self->session, &job->t0, &job->t1);
  if (!sel)
    {
      job->t0 = ta_snapshot_get_start (snap);
      job->t1 = ta_snapshot_get_end (snap) + 1;
    }
  {
    g_autofree char *d = ta_format_duration (job->t1 - job->t0);
    g_autofree char *gl = self->drill_g >= 0 ? goroutine_label (snap, self->drill_g) : NULL;
    job->heading = g_strdup_printf ("Top functions in %s (%s)%s%s", sel ? "the selection" : "the whole trace", d,
                                    gl ? ", " : "", gl ? gl : "");
  }
  self->cpu_cancel = g_cancellable_new ();
  task = g_task_new (self, self->cpu_cancel, cpu_counted_cb, NULL);
  g_task_set_task_data (task, job, cpu_job_free);
  g_task_set_priority (task, G_PRIORITY_LOW);
  g_task_run_in_thread (task, count_cpu_thread);
  return G_SOURCE_REMOVE;
}

static gboolean
cpu_pane_shown (TaTracePage *self)
{
  return gtk_widget_get_visible (self->side_pane)
         && g_strcmp0 (gtk_stack_get_visible_child_name (self->pane_stack), "cpu") == 0;
}

void
ta_trace_page_update_cpu (TaTracePage *self)
{
  /* Only while the CPU pane is shown: rebuilding its rows (25 expanders
   * with their stacks) after every snapshot published while indexing cost
   * the main thread a frame's time each. Otherwise marked stale and done
   * when it is shown (cpu_pane_shown_cb). */
  if (!cpu_pane_shown (self))
    {
      self->cpu_stale = TRUE;
      return;
    }
  self->cpu_stale = FALSE;
  /* Coalesced: selection drags fire many changes per frame. */
  if (!self->cpu_idle)
    self->cpu_idle = g_timeout_add_full (G_PRIORITY_LOW, 100, update_cpu_idle, g_object_ref (self), g_object_unref);
}

/* ---- jump palette --------------------------------------------------------------- */

static void
add_jump_choice (TaTracePage *self, const char *label, const char *query)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *l = gtk_label_new (label);
  gtk_label_set_xalign (GTK_LABEL (l), 0);
  gtk_label_set_ellipsize (GTK_LABEL (l), PANGO_ELLIPSIZE_END);
  gtk_widget_set_margin_start (l, 6);
  gtk_widget_set_margin_top (l, 3);
  gtk_widget_set_margin_bottom (l, 3);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), l);
  g_object_set_data_full (G_OBJECT (row), "query", g_strdup (query), g_free);
  gtk_list_box_append (self->jump_list, row);
}

static gboolean
jump_to (TaTracePage *self, const char *text)
{
  g_autoptr (TaSnapshot) snap = self->doc ? ta_document_dup_snapshot (self->doc) : NULL;
  TaJumpQuery q;
  gboolean ok = FALSE;

  if (!snap)
    return FALSE;
  ta_jump_parse (text, &q);
  switch (q.kind)
    {
    case TA_JUMP_GOROUTINE:
      {
        TaGoroutine g;
        TaTrackKey key = { TA_TRACK_GOROUTINE, 0, q.id };
        if (ta_snapshot_find_goroutine (snap, q.id, &g, NULL))
          {
            gint64 a, b, end = g.end_time == TA_TIME_NONE ? ta_snapshot_get_end (snap) : g.end_time;
            ta_session_get_view (self->session, &a, &b);
            if (end <= a || g.creation_time >= b)
              {
                gint64 pad = MAX ((end - g.creation_time) / 10, 1000);
                ta_session_set_view (self->session, g.creation_time - pad, end + pad, TRUE);
              }
            ta_timeline_reveal_track (self->timeline, &key);
            show_goroutine (self, q.id);
            ok = TRUE;
          }
      }
      break;
    case TA_JUMP_PROC:
    case TA_JUMP_THREAD:
      {
        TaTrackKey key = { q.kind == TA_JUMP_PROC ? TA_TRACK_PROC : TA_TRACK_THREAD, 0, q.id };
        ok = ta_timeline_reveal_track (self->timeline, &key);
      }
      break;
    case TA_JUMP_TIME:
      ta_session_show_time (self->session, ta_snapshot_get_start (snap) + q.id, 0);
      ok = TRUE;
      break;
    case TA_JUMP_FUNCTION:
      {
        guint64 ng = ta_snapshot_get_n_goroutines (snap);
        g_autofree char *needle = g_utf8_casefold (q.text, -1);
        for (guint64 i = 0; i < ng && !ok; i++)
          {
            TaGoroutine g;
            g_autofree char *hay = NULL;
            if (!ta_snapshot_get_goroutine (snap, i, &g) || !g.start_func)
              continue;
            hay = g_utf8_casefold (ta_snapshot_get_string (snap, g.start_func), -1);
            if (strstr (hay, needle))
              {
                g_autofree char *gq = g_strdup_printf ("g%" G_GINT64_FORMAT, g.id);
                ta_jump_query_clear (&q);
                return jump_to (self, gq);
              }
          }
      }
      break;
    case TA_JUMP_NONE:
      break;
    }
  if (!ok && q.kind != TA_JUMP_NONE)
    {
      g_autofree char *msg = g_strdup_printf ("Nothing matches “%s”", text);
      gtk_label_set_text (self->selection_label, msg);
    }
  ta_jump_query_clear (&q);
  return ok;
}

static void
jump_changed_cb (TaTracePage *self)
{
  g_autoptr (TaSnapshot) snap = self->doc ? ta_document_dup_snapshot (self->doc) : NULL;
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->jump_entry));
  TaJumpQuery q;
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->jump_list))))
    gtk_list_box_remove (self->jump_list, child);
  if (!snap)
    return;
  ta_jump_parse (text, &q);
  switch (q.kind)
    {
    case TA_JUMP_GOROUTINE:
      {
        g_autofree char *l = goroutine_label (snap, q.id);
        g_autofree char *qq = g_strdup_printf ("g%" G_GINT64_FORMAT, q.id);
        add_jump_choice (self, l, qq);
      }
      break;
    case TA_JUMP_PROC:
    case TA_JUMP_THREAD:
      {
        g_autofree char *l = g_strdup_printf ("%s %" G_GINT64_FORMAT, q.kind == TA_JUMP_PROC ? "Proc" : "Thread", q.id);
        add_jump_choice (self, l, text);
      }
      break;
    case TA_JUMP_TIME:
      {
        g_autofree char *d = ta_format_duration (q.id);
        g_autofree char *l = g_strdup_printf ("Time %s", d);
        add_jump_choice (self, l, text);
      }
      break;
    case TA_JUMP_FUNCTION:
      {
        guint64 ng = ta_snapshot_get_n_goroutines (snap);
        g_autofree char *needle = g_utf8_casefold (q.text, -1);
        guint found = 0;
        for (guint64 i = 0; i < ng && found < MAX_JUMP_ROWS; i++)
          {
            TaGoroutine g;
            g_autofree char *hay = NULL;
            if (!ta_snapshot_get_goroutine (snap, i, &g) || !g.start_func)
              continue;
            hay = g_utf8_casefold (ta_snapshot_get_string (snap, g.start_func), -1);
            if (strstr (hay, needle))
              {
                g_autofree char *l = ta_snapshot_dup_goroutine_label (snap, &g);
                g_autofree char *qq = g_strdup_printf ("g%" G_GINT64_FORMAT, g.id);
                add_jump_choice (self, l, qq);
                found++;
              }
          }
      }
      break;
    case TA_JUMP_NONE:
      break;
    }
  ta_jump_query_clear (&q);
  {
    GtkListBoxRow *first = gtk_list_box_get_row_at_index (self->jump_list, 0);
    if (first)
      gtk_list_box_select_row (self->jump_list, first);
  }
}

static void
jump_activate_cb (TaTracePage *self)
{
  GtkListBoxRow *row = gtk_list_box_get_selected_row (self->jump_list);
  const char *query = row ? g_object_get_data (G_OBJECT (row), "query") : NULL;
  g_autofree char *text = g_strdup (query ? query : gtk_editable_get_text (GTK_EDITABLE (self->jump_entry)));

  gtk_popover_popdown (self->jump_popover);
  jump_to (self, text);
  gtk_widget_grab_focus (GTK_WIDGET (self->timeline));
}

static void
jump_row_activated_cb (TaTracePage *self, GtkListBoxRow *row)
{
  gtk_list_box_select_row (self->jump_list, row);
  jump_activate_cb (self);
}

/* Built when first opened, not with the page: a trace's page is created
 * while it starts loading, and every widget made then stalls the main
 * loop (ui-bench stall). */
static void
ensure_jump_popover (TaTracePage *self)
{
  GtkWidget *box, *scrolled;

  if (self->jump_popover)
    return;
  self->jump_entry = GTK_SEARCH_ENTRY (gtk_search_entry_new ());
  g_object_set (self->jump_entry, "placeholder-text", "g123, p4, m7, @1.5ms or a function name", NULL);
  g_signal_connect_object (self->jump_entry, "search-changed", G_CALLBACK (jump_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->jump_entry, "activate", G_CALLBACK (jump_activate_cb), self, G_CONNECT_SWAPPED);

  self->jump_list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->jump_list, GTK_SELECTION_BROWSE);
  g_signal_connect_object (self->jump_list, "row-activated", G_CALLBACK (jump_row_activated_cb), self,
                           G_CONNECT_SWAPPED);
  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scrolled), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scrolled), 360);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), GTK_WIDGET (self->jump_list));

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_set_size_request (box, 420, -1);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->jump_entry));
  gtk_box_append (GTK_BOX (box), scrolled);

  self->jump_popover = GTK_POPOVER (gtk_popover_new ());
  gtk_popover_set_position (self->jump_popover, GTK_POS_BOTTOM);
  gtk_popover_set_has_arrow (self->jump_popover, FALSE);
  gtk_popover_set_child (self->jump_popover, box);
  gtk_widget_set_parent (GTK_WIDGET (self->jump_popover), GTK_WIDGET (self));
}

static void
jump_action (GtkWidget *widget, const char *name, GVariant *param)
{
  TaTracePage *self = TA_TRACE_PAGE (widget);
  int w = gtk_widget_get_width (widget);
  GdkRectangle at = { w / 2, 40, 1, 1 };

  ensure_jump_popover (self);
  gtk_popover_set_pointing_to (self->jump_popover, &at);
  gtk_editable_set_text (GTK_EDITABLE (self->jump_entry), "");
  gtk_popover_popup (self->jump_popover);
  gtk_widget_grab_focus (GTK_WIDGET (self->jump_entry));
}

static void
jump_to_action (GtkWidget *widget, const char *name, GVariant *param)
{
  TaTracePage *self = TA_TRACE_PAGE (widget);
  if (self->jump_popover)
    gtk_popover_popdown (self->jump_popover);
  jump_to (self, g_variant_get_string (param, NULL));
}

/* ---- setup ------------------------------------------------------------------------ */

void
ta_trace_page_panes_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "page.jump", NULL, jump_action);
  gtk_widget_class_install_action (widget_class, "page.jump-to", "s", jump_to_action);
  gtk_widget_class_install_action (widget_class, "page.show-goroutine", "x", show_goroutine_action);
  gtk_widget_class_install_action (widget_class, "page.copy-details", NULL, copy_details_action);
}

static void
cpu_pane_shown_cb (TaTracePage *self)
{
  if (self->cpu_stale && cpu_pane_shown (self))
    ta_trace_page_update_cpu (self);
}

void
ta_trace_page_panes_init (TaTracePage *self)
{
  self->cpu_stale = TRUE;
  g_signal_connect_object (self->pane_stack, "notify::visible-child", G_CALLBACK (cpu_pane_shown_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->side_pane, "notify::visible", G_CALLBACK (cpu_pane_shown_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->timeline, "span-activated", G_CALLBACK (span_activated_cb), self, 0);
  g_signal_connect_object (self->timeline, "row-activated", G_CALLBACK (row_activated_cb), self, 0);
  add_heading (self->details_box, "Click a span on the timeline to see its details.", "dim-label");
  add_heading (self->goroutine_box, "Click a goroutine's name, or press Ctrl+K and type g123.", "dim-label");
}
