/* ta-app-window.h: the main window: tabs of open traces, or an empty state.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ta-application.h"
#include "ta-trace-page.h"

G_BEGIN_DECLS

#define TA_TYPE_APP_WINDOW (ta_app_window_get_type ())
G_DECLARE_FINAL_TYPE (TaAppWindow, ta_app_window, TA, APP_WINDOW, AdwApplicationWindow)

TaAppWindow    *ta_app_window_new            (TaApplication *app);
/* Opens `file` in a new tab (or focuses the tab already showing it). */
TaTracePage *ta_app_window_open_file      (TaAppWindow *self, GFile *file);
TaTracePage *ta_app_window_get_page       (TaAppWindow *self);
/* Shows a toast; used for errors that have no page to live on. */
void         ta_app_window_toast          (TaAppWindow *self, const char *message);

G_END_DECLS
