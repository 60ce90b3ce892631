/* ui-bench.c: viewer benchmarks on the real window under Xvfb (bench/run-ui).
 *
 *   ui-bench frames [--reps R] [--positions N] FILE
 *       Opens FILE in a TaAppWindow sized so the timeline canvas is
 *       1920x1080, waits until indexing finished, then for N zoom/pan
 *       positions from the whole trace down to microseconds times
 *       gtk_widget_snapshot_child() of the canvas (its snapshot vfunc, node
 *       built) and gsk_render_node_draw() of that node into a 1920x1080
 *       cairo image surface. At each position: one "arrival" frame right
 *       after the view changes, then (once exact detail arrived or 2 s
 *       passed) R frames, each with the view moved by 1 ns from the previous
 *       frame's so the canvas' cached node is rebuilt every time. Prints one line per frame:
 *         frame POS KIND SPAN_NS SNAPSHOT_US RENDER_US SNAPSHOT_CPU_US RENDER_CPU_US
 *       (wall time, then the main thread's CPU time, which other load on a
 *       shared machine barely moves)
 *
 *   ui-bench stall FILE
 *       Opens FILE and, until 1 s after indexing finished (the frames that
 *       show the final snapshot), records the largest gap
 *       between callbacks of a G_PRIORITY_HIGH 1 ms timeout on the main
 *       loop and the largest gap between frame-clock ticks of the canvas
 *       (a tick callback keeps the clock running). Prints
 *         stall gaps_over_16_7ms N timeout_max_us N timeout_p99_us N ... cpu_max_us N
 *       (gaps_over_16_7ms: how many gaps were longer than a frame;
 *       cpu_max_us: the most main-thread CPU time spent between two
 *       callbacks, i.e. the longest stall our own work caused, which a loaded
 *       machine does not inflate; TA_BENCH_GAP_LOG=1 lists gaps over 16.7 ms
 *       wall or 10 ms main-thread CPU, and what the main thread was in
 *       when the loop stayed silent for 30 ms)
 *
 *   ui-bench firstpaint FILE
 *       What `trace-atlas FILE` does (TaApplication, g_application_run with
 *       FILE; made NON_UNIQUE), plus an "after-paint" handler on the
 *       window's frame clock: at the end of the first frame in which the
 *       timeline's snapshot vfunc ran with rows laid out, prints
 *         firstpaint_s S
 *       counted from TA_BENCH_T0_NS (CLOCK_MONOTONIC ns, set by the caller
 *       just before exec: bench/run-ui does this), else from main(), and quits.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "ta-ui-harness.h"
#include "ta-timeline.h"

#include <gdk/x11/gdkx.h>

#include <math.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>


/* ---- frames ---------------------------------------------------------------- */

typedef struct {
  TaTracePage *page;
  gint64 a, b;
} WinWait;

static gboolean
window_covers (gpointer p)
{
  WinWait *w = p;
  TaWindow *win = ta_timeline_get_window (ta_trace_page_get_timeline (w->page));
  return win && ta_window_get_start (win) <= w->a && ta_window_get_end (win) >= w->b;
}

/* CPU time of the calling thread, µs: unlike wall time, barely moved by
 * other processes on a shared machine. */
static double
thread_cpu_us (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static double last_snap_cpu_us, last_render_cpu_us;

static void
time_frame (GtkWidget *tl, cairo_t *cr, double *snap_us, double *render_us)
{
  double c0, c1, c2;
  GtkWidget *parent = gtk_widget_get_parent (tl);
  GtkSnapshot *s;
  GskRenderNode *node;
  guint before = ta_timeline_get_n_frames (TA_TIMELINE (tl));
  gint64 t0, t1, t2;

  gtk_widget_queue_draw (tl);
  c0 = thread_cpu_us ();
  t0 = g_get_monotonic_time ();
  s = gtk_snapshot_new ();
  gtk_widget_snapshot_child (parent, tl, s);
  node = gtk_snapshot_free_to_node (s);
  t1 = g_get_monotonic_time ();
  c1 = thread_cpu_us ();
  cairo_save (cr);
  cairo_set_operator (cr, CAIRO_OPERATOR_CLEAR);
  cairo_paint (cr);
  cairo_restore (cr);
  if (node)
    gsk_render_node_draw (node, cr);
  cairo_surface_flush (cairo_get_target (cr));
  t2 = g_get_monotonic_time ();
  c2 = thread_cpu_us ();
  last_snap_cpu_us = c1 - c0;
  last_render_cpu_us = c2 - c1;
  if (ta_timeline_get_n_frames (TA_TIMELINE (tl)) == before)
    g_printerr ("ui-bench: warning: snapshot vfunc did not run\n");
  g_clear_pointer (&node, gsk_render_node_unref);
  *snap_us = (double)(t1 - t0);
  *render_us = (double)(t2 - t1);
}

static int
run_frames (TaAppWindow *win, TaTracePage *page, int reps, int npos, const char *png)
{
  TaTimeline *tl = ta_trace_page_get_timeline (page);
  TaSession *session = ta_trace_page_get_session (page);
  g_autoptr (TaSnapshot) snap = ta_document_dup_snapshot (ta_trace_page_get_document (page));
  gint64 start = ta_snapshot_get_start (snap), end = ta_snapshot_get_end (snap);
  double full = (double)(end - start), min_span = 5000.0;  /* 5 µs */
  int w = 0, h = 0;
  cairo_surface_t *surf;
  cairo_t *cr;

  /* Size the window so the canvas is 1920x1080. */
  for (int i = 0; i < 6; i++)
    {
      int dw, dh, ww, wh;
      w = gtk_widget_get_width (GTK_WIDGET (tl));
      h = gtk_widget_get_height (GTK_WIDGET (tl));
      if (w == 1920 && h == 1080)
        break;
      gtk_window_get_default_size (GTK_WINDOW (win), &ww, &wh);
      dw = 1920 - w;
      dh = 1080 - h;
      gtk_window_set_default_size (GTK_WINDOW (win), ww + dw, wh + dh);
      ta_harness_spin (400);
    }
  w = gtk_widget_get_width (GTK_WIDGET (tl));
  h = gtk_widget_get_height (GTK_WIDGET (tl));
  g_print ("# canvas %dx%d, trace %.3f s, %" G_GUINT64_FORMAT " goroutines, %u rows\n", w, h, full / 1e9,
           ta_snapshot_get_n_goroutines (snap), ta_timeline_get_n_rows (tl));
  if (w != 1920 || h != 1080)
    g_printerr ("ui-bench: warning: canvas is %dx%d, not 1920x1080\n", w, h);

  surf = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, w, h);
  cr = cairo_create (surf);

  for (int p = 0; p < npos; p++)
    {
      double f = npos > 1 ? (double)p / (npos - 1) : 0;
      double span = full * pow (min_span / full, f);
      double frac = fmod (0.5 + p * 0.6180339887, 1.0);  /* pan around */
      gint64 a, b, c;
      WinWait ww;
      double su, ru;

      if (p == 0)
        span = full;
      c = start + (gint64)(full * (0.05 + 0.9 * frac));
      a = c - (gint64)(span / 2);
      if (a < start)
        a = start;
      b = a + (gint64)span;
      if (b > end)
        {
          b = end;
          a = MAX (start, b - (gint64)span);
        }
      if (p == 0)
        b = end - 1;  /* the view opened at the whole trace: move it so this frame is not a cache hit */
      ta_session_set_view (session, a, b, FALSE);
      ta_session_get_view (session, &a, &b);
      /* arrival: the first frame after the view moved (may be summaries only) */
      time_frame (GTK_WIDGET (tl), cr, &su, &ru);
      g_print ("frame %d arrival %" G_GINT64_FORMAT " %.0f %.0f %.0f %.0f\n", p, b - a, su, ru,
               last_snap_cpu_us, last_render_cpu_us);
      /* let the exact window (if the canvas wants one) arrive */
      ww.page = page;
      ww.a = a;
      ww.b = b;
      ta_harness_spin (60);
      ta_harness_spin_until (window_covers, &ww, 2000);
      for (int r = 0; r < reps; r++)
        {
          /* differs from the previous frame's view by 1 ns: no cache hit */
          ta_session_set_view (session, a + (r % 2), b - ((r + 1) % 2), FALSE);
          time_frame (GTK_WIDGET (tl), cr, &su, &ru);
          g_print ("frame %d steady %" G_GINT64_FORMAT " %.0f %.0f %.0f %.0f\n", p, b - a, su, ru,
                   last_snap_cpu_us, last_render_cpu_us);
        }
      if (png && p == npos / 2)
        cairo_surface_write_to_png (surf, png);
      while (g_main_context_iteration (NULL, FALSE))
        ;
    }
  cairo_destroy (cr);
  cairo_surface_destroy (surf);
  return 0;
}

/* ---- stall ----------------------------------------------------------------- */

/* The X11 window manager's name (EWMH), "none" without one: GTK 4.8
 * asks the X server whether one exists on every frame until it finds one,
 * and those round trips wait behind the frame's image upload (see
 * bench/README.md), so the stall is reported with the window manager it
 * ran under. */
static const char *
window_manager_name (GtkWidget *win)
{
  GdkDisplay *display = gtk_widget_get_display (win);
  const char *name;

  if (!GDK_IS_X11_DISPLAY (display))
    return "not-x11";
  name = gdk_x11_screen_get_window_manager_name (gdk_x11_display_get_screen (display));
  return name && strcmp (name, "unknown") ? name : "none";
}

/* How long the stall measure goes on after indexing finished. */
#define STALL_TAIL_MS 1000

typedef struct {
  double last_cpu, max_cpu_gap, max_cpu_at;  /* main-thread CPU µs between callbacks */
  gint64 last_timeout, last_tick;
  gint64 max_timeout_gap, max_tick_gap, max_at, t_open;
  GArray *gaps;
  guint ticks;
} Stall;

/* TA_BENCH_GAP_LOG=1: a watchdog thread reports what the main thread is
 * doing when the stall timeout has not run for 30 ms: its scheduler state,
 * the system call it is in and its kernel stack (root only), which tell a
 * lock wait, an X round trip or a page fault apart without a profiler's
 * overhead (for gaps too rare to catch under perf). */
typedef struct {
  pid_t                main_tid;
  gint64               t_open;
  _Atomic gint64       last_timeout;   /* monotonic µs of the latest callback */
  atomic_bool          stop;
} Watchdog;

static Watchdog stall_watchdog;

/* /proc/self/task/TID/WHAT, NULL if unreadable. */
static char *
watchdog_read_proc (pid_t tid, const char *what)
{
  g_autofree char *path = g_strdup_printf ("/proc/self/task/%d/%s", (int)tid, what);
  char *text = NULL;

  return g_file_get_contents (path, &text, NULL, NULL) ? text : NULL;
}

static void
watchdog_print_proc (pid_t tid, const char *what)
{
  g_autofree char *text = watchdog_read_proc (tid, what);

  if (text)
    g_printerr ("  %s: %s%s", what, text, g_str_has_suffix (text, "\n") ? "" : "\n");
}

/* R running or waiting for a core, S sleeping, D in the kernel
 * uninterruptibly (a page fault waiting for a lock, I/O). */
static void
watchdog_print_state (pid_t tid)
{
  g_autofree char *text = watchdog_read_proc (tid, "stat");
  const char *end = text ? strrchr (text, ')') : NULL;

  if (end && end[1] && end[2])
    g_printerr ("  state: %c\n", end[2]);
}

/* One line per thread of the process: which one runs while the main
 * thread waits (a lock holder, a worker taking its core). */
static void
watchdog_print_threads (void)
{
  g_autoptr (GDir) dir = g_dir_open ("/proc/self/task", 0, NULL);
  const char *name;

  while (dir && (name = g_dir_read_name (dir)))
    {
      pid_t tid = (pid_t)atoi (name);
      g_autofree char *stat = watchdog_read_proc (tid, "stat");
      g_autofree char *syscall = watchdog_read_proc (tid, "syscall");
      g_autofree char *wchan = watchdog_read_proc (tid, "wchan");
      const char *open = stat ? strchr (stat, '(') : NULL;
      const char *close = stat ? strrchr (stat, ')') : NULL;
      unsigned long long utime = 0, stime = 0;

      if (!open || !close || !close[1] || !close[2])
        continue;
      /* Fields after the name: state is 3rd, utime and stime 14th and 15th. */
      sscanf (close + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime);
      g_printerr ("  thread %d %.*s %c syscall %s wchan %s cpu %llu ticks\n", (int)tid, (int)(close - open - 1),
                  open + 1, close[2], syscall ? strtok (syscall, " \n") : "?", wchan ? wchan : "?", utime + stime);
    }
}

/* Which mapping holds the futex the main thread waits on (its first system
 * call argument): a library's static lock names its library. */
static void
watchdog_print_futex_owner (pid_t tid)
{
  g_autofree char *syscall = watchdog_read_proc (tid, "syscall");
  g_autofree char *maps = NULL;
  unsigned long long addr;
  int nr;

  if (!syscall || sscanf (syscall, "%d %llx", &nr, &addr) != 2 || nr != 202
      || !g_file_get_contents ("/proc/self/maps", &maps, NULL, NULL))
    return;
  for (char *line = strtok (maps, "\n"); line; line = strtok (NULL, "\n"))
    {
      unsigned long long lo, hi, off;
      char path[512] = "";
      if (sscanf (line, "%llx-%llx %*s %llx %*s %*s %511s", &lo, &hi, &off, path) >= 3 && addr >= lo && addr < hi)
        {
          g_printerr ("  futex %llx in %s at file offset %llx (mapping %llx+%llx)\n", addr, path[0] ? path : "[anon]",
                      off + (addr - lo), lo, addr - lo);
          return;
        }
    }
}

/* How many malloc arenas the process has: glibc allows 8 per core, and
 * threads beyond that share them (the main thread's among them). */
static void
watchdog_print_arenas (void)
{
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&text, &len);
  guint n = 0;

  if (!f)
    return;
  malloc_info (0, f);
  fclose (f);
  for (const char *p = text; (p = strstr (p, "<heap nr=")); p++)
    n++;
  g_printerr ("  malloc arenas: %u\n", n);
  free (text);
}

static gpointer
watchdog_thread (gpointer data)
{
  Watchdog *wd = data;
  gint64 reported = 0;

  while (!atomic_load (&wd->stop))
    {
      gint64 last = atomic_load (&wd->last_timeout);
      gint64 now = g_get_monotonic_time ();
      if (last && last != reported && now - last > 30000)
        {
          reported = last;
          g_printerr ("watchdog: main loop silent %.1f ms at %.3f s\n", (now - last) / 1e3, (now - wd->t_open) / 1e6);
          watchdog_print_state (wd->main_tid);
          watchdog_print_proc (wd->main_tid, "syscall");
          watchdog_print_proc (wd->main_tid, "stack");
          watchdog_print_futex_owner (wd->main_tid);
          watchdog_print_arenas ();
          watchdog_print_threads ();
        }
      g_usleep (5000);
    }
  return NULL;
}

static gboolean
stall_timeout (gpointer data)
{
  Stall *st = data;
  gint64 now = g_get_monotonic_time ();
  double cpu = thread_cpu_us ();
  if (st->last_timeout)
    {
      gint64 gap = now - st->last_timeout;
      /* CPU the main thread spent in the gap: the work that blocked it, as
       * opposed to waiting for a core on a loaded machine. */
      if (cpu - st->last_cpu > st->max_cpu_gap)
        {
          st->max_cpu_gap = cpu - st->last_cpu;
          st->max_cpu_at = (st->last_timeout - st->t_open) / 1e6;
        }
      if (g_getenv ("TA_BENCH_GAP_LOG") && (gap > 16700 || cpu - st->last_cpu > 10000))
        g_printerr ("gap at %.3f s: %.1f ms wall, %.1f ms main-thread CPU\n", (st->last_timeout - st->t_open) / 1e6,
                    gap / 1e3, (cpu - st->last_cpu) / 1e3);
      if (gap > st->max_timeout_gap)
        {
          st->max_timeout_gap = gap;
          st->max_at = st->last_timeout - st->t_open;
        }
      g_array_append_val (st->gaps, gap);
    }
  st->last_timeout = now;
  st->last_cpu = cpu;
  atomic_store (&stall_watchdog.last_timeout, now);
  return G_SOURCE_CONTINUE;
}

/* TA_BENCH_FRAME_LOG=1: each frame's main-thread CPU time by frame-clock
 * phase (our handlers run after GTK's own for each signal), and its minor
 * page faults (memory touched for the first time since it was mapped or
 * given back: a few thousand cost a frame several ms), for frames over
 * 8 ms; "rows" marks frames in which the timeline's snapshot vfunc ran. */
typedef struct {
  TaTimeline *timeline;
  double t_before, t_layout, t_paint;
  long minflt_before;
  guint n_frames;
  gint64 t_open;
} FrameLog;

static long
thread_minor_faults (void)
{
  struct rusage ru;
  getrusage (RUSAGE_THREAD, &ru);
  return ru.ru_minflt;
}

static void
frame_log_before (GdkFrameClock *clock, FrameLog *fl)
{
  fl->t_before = fl->t_layout = fl->t_paint = thread_cpu_us ();
  fl->minflt_before = thread_minor_faults ();
  fl->n_frames = ta_timeline_get_n_frames (fl->timeline);
}

static void
frame_log_layout (GdkFrameClock *clock, FrameLog *fl)
{
  fl->t_layout = thread_cpu_us ();
}

static void
frame_log_paint (GdkFrameClock *clock, FrameLog *fl)
{
  fl->t_paint = thread_cpu_us ();
}

static void
frame_log_after (GdkFrameClock *clock, FrameLog *fl)
{
  double now = thread_cpu_us ();
  if (now - fl->t_before > 8000)
    g_printerr ("frame at %.3f s: %.1f ms CPU (update+layout %.1f, paint %.1f, after %.1f), %ld page faults%s\n",
                (g_get_monotonic_time () - fl->t_open) / 1e6, (now - fl->t_before) / 1e3,
                (fl->t_layout - fl->t_before) / 1e3, (fl->t_paint - fl->t_layout) / 1e3,
                (now - fl->t_paint) / 1e3, thread_minor_faults () - fl->minflt_before,
                ta_timeline_get_n_frames (fl->timeline) != fl->n_frames ? " rows" : "");
}

static gboolean
stall_tick (GtkWidget *w, GdkFrameClock *clock, gpointer data)
{
  Stall *st = data;
  gint64 now = g_get_monotonic_time ();
  if (st->last_tick)
    st->max_tick_gap = MAX (st->max_tick_gap, now - st->last_tick);
  st->last_tick = now;
  st->ticks++;
  return G_SOURCE_CONTINUE;
}

/* ---- first paint ----------------------------------------------------------- */

static gint64 fp_t0_us;
static guint fp_last_frames;
static gint64 fp_first_frame_us;  /* end of the window's first frame */

static void
fp_after_paint (GdkFrameClock *clock, gpointer data)
{
  TaAppWindow *win = data;
  TaTracePage *page = ta_app_window_get_page (win);
  TaTimeline *tl;
  guint n;

  if (!fp_first_frame_us)
    fp_first_frame_us = g_get_monotonic_time ();
  if (!page)
    return;
  tl = ta_trace_page_get_timeline (page);
  n = ta_timeline_get_n_frames (tl);
  if (n > fp_last_frames && ta_timeline_get_n_rows (tl) > 0)
    {
      gint64 now = g_get_monotonic_time ();
      g_print ("firstpaint_s %.4f firstframe_s %.4f frames %u rows %u\n", (now - fp_t0_us) / 1e6,
               (fp_first_frame_us - fp_t0_us) / 1e6, n, ta_timeline_get_n_rows (tl));
      fflush (stdout);
      g_signal_handlers_disconnect_by_func (clock, fp_after_paint, data);
      g_application_quit (g_application_get_default ());
      return;
    }
  fp_last_frames = n;
}

static void
fp_map (GtkWidget *w, gpointer data)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (w);
  if (clock)
    g_signal_connect (clock, "after-paint", G_CALLBACK (fp_after_paint), w);
}

static void
fp_window_added (GtkApplication *app, GtkWindow *window, gpointer data)
{
  if (TA_IS_APP_WINDOW (window))
    g_signal_connect (window, "map", G_CALLBACK (fp_map), NULL);
}

static int
run_firstpaint (const char *path)
{
  g_autoptr (TaApplication) app = ta_application_new ();
  char *args[] = { (char *)"trace-atlas", (char *)path, NULL };
  g_application_set_flags (G_APPLICATION (app),
                           g_application_get_flags (G_APPLICATION (app)) | G_APPLICATION_NON_UNIQUE);
  g_signal_connect (app, "window-added", G_CALLBACK (fp_window_added), NULL);
  return g_application_run (G_APPLICATION (app), 2, args);
}

static int
cmp_i64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;
  return x < y ? -1 : x > y;
}

int
main (int argc, char **argv)
{
  int reps = 5, npos = 24;
  const char *png = NULL;
  g_autoptr (GOptionContext) ctx = g_option_context_new ("frames|stall FILE");
  GOptionEntry entries[] = {
    { "reps", 0, 0, G_OPTION_ARG_INT, &reps, "Steady frames per position (frames)", "R" },
    { "positions", 0, 0, G_OPTION_ARG_INT, &npos, "Zoom/pan positions (frames)", "N" },
    { "png", 0, 0, G_OPTION_ARG_FILENAME, &png, "Write the middle position's frame here", "FILE" },
    { NULL },
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (TaApplication) app = NULL;
  g_autoptr (GFile) file = NULL;
  TaAppWindow *win;
  TaTracePage *page;
  const char *mode;
  int rc = 0;

  {
    const char *t0 = g_getenv ("TA_BENCH_T0_NS");
    fp_t0_us = t0 ? g_ascii_strtoll (t0, NULL, 10) / 1000 : g_get_monotonic_time ();
  }
  if (argc == 3 && !strcmp (argv[1], "firstpaint"))
    return run_firstpaint (argv[2]);
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error) || argc != 3
      || (strcmp (argv[1], "frames") && strcmp (argv[1], "stall")))
    {
      fprintf (stderr, "usage: ui-bench frames [--reps R] [--positions N] FILE | ui-bench stall FILE\n");
      return 2;
    }
  mode = argv[1];
  win = ta_harness_new_window (&app, 2100, 1250);
  if (!win)
    return 1;
  ta_harness_spin (300);

  file = g_file_new_for_commandline_arg (argv[2]);
  if (!strcmp (mode, "stall"))
    {
      Stall st = { 0 };
      static FrameLog fl;
      GThread *watchdog = NULL;
      guint id;
      gint64 t0;
      double load_s;
      st.gaps = g_array_new (FALSE, FALSE, sizeof (gint64));
      id = g_timeout_add_full (G_PRIORITY_HIGH, 1, stall_timeout, &st, NULL);
      ta_harness_spin (200);  /* baseline settles */
      st.max_timeout_gap = 0;
      st.max_cpu_gap = 0;
      g_array_set_size (st.gaps, 0);
      t0 = g_get_monotonic_time ();
      st.t_open = t0;
      if (g_getenv ("TA_BENCH_GAP_LOG"))
        {
          g_printerr ("open at %.6f s (CLOCK_MONOTONIC)\n", t0 / 1e6);
          stall_watchdog.main_tid = gettid ();
          stall_watchdog.t_open = t0;
          /* A name within the kernel's 15 characters, so that the thread
           * lists tell the watchdog from the main thread. */
          watchdog = g_thread_new ("uib-watchdog", watchdog_thread, &stall_watchdog);
        }
      page = ta_app_window_open_file (win, file);
      gtk_widget_add_tick_callback (GTK_WIDGET (ta_trace_page_get_timeline (page)), stall_tick, &st, NULL);
      if (g_getenv ("TA_BENCH_FRAME_LOG"))
        {
          GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (win));
          fl.timeline = ta_trace_page_get_timeline (page);
          fl.t_open = t0;
          g_signal_connect (clock, "before-paint", G_CALLBACK (frame_log_before), &fl);
          g_signal_connect (clock, "layout", G_CALLBACK (frame_log_layout), &fl);
          g_signal_connect (clock, "paint", G_CALLBACK (frame_log_paint), &fl);
          g_signal_connect (clock, "after-paint", G_CALLBACK (frame_log_after), &fl);
        }
      if (!ta_harness_spin_until (ta_harness_page_loaded, page, 600000))
        {
          g_printerr ("ui-bench: did not finish loading\n");
          rc = 1;
        }
      load_s = (g_get_monotonic_time () - t0) / 1e6;
      /* The frames that first show the final snapshot come after indexing
       * finished and are part of the load as the user sees it. */
      ta_harness_spin (STALL_TAIL_MS);
      g_source_remove (id);
      if (watchdog)
        {
          atomic_store (&stall_watchdog.stop, true);
          g_thread_join (watchdog);
          watchdog_print_arenas ();
        }
      g_array_sort (st.gaps, cmp_i64);
      {
        guint over = 0;
        for (guint i = st.gaps->len; i-- > 0 && g_array_index (st.gaps, gint64, i) > 16700;)
          over++;
        g_print ("stall gaps_over_16_7ms %u ", over);
      }
      g_print ("timeout_max_us %" G_GINT64_FORMAT " timeout_p99_us %" G_GINT64_FORMAT
               " max_at_s %.3f timeout_n %u tick_max_us %" G_GINT64_FORMAT " ticks %u load_s %.2f frames %u"
               " cpu_max_us %.0f cpu_max_at_s %.3f wm %s\n",
               st.max_timeout_gap,
               st.gaps->len ? g_array_index (st.gaps, gint64, (gsize)(st.gaps->len * 0.99)) : 0,
               st.max_at / 1e6, st.gaps->len, st.max_tick_gap, st.ticks, load_s,
               ta_timeline_get_n_frames (ta_trace_page_get_timeline (page)), st.max_cpu_gap, st.max_cpu_at,
               window_manager_name (GTK_WIDGET (win)));
      g_array_unref (st.gaps);
    }
  else
    {
      page = ta_app_window_open_file (win, file);
      if (!ta_harness_spin_until (ta_harness_page_loaded, page, 600000) || !ta_harness_spin_until (ta_harness_has_frames, page, 10000))
        {
          g_printerr ("ui-bench: did not finish loading\n");
          return 1;
        }
      if (ta_trace_page_get_error (page))
        g_printerr ("ui-bench: page error: %s\n", ta_trace_page_get_error (page));
      rc = run_frames (win, page, reps, npos, png);
    }
  gtk_window_destroy (GTK_WINDOW (win));
  ta_harness_spin (200);
  return rc;
}
