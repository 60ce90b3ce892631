/* model-index.c: the indexing pass.
 *
 * The ordering state machine of the decoder is sequential across
 * generations, but each generation is self-contained, so the split that
 * keeps every core busy is by generation: a cheap walk over batch headers
 * finds where each generation lies in the file, workers decode generations
 * independently (ta_parser_open_range) and run them through a genproc, and
 * this thread merges their outputs in order and publishes a snapshot after
 * each. Compressed traces cannot be cut: they take one sequential stream. */
#define G_LOG_DOMAIN "ta-model"

#include "model-index.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <malloc.h>

/* Whether the calling thread indexes for the viewer and so gives way to
 * its frames (ta_index_yield_to_frames). */
static __thread gboolean thread_gives_way;

/* A frame in progress (ta_model_frame_begin): the lower priority alone
 * still let the background threads take a core for 3-4 ms at a time in
 * the middle of a frame (the scheduler's fairness), which made ~10 ms
 * frames stall the main loop for 17-25 ms (ui-bench stall from scratch). */
static gint frame_busy;
static GMutex frame_lock;
static GCond frame_cond;

/* How long a background thread waits for one frame at most: a frame that
 * is never reported as done only slows indexing down. */
#define FRAME_YIELD_MAX_US 25000

void
ta_model_frame_begin(void)
{
  g_atomic_int_set(&frame_busy, 1);
}

void
ta_model_frame_end(void)
{
  g_mutex_lock(&frame_lock);
  g_atomic_int_set(&frame_busy, 0);
  g_cond_broadcast(&frame_cond);
  g_mutex_unlock(&frame_lock);
}

/* Called every few thousand events by the indexing loops (and every block
 * by the index cache reader): a background thread waits while a frame is
 * being made. */
void
ta_index_yield_to_frames(void)
{
  if (!thread_gives_way || !g_atomic_int_get(&frame_busy))
    return;
  gint64 until = g_get_monotonic_time() + FRAME_YIELD_MAX_US;
  g_mutex_lock(&frame_lock);
  while (g_atomic_int_get(&frame_busy) && g_cond_wait_until(&frame_cond, &frame_lock, until))
    ;
  g_mutex_unlock(&frame_lock);
}

/* ---- batch header walk ---- */

struct ta_scanner {
  int fd;
  int format;
  gint64 size;
  gint64 pos;
  guint8 buf[64 * 1024];
  gint64 buf_off;
  gsize buf_len;
  gboolean eof_marker_fmt;
};

static gboolean
sc_fill(ta_scanner *sc, gint64 at, gsize need)
{
  if (at >= sc->buf_off && at + (gint64)need <= sc->buf_off + (gint64)sc->buf_len)
    return TRUE;
  ssize_t n = pread(sc->fd, sc->buf, sizeof sc->buf, at);
  if (n < 0)
    return FALSE;
  sc->buf_off = at;
  sc->buf_len = (gsize)n;
  return at + (gint64)need <= sc->buf_off + (gint64)sc->buf_len;
}

ta_scanner *
ta_scanner_open(const char *path, GError **error)
{
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    g_set_error(error, TA_MODEL_ERROR, TA_MODEL_ERROR_OPEN, "%s: %s", path, g_strerror(errno));
    return NULL;
  }
  guint8 hdr[16];
  if (pread(fd, hdr, 16, 0) != 16 || memcmp(hdr, "go 1.", 5) != 0) {
    close(fd);
    g_set_error(error, TA_MODEL_ERROR, TA_MODEL_ERROR_OPEN, "%s: not a plain Go trace", path);
    return NULL;
  }
  ta_scanner *sc = g_new0(ta_scanner, 1);
  sc->fd = fd;
  sc->format = atoi((const char *)hdr + 5);
  sc->size = lseek(fd, 0, SEEK_END);
  sc->pos = 16;
  sc->eof_marker_fmt = sc->format >= 26;
  return sc;
}

int
ta_scanner_format(ta_scanner *sc)
{
  return sc->format;
}

void
ta_scanner_free(ta_scanner *sc)
{
  if (!sc)
    return;
  close(sc->fd);
  g_free(sc);
}

/* Reads one batch header at `at`: its generation, and the offset after it.
 * 1 ok, 0 end of file, -1 broken, 2 end-of-generation marker. */
static int
sc_batch(ta_scanner *sc, gint64 at, guint64 *gen, gint64 *next)
{
  if (at >= sc->size)
    return 0;
  if (!sc_fill(sc, at, MIN((gint64)64, sc->size - at)))
    return -1;
  const guint8 *p = sc->buf + (at - sc->buf_off);
  const guint8 *end = sc->buf + sc->buf_len;
  guint8 type = *p++;
  if (type == TA_EV_END_OF_GENERATION) {
    *next = at + 1;
    return 2;
  }
  if (type == TA_EV_EXPERIMENTAL_BATCH)
    p++;
  else if (type != TA_EV_EVENT_BATCH)
    return -1;
  guint64 v[4];
  for (int i = 0; i < 4; i++) {
    guint64 x = 0;
    unsigned s = 0;
    for (;;) {
      if (p >= end || s > 63)
        return -1;
      guint8 c = *p++;
      x |= (guint64)(c & 0x7f) << s;
      s += 7;
      if (c < 0x80)
        break;
    }
    v[i] = x;
  }
  *gen = v[0];
  *next = sc->buf_off + (p - sc->buf) + (gint64)v[3];
  if (*next > sc->size)
    return -1;
  return 1;
}

int
ta_scanner_next(ta_scanner *sc, gint64 *start, gint64 *end)
{
  guint64 gen = 0, g;
  gint64 at = sc->pos, next;
  *start = at;
  for (;;) {
    int r = sc_batch(sc, at, &g, &next);
    if (r == 0) {
      if (at == *start)
        return 0;
      /* Formats before 26 end the last generation at the end of the file;
       * from 26 a missing marker means a cut trace: the decoder reports it. */
      *end = at;
      sc->pos = at;
      return 1;
    }
    if (r < 0) {
      /* Let the decoder find the words for what is wrong here. */
      *end = sc->size;
      sc->pos = sc->size;
      return 1;
    }
    if (r == 2) {
      *end = next;
      sc->pos = next;
      return 1;
    }
    if (gen == 0)
      gen = g;
    else if (g != gen && !sc->eof_marker_fmt) {
      *end = at;
      sc->pos = at;
      return 1;
    }
    at = next;
  }
}

/* ---- decoding a generation ---- */

static void
set_decode_error(GError **error, const ta_error *e)
{
  GString *m = g_string_new(e->message);
  if (e->offset >= 0)
    g_string_append_printf(m, " (at byte %" G_GINT64_FORMAT, e->offset);
  if (e->gen)
    g_string_append_printf(m, "%sgeneration %" G_GUINT64_FORMAT, e->offset >= 0 ? ", " : " (",
                           e->gen);
  if (e->offset >= 0 || e->gen)
    g_string_append_c(m, ')');
  g_set_error_literal(error, TA_MODEL_ERROR, TA_MODEL_ERROR_DECODE, m->str);
  g_string_free(m, TRUE);
}

/* The previous generation's last event time, which a generation decoded
 * alone needs to time its first events as a sequential read times them.
 * FALSE while it is not known yet; *floor is G_MININT64 when there is no
 * previous generation. */
typedef gboolean (*floor_fn)(gpointer ud, gint64 *floor);

typedef struct {
  gint64 raw_last;    /* last event time as decoded */
  gint64 first;       /* first event time as decoded */
  guint64 n;          /* events of the generation (its Sync included) */
  gint64 floor_used;  /* the floor it was decoded with (G_MININT64: none) */
} range_stats;

/* Go's reader makes times strictly increasing over the whole trace:
 * t' = max(t, previous t' + 1). Within a generation the decoder already
 * does so, so with the previous generation's last time `floor` the clamp
 * changes a generation's times iff its first time is <= floor (then
 * t'_i = max(t_i, floor + 1 + i)). A generation whose floor is not known
 * when it starts is decoded as if nothing came before it; whoever learns
 * the floor later checks range_needs_floor() and then decodes it again with
 * the floor. No event is copied or held. */
static gp_out *
decode_range(const char *path, int format, gint64 start, gint64 end, gint64 ctx_start,
             const gp_config *cfg, floor_fn get_floor, gpointer floor_ud, range_stats *st,
             gint64 stop_at, GCancellable *cancellable, GError **error)
{
  ta_error err;
  gint64 from = ctx_start >= 0 ? ctx_start : start;
  ta_parser *p = ta_parser_open_range(path, format, from, end - from, &err);
  if (!p) {
    set_decode_error(error, &err);
    return NULL;
  }
  gp_config c = *cfg;
  gint64 floor = cfg->floor;
  if (get_floor && !get_floor(floor_ud, &floor))
    floor = G_MININT64;
  c.floor = st->floor_used = floor;
  genproc *gp = genproc_new(&c);
  ta_event evs[64];
  int r;
  guint64 n = 0;
  gboolean skip = ctx_start >= 0;   /* a generation decoded only as context */
  st->raw_last = st->first = G_MININT64;
  st->n = 0;
  while ((r = ta_parser_next_many(p, evs, G_N_ELEMENTS(evs))) > 0) {
    guint64 before = n;
    n += (guint64)r;
    if ((n >> 16) != (before >> 16) && g_cancellable_is_cancelled(cancellable))
      break;
    if ((n >> 12) != (before >> 12))
      ta_index_yield_to_frames();
    /* A preview stops at its deadline, as if the generation ended there. */
    if (stop_at && (n >> 12) != (before >> 12) && g_get_monotonic_time() >= stop_at)
      break;
    for (int i = 0; i < r; i++) {
      const ta_event *ev = &evs[i];
      if (skip) {
        if (ev->kind == TA_KIND_SYNC && ev->gen && ta_parser_generation(p) &&
            ta_parser_generation(p)->start_offset >= start)
          skip = FALSE;
        else
          continue;
      }
      if (!(ev->kind == TA_KIND_SYNC && !ev->gen)) {
        if (st->n == 0)
          st->first = ev->time;
        st->raw_last = ev->time;
        st->n++;
      }
      genproc_event(gp, ev);
    }
  }
  if (g_cancellable_set_error_if_cancelled(cancellable, error) || r < 0) {
    if (r < 0)
      set_decode_error(error, ta_parser_error(p));
    genproc_free(gp);
    ta_parser_free(p);
    return NULL;
  }
  const ta_generation_info *gi = ta_parser_generation(p);
  guint64 number = gi ? gi->number : 0;
  ta_parser_free(p);
  gp_out *o = genproc_finish(gp);
  if (number)
    o->number = number;
  genproc_free(gp);
  return o;
}

/* Whether a generation decoded with `used` as its floor must be decoded
 * again now that its true floor is known: the clamp moves the same events
 * to the same times iff both floors are the same, or neither reaches the
 * generation's first event. */
static gboolean
range_needs_floor(const range_stats *st, gint64 used, gint64 floor)
{
  if (!st->n || used == floor)
    return FALSE;
  return used >= st->first || floor >= st->first;
}

/* The time of the generation's last event as read in sequence. */
static gint64
range_last(const range_stats *st, gint64 floor)
{
  /* t' = max(t, floor + 1 + i) over the generation's events */
  return floor == G_MININT64 ? st->raw_last : MAX(st->raw_last, floor + (gint64)st->n);
}

static gp_out *
decode_generation(const char *path, int format, gint64 start, gint64 end, gint64 prev_start,
                  const gp_config *cfg, floor_fn get_floor, gpointer floor_ud, range_stats *st,
                  GCancellable *cancellable, GError **error)
{
  GError *first = NULL;
  gp_out *o = decode_range(path, format, start, end, -1, cfg, get_floor, floor_ud, st, 0,
                           cancellable, &first);
  if (o || prev_start < 0 || g_error_matches(first, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
    if (!o)
      g_propagate_error(error, first);
    return o;
  }
  /* Go 1.22 traces can carry thread state from one generation into the
   * next; decoding a generation alone then fails where the whole trace does
   * not. Decode it again after the previous one, as context. */
  o = decode_range(path, format, start, end, prev_start, cfg, get_floor, floor_ud, st, 0,
                   cancellable, NULL);
  if (o)
    g_error_free(first);
  else
    g_propagate_error(error, first);
  return o;
}

gp_out *
ta_decode_generation(const char *path, int format, gint64 start, gint64 end, gint64 prev_start,
                     const gp_config *cfg, GCancellable *cancellable, GError **error)
{
  range_stats st;
  return decode_generation(path, format, start, end, prev_start, cfg, NULL, NULL, &st,
                           cancellable, error);
}

gp_out *
ta_decode_generation_seq(const char *path, guint gen_index, const gp_config *cfg,
                         GCancellable *cancellable, GError **error)
{
  ta_error err;
  ta_parser *p = ta_parser_open_path(path, &err);
  if (!p) {
    set_decode_error(error, &err);
    return NULL;
  }
  genproc *gp = NULL;
  gint64 idx = -1;
  ta_event ev;
  int r;
  gp_out *o = NULL;
  while ((r = ta_parser_next(p, &ev)) > 0) {
    if (ev.kind == TA_KIND_SYNC) {
      if (gp) {
        if (!ev.gen)
          genproc_event(gp, &ev);
        o = genproc_finish(gp);
        break;
      }
      if (!ev.gen)
        break;
      idx++;
      if (idx == (gint64)gen_index) {
        gp_config c = *cfg;
        c.first_gen = idx == 0;
        gp = genproc_new(&c);
      } else if (g_cancellable_is_cancelled(cancellable)) {
        break;
      }
    }
    if (gp)
      genproc_event(gp, &ev);
  }
  if (!o && gp && r == 0)
    o = genproc_finish(gp);
  if (!o) {
    if (r < 0)
      set_decode_error(error, ta_parser_error(p));
    else if (!g_cancellable_set_error_if_cancelled(cancellable, error))
      g_set_error(error, TA_MODEL_ERROR, TA_MODEL_ERROR_NOT_INDEXED, "no generation %u", gen_index);
  }
  genproc_free(gp);
  ta_parser_free(p);
  return o;
}

/* ---- the pass ---- */

static double
now_s(void)
{
  return (double)g_get_monotonic_time() / 1e6;
}

static void
publish(ta_store *s, ta_index_opts *o, gboolean final, double t0)
{
  if (o->publish) {
    double ta = now_s();
    TaSnapshot *snap = ta_snapshot_new_from_store(s);
    if (o->first_publish_s == 0 && g_getenv("TA_MODEL_DEBUG"))
      g_printerr("first snapshot built in %.3f s, at %.3f s\n", now_s() - ta, now_s() - t0);
    o->publish(o->ud, snap, final);
  }
  if (o->first_publish_s == 0)
    o->first_publish_s = now_s() - t0;
  /* A generation's worth of transient memory was just freed: give it back,
   * so that resident memory measures what the model keeps (after the
   * snapshot is out: the viewer need not wait for it). Not in the
   * background: malloc_trim also drops the pages of the main thread's free
   * memory, and each frame after a snapshot then faulted its paint buffers
   * in again (some 3500 page faults, 17-19 ms instead of 8-10 ms of
   * main-thread CPU, ui-bench stall), and a trim holds each heap's lock
   * while it walks it, which the main thread's allocations then wait for
   * (the viewer does not trim at all: finished_cb in ta-trace-page.c). */
  if (!o->background)
    malloc_trim(0);
}

/* The provisional level-0 shift of the first generation: 1 µs for small
 * traces, coarser for big generations (whose final width is coarser anyway),
 * so that the first snapshot comes quickly.
 *
 * Over 1 MB a generation's chosen width has been 2^23..2^25 ns on every
 * bench trace (http and spawn, 32 MiB..1 GiB, first generations of 8..20 MB)
 * while the 1 µs-per-MB rule gave 2^13..2^15: level 0 a thousand times finer
 * than needed, which cost the state machine bucket flushes and the merge
 * (width search over all those entries, then re-bucketing them) about a
 * third of the first snapshot. PROV_EXTRA bits closer to it: the width
 * search can only go coarser than the provisional width, so where the ideal
 * width would be finer the first generation keeps the provisional one (still
 * exact: every level is re-bucketed from level 0). */
#define PROV_EXTRA 7

static guint
provisional_shift(gint64 gen_bytes)
{
  guint shift = TA_FINE_SHIFT;
  for (gint64 b = gen_bytes; b > (1 << 20) && shift < 16; b >>= 1)
    shift++;
  if (gen_bytes > (1 << 20)) {
    /* TA_MODEL_PROV_EXTRA: for A/B timing (0 = the old rule). */
    const char *e = g_getenv("TA_MODEL_PROV_EXTRA");
    shift += e ? (guint)CLAMP(atoi(e), 0, 12) : PROV_EXTRA;
  }
  return shift;
}

static gp_config
config_for(ta_store *s, ta_index_opts *o, gboolean first, gint64 gen_bytes)
{
  gp_config c = { 0 };
  c.strtab = s->strtab;
  c.keep_spans = o->resident;
  c.first_gen = first;
  c.floor = G_MININT64;
  if (s->have_shift) {
    c.shift = s->shift;
    c.origin = s->origin;
    c.count_shift = s->shift;
  } else {
    /* Until the first generation is seen: 1 µs buckets from its Sync,
     * which the merge re-buckets exactly to the width it then chooses. */
    c.shift = provisional_shift(gen_bytes);
    c.provisional = TRUE;
    c.count_shift = c.shift;
  }
  return c;
}

/* Merges a generation's output; the first one decides the level-0 width. */
static void
merge_out(ta_store *s, gp_out *out, mg_gen *info)
{
  if (!s->have_shift) {
    double tc = now_s();
    guint shift = ta_store_choose_shift(out, (guint64)(info->end_offset - info->start_offset));
    if (g_getenv("TA_MODEL_DEBUG"))
      g_printerr("first generation: shift %u (provisional %u) chosen in %.3f s\n", shift,
                 out->l0_shift, now_s() - tc);
    g_assert(out->l0_shift <= shift);
    ta_store_set_shift(s, shift, out->sync_time);
  }
  info->number = out->number ? out->number : info->number;
  info->sync_time = out->sync_time;
  info->last_time = out->last_time;
  info->last_event = out->last_event;
  info->n_events = out->n_events;
  ta_store_merge(s, out, info);
}

static gboolean
run_sequential(ta_store *s, ta_index_opts *o, double t0)
{
  ta_error err;
  ta_parser *p = ta_parser_open_path(s->path, &err);
  if (!p) {
    set_decode_error(&s->error, &err);
    return FALSE;
  }
  s->format = ta_parser_format(p);
  genproc *gp = NULL;
  mg_gen info = { 0 };
  ta_event ev;
  int r;
  guint64 n = 0;
  gboolean cancelled = FALSE;
  while ((r = ta_parser_next(p, &ev)) > 0) {
    if ((n & 0xfff) == 0)
      ta_index_yield_to_frames();
    if ((++n & 0xffff) == 0 && g_cancellable_is_cancelled(o->cancellable)) {
      cancelled = TRUE;
      break;
    }
    if (ev.kind == TA_KIND_SYNC) {
      if (gp && !ev.gen)
        genproc_event(gp, &ev);   /* the closing Sync: Go's end of trace */
      if (gp) {
        gp_out *out = genproc_finish(gp);
        genproc_free(gp);
        gp = NULL;
        merge_out(s, out, &info);
        gp_out_free(out);
        s->bytes_indexed = ta_parser_bytes_read(p);
        publish(s, o, FALSE, t0);
        if (o->background && s->gens->len == 1)
          ta_index_run_in_background();
      }
      if (!ev.gen)
        continue;
      const ta_generation_info *gi = ta_parser_generation(p);
      memset(&info, 0, sizeof info);
      info.floor = s->gens->len ? g_array_index(s->gens, mg_gen, s->gens->len - 1).last_event
                                : G_MININT64;
      if (gi) {
        info.number = gi->number;
        info.start_offset = gi->start_offset;
        info.end_offset = gi->end_offset;
      }
      gp_config c = config_for(s, o, s->gens->len == 0,
                               gi ? gi->end_offset - gi->start_offset : 0);
      gp = genproc_new(&c);
    }
    if (gp)
      genproc_event(gp, &ev);
  }
  if (gp && r == 0 && !cancelled) {
    gp_out *out = genproc_finish(gp);
    merge_out(s, out, &info);
    gp_out_free(out);
  }
  genproc_free(gp);
  if (r < 0)
    set_decode_error(&s->error, ta_parser_error(p));
  s->bytes_indexed = ta_parser_bytes_read(p);
  ta_parser_free(p);
  if (cancelled)
    g_set_error_literal(&s->error, TA_MODEL_ERROR, TA_MODEL_ERROR_CANCELLED, "cancelled");
  return r == 0 && !cancelled;
}

typedef struct {
  GMutex lock;
  GCond cond;
  /* Filled by the floor reader: floors[k] is the last event time before
   * generation k (0-based) in a sequential read. */
  GArray *floors;
  gboolean floors_done;   /* the floor reader stopped (end, error, cancel) */
  gboolean stop;          /* the pass is over: the floor reader may stop */
} job_sync;

typedef struct job job;
struct job {
  ta_store *s;
  job_sync *js;
  job *prev;
  int format;
  gint64 start, end, prev_start;
  gp_config cfg;
  GCancellable *cancellable;
  gboolean background;   /* lower priority past generation 0 */
  gp_out *out;
  GError *error;
  guint index;         /* 0-based generation index */
  range_stats st;
  gboolean done;
  /* Set by the merging thread, in order: the time of this generation's last
   * event as read in sequence. */
  gboolean last_known;
  gint64 last;
};

gboolean ta_index_test_floor_late;

/* The time each generation must start after, ahead of the workers.
 *
 * A generation's floor is the previous generation's last event time as a
 * sequential read times it. In Go traces the first events of a generation
 * usually come before the last events of the previous one (different
 * threads; Go's reader then moves them to just after it), so a worker cannot
 * start a generation without its floor: guessing "no clamp" is wrong for
 * nearly every generation, and holding all of a generation's events until
 * the previous one is done makes the state machines run one after another.
 * This thread reads the whole file with the bare decoder (about a quarter
 * of what a worker spends per event) and hands each generation's floor out
 * as soon as it has passed it, so the workers run side by side. */
typedef struct {
  const char *path;
  job_sync *js;
  GCancellable *cancellable;
  gboolean background;
} floor_reader;

/* In the viewer (TaModelOptions.index_in_background), indexing past the
 * first snapshot runs at a lower priority: it competes for the cores with the
 * main thread and the display server, and a late frame costs more than a few
 * ms of indexing. Not in the CLI: there it would only lose the cores to
 * unrelated processes (index of http-1GiB 17 s -> 27 s beside a compile).
 * Linux sets it per thread. */
#define BACKGROUND_NICE 10

void
ta_index_run_in_background(void)
{
  thread_gives_way = TRUE;
  if (setpriority(PRIO_PROCESS, (id_t)gettid(), BACKGROUND_NICE) != 0)
    g_debug("setpriority: %s", g_strerror(errno));
}

static gpointer
floor_reader_run(gpointer data)
{
  floor_reader *fr = data;
  job_sync *js = fr->js;
  ta_error err;
  if (fr->background)
    ta_index_run_in_background();
  ta_parser *p = ta_parser_open_path(fr->path, &err);
  if (p) {
    ta_event evs[128];
    int r;
    gint64 last = G_MININT64;
    guint64 n = 0;
    while ((r = ta_parser_next_many(p, evs, G_N_ELEMENTS(evs))) > 0) {
      guint64 before = n;
      n += (guint64)r;
      if ((n >> 16) != (before >> 16) &&
          (g_cancellable_is_cancelled(fr->cancellable) || g_atomic_int_get(&js->stop)))
        break;
      if ((n >> 12) != (before >> 12))
        ta_index_yield_to_frames();
      for (int i = 0; i < r; i++) {
        const ta_event *ev = &evs[i];
        if (ev->kind == TA_KIND_SYNC) {
          if (!ev->gen)
            continue;   /* the Sync that closes the trace */
          g_mutex_lock(&js->lock);
          g_array_append_val(js->floors, last);
          g_cond_broadcast(&js->cond);
          g_mutex_unlock(&js->lock);
        }
        last = ev->time;
      }
    }
    ta_parser_free(p);
  }
  g_mutex_lock(&js->lock);
  js->floors_done = TRUE;
  g_cond_broadcast(&js->cond);
  g_mutex_unlock(&js->lock);
  return NULL;
}

/* This generation's floor if it is known (the previous generation merged)
 * or soon will be (the floor reader has not passed it yet); FALSE when it
 * cannot be had without waiting for the previous generation's decode. */
static gboolean
job_floor(gpointer ud, gint64 *floor)
{
  job *j = ud;
  job_sync *js = j->js;
  *floor = G_MININT64;
  if (!j->prev)
    return TRUE;
  if (ta_index_test_floor_late)
    return FALSE;
  g_mutex_lock(&js->lock);
  gboolean known = FALSE;
  for (;;) {
    if (j->prev->last_known) {
      *floor = j->prev->last;
      known = TRUE;
      break;
    }
    if (j->index < js->floors->len) {
      *floor = g_array_index(js->floors, gint64, j->index);
      known = TRUE;
      break;
    }
    if (js->floors_done || g_cancellable_is_cancelled(j->cancellable))
      break;
    g_cond_wait(&js->cond, &js->lock);
  }
  g_mutex_unlock(&js->lock);
  return known;
}

static void
job_run(gpointer data, gpointer user)
{
  job *j = data;
  job_sync *js = j->js;
  range_stats st;
  /* The first snapshot waits for generation 0: that one keeps the priority
   * (a preview of it is shown first, and generation 0 then went on through
   * the frame that drew it: 21 ms of CPU beside a 24 ms stall). */
  if (j->index > 0 && j->background)
    ta_index_run_in_background();
  else if (j->background)
    thread_gives_way = TRUE;
  if (j->index == 0 && g_getenv("TA_MODEL_DEBUG"))
    g_printerr("first generation: decode starts at %.6f s (monotonic)\n", now_s());
  gp_out *out = decode_generation(j->s->path, j->format, j->start, j->end, j->prev_start,
                                  &j->cfg, job_floor, j, &st, j->cancellable, &j->error);
  g_mutex_lock(&js->lock);
  j->out = out;
  j->st = st;
  j->done = TRUE;
  g_cond_broadcast(&js->cond);
  g_mutex_unlock(&js->lock);
}

/* The merging thread's part of a job, in order: the floor is known now. */
static gboolean
job_settle(job *j, gint64 floor, guint number)
{
  if (range_needs_floor(&j->st, j->st.floor_used, floor)) {
    /* Rare: decoded before its floor was known, and Go's clamp moves its
     * first events (or the floor reader's floor was not this one). */
    gp_config c = j->cfg;
    c.floor = floor;
    gp_out_free(j->out);
    j->out = decode_generation(j->s->path, j->format, j->start, j->end, j->prev_start, &c, NULL,
                               NULL, &j->st, j->cancellable, &j->error);
    j->s->n_redecoded++;
    if (g_getenv("TA_MODEL_DEBUG"))
      g_printerr("generation %u decoded again: its first event is not after %" G_GINT64_FORMAT
                 "\n", number, floor);
  }
  g_mutex_lock(&j->js->lock);
  j->last = range_last(&j->st, floor);
  j->last_known = TRUE;
  g_mutex_unlock(&j->js->lock);
  return j->out != NULL;
}

/* From this size a first generation can take one core about as long as
 * the first snapshot may wait (0.3 s: spawn-heavy generations go through
 * decoder, state machine and merge at ~20 MB/s, 6 MB took 0.36 s), and
 * longer on a busy machine. */
#define PREVIEW_MIN_BYTES (4 << 20)
/* When the preview stops, counted from the start of the pass. */
#define PREVIEW_SECONDS 0.15

gboolean ta_index_test_preview_always;

/* While a worker decodes a big first generation, this thread decodes its
 * beginning on the other core, until PREVIEW_SECONDS into the pass, merges
 * that into a store of its own (as if the generation ended there) and
 * publishes it: the viewer shows the start of the trace at once, and the
 * first real snapshot replaces it (same goroutines in the same order, more
 * of them). The real store never sees it. TA_MODEL_PREVIEW_BYTES overrides
 * the size from which a first generation gets one (tests, A/B timing). */
static void
publish_preview(ta_store *s, ta_index_opts *o, gint64 start, gint64 end, double t0)
{
  const char *e = g_getenv("TA_MODEL_PREVIEW_BYTES");
  gint64 min_bytes = e ? g_ascii_strtoll(e, NULL, 10) : PREVIEW_MIN_BYTES;
  if (ta_index_test_preview_always)
    min_bytes = 0;
  if (!o->publish || end - start < min_bytes)
    return;
  ta_store *ps = ta_store_new(s->path);
  ps->format = s->format;
  ps->plain = s->plain;
  ps->resident = s->resident;
  ps->bytes_total = s->bytes_total;
  gp_config c = config_for(ps, o, TRUE, end - start);
  range_stats st;
  /* Tests stop the preview at its first deadline check, so it is cut short. */
  gint64 stop_at = (gint64)((t0 + (ta_index_test_preview_always ? 0 : PREVIEW_SECONDS)) * 1e6);
  gp_out *out = decode_range(ps->path, ps->format, start, end, -1, &c, NULL, NULL, &st, stop_at,
                             o->cancellable, NULL);
  if (out && !g_cancellable_is_cancelled(o->cancellable)) {
    mg_gen info = { 0 };
    info.start_offset = start;
    info.end_offset = end;
    info.number = 1;
    info.floor = G_MININT64;
    merge_out(ps, out, &info);
    if (g_getenv("TA_MODEL_DEBUG"))
      g_printerr("preview: %" G_GUINT64_FORMAT " events of the first generation, published at "
                 "%.3f s\n", st.n, now_s() - t0);
    publish(ps, o, FALSE, t0);
  }
  gp_out_free(out);
  ta_store_unref(ps);
}

static gboolean
run_parallel(ta_store *s, ta_index_opts *o, ta_scanner *sc, double t0)
{
  s->format = ta_scanner_format(sc);
  job_sync *js = g_new0(job_sync, 1);
  g_mutex_init(&js->lock);
  g_cond_init(&js->cond);
  js->floors = g_array_new(FALSE, FALSE, sizeof(gint64));
  floor_reader fr = { s->path, js, o->cancellable, o->background };
  /* Started once the first generation is merged: until then it would only
   * take a core from the one generation the first snapshot waits for. */
  GThread *floor_thread = NULL;
  /* Exclusive: its threads end with it, so their lowered priority never
   * passes to another pool's work (exact spans for the viewer). */
  GThreadPool *pool = g_thread_pool_new(job_run, js, (gint)o->n_threads, TRUE, NULL);
  GPtrArray *jobs = g_ptr_array_new();
  guint next_merge = 0;
  gboolean eof = FALSE, ok = TRUE;
  /* Generations in flight (decoding, or decoded and waiting to be merged),
   * one per worker: each holds a generation's decoder and genproc output,
   * which on goroutine-heavy traces is what peak memory is made of. */
  guint window = o->n_threads;

  for (;;) {
    /* Keep `window` generations in flight (only one until the first is merged:
     * its spans decide the bucket width the others need). */
    guint limit = s->have_shift ? window : 1;
    if (s->have_shift && !floor_thread)
      floor_thread = g_thread_new("ta-floors", floor_reader_run, &fr);
    while (!eof && jobs->len - next_merge < limit) {
      gint64 a, b;
      int r = ta_scanner_next(sc, &a, &b);
      if (r <= 0) {
        eof = TRUE;
        if (r < 0 && jobs->len == 0) {
          g_set_error_literal(&s->error, TA_MODEL_ERROR, TA_MODEL_ERROR_DECODE,
                              "no generation found (broken batch header)");
          ok = FALSE;
        }
        break;
      }
      job *j = g_new0(job, 1);
      j->s = s;
      j->js = js;
      j->prev = jobs->len ? g_ptr_array_index(jobs, jobs->len - 1) : NULL;
      j->format = s->format;
      j->start = a;
      j->end = b;
      j->prev_start = jobs->len ? ((job *)g_ptr_array_index(jobs, jobs->len - 1))->start : -1;
      j->index = jobs->len;
      j->cfg = config_for(s, o, jobs->len == 0, b - a);
      j->cancellable = o->cancellable;
      j->background = o->background;
      g_ptr_array_add(jobs, j);
      g_thread_pool_push(pool, j, NULL);
      if (j->index == 0)
        publish_preview(s, o, a, b, t0);
    }
    if (next_merge == jobs->len)
      break;
    ta_index_yield_to_frames();
    job *j = g_ptr_array_index(jobs, next_merge);
    g_mutex_lock(&js->lock);
    while (!j->done)
      g_cond_wait(&js->cond, &js->lock);
    g_mutex_unlock(&js->lock);
    if (g_cancellable_is_cancelled(o->cancellable)) {
      ok = FALSE;
      break;
    }
    gint64 floor = j->prev ? j->prev->last : G_MININT64;
    if (!j->out || !job_settle(j, floor, next_merge + 1)) {
      if (!s->error)
        s->error = j->error ? g_error_copy(j->error) : NULL;
      ok = FALSE;
      break;
    }
    mg_gen info = { 0 };
    info.start_offset = j->start;
    info.end_offset = j->end;
    info.number = next_merge + 1;
    info.floor = floor;
    double tm = now_s();
    merge_out(s, j->out, &info);
    double tm2 = now_s();
    gp_out_free(j->out);
    j->out = NULL;
    if (next_merge == 0 && g_getenv("TA_MODEL_DEBUG"))
      g_printerr("first generation: merge_out %.3f s, freed %.3f s\n", tm2 - tm, now_s() - tm2);
    s->bytes_indexed = (guint64)j->end;
    next_merge++;
    publish(s, o, FALSE, t0);
    /* The merges after the first snapshot took a core from the main thread
     * like the workers did. */
    if (o->background && next_merge == 1)
      ta_index_run_in_background();
    if (next_merge == 1 && g_getenv("TA_MODEL_DEBUG"))
      g_printerr("first generation: %" G_GINT64_FORMAT " bytes, decoded by %.3f s, merged in %.3f s, "
                 "published at %.3f s\n", j->end - j->start, tm - t0, now_s() - tm, now_s() - t0);
  }
  if (g_cancellable_is_cancelled(o->cancellable)) {
    g_mutex_lock(&js->lock);
    g_cond_broadcast(&js->cond);
    g_mutex_unlock(&js->lock);
    g_clear_error(&s->error);
    g_set_error_literal(&s->error, TA_MODEL_ERROR, TA_MODEL_ERROR_CANCELLED, "cancelled");
    ok = FALSE;
  }
  /* Stop the floor reader first: a worker still waiting for a floor after
   * an error wakes when the reader ends, instead of when it reaches it. */
  g_atomic_int_set(&js->stop, TRUE);
  g_thread_pool_free(pool, FALSE, TRUE);
  if (floor_thread)
    g_thread_join(floor_thread);
  g_array_free(js->floors, TRUE);
  for (guint i = 0; i < jobs->len; i++) {
    job *j = g_ptr_array_index(jobs, i);
    gp_out_free(j->out);
    g_clear_error(&j->error);
    g_free(j);
  }
  g_ptr_array_free(jobs, TRUE);
  g_mutex_clear(&js->lock);
  g_cond_clear(&js->cond);
  g_free(js);
  return ok;
}

gboolean
ta_index_run(ta_store *s, ta_index_opts *o)
{
  double t0 = now_s();
  if (g_getenv("TA_MODEL_DEBUG"))
    g_printerr("index run starts at %.6f s (monotonic)\n", t0);
  o->first_publish_s = 0;
  if (g_getenv("TA_MODEL_CHECK_BLOBS"))
    ta_merge_test_check_blobs = TRUE;   /* every one-bucket blob against its pyramid */
  s->resident = o->resident;
  GStatBuf st;
  if (g_stat(s->path, &st) == 0)
    s->bytes_total = (guint64)st.st_size;
  gboolean ok;
  ta_scanner *sc = o->n_threads > 1 ? ta_scanner_open(s->path, NULL) : NULL;
  if (sc) {
    s->plain = TRUE;
    ok = run_parallel(s, o, sc, t0);
    ta_scanner_free(sc);
  } else {
    /* Plain files decoded in one stream can still be re-read by range. */
    ta_scanner *probe = ta_scanner_open(s->path, NULL);
    s->plain = probe != NULL;
    ta_scanner_free(probe);
    ok = run_sequential(s, o, t0);
  }
  if (!s->have_shift)
    ta_store_set_shift(s, 20, 0);
  if (!ok && s->gens->len) {
    /* Stopped at an error: the trace ends with the last good event (a whole
     * read has no closing Sync after it). */
    s->frontier = g_array_index(s->gens, mg_gen, s->gens->len - 1).last_event;
  }
  ta_store_finish(s);
  o->total_s = now_s() - t0;
  if (g_getenv("TA_MODEL_DEBUG"))
    ta_store_dump_memory(s);
  publish(s, o, TRUE, t0);
  return ok;
}
