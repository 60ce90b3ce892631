/* model-mev.c: events as self-contained records.
 *
 * A decoder event borrows its generation's tables. A `mev` carries the same
 * facts with strings and stacks interned in the document, so it can be kept
 * (compactly encoded) after the decoder has moved on: a generation decoded
 * alone is buffered until the time of the previous generation's last event
 * is known, because Go's reader makes times strictly increasing across the
 * whole trace (t = max(t, last + 1)) and only then are the first events of a
 * generation placed where a sequential read places them. */
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

enum {
  F_RES = 1 << 0,
  F_REASON = 1 << 1,
  F_MSG = 1 << 2,
  F_TSTACK = 1 << 3,
  F_STACK = 1 << 4,
  F_A0 = 1 << 5,
  F_A1 = 1 << 6,
};

void
mev_encode(mu_buf *b, const mev *m, gint64 *prev_time)
{
  mu_buf_reserve(b, 128);
  guint8 *p = b->data + b->len;
  guint8 f = (m->res ? F_RES : 0) | (m->reason ? F_REASON : 0) | (m->msg ? F_MSG : 0) |
             (m->tstack ? F_TSTACK : 0) | (m->stack ? F_STACK : 0) | (m->a0 ? F_A0 : 0) |
             (m->a1 ? F_A1 : 0);
  *p++ = m->type;
  *p++ = m->kind;
  *p++ = f;
  p = mu_put_uv(p, mu_zz(m->time - *prev_time));
  *prev_time = m->time;
  p = mu_put_uv(p, mu_zz(m->g));
  p = mu_put_uv(p, mu_zz(m->p));
  p = mu_put_uv(p, mu_zz(m->m));
  if (f & F_RES) {
    *p++ = m->res;
    *p++ = (guint8)(m->old_state << 4 | m->new_state);
    p = mu_put_uv(p, mu_zz(m->rid));
  }
  if (f & F_REASON)
    p = mu_put_uv(p, m->reason);
  if (f & F_MSG)
    p = mu_put_uv(p, m->msg);
  if (f & F_TSTACK)
    p = mu_put_uv(p, m->tstack);
  if (f & F_STACK)
    p = mu_put_uv(p, m->stack);
  if (f & F_A0)
    p = mu_put_uv(p, m->a0);
  if (f & F_A1)
    p = mu_put_uv(p, m->a1);
  b->len = (gsize)(p - b->data);
}

const guint8 *
mev_decode(const guint8 *p, mev *m, gint64 *prev_time)
{
  guint64 v;
  memset(m, 0, sizeof *m);
  m->type = *p++;
  m->kind = *p++;
  guint8 f = *p++;
  p = mu_get_uv(p, &v);
  m->time = *prev_time + mu_unzz(v);
  *prev_time = m->time;
  p = mu_get_uv(p, &v);
  m->g = mu_unzz(v);
  p = mu_get_uv(p, &v);
  m->p = mu_unzz(v);
  p = mu_get_uv(p, &v);
  m->m = mu_unzz(v);
  if (f & F_RES) {
    m->res = *p++;
    m->old_state = (guint8)(*p >> 4);
    m->new_state = (guint8)(*p++ & 15);
    p = mu_get_uv(p, &v);
    m->rid = mu_unzz(v);
  }
  if (f & F_REASON) {
    p = mu_get_uv(p, &v);
    m->reason = (TaStringId)v;
  }
  if (f & F_MSG) {
    p = mu_get_uv(p, &v);
    m->msg = (TaStringId)v;
  }
  if (f & F_TSTACK) {
    p = mu_get_uv(p, &v);
    m->tstack = (TaStackId)v;
  }
  if (f & F_STACK) {
    p = mu_get_uv(p, &v);
    m->stack = (TaStackId)v;
  }
  if (f & F_A0)
    p = mu_get_uv(p, &m->a0);
  if (f & F_A1)
    p = mu_get_uv(p, &m->a1);
  return p;
}
