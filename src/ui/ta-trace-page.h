/* ta-trace-page.h: one open trace: timeline, toolbar and side panes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "model.h"
#include "ta-session.h"
#include "ta-timeline.h"

G_BEGIN_DECLS

#define TA_TYPE_TRACE_PAGE (ta_trace_page_get_type ())
G_DECLARE_FINAL_TYPE (TaTracePage, ta_trace_page, TA, TRACE_PAGE, GtkWidget)

TaTracePage *ta_trace_page_new          (void);
/* The trace the page shows: set once, before loading. */
void         ta_trace_page_set_file     (TaTracePage *self, GFile *file);
/* Starts indexing. */
void         ta_trace_page_load         (TaTracePage *self);
GFile       *ta_trace_page_get_file     (TaTracePage *self);
const char  *ta_trace_page_get_title    (TaTracePage *self);
const char  *ta_trace_page_get_subtitle (TaTracePage *self);
gboolean     ta_trace_page_get_loading  (TaTracePage *self);
/* The error shown on the page, or NULL. */
const char  *ta_trace_page_get_error    (TaTracePage *self);
/* Whether the load kept nothing, so the page shows why instead of a timeline. */
gboolean     ta_trace_page_get_open_failed (TaTracePage *self);
TaTimeline  *ta_trace_page_get_timeline (TaTracePage *self);
TaSession   *ta_trace_page_get_session  (TaTracePage *self);
TaDocument  *ta_trace_page_get_document (TaTracePage *self);
/* Name of the visible side pane ("details", "goroutine", "cpu"). */
const char  *ta_trace_page_get_pane     (TaTracePage *self);
/* Goroutine shown in the drill-down, or -1. */
gint64       ta_trace_page_get_drilldown_goroutine (TaTracePage *self);

G_END_DECLS
