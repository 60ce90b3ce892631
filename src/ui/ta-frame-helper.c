/* ta-frame-helper.c: one thread, kept for the process's life, that a frame
 * hands row work to while the main thread does the same work.
 *
 * Frames used to start a thread for each such part (row lines, span rows,
 * metric rows: three a frame). A thread that is never made costs nothing
 * to start and keeps its malloc arena and caches from frame to frame. A job
 * the helper has not begun when the main thread is done is withdrawn, so
 * the main thread never waits for the helper to get a core, only for the
 * row it is on.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ta-frame-helper"

#include "config.h"
#include "ta-frame-helper.h"

#ifdef __linux__
#include <sched.h>
#include <unistd.h>
#endif

static GMutex            helper_lock;
static GCond             helper_cond;     /* a job posted, or a job done */
static TaFrameHelperJob *posted;          /* not yet taken by the helper */
static GThread          *helper_thread;   /* NULL: none could be made */

#ifdef __linux__
/* Where the helper may run: the CPUs the process may use, less the one the
 * main thread posts from. Woken from the main thread's CPU, the helper
 * was often placed on that CPU (the scheduler's wake-affine choice, which
 * in a virtual machine does not always see the other vCPU as idle), and
 * the two then took turns on one core for the whole frame while the other
 * sat idle: a whole-trace frame's rows took twice their CPU time. */
static pid_t     helper_tid;              /* 0 until the helper has started */
static cpu_set_t helper_allowed;          /* the process's CPUs */
static int       helper_excluded = -1;    /* the CPU left out of its mask: set by the
                                           * helper as it starts, then by the main thread */

/* Leaves `cpu` out of the helper's mask (`tid` 0: the calling thread's). */
static void
exclude_cpu (pid_t tid, int cpu)
{
  cpu_set_t mask;

  if (cpu < 0 || cpu >= CPU_SETSIZE || !CPU_ISSET (cpu, &helper_allowed) || CPU_COUNT (&helper_allowed) < 2)
    return;
  mask = helper_allowed;
  CPU_CLR (cpu, &mask);
  if (sched_setaffinity (tid, sizeof mask, &mask) == 0)
    helper_excluded = cpu;
}

/* The helper, as it starts: away from the CPU the main thread created it
 * on, where its first job is posted before the main thread knows its
 * thread ID. */
static void
helper_note_self (int creator_cpu)
{
  if (sched_getaffinity (0, sizeof helper_allowed, &helper_allowed) != 0)
    return;
  exclude_cpu (0, creator_cpu);
  g_atomic_int_set (&helper_tid, gettid ());   /* publishes the two above */
}

/* The main thread, as it posts a job. */
static void
keep_helper_off_this_cpu (void)
{
  pid_t tid = g_atomic_int_get (&helper_tid);
  int cpu;

  if (tid == 0)
    return;
  cpu = sched_getcpu ();
  if (cpu != helper_excluded)
    exclude_cpu (tid, cpu);
}

static int
current_cpu (void)
{
  return sched_getcpu ();
}
#else
static void helper_note_self (int creator_cpu) {}
static void keep_helper_off_this_cpu (void) {}
static int current_cpu (void) { return -1; }
#endif

static gpointer
helper_main (gpointer creator_cpu)
{
  helper_note_self (GPOINTER_TO_INT (creator_cpu) - 1);
  g_mutex_lock (&helper_lock);
  for (;;)
    {
      TaFrameHelperJob *job;
      while (!posted)
        g_cond_wait (&helper_cond, &helper_lock);
      job = g_steal_pointer (&posted);
      g_mutex_unlock (&helper_lock);
      job->run (job->data);
      g_mutex_lock (&helper_lock);
      job->done = TRUE;
      g_cond_broadcast (&helper_cond);
    }
  return NULL;
}

void
ta_frame_helper_post (TaFrameHelperJob *job)
{
  static gsize started;

  if (g_once_init_enter (&started))
    {
      helper_thread = g_thread_try_new ("ta-frame-helper", helper_main, GINT_TO_POINTER (current_cpu () + 1), NULL);
      g_once_init_leave (&started, 1);
    }
  g_mutex_lock (&helper_lock);
  /* With another job still waiting for the helper, this one is left to the
   * caller alone (jobs are shared work, so nothing is lost). */
  job->done = !helper_thread || posted != NULL;
  if (!job->done)
    {
      keep_helper_off_this_cpu ();
      posted = job;
      g_cond_broadcast (&helper_cond);
    }
  g_mutex_unlock (&helper_lock);
}

void
ta_frame_helper_join (TaFrameHelperJob *job)
{
  g_mutex_lock (&helper_lock);
  if (posted == job)
    {
      posted = NULL;
      job->done = TRUE;
    }
  while (!job->done)
    g_cond_wait (&helper_cond, &helper_lock);
  g_mutex_unlock (&helper_lock);
}
