/* test-session.c: the view/selection/history object, without a display.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "ta-session.h"

static void
count_cb (gpointer obj, gpointer data)
{
  (*(int *)data)++;
}

static void
test_view (void)
{
  g_autoptr (TaSession) s = ta_session_new ();
  gint64 a, b;
  int views = 0, sels = 0;

  g_signal_connect (s, "view-changed", G_CALLBACK (count_cb), &views);
  g_signal_connect (s, "selection-changed", G_CALLBACK (count_cb), &sels);

  ta_session_set_extent (s, 1000, 11000);
  ta_session_get_view (s, &a, &b);
  g_assert_cmpint (a, ==, 1000);
  g_assert_cmpint (b, ==, 11000);
  g_assert_cmpint (views, ==, 1);

  /* A growing extent keeps a whole-trace view whole. */
  ta_session_set_extent (s, 1000, 21000);
  ta_session_get_view (s, &a, &b);
  g_assert_cmpint (b, ==, 21000);

  ta_session_zoom_at (s, 500, 1000, 2.0);
  ta_session_get_view (s, &a, &b);
  g_assert_cmpint (b - a, ==, 10000);
  g_assert_cmpint (a, ==, 6000);

  /* Now the extent grows again: a zoomed view stays put. */
  ta_session_set_extent (s, 1000, 31000);
  ta_session_get_view (s, &a, &b);
  g_assert_cmpint (a, ==, 6000);
  g_assert_cmpint (b, ==, 16000);

  ta_session_pan_px (s, 100, 1000);   /* 100 px of 10 ns */
  ta_session_get_view (s, &a, &b);
  g_assert_cmpint (a, ==, 7000);

  ta_session_set_selection (s, 9000, 8000);
  g_assert_true (ta_session_get_selection (s, &a, &b));
  g_assert_cmpint (a, ==, 8000);
  g_assert_cmpint (b, ==, 9000);
  g_assert_cmpint (sels, ==, 1);
  ta_session_set_selection (s, 8000, 9000);  /* unchanged: no signal */
  g_assert_cmpint (sels, ==, 1);

  g_assert_true (ta_session_zoom_to_selection (s));
  ta_session_get_view (s, &a, &b);
  g_assert_cmpint (a, ==, 8000);
  g_assert_cmpint (b, ==, 9000);

  g_assert_true (ta_session_go_back (s));
  ta_session_get_view (s, &a, &b);
  g_assert_cmpint (a, ==, 7000);
  g_assert_true (ta_session_go_forward (s));
  ta_session_get_view (s, &a, &b);
  g_assert_cmpint (a, ==, 8000);

  ta_session_fit (s);
  ta_session_get_view (s, &a, &b);
  g_assert_cmpint (a, ==, 1000);
  g_assert_cmpint (b, ==, 31000);

  ta_session_clear_selection (s);
  g_assert_false (ta_session_get_selection (s, NULL, NULL));
  g_assert_false (ta_session_zoom_to_selection (s));

  /* Tiny views are widened to the minimum span. */
  ta_session_set_view (s, 5000, 5001, FALSE);
  ta_session_get_view (s, &a, &b);
  g_assert_cmpint (b - a, ==, ta_session_get_min_span (s));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/session/view", test_view);
  return g_test_run ();
}
