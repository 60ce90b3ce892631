/* test-frame-helper.c: the thread that lends a frame a second core.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "ta-frame-helper.h"

#include <sched.h>

typedef struct {
  gint started;   /* atomic */
  int  cpu;
  gint64 sum;
} Probe;

static void
probe_run (gpointer data)
{
  Probe *p = data;
  p->cpu = sched_getcpu ();
  g_atomic_int_set (&p->started, 1);
  for (int i = 0; i < 1000; i++)
    p->sum += i;
}

/* Posts a probe and waits until the helper has begun it. */
static gboolean
post_and_wait (Probe *p, TaFrameHelperJob *job)
{
  gint64 until = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;

  ta_frame_helper_post (job);
  while (!g_atomic_int_get (&p->started) && g_get_monotonic_time () < until)
    g_thread_yield ();
  ta_frame_helper_join (job);
  return g_atomic_int_get (&p->started);
}

/* A job posted and joined has either run to its end or never begun. */
static void
test_run_or_withdrawn (void)
{
  for (int i = 0; i < 200; i++)
    {
      Probe p = { 0 };
      TaFrameHelperJob job = { probe_run, &p };
      ta_frame_helper_post (&job);
      ta_frame_helper_join (&job);
      g_assert_true (job.done);
      g_assert_cmpint (p.sum, ==, g_atomic_int_get (&p.started) ? 499500 : 0);
    }
}

/* With two or more CPUs the helper never runs on the one the job was
 * posted from: the two would otherwise take turns on one core. */
static void
test_off_posting_cpu (void)
{
  cpu_set_t set;
  int checked = 0;

  if (sched_getaffinity (0, sizeof set, &set) != 0 || CPU_COUNT (&set) < 2)
    {
      g_test_skip ("fewer than two CPUs");
      return;
    }
  for (int i = 0; i < 50; i++)
    {
      Probe p = { 0 };
      TaFrameHelperJob job = { probe_run, &p };
      int before = sched_getcpu ();
      gboolean ran = post_and_wait (&p, &job);
      /* The main thread may have moved between reading its CPU and
       * posting: only runs where it stayed put count. */
      if (!ran || sched_getcpu () != before)
        continue;
      g_assert_cmpint (p.cpu, !=, before);
      checked++;
    }
  g_assert_cmpint (checked, >, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/frame-helper/run-or-withdrawn", test_run_or_withdrawn);
  g_test_add_func ("/frame-helper/off-posting-cpu", test_off_posting_cpu);
  return g_test_run ();
}
