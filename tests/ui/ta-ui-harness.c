/* ta-ui-harness.c: driving the real window in tests and benchmarks (see the
 * header).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "ta-ui-harness.h"

#include "ta-timeline.h"

void
ta_harness_spin (guint ms)
{
  gint64 until = g_get_monotonic_time () + (gint64)ms * 1000;
  while (g_get_monotonic_time () < until)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
}

gboolean
ta_harness_spin_until (gboolean (*cond) (gpointer), gpointer data, guint ms)
{
  gint64 until = g_get_monotonic_time () + (gint64)ms * 1000;
  while (g_get_monotonic_time () < until)
    {
      if (cond (data))
        return TRUE;
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
  return cond (data);
}

gboolean
ta_harness_page_loaded (gpointer page)
{
  return !ta_trace_page_get_loading (page)
         && !ta_timeline_get_update_pending (ta_trace_page_get_timeline (page));
}

gboolean
ta_harness_has_frames (gpointer page)
{
  return ta_timeline_get_n_frames (ta_trace_page_get_timeline (page)) > 0;
}

TaAppWindow *
ta_harness_new_window (TaApplication **app_out, int width, int height)
{
  g_autofree char *tmp = g_dir_make_tmp ("ta-ui-XXXXXX", NULL);
  TaApplication *app;
  TaAppWindow *win;

  g_setenv ("XDG_DATA_HOME", tmp, TRUE);
  gtk_init ();
  adw_init ();
  app = ta_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  if (!g_application_register (G_APPLICATION (app), NULL, NULL))
    {
      g_object_unref (app);
      return NULL;
    }
  win = ta_app_window_new (app);
  gtk_window_set_default_size (GTK_WINDOW (win), width, height);
  gtk_window_present (GTK_WINDOW (win));
  *app_out = app;
  return win;
}
