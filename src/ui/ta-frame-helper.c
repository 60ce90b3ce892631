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

static GMutex            helper_lock;
static GCond             helper_cond;     /* a job posted, or a job done */
static TaFrameHelperJob *posted;          /* not yet taken by the helper */
static GThread          *helper_thread;   /* NULL: none could be made */

static gpointer
helper_main (gpointer unused)
{
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
      helper_thread = g_thread_try_new ("ta-frame-helper", helper_main, NULL, NULL);
      g_once_init_leave (&started, 1);
    }
  g_mutex_lock (&helper_lock);
  /* With another job still waiting for the helper, this one is left to the
   * caller alone (jobs are shared work, so nothing is lost). */
  job->done = !helper_thread || posted != NULL;
  if (!job->done)
    {
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
