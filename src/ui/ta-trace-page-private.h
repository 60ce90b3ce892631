/* ta-trace-page-private.h: the page's instance, shared with its panes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ta-trace-page.h"
#include "ta-timeline-math.h"

G_BEGIN_DECLS

struct _TaTracePage
{
  GtkWidget parent_instance;

  GFile      *file;
  TaDocument *doc;
  TaSession  *session;
  char       *title, *subtitle, *error_text;
  gboolean    loading;
  gboolean    open_failed;        /* nothing could be shown: the failure page is */
  gint64      progress_shown_at;  /* monotonic µs */
  guint       progress_timeout;   /* shows progress that came too soon */

  /* template */
  GtkWidget      *root;
  GtkRevealer    *error_revealer;
  GtkLabel       *error_label;
  GtkStack       *content_stack;
  AdwStatusPage  *failed_page;
  GtkProgressBar *progress;
  GtkLabel       *selection_label;
  GtkDropDown    *sort_dropdown;
  GtkToggleButton *group_toggle;
  GtkGrid        *legend_grid;
  GtkToggleButton *pane_toggle;
  TaTimeline     *timeline;
  GtkScrollbar   *vscrollbar;
  GtkWidget      *side_pane;
  GtkStack       *pane_stack;
  GtkBox         *details_box;
  GtkBox         *goroutine_box;
  GtkBox         *cpu_box;

  /* jump palette: built on first use (ta-trace-page-panes.c) */
  GtkPopover     *jump_popover;
  GtkSearchEntry *jump_entry;
  GtkListBox     *jump_list;

  /* panes */
  GCancellable *pane_cancel;     /* details: unblocker lookup */
  GCancellable *drill_cancel;    /* drill-down window */
  gint64        drill_g;
  char         *span_text;       /* details as plain text, for copying */
  guint         cpu_idle;
  guint         start_timeout;   /* indexing starts after the first frame, or this */
  gboolean      cpu_stale;       /* CPU pane: to be recounted when shown */
  gboolean      legend_built;
  GCancellable *cpu_cancel;      /* CPU pane: counting samples */
};

/* ta-trace-page-panes.c */
void ta_trace_page_panes_class_init  (GtkWidgetClass *widget_class);
void ta_trace_page_panes_init        (TaTracePage *self);
void ta_trace_page_update_cpu        (TaTracePage *self);
void ta_trace_page_show_pane_action  (GtkWidget *widget, const char *name, GVariant *param);
void ta_trace_page_show_error        (TaTracePage *self, const char *message);

G_END_DECLS
