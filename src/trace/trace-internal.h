/* trace-internal.h: structures shared by the decoder's files. Not public. */
#pragma once

#include "trace.h"
#include "trace-input.h"
#include "trace-util.h"

#define TA_MAX_BATCH_SIZE (64u << 10)
#define TA_MAX_FRAMES_PER_STACK 128
#define TA_MAX_STRING_SIZE 1024
#define TA_EXPERIMENT_NONE 0

typedef struct {
  uint64_t pc, func_id, file_id, line;
} ta_gen_frame;

typedef struct {
  uint64_t id;
  uint32_t first;   /* index into pcs */
  uint32_t n;
} ta_gen_stack;

typedef struct {
  int64_t time;
  int64_t m, p, g;
  uint64_t stack;
} ta_gen_sample;

/* ID -> table index. IDs are usually dense (1..n), so once a generation is
 * loaded they also get a flat array; the hash map serves sparse tables. */
typedef struct {
  ta_map map;
  uint32_t *dense;
  uint32_t n_dense, cap_dense;
  /* Every ID below it is known (0, "none", always is): the hot path's
   * validity check is then one comparison. */
  uint64_t known_below;
} ta_id_index;

static inline uint32_t
ta_id_index_get(const ta_id_index *x, uint64_t id)
{
  if (id < x->n_dense)
    return x->dense[id];
  return x->n_dense ? TA_MAP_ABSENT : ta_map_get(&x->map, id);
}

/* One event batch: payload in the generation's arena, or (data NULL) left
 * in the file at `offset` and read when a cursor reaches it
 * (ta_generation_payload), so that a big generation is not held whole. */
typedef struct {
  uint64_t m;
  uint64_t time;
  const uint8_t *data;
  int64_t offset;
  uint32_t len;
} ta_gen_batch;

/* The payload of a thread's batch being decoded, read from the file. */
typedef struct {
  uint8_t *data;
  uint32_t cap;
  const ta_gen_batch *batch;   /* whose payload it holds (NULL: none) */
} ta_gen_payload;

/* All batches of one thread, in file order (a slice of the sorted array). */
typedef struct {
  uint64_t m;
  uint32_t first, n;
} ta_gen_thread;

/* A generation: everything between two boundaries, with its tables. */
struct ta_generation {
  uint64_t serial;          /* unique per load (ta_generation_reset), never 0 */
  uint64_t number;
  int format;
  double ns_per_unit;
  bool has_freq;
  uint64_t min_ts;

  bool has_snapshot;
  uint64_t snap_time;       /* trace clock units */
  uint64_t snap_mono;
  int64_t snap_sec, snap_nsec;

  ta_str *strings; uint32_t n_strings, cap_strings;
  ta_id_index string_ids;

  uint64_t *pcs; uint32_t n_pcs, cap_pcs;
  ta_gen_stack *stacks; uint32_t n_stacks, cap_stacks;
  ta_id_index stack_ids;

  ta_gen_frame *frames; uint32_t n_frames, cap_frames;
  ta_map frame_pcs;

  ta_gen_sample *samples; uint32_t n_samples, cap_samples;

  ta_gen_batch *batches; uint32_t n_batches, cap_batches;
  ta_gen_thread *threads; uint32_t n_threads, cap_threads;
  ta_map thread_ids;
  ta_gen_batch *sorted; uint32_t cap_sorted;   /* batches grouped by thread */

  uint32_t n_exp_batches;

  ta_arena arena;
  ta_input *source;         /* where payloads left in the file are read */
  ta_gen_payload *payloads; uint32_t cap_payloads;   /* one per thread */
  uint64_t bytes;           /* payload bytes read for this generation */
  int64_t start_offset, end_offset;
};

/* A batch read from the stream but not yet placed (the "spilled" batch). */
typedef struct {
  bool present;
  uint64_t gen;
  uint64_t m, time;
  uint8_t exp;
  uint32_t len;
  int64_t offset;
  uint8_t data[TA_MAX_BATCH_SIZE];
} ta_spill;

extern const uint8_t ta_timed_arg_count[256];
/* The full (format 26) table; index with a type < TA_EV_SPEC_COUNT. */
extern const ta_spec ta_specs[TA_EV_SPEC_COUNT];

/* Reads the header (trace-header.c): NULL with *format set, or why not. */
const char *ta_read_header(ta_input *in, int *format);

/* Generation loading (trace-generation.c). Results: */
enum { TA_GEN_OK = 1, TA_GEN_END = 0, TA_GEN_ERROR = -1 };

void ta_generation_reset(ta_generation *g, int format);
void ta_generation_free(ta_generation *g);
/* Format 26: reads up to and including the end-of-generation marker. */
int ta_generation_read(ta_generation *g, ta_input *in, ta_error *err);
/* Formats 22-25: reads until a batch of the next generation, which is kept
 * in *spill. A read error after a complete batch is deferred into *deferred
 * (deferred->failed set) while the generation itself is returned. */
int ta_generation_read_spill(ta_generation *g, ta_input *in, ta_spill *spill,
                             ta_error *err, ta_error *deferred);

/* The payload of batch b of thread t: b->data, or read from the file into
 * the thread's buffer (kept until the thread moves to another batch).
 * NULL with *err filled when the file no longer holds it. */
const uint8_t *ta_generation_payload(ta_generation *g, uint32_t t, const ta_gen_batch *b,
                                     ta_error *err);

bool ta_generation_string(const ta_generation *g, uint64_t id, ta_str *out);
bool ta_generation_has_stack(const ta_generation *g, uint64_t id);

void ta_error_set(ta_error *err, int64_t offset, uint64_t gen, const char *fmt, ...)
  __attribute__((format(printf, 4, 5)));

/* Ordering state machine (trace-order.c). */
typedef struct ta_order ta_order;
ta_order *ta_order_new(int format);
void ta_order_free(ta_order *o);
/* The raw event a cursor offers to the state machine. */
typedef struct {
  uint8_t type;
  int64_t time;
  uint64_t args[4];
} ta_raw_event;
/* 1 advanced (events queued), 0 not yet, -1 error (err filled). */
int ta_order_advance(ta_order *o, ta_raw_event *ev, const ta_generation *g,
                     uint64_t m, uint32_t *m_hint, ta_error *err);
bool ta_order_pop(ta_order *o, ta_event *out);
/* Lets the next advance write its first event straight into *out when
 * nothing is queued; returns through ta_order_take_direct() whether it did. */
void ta_order_offer_direct(ta_order *o, ta_event *out);
bool ta_order_take_direct(ta_order *o);
bool ta_order_queue_empty(const ta_order *o);
ta_kind ta_kind_of_type(uint8_t type);
