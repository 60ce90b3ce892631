/* trace-generation.c: reading one generation's batches and building its
 * string, stack, frame and CPU-sample tables, with Go's validation rules. */
#include "trace-internal.h"
#include "trace-sort.h"

#include <stdarg.h>
#include <stdio.h>

void
ta_error_set(ta_error *err, int64_t offset, uint64_t gen, const char *fmt, ...)
{
  va_list ap;
  err->failed = true;
  err->ends_trace = false;
  err->offset = offset;
  err->gen = gen;
  va_start(ap, fmt);
  vsnprintf(err->message, sizeof err->message, fmt, ap);
  va_end(ap);
}

void
ta_generation_reset(ta_generation *g, int format)
{
  /* Lets caches keyed by a generation's table indices tell loads apart. */
  static _Atomic uint64_t last_serial;
  g->serial = ++last_serial;
  g->number = 0;
  g->format = format;
  g->ns_per_unit = 0;
  g->has_freq = false;
  g->min_ts = 0;
  g->has_snapshot = false;
  g->snap_time = g->snap_mono = 0;
  g->snap_sec = g->snap_nsec = 0;
  g->n_strings = g->n_pcs = g->n_stacks = g->n_frames = 0;
  g->n_samples = g->n_batches = g->n_threads = 0;
  g->n_exp_batches = 0;
  ta_map_clear(&g->string_ids.map);
  ta_map_clear(&g->stack_ids.map);
  g->string_ids.n_dense = g->stack_ids.n_dense = 0;
  g->string_ids.known_below = g->stack_ids.known_below = 1;
  ta_map_clear(&g->frame_pcs);
  ta_map_clear(&g->thread_ids);
  ta_arena_reset(&g->arena);
  g->source = NULL;
  for (uint32_t t = 0; t < g->cap_payloads; t++)
    g->payloads[t].batch = NULL;
  g->bytes = 0;
  g->start_offset = g->end_offset = -1;
}

void
ta_generation_free(ta_generation *g)
{
  free(g->strings);
  free(g->pcs);
  free(g->stacks);
  free(g->frames);
  free(g->samples);
  free(g->batches);
  free(g->threads);
  free(g->sorted);
  ta_map_free(&g->string_ids.map);
  ta_map_free(&g->stack_ids.map);
  free(g->string_ids.dense);
  free(g->stack_ids.dense);
  ta_map_free(&g->frame_pcs);
  ta_map_free(&g->thread_ids);
  ta_arena_free(&g->arena);
  for (uint32_t t = 0; t < g->cap_payloads; t++)
    free(g->payloads[t].data);
  free(g->payloads);
  memset(g, 0, sizeof *g);
}

bool
ta_generation_string(const ta_generation *g, uint64_t id, ta_str *out)
{
  if (id == 0) {
    out->ptr = "";
    out->len = 0;
    return true;
  }
  uint32_t i = ta_id_index_get(&g->string_ids, id);
  if (i == TA_MAP_ABSENT)
    return false;
  *out = g->strings[i];
  return true;
}

const uint8_t *
ta_generation_payload(ta_generation *g, uint32_t t, const ta_gen_batch *b, ta_error *err)
{
  if (b->data)
    return b->data;
  if (g->cap_payloads < g->n_threads) {
    g->payloads = ta_xrealloc(g->payloads, (size_t)g->n_threads * sizeof *g->payloads);
    memset(g->payloads + g->cap_payloads, 0,
           (size_t)(g->n_threads - g->cap_payloads) * sizeof *g->payloads);
    g->cap_payloads = g->n_threads;
  }
  ta_gen_payload *pl = &g->payloads[t];
  if (pl->batch == b)
    return pl->data;
  if (pl->cap < b->len) {
    pl->cap = b->len;
    pl->data = ta_xrealloc(pl->data, pl->cap);
  }
  pl->batch = NULL;
  size_t got = ta_input_pread(g->source, b->offset, pl->data, b->len);
  if (got != b->len) {
    ta_error_set(err, b->offset, g->number, "failed to read full batch: read %zu but wanted %u",
                 got, b->len);
    return NULL;
  }
  pl->batch = b;
  return pl->data;
}

bool
ta_generation_has_stack(const ta_generation *g, uint64_t id)
{
  return id == 0 || ta_id_index_get(&g->stack_ids, id) != TA_MAP_ABSENT;
}

/* ---- reading batches from the stream ---- */

typedef struct {
  bool end_of_generation;
  uint8_t exp;
  uint8_t first;            /* the payload's first byte (0 when empty) */
  uint64_t gen, m, time;
  uint32_t len;
  const uint8_t *data;      /* NULL: left in the file at data_offset */
  int64_t offset, data_offset;
} raw_batch;

enum { RB_OK, RB_EOF, RB_ERROR };

/* Go's binary.ReadUvarint on a byte stream. */
static const char *
stream_uvarint(ta_input *in, uint64_t *out)
{
  uint64_t x = 0;
  unsigned s = 0;
  for (int i = 0; i < 10; i++) {
    int c = ta_input_getc(in);
    if (c < 0)
      return i == 0 ? "EOF" : "unexpected EOF";
    if (c < 0x80) {
      if (i == 9 && c > 1)
        return "binary: varint overflows a 64-bit integer";
      *out = x | (uint64_t)c << s;
      return NULL;
    }
    x |= (uint64_t)(c & 0x7f) << s;
    s += 7;
  }
  return "binary: varint overflows a 64-bit integer";
}

/* Whether a batch whose payload begins with this byte carries events (and
 * not tables, a Sync or the end marker): only the cursors read those. */
static bool
is_event_payload(uint8_t first)
{
  return first != TA_EV_STRINGS && first != TA_EV_STACKS && first != TA_EV_CPU_SAMPLES &&
         first != TA_EV_FREQUENCY && first != TA_EV_SYNC && first != TA_EV_END_OF_GENERATION;
}

/* Reads one top-level record; its payload goes to the generation's arena,
 * or, when `may_defer` and the input can read it back later, an event
 * batch's payload stays in the file (the cursors read it when they get
 * there: a generation of tens of MB is then not held in memory). */
static int
read_batch(ta_input *in, ta_generation *g, raw_batch *b, bool may_defer, ta_error *err)
{
  memset(b, 0, sizeof *b);
  b->offset = ta_input_offset(in);
  int c = ta_input_getc(in);
  if (c < 0) {
    if (ta_input_error(in)) {
      ta_error_set(err, b->offset, g->number, "%s", ta_input_error(in));
      return RB_ERROR;
    }
    return RB_EOF;
  }
  if (c == TA_EV_END_OF_GENERATION) {
    b->end_of_generation = true;
    b->m = UINT64_MAX;
    return RB_OK;
  }
  if (c != TA_EV_EVENT_BATCH && c != TA_EV_EXPERIMENTAL_BATCH) {
    ta_error_set(err, b->offset, g->number, "expected batch event, got event %d", c);
    return RB_ERROR;
  }
  if (c == TA_EV_EXPERIMENTAL_BATCH) {
    int e = ta_input_getc(in);
    if (e < 0) /* Go returns a bare io.EOF here, which reads as a clean end. */
      return RB_EOF;
    b->exp = (uint8_t)e;
  }
  static const char *const what[] = { "gen", "M ID", "timestamp", "size" };
  uint64_t vals[4];
  for (int i = 0; i < 4; i++) {
    const char *why = stream_uvarint(in, &vals[i]);
    if (why) {
      const char *io = ta_input_error(in);
      ta_error_set(err, ta_input_offset(in), i > 0 ? vals[0] : g->number,
                   "error reading batch %s: %s", what[i], io ? io : why);
      return RB_ERROR;
    }
  }
  b->gen = vals[0];
  b->m = vals[1];
  b->time = vals[2];
  if (vals[3] > TA_MAX_BATCH_SIZE) {
    ta_error_set(err, b->offset, b->gen, "invalid batch size %llu, maximum is %u",
                 (unsigned long long)vals[3], TA_MAX_BATCH_SIZE);
    return RB_ERROR;
  }
  b->len = (uint32_t)vals[3];
  b->data_offset = ta_input_offset(in);
  if (may_defer && b->len > 0 && ta_input_can_skip(in, b->len)) {
    int first = ta_input_getc(in);
    if (first >= 0 && (b->exp != TA_EXPERIMENT_NONE || is_event_payload((uint8_t)first))) {
      if (!ta_input_skip(in, b->len - 1)) {
        ta_error_set(err, ta_input_offset(in), b->gen, "failed to read full batch: %s",
                     ta_input_error(in));
        return RB_ERROR;
      }
      b->first = (uint8_t)first;
      g->source = in;
      return RB_OK;
    }
    if (first >= 0)
      ta_input_unread(in, 1);
  }
  uint8_t *p = ta_arena_alloc(&g->arena, b->len);
  size_t got = ta_input_read(in, p, b->len);
  if (got != b->len) {
    const char *io = ta_input_error(in);
    if (io)
      ta_error_set(err, ta_input_offset(in), b->gen, "failed to read full batch: %s", io);
    else
      ta_error_set(err, ta_input_offset(in), b->gen,
                   "failed to read full batch: read %zu but wanted %u", got, b->len);
    return RB_ERROR;
  }
  b->data = p;
  b->first = b->len ? p[0] : 0;
  return RB_OK;
}

/* ---- tables ---- */

/* A cursor over a batch payload, with Go's bytes.Reader error words. */
typedef struct {
  const uint8_t *p, *end;
} reader;

static const char *
reader_uvarint(reader *r, uint64_t *out)
{
  int n = ta_uvarint(r->p, (size_t)(r->end - r->p), out);
  if (n > 0) {
    r->p += n;
    return NULL;
  }
  if (n < 0)
    return "binary: varint overflows a 64-bit integer";
  bool none = r->p == r->end;
  r->p = r->end;
  return none ? "EOF" : "unexpected EOF";
}

#define FAIL(...)                                                             \
  do {                                                                        \
    ta_error_set(err, offset, g->number, __VA_ARGS__);                        \
    return false;                                                             \
  } while (0)

/* Go returns these read errors unwrapped, and a bare io.EOF then reads as
 * the end of the trace: mark it so. */
#define READ_UV(dst)                                                          \
  do {                                                                        \
    const char *why_ = reader_uvarint(&r, &(dst));                            \
    if (why_) {                                                               \
      ta_error_set(err, offset, g->number, "%s", why_);                       \
      err->ends_trace = strcmp(why_, "EOF") == 0;                             \
      return false;                                                           \
    }                                                                         \
  } while (0)

static bool
add_strings(ta_generation *g, const raw_batch *b, ta_error *err)
{
  int64_t offset = b->offset;
  reader r = { b->data + 1, b->data + b->len };
  while (r.p < r.end) {
    uint8_t ev = *r.p++;
    if (ev != TA_EV_STRING)
      FAIL("expected string event, got %d", ev);
    uint64_t id, len;
    READ_UV(id);
    READ_UV(len);
    if (len > TA_MAX_STRING_SIZE)
      FAIL("invalid string size %llu, maximum is %d", (unsigned long long)len, TA_MAX_STRING_SIZE);
    size_t have = (size_t)(r.end - r.p);
    if (len > have)
      FAIL("failed to read full string: read %zu but wanted %llu", have, (unsigned long long)len);
    if (id == 0 || ta_map_get(&g->string_ids.map, id) != TA_MAP_ABSENT)
      FAIL("multiple strings with the same ID: id=%llu", (unsigned long long)id);
    TA_VEC_PUSH(g->strings, g->n_strings, g->cap_strings);
    g->strings[g->n_strings] = (ta_str){ (const char *)r.p, (size_t)len };
    ta_map_set(&g->string_ids.map, id, g->n_strings++);
    r.p += len;
  }
  return true;
}

static bool
add_stacks(ta_generation *g, const raw_batch *b, ta_error *err)
{
  int64_t offset = b->offset;
  reader r = { b->data + 1, b->data + b->len };
  while (r.p < r.end) {
    uint8_t ev = *r.p++;
    if (ev != TA_EV_STACK)
      FAIL("expected stack event, got %d", ev);
    uint64_t id, nframes;
    READ_UV(id);
    READ_UV(nframes);
    if (nframes > TA_MAX_FRAMES_PER_STACK)
      FAIL("invalid stack size %llu, maximum is %d", (unsigned long long)nframes, TA_MAX_FRAMES_PER_STACK);
    uint32_t first = g->n_pcs;
    for (uint64_t i = 0; i < nframes; i++) {
      static const char *const field[] = { "PC", "funcID", "fileID", "line" };
      uint64_t v[4];
      for (int k = 0; k < 4; k++) {
        const char *why = reader_uvarint(&r, &v[k]);
        if (why)
          FAIL("reading frame %llu's %s for stack %llu: %s", (unsigned long long)i + 1,
               field[k], (unsigned long long)id, why);
      }
      TA_VEC_PUSH(g->pcs, g->n_pcs, g->cap_pcs);
      g->pcs[g->n_pcs++] = v[0];
      /* One frame record per PC per generation: the first one wins. */
      if (ta_map_get(&g->frame_pcs, v[0]) == TA_MAP_ABSENT) {
        TA_VEC_PUSH(g->frames, g->n_frames, g->cap_frames);
        g->frames[g->n_frames] = (ta_gen_frame){ v[0], v[1], v[2], v[3] };
        ta_map_set(&g->frame_pcs, v[0], g->n_frames++);
      }
    }
    if (id == 0 || ta_map_get(&g->stack_ids.map, id) != TA_MAP_ABSENT)
      FAIL("multiple trace.stacks with the same ID: id=%llu", (unsigned long long)id);
    TA_VEC_PUSH(g->stacks, g->n_stacks, g->cap_stacks);
    g->stacks[g->n_stacks] = (ta_gen_stack){ id, first, (uint32_t)nframes };
    ta_map_set(&g->stack_ids.map, id, g->n_stacks++);
  }
  return true;
}

static bool
add_cpu_samples(ta_generation *g, const raw_batch *b, ta_error *err)
{
  int64_t offset = b->offset;
  reader r = { b->data + 1, b->data + b->len };
  while (r.p < r.end) {
    uint8_t ev = *r.p++;
    if (ev != TA_EV_CPU_SAMPLE)
      FAIL("expected CPU sample event, got %d", ev);
    uint64_t ts, m, p, gid, stack;
    READ_UV(ts);
    READ_UV(m);
    READ_UV(p);
    READ_UV(gid);
    READ_UV(stack);
    TA_VEC_PUSH(g->samples, g->n_samples, g->cap_samples);
    /* Raw timestamp for now; converted once the frequency is known. */
    g->samples[g->n_samples++] = (ta_gen_sample){
      .time = (int64_t)ts, .m = (int64_t)m, .p = (int64_t)p,
      .g = gid == 0 ? TA_NO_ID : (int64_t)gid, .stack = stack,
    };
  }
  return true;
}

static bool
set_sync(ta_generation *g, const raw_batch *b, ta_error *err)
{
  int64_t offset = b->offset;
  reader r = { b->data, b->data + b->len };
  if (g->format >= 25)
    r.p++; /* the Sync byte */
  uint64_t last = b->time;
  while (r.p < r.end) {
    uint8_t ev = *r.p++;
    if (ev == TA_EV_FREQUENCY) {
      if (g->has_freq)
        FAIL("found multiple frequency events");
      uint64_t f;
      READ_UV(f);
      g->ns_per_unit = 1.0 / ((double)f / 1e9);
      g->has_freq = true;
    } else if (ev == TA_EV_CLOCK_SNAPSHOT && g->format >= 25) {
      if (g->has_snapshot)
        FAIL("found multiple clock snapshot events");
      g->has_snapshot = true;
      uint64_t dt, mono, sec, nsec;
      READ_UV(dt);
      last += dt;
      g->snap_time = last;
      READ_UV(mono);
      g->snap_mono = mono;
      READ_UV(sec);
      READ_UV(nsec);
      g->snap_sec = (int64_t)sec;
      g->snap_nsec = (int64_t)nsec;
    } else {
      FAIL("expected frequency or clock snapshot event, got %d", ev);
    }
  }
  return true;
}

static bool
is_sync_batch(int format, const raw_batch *b)
{
  if (b->exp != TA_EXPERIMENT_NONE || b->len == 0)
    return false;
  return (b->first == TA_EV_FREQUENCY && format < 25) ||
         (b->first == TA_EV_SYNC && format >= 25);
}

static bool
process_batch(ta_generation *g, const raw_batch *b, ta_error *err)
{
  int64_t offset = b->offset;
  g->bytes += b->len;
  uint8_t first = b->first;
  bool plain = b->exp == TA_EXPERIMENT_NONE && b->len > 0;
  if (plain && first == TA_EV_STRINGS)
    return add_strings(g, b, err);
  if (plain && first == TA_EV_STACKS)
    return add_stacks(g, b, err);
  if (plain && first == TA_EV_CPU_SAMPLES)
    return add_cpu_samples(g, b, err);
  if (is_sync_batch(g->format, b))
    return set_sync(g, b, err);
  if (b->exp != TA_EXPERIMENT_NONE) {
    g->n_exp_batches++;
    return true;
  }
  if (plain && first == TA_EV_END_OF_GENERATION)
    FAIL("internal error: unexpectedly processing EndOfGeneration; broken trace?");
  uint32_t t = ta_map_get(&g->thread_ids, b->m);
  if (t == TA_MAP_ABSENT) {
    TA_VEC_PUSH(g->threads, g->n_threads, g->cap_threads);
    t = g->n_threads++;
    g->threads[t] = (ta_gen_thread){ b->m, 0, 0 };
    ta_map_set(&g->thread_ids, b->m, t);
  }
  g->threads[t].n++;
  TA_VEC_PUSH(g->batches, g->n_batches, g->cap_batches);
  g->batches[g->n_batches++] = (ta_gen_batch){
    .m = b->m, .time = b->time, .data = b->data, .offset = b->data_offset, .len = b->len,
  };
  return true;
}

static int
sample_earlier(const void *a, const void *b)
{
  return ((const ta_gen_sample *)a)->time < ((const ta_gen_sample *)b)->time;
}

/* Sorts samples by time with Go's (unstable) sort, so ties order alike. */
static void
sort_samples(ta_generation *g)
{
  void **order = ta_xmalloc((size_t)g->n_samples * sizeof *order);
  ta_gen_sample *copy = ta_xmalloc((size_t)g->n_samples * sizeof *copy);
  memcpy(copy, g->samples, (size_t)g->n_samples * sizeof *copy);
  for (uint32_t i = 0; i < g->n_samples; i++)
    order[i] = &copy[i];
  ta_go_sort(order, g->n_samples, sample_earlier);
  for (uint32_t i = 0; i < g->n_samples; i++)
    g->samples[i] = *(const ta_gen_sample *)order[i];
  free(order);
  free(copy);
}

/* Adds the flat array when the IDs are dense enough to afford it. */
static void
densify(ta_id_index *x)
{
  uint64_t max = 0;
  for (uint32_t i = 0; i < x->map.cap; i++)
    if (x->map.vals[i] != TA_MAP_ABSENT && x->map.keys[i] > max)
      max = x->map.keys[i];
  if (x->map.count == 0 || max > 4 * (uint64_t)x->map.count + 1024)
    return;
  uint32_t n = (uint32_t)max + 1;
  if (x->cap_dense < n) {
    x->cap_dense = n;
    x->dense = ta_xrealloc(x->dense, (size_t)n * sizeof *x->dense);
  }
  memset(x->dense, 0xff, (size_t)n * sizeof *x->dense);
  for (uint32_t i = 0; i < x->map.cap; i++)
    if (x->map.vals[i] != TA_MAP_ABSENT)
      x->dense[x->map.keys[i]] = x->map.vals[i];
  x->n_dense = n;
  uint32_t below = 1;
  while (below < n && x->dense[below] != TA_MAP_ABSENT)
    below++;
  x->known_below = below;
}

/* Checks and finishing touches once every batch is in. */
static bool
finish(ta_generation *g, int64_t offset, ta_error *err)
{
  if (!g->has_freq)
    FAIL("no frequency event found");
  densify(&g->string_ids);
  densify(&g->stack_ids);
  if (g->format >= 25 && !g->has_snapshot)
    FAIL("no clock snapshot event found");
  for (uint32_t s = 0; s < g->n_stacks; s++) {
    for (uint32_t i = 0; i < g->stacks[s].n; i++) {
      uint64_t pc = g->pcs[g->stacks[s].first + i];
      uint32_t f = ta_map_get(&g->frame_pcs, pc);
      if (f == TA_MAP_ABSENT)
        FAIL("found unknown pc %llx for stack %llu", (unsigned long long)pc,
             (unsigned long long)g->stacks[s].id);
      ta_str unused;
      if (!ta_generation_string(g, g->frames[f].func_id, &unused))
        FAIL("found invalid func string ID %llu for stack %llu",
             (unsigned long long)g->frames[f].func_id, (unsigned long long)g->stacks[s].id);
      if (!ta_generation_string(g, g->frames[f].file_id, &unused))
        FAIL("found invalid file string ID %llu for stack %llu",
             (unsigned long long)g->frames[f].file_id, (unsigned long long)g->stacks[s].id);
    }
  }
  /* CPU samples: to nanoseconds, then into time order. */
  for (uint32_t i = 0; i < g->n_samples; i++)
    g->samples[i].time = ta_ticks_to_ns((uint64_t)g->samples[i].time, g->ns_per_unit);
  bool sorted = true;
  for (uint32_t i = 1; i < g->n_samples && sorted; i++)
    sorted = g->samples[i - 1].time <= g->samples[i].time;
  if (!sorted)
    sort_samples(g);

  /* Group event batches by thread, threads in order of first appearance. */
  if (g->cap_sorted < g->n_batches) {
    g->cap_sorted = g->n_batches;
    g->sorted = ta_xrealloc(g->sorted, (size_t)g->cap_sorted * sizeof *g->sorted);
  }
  uint32_t next = 0;
  for (uint32_t t = 0; t < g->n_threads; t++) {
    g->threads[t].first = next;
    next += g->threads[t].n;
    g->threads[t].n = 0;
  }
  for (uint32_t i = 0; i < g->n_batches; i++) {
    ta_gen_thread *t = &g->threads[ta_map_get(&g->thread_ids, g->batches[i].m)];
    g->sorted[t->first + t->n++] = g->batches[i];
  }
  return true;
}

/* FAIL for the functions that return a TA_GEN_ result. */
#define GEN_FAIL(...)                                                         \
  do {                                                                        \
    ta_error_set(err, offset, g->number, __VA_ARGS__);                        \
    return TA_GEN_ERROR;                                                      \
  } while (0)

static void
note_batch_time(ta_generation *g, uint64_t time)
{
  if (g->min_ts == 0 || time < g->min_ts)
    g->min_ts = time;
}

int
ta_generation_read(ta_generation *g, ta_input *in, ta_error *err)
{
  int64_t offset = ta_input_offset(in);
  bool any = false;
  for (;;) {
    raw_batch b;
    int r = read_batch(in, g, &b, true, err);
    if (r == RB_EOF) {
      /* Go counts only event batches here: a generation cut after its
       * tables alone ends the trace quietly. */
      if (g->n_batches > 0) {
        ta_error_set(err, ta_input_offset(in), g->number,
                     "incomplete generation found; trace likely truncated");
        return TA_GEN_ERROR;
      }
      return TA_GEN_END;
    }
    if (r == RB_ERROR)
      return TA_GEN_ERROR;
    if (!any)
      g->start_offset = b.offset;
    any = true;
    if (g->number == 0)
      g->number = b.gen;
    /* Go tests the first payload byte, so an event batch that begins with
     * the marker byte also ends the generation. */
    if (b.end_of_generation || (b.exp == TA_EXPERIMENT_NONE && b.len > 0 &&
                                b.first == TA_EV_END_OF_GENERATION))
      break;
    offset = b.offset;
    if (b.gen == 0)
      GEN_FAIL("invalid generation number 0");
    if (b.gen != g->number)
      GEN_FAIL("broken trace: missing end-of-generation event, or generations are interleaved");
    note_batch_time(g, b.time);
    if (!process_batch(g, &b, err))
      return TA_GEN_ERROR;
  }
  g->end_offset = ta_input_offset(in);
  return finish(g, g->start_offset, err) ? TA_GEN_OK : TA_GEN_ERROR;
}

int
ta_generation_read_spill(ta_generation *g, ta_input *in, ta_spill *spill,
                         ta_error *err, ta_error *deferred)
{
  int64_t offset = ta_input_offset(in);
  if (spill->present) {
    raw_batch b = {
      .exp = spill->exp, .gen = spill->gen, .m = spill->m, .time = spill->time,
      .len = spill->len, .offset = spill->offset,
    };
    uint8_t *copy = ta_arena_alloc(&g->arena, spill->len);
    memcpy(copy, spill->data, spill->len);
    b.data = copy;
    b.first = b.len ? copy[0] : 0;
    spill->present = false;
    g->number = b.gen;
    g->min_ts = b.time;
    g->start_offset = b.offset;
    if (!process_batch(g, &b, err))
      return TA_GEN_ERROR;
  }
  for (;;) {
    raw_batch b;
    ta_error read_err = { 0 };
    int64_t before = ta_input_offset(in);
    int r = read_batch(in, g, &b, false, &read_err);
    if (r == RB_EOF)
      break;
    if (r == RB_ERROR) {
      if (g->number != 0) {
        /* Keep what was read: the generation so far is complete. */
        *deferred = read_err;
        break;
      }
      *err = read_err;
      return TA_GEN_ERROR;
    }
    offset = b.offset;
    if (b.gen == 0)
      GEN_FAIL("invalid generation number 0");
    if (g->number == 0) {
      g->number = b.gen;
      g->start_offset = b.offset;
    }
    if (b.gen == g->number + 1) {
      spill->present = true;
      spill->gen = b.gen;
      spill->m = b.m;
      spill->time = b.time;
      spill->exp = b.exp;
      spill->len = b.len;
      spill->offset = b.offset;
      memcpy(spill->data, b.data, b.len);
      g->end_offset = before;
      break;
    }
    if (b.gen != g->number)
      GEN_FAIL("generations out of order");
    note_batch_time(g, b.time);
    if (!process_batch(g, &b, err))
      return TA_GEN_ERROR;
  }
  if (g->end_offset < 0)
    g->end_offset = ta_input_offset(in);
  return finish(g, g->start_offset, err) ? TA_GEN_OK : TA_GEN_ERROR;
}
