/* model-mev.c: events as the generation state machine reads them.
 *
 * A decoder event borrows its generation's tables and keeps its arguments
 * raw. A `mev` carries the facts the model uses, with strings and stacks
 * interned in the document, and the time Go's reader gives it. */
#define G_LOG_DOMAIN "ta-model"

#include "model-mev.h"

/* The common goroutine transitions, read straight from the event: the same
 * facts ta_event_transition() gives, without its general bookkeeping (it is
 * called once per event, and a transition's reason string was looked up
 * twice). FALSE: not one of them. */
static gboolean
go_transition_direct(mev *m, const ta_event *ev, ms_gen_map *map)
{
  gint64 rid;
  guint8 from, to;
  gboolean own_stack = FALSE;   /* the transition's stack is the event's */
  switch (ev->type) {
  case TA_EV_GO_START:
    rid = (gint64)ev->args[0];
    from = TA_GO_RUNNABLE;
    to = TA_GO_RUNNING;
    break;
  case TA_EV_GO_STOP:
  case TA_EV_GO_BLOCK:
    rid = ev->g;
    from = TA_GO_RUNNING;
    to = ev->type == TA_EV_GO_STOP ? TA_GO_RUNNABLE : TA_GO_WAITING;
    m->reason = ms_map_string(map, ev, ev->args[0]);
    own_stack = TRUE;
    break;
  case TA_EV_GO_UNBLOCK:
  case TA_EV_GO_SWITCH:
  case TA_EV_GO_SWITCH_DESTROY:
    rid = (gint64)ev->args[0];
    from = TA_GO_WAITING;
    to = TA_GO_RUNNABLE;
    break;
  case TA_EV_GO_SYSCALL_BEGIN:
    rid = ev->g;
    from = TA_GO_RUNNING;
    to = TA_GO_SYSCALL;
    own_stack = TRUE;
    break;
  case TA_EV_GO_SYSCALL_END:
    rid = ev->g;
    from = TA_GO_SYSCALL;
    to = TA_GO_RUNNING;
    break;
  case TA_EV_GO_SYSCALL_END_BLOCKED:
    rid = ev->g;
    from = TA_GO_SYSCALL;
    to = TA_GO_RUNNABLE;
    break;
  case TA_EV_GO_DESTROY:
    rid = ev->g;
    from = TA_GO_RUNNING;
    to = TA_GO_NOT_EXIST;
    break;
  case TA_EV_GO_DESTROY_SYSCALL:
    rid = ev->g;
    from = TA_GO_SYSCALL;
    to = TA_GO_NOT_EXIST;
    break;
  default:
    return FALSE;
  }
  m->res = TA_RESOURCE_GOROUTINE;
  m->rid = rid;
  m->old_state = from;
  m->new_state = to;
  if (own_stack) {
    guint64 stack = ta_event_stack_id(ev);
    if (stack)
      m->tstack = ms_map_stack(map, ev, stack);
  }
  return TRUE;
}

void
mev_from_event(mev *m, const ta_event *ev, ms_gen_map *map)
{
  memset(m, 0, sizeof *m);
  m->time = ev->time;
  m->g = ev->g;
  m->p = ev->p;
  m->m = ev->m;
  m->type = ev->type;
  m->kind = (guint8)ev->kind;
  if (ev->kind == TA_KIND_SYNC) {
    m->a0 = ev->gen ? 1 : 0;   /* 0: the Sync that closes the trace */
    return;
  }
  /* The event's own stack: transitions carry theirs separately (only a
   * creation uses both). */
  if (ev->kind != TA_KIND_STATE_TRANSITION || ev->type == TA_EV_GO_CREATE ||
      ev->type == TA_EV_GO_CREATE_BLOCKED)
    m->stack = ms_map_stack(map, ev, ta_event_stack_id(ev));
  switch (ev->kind) {
  case TA_KIND_STATE_TRANSITION: {
    if (go_transition_direct(m, ev, map))
      break;
    ta_transition tr;
    if (!ta_event_transition(ev, &tr))
      break;
    m->res = (guint8)tr.resource;
    m->rid = tr.id;
    m->old_state = (guint8)tr.old_state;
    m->new_state = (guint8)tr.new_state;
    if (ev->type == TA_EV_GO_STOP || ev->type == TA_EV_GO_BLOCK)
      m->reason = ms_map_string(map, ev, ev->args[0]);
    else
      m->reason = tr.reason.len ? ms_map_str(map, tr.reason) : 0;
    if (tr.has_stack)
      m->tstack = ms_map_stack(map, ev, tr.stack_id);
    switch (ev->type) {
    case TA_EV_GO_STATUS:
    case TA_EV_GO_STATUS_STACK:
      m->a0 = ev->args[1];            /* the goroutine's thread */
      break;
    case TA_EV_PROC_STATUS:
      m->a0 = ev->args[1];            /* wire status */
      break;
    case TA_EV_PROC_STEAL:
      m->a0 = ev->args[2];            /* the thread it was taken from */
      break;
    default:
      break;
    }
    break;
  }
  case TA_KIND_RANGE_BEGIN:
  case TA_KIND_RANGE_ACTIVE:
  case TA_KIND_RANGE_END:
    m->a0 = ev->args[0];
    if (ev->type == TA_EV_STW_BEGIN)
      m->reason = ms_map_string(map, ev, ev->args[0]);
    break;
  case TA_KIND_METRIC:
    m->a0 = ev->args[0];
    break;
  case TA_KIND_LABEL:
    m->reason = ms_map_string(map, ev, ev->args[0]);
    break;
  case TA_KIND_REGION_BEGIN:
  case TA_KIND_REGION_END:
    m->a0 = ev->args[0];
    m->reason = ms_map_string(map, ev, ev->args[1]);
    break;
  case TA_KIND_TASK_BEGIN:
    m->a0 = ev->args[0];
    m->a1 = ev->args[1];
    m->reason = ms_map_string(map, ev, ev->args[2]);
    break;
  case TA_KIND_TASK_END:
    m->a0 = ev->args[0];
    m->a1 = ev->derived;
    m->reason = ev->task_type.len ? ms_map_str(map, ev->task_type) : 0;
    break;
  case TA_KIND_LOG:
    m->a0 = ev->args[0];
    m->reason = ms_map_string(map, ev, ev->args[1]);
    m->msg = ms_map_string(map, ev, ev->args[2]);
    break;
  default:
    break;
  }
}
