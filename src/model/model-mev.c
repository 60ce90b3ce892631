/* model-mev.c: events as the generation state machine reads them.
 *
 * A decoder event borrows its generation's tables and keeps its arguments
 * raw. A `mev` carries the facts the model uses, with strings and stacks
 * interned in the document, and the time Go's reader gives it. */
#define G_LOG_DOMAIN "ta-model"

#include "model-mev.h"

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
    ta_transition tr;
    if (!ta_event_transition_ids(ev, &tr))
      break;
    m->res = (guint8)tr.resource;
    m->rid = tr.id;
    m->old_state = (guint8)tr.old_state;
    m->new_state = (guint8)tr.new_state;
    if (tr.reason_id)
      m->reason = ms_map_string(map, ev, tr.reason_id);
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
