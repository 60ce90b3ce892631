/* trace-parser.c: the pull parser. Loads a generation at a time, merges the
 * per-thread event streams with a min-heap in Go's exact tie order, feeds the
 * state machine, injects CPU samples and Sync events, and post-processes
 * every event (table ID checks, strictly increasing time). */
#include "trace-internal.h"
#include "trace-sort.h"

#include <stdio.h>

/* Events a cursor decodes ahead in one tight loop. */
#define CURSOR_AHEAD 32

/* A per-thread cursor over its batches. */
typedef struct {
  uint64_t m;
  uint32_t thread;     /* index into generation threads */
  uint32_t batch;      /* next batch, relative to the thread's first */
  uint32_t off;        /* next byte in that batch */
  int64_t last_ns;     /* running time; 0 means "reload from batch base" */
  uint32_t m_hint;     /* the state machine's index for this thread */
  ta_raw_event ev;     /* the event it offers */
  uint8_t ahead_n, ahead_i;      /* decoded events waiting in ahead[] */
  bool broken;         /* decoding stopped at an error, reported on arrival */
  ta_error broken_err;
  ta_raw_event ahead[CURSOR_AHEAD];
} cursor;

struct ta_parser {
  ta_input *in;
  int format;
  ta_generation gen;
  bool have_gen;
  ta_order *order;
  cursor *cursors;                 /* storage, one per thread */
  uint32_t cap_cursors;
  cursor **heap;                   /* the frontier */
  uint32_t n_heap, cap_heap;
  uint32_t next_sample;
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
  int64_t complete_end;            /* stream offset where the last one ended */
};

/* ---- opening ---- */

/* ---- the header ---- */

/* Go reads the header with fmt.Fscanf("go 1.%d trace\x00\x00\x00"), so it
 * accepts more than the 16 bytes every runtime writes: any run of blanks
 * for each space, blanks before the number, leading zeros. These helpers
 * follow fmt's scanning rules rune by rune. */
typedef struct {
  ta_input *in;
  size_t last;   /* bytes of the last rune read, for unreading */
} header_scan;

#define RUNE_EOF (-1)

static int32_t
scan_rune(header_scan *h)
{
  int c = ta_input_getc(h->in);
  h->last = c < 0 ? 0 : 1;
  if (c < 0x80)
    return c < 0 ? RUNE_EOF : c;
  /* UTF-8: only well-formed sequences make runes; anything else is U+FFFD
   * over one byte, as Go decodes it. */
  int need = c >= 0xf0 && c <= 0xf4 ? 3 : c >= 0xe0 ? 2 : c >= 0xc2 && c < 0xe0 ? 1 : -1;
  if (need < 0 || c > 0xf4)
    return 0xfffd;
  int32_t r = c & (0x3f >> need);
  for (int k = 0; k < need; k++) {
    int d = ta_input_getc(h->in);
    if (d < 0 || (d & 0xc0) != 0x80) {
      ta_input_unread(h->in, d < 0 ? (size_t)k : (size_t)k + 1);
      return 0xfffd;
    }
    r = r << 6 | (d & 0x3f);
    h->last++;
  }
  if ((need == 2 && (r < 0x800 || (r >= 0xd800 && r <= 0xdfff))) || (need == 3 && (r < 0x10000 || r > 0x10ffff))) {
    ta_input_unread(h->in, h->last - 1);
    h->last = 1;
    return 0xfffd;
  }
  return r;
}

static void
unscan_rune(header_scan *h)
{
  ta_input_unread(h->in, h->last);
  h->last = 0;
}

/* fmt's isSpace. */
static bool
is_scan_space(int32_t r)
{
  return (r >= 0x09 && r <= 0x0d) || r == 0x20 || r == 0x85 || r == 0xa0 || r == 0x1680 ||
         (r >= 0x2000 && r <= 0x200a) || r == 0x2028 || r == 0x2029 || r == 0x202f ||
         r == 0x205f || r == 0x3000;
}

/* A space in the format: at least one blank (or the end), then any more. */
static bool
scan_format_space(header_scan *h)
{
  int32_t r = scan_rune(h);
  if ((!is_scan_space(r) && r != RUNE_EOF) || r == '\n')
    return false;
  while (is_scan_space(r) && r != '\n')
    r = scan_rune(h);
  if (r != RUNE_EOF)
    unscan_rune(h);
  return true;
}

static bool
scan_literal(header_scan *h, const char *lit, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (scan_rune(h) != (uint8_t)lit[i])
      return false;
  return true;
}

/* %d into an unsigned 32-bit value (the Version type). */
static bool
scan_uint32(header_scan *h, uint32_t *out)
{
  int32_t r;
  for (;;) {
    r = scan_rune(h);
    if (r == RUNE_EOF)
      return false;
    if (r == '\r') {
      int32_t next = scan_rune(h);
      if (next == '\n')
        return false; /* a newline is not a space for Fscanf */
      if (next != RUNE_EOF)
        unscan_rune(h);
      continue;
    }
    if (r == '\n')
      return false;
    if (!is_scan_space(r))
      break;
  }
  uint64_t v = 0;
  int digits = 0;
  while (r >= '0' && r <= '9') {
    v = v * 10 + (uint64_t)(r - '0');
    if (v > UINT32_MAX)
      return false;
    digits++;
    r = scan_rune(h);
  }
  if (r != RUNE_EOF)
    unscan_rune(h);
  if (digits == 0)
    return false;
  *out = (uint32_t)v;
  return true;
}

static const char *
read_header(ta_input *in, int *format)
{
  static _Thread_local char msg[96];
  header_scan h = { in, 0 };
  uint32_t v = 0;
  bool ok = scan_literal(&h, "go", 2) && scan_format_space(&h) && scan_literal(&h, "1.", 2) &&
            scan_uint32(&h, &v) && scan_format_space(&h) && scan_literal(&h, "trace\0\0\0", 8);
  if (!ok)
    return "bad file format: not a Go execution trace?";
  if (v != 22 && v != 23 && v != 25 && v != 26) {
    snprintf(msg, sizeof msg, "unknown or unsupported trace version go 1.%u", v);
    return msg;
  }
  *format = (int)v;
  return NULL;
}

static ta_parser *
parser_new(ta_input *in, int format)
{
  ta_parser *p = ta_xcalloc(1, sizeof *p);
  p->in = in;
  p->format = format;
  p->order = ta_order_new(format);
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
  const char *why = read_header(in, &format);
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
  free(p->cursors);
  free(p->heap);
  free(p->spill);
  free(p);
}

/* ---- cursors and the frontier heap ---- */

/* Decodes up to CURSOR_AHEAD events of the cursor's thread. Go decodes one
 * event at a time, so an error found ahead is kept until the cursor reaches
 * it. */
static void
decode_ahead(ta_parser *p, cursor *c)
{
  const ta_gen_thread *t = &p->gen.threads[c->thread];
  const double ns_per_unit = p->gen.ns_per_unit;
  uint32_t n = 0;
  c->ahead_i = 0;
  while (n < CURSOR_AHEAD) {
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
    const uint8_t *d = b->data;
    const uint32_t len = b->len;
    uint32_t off = c->off;
    int64_t last = c->last_ns;
    /* The tight loop: events of this batch while they fit in ahead[]. */
    while (off < len && n < CURSOR_AHEAD) {
      uint8_t type = d[off];
      unsigned nargs = ta_timed_arg_count[type];
      ta_error *err = &c->broken_err;
      if (nargs-- == 0) {
        if (type >= TA_EV_SPEC_COUNT)
          ta_error_set(err, -1, p->gen.number, "found invalid event type: %d", type);
        else
          ta_error_set(err, -1, p->gen.number, "found event without a timestamp: type=%d", type);
        c->broken = true;
        goto stop;
      }
      ta_raw_event *e = &c->ahead[n];
      uint32_t used = off + 1;
      uint64_t dt;
      int k = ta_uvarint(d + used, len - used, &dt);
      if (k <= 0) {
        ta_error_set(err, -1, p->gen.number, "found invalid uvarint for timestamp");
        c->broken = true;
        goto stop;
      }
      used += (uint32_t)k;
      e->type = type;
      for (unsigned a = 0; a < nargs; a++) {
        k = ta_uvarint(d + used, len - used, &e->args[a]);
        if (k <= 0) {
          ta_error_set(err, -1, p->gen.number, "found invalid uvarint");
          c->broken = true;
          goto stop;
        }
        used += (uint32_t)k;
      }
      last = ta_add_wrap(ta_ticks_to_ns(dt, ns_per_unit), last);
      /* A running time of exactly 0 reloads from the batch base, as in Go. */
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
  c->ahead_n = (uint8_t)n;
}

/* Moves the cursor to its next event; 1 ok, 0 exhausted, -1 error. */
static inline int
cursor_next(ta_parser *p, cursor *c, ta_error *err)
{
  if (c->ahead_i == c->ahead_n) {
    if (c->broken) {
      *err = c->broken_err;
      return -1;
    }
    decode_ahead(p, c);
    if (c->ahead_n == 0) {
      if (c->broken) {
        *err = c->broken_err;
        return -1;
      }
      return 0;
    }
  }
  c->ev = c->ahead[c->ahead_i++];
  return 1;
}

/* The heap follows Go's exact sift rules so equal times order the same. */
static uint32_t
heap_sift_up(cursor **h, uint32_t i)
{
  while (i > 0 && h[(i - 1) / 2]->ev.time > h[i]->ev.time) {
    cursor *t = h[(i - 1) / 2];
    h[(i - 1) / 2] = h[i];
    h[i] = t;
    i = (i - 1) / 2;
  }
  return i;
}

static void
heap_sift_down(cursor **h, uint32_t n, uint32_t i)
{
  for (;;) {
    uint32_t m = i;
    int64_t mt = i < n ? h[i]->ev.time : INT64_MAX;
    uint32_t l = 2 * i + 1, r = 2 * i + 2;
    if (l < n && h[l]->ev.time < mt) {
      mt = h[l]->ev.time;
      m = l;
    }
    if (r < n && h[r]->ev.time < mt)
      m = r;
    if (m == i)
      return;
    cursor *t = h[i];
    h[i] = h[m];
    h[m] = t;
    i = m;
  }
}

static void
heap_update(ta_parser *p, uint32_t i)
{
  if (heap_sift_up(p->heap, i) != i)
    return;
  heap_sift_down(p->heap, p->n_heap, i);
}

static void
heap_remove(ta_parser *p, uint32_t i)
{
  cursor **h = p->heap;
  while (i > 0) {
    cursor *t = h[(i - 1) / 2];
    h[(i - 1) / 2] = h[i];
    h[i] = t;
    i = (i - 1) / 2;
  }
  h[0] = h[p->n_heap - 1];
  p->n_heap--;
  heap_sift_down(h, p->n_heap, 0);
}

static int
cursor_earlier(const void *a, const void *b)
{
  return ((const cursor *)a)->ev.time < ((const cursor *)b)->ev.time;
}

/* Go sorts the frontier with slices.SortFunc (unstable): same moves here. */
static void
heap_sort_by_time(ta_parser *p)
{
  ta_go_sort((void **)p->heap, p->n_heap, cursor_earlier);
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

/* Sets up the frontier for a freshly loaded generation and makes its Sync. */
static int
install_generation(ta_parser *p, ta_event *ev)
{
  ta_generation *g = &p->gen;
  p->have_gen = true;
  p->next_sample = 0;
  p->n_heap = 0;
  if (g->bytes > p->largest_generation)
    p->largest_generation = g->bytes;
  if (p->cap_cursors < g->n_threads) {
    p->cap_cursors = g->n_threads;
    p->cursors = ta_xrealloc(p->cursors, (size_t)p->cap_cursors * sizeof *p->cursors);
    p->heap = ta_xrealloc(p->heap, (size_t)p->cap_cursors * sizeof *p->heap);
  }
  for (uint32_t t = 0; t < g->n_threads; t++) {
    cursor *c = &p->cursors[t];
    c->m = g->threads[t].m;
    c->thread = t;
    c->batch = c->off = 0;
    c->last_ns = 0;
    c->m_hint = UINT32_MAX;
    c->ahead_n = c->ahead_i = 0;
    c->broken = false;
    int r = cursor_next(p, c, &p->error);
    if (r < 0)
      return -1;
    if (r == 0)
      continue;
    p->heap[p->n_heap++] = c;
    heap_sift_up(p->heap, p->n_heap - 1);
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
    /* Report a Sync for what came before, and the error on the next call. */
    p->pending_synced = true;
    p->have_gen = false;
    make_sync(p, ev, p->last_ts, false);
    return 1;
  }
  return install_generation(p, ev);
}

static bool
event_tables_valid(ta_parser *p, const ta_event *ev)
{
  if (ev->type == TA_EV_PARSER_SYNC)
    return true;
  const ta_spec *spec = &ta_specs[ev->type];
  if (!spec->stack_pos[0] && !spec->string_pos[0])
    return true;
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

static bool
try_advance(ta_parser *p, uint32_t i, int *advanced)
{
  cursor *c = p->heap[i];
  int r = ta_order_advance(p->order, &c->ev, &p->gen, c->m, &c->m_hint, &p->error);
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
    const ta_spec *s = ta_spec_get(26, c->ev.type);
    len += (size_t)snprintf(p->error.message + len, sizeof p->error.message - len,
                            " M %lld [%s time=%lld]", (long long)(int64_t)c->m, s->name,
                            (long long)c->ev.time);
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
      (p->n_heap == 0 || p->gen.samples[p->next_sample].time < p->heap[0]->ev.time)) {
    const ta_gen_sample *s = &p->gen.samples[p->next_sample++];
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

int
ta_parser_next(ta_parser *p, ta_event *ev)
{
  if (p->error.failed)
    return -1;
  if (p->done && ta_order_queue_empty(p->order))
    return 0;
  int r = produce(p, ev);
  if (r == 0)
    return 0;
  if (r < 0) {
    p->error.failed = true;
    if (p->error.offset < 0 || p->error.offset == 0)
      p->error.offset = ta_input_offset(p->in);
    return -1;
  }
  if (!event_tables_valid(p, ev))
    return -1;
  if (ev->time <= p->last_ts)
    ev->time = ta_add_wrap(p->last_ts, 1);
  p->last_ts = ev->time;
  return 1;
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
