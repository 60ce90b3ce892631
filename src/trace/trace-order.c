/* trace-order.c: the goroutine/proc/thread state machine that decides when
 * an event may be emitted, derives what it means, and rejects inconsistent
 * traces. Follows the rules of Go's parser (see docs, section 10). */
#include "trace-order-state.h"

#include <stdio.h>

static const uint8_t go_status_to_state[GO_STATUS_COUNT] = {
  [GO_BAD] = TA_GO_UNDETERMINED, [GO_RUNNABLE] = TA_GO_RUNNABLE, [GO_RUNNING] = TA_GO_RUNNING,
  [GO_SYSCALL] = TA_GO_SYSCALL, [GO_WAITING] = TA_GO_WAITING,
};

static const uint8_t kind_of_type[256] = {
  [TA_EV_CPU_SAMPLE] = TA_KIND_STACK_SAMPLE,
  [TA_EV_PROCS_CHANGE] = TA_KIND_METRIC,
  [TA_EV_PROC_START] = TA_KIND_STATE_TRANSITION,
  [TA_EV_PROC_STOP] = TA_KIND_STATE_TRANSITION,
  [TA_EV_PROC_STEAL] = TA_KIND_STATE_TRANSITION,
  [TA_EV_PROC_STATUS] = TA_KIND_STATE_TRANSITION,
  [TA_EV_GO_CREATE] = TA_KIND_STATE_TRANSITION,
  [TA_EV_GO_CREATE_SYSCALL] = TA_KIND_STATE_TRANSITION,
  [TA_EV_GO_START] = TA_KIND_STATE_TRANSITION,
  [TA_EV_GO_DESTROY] = TA_KIND_STATE_TRANSITION,
  [TA_EV_GO_DESTROY_SYSCALL] = TA_KIND_STATE_TRANSITION,
  [TA_EV_GO_STOP] = TA_KIND_STATE_TRANSITION,
  [TA_EV_GO_BLOCK] = TA_KIND_STATE_TRANSITION,
  [TA_EV_GO_UNBLOCK] = TA_KIND_STATE_TRANSITION,
  [TA_EV_GO_SYSCALL_BEGIN] = TA_KIND_STATE_TRANSITION,
  [TA_EV_GO_SYSCALL_END] = TA_KIND_STATE_TRANSITION,
  [TA_EV_GO_SYSCALL_END_BLOCKED] = TA_KIND_STATE_TRANSITION,
  [TA_EV_GO_STATUS] = TA_KIND_STATE_TRANSITION,
  [TA_EV_STW_BEGIN] = TA_KIND_RANGE_BEGIN,
  [TA_EV_STW_END] = TA_KIND_RANGE_END,
  [TA_EV_GC_ACTIVE] = TA_KIND_RANGE_ACTIVE,
  [TA_EV_GC_BEGIN] = TA_KIND_RANGE_BEGIN,
  [TA_EV_GC_END] = TA_KIND_RANGE_END,
  [TA_EV_GC_SWEEP_ACTIVE] = TA_KIND_RANGE_ACTIVE,
  [TA_EV_GC_SWEEP_BEGIN] = TA_KIND_RANGE_BEGIN,
  [TA_EV_GC_SWEEP_END] = TA_KIND_RANGE_END,
  [TA_EV_GC_MARK_ASSIST_ACTIVE] = TA_KIND_RANGE_ACTIVE,
  [TA_EV_GC_MARK_ASSIST_BEGIN] = TA_KIND_RANGE_BEGIN,
  [TA_EV_GC_MARK_ASSIST_END] = TA_KIND_RANGE_END,
  [TA_EV_HEAP_ALLOC] = TA_KIND_METRIC,
  [TA_EV_HEAP_GOAL] = TA_KIND_METRIC,
  [TA_EV_GO_LABEL] = TA_KIND_LABEL,
  [TA_EV_USER_TASK_BEGIN] = TA_KIND_TASK_BEGIN,
  [TA_EV_USER_TASK_END] = TA_KIND_TASK_END,
  [TA_EV_USER_REGION_BEGIN] = TA_KIND_REGION_BEGIN,
  [TA_EV_USER_REGION_END] = TA_KIND_REGION_END,
  [TA_EV_USER_LOG] = TA_KIND_LOG,
  [TA_EV_GO_SWITCH] = TA_KIND_STATE_TRANSITION,
  [TA_EV_GO_SWITCH_DESTROY] = TA_KIND_STATE_TRANSITION,
  [TA_EV_GO_CREATE_BLOCKED] = TA_KIND_STATE_TRANSITION,
  [TA_EV_GO_STATUS_STACK] = TA_KIND_STATE_TRANSITION,
  [TA_EV_SPAN] = TA_KIND_EXPERIMENTAL,
  [TA_EV_SPAN_ALLOC] = TA_KIND_EXPERIMENTAL,
  [TA_EV_SPAN_FREE] = TA_KIND_EXPERIMENTAL,
  [TA_EV_HEAP_OBJECT] = TA_KIND_EXPERIMENTAL,
  [TA_EV_HEAP_OBJECT_ALLOC] = TA_KIND_EXPERIMENTAL,
  [TA_EV_HEAP_OBJECT_FREE] = TA_KIND_EXPERIMENTAL,
  [TA_EV_GOROUTINE_STACK] = TA_KIND_EXPERIMENTAL,
  [TA_EV_GOROUTINE_STACK_ALLOC] = TA_KIND_EXPERIMENTAL,
  [TA_EV_GOROUTINE_STACK_FREE] = TA_KIND_EXPERIMENTAL,
  [TA_EV_PARSER_SYNC] = TA_KIND_SYNC,
};

ta_kind
ta_kind_of_type(uint8_t type)
{
  return (ta_kind)kind_of_type[type];
}

/* ---- ranges ---- */

static uint8_t
range_begin_type(uint8_t type)
{
  const ta_spec *s = ta_spec_get(26, type);
  return s && s->start_ev ? s->start_ev : type;
}

static bool
range_has(const range_set *r, uint8_t type, uint64_t desc)
{
  for (uint32_t i = 0; i < r->n; i++)
    if (r->v[i].type == type && r->v[i].desc == desc)
      return true;
  return false;
}

static void
range_push(range_set *r, uint8_t type, uint64_t desc)
{
  TA_VEC_PUSH(r->v, r->n, r->cap);
  r->v[r->n++] = (range_entry){ type, desc };
}

static const char *
spec_name(int format, uint8_t type, char *buf, size_t n)
{
  const ta_spec *s = ta_spec_get(format, type);
  if (s && s->name)
    return s->name;
  snprintf(buf, n, "Invalid(%d)", type);
  return buf;
}

static int
range_begin(ta_order *o, range_set *r, uint8_t type, uint64_t desc, ta_error *err)
{
  if (range_has(r, type, desc)) {
    ta_error_set(err, -1, 0, "discovered event already in-flight for when starting event %s",
                 ta_spec_get(26, type)->name);
    return -1;
  }
  range_push(r, type, desc);
  return 1;
}

static int
range_active(ta_order *o, range_set *r, uint8_t type, bool initial_gen, ta_error *err)
{
  if (initial_gen) {
    if (range_has(r, type, 0)) {
      ta_error_set(err, -1, 0, "found named active range already in first gen: {%d 0}", type);
      return -1;
    }
    range_push(r, type, 0);
  } else if (!range_has(r, type, 0)) {
    ta_error_set(err, -1, 0, "resource is missing active range: %s", ta_spec_get(26, type)->name);
    return -1;
  }
  return 1;
}

/* Removes the first in-flight range begun by type's start event (swapping the
 * last one into its place, as Go does); returns its desc via *desc. */
static int
range_end(range_set *r, uint8_t end_type, uint64_t *desc, ta_error *err)
{
  uint8_t st = ta_spec_get(26, end_type)->start_ev;
  for (uint32_t i = 0; i < r->n; i++) {
    if (r->v[i].type == st) {
      *desc = r->v[i].desc;
      r->v[i] = r->v[r->n - 1];
      r->n--;
      return 1;
    }
  }
  ta_error_set(err, -1, 0, "tried to end event %s, but not in-flight", ta_spec_get(26, st)->name);
  return -1;
}

/* ---- queue ---- */

static ta_event *
queue_push(ta_order *o)
{
  if (o->direct) {
    ta_event *e = o->direct;
    o->direct = NULL;
    o->direct_used = true;
    return e;
  }
  if (o->q_len == o->q_cap) {
    /* Capacity stays a power of two so positions wrap with a mask. */
    uint32_t cap = o->q_cap ? o->q_cap * 2 : 8;
    ta_event *q = ta_xmalloc((size_t)cap * sizeof *q);
    for (uint32_t i = 0; i < o->q_len; i++)
      q[i] = o->queue[(o->q_start + i) & (o->q_cap - 1)];
    free(o->queue);
    o->queue = q;
    o->q_cap = cap;
    o->q_start = 0;
  }
  return &o->queue[(o->q_start + o->q_len++) & (o->q_cap - 1)];
}

static ta_event *
emit(ta_order *o, const ta_raw_event *ev, const ta_generation *g, sched_ctx ctx)
{
  ta_event *e = queue_push(o);
  e->kind = (ta_kind)kind_of_type[ev->type];
  e->type = ev->type;
  e->time = ev->time;
  e->m = ctx.m;
  e->p = ctx.p;
  e->g = ctx.g;
  memcpy(e->args, ev->args, sizeof e->args);
  e->derived = 0;
  e->task_type = (ta_str){ NULL, 0 };
  e->sync_n = 0;
  e->gen = g;
  return e;
}

/* A synthetic event at ev's time. */
static ta_event *
emit_synthetic(ta_order *o, const ta_raw_event *ev, const ta_generation *g, sched_ctx ctx,
               uint8_t type, uint64_t a0, uint64_t a1)
{
  ta_raw_event s = { .type = type, .time = ev->time, .args = { a0, a1, 0, 0 } };
  return emit(o, &s, g, ctx);
}

bool
ta_order_pop(ta_order *o, ta_event *out)
{
  if (o->q_len == 0)
    return false;
  *out = o->queue[o->q_start];
  o->q_start = (o->q_start + 1) & (o->q_cap - 1);
  o->q_len--;
  return true;
}

void
ta_order_offer_direct(ta_order *o, ta_event *out)
{
  o->direct = o->q_len == 0 ? out : NULL;
  o->direct_used = false;
}

bool
ta_order_take_direct(ta_order *o)
{
  o->direct = NULL;
  return o->direct_used;
}

bool
ta_order_queue_empty(const ta_order *o)
{
  return o->q_len == 0;
}

/* ---- context checks ---- */

static int
check_ctx(sched_ctx c, int m, int p, int g, ta_error *err)
{
  const char *what = NULL;
  bool missing = false;
  if (m == MUST && c.m == TA_NO_ID) what = "thread", missing = true;
  else if (m == MUST_NOT && c.m != TA_NO_ID) what = "thread";
  else if (p == MUST && c.p == TA_NO_ID) what = "proc", missing = true;
  else if (p == MUST_NOT && c.p != TA_NO_ID) what = "proc";
  else if (g == MUST && c.g == TA_NO_ID) what = "goroutine", missing = true;
  else if (g == MUST_NOT && c.g != TA_NO_ID) what = "goroutine";
  if (!what)
    return 1;
  if (missing)
    ta_error_set(err, -1, 0, "expected a %s but didn't have one", what);
  else
    ta_error_set(err, -1, 0, "expected no %s but had one", what);
  return -1;
}

#define USER_GO(c) check_ctx((c), MUST, MUST, MUST, err)
#define CHECK(x)                                                              \
  do {                                                                        \
    if ((x) < 0)                                                              \
      return -1;                                                              \
  } while (0)
#define FAIL(...)                                                             \
  do {                                                                        \
    ta_error_set(err, -1, 0, __VA_ARGS__);                                    \
    return -1;                                                                \
  } while (0)

#define EVNAME(t) spec_name(o->format, (t), namebuf, sizeof namebuf)

typedef struct {
  ta_order *o;
  ta_raw_event *ev;
  const ta_generation *g;
  uint64_t gen;
  sched_ctx cur;
  sched_ctx next;
  ta_error *err;
} step;


/* ---- the rules, one per event family ---- */

static int
on_proc_status(step *s)
{
  ta_order *o = s->o;
  ta_error *err = s->err;
  int64_t pid = (int64_t)s->ev->args[0];
  uint64_t status = s->ev->args[1];
  if (status >= PROC_STATUS_COUNT)
    FAIL("invalid status for proc %lld: %llu", (long long)pid, (unsigned long long)status);
  static const uint8_t proc_status_to_state[PROC_STATUS_COUNT] = {
    [PROC_BAD] = TA_PROC_UNDETERMINED, [PROC_RUNNING] = TA_PROC_RUNNING, [PROC_IDLE] = TA_PROC_IDLE,
    [PROC_SYSCALL] = TA_PROC_RUNNING, [PROC_SYSCALL_ABANDONED] = TA_PROC_IDLE,
  };
  uint8_t old_state = proc_status_to_state[status];
  pstate *ps = p_get(o, pid);
  if (ps) {
    if (status == PROC_SYSCALL_ABANDONED && ps->status == PROC_SYSCALL) {
      old_state = TA_PROC_RUNNING;
      s->ev->args[1] = PROC_SYSCALL;
    } else if (status == PROC_SYSCALL_ABANDONED && ps->status == PROC_SYSCALL_ABANDONED) {
      old_state = TA_PROC_IDLE;
    } else if (ps->status != status) {
      static const char *const names[] = { "Bad", "Running", "Idle", "Syscall", "Bad" };
      FAIL("inconsistent status for proc %lld: old %s vs. new %s", (long long)pid,
           names[ps->status], names[status]);
    }
    ps->seq_gen = s->gen;
    ps->seq = 0;
  } else {
    ta_order_p_add(o, pid, (uint8_t)status, s->gen);
    old_state = s->gen == o->initial_gen ? TA_PROC_UNDETERMINED : TA_PROC_NOT_EXIST;
  }
  if (status == PROC_RUNNING || status == PROC_SYSCALL)
    s->next.p = pid;
  sched_ctx ctx = s->cur;
  if (status == PROC_SYSCALL_ABANDONED && old_state == TA_PROC_RUNNING) {
    /* Emit it in the context of the thread that still holds the proc. */
    bool found = false;
    for (uint32_t i = 0; i < o->n_ms; i++) {
      if (o->ms[i].p == pid) {
        ctx = (sched_ctx){ .m = o->ms[i].id, .p = pid, .g = o->ms[i].g };
        found = true;
      }
    }
    if (!found)
      FAIL("failed to find sched context for proc %lld that's about to be stolen", (long long)pid);
  }
  emit(o, s->ev, s->g, ctx)->derived = old_state;
  return 1;
}

static int
on_proc_start(step *s)
{
  ta_order *o = s->o;
  ta_error *err = s->err;
  int64_t pid = (int64_t)s->ev->args[0];
  pstate *ps = p_get(o, pid);
  if (!ps || ps->status != PROC_IDLE || !seq_succeeds(s->gen, s->ev->args[1], ps->seq_gen, ps->seq) ||
      s->cur.p != TA_NO_ID)
    return 0;
  CHECK(check_ctx(s->cur, MUST, MUST_NOT, MAY, err));
  ps->status = PROC_RUNNING;
  ps->seq_gen = s->gen;
  ps->seq = s->ev->args[1];
  s->next.p = pid;
  emit(o, s->ev, s->g, s->cur);
  return 1;
}

static int
on_proc_stop(step *s)
{
  ta_order *o = s->o;
  ta_error *err = s->err;
  char namebuf[32];
  pstate *ps = p_get(o, s->cur.p);
  if (!ps)
    FAIL("event %s for proc (%lld) that doesn't exist", EVNAME(s->ev->type), (long long)s->cur.p);
  if (ps->status != PROC_RUNNING && ps->status != PROC_SYSCALL)
    FAIL("%s event for proc that's not Running or Syscall", EVNAME(s->ev->type));
  CHECK(check_ctx(s->cur, MUST, MUST, MAY, err));
  ps->status = PROC_IDLE;
  s->next.p = TA_NO_ID;
  emit(o, s->ev, s->g, s->cur);
  return 1;
}

static int
on_proc_steal(step *s)
{
  ta_order *o = s->o;
  ta_error *err = s->err;
  int64_t pid = (int64_t)s->ev->args[0];
  pstate *ps = p_get(o, pid);
  if (!ps || (ps->status != PROC_SYSCALL && ps->status != PROC_SYSCALL_ABANDONED) ||
      !seq_succeeds(s->gen, s->ev->args[1], ps->seq_gen, ps->seq))
    return 0;
  CHECK(check_ctx(s->cur, MUST, MAY, MAY, err));
  uint8_t old_status = ps->status;
  ps->status = PROC_IDLE;
  ps->seq_gen = s->gen;
  ps->seq = s->ev->args[1];
  if (old_status == PROC_SYSCALL_ABANDONED) {
    emit(o, s->ev, s->g, s->cur)->derived = old_status;
    return 1;
  }
  int64_t mid = (int64_t)s->ev->args[2];
  if (mid == s->cur.m) {
    if (s->cur.p != pid)
      FAIL("tried to self-steal proc %lld (thread %lld), but got proc %lld instead",
           (long long)pid, (long long)mid, (long long)s->cur.p);
    s->next.p = TA_NO_ID;
    emit(o, s->ev, s->g, s->cur)->derived = old_status;
    return 1;
  }
  mstate *victim = m_get(o, mid);
  if (!victim)
    FAIL("stole proc from non-existent thread %lld", (long long)mid);
  if (victim->p != pid)
    FAIL("tried to steal proc %lld from thread %lld, but got proc %lld instead",
         (long long)pid, (long long)mid, (long long)victim->p);
  victim->p = TA_NO_ID;
  emit(o, s->ev, s->g, s->cur)->derived = old_status;
  return 1;
}

static int
on_go_status(step *s)
{
  ta_order *o = s->o;
  ta_error *err = s->err;
  int64_t gid = (int64_t)s->ev->args[0];
  int64_t mid = (int64_t)s->ev->args[1];
  uint64_t status = s->ev->args[2];
  static const char *const names[] = { "Bad", "Runnable", "Running", "Syscall", "Waiting" };
  if (status >= GO_STATUS_COUNT)
    FAIL("invalid status for goroutine %lld: %llu", (long long)gid, (unsigned long long)status);
  uint8_t old_state = go_status_to_state[status];
  gstate *gs = g_get(o, gid);
  if (gs) {
    if (gs->status != status)
      FAIL("inconsistent status for goroutine %lld: old %s vs. new %s", (long long)gid,
           names[gs->status], names[status]);
    gs->seq_gen = s->gen;
    gs->seq = 0;
  } else if (s->gen == o->initial_gen) {
    ta_order_g_add(o, gid, (uint8_t)status, s->gen);
    old_state = TA_GO_UNDETERMINED;
  } else {
    FAIL("found goroutine status for new goroutine after the first generation: id=%lld status=%s",
         (long long)gid, names[status]);
  }
  sched_ctx ctx = s->cur;
  if (status == GO_RUNNING) {
    s->next.g = gid;
  } else if (status == GO_SYSCALL) {
    if (mid == TA_NO_ID)
      FAIL("found goroutine %lld in syscall without a thread", (long long)gid);
    if (mid == s->cur.m) {
      if (s->gen != o->initial_gen && s->cur.g != gid)
        FAIL("inconsistent thread for syscalling goroutine %lld: thread has goroutine %lld",
             (long long)gid, (long long)s->cur.g);
      s->next.g = gid;
    } else {
      /* A goroutine sitting in a syscall on another thread. */
      mstate *other = m_get(o, mid);
      if (other) {
        if (other->g != gid)
          FAIL("inconsistent thread for syscalling goroutine %lld: thread has goroutine %lld",
               (long long)gid, (long long)other->g);
        ctx.g = other->g;
      } else {
        ta_order_m_add(o, mid, gid, TA_NO_ID);
      }
      ctx.m = mid;
    }
  }
  emit(o, s->ev, s->g, ctx)->derived = old_state;
  return 1;
}

static int
on_go_create(step *s)
{
  ta_order *o = s->o;
  ta_error *err = s->err;
  char namebuf[32];
  CHECK(check_ctx(s->cur, MUST, MUST, MAY, err));
  gstate *cur = g_get(o, s->cur.g);
  if (cur && cur->status != GO_RUNNING)
    FAIL("%s event for goroutine that's not Running", EVNAME(s->ev->type));
  int64_t newg = (int64_t)s->ev->args[0];
  if (g_get(o, newg))
    FAIL("tried to create goroutine (%lld) that already exists", (long long)newg);
  ta_order_g_add(o, newg, s->ev->type == TA_EV_GO_CREATE_BLOCKED ? GO_WAITING : GO_RUNNABLE, s->gen);
  emit(o, s->ev, s->g, s->cur);
  return 1;
}

/* The current goroutine must exist and be in `status`. */
static gstate *
current_g(step *s, uint8_t status, const char *status_name)
{
  ta_order *o = s->o;
  ta_error *err = s->err;
  char namebuf[32];
  gstate *gs = g_get(o, s->cur.g);
  if (!gs) {
    ta_error_set(err, -1, 0, "event %s for goroutine (%lld) that doesn't exist",
                 EVNAME(s->ev->type), (long long)s->cur.g);
    return NULL;
  }
  if (gs->status != status) {
    ta_error_set(err, -1, 0, "%s event for goroutine that's not %s", EVNAME(s->ev->type), status_name);
    return NULL;
  }
  return gs;
}

static int
on_go_stop_exec(step *s)
{
  ta_order *o = s->o;
  ta_error *err = s->err;
  CHECK(USER_GO(s->cur));
  gstate *gs = current_g(s, GO_RUNNING, "Running");
  if (!gs)
    return -1;
  if (s->ev->type == TA_EV_GO_DESTROY)
    ta_order_g_delete(o, s->cur.g);
  else
    gs->status = s->ev->type == TA_EV_GO_STOP ? GO_RUNNABLE : GO_WAITING;
  s->next.g = TA_NO_ID;
  emit(o, s->ev, s->g, s->cur);
  return 1;
}

static int
on_go_start(step *s)
{
  ta_order *o = s->o;
  ta_error *err = s->err;
  int64_t gid = (int64_t)s->ev->args[0];
  gstate *gs = g_get(o, gid);
  if (!gs || gs->status != GO_RUNNABLE || !seq_succeeds(s->gen, s->ev->args[1], gs->seq_gen, gs->seq))
    return 0;
  CHECK(check_ctx(s->cur, MUST, MUST, MUST_NOT, err));
  gs->status = GO_RUNNING;
  gs->seq_gen = s->gen;
  gs->seq = s->ev->args[1];
  s->next.g = gid;
  emit(o, s->ev, s->g, s->cur);
  return 1;
}

static int
on_go_unblock(step *s)
{
  ta_order *o = s->o;
  int64_t gid = (int64_t)s->ev->args[0];
  gstate *gs = g_get(o, gid);
  if (!gs || gs->status != GO_WAITING || !seq_succeeds(s->gen, s->ev->args[1], gs->seq_gen, gs->seq))
    return 0;
  gs->status = GO_RUNNABLE;
  gs->seq_gen = s->gen;
  gs->seq = s->ev->args[1];
  emit(o, s->ev, s->g, s->cur);
  return 1;
}

static int
on_go_switch(step *s)
{
  ta_order *o = s->o;
  ta_error *err = s->err;
  CHECK(USER_GO(s->cur));
  gstate *cur = current_g(s, GO_RUNNING, "Running");
  if (!cur)
    return -1;
  int64_t nextg = (int64_t)s->ev->args[0];
  gstate *next = g_get(o, nextg);
  if (!next || next->status != GO_WAITING ||
      !seq_succeeds(s->gen, s->ev->args[1], next->seq_gen, next->seq))
    return 0;
  emit(o, s->ev, s->g, s->cur);
  if (s->ev->type == TA_EV_GO_SWITCH) {
    cur->status = GO_WAITING;
    emit_synthetic(o, s->ev, s->g, s->cur, TA_EV_GO_BLOCK, 0, 0);
  } else {
    ta_order_g_delete(o, s->cur.g);
    emit_synthetic(o, s->ev, s->g, s->cur, TA_EV_GO_DESTROY, 0, 0);
  }
  next = g_get(o, nextg);
  next->status = GO_RUNNING;
  next->seq_gen = s->gen;
  next->seq = s->ev->args[1];
  s->next.g = nextg;
  sched_ctx start = s->cur;
  start.g = TA_NO_ID;
  emit_synthetic(o, s->ev, s->g, start, TA_EV_GO_START, (uint64_t)nextg, s->ev->args[1]);
  return 1;
}

static int
on_go_syscall_begin(step *s)
{
  ta_order *o = s->o;
  ta_error *err = s->err;
  char namebuf[32];
  CHECK(USER_GO(s->cur));
  gstate *gs = current_g(s, GO_RUNNING, "Running");
  if (!gs)
    return -1;
  gs->status = GO_SYSCALL;
  pstate *ps = p_get(o, s->cur.p);
  if (!ps)
    FAIL("uninitialized proc %lld found during %s", (long long)s->cur.p, EVNAME(s->ev->type));
  ps->status = PROC_SYSCALL;
  if (!seq_succeeds(s->gen, s->ev->args[0], ps->seq_gen, ps->seq))
    FAIL("failed to advance %s: can't make sequence: %llu (gen=%llu) -> %llu (gen=%llu)",
         EVNAME(s->ev->type), (unsigned long long)ps->seq, (unsigned long long)ps->seq_gen,
         (unsigned long long)s->ev->args[0], (unsigned long long)s->gen);
  ps->seq_gen = s->gen;
  ps->seq = s->ev->args[0];
  emit(o, s->ev, s->g, s->cur);
  return 1;
}

static int
on_go_syscall_end(step *s)
{
  ta_order *o = s->o;
  ta_error *err = s->err;
  char namebuf[32];
  CHECK(USER_GO(s->cur));
  gstate *gs = current_g(s, GO_SYSCALL, "Running");
  if (!gs)
    return -1;
  gs->status = GO_RUNNING;
  pstate *ps = p_get(o, s->cur.p);
  if (!ps)
    FAIL("uninitialized proc %lld found during %s", (long long)s->cur.p, EVNAME(s->ev->type));
  if (ps->status != PROC_SYSCALL)
    FAIL("expected proc %lld in state Syscall, but got %s instead", (long long)s->cur.p,
         ps->status == PROC_RUNNING ? "Running" : ps->status == PROC_IDLE ? "Idle" : "Bad");
  ps->status = PROC_RUNNING;
  emit(o, s->ev, s->g, s->cur);
  return 1;
}

static int
on_go_syscall_end_blocked(step *s)
{
  ta_order *o = s->o;
  ta_error *err = s->err;
  char namebuf[32];
  if (s->cur.p != TA_NO_ID) {
    pstate *ps = p_get(o, s->cur.p);
    if (!ps)
      FAIL("uninitialized proc %lld found during %s", (long long)s->cur.p, EVNAME(s->ev->type));
    /* Wait for the steal that must come first. */
    if (ps->status == PROC_SYSCALL)
      return 0;
  }
  CHECK(check_ctx(s->cur, MUST, MAY, MUST, err));
  gstate *gs = current_g(s, GO_SYSCALL, "Running");
  if (!gs)
    return -1;
  s->next.g = TA_NO_ID;
  gs->status = GO_RUNNABLE;
  emit(o, s->ev, s->g, s->cur);
  return 1;
}

static int
on_go_create_syscall(step *s)
{
  ta_order *o = s->o;
  ta_error *err = s->err;
  CHECK(check_ctx(s->cur, MUST, MAY, MUST_NOT, err));
  int64_t newg = (int64_t)s->ev->args[0];
  if (g_get(o, newg))
    FAIL("tried to create goroutine (%lld) in syscall that already exists", (long long)newg);
  ta_order_g_add(o, newg, GO_SYSCALL, s->gen);
  s->next.g = newg;
  emit(o, s->ev, s->g, s->cur);
  return 1;
}

static int
on_go_destroy_syscall(step *s)
{
  ta_order *o = s->o;
  ta_error *err = s->err;
  char namebuf[32];
  CHECK(check_ctx(s->cur, MUST, MAY, MUST, err));
  if (!current_g(s, GO_SYSCALL, "Syscall"))
    return -1;
  ta_order_g_delete(o, s->cur.g);
  s->next.g = TA_NO_ID;
  if (s->cur.p != TA_NO_ID) {
    pstate *ps = p_get(o, s->cur.p);
    if (!ps)
      FAIL("found invalid proc %lld during %s", (long long)s->cur.p, EVNAME(s->ev->type));
    if (ps->status != PROC_SYSCALL)
      FAIL("proc %lld in unexpected state %s during %s", (long long)s->cur.p,
           ps->status == PROC_RUNNING ? "Running" : ps->status == PROC_IDLE ? "Idle" : "Bad",
           EVNAME(s->ev->type));
    /* The thread loses its proc: report it as stolen, before the destroy. */
    ps->status = PROC_SYSCALL_ABANDONED;
    s->next.p = TA_NO_ID;
    emit_synthetic(o, s->ev, s->g, s->cur, TA_EV_PROC_STEAL, (uint64_t)s->cur.p, 0)->derived = PROC_SYSCALL;
  }
  emit(o, s->ev, s->g, s->cur);
  return 1;
}

static int
on_user_task_begin(step *s)
{
  ta_order *o = s->o;
  ta_error *err = s->err;
  uint64_t id = s->ev->args[0];
  if (ta_map_get(&o->task_ids, id) != TA_MAP_ABSENT)
    FAIL("task ID conflict: %llu", (unsigned long long)id);
  if (s->ev->args[1] == 0)
    s->ev->args[1] = TA_NO_TASK;
  ta_str name;
  if (!ta_generation_string(s->g, s->ev->args[2], &name))
    FAIL("invalid string ID %llu for %d event", (unsigned long long)s->ev->args[2], s->ev->type);
  uint32_t i;
  if (o->n_task_free) {
    i = o->task_free[--o->n_task_free];
  } else {
    TA_VEC_PUSH(o->tasks, o->n_tasks, o->cap_tasks);
    i = o->n_tasks++;
  }
  o->tasks[i] = (task_state){ ta_order_intern_name(o, s->g, s->ev->args[2], name), s->ev->args[1] };
  ta_map_set(&o->task_ids, id, i);
  CHECK(USER_GO(s->cur));
  emit(o, s->ev, s->g, s->cur);
  return 1;
}

static int
on_user_task_end(step *s)
{
  ta_order *o = s->o;
  ta_error *err = s->err;
  uint64_t parent;
  ta_str type;
  ta_order_task_end(o, s->ev->args[0], &parent, &type);
  CHECK(USER_GO(s->cur));
  ta_event *e = emit(o, s->ev, s->g, s->cur);
  e->derived = parent;
  e->task_type = type;
  return 1;
}

static int
on_user_region(step *s)
{
  ta_order *o = s->o;
  ta_error *err = s->err;
  bool begin = s->ev->type == TA_EV_USER_REGION_BEGIN;
  CHECK(USER_GO(s->cur));
  ta_str name;
  if (!ta_generation_string(s->g, s->ev->args[1], &name))
    FAIL("invalid string ID %llu for %d event", (unsigned long long)s->ev->args[1], s->ev->type);
  gstate *gs = g_get(o, s->cur.g);
  if (!gs)
    FAIL("encountered EvUserRegion%s without known state for current goroutine %lld",
         begin ? "Begin" : "End", (long long)s->cur.g);
  region_entry r = { s->ev->args[0], ta_order_intern_name(o, s->g, s->ev->args[1], name) };
  if (begin) {
    TA_VEC_PUSH(gs->regions, gs->n_regions, gs->cap_regions);
    gs->regions[gs->n_regions++] = r;
  } else if (gs->n_regions > 0) {
    /* An end with nothing open began before the trace did: accepted. */
    region_entry top = gs->regions[gs->n_regions - 1];
    if (top.task != r.task || top.name != r.name) {
      ta_str tn = o->interned[top.name];
      FAIL("misuse of region in goroutine %lld: region end {%llu %.*s} when the inner-most "
           "active region start event is {%llu %.*s}", (long long)gs->id,
           (unsigned long long)r.task, (int)name.len, name.ptr,
           (unsigned long long)top.task, (int)tn.len, tn.ptr);
    }
    gs->n_regions--;
  }
  emit(o, s->ev, s->g, s->cur);
  return 1;
}

static int
on_gc_active(step *s)
{
  ta_order *o = s->o;
  ta_error *err = s->err;
  uint64_t seq = s->ev->args[0];
  if (s->gen == o->initial_gen) {
    if (o->gc_state != GC_UNDETERMINED)
      FAIL("GCActive in the first generation isn't first GC event");
    o->gc_seq = seq;
    o->gc_state = GC_RUNNING;
    emit(o, s->ev, s->g, s->cur);
    return 1;
  }
  if (seq != o->gc_seq + 1)
    return 0;
  if (o->gc_state != GC_RUNNING)
    FAIL("encountered GCActive while GC was not in progress");
  o->gc_seq = seq;
  CHECK(USER_GO(s->cur));
  emit(o, s->ev, s->g, s->cur);
  return 1;
}

static int
on_gc_begin(step *s)
{
  ta_order *o = s->o;
  ta_error *err = s->err;
  uint64_t seq = s->ev->args[0];
  if (o->gc_state == GC_UNDETERMINED) {
    o->gc_seq = seq;
    o->gc_state = GC_RUNNING;
    emit(o, s->ev, s->g, s->cur);
    return 1;
  }
  if (seq != o->gc_seq + 1)
    return 0;
  if (o->gc_state == GC_RUNNING)
    FAIL("encountered GCBegin while GC was already in progress");
  o->gc_seq = seq;
  o->gc_state = GC_RUNNING;
  CHECK(USER_GO(s->cur));
  emit(o, s->ev, s->g, s->cur);
  return 1;
}

static int
on_gc_end(step *s)
{
  ta_order *o = s->o;
  ta_error *err = s->err;
  uint64_t seq = s->ev->args[0];
  if (seq != o->gc_seq + 1)
    return 0;
  if (o->gc_state == GC_NOT_RUNNING)
    FAIL("encountered GCEnd when GC was not in progress");
  if (o->gc_state == GC_UNDETERMINED)
    FAIL("encountered GCEnd when GC was in an undetermined state");
  o->gc_seq = seq;
  o->gc_state = GC_NOT_RUNNING;
  CHECK(USER_GO(s->cur));
  emit(o, s->ev, s->g, s->cur);
  return 1;
}

/* ProcsChange, GoLabel, UserLog: need a running user goroutine. */
static int
on_annotation(step *s)
{
  ta_error *err = s->err;
  CHECK(USER_GO(s->cur));
  emit(s->o, s->ev, s->g, s->cur);
  return 1;
}

/* HeapAlloc, HeapGoal: need a proc. */
static int
on_heap_metric(step *s)
{
  CHECK(check_ctx(s->cur, MUST, MUST, MAY, s->err));
  emit(s->o, s->ev, s->g, s->cur);
  return 1;
}

static int
on_alloc_free(step *s)
{
  CHECK(check_ctx(s->cur, MUST, MAY, MAY, s->err));
  emit(s->o, s->ev, s->g, s->cur);
  return 1;
}

static int
on_sweep(step *s)
{
  ta_order *o = s->o;
  ta_error *err = s->err;
  if (s->ev->type == TA_EV_GC_SWEEP_ACTIVE) {
    int64_t pid = (int64_t)s->ev->args[0];
    pstate *ps = p_get(o, pid);
    if (!ps)
      FAIL("encountered GCSweepActive for unknown proc %lld", (long long)pid);
    CHECK(range_active(o, &ps->ranges, TA_EV_GC_SWEEP_BEGIN, s->gen == o->initial_gen, err));
  } else {
    CHECK(check_ctx(s->cur, MUST, MUST, MAY, err));
    pstate *ps = p_get(o, s->cur.p);
    if (!ps)
      FAIL("uninitialized proc %lld found during sweep", (long long)s->cur.p);
    if (s->ev->type == TA_EV_GC_SWEEP_BEGIN) {
      CHECK(range_begin(o, &ps->ranges, TA_EV_GC_SWEEP_BEGIN, 0, err));
    } else {
      uint64_t desc;
      CHECK(range_end(&ps->ranges, s->ev->type, &desc, err));
    }
  }
  emit(o, s->ev, s->g, s->cur);
  return 1;
}

/* STW and mark assist: ranges on a goroutine. */
static int
on_go_range(step *s)
{
  ta_order *o = s->o;
  ta_error *err = s->err;
  char namebuf[32];
  uint8_t type = s->ev->type;
  if (type == TA_EV_GC_MARK_ASSIST_ACTIVE) {
    int64_t gid = (int64_t)s->ev->args[0];
    gstate *gs = g_get(o, gid);
    if (!gs)
      FAIL("uninitialized goroutine %lld found during %s", (long long)gid, EVNAME(type));
    CHECK(range_active(o, &gs->ranges, TA_EV_GC_MARK_ASSIST_BEGIN, s->gen == o->initial_gen, err));
    emit(o, s->ev, s->g, s->cur);
    return 1;
  }
  CHECK(USER_GO(s->cur));
  gstate *gs = g_get(o, s->cur.g);
  if (!gs)
    FAIL("encountered event of type %d without known state for current goroutine %lld",
         type, (long long)s->cur.g);
  if (type == TA_EV_STW_BEGIN || type == TA_EV_GC_MARK_ASSIST_BEGIN) {
    uint64_t desc = type == TA_EV_STW_BEGIN ? s->ev->args[0] : 0;
    CHECK(range_begin(o, &gs->ranges, range_begin_type(type), desc, err));
  } else {
    uint64_t desc;
    CHECK(range_end(&gs->ranges, type, &desc, err));
    /* STWEnd is named by the kind its begin recorded. */
    if (type == TA_EV_STW_END)
      s->ev->args[0] = desc;
  }
  emit(o, s->ev, s->g, s->cur);
  return 1;
}

static int
advance_rule(step *s)
{
  switch (s->ev->type) {
  case TA_EV_PROCS_CHANGE:
  case TA_EV_GO_LABEL:
  case TA_EV_USER_LOG: return on_annotation(s);
  case TA_EV_PROC_START: return on_proc_start(s);
  case TA_EV_PROC_STOP: return on_proc_stop(s);
  case TA_EV_PROC_STEAL: return on_proc_steal(s);
  case TA_EV_PROC_STATUS: return on_proc_status(s);
  case TA_EV_GO_CREATE:
  case TA_EV_GO_CREATE_BLOCKED: return on_go_create(s);
  case TA_EV_GO_CREATE_SYSCALL: return on_go_create_syscall(s);
  case TA_EV_GO_START: return on_go_start(s);
  case TA_EV_GO_DESTROY:
  case TA_EV_GO_STOP:
  case TA_EV_GO_BLOCK: return on_go_stop_exec(s);
  case TA_EV_GO_DESTROY_SYSCALL: return on_go_destroy_syscall(s);
  case TA_EV_GO_UNBLOCK: return on_go_unblock(s);
  case TA_EV_GO_SYSCALL_BEGIN: return on_go_syscall_begin(s);
  case TA_EV_GO_SYSCALL_END: return on_go_syscall_end(s);
  case TA_EV_GO_SYSCALL_END_BLOCKED: return on_go_syscall_end_blocked(s);
  case TA_EV_GO_STATUS:
  case TA_EV_GO_STATUS_STACK: return on_go_status(s);
  case TA_EV_STW_BEGIN:
  case TA_EV_STW_END:
  case TA_EV_GC_MARK_ASSIST_ACTIVE:
  case TA_EV_GC_MARK_ASSIST_BEGIN:
  case TA_EV_GC_MARK_ASSIST_END: return on_go_range(s);
  case TA_EV_GC_ACTIVE: return on_gc_active(s);
  case TA_EV_GC_BEGIN: return on_gc_begin(s);
  case TA_EV_GC_END: return on_gc_end(s);
  case TA_EV_GC_SWEEP_ACTIVE:
  case TA_EV_GC_SWEEP_BEGIN:
  case TA_EV_GC_SWEEP_END: return on_sweep(s);
  case TA_EV_HEAP_ALLOC:
  case TA_EV_HEAP_GOAL: return on_heap_metric(s);
  case TA_EV_USER_TASK_BEGIN: return on_user_task_begin(s);
  case TA_EV_USER_TASK_END: return on_user_task_end(s);
  case TA_EV_USER_REGION_BEGIN:
  case TA_EV_USER_REGION_END: return on_user_region(s);
  case TA_EV_GO_SWITCH:
  case TA_EV_GO_SWITCH_DESTROY: return on_go_switch(s);
  case TA_EV_SPAN: case TA_EV_SPAN_ALLOC: case TA_EV_SPAN_FREE:
  case TA_EV_HEAP_OBJECT: case TA_EV_HEAP_OBJECT_ALLOC: case TA_EV_HEAP_OBJECT_FREE:
  case TA_EV_GOROUTINE_STACK: case TA_EV_GOROUTINE_STACK_ALLOC: case TA_EV_GOROUTINE_STACK_FREE:
    return on_alloc_free(s);
  default:
    ta_error_set(s->err, -1, 0, "bad event type found while ordering: %d", s->ev->type);
    return -1;
  }
}

int
ta_order_advance(ta_order *o, ta_raw_event *ev, const ta_generation *g, uint64_t m,
                 uint32_t *m_hint, ta_error *err)
{
  if (o->initial_gen == 0)
    o->initial_gen = g->number;
  step s = { .o = o, .ev = ev, .g = g, .gen = g->number, .err = err };
  s.cur.m = (int64_t)m;
  mstate *ms = NULL;
  if (s.cur.m == TA_NO_ID) {
    s.cur.p = s.cur.g = TA_NO_ID;
  } else {
    /* Thread states are never removed, so the caller can keep our index. */
    if (*m_hint < o->n_ms && o->ms[*m_hint].id == s.cur.m) {
      ms = &o->ms[*m_hint];
    } else {
      ms = m_get(o, s.cur.m);
      if (!ms)
        ms = ta_order_m_add(o, s.cur.m, TA_NO_ID, TA_NO_ID);
      *m_hint = (uint32_t)(ms - o->ms);
    }
    s.cur.p = ms->p;
    s.cur.g = ms->g;
  }
  s.next = s.cur;
  int r = advance_rule(&s);
  if (r == 1 && s.cur.m != TA_NO_ID) {
    /* Handlers may have grown the M table: index it again. */
    ms = &o->ms[*m_hint];
    ms->p = s.next.p;
    ms->g = s.next.g;
  }
  return r;
}
