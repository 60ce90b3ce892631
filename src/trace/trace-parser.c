/* trace-parser.c: the pull parser. Loads a generation at a time, merges the
 * per-thread event streams with a min-heap in Go's exact tie order, feeds the
 * state machine, injects CPU samples and Sync events, and post-processes
 * every event (table ID checks, strictly increasing time).
 *
 * Speed: the common case (nothing queued, the frontier's earliest event
 * advances by one of the rules in trace-order-fast.h) runs in next_fast_run(),
 * inlined into ta_parser_next() and ta_parser_next_many(); everything else
 * goes through next_general() -> produce(), the reference path, which
 * decides exactly as before whenever the fast path declines. */
#include "trace-internal.h"
#include "trace-order-fast.h"
#include "trace-sort.h"

#include <stdio.h>

/* Events a cursor decodes ahead in one tight loop: AHEAD_MAX each (more
 * than 64 measured ~4% faster on http-256MiB), from a pool of AHEAD_POOL
 * shared by the generation's threads, and at least one each. So the
 * buffers of a generation of many threads, each with a tiny batch, stay
 * in proportion to its bytes (100k threads took 320 MB with 64 each). */
#define AHEAD_MAX 128
#define AHEAD_POOL 32768

/* A per-thread cursor over its batches. */
typedef struct {
  int64_t time;        /* time of the event it offers: the heap key */
  ta_raw_event *ev;    /* the event it offers, in ahead[] */
  uint64_t m;
  uint32_t thread;     /* index into generation threads */
  uint32_t batch;      /* next batch, relative to the thread's first */
  uint32_t off;        /* next byte in that batch */
  int64_t last_ns;     /* running time; 0 means "reload from batch base" */
  uint32_t m_hint;     /* the state machine's index for this thread */
  ta_raw_event *ahead;  /* its slice of the parser's pool (ahead_cap events) */
  ta_raw_event *ahead_next, *ahead_end; /* decoded events waiting in ahead[] */
  bool broken;         /* decoding stopped at an error, reported on arrival */
  ta_error *broken_err; /* that error (allocated when first needed) */
} cursor;

struct ta_parser {
  ta_input *in;
  int format;
  ta_generation gen;
  bool have_gen;
  ta_order *order;
  cursor *cursors;                 /* storage, one per thread */
  uint32_t cap_cursors;
  ta_raw_event *ahead_pool;        /* the cursors' decoded events */
  size_t cap_ahead_pool;
  uint32_t ahead_cap;              /* events per cursor in this generation */
  cursor **heap;                   /* the frontier */
  /* heap[i]->time, kept beside it; INT64_MAX in every slot from n_heap to
   * 2 * cap_cursors + 1, so that each node has two children to compare. */
  int64_t *heap_time;
  uint32_t n_heap, cap_heap;
  uint64_t int_ns_per_unit;        /* the generation's, when integral (else 0) */
  uint32_t next_sample;
  int64_t next_sample_time;        /* its time; INT64_MAX when none is left */
  int64_t last_ts;
  uint64_t syncs;
  bool done;
  ta_error error;                  /* sticky once failed */
  ta_error pending;                /* reported on the call after a Sync */
  bool pending_synced;             /* that Sync has been returned */
  ta_spill *spill;                 /* formats <= 25 */
  ta_generation_info info;
  uint64_t largest_generation;
  uint64_t complete_generations;   /* fully delivered */
  /* Which args of each event type name a stack (bit i: args[i]) or a
   * string (bit 4 + i), from the specs; Syncs name none. */
  uint8_t table_arg_mask[256];
  int64_t complete_end;            /* stream offset where the last one ended */
};

static void init_table_arg_mask(ta_parser *p);

/* ---- opening ---- */

static ta_parser *
parser_new(ta_input *in, int format)
{
  ta_parser *p = ta_xcalloc(1, sizeof *p);
  p->in = in;
  p->format = format;
  p->order = ta_order_new(format);
  init_table_arg_mask(p);
  ta_generation_reset(&p->gen, format);
  p->complete_end = ta_input_offset(in);
  if (format < 26)
    p->spill = ta_xcalloc(1, sizeof *p->spill);
  return p;
}

static ta_parser *
open_input(ta_input *in, ta_error *err)
{
  int format = 0;
  const char *why = ta_read_header(in, &format);
  if (ta_input_error(in))
    why = ta_input_error(in);
  if (why) {
    ta_error_set(err, 0, 0, "%s", why);
    ta_input_close(in);
    return NULL;
  }
  return parser_new(in, format);
}

ta_parser *
ta_parser_open_path(const char *path, ta_error *err)
{
  memset(err, 0, sizeof *err);
  ta_input *in = ta_input_open_path(path, err->message, sizeof err->message);
  if (!in) {
    err->failed = true;
    err->offset = -1;
    return NULL;
  }
  return open_input(in, err);
}

ta_parser *
ta_parser_open_memory(const void *data, size_t len, ta_error *err)
{
  memset(err, 0, sizeof *err);
  return open_input(ta_input_open_memory(data, len), err);
}

ta_parser *
ta_parser_open_range(const char *path, int format, int64_t offset, int64_t len, ta_error *err)
{
  memset(err, 0, sizeof *err);
  if (format != 22 && format != 23 && format != 25 && format != 26) {
    ta_error_set(err, -1, 0, "unknown or unsupported trace version go 1.%d", format);
    return NULL;
  }
  ta_input *in = ta_input_open_range(path, offset, len, err->message, sizeof err->message);
  if (!in) {
    err->failed = true;
    err->offset = -1;
    return NULL;
  }
  return parser_new(in, format);
}

void
ta_parser_free(ta_parser *p)
{
  if (!p)
    return;
  ta_input_close(p->in);
  ta_generation_free(&p->gen);
  ta_order_free(p->order);
  for (uint32_t i = 0; i < p->cap_cursors; i++)
    free(p->cursors[i].broken_err);
  free(p->cursors);
  free(p->ahead_pool);
  free(p->heap);
  free(p->heap_time);
  free(p->spill);
  free(p);
}

/* ---- cursors and the frontier heap ---- */

/* The most bytes one timed event can take: a type byte, then dt and up to
 * four arguments of at most 10 bytes each. */
#define MAX_EVENT_BYTES (1 + 5 * 10)

/* A uvarint with at least 10 readable bytes at q, as Go's binary.Uvarint.
 * Where Go's would fail it sets *bad (the caller then redoes the event with
 * the checked decoder, which words the error) and still moves on, so a run
 * of calls needs no test between them. Unrolled for the common short
 * cases. (Word-at-a-time decoding measured slower here, and so did a
 * branch-free loop finding each event's end with AVX2 movemask + PDEP and
 * its varints with PEXT: callgrind's mispredicts/event fell 2.16 -> 1.29,
 * but the CPU predicts these branches far better than callgrind's model,
 * and the branch-free loop chains every event's start on the previous
 * one's load -> movemask -> PDEP -> TZCNT latency, where speculation
 * overlaps them: min user time 0.71 -> 1.06 s on http-256MiB.) */
static inline const uint8_t *
uvarint_unchecked(const uint8_t *q, uint64_t *out, bool *bad)
{
  uint64_t b = q[0];
  if (b < 0x80) {
    *out = b;
    return q + 1;
  }
  uint64_t x = b & 0x7f;
  b = q[1];
  if (b < 0x80) {
    *out = x | b << 7;
    return q + 2;
  }
  x |= (b & 0x7f) << 7;
  b = q[2];
  if (b < 0x80) {
    *out = x | b << 14;
    return q + 3;
  }
  x |= (b & 0x7f) << 14;
  for (unsigned i = 3, s = 21; i < 10; i++, s += 7) {
    b = q[i];
    if (b < 0x80) {
      if (i == 9 && b > 1)
        break;
      *out = x | b << s;
      return q + i + 1;
    }
    x |= (b & 0x7f) << s;
  }
  *bad = true;
  return q + 10;
}

/* n (<= 4) uvarints into args: straight-line code for each count, which
 * beats a loop with its per-argument branch. */
static inline const uint8_t *
uvarints_unchecked(const uint8_t *q, unsigned n, uint64_t *args, bool *bad)
{
  switch (n) {
  case 4:
    q = uvarint_unchecked(q, &args[0], bad);
    q = uvarint_unchecked(q, &args[1], bad);
    q = uvarint_unchecked(q, &args[2], bad);
    return uvarint_unchecked(q, &args[3], bad);
  case 3:
    q = uvarint_unchecked(q, &args[0], bad);
    q = uvarint_unchecked(q, &args[1], bad);
    return uvarint_unchecked(q, &args[2], bad);
  case 2:
    q = uvarint_unchecked(q, &args[0], bad);
    return uvarint_unchecked(q, &args[1], bad);
  case 1:
    return uvarint_unchecked(q, &args[0], bad);
  default:
    return q;
  }
}

/* Go's Time(float64(ticks) * nsPerUnit). When nsPerUnit is a small integer
 * (64 on amd64) and ticks < 2^43, the product is below 2^53, so the double
 * arithmetic is exact and the integer product is the same number.
 * exact_below is 2^43 in that case and 0 otherwise. */
static inline int64_t
ticks_to_ns(uint64_t ticks, uint64_t exact_below, uint64_t int_ns_per_unit, double ns_per_unit)
{
  if (ticks < exact_below)
    return (int64_t)(ticks * int_ns_per_unit);
  return ta_ticks_to_ns(ticks, ns_per_unit);
}

/* ns_per_unit as an integer in [1, 1024] when it is exactly one, else 0. */
static uint64_t
integral_ns_per_unit(double ns_per_unit)
{
  if (ns_per_unit >= 1.0 && ns_per_unit <= 1024.0 && ns_per_unit == (double)(uint64_t)ns_per_unit)
    return (uint64_t)ns_per_unit;
  return 0;
}

/* Decodes dt and the arguments of the event whose type byte is at d[off]
 * with every read bounds-checked; returns the offset after it, or 0 with
 * *err filled. */
static uint32_t __attribute__((noinline))
decode_event_checked(const uint8_t *d, uint32_t off, uint32_t len, unsigned nargs, uint64_t *dt,
                     ta_raw_event *e, uint64_t gen, ta_error *err)
{
  uint32_t used = off + 1;
  int k = ta_uvarint(d + used, len - used, dt);
  if (k <= 0) {
    ta_error_set(err, -1, gen, "found invalid uvarint for timestamp");
    return 0;
  }
  used += (uint32_t)k;
  for (unsigned a = 0; a < nargs; a++) {
    k = ta_uvarint(d + used, len - used, &e->args[a]);
    if (k <= 0) {
      ta_error_set(err, -1, gen, "found invalid uvarint");
      return 0;
    }
    used += (uint32_t)k;
  }
  return used;
}

/* How a generation's ticks become nanoseconds (see ticks_to_ns). */
typedef struct {
  uint64_t exact_below, int_ns_per_unit;
  double ns_per_unit;
} tick_scale;

/* The tight loop: decodes the events that start in [q, q_end) (far enough
 * from the batch's end that no read needs a bounds check) into *e, up to
 * e_end, advancing *last, the running time. Stops before an event it
 * cannot take (a type without a timestamp, a uvarint Go would reject) and
 * after one whose running time is exactly 0. Returns where it stopped. */
static inline __attribute__((always_inline)) const uint8_t *
decode_unchecked(const uint8_t *q, const uint8_t *q_end, ta_raw_event **e_io,
                 ta_raw_event *e_end, int64_t *last_io, const tick_scale *tc)
{
  ta_raw_event *e = *e_io;
  int64_t last = *last_io;
  while (q < q_end && e < e_end) {
    /* Event i from here starts at most i * MAX_EVENT_BYTES bytes on, so
     * this many surely start before q_end: only their count needs a test. */
    const size_t fit = (size_t)(q_end - q - 1) / MAX_EVENT_BYTES + 1;
    ta_raw_event *const stop = (size_t)(e_end - e) < fit ? e_end : e + fit;
    do {
      const unsigned type = *q;
      bool bad = false;
      uint64_t dt = 0;
      const uint8_t *r;
      /* Conditional branches, most common count first, rather than an
       * indirect jump on the count: as many instructions, one dt decode,
       * and no slower in the CPU times measured. */
      const unsigned nargs = ta_timed_arg_count[type];
      r = uvarint_unchecked(q + 1, &dt, &bad);
      if (nargs == 3)
        r = uvarints_unchecked(r, 2, e->args, &bad);
      else if (nargs == 4)
        r = uvarints_unchecked(r, 3, e->args, &bad);
      else if (nargs == 2)
        r = uvarints_unchecked(r, 1, e->args, &bad);
      else if (nargs == 5)
        r = uvarints_unchecked(r, 4, e->args, &bad);
      else if (nargs != 1)
        bad = true;
      const int64_t time =
        ta_add_wrap(ticks_to_ns(dt, tc->exact_below, tc->int_ns_per_unit, tc->ns_per_unit), last);
      /* One test for both rare exits. */
      if (__builtin_expect(bad | (time == 0), 0)) {
        if (bad)
          goto out;
        e->type = (uint8_t)type;
        e->time = last = time;
        e++;
        q = r;
        goto out;
      }
      last = time;
      e->type = (uint8_t)type;
      e->time = last;
      e++;
      q = r;
    } while (e < stop);
  }
out:
  *e_io = e;
  *last_io = last;
  return q;
}

/* Keeps the error decoding ahead met, for when the cursor reaches it. */
static void __attribute__((noinline))
cursor_break(cursor *c, const ta_error *err)
{
  if (!c->broken_err)
    c->broken_err = ta_xmalloc(sizeof *c->broken_err);
  *c->broken_err = *err;
  c->broken = true;
}

/* Decodes up to ahead_cap events of the cursor's thread. Go decodes one
 * event at a time, so an error found ahead is kept until the cursor reaches
 * it. */
static void
decode_ahead(ta_parser *p, cursor *c)
{
  const ta_gen_thread *t = &p->gen.threads[c->thread];
  const double ns_per_unit = p->gen.ns_per_unit;
  const uint64_t int_ns_per_unit = p->int_ns_per_unit;
  const uint64_t exact_below = int_ns_per_unit ? UINT64_C(1) << 43 : 0;
  const tick_scale tc = { exact_below, int_ns_per_unit, ns_per_unit };
  const uint32_t cap = p->ahead_cap;
  ta_error err;
  uint32_t n = 0;
  while (n < cap) {
    const ta_gen_batch *b;
    for (;;) {
      if (c->batch == t->n)
        goto done;
      b = &p->gen.sorted[t->first + c->batch];
      if (c->off < b->len)
        break;
      c->batch++;
      c->off = 0;
      c->last_ns = 0;
    }
    if (c->last_ns == 0)
      c->last_ns = ta_ticks_to_ns(b->time, ns_per_unit);
    const uint8_t *d = b->data ? b->data : ta_generation_payload(&p->gen, c->thread, b, &err);
    if (!d) {
      cursor_break(c, &err);
      goto done;
    }
    const uint32_t len = b->len;
    uint32_t off = c->off;
    int64_t last = c->last_ns;
    /* The tight loop, for events far enough from the batch's end that no
     * read needs a bounds check; it leaves anything unusual (a type without
     * a timestamp, a uvarint Go would reject) to the checked loop below. */
    const uint32_t unchecked_below = len > MAX_EVENT_BYTES ? len - MAX_EVENT_BYTES : 0;
    ta_raw_event *const first = c->ahead + n;
    ta_raw_event *next = first;
    const uint8_t *q = decode_unchecked(d + off, d + unchecked_below, &next,
                                        c->ahead + cap, &last, &tc);
    off = (uint32_t)(q - d);
    n = (uint32_t)(next - c->ahead);
    /* A running time of exactly 0 reloads from the batch base, as in Go. */
    const bool reload = next != first && last == 0;
    /* The checked loop: the batch's tail, and errors. */
    while (!reload && off < len && n < cap) {
      uint8_t type = d[off];
      unsigned nargs = ta_timed_arg_count[type];
      if (nargs-- == 0) {
        if (type >= TA_EV_SPEC_COUNT)
          ta_error_set(&err, -1, p->gen.number, "found invalid event type: %d", type);
        else
          ta_error_set(&err, -1, p->gen.number, "found event without a timestamp: type=%d", type);
        cursor_break(c, &err);
        goto stop;
      }
      ta_raw_event *e = &c->ahead[n];
      uint64_t dt;
      uint32_t used = decode_event_checked(d, off, len, nargs, &dt, e, p->gen.number, &err);
      if (!used) {
        cursor_break(c, &err);
        goto stop;
      }
      e->type = type;
      last = ta_add_wrap(ticks_to_ns(dt, exact_below, int_ns_per_unit, ns_per_unit), last);
      e->time = last;
      off = used;
      n++;
      if (last == 0)
        break;
    }
  stop:
    c->off = off;
    c->last_ns = last;
    if (c->broken)
      goto done;
  }
done:
  c->ahead_next = c->ahead;
  c->ahead_end = c->ahead + n;
}

/* Moves the cursor to its next event; 1 ok, 0 exhausted, -1 error. */
static inline int
cursor_next(ta_parser *p, cursor *c, ta_error *err)
{
  if (__builtin_expect(c->ahead_next == c->ahead_end, 0)) {
    if (c->broken) {
      *err = *c->broken_err;
      return -1;
    }
    decode_ahead(p, c);
    if (c->ahead_next == c->ahead_end) {
      if (c->broken) {
        *err = *c->broken_err;
        return -1;
      }
      return 0;
    }
  }
  c->ev = c->ahead_next++;
  c->time = c->ev->time;
  return 1;
}

/* The heap follows Go's exact sift rules so equal times order the same.
 * Each slot keeps its cursor's time beside the pointer (heap_time), so
 * sifting compares without going through the cursors. */
static inline void
heap_swap(ta_parser *p, uint32_t a, uint32_t b)
{
  cursor *c = p->heap[a];
  p->heap[a] = p->heap[b];
  p->heap[b] = c;
  int64_t t = p->heap_time[a];
  p->heap_time[a] = p->heap_time[b];
  p->heap_time[b] = t;
}

static uint32_t
heap_sift_up(ta_parser *p, uint32_t i)
{
  while (i > 0 && p->heap_time[(i - 1) / 2] > p->heap_time[i]) {
    heap_swap(p, (i - 1) / 2, i);
    i = (i - 1) / 2;
  }
  return i;
}

/* Puts cursor c, whose time is t, in slot i or below: Go's sift down
 * (swap with the smaller child while it is strictly earlier, the left one on
 * a tie), moving the children up into a hole instead of swapping. Missing
 * children read as INT64_MAX, which is never strictly earlier, so the loop
 * needs no bounds test and picks the child without a branch. */
static inline void
heap_place(ta_parser *p, uint32_t i, cursor *c, int64_t t)
{
  cursor **h = p->heap;
  int64_t *ht = p->heap_time;
  size_t at = i;   /* pointer-sized: no widening of the index on every level */
  for (;;) {
    const size_t l = 2 * at + 1;
    const int64_t lt = ht[l], rt = ht[l + 1];
    const size_t m = l + (rt < lt);
    const int64_t mt = rt < lt ? rt : lt;
    if (!(mt < t))
      break;
    h[at] = h[m];
    ht[at] = mt;
    at = m;
  }
  h[at] = c;
  ht[at] = t;
}

/* The earliest time among the root's children (INT64_MAX when none). */
static inline int64_t
heap_runner_up(const ta_parser *p)
{
  const int64_t l = p->heap_time[1], r = p->heap_time[2];
  return r < l ? r : l;
}

static inline void
heap_sift_down(ta_parser *p, uint32_t i)
{
  if (i < p->n_heap)
    heap_place(p, i, p->heap[i], p->heap_time[i]);
}

/* The cursor in slot i has moved to a later or earlier event. */
static void
heap_update(ta_parser *p, uint32_t i)
{
  p->heap_time[i] = p->heap[i]->time;
  if (heap_sift_up(p, i) != i)
    return;
  heap_sift_down(p, i);
}

static void
heap_remove(ta_parser *p, uint32_t i)
{
  while (i > 0) {
    heap_swap(p, (i - 1) / 2, i);
    i = (i - 1) / 2;
  }
  p->heap[0] = p->heap[p->n_heap - 1];
  p->heap_time[0] = p->heap_time[p->n_heap - 1];
  p->n_heap--;
  p->heap_time[p->n_heap] = INT64_MAX;
  heap_sift_down(p, 0);
}

static int
cursor_earlier(const void *a, const void *b)
{
  return ((const cursor *)a)->time < ((const cursor *)b)->time;
}

/* Go sorts the frontier with slices.SortFunc (unstable): same moves here. */
static void
heap_sort_by_time(ta_parser *p)
{
  ta_go_sort((void **)p->heap, p->n_heap, cursor_earlier);
  for (uint32_t i = 0; i < p->n_heap; i++)
    p->heap_time[i] = p->heap[i]->time;
}

/* ---- events ---- */

static void
make_sync(ta_parser *p, ta_event *ev, int64_t time, bool with_tables)
{
  memset(ev, 0, sizeof *ev);
  ev->kind = TA_KIND_SYNC;
  ev->type = TA_EV_PARSER_SYNC;
  ev->time = time;
  ev->m = ev->p = ev->g = TA_NO_ID;
  ev->sync_n = ++p->syncs;
  ev->gen = with_tables ? &p->gen : NULL;
}

/* Caches the time of the next CPU sample, which the hot path compares with
 * the frontier's earliest event. */
static void
note_next_sample(ta_parser *p)
{
  p->next_sample_time = p->next_sample < p->gen.n_samples ? p->gen.samples[p->next_sample].time
                                                         : INT64_MAX;
}

/* Sets up the frontier for a freshly loaded generation and makes its Sync. */
static int
install_generation(ta_parser *p, ta_event *ev)
{
  ta_generation *g = &p->gen;
  p->have_gen = true;
  p->next_sample = 0;
  note_next_sample(p);
  p->int_ns_per_unit = integral_ns_per_unit(g->ns_per_unit);
  p->n_heap = 0;
  if (g->bytes > p->largest_generation)
    p->largest_generation = g->bytes;
  if (p->cap_cursors < g->n_threads) {
    p->cursors = ta_xrealloc(p->cursors, (size_t)g->n_threads * sizeof *p->cursors);
    memset(p->cursors + p->cap_cursors, 0, (size_t)(g->n_threads - p->cap_cursors) * sizeof *p->cursors);
    p->cap_cursors = g->n_threads;
    p->heap = ta_xrealloc(p->heap, (size_t)p->cap_cursors * sizeof *p->heap);
    p->heap_time = ta_xrealloc(p->heap_time, (2 * (size_t)p->cap_cursors + 2) * sizeof *p->heap_time);
  }
  for (size_t i = 0; p->heap_time && i < 2 * (size_t)p->cap_cursors + 2; i++)
    p->heap_time[i] = INT64_MAX;
  p->ahead_cap = g->n_threads ? AHEAD_POOL / g->n_threads : AHEAD_MAX;
  p->ahead_cap = p->ahead_cap < 1 ? 1 : p->ahead_cap > AHEAD_MAX ? AHEAD_MAX : p->ahead_cap;
  if (p->cap_ahead_pool < (size_t)g->n_threads * p->ahead_cap) {
    p->cap_ahead_pool = (size_t)g->n_threads * p->ahead_cap;
    free(p->ahead_pool);
    p->ahead_pool = ta_xmalloc(p->cap_ahead_pool * sizeof *p->ahead_pool);
  }
  for (uint32_t t = 0; t < g->n_threads; t++) {
    cursor *c = &p->cursors[t];
    c->ahead = p->ahead_pool + (size_t)t * p->ahead_cap;
    c->m = g->threads[t].m;
    c->thread = t;
    c->batch = c->off = 0;
    c->last_ns = 0;
    c->m_hint = UINT32_MAX;
    c->ahead_next = c->ahead_end = NULL;
    c->broken = false;
    int r = cursor_next(p, c, &p->error);
    if (r < 0)
      return -1;
    if (r == 0)
      continue;
    p->heap[p->n_heap] = c;
    p->heap_time[p->n_heap++] = c->time;
    heap_sift_up(p, p->n_heap - 1);
  }
  p->info = (ta_generation_info){
    .start_offset = g->start_offset, .end_offset = g->end_offset,
    .number = g->number, .bytes = g->bytes,
    .min_time = ta_ticks_to_ns(g->min_ts, g->ns_per_unit),
  };
  make_sync(p, ev, p->info.min_time, true);
  return 1;
}

/* Loads the next generation. Returns 1 with a Sync in *ev, or -1. */
static int
next_generation(ta_parser *p, ta_event *ev)
{
  if (p->have_gen && p->info.end_offset >= 0) {
    /* Every event of the current generation has been returned. */
    p->complete_generations++;
    p->complete_end = p->info.end_offset;
    p->info.end_offset = -1;
  }
  if (p->pending.failed) {
    if (p->pending_synced) {
      if (p->pending.ends_trace) {
        p->done = true;
        return 0;
      }
      p->error = p->pending;
      return -1;
    }
    /* A Sync closes what came before the error. */
    p->pending_synced = true;
    p->have_gen = false;
    make_sync(p, ev, p->last_ts, false);
    return 1;
  }
  ta_generation_reset(&p->gen, p->format);
  int r;
  if (p->format >= 26) {
    r = ta_generation_read(&p->gen, p->in, &p->pending);
    if (r == TA_GEN_END) {
      p->done = true;
      make_sync(p, ev, p->last_ts, false);
      return 1;
    }
  } else {
    if (p->have_gen && !p->spill->present) {
      /* Nothing spilled over: that was the last generation. */
      p->done = true;
      make_sync(p, ev, p->last_ts, false);
      return 1;
    }
    r = ta_generation_read_spill(&p->gen, p->in, p->spill, &p->pending, &p->pending);
    if (r == TA_GEN_OK && p->pending.failed) {
      /* A broken tail: the generation is good, the error comes after it. */
      return install_generation(p, ev);
    }
  }
  if (r == TA_GEN_ERROR) {
    /* Nothing of the half-read generation may leak out (its CPU samples). */
    p->gen.n_samples = 0;
    p->next_sample = 0;
    note_next_sample(p);
    p->n_heap = 0;
    /* Report a Sync for what came before, and the error on the next call. */
    p->pending_synced = true;
    p->have_gen = false;
    make_sync(p, ev, p->last_ts, false);
    return 1;
  }
  return install_generation(p, ev);
}

/* Go's check that every stack and string ID an event names is in its
 * generation's tables. Reports the first that is not. */
static bool __attribute__((noinline))
report_bad_table_id(ta_parser *p, const ta_event *ev)
{
  const ta_spec *spec = &ta_specs[ev->type];
  for (int i = 0; i < 2 && spec->stack_pos[i]; i++) {
    /* A sample keeps its stack in args[0], so position 4 reads an empty
     * slot: Go does not check sample stacks either. */
    uint64_t id = ev->args[spec->stack_pos[i] - 1];
    if (!ta_generation_has_stack(&p->gen, id)) {
      ta_error_set(&p->error, -1, p->gen.number, "found invalid stack ID %llu for event %s",
                   (unsigned long long)id, spec->name);
      return false;
    }
  }
  for (int i = 0; i < 2 && spec->string_pos[i]; i++) {
    uint64_t id = ev->args[spec->string_pos[i] - 1];
    ta_str s;
    if (!ta_generation_string(&p->gen, id, &s)) {
      ta_error_set(&p->error, -1, p->gen.number, "found invalid string ID %llu for event %s",
                   (unsigned long long)id, spec->name);
      return false;
    }
  }
  return true;
}

static inline bool
stack_id_known(const ta_generation *g, uint64_t id)
{
  return id == 0 || ta_id_index_get(&g->stack_ids, id) != TA_MAP_ABSENT;
}

static inline bool
string_id_known(const ta_generation *g, uint64_t id)
{
  return id == 0 || ta_id_index_get(&g->string_ids, id) != TA_MAP_ABSENT;
}

static void
init_table_arg_mask(ta_parser *p)
{
  for (unsigned t = 0; t < TA_EV_SPEC_COUNT; t++) {
    uint8_t mask = 0;
    for (int i = 0; i < 2; i++) {
      if (ta_specs[t].stack_pos[i])
        mask |= (uint8_t)(1u << (ta_specs[t].stack_pos[i] - 1));
      if (ta_specs[t].string_pos[i])
        mask |= (uint8_t)(16u << (ta_specs[t].string_pos[i] - 1));
    }
    p->table_arg_mask[t] = mask;
  }
}

static inline bool
event_tables_valid(ta_parser *p, const ta_event *ev)
{
  unsigned mask = p->table_arg_mask[ev->type];
  bool ok = true;
  for (; mask; mask &= mask - 1) {
    unsigned bit = (unsigned)__builtin_ctz(mask);
    ok &= bit < 4 ? stack_id_known(&p->gen, ev->args[bit]) : string_id_known(&p->gen, ev->args[bit - 4]);
  }
  return ok || report_bad_table_id(p, ev);
}

static bool
try_advance(ta_parser *p, uint32_t i, int *advanced)
{
  cursor *c = p->heap[i];
  int r = ta_order_advance(p->order, c->ev, &p->gen, c->m, &c->m_hint, &p->error);
  if (r < 0) {
    p->error.gen = p->gen.number;
    return false;
  }
  *advanced = r;
  if (r == 0)
    return true;
  r = cursor_next(p, c, &p->error);
  if (r < 0)
    return false;
  if (r > 0)
    heap_update(p, i);
  else
    heap_remove(p, i);
  return true;
}

static void
frontier_failure(ta_parser *p, const char *what)
{
  ta_error_set(&p->error, -1, p->gen.number, "broken trace: %s: [gen=%llu]", what,
               (unsigned long long)p->gen.number);
  size_t len = strlen(p->error.message);
  for (uint32_t i = 0; i < p->n_heap && len < sizeof p->error.message - 64; i++) {
    const cursor *c = p->heap[i];
    const ta_spec *s = ta_spec_get(26, c->ev->type);
    len += (size_t)snprintf(p->error.message + len, sizeof p->error.message - len,
                            " M %lld [%s time=%lld]", (long long)(int64_t)c->m, s->name,
                            (long long)c->time);
  }
}

/* Produces the next event before post-processing. */
static int
produce(ta_parser *p, ta_event *ev)
{
  if (ta_order_pop(p->order, ev))
    return 1;
  if (p->n_heap == 0 && p->next_sample == p->gen.n_samples)
    return next_generation(p, ev);
  if (p->next_sample < p->gen.n_samples &&
      (p->n_heap == 0 || p->next_sample_time < p->heap[0]->time)) {
    const ta_gen_sample *s = &p->gen.samples[p->next_sample++];
    note_next_sample(p);
    memset(ev, 0, sizeof *ev);
    ev->kind = TA_KIND_STACK_SAMPLE;
    ev->type = TA_EV_CPU_SAMPLE;
    ev->time = s->time;
    ev->m = s->m;
    ev->p = s->p;
    ev->g = s->g;
    ev->args[0] = s->stack;
    ev->gen = &p->gen;
    return 1;
  }
  if (p->n_heap == 0) {
    frontier_failure(p, "frontier is empty");
    return -1;
  }
  int advanced = 0;
  ta_order_offer_direct(p->order, ev);
  if (!try_advance(p, 0, &advanced)) {
    ta_order_take_direct(p->order);
    return -1;
  }
  if (!advanced) {
    heap_sort_by_time(p);
    for (uint32_t i = 1; i < p->n_heap && !advanced; i++)
      if (!try_advance(p, i, &advanced)) {
        ta_order_take_direct(p->order);
        return -1;
      }
    if (!advanced) {
      ta_order_take_direct(p->order);
      frontier_failure(p, "failed to advance: frontier");
      return -1;
    }
  }
  /* The first event of the advance is already in *ev unless it was queued. */
  if (!ta_order_take_direct(p->order))
    ta_order_pop(p->order, ev);
  return 1;
}

/* Marks the parser failed after produce() or the hot path set p->error. */
static int __attribute__((noinline))
fail(ta_parser *p)
{
  p->error.failed = true;
  if (p->error.offset < 0 || p->error.offset == 0)
    p->error.offset = ta_input_offset(p->in);
  return -1;
}

/* The post-processing every returned event gets: table IDs exist, and
 * time strictly increases. (On the hot path the fast rules check the IDs
 * and next_fast_run() the time.) */
static inline int
finish_event(ta_parser *p, ta_event *ev)
{
  if (!event_tables_valid(p, ev))
    return -1;
  if (ev->time <= p->last_ts)
    ev->time = ta_add_wrap(p->last_ts, 1);
  p->last_ts = ev->time;
  return 1;
}

/* Everything but the hot path: queued events, samples, generations, rare
 * event types, events that must wait, errors. */
static int __attribute__((noinline))
next_general(ta_parser *p, ta_event *ev)
{
  if (p->error.failed)
    return -1;
  if (p->done && ta_order_queue_empty(p->order))
    return 0;
  int r = produce(p, ev);
  if (r == 0)
    return 0;
  if (r < 0)
    return fail(p);
  return finish_event(p, ev);
}

/* The hot path, the same steps as produce() takes for the common case:
 * nothing queued, the earliest event of the frontier (its root) comes
 * before the next CPU sample, and it advances by one of the fast rules
 * (which also vouch for its table IDs). The root then moves to its next
 * event and sifts down, as in Go. Fills up to max events and returns how
 * many; stops early where the general path must take the next event, or
 * on an error (p->error.failed set, the event that met it not counted).
 * The state it reads on every event is held in locals, out of the way of
 * the stores into evs. Callers check first that the parser has not failed. */
static inline __attribute__((always_inline)) int
next_fast_run(ta_parser *p, ta_event *evs, int max)
{
  ta_order *const o = p->order;
  if (__builtin_expect(p->n_heap == 0 || o->q_len != 0, 0))
    return 0;
  const ta_fast_gen fg = ta_fast_gen_of(&p->gen);
  cursor **const heap = p->heap;
  int64_t *const heap_time = p->heap_time;
  const int64_t sample_time = p->next_sample_time;
  if (heap_time[0] > sample_time)
    return 0;
  int64_t last_ts = p->last_ts;
  /* The earliest time below the root: while the root's next event is not
   * later, the sift down would leave it in place. Where that event also
   * comes before the next CPU sample, one comparison with limit covers both. */
  int64_t runner_up = heap_runner_up(p);
  int64_t limit = runner_up < sample_time ? runner_up : sample_time;
  ta_event *ev = evs;
  ta_event *const end = evs + max;
  cursor *c = heap[0];
  while (ev < end) {
    /* The root's events for as long as it stays the root (most of the
     * time), with its cursor's fields in locals: the build lets any store
     * into *ev alias them, so fields would be reloaded after every event. */
    const ta_raw_event *e = c->ev;
    ta_raw_event *next = c->ahead_next;
    const ta_raw_event *const ahead_end = c->ahead_end;
    mstate *const ms = ta_order_fast_thread(o, c->m_hint);
    if (!ms)
      break;
    ta_fast_thread th = { ms->id, ms->p, ms->g };
    int64_t t = c->time;
    bool stuck = false, dry = false;   /* why the run on this cursor ended */
    for (;;) {
      /* Time strictly increases, as finish_event() makes it. */
      const int64_t time = t <= last_ts ? ta_add_wrap(last_ts, 1) : t;
      if (!ta_order_advance_fast(o, e, &fg, &th, time, ev)) {
        stuck = true;
        break;
      }
      last_ts = time;
      ev++;
      if (__builtin_expect(next == ahead_end, 0)) {
        dry = true;   /* c->ev has been returned: cursor_next() below */
        break;
      }
      e = next++;
      t = e->time;
      if (t > limit || ev == end)
        break;
    }
    ms->g = th.g;
    c->ev = (ta_raw_event *)e;
    c->ahead_next = next;
    c->time = t;
    heap_time[0] = t;
    if (stuck)
      break;
    if (__builtin_expect(!dry, 1)) {
      if (t <= limit)
        continue;   /* evs is full */
      if (runner_up < t) {
        heap_place(p, 0, c, t);
        runner_up = heap_runner_up(p);
      } else {
        heap_time[0] = t;
      }
    } else {
      int r = cursor_next(p, c, &p->error);
      if (r < 0) {
        /* The event that met the error is not returned (nothing reads
         * last_ts once the parser has failed). */
        ev--;
        fail(p);
        break;
      }
      if (r > 0) {
        heap_place(p, 0, c, c->time);
      } else {
        heap_remove(p, 0);
        if (p->n_heap == 0)
          break;
      }
      runner_up = heap_runner_up(p);
    }
    limit = runner_up < sample_time ? runner_up : sample_time;
    if (heap_time[0] > sample_time)
      break;
    c = heap[0];
  }
  p->last_ts = last_ts;
  return (int)(ev - evs);
}

int
ta_parser_next(ta_parser *p, ta_event *ev)
{
  if (p->error.failed)
    return -1;
  if (next_fast_run(p, ev, 1))
    return 1;
  return p->error.failed ? -1 : next_general(p, ev);
}

int
ta_parser_next_many(ta_parser *p, ta_event *evs, int max)
{
  if (p->error.failed)
    return -1;
  int n = 0;
  for (;;) {
    n += next_fast_run(p, evs + n, max - n);
    if (p->error.failed)
      return n > 0 ? n : -1;   /* the error comes on the next call */
    if (n == max)
      return n;
    /* Loading the next generation reuses the tables the events already
     * in evs point at: leave it to the next call. */
    if (n > 0 && p->order->q_len == 0 && p->n_heap == 0 && p->next_sample == p->gen.n_samples)
      return n;
    int r = next_general(p, &evs[n]);
    if (r <= 0)
      return n > 0 ? n : r;   /* the end or the error comes on the next call */
    n++;
  }
}

const ta_error *
ta_parser_error(const ta_parser *p)
{
  return &p->error;
}

const ta_error *
ta_parser_early_end(const ta_parser *p)
{
  return p->pending.failed && p->pending.ends_trace && p->done ? &p->pending : NULL;
}

int
ta_parser_format(const ta_parser *p)
{
  return p->format;
}

const ta_generation_info *
ta_parser_generation(const ta_parser *p)
{
  return &p->info;
}

uint64_t
ta_parser_bytes_read(const ta_parser *p)
{
  return (uint64_t)ta_input_offset(p->in);
}

uint64_t
ta_parser_complete_generations(const ta_parser *p, int64_t *end_offset)
{
  if (end_offset)
    *end_offset = p->complete_end;
  return p->complete_generations;
}

uint64_t
ta_parser_largest_generation(const ta_parser *p)
{
  return p->largest_generation;
}
