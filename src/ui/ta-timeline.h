/* ta-timeline.h: the timeline canvas: one widget drawing every track.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "model.h"
#include "ta-session.h"

G_BEGIN_DECLS

typedef enum {
  TA_SORT_BY_ID = 0,
  TA_SORT_BY_START,
} TaGoroutineSort;

#define TA_TYPE_TIMELINE (ta_timeline_get_type ())
G_DECLARE_FINAL_TYPE (TaTimeline, ta_timeline, TA, TIMELINE, GtkWidget)

GtkWidget  *ta_timeline_new                 (void);
void        ta_timeline_set_document        (TaTimeline *self, TaDocument *doc);
void        ta_timeline_set_session         (TaTimeline *self, TaSession *session);
TaSession  *ta_timeline_get_session         (TaTimeline *self);
GtkAdjustment *ta_timeline_get_vadjustment  (TaTimeline *self);
void        ta_timeline_set_goroutine_sort  (TaTimeline *self, TaGoroutineSort sort);
void        ta_timeline_set_group_by_function (TaTimeline *self, gboolean group);
gboolean      ta_timeline_get_group_by_function (TaTimeline *self);
TaGoroutineSort ta_timeline_get_goroutine_sort (TaTimeline *self);
/* Scrolls vertically so the track shows (expanding its group) and marks it;
 * FALSE when the snapshot has no such track. */
gboolean    ta_timeline_reveal_track        (TaTimeline *self, const TaTrackKey *key);
/* Exact spans currently held for drawing (may be NULL). */
TaWindow   *ta_timeline_get_window          (TaTimeline *self);
/* Whether a published snapshot or a goroutine layout waits to be shown
 * (its lines are being computed between frames). */
gboolean    ta_timeline_get_update_pending   (TaTimeline *self);
/* Number of frames drawn so far (tests, bench). */
guint       ta_timeline_get_n_frames        (TaTimeline *self);
/* Rows in the layout and how many of them are visible now (tests). */
guint       ta_timeline_get_n_rows          (TaTimeline *self);

G_END_DECLS
