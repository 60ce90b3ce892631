/* ta-session.c: the visible range, selection and history of one trace.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ta-session"

#include "ta-session.h"

#define MIN_SPAN_NS 20  /* a few ns per pixel at most zoom is plenty */

struct _TaSession
{
  GObject parent_instance;

  int64_t extent_start, extent_end;
  TaViewport vp;            /* width unused here: callers pass theirs */
  gboolean has_view;
  int64_t sel_start, sel_end;
  gboolean has_selection;
  TaHistory *history;
};

G_DEFINE_FINAL_TYPE (TaSession, ta_session, G_TYPE_OBJECT)

enum {
  VIEW_CHANGED,
  SELECTION_CHANGED,
  HISTORY_CHANGED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

TaSession *
ta_session_new (void)
{
  return g_object_new (TA_TYPE_SESSION, NULL);
}

static void
emit_view (TaSession *self, int64_t old_start, int64_t old_end)
{
  if (old_start != self->vp.start || old_end != self->vp.end)
    g_signal_emit (self, signals[VIEW_CHANGED], 0);
}

void
ta_session_set_extent (TaSession *self, int64_t start, int64_t end)
{
  int64_t os = self->vp.start, oe = self->vp.end;
  gboolean was_full;

  g_return_if_fail (TA_IS_SESSION (self));
  if (end <= start)
    end = start + 1;
  was_full = !self->has_view
             || (self->vp.start <= self->extent_start && self->vp.end >= self->extent_end);
  self->extent_start = start;
  self->extent_end = end;
  /* While a trace loads progressively the extent grows; a view that showed
   * everything keeps showing everything, any other view stays put. */
  if (was_full)
    {
      self->vp.start = start;
      self->vp.end = end;
      self->has_view = TRUE;
    }
  ta_viewport_clamp (&self->vp, start, end);
  emit_view (self, os, oe);
}

void
ta_session_get_extent (TaSession *self, int64_t *start, int64_t *end)
{
  g_return_if_fail (TA_IS_SESSION (self));
  if (start) *start = self->extent_start;
  if (end) *end = self->extent_end;
}

int64_t
ta_session_get_min_span (TaSession *self)
{
  return MIN_SPAN_NS;
}

void
ta_session_get_view (TaSession *self, int64_t *start, int64_t *end)
{
  g_return_if_fail (TA_IS_SESSION (self));
  if (start) *start = self->vp.start;
  if (end) *end = self->vp.end;
}

void
ta_session_set_view (TaSession *self, int64_t start, int64_t end, gboolean remember)
{
  int64_t os = self->vp.start, oe = self->vp.end;

  g_return_if_fail (TA_IS_SESSION (self));
  if (end - start < MIN_SPAN_NS)
    {
      int64_t mid = start + (end - start) / 2;
      start = mid - MIN_SPAN_NS / 2;
      end = start + MIN_SPAN_NS;
    }
  if (remember)
    {
      ta_history_push (self->history, (TaRange){ os, oe });
      g_signal_emit (self, signals[HISTORY_CHANGED], 0);
    }
  self->vp.start = start;
  self->vp.end = end;
  ta_viewport_clamp (&self->vp, self->extent_start, self->extent_end);
  emit_view (self, os, oe);
}

void
ta_session_zoom_at (TaSession *self, double anchor_x, double width, double factor)
{
  int64_t os = self->vp.start, oe = self->vp.end;

  g_return_if_fail (TA_IS_SESSION (self));
  self->vp.width = width;
  ta_viewport_zoom_at (&self->vp, anchor_x, factor, MIN_SPAN_NS,
                       self->extent_start, self->extent_end);
  emit_view (self, os, oe);
}

void
ta_session_pan_px (TaSession *self, double dx, double width)
{
  int64_t os = self->vp.start, oe = self->vp.end;

  g_return_if_fail (TA_IS_SESSION (self));
  self->vp.width = width;
  ta_viewport_pan_px (&self->vp, dx, self->extent_start, self->extent_end);
  emit_view (self, os, oe);
}

void
ta_session_fit (TaSession *self)
{
  ta_session_set_view (self, self->extent_start, self->extent_end, TRUE);
}

void
ta_session_show_time (TaSession *self, int64_t t, int64_t span)
{
  if (span <= 0)
    span = self->vp.end - self->vp.start;
  ta_session_set_view (self, t - span / 2, t - span / 2 + span, TRUE);
}

gboolean
ta_session_can_go_back (TaSession *self)
{
  return ta_history_can_back (self->history);
}

gboolean
ta_session_can_go_forward (TaSession *self)
{
  return ta_history_can_forward (self->history);
}

static gboolean
go (TaSession *self, gboolean back)
{
  TaRange r, cur = { self->vp.start, self->vp.end };
  int64_t os = self->vp.start, oe = self->vp.end;
  gboolean ok = back ? ta_history_back (self->history, cur, &r)
                     : ta_history_forward (self->history, cur, &r);
  if (!ok)
    return FALSE;
  self->vp.start = r.start;
  self->vp.end = r.end;
  ta_viewport_clamp (&self->vp, self->extent_start, self->extent_end);
  g_signal_emit (self, signals[HISTORY_CHANGED], 0);
  emit_view (self, os, oe);
  return TRUE;
}

gboolean
ta_session_go_back (TaSession *self)
{
  g_return_val_if_fail (TA_IS_SESSION (self), FALSE);
  return go (self, TRUE);
}

gboolean
ta_session_go_forward (TaSession *self)
{
  g_return_val_if_fail (TA_IS_SESSION (self), FALSE);
  return go (self, FALSE);
}

gboolean
ta_session_get_selection (TaSession *self, int64_t *start, int64_t *end)
{
  g_return_val_if_fail (TA_IS_SESSION (self), FALSE);
  if (start) *start = self->sel_start;
  if (end) *end = self->sel_end;
  return self->has_selection;
}

void
ta_session_set_selection (TaSession *self, int64_t start, int64_t end)
{
  g_return_if_fail (TA_IS_SESSION (self));
  if (end < start)
    {
      int64_t t = start;
      start = end;
      end = t;
    }
  if (self->has_selection && self->sel_start == start && self->sel_end == end)
    return;
  self->sel_start = start;
  self->sel_end = end;
  self->has_selection = TRUE;
  g_signal_emit (self, signals[SELECTION_CHANGED], 0);
}

void
ta_session_clear_selection (TaSession *self)
{
  g_return_if_fail (TA_IS_SESSION (self));
  if (!self->has_selection)
    return;
  self->has_selection = FALSE;
  g_signal_emit (self, signals[SELECTION_CHANGED], 0);
}

gboolean
ta_session_zoom_to_selection (TaSession *self)
{
  g_return_val_if_fail (TA_IS_SESSION (self), FALSE);
  if (!self->has_selection || self->sel_end <= self->sel_start)
    return FALSE;
  ta_session_set_view (self, self->sel_start, self->sel_end, TRUE);
  return TRUE;
}

static void
ta_session_finalize (GObject *object)
{
  TaSession *self = TA_SESSION (object);
  g_clear_pointer (&self->history, ta_history_free);
  G_OBJECT_CLASS (ta_session_parent_class)->finalize (object);
}

static void
ta_session_class_init (TaSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ta_session_finalize;

  signals[VIEW_CHANGED] = g_signal_new ("view-changed", G_TYPE_FROM_CLASS (klass),
                                        G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SELECTION_CHANGED] = g_signal_new ("selection-changed", G_TYPE_FROM_CLASS (klass),
                                             G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[HISTORY_CHANGED] = g_signal_new ("history-changed", G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
ta_session_init (TaSession *self)
{
  self->history = ta_history_new (100);
  self->vp.width = 1000;
  self->extent_end = 1;
  self->vp.end = 1;
}
