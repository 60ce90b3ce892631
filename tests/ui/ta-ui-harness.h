/* ta-ui-harness.h: what the Xvfb smoke test (tests/ui/test-ui-smoke.c) and
 * the viewer benchmark (bench/ui/ui-bench.c) share to drive the real window:
 * main-loop spinning, load/paint conditions and the window set-up.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ta-app-window.h"
#include "ta-application.h"
#include "ta-trace-page.h"

G_BEGIN_DECLS

/* Iterates the default main context for `ms` milliseconds. */
void         ta_harness_spin        (guint ms);
/* Iterates until cond (data) holds or `ms` pass; returns cond (data). */
gboolean     ta_harness_spin_until  (gboolean (*cond) (gpointer), gpointer data, guint ms);
/* Conditions on a TaTracePage: indexing finished; the timeline drew a frame. */
gboolean     ta_harness_page_loaded (gpointer page);
gboolean     ta_harness_has_frames  (gpointer page);
/* Initialises GTK and libadwaita with a private recent-files list (not the
 * user's), registers a NON_UNIQUE TaApplication (startup runs: accels and
 * app actions exist) and presents a TaAppWindow of width x height. NULL if
 * the application cannot register. */
TaAppWindow *ta_harness_new_window  (TaApplication **app_out, int width, int height);

G_END_DECLS
