/* test-ui-smoke.c: the real window under Xvfb.
 *
 *   test-ui-smoke FILE                      drive everything, exit 0
 *   test-ui-smoke --pose NAME --hold S FILE stop in a pose for screenshots:
 *                                           overview, zoomed, drilldown,
 *                                           grouped (by start function)
 *   test-ui-smoke --unreadable FILE         FILE cannot be shown at all: the
 *                                           page says why, naming it, and
 *                                           its Close Tab button closes it
 *
 * Opens FILE in a TaAppWindow, waits until it is indexed and painted, then
 * drives zoom, pan, selection, history, the jump palette, a span click and
 * the goroutine drill-down through their actions, checking the session and
 * panes after each, and closes the window. Run with
 * G_DEBUG=fatal-criticals so any critical fails it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "ta-ui-harness.h"
#include "ta-timeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static gboolean
has_window (gpointer p)
{
  return ta_timeline_get_window (ta_trace_page_get_timeline (p)) != NULL;
}

static void
view (TaTracePage *page, gint64 *a, gint64 *b)
{
  ta_session_get_view (ta_trace_page_get_session (page), a, b);
}

static guint
frames (TaTracePage *page)
{
  return ta_timeline_get_n_frames (ta_trace_page_get_timeline (page));
}

/* Draws at least one more frame. */
static void
redraw (TaTracePage *page)
{
  guint f = frames (page);
  gint64 until = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;
  gtk_widget_queue_draw (GTK_WIDGET (ta_trace_page_get_timeline (page)));
  while (frames (page) == f && g_get_monotonic_time () < until)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (2000);
  g_assert_cmpuint (frames (page), >, f);
}


/* The first widget under `w` (depth first) that `match` accepts. */
static GtkWidget *
find_widget (GtkWidget *w, gboolean (*match) (GtkWidget *w, const char *arg), const char *arg)
{
  if (match (w, arg))
    return w;
  for (GtkWidget *c = gtk_widget_get_first_child (w); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_widget (c, match, arg);
      if (found)
        return found;
    }
  return NULL;
}

static gboolean
is_menu_button (GtkWidget *w, const char *unused)
{
  return GTK_IS_MENU_BUTTON (w);
}

/* Whether `w` activates `action`. */
static gboolean
activates (GtkWidget *w, const char *action)
{
  return GTK_IS_ACTIONABLE (w) && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (w)), action) == 0;
}

/* The legend is built when first shown: pop it up, it has its rows. */
static void
check_legend (TaTracePage *page)
{
  GtkWidget *button = find_widget (GTK_WIDGET (page), is_menu_button, NULL);
  GtkPopover *popover;
  GtkWidget *grid;

  g_assert_nonnull (button);
  popover = gtk_menu_button_get_popover (GTK_MENU_BUTTON (button));
  g_assert_nonnull (popover);
  gtk_menu_button_popup (GTK_MENU_BUTTON (button));
  ta_harness_spin (100);
  grid = gtk_popover_get_child (popover);
  g_assert_true (GTK_IS_GRID (grid));
  g_assert_nonnull (gtk_grid_get_child_at (GTK_GRID (grid), 0, 0));
  g_assert_nonnull (gtk_grid_get_child_at (GTK_GRID (grid), 3, 11));
  gtk_menu_button_popdown (GTK_MENU_BUTTON (button));
  ta_harness_spin (50);
}

#define ACT(w, name, ...) g_assert_true (gtk_widget_activate_action (GTK_WIDGET (w), name, __VA_ARGS__))

/* A goroutine with a known start function and a long life. */
static gboolean
pick_goroutine (TaSnapshot *snap, TaGoroutine *out)
{
  gint64 best = -1;
  for (guint64 i = 0; i < ta_snapshot_get_n_goroutines (snap); i++)
    {
      TaGoroutine g;
      gint64 end, life;
      const char *fn;
      if (!ta_snapshot_get_goroutine (snap, i, &g) || !g.start_func)
        continue;
      fn = ta_snapshot_get_string (snap, g.start_func);
      if (g_str_has_prefix (fn, "runtime."))
        continue;
      end = g.end_time == TA_TIME_NONE ? ta_snapshot_get_end (snap) : g.end_time;
      life = end - g.creation_time;
      if (life > best)
        {
          best = life;
          *out = g;
        }
    }
  return best >= 0;
}

/* A file that keeps nothing (not a trace, a directory): the page shows the
 * cause in place of an empty timeline, and closing it leaves no tab. */
static int
check_unreadable (TaAppWindow *win, TaTracePage *page, const char *arg)
{
  g_autoptr (GFile) file = g_file_new_for_commandline_arg (arg);
  g_autofree char *path = g_file_get_path (file);
  GtkWidget *jump_button;

  g_assert_true (ta_trace_page_get_open_failed (page));
  g_assert_nonnull (ta_trace_page_get_error (page));
  g_assert_nonnull (strstr (ta_trace_page_get_error (page), path));
  g_assert_cmpstr (ta_trace_page_get_subtitle (page), ==, "Not opened");
  g_print ("# %s: %s\n", arg, ta_trace_page_get_error (page));
  /* Nothing to jump to: the header's jump button is off. Keys that act on
   * a trace do nothing harmful. */
  jump_button = find_widget (GTK_WIDGET (win), activates, "win.jump");
  g_assert_nonnull (jump_button);
  g_assert_false (gtk_widget_get_sensitive (jump_button));
  ACT (win, "win.jump", NULL);
  ACT (ta_trace_page_get_timeline (page), "timeline.zoom-in", NULL);
  ta_harness_spin (100);
  ACT (win, "win.close-tab", NULL);
  ta_harness_spin (100);
  g_assert_null (ta_app_window_get_page (win));
  gtk_window_destroy (GTK_WINDOW (win));
  ta_harness_spin (200);
  return 0;
}

int
main (int argc, char **argv)
{
  const char *pose = NULL;
  int hold = 0;
  gboolean unreadable = FALSE;
  g_autoptr (GOptionContext) ctx = g_option_context_new ("FILE");
  GOptionEntry entries[] = {
    { "pose", 0, 0, G_OPTION_ARG_STRING, &pose, "Stop in a pose: overview, zoomed, drilldown, grouped", "NAME" },
    { "hold", 0, 0, G_OPTION_ARG_INT, &hold, "Seconds to hold the pose", "S" },
    { "unreadable", 0, 0, G_OPTION_ARG_NONE, &unreadable, "FILE cannot be shown: check the page says so", NULL },
    { NULL },
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (TaApplication) app = NULL;
  g_autoptr (GFile) file = NULL;
  g_autoptr (TaSnapshot) snap = NULL;
  TaAppWindow *win;
  TaTracePage *page;
  TaTimeline *tl;
  TaSession *session;
  gint64 a, b, a0, b0, start, end;
  TaGoroutine g;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error) || argc != 2)
    {
      fprintf (stderr, "usage: test-ui-smoke [--pose NAME --hold S | --unreadable] FILE\n");
      return 2;
    }

  win = ta_harness_new_window (&app, 1600, 1000);
  g_assert_nonnull (win);
  ta_harness_spin (200);

  file = g_file_new_for_commandline_arg (argv[1]);
  page = ta_app_window_open_file (win, file);
  g_assert_nonnull (page);
  g_assert_true (ta_app_window_get_page (win) == page);
  g_assert_true (ta_harness_spin_until (ta_harness_page_loaded, page, 60000));
  if (unreadable)
    return check_unreadable (win, page, argv[1]);
  g_assert_true (ta_harness_spin_until (ta_harness_has_frames, page, 10000));
  tl = ta_trace_page_get_timeline (page);
  session = ta_trace_page_get_session (page);
  snap = ta_document_dup_snapshot (ta_trace_page_get_document (page));
  g_assert_nonnull (snap);
  g_assert_cmpuint (ta_timeline_get_n_rows (tl), >, 3);
  g_print ("# %s: %" G_GUINT64_FORMAT " goroutines, %u rows, error: %s\n", argv[1],
           ta_snapshot_get_n_goroutines (snap), ta_timeline_get_n_rows (tl),
           ta_trace_page_get_error (page) ? ta_trace_page_get_error (page) : "none");
  start = ta_snapshot_get_start (snap);
  end = ta_snapshot_get_end (snap);
  view (page, &a0, &b0);
  g_assert_cmpint (a0, ==, start);
  g_assert_cmpint (b0, ==, end);

  if (pose && g_str_equal (pose, "grouped"))
    {
      /* Goroutines grouped by start function, by start time. */
      ta_timeline_set_group_by_function (tl, TRUE);
      ta_timeline_set_goroutine_sort (tl, TA_SORT_BY_START);
      ACT (tl, "timeline.toggle-group", "s", "Procs");
      ACT (tl, "timeline.toggle-group", "s", "Threads");
      ta_harness_spin (300);
      redraw (page);
      ta_harness_spin ((guint)hold * 1000);
      gtk_window_destroy (GTK_WINDOW (win));
      ta_harness_spin (200);
      return 0;
    }
  if (pose && g_str_equal (pose, "overview"))
    {
      ta_harness_spin_until (has_window, page, 2000);
      redraw (page);
      ta_harness_spin ((guint)hold * 1000);
      gtk_window_destroy (GTK_WINDOW (win));
      ta_harness_spin (200);
      return 0;
    }

  /* Zoom in three times at the centre: the span shrinks by 1.5^3. */
  ACT (tl, "timeline.zoom-in", NULL);
  ACT (tl, "timeline.zoom-in", NULL);
  ACT (tl, "timeline.zoom-in", NULL);
  redraw (page);
  view (page, &a, &b);
  g_assert_cmpint (b - a, <, (b0 - a0) / 3);
  g_assert_cmpint (b - a, >, (b0 - a0) / 4);
  /* Pan right by an eighth of the view. */
  {
    gint64 pa = a;
    ACT (tl, "timeline.pan-right", NULL);
    redraw (page);
    view (page, &a, &b);
    g_assert_cmpint (a, >, pa);
    ACT (tl, "timeline.pan-left", NULL);
    view (page, &a, &b);
    g_assert_cmpint (llabs (a - pa), <=, 2);
  }
  ACT (tl, "timeline.scroll-down", NULL);
  ACT (tl, "timeline.scroll-up", NULL);
  redraw (page);

  /* Select a range, zoom to it, and come back. */
  {
    gint64 s0 = start + (end - start) / 4, s1 = start + (end - start) / 3, sa, sb;
    gint64 va, vb;
    view (page, &va, &vb);
    ACT (tl, "timeline.select-range", "(xx)", s0, s1);
    g_assert_true (ta_session_get_selection (session, &sa, &sb));
    g_assert_cmpint (sa, ==, s0);
    g_assert_cmpint (sb, ==, s1);
    redraw (page);
    ACT (page, "page.zoom-selection", NULL);
    view (page, &a, &b);
    g_assert_cmpint (a, ==, s0);
    g_assert_cmpint (b, ==, s1);
    redraw (page);
    ACT (page, "page.back", NULL);
    view (page, &a, &b);
    g_assert_cmpint (a, ==, va);
    g_assert_cmpint (b, ==, vb);
    ACT (page, "page.forward", NULL);
    view (page, &a, &b);
    g_assert_cmpint (a, ==, s0);
    ACT (tl, "timeline.clear-selection", NULL);
    g_assert_false (ta_session_get_selection (session, NULL, NULL));
  }
  ACT (page, "page.fit", NULL);
  view (page, &a, &b);
  g_assert_cmpint (a, ==, start);
  g_assert_cmpint (b, ==, end);
  redraw (page);

  /* Group and sort goroutines, collapse and expand a group. */
  ta_timeline_set_group_by_function (tl, TRUE);
  redraw (page);
  ta_timeline_set_goroutine_sort (tl, TA_SORT_BY_START);
  redraw (page);
  ta_timeline_set_group_by_function (tl, FALSE);
  ta_timeline_set_goroutine_sort (tl, TA_SORT_BY_ID);
  ACT (tl, "timeline.toggle-group", "s", "Threads");
  redraw (page);
  ACT (tl, "timeline.toggle-group", "s", "Threads");

  /* The jump palette: open it, then jump to a goroutine by id. */
  if (pick_goroutine (snap, &g))
    {
      g_autofree char *q = g_strdup_printf ("g%" G_GINT64_FORMAT, g.id);
      const char *fn = ta_snapshot_get_string (snap, g.start_func);
      TaTrackKey key = { TA_TRACK_GOROUTINE, 0, g.id };
      gint64 gend = g.end_time == TA_TIME_NONE ? end : g.end_time;

      ACT (win, "win.jump", NULL);
      ta_harness_spin (100);
      ACT (page, "page.jump-to", "s", q);
      g_assert_cmpint (ta_trace_page_get_drilldown_goroutine (page), ==, g.id);
      g_assert_cmpstr (ta_trace_page_get_pane (page), ==, "goroutine");
      ta_harness_spin (300);
      redraw (page);

      /* By function name (the palette's fuzzy case). */
      ACT (page, "page.jump-to", "s", fn);
      g_assert_cmpint (ta_trace_page_get_drilldown_goroutine (page), >=, 0);

      if (pose && g_str_equal (pose, "drilldown"))
        {
          ACT (page, "page.jump-to", "s", q);
          ta_harness_spin (500);
          redraw (page);
          ta_harness_spin ((guint)hold * 1000);
          gtk_window_destroy (GTK_WINDOW (win));
          ta_harness_spin (200);
          return 0;
        }

      /* Zoom onto the goroutine's life and click its span in the middle. */
      ACT (tl, "timeline.set-view", "(xx)", g.creation_time, MIN (gend, g.creation_time + (gend - g.creation_time) / 2 + 1));
      ta_harness_spin_until (has_window, page, 3000);
      ta_harness_spin (300);
      redraw (page);
      ACT (tl, "timeline.activate-at", "(uuxx)", (guint32)TA_TRACK_GOROUTINE, (guint32)0, g.id,
           g.creation_time + (gend - g.creation_time) / 8);
      g_assert_cmpstr (ta_trace_page_get_pane (page), ==, "details");
      ta_harness_spin (300);
      redraw (page);
      ACT (page, "page.copy-details", NULL);
      (void)key;

      if (pose && g_str_equal (pose, "zoomed"))
        {
          ta_harness_spin ((guint)hold * 1000);
          gtk_window_destroy (GTK_WINDOW (win));
          ta_harness_spin (200);
          return 0;
        }

      ACT (page, "page.show-goroutine", "x", g.id);
      ta_harness_spin (300);
      ACT (page, "page.show-pane", "s", "cpu");
      ta_harness_spin (200);
      redraw (page);
    }

  check_legend (page);

  /* Procs and threads through the palette. */
  ACT (page, "page.jump-to", "s", "p0");
  ACT (page, "page.jump-to", "s", "@1us");
  ACT (page, "page.jump-to", "s", "no-such-function-anywhere");
  ACT (tl, "timeline.fit", NULL);
  redraw (page);

  /* Preferences (when the build's schema is found): the page follows them. */
  if (g_getenv ("GSETTINGS_SCHEMA_DIR"))
    {
      GSettings *settings = ta_application_get_settings (app);
      g_assert_nonnull (settings);
      g_settings_set_boolean (settings, "group-by-function", TRUE);
      g_settings_set_string (settings, "goroutine-sort", "start");
      ta_harness_spin (50);
      g_assert_true (ta_timeline_get_group_by_function (tl));
      g_assert_cmpint (ta_timeline_get_goroutine_sort (tl), ==, TA_SORT_BY_START);
      g_settings_reset (settings, "group-by-function");
      g_settings_reset (settings, "goroutine-sort");
      ta_harness_spin (50);
      g_assert_false (ta_timeline_get_group_by_function (tl));
      g_assert_cmpint (ta_timeline_get_goroutine_sort (tl), ==, TA_SORT_BY_ID);
    }

  /* Close the tab and the window; closing keeps the window's size. */
  ACT (win, "win.close-tab", NULL);
  ta_harness_spin (200);
  g_assert_null (ta_app_window_get_page (win));
  gtk_window_set_default_size (GTK_WINDOW (win), 1500, 900);
  ta_harness_spin (100);
  gtk_window_close (GTK_WINDOW (win));
  ta_harness_spin (200);
  if (ta_application_get_settings (app))
    {
      int w, h;
      g_settings_get (ta_application_get_settings (app), "window-size", "(ii)", &w, &h);
      g_assert_cmpint (w, ==, 1500);
      g_assert_cmpint (h, ==, 900);
    }
  g_print ("# ok\n");
  return 0;
}
