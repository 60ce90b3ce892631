/* trace-order-fast.h: the state machine's most common rules (GoStart,
 * GoStop, GoBlock, GoUnblock, GoSyscallBegin, GoSyscallEnd, GoCreate,
 * GoDestroy, HeapAlloc, HeapGoal, user tasks, regions and logs, GoLabel,
 * ProcsChange: all but a few in a thousand events of a typical trace),
 * inlined into the parser's hot loop. Internal; only trace-parser.c includes it.
 *
 * Each rule here is the success path of its twin in trace-order.c, which
 * stays the reference: whenever the event is not ready, is not one of these
 * types, or would be an error, the fast rule changes nothing and returns
 * false, and the caller runs the general path, which then decides (and words
 * any error) exactly as before. */
#pragma once

#include "trace-order-state.h"

/* Which arguments of each event type name a stack (bit i: args[i]) or a
 * string (bit 4 + i): the specs' stack_pos and string_pos, written out so
 * that a rule reading its own type's entry compiles to plain comparisons.
 * A unit test checks the two agree. */
static const uint8_t ta_fast_table_args[TA_EV_SPEC_COUNT] = {
  [TA_EV_PROCS_CHANGE] = 1 << 1,
  [TA_EV_GO_CREATE] = 1 << 1 | 1 << 2,
  [TA_EV_GO_STOP] = 16 << 0 | 1 << 1,
  [TA_EV_GO_BLOCK] = 16 << 0 | 1 << 1,
  [TA_EV_GO_UNBLOCK] = 1 << 2,
  [TA_EV_GO_SYSCALL_BEGIN] = 1 << 1,
  [TA_EV_STW_BEGIN] = 16 << 0 | 1 << 1,
  [TA_EV_GC_BEGIN] = 1 << 1,
  [TA_EV_GC_SWEEP_BEGIN] = 1 << 0,
  [TA_EV_GC_MARK_ASSIST_BEGIN] = 1 << 0,
  [TA_EV_GO_LABEL] = 16 << 0,
  [TA_EV_USER_TASK_BEGIN] = 16 << 2 | 1 << 3,
  [TA_EV_USER_TASK_END] = 1 << 1,
  [TA_EV_USER_REGION_BEGIN] = 16 << 1 | 1 << 2,
  [TA_EV_USER_REGION_END] = 16 << 1 | 1 << 2,
  [TA_EV_USER_LOG] = 16 << 1 | 16 << 2 | 1 << 3,
  [TA_EV_GO_CREATE_BLOCKED] = 1 << 1 | 1 << 2,
  [TA_EV_GO_STATUS_STACK] = 1 << 3,
};

/* What the rules read of the generation, copied once per run of events
 * (as locals they need no reload after each store into the event buffer,
 * which the build lets alias them). */
typedef struct {
  const ta_generation *g;
  uint64_t number;
  uint64_t stacks_known_below, strings_known_below;
} ta_fast_gen;

static inline ta_fast_gen
ta_fast_gen_of(const ta_generation *g)
{
  return (ta_fast_gen){ g, g->number, g->stack_ids.known_below, g->string_ids.known_below };
}

/* Whether every stack and string ID the event names (per `mask`, an entry
 * of ta_fast_table_args) is below its table's known_below bound. False
 * does not mean invalid (IDs may be sparse): the general path decides. */
static inline __attribute__((always_inline)) bool
ta_fast_table_ids_known(const ta_raw_event *ev, unsigned mask, const ta_fast_gen *fg)
{
  bool ok = true;
  for (unsigned i = 0; i < 4; i++) {
    if (mask & (1u << i))
      ok &= ev->args[i] < fg->stacks_known_below;
    if (mask & (16u << i))
      ok &= ev->args[i] < fg->strings_known_below;
  }
  return ok;
}

/* What emit() writes, field by field, for an event of a type the fast
 * rules take. `derived`, `task_type` and `sync_n` are left as they were:
 * they mean something only for types these rules never emit (the task end
 * rule sets its own afterwards). */
static inline __attribute__((always_inline)) void
ta_fast_emit(ta_event *out, const ta_raw_event *ev, const ta_generation *g, int64_t time,
             int64_t m, int64_t cur_p, int64_t cur_g, ta_kind kind)
{
  out->kind = kind;
  out->type = ev->type;
  out->time = time;
  out->m = m;
  out->p = cur_p;
  out->g = cur_g;
  memcpy(out->args, ev->args, sizeof out->args);
  out->gen = g;
}

/* A thread's scheduling context, copied out of its mstate for a run of its
 * events: in locals, no store into the event buffer forces a reload. */
typedef struct {
  int64_t id, p, g;
} ta_fast_thread;

/* The thread state the fast rules may use for a cursor's events, from the
 * index ta_order_advance() keeps in the cursor (`m_hint`: UINT32_MAX until
 * then, and never set for events without a thread), or NULL: the general
 * path records the first generation and indexes threads; both happen once,
 * so a cursor's first event is always left to it (a hint below n_ms thus
 * also means the first generation is known). */
static inline mstate *
ta_order_fast_thread(ta_order *o, uint32_t m_hint)
{
  return m_hint < o->n_ms ? &o->ms[m_hint] : NULL;
}

/* Advances `ev` when a fast rule applies, writing the event into *out.
 * `time` is the event's time as the caller returns it (strictly after the
 * last one). `th` is the context of the event's thread, copied from the
 * mstate ta_order_fast_thread() finds; the rules update th->g, and the
 * caller stores it back once its run of that thread's events ends (the
 * thread table does not change while only fast rules run).
 * The rules also check the event's stack and string IDs (which Go does
 * after the state machine, on every event it returns), so that the caller
 * need not: an ID they cannot vouch for leaves the event to the general
 * path, which advances it and words the error. */
static inline __attribute__((always_inline)) bool
ta_order_advance_fast(ta_order *o, const ta_raw_event *ev, const ta_fast_gen *fg,
                      ta_fast_thread *th, int64_t time, ta_event *out)
{
  const ta_generation *const g = fg->g;
  const uint64_t gen = fg->number;
  const int64_t cur_p = th->p, cur_g = th->g;
  int64_t next_g = cur_g;   /* none of these rules changes the thread's proc */
  ta_kind kind = TA_KIND_STATE_TRANSITION;
#define TABLE_IDS_KNOWN(type) ta_fast_table_ids_known(ev, ta_fast_table_args[type], fg)
  /* The most common types (nine in ten events of a typical trace) by
   * conditional branches ahead of the switch: which type comes next is
   * hard to predict, and the switch's one indirect jump mispredicted more
   * (about 5% less user time on http-256MiB). */
  const unsigned type = ev->type;
  if (type == TA_EV_GO_START) {
    gstate *gs = g_get(o, (int64_t)ev->args[0]);
    if (!gs || gs->status != GO_RUNNABLE || !seq_succeeds(gen, ev->args[1], gs->seq_gen, gs->seq))
      return false;
    if (cur_p == TA_NO_ID || cur_g != TA_NO_ID)
      return false;
    gs->status = GO_RUNNING;
    gs->seq_gen = gen;
    gs->seq = ev->args[1];
    next_g = (int64_t)ev->args[0];
  } else if (type == TA_EV_GO_UNBLOCK) {
    if (!TABLE_IDS_KNOWN(TA_EV_GO_UNBLOCK))
      return false;
    gstate *gs = g_get(o, (int64_t)ev->args[0]);
    if (!gs || gs->status != GO_WAITING || !seq_succeeds(gen, ev->args[1], gs->seq_gen, gs->seq))
      return false;
    gs->status = GO_RUNNABLE;
    gs->seq_gen = gen;
    gs->seq = ev->args[1];
  } else if (type == TA_EV_GO_BLOCK || type == TA_EV_GO_STOP) {
    if (cur_p == TA_NO_ID || cur_g == TA_NO_ID || !TABLE_IDS_KNOWN(TA_EV_GO_STOP))
      return false;
    gstate *gs = g_get(o, cur_g);
    if (!gs || gs->status != GO_RUNNING)
      return false;
    gs->status = type == TA_EV_GO_STOP ? GO_RUNNABLE : GO_WAITING;
    next_g = TA_NO_ID;
  } else if (type == TA_EV_GO_SYSCALL_BEGIN) {
    if (cur_p == TA_NO_ID || cur_g == TA_NO_ID || !TABLE_IDS_KNOWN(TA_EV_GO_SYSCALL_BEGIN))
      return false;
    gstate *gs = g_get(o, cur_g);
    pstate *ps = p_get(o, cur_p);
    if (!gs || gs->status != GO_RUNNING || !ps ||
        !seq_succeeds(gen, ev->args[0], ps->seq_gen, ps->seq))
      return false;
    gs->status = GO_SYSCALL;
    ps->status = PROC_SYSCALL;
    ps->seq_gen = gen;
    ps->seq = ev->args[0];
  } else if (type == TA_EV_GO_SYSCALL_END) {
    if (cur_p == TA_NO_ID || cur_g == TA_NO_ID)
      return false;
    gstate *gs = g_get(o, cur_g);
    pstate *ps = p_get(o, cur_p);
    if (!gs || gs->status != GO_SYSCALL || !ps || ps->status != PROC_SYSCALL)
      return false;
    gs->status = GO_RUNNING;
    ps->status = PROC_RUNNING;
  } else switch (type) {
  case TA_EV_GO_DESTROY: {
    if (cur_p == TA_NO_ID || cur_g == TA_NO_ID)
      return false;
    gstate *gs = g_get(o, cur_g);
    if (!gs || gs->status != GO_RUNNING)
      return false;
    ta_order_g_delete(o, cur_g);
    next_g = TA_NO_ID;
    break;
  }
  case TA_EV_GO_CREATE:
  case TA_EV_GO_CREATE_BLOCKED: {
    if (cur_p == TA_NO_ID || !TABLE_IDS_KNOWN(TA_EV_GO_CREATE))
      return false;
    const gstate *creator = g_get(o, cur_g);
    if ((creator && creator->status != GO_RUNNING) || g_get(o, (int64_t)ev->args[0]))
      return false;
    ta_order_g_add(o, (int64_t)ev->args[0],
                   ev->type == TA_EV_GO_CREATE_BLOCKED ? GO_WAITING : GO_RUNNABLE, gen);
    break;
  }
  /* Annotations: need a running user goroutine, change nothing. */
  case TA_EV_USER_LOG:
    if (cur_p == TA_NO_ID || cur_g == TA_NO_ID || !TABLE_IDS_KNOWN(TA_EV_USER_LOG))
      return false;
    kind = TA_KIND_LOG;
    break;
  case TA_EV_GO_LABEL:
    if (cur_p == TA_NO_ID || cur_g == TA_NO_ID || !TABLE_IDS_KNOWN(TA_EV_GO_LABEL))
      return false;
    kind = TA_KIND_LABEL;
    break;
  case TA_EV_PROCS_CHANGE:
    if (cur_p == TA_NO_ID || cur_g == TA_NO_ID || !TABLE_IDS_KNOWN(TA_EV_PROCS_CHANGE))
      return false;
    kind = TA_KIND_METRIC;
    break;
  case TA_EV_USER_REGION_BEGIN:
  case TA_EV_USER_REGION_END:
    if (cur_p == TA_NO_ID || cur_g == TA_NO_ID || !TABLE_IDS_KNOWN(TA_EV_USER_REGION_BEGIN) ||
        !ta_order_region_fast(o, ev, g, cur_g))
      return false;
    kind = ev->type == TA_EV_USER_REGION_BEGIN ? TA_KIND_REGION_BEGIN : TA_KIND_REGION_END;
    break;
  case TA_EV_USER_TASK_BEGIN:
    if (cur_p == TA_NO_ID || cur_g == TA_NO_ID || !TABLE_IDS_KNOWN(TA_EV_USER_TASK_BEGIN) ||
        !ta_order_task_begin_fast(o, ev, g))
      return false;
    ta_fast_emit(out, ev, g, time, th->id, cur_p, cur_g, TA_KIND_TASK_BEGIN);
    if (ev->args[1] == 0)
      out->args[1] = TA_NO_TASK;   /* Go reports parent 0 as NoTask */
    return true;
  case TA_EV_USER_TASK_END:
    if (cur_p == TA_NO_ID || cur_g == TA_NO_ID || !TABLE_IDS_KNOWN(TA_EV_USER_TASK_END))
      return false;
    ta_fast_emit(out, ev, g, time, th->id, cur_p, cur_g, TA_KIND_TASK_END);
    ta_order_task_end(o, ev->args[0], &out->derived, &out->task_type);
    return true;
  case TA_EV_HEAP_ALLOC:
  case TA_EV_HEAP_GOAL:
    if (cur_p == TA_NO_ID)
      return false;
    kind = TA_KIND_METRIC;
    break;
  default:
    return false;
  }
#undef TABLE_IDS_KNOWN
  th->g = next_g;
  ta_fast_emit(out, ev, g, time, th->id, cur_p, cur_g, kind);
  return true;
}
