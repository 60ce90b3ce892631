/* ta-session.h: what one open trace is looking at.
 *
 * Owns the trace extent, the visible time range, the selected range and the
 * navigation history; widgets observe it ("view-changed",
 * "selection-changed") and actions mutate it. GLib only, no GTK.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>
#include <stdint.h>

#include "ta-timeline-math.h"

G_BEGIN_DECLS

#define TA_TYPE_SESSION (ta_session_get_type ())
G_DECLARE_FINAL_TYPE (TaSession, ta_session, TA, SESSION, GObject)

TaSession *ta_session_new               (void);

void       ta_session_set_extent        (TaSession *self, int64_t start, int64_t end);
void       ta_session_get_extent        (TaSession *self, int64_t *start, int64_t *end);
/* Shortest span the view may show (ns). */
int64_t    ta_session_get_min_span      (TaSession *self);

void       ta_session_get_view          (TaSession *self, int64_t *start, int64_t *end);
/* Sets the visible range, clamped to the extent. `remember` records the
 * range being left in the back history (jumps, fits, zoom-to-selection;
 * not every wheel tick). */
void       ta_session_set_view          (TaSession *self, int64_t start, int64_t end,
                                         gboolean remember);
void       ta_session_zoom_at           (TaSession *self, double anchor_x, double width,
                                         double factor);
void       ta_session_pan_px            (TaSession *self, double dx, double width);
void       ta_session_fit               (TaSession *self);
/* Centres `t` keeping the zoom unless `span` > 0, remembered. */
void       ta_session_show_time         (TaSession *self, int64_t t, int64_t span);

gboolean   ta_session_can_go_back       (TaSession *self);
gboolean   ta_session_can_go_forward    (TaSession *self);
gboolean   ta_session_go_back           (TaSession *self);
gboolean   ta_session_go_forward        (TaSession *self);

gboolean   ta_session_get_selection     (TaSession *self, int64_t *start, int64_t *end);
void       ta_session_set_selection     (TaSession *self, int64_t start, int64_t end);
void       ta_session_clear_selection   (TaSession *self);
gboolean   ta_session_zoom_to_selection (TaSession *self);

G_END_DECLS
