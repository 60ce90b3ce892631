/* ta-paint-memory.c: keeps the memory frames paint through resident.
 *
 * Each frame paints through a few window-sized buffers (8-16 MB at
 * 1920x1080) that glibc carves from the main heap. Memory the kernel has
 * not backed yet costs a page fault on first touch (~2.5 us here), and the
 * first frames of a trace page took some 4000 of them (~10 ms of a 20 ms
 * frame), as did the first frame after each malloc_trim, which drops the
 * pages of every free chunk (the viewer does not trim: see finished_cb in
 * ta-trace-page.c). So big blocks stay in the heap instead of becoming
 * fresh mappings, freed heap memory is not handed back on its own, and a
 * worker thread touches a heap's worth of blocks that the main thread
 * allocated and frees again, so that the frames find them resident.
 * The same goes for the memory cairo shares with the X server (cairo renderer
 * on X11: ta_paint_memory_hold_shm_pool). TA_NO_PAINT_MEMORY=1 turns it all off
 * (A/B measurements).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ta-paint-memory"

#include "config.h"
#include "ta-paint-memory.h"

#include <gtk/gtk.h>
#if TA_HAVE_X11
#include <gdk/x11/gdkx.h>
#include <cairo-xlib.h>
#endif
#include <malloc.h>
#include <string.h>

#define PAINT_MEMORY_BLOCK  (8u << 20)
#define PAINT_MEMORY_BLOCKS 6

/* Memory a worker touches, then hands back to the main thread, which frees
 * it between frames. */
#define TOUCH_MAX 8
G_STATIC_ASSERT (PAINT_MEMORY_BLOCKS <= TOUCH_MAX);

typedef struct
{
  guint          n;
  void          *data[TOUCH_MAX];
  gsize          len[TOUCH_MAX];
  gpointer       owner[TOUCH_MAX];  /* what is freed afterwards */
  GDestroyNotify free_owner;
} TouchJob;

static gboolean
touch_job_release (gpointer data)
{
  TouchJob *job = data;

  /* In reverse, so that blocks at the heap's top coalesce into it. */
  for (guint i = job->n; i-- > 0;)
    job->free_owner (job->owner[i]);
  g_free (job);
  return G_SOURCE_REMOVE;
}

static gpointer
touch_job_run (gpointer data)
{
  TouchJob *job = data;

  for (guint i = 0; i < job->n; i++)
    if (job->data[i])
      memset (job->data[i], 0, job->len[i]);
  g_idle_add_full (G_PRIORITY_LOW, touch_job_release, job, NULL);
  return NULL;
}

static void
touch_job_start (TouchJob *job, const char *name)
{
  g_thread_unref (g_thread_new (name, touch_job_run, job));
}

static void
paint_memory_warm (void)
{
  TouchJob *job = g_new0 (TouchJob, 1);

  /* From the main heap: the free chunks the frames left behind are the
   * ones these allocations (and later the frames again) reuse. */
  job->free_owner = free;
  for (guint i = 0; i < PAINT_MEMORY_BLOCKS; i++)
    {
      job->owner[i] = job->data[i] = malloc (PAINT_MEMORY_BLOCK);
      job->len[i] = PAINT_MEMORY_BLOCK;
    }
  job->n = PAINT_MEMORY_BLOCKS;
  touch_job_start (job, "ta-paint-memory");
}

static gboolean
paint_memory_enabled (void)
{
  return g_getenv ("TA_NO_PAINT_MEMORY") == NULL;
}

/* glibc gives each thread that allocates an arena of its own up to 8 per
 * core; past that, new threads share arenas, the main thread's among them.
 * The viewer's workers come and go (indexing pools, release and layout
 * workers) and reached the 16 of a 2-core machine, so a lower-priority
 * indexing thread could share the main thread's arena and hold its lock
 * while the main thread waited (see src/model/DESIGN.md). Never fewer than
 * this many arenas, then. */
#define MIN_ARENAS 64

void
ta_paint_memory_setup (void)
{
  mallopt (M_ARENA_MAX, MAX (MIN_ARENAS, 8 * (int)g_get_num_processors ()));
  if (!paint_memory_enabled ())
    return;
  mallopt (M_MMAP_THRESHOLD, 32 << 20);
  mallopt (M_TRIM_THRESHOLD, 128 << 20);
  paint_memory_warm ();
}

#if TA_HAVE_X11
/* A shared-memory image nothing draws into; it lives as long as the
 * process (a static, so leak checkers see it reachable). */
static cairo_surface_t *shm_pool_holder;

/* Blocks of the pool that frames upload through, touched once up front. */
#define SHM_WARM_BLOCKS 3
G_STATIC_ASSERT (SHM_WARM_BLOCKS <= TOUCH_MAX);
#endif

/* cairo-xlib uploads each frame through a block of a shared-memory pool and
 * destroys a pool once all its blocks are free, which they are between
 * frames: the next large frame then attached a new pool and faulted in its
 * pages, some 2000 faults (~5 ms) when a trace page first showed. A block
 * held for good keeps the pool, and its pages, for every frame.
 * A block stays taken until the X server has read it, so the uploads of
 * frames in quick succession go through different blocks, each faulted in
 * on first use: the first frames with rows took 1800-1850 faults apiece
 * (5-8 ms). A worker touches a few window-sized blocks first, which the
 * frames then reuse. */
void
ta_paint_memory_hold_shm_pool (GtkWidget *toplevel)
{
#if TA_HAVE_X11
  GdkDisplay *display = gtk_widget_get_display (toplevel);
  GskRenderer *renderer = gtk_native_get_renderer (GTK_NATIVE (toplevel));
  Display *xdisplay;
  cairo_surface_t *root;
  int screen, width, height, shm_opcode, shm_event, shm_error;

  if (shm_pool_holder || !paint_memory_enabled () || !GDK_IS_X11_DISPLAY (display)
      || !GSK_IS_CAIRO_RENDERER (renderer))
    return;
  xdisplay = gdk_x11_display_get_xdisplay (display);
  /* Without shared memory the holder would be a plain screen-sized image. */
  if (!XQueryExtension (xdisplay, "MIT-SHM", &shm_opcode, &shm_event, &shm_error))
    return;
  screen = DefaultScreen (xdisplay);
  width = DisplayWidth (xdisplay, screen);
  height = DisplayHeight (xdisplay, screen);
  /* A pool is sized for the request that makes it (eight blocks of the
   * next power of two), so a screen-sized holder makes one that the frames
   * of any window up to the screen's size fit in beside it. */
  root = cairo_xlib_surface_create (xdisplay, RootWindow (xdisplay, screen),
                                    DefaultVisual (xdisplay, screen), width, height);
  shm_pool_holder = cairo_surface_create_similar_image (root, CAIRO_FORMAT_ARGB32, width, height);
  {
    /* Frames upload at most the window: its size is all that is touched. */
    TouchJob *job = g_new0 (TouchJob, 1);
    int scale = gtk_widget_get_scale_factor (toplevel), warm_w = 0, warm_h = 0;
    gtk_window_get_default_size (GTK_WINDOW (toplevel), &warm_w, &warm_h);
    warm_w = warm_w > 0 ? MIN (warm_w * scale, width) : width;
    warm_h = warm_h > 0 ? MIN (warm_h * scale, height) : height;
    job->free_owner = (GDestroyNotify)cairo_surface_destroy;
    for (guint i = 0; i < SHM_WARM_BLOCKS; i++)
      {
        cairo_surface_t *image = cairo_surface_create_similar_image (root, CAIRO_FORMAT_ARGB32, warm_w, warm_h);
        cairo_surface_flush (image);
        job->owner[i] = image;
        /* Only the pixels: cairo's own state is left to the main thread. */
        job->data[i] = cairo_image_surface_get_data (image);
        job->len[i] = (gsize)cairo_image_surface_get_stride (image) * (gsize)cairo_image_surface_get_height (image);
      }
    job->n = SHM_WARM_BLOCKS;
    touch_job_start (job, "ta-shm-warm");
  }
  cairo_surface_destroy (root);
#else
  (void)toplevel;
#endif
}
