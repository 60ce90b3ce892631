/* trace-order-state.h: the ordering state machine's tables (goroutines,
 * procs, threads, tasks), shared by trace-order.c (every rule) and
 * trace-order-fast.h (the hot rules inlined into the parser). Internal. */
#pragma once

#include "trace-internal.h"

/* Wire goroutine statuses, proc statuses, GC states. */
enum { GO_BAD, GO_RUNNABLE, GO_RUNNING, GO_SYSCALL, GO_WAITING, GO_STATUS_COUNT };
enum { PROC_BAD, PROC_RUNNING, PROC_IDLE, PROC_SYSCALL, PROC_SYSCALL_ABANDONED, PROC_STATUS_COUNT };
enum { GC_UNDETERMINED, GC_NOT_RUNNING, GC_RUNNING };

/* ID -> table index for goroutines and procs. The runtime numbers both
 * from small integers upwards, so IDs below DENSE_ID_LIMIT index a flat
 * array (no hashing on the hot path); any others live in the hash map. */
#define DENSE_ID_LIMIT (UINT64_C(1) << 20)
typedef struct {
  uint32_t *flat;   /* flat[id] for id < n_flat; TA_MAP_ABSENT when unused */
  uint32_t n_flat;
  ta_map map;       /* IDs >= DENSE_ID_LIMIT (and negative ones) */
} id_table;

static inline uint32_t
id_table_get(const id_table *t, int64_t id)
{
  if ((uint64_t)id < t->n_flat)
    return t->flat[id];
  if ((uint64_t)id < DENSE_ID_LIMIT)
    return TA_MAP_ABSENT;
  return ta_map_get(&t->map, (uint64_t)id);
}

void ta_id_table_set(id_table *t, int64_t id, uint32_t index);
void ta_id_table_del(id_table *t, int64_t id);
void ta_id_table_free(id_table *t);

typedef struct {
  uint8_t type;     /* the range's begin event type */
  uint64_t desc;    /* STW kind string ID, else 0 */
} range_entry;

typedef struct {
  uint64_t task;
  uint32_t name;    /* interned string index: regions match by value */
} region_entry;

typedef struct {
  range_entry *v;
  uint32_t n, cap;
} range_set;

typedef struct {
  int64_t id;
  uint8_t status;
  uint64_t seq_gen, seq;
  region_entry *regions;
  uint32_t n_regions, cap_regions;
  range_set ranges;
} gstate;

typedef struct {
  int64_t id;
  uint8_t status;
  uint64_t seq_gen, seq;
  range_set ranges;
} pstate;

typedef struct {
  int64_t id;
  int64_t g, p;
} mstate;

typedef struct {
  uint32_t name;    /* interned */
  uint64_t parent;
} task_state;

typedef struct {
  int64_t g, p, m;
} sched_ctx;

enum { MUST_NOT, MAY, MUST };

struct ta_order {
  int format;
  uint64_t initial_gen;
  gstate *gs; uint32_t n_gs, cap_gs;
  uint32_t *g_free; uint32_t n_g_free, cap_g_free;
  id_table g_ids;
  pstate *ps; uint32_t n_ps, cap_ps;
  id_table p_ids;
  mstate *ms; uint32_t n_ms, cap_ms;
  ta_map m_ids;
  task_state *tasks; uint32_t n_tasks, cap_tasks;
  uint32_t *task_free; uint32_t n_task_free, cap_task_free;
  ta_map task_ids;
  uint64_t gc_seq;
  int gc_state;
  /* Interned strings (region and task names outlive their generation). */
  ta_str *interned; uint32_t n_interned, cap_interned;
  uint32_t *intern_next;
  ta_map intern_ids;     /* hash -> first index with that hash */
  /* String table index -> interned index, for the generation whose serial
   * is name_cache_serial (entries from n_name_cache on are unknown). */
  uint32_t *name_cache; uint32_t n_name_cache, cap_name_cache;
  uint64_t name_cache_serial;
  /* Where the first event of an advance may go directly (see offer). */
  ta_event *direct;
  bool direct_used;
  /* FIFO of events ready to be returned. */
  ta_event *queue;
  uint32_t q_start, q_len, q_cap;
};

/* ---- lookups ---- */

/* Adds or removes a goroutine's state (IDs are reused after a delete). */
gstate *ta_order_g_add(ta_order *o, int64_t id, uint8_t status, uint64_t gen);
void ta_order_g_delete(ta_order *o, int64_t id);
pstate *ta_order_p_add(ta_order *o, int64_t id, uint8_t status, uint64_t gen);
mstate *ta_order_m_add(ta_order *o, int64_t id, int64_t g, int64_t p);
/* The interned index of string `id` of generation g, whose text is name. */
uint32_t ta_order_intern_name(ta_order *o, const ta_generation *g, uint64_t id, ta_str name);
/* User annotations (trace-order-tables.c), for the fast rules. */
bool ta_order_region_fast(ta_order *o, const ta_raw_event *ev, const ta_generation *g, int64_t cur_g);
bool ta_order_task_begin_fast(ta_order *o, const ta_raw_event *ev, const ta_generation *g);
void ta_order_task_end(ta_order *o, uint64_t id, uint64_t *parent, ta_str *type);

static inline gstate *
g_get(const ta_order *o, int64_t id)
{
  uint32_t i = id_table_get(&o->g_ids, id);
  return i == TA_MAP_ABSENT ? NULL : &o->gs[i];
}

static inline pstate *
p_get(const ta_order *o, int64_t id)
{
  uint32_t i = id_table_get(&o->p_ids, id);
  return i == TA_MAP_ABSENT ? NULL : &o->ps[i];
}

static inline mstate *
m_get(const ta_order *o, int64_t id)
{
  uint32_t i = ta_map_get(&o->m_ids, (uint64_t)id);
  return i == TA_MAP_ABSENT ? NULL : &o->ms[i];
}

static inline bool
seq_succeeds(uint64_t gen, uint64_t seq, uint64_t prev_gen, uint64_t prev_seq)
{
  return gen == prev_gen && seq == prev_seq + 1;
}
