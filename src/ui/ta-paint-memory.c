/* ta-paint-memory.c: keeps the memory frames paint through resident.
 *
 * Each frame paints through a few window-sized buffers (8-16 MB at
 * 1920x1080) that glibc carves from the main heap. Memory the kernel has
 * not backed yet costs a page fault on first touch (~2.5 us here), and the
 * first frames of a trace page took some 4000 of them (~10 ms of a 20 ms
 * frame), as did the first frame after each malloc_trim, which drops the
 * pages of every free chunk. So big blocks stay in the heap instead of
 * becoming fresh mappings, freed heap memory is not handed back on its own,
 * and a worker thread touches a heap's worth of blocks that the main thread
 * allocated and frees again, so that the frames find them resident.
 * TA_NO_PAINT_MEMORY=1 turns it off (A/B measurements).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ta-paint-memory"

#include "ta-paint-memory.h"

#include <malloc.h>
#include <string.h>

#define PAINT_MEMORY_BLOCK  (8u << 20)
#define PAINT_MEMORY_BLOCKS 6

typedef struct
{
  gboolean trim_first;
  void    *blocks[PAINT_MEMORY_BLOCKS];
} PaintMemory;

static gboolean
paint_memory_release (gpointer data)
{
  PaintMemory *pm = data;

  /* In reverse, so that blocks at the heap's top coalesce into it. */
  for (guint i = PAINT_MEMORY_BLOCKS; i-- > 0;)
    free (pm->blocks[i]);
  g_free (pm);
  return G_SOURCE_REMOVE;
}

static gpointer
paint_memory_touch (gpointer data)
{
  PaintMemory *pm = data;

  /* The blocks are in use while this runs, so the trim leaves them be. */
  if (pm->trim_first)
    malloc_trim (0);
  for (guint i = 0; i < PAINT_MEMORY_BLOCKS; i++)
    if (pm->blocks[i])
      memset (pm->blocks[i], 0, PAINT_MEMORY_BLOCK);
  /* Freed where they were allocated, between frames. */
  g_idle_add_full (G_PRIORITY_LOW, paint_memory_release, pm, NULL);
  return NULL;
}

static void
paint_memory_warm (gboolean trim_first)
{
  PaintMemory *pm = g_new0 (PaintMemory, 1);

  pm->trim_first = trim_first;
  /* From the main heap: the free chunks the frames left behind are the
   * ones these allocations (and later the frames again) reuse. */
  for (guint i = 0; i < PAINT_MEMORY_BLOCKS; i++)
    pm->blocks[i] = malloc (PAINT_MEMORY_BLOCK);
  g_thread_unref (g_thread_new ("ta-paint-memory", paint_memory_touch, pm));
}

static gboolean
paint_memory_enabled (void)
{
  return g_getenv ("TA_NO_PAINT_MEMORY") == NULL;
}

void
ta_paint_memory_setup (void)
{
  if (!paint_memory_enabled ())
    return;
  mallopt (M_MMAP_THRESHOLD, 32 << 20);
  mallopt (M_TRIM_THRESHOLD, 128 << 20);
  paint_memory_warm (FALSE);
}

void
ta_paint_memory_trim (void)
{
  if (!paint_memory_enabled ())
    {
      malloc_trim (0);
      return;
    }
  paint_memory_warm (TRUE);
}
