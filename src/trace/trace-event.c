/* trace-event.c: what an event means, as Go's Event accessor methods. */
#include "trace-internal.h"

static const char *const kind_names[TA_KIND_COUNT] = {
  "Bad", "Sync", "Metric", "Label", "StackSample", "RangeBegin", "RangeActive", "RangeEnd",
  "TaskBegin", "TaskEnd", "RegionBegin", "RegionEnd", "Log", "StateTransition", "Experimental",
};

const char *
ta_kind_name(ta_kind k)
{
  return (unsigned)k < TA_KIND_COUNT ? kind_names[k] : "Bad";
}

const char *
ta_go_state_name(ta_go_state s)
{
  static const char *const names[] = { "Undetermined", "NotExist", "Runnable", "Running", "Waiting", "Syscall" };
  return (unsigned)s < 6 ? names[s] : "Bad";
}

const char *
ta_proc_state_name(ta_proc_state s)
{
  static const char *const names[] = { "Undetermined", "NotExist", "Running", "Idle" };
  return (unsigned)s < 4 ? names[s] : "Bad";
}

bool
ta_event_string(const ta_event *ev, uint64_t id, ta_str *out)
{
  if (!ev->gen) {
    *out = (ta_str){ "", 0 };
    return id == 0;
  }
  return ta_generation_string(ev->gen, id, out);
}

uint64_t
ta_event_stack_id(const ta_event *ev)
{
  if (ev->type == TA_EV_PARSER_SYNC)
    return 0;
  if (ev->type == TA_EV_CPU_SAMPLE)
    return ev->args[0];
  const ta_spec *spec = ta_spec_get(26, ev->type);
  return spec->stack_pos[0] ? ev->args[spec->stack_pos[0] - 1] : 0;
}

static const ta_gen_stack *
find_stack(const ta_event *ev, uint64_t stack_id)
{
  if (!ev->gen || stack_id == 0)
    return NULL;
  uint32_t i = ta_id_index_get(&ev->gen->stack_ids, stack_id);
  return i == TA_MAP_ABSENT ? NULL : &ev->gen->stacks[i];
}

size_t
ta_event_stack_depth(const ta_event *ev, uint64_t stack_id)
{
  const ta_gen_stack *s = find_stack(ev, stack_id);
  return s ? s->n : 0;
}

bool
ta_event_stack_frame(const ta_event *ev, uint64_t stack_id, size_t i, ta_frame *out)
{
  const ta_gen_stack *s = find_stack(ev, stack_id);
  if (!s || i >= s->n)
    return false;
  const ta_generation *g = ev->gen;
  uint64_t pc = g->pcs[s->first + i];
  uint32_t fi = ta_map_get(&g->frame_pcs, pc);
  if (fi == TA_MAP_ABSENT)
    return false;
  const ta_gen_frame *f = &g->frames[fi];
  out->pc = pc;
  out->line = f->line;
  if (!ta_generation_string(g, f->func_id, &out->func))
    out->func = (ta_str){ "", 0 };
  if (!ta_generation_string(g, f->file_id, &out->file))
    out->file = (ta_str){ "", 0 };
  return true;
}

static void
go_transition(ta_transition *t, int64_t id, int from, int to)
{
  t->resource = TA_RESOURCE_GOROUTINE;
  t->id = id;
  t->old_state = from;
  t->new_state = to;
}

static void
proc_transition(ta_transition *t, int64_t id, int from, int to)
{
  t->resource = TA_RESOURCE_PROC;
  t->id = id;
  t->old_state = from;
  t->new_state = to;
}

static void
own_stack(ta_transition *t, const ta_event *ev)
{
  uint64_t stack = ta_event_stack_id(ev);
  t->has_stack = stack != 0;
  t->stack_id = stack;
}

bool
ta_event_transition_ids(const ta_event *ev, ta_transition *t)
{
  if (ev->kind != TA_KIND_STATE_TRANSITION)
    return false;
  t->reason = (ta_str){ "", 0 };
  t->reason_id = 0;
  t->has_stack = false;
  t->stack_id = 0;
  switch (ev->type) {
  case TA_EV_PROC_START:
    proc_transition(t, (int64_t)ev->args[0], TA_PROC_IDLE, TA_PROC_RUNNING);
    break;
  case TA_EV_PROC_STOP:
    proc_transition(t, ev->p, TA_PROC_RUNNING, TA_PROC_IDLE);
    break;
  case TA_EV_PROC_STEAL:
    /* derived: the wire status before the steal; 4 = SyscallAbandoned. */
    proc_transition(t, (int64_t)ev->args[0], ev->derived == 4 ? TA_PROC_IDLE : TA_PROC_RUNNING,
                    TA_PROC_IDLE);
    break;
  case TA_EV_PROC_STATUS: {
    static const int to[] = { TA_PROC_UNDETERMINED, TA_PROC_RUNNING, TA_PROC_IDLE, TA_PROC_RUNNING, TA_PROC_IDLE };
    proc_transition(t, (int64_t)ev->args[0], (int)ev->derived, to[ev->args[1] < 5 ? ev->args[1] : 0]);
    break;
  }
  case TA_EV_GO_CREATE:
  case TA_EV_GO_CREATE_BLOCKED:
    go_transition(t, (int64_t)ev->args[0], TA_GO_NOT_EXIST,
                  ev->type == TA_EV_GO_CREATE ? TA_GO_RUNNABLE : TA_GO_WAITING);
    /* Go keeps a stack handle here even for ID 0, so the header prints. */
    t->has_stack = true;
    t->stack_id = ev->args[1];
    break;
  case TA_EV_GO_CREATE_SYSCALL:
    go_transition(t, (int64_t)ev->args[0], TA_GO_NOT_EXIST, TA_GO_SYSCALL);
    break;
  case TA_EV_GO_START:
    go_transition(t, (int64_t)ev->args[0], TA_GO_RUNNABLE, TA_GO_RUNNING);
    break;
  case TA_EV_GO_DESTROY:
    go_transition(t, ev->g, TA_GO_RUNNING, TA_GO_NOT_EXIST);
    break;
  case TA_EV_GO_DESTROY_SYSCALL:
    go_transition(t, ev->g, TA_GO_SYSCALL, TA_GO_NOT_EXIST);
    break;
  case TA_EV_GO_STOP:
  case TA_EV_GO_BLOCK:
    go_transition(t, ev->g, TA_GO_RUNNING, ev->type == TA_EV_GO_STOP ? TA_GO_RUNNABLE : TA_GO_WAITING);
    t->reason_id = ev->args[0];
    own_stack(t, ev);
    break;
  case TA_EV_GO_UNBLOCK:
  case TA_EV_GO_SWITCH:
  case TA_EV_GO_SWITCH_DESTROY:
    go_transition(t, (int64_t)ev->args[0], TA_GO_WAITING, TA_GO_RUNNABLE);
    break;
  case TA_EV_GO_SYSCALL_BEGIN:
    go_transition(t, ev->g, TA_GO_RUNNING, TA_GO_SYSCALL);
    own_stack(t, ev);
    break;
  case TA_EV_GO_SYSCALL_END:
    go_transition(t, ev->g, TA_GO_SYSCALL, TA_GO_RUNNING);
    break;
  case TA_EV_GO_SYSCALL_END_BLOCKED:
    go_transition(t, ev->g, TA_GO_SYSCALL, TA_GO_RUNNABLE);
    break;
  case TA_EV_GO_STATUS:
  case TA_EV_GO_STATUS_STACK: {
    static const int to[] = { TA_GO_UNDETERMINED, TA_GO_RUNNABLE, TA_GO_RUNNING, TA_GO_SYSCALL, TA_GO_WAITING };
    go_transition(t, (int64_t)ev->args[0], (int)ev->derived, to[ev->args[2] < 5 ? ev->args[2] : 0]);
    own_stack(t, ev);
    break;
  }
  default:
    return false;
  }
  return true;
}

bool
ta_event_transition(const ta_event *ev, ta_transition *t)
{
  if (!ta_event_transition_ids(ev, t))
    return false;
  if (t->reason_id)
    ta_event_string(ev, t->reason_id, &t->reason);
  return true;
}

bool
ta_event_sync(const ta_event *ev, ta_sync_info *out)
{
  if (ev->kind != TA_KIND_SYNC)
    return false;
  memset(out, 0, sizeof *out);
  const ta_generation *g = ev->gen;
  if (g && g->has_snapshot) {
    out->has_snapshot = true;
    out->trace_ns = ta_ticks_to_ns(g->snap_time, g->ns_per_unit);
    out->mono = g->snap_mono;
    out->wall_sec = g->snap_sec;
    out->wall_nsec = g->snap_nsec;
  }
  if (g)
    out->n_experimental_batches = g->n_exp_batches;
  return true;
}
