/* trace-order-tables.c: the state machine's tables: lifetime, goroutine,
 * proc and thread states by ID, interned names, and the task and region
 * bookkeeping of the fast rules for user annotations. */
#include "trace-order-state.h"

/* ---- lifetime ---- */

ta_order *
ta_order_new(int format)
{
  ta_order *o = ta_xcalloc(1, sizeof *o);
  o->format = format;
  return o;
}

void
ta_order_free(ta_order *o)
{
  if (!o)
    return;
  for (uint32_t i = 0; i < o->n_gs; i++) {
    free(o->gs[i].regions);
    free(o->gs[i].ranges.v);
  }
  for (uint32_t i = 0; i < o->n_ps; i++)
    free(o->ps[i].ranges.v);
  for (uint32_t i = 0; i < o->n_interned; i++)
    free((void *)o->interned[i].ptr);
  free(o->gs);
  free(o->g_free);
  free(o->ps);
  free(o->ms);
  free(o->tasks);
  free(o->task_free);
  free(o->interned);
  free(o->intern_next);
  free(o->name_cache);
  free(o->queue);
  ta_id_table_free(&o->g_ids);
  ta_id_table_free(&o->p_ids);
  ta_map_free(&o->m_ids);
  ta_map_free(&o->task_ids);
  ta_map_free(&o->intern_ids);
  free(o);
}

/* ---- interning ---- */

static uint64_t
hash_bytes(const char *p, size_t n)
{
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < n; i++)
    h = (h ^ (uint8_t)p[i]) * 1099511628211ull;
  return h;
}

static uint32_t
intern(ta_order *o, ta_str s)
{
  uint64_t h = hash_bytes(s.ptr, s.len);
  uint32_t i = ta_map_get(&o->intern_ids, h);
  for (uint32_t k = i; k != TA_MAP_ABSENT; k = o->intern_next[k])
    if (o->interned[k].len == s.len && memcmp(o->interned[k].ptr, s.ptr, s.len) == 0)
      return k;
  uint32_t cap = o->cap_interned;
  TA_VEC_PUSH(o->interned, o->n_interned, o->cap_interned);
  if (cap != o->cap_interned)
    o->intern_next = ta_xrealloc(o->intern_next, (size_t)o->cap_interned * sizeof(uint32_t));
  char *copy = ta_xmalloc(s.len + 1);
  memcpy(copy, s.ptr, s.len);
  copy[s.len] = 0;
  uint32_t k = o->n_interned++;
  o->interned[k] = (ta_str){ copy, s.len };
  o->intern_next[k] = i;
  ta_map_set(&o->intern_ids, h, k);
  return k;
}

/* Interns string `id` of generation g (whose text is `name`), remembering
 * the answer for the rest of the generation: region and task names repeat
 * all the time, and this skips hashing their bytes again. */
uint32_t
ta_order_intern_name(ta_order *o, const ta_generation *g, uint64_t id, ta_str name)
{
  uint32_t idx = id == 0 ? TA_MAP_ABSENT : ta_id_index_get(&g->string_ids, id);
  if (idx == TA_MAP_ABSENT || g->serial == 0)
    return intern(o, name);
  if (o->name_cache_serial != g->serial) {
    o->name_cache_serial = g->serial;
    o->n_name_cache = 0;
  }
  if (idx >= o->n_name_cache) {
    uint32_t n = idx + 1 > g->n_strings ? idx + 1 : g->n_strings;
    if (n > o->cap_name_cache) {
      o->cap_name_cache = n;
      o->name_cache = ta_xrealloc(o->name_cache, (size_t)n * sizeof *o->name_cache);
    }
    for (uint32_t k = o->n_name_cache; k < n; k++)
      o->name_cache[k] = TA_MAP_ABSENT;
    o->n_name_cache = n;
  }
  if (o->name_cache[idx] == TA_MAP_ABSENT)
    o->name_cache[idx] = intern(o, name);
  return o->name_cache[idx];
}

/* ---- resource tables ---- */

void
ta_id_table_set(id_table *t, int64_t id, uint32_t index)
{
  if ((uint64_t)id >= DENSE_ID_LIMIT) {
    ta_map_set(&t->map, (uint64_t)id, index);
    return;
  }
  if ((uint64_t)id >= t->n_flat) {
    uint32_t n = t->n_flat ? t->n_flat : 64;
    while (n <= (uint64_t)id)
      n *= 2;
    t->flat = ta_xrealloc(t->flat, (size_t)n * sizeof *t->flat);
    for (uint32_t k = t->n_flat; k < n; k++)
      t->flat[k] = TA_MAP_ABSENT;
    t->n_flat = n;
  }
  t->flat[id] = index;
}

void
ta_id_table_del(id_table *t, int64_t id)
{
  if ((uint64_t)id < t->n_flat)
    t->flat[id] = TA_MAP_ABSENT;
  else if ((uint64_t)id >= DENSE_ID_LIMIT)
    ta_map_del(&t->map, (uint64_t)id);
}

void
ta_id_table_free(id_table *t)
{
  free(t->flat);
  ta_map_free(&t->map);
}

gstate *
ta_order_g_add(ta_order *o, int64_t id, uint8_t status, uint64_t gen)
{
  uint32_t i;
  if (o->n_g_free) {
    i = o->g_free[--o->n_g_free];
  } else {
    TA_VEC_PUSH(o->gs, o->n_gs, o->cap_gs);
    i = o->n_gs++;
    memset(&o->gs[i], 0, sizeof o->gs[i]);
  }
  gstate *s = &o->gs[i];
  s->id = id;
  s->status = status;
  s->seq_gen = gen;
  s->seq = 0;
  s->n_regions = 0;
  s->ranges.n = 0;
  ta_id_table_set(&o->g_ids, id, i);
  return s;
}

void
ta_order_g_delete(ta_order *o, int64_t id)
{
  uint32_t i = id_table_get(&o->g_ids, id);
  if (i == TA_MAP_ABSENT)
    return;
  ta_id_table_del(&o->g_ids, id);
  TA_VEC_PUSH(o->g_free, o->n_g_free, o->cap_g_free);
  o->g_free[o->n_g_free++] = i;
}

pstate *
ta_order_p_add(ta_order *o, int64_t id, uint8_t status, uint64_t gen)
{
  TA_VEC_PUSH(o->ps, o->n_ps, o->cap_ps);
  uint32_t i = o->n_ps++;
  o->ps[i] = (pstate){ .id = id, .status = status, .seq_gen = gen };
  ta_id_table_set(&o->p_ids, id, i);
  return &o->ps[i];
}

mstate *
ta_order_m_add(ta_order *o, int64_t id, int64_t g, int64_t p)
{
  TA_VEC_PUSH(o->ms, o->n_ms, o->cap_ms);
  uint32_t i = o->n_ms++;
  o->ms[i] = (mstate){ id, g, p };
  ta_map_set(&o->m_ids, (uint64_t)id, i);
  return &o->ms[i];
}

/* ---- user annotations, for the fast rules (trace-order-fast.h) ---- */

/* UserRegionBegin/End on the running goroutine cur_g. Returns false,
 * changing nothing the general rule could see, when it must decide. */
bool
ta_order_region_fast(ta_order *o, const ta_raw_event *ev, const ta_generation *g, int64_t cur_g)
{
  ta_str name;
  if (!ta_generation_string(g, ev->args[1], &name))
    return false;
  gstate *gs = g_get(o, cur_g);
  if (!gs)
    return false;
  region_entry r = { ev->args[0], ta_order_intern_name(o, g, ev->args[1], name) };
  if (ev->type == TA_EV_USER_REGION_BEGIN) {
    TA_VEC_PUSH(gs->regions, gs->n_regions, gs->cap_regions);
    gs->regions[gs->n_regions++] = r;
  } else if (gs->n_regions > 0) {
    /* An end with nothing open began before the trace did: accepted. */
    region_entry top = gs->regions[gs->n_regions - 1];
    if (top.task != r.task || top.name != r.name)
      return false;
    gs->n_regions--;
  }
  return true;
}

/* UserTaskBegin: records the task, or returns false (changing nothing)
 * when the general rule must decide. */
bool
ta_order_task_begin_fast(ta_order *o, const ta_raw_event *ev, const ta_generation *g)
{
  uint64_t id = ev->args[0];
  ta_str name;
  if (ta_map_get(&o->task_ids, id) != TA_MAP_ABSENT || !ta_generation_string(g, ev->args[2], &name))
    return false;
  uint32_t i;
  if (o->n_task_free) {
    i = o->task_free[--o->n_task_free];
  } else {
    TA_VEC_PUSH(o->tasks, o->n_tasks, o->cap_tasks);
    i = o->n_tasks++;
  }
  uint64_t parent = ev->args[1] == 0 ? TA_NO_TASK : ev->args[1];
  o->tasks[i] = (task_state){ ta_order_intern_name(o, g, ev->args[2], name), parent };
  ta_map_set(&o->task_ids, id, i);
  return true;
}

/* UserTaskEnd: forgets task `id`, giving its parent and type (TA_NO_TASK
 * and "" for a task begun before the trace). */
void
ta_order_task_end(ta_order *o, uint64_t id, uint64_t *parent, ta_str *type)
{
  uint32_t i = ta_map_get(&o->task_ids, id);
  *parent = TA_NO_TASK;
  *type = (ta_str){ "", 0 };
  if (i == TA_MAP_ABSENT)
    return;
  *parent = o->tasks[i].parent;
  *type = o->interned[o->tasks[i].name];
  ta_map_del(&o->task_ids, id);
  TA_VEC_PUSH(o->task_free, o->n_task_free, o->cap_task_free);
  o->task_free[o->n_task_free++] = i;
}
