/* ta-frame-helper.h: a thread that lends the main thread a second core
 * for parts of a frame.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A job for the helper; lives with its caller (the stack will do) until
 * ta_frame_helper_join returns. */
typedef struct
{
  void   (*run) (gpointer data);
  gpointer data;
  gboolean done;   /* under the helper's lock */
} TaFrameHelperJob;

/* Main thread: hands `job` to the helper, which runs job->run (job->data)
 * unless ta_frame_helper_join withdraws it first, or another posted job has
 * not been taken yet (then it never runs). The work is shared, so the
 * caller does it too (rows from a shared counter). */
void ta_frame_helper_post (TaFrameHelperJob *job);

/* Returns once `job` is not running: done, or withdrawn before it began
 * (then it never runs). */
void ta_frame_helper_join (TaFrameHelperJob *job);

G_END_DECLS
