/* model-window.c: exact spans of a time window, on demand.
 *
 * A window's spans are the union of
 *   - the internal spans of each generation under the window (those that
 *     begin and end inside one generation): decoded again from the file, or
 *     kept in memory when the trace is small (resident), and cached per
 *     (generation, track) in an LRU under a byte budget;
 *   - the spans that touch a generation boundary, from the long-span table
 *     the merge keeps, and the span still open at the snapshot's frontier;
 *   - for regions, tasks, GC, STW and sweep: the tables. */
#define G_LOG_DOMAIN "ta-model"

#include "model-window-private.h"

G_DEFINE_BOXED_TYPE(TaWindow, ta_window, ta_window_ref, ta_window_unref)

typedef struct {
  gint64 *start, *end;
  guint8 *state;
} span_columns;

struct _TaWindow {
  gint ref;
  TaSnapshot *snap;
  gint64 t0, t1;
  guint n;
  TaTrackKey *keys;
  GArray **spans;
  span_columns *columns;   /* per track, built with the window */
};

TaWindow *
ta_window_ref(TaWindow *w)
{
  g_atomic_int_inc(&w->ref);
  return w;
}

void
ta_window_unref(TaWindow *w)
{
  if (!w || !g_atomic_int_dec_and_test(&w->ref))
    return;
  for (guint i = 0; i < w->n; i++) {
    g_array_free(w->spans[i], TRUE);
    if (w->columns) {
      g_free(w->columns[i].start);
      g_free(w->columns[i].end);
      g_free(w->columns[i].state);
    }
  }
  g_free(w->spans);
  g_free(w->columns);
  g_free(w->keys);
  ta_snapshot_unref(w->snap);
  g_free(w);
}

gint64
ta_window_get_start(const TaWindow *w)
{
  return w->t0;
}

gint64
ta_window_get_end(const TaWindow *w)
{
  return w->t1;
}

guint
ta_window_get_n_tracks(const TaWindow *w)
{
  return w->n;
}

const TaTrackKey *
ta_window_get_track(const TaWindow *w, guint i)
{
  return i < w->n ? &w->keys[i] : NULL;
}

const TaSpan *
ta_window_get_spans(const TaWindow *w, guint i, gsize *n_spans)
{
  if (i >= w->n) {
    *n_spans = 0;
    return NULL;
  }
  *n_spans = w->spans[i]->len;
  return (const TaSpan *)w->spans[i]->data;
}

void
ta_window_get_span_columns(const TaWindow *w, guint i, const gint64 **starts, const gint64 **ends,
                           const guint8 **states)
{
  gboolean ok = i < w->n && w->columns;
  *starts = ok ? w->columns[i].start : NULL;
  *ends = ok ? w->columns[i].end : NULL;
  *states = ok ? w->columns[i].state : NULL;
}

static void
build_columns(TaWindow *w)
{
  w->columns = g_new0(span_columns, w->n);
  for (guint i = 0; i < w->n; i++) {
    guint n = w->spans[i]->len;
    const TaSpan *spans = (const TaSpan *)w->spans[i]->data;
    span_columns *c = &w->columns[i];
    c->start = g_new(gint64, MAX(n, 1));
    c->end = g_new(gint64, MAX(n, 1));
    c->state = g_new(guint8, MAX(n, 1));
    for (guint k = 0; k < n; k++) {
      c->start[k] = spans[k].start;
      c->end[k] = spans[k].end;
      c->state[k] = (guint8)MIN((guint)spans[k].state, G_MAXUINT8);
    }
  }
}

TaSnapshot *
ta_window_get_snapshot(const TaWindow *w)
{
  return w->snap;
}

/* ---- the cache ---- */

typedef struct {
  guint64 gen;
  TaTrackKey key;
} ckey;

typedef struct {
  ckey k;
  GArray *spans;
  gsize bytes;
  GList *link;
} centry;

static guint
ckey_hash(gconstpointer p)
{
  const ckey *k = p;
  return ta_track_key_hash(&k->key) ^ (guint)(k->gen * 2654435761u);
}

static gboolean
ckey_equal(gconstpointer a, gconstpointer b)
{
  const ckey *x = a, *y = b;
  return x->gen == y->gen && ta_track_key_equal(&x->key, &y->key);
}

static void
centry_free(gpointer p)
{
  centry *e = p;
  g_array_unref(e->spans);
  g_free(e);
}

ta_wcache *
ta_wcache_new(guint64 budget)
{
  ta_wcache *c = g_new0(ta_wcache, 1);
  g_mutex_init(&c->lock);
  c->map = g_hash_table_new_full(ckey_hash, ckey_equal, NULL, centry_free);
  g_queue_init(&c->lru);
  c->budget = budget;
  return c;
}

void
ta_wcache_free(ta_wcache *c)
{
  if (!c)
    return;
  g_queue_clear(&c->lru);
  g_hash_table_destroy(c->map);
  g_mutex_clear(&c->lock);
  g_free(c);
}

static GArray *
cache_get(ta_wcache *c, guint64 gen, const TaTrackKey *key)
{
  ckey k = { gen, *key };
  g_mutex_lock(&c->lock);
  centry *e = g_hash_table_lookup(c->map, &k);
  GArray *a = NULL;
  if (e) {
    g_queue_unlink(&c->lru, e->link);
    g_queue_push_head_link(&c->lru, e->link);
    a = g_array_ref(e->spans);
    c->hits++;
  } else {
    c->misses++;
  }
  g_mutex_unlock(&c->lock);
  return a;
}

static void
cache_put(ta_wcache *c, guint64 gen, const TaTrackKey *key, GArray *spans)
{
  centry *e = g_new0(centry, 1);
  e->k.gen = gen;
  e->k.key = *key;
  e->spans = g_array_ref(spans);
  e->bytes = spans->len * sizeof(TaSpan) + 128;
  g_mutex_lock(&c->lock);
  if (g_hash_table_contains(c->map, &e->k)) {
    g_mutex_unlock(&c->lock);
    centry_free(e);
    return;
  }
  g_queue_push_head(&c->lru, e);
  e->link = c->lru.head;
  g_hash_table_insert(c->map, &e->k, e);
  c->bytes += e->bytes;
  while (c->bytes > c->budget && c->lru.length > 0) {
    centry *old = g_queue_pop_tail(&c->lru);
    c->bytes -= old->bytes;
    c->evictions++;
    g_hash_table_remove(c->map, &old->k);
    if (old == e)
      break;
  }
  g_mutex_unlock(&c->lock);
}

guint64
ta_wcache_size(ta_wcache *c)
{
  g_mutex_lock(&c->lock);
  guint64 n = c->bytes;
  g_mutex_unlock(&c->lock);
  return n;
}

/* ---- long spans and tables ---- */

static void
append_overlapping(GArray *out, const GArray *a, gint64 t0, gint64 t1)
{
  if (!a)
    return;
  /* Spans are sorted by start and do not overlap: the first to keep is the
   * first whose end is after t0. */
  guint lo = 0, hi = a->len;
  while (lo < hi) {
    guint mid = (lo + hi) / 2;
    if (g_array_index(a, TaSpan, mid).end <= t0)
      lo = mid + 1;
    else
      hi = mid;
  }
  for (guint i = lo; i < a->len; i++) {
    const TaSpan *s = &g_array_index(a, TaSpan, i);
    if (s->start >= t1)
      break;
    if (s->end > t0 || (s->end == s->start && s->start >= t0))
      g_array_append_val(out, *s);
  }
}

static gint64
gen_start_of(const TaSnapshot *snap, gint64 t)
{
  gint64 best = snap->start;
  for (guint i = 0; i < snap->gens->len; i++) {
    const mg_gen *g = &g_array_index(snap->gens, mg_gen, i);
    if (g->sync_time <= t)
      best = g->sync_time;
    else
      break;
  }
  return best;
}

void
ta_store_long_spans(ta_store *s, const TaSnapshot *snap, const TaTrackKey *key, gint64 t0,
                    gint64 t1, GArray *out)
{
  switch (key->kind) {
  case TA_TRACK_GC:
  case TA_TRACK_STW:
  case TA_TRACK_SWEEP: {
    guint i = key->kind == TA_TRACK_GC ? 0 : key->kind == TA_TRACK_STW ? 1 : 2;
    g_mutex_lock(&s->span_lock);
    append_overlapping(out, s->ov_spans[i], t0, t1);
    g_mutex_unlock(&s->span_lock);
    break;
  }
  default:
    g_mutex_lock(&s->span_lock);
    append_overlapping(out, g_hash_table_lookup(s->long_spans, key), t0, t1);
    g_mutex_unlock(&s->span_lock);
    break;
  }
  /* Short regions and tasks come from their tables. */
  if (key->kind == TA_TRACK_REGIONS) {
    guint have = out->len;
    gint64 from = gen_start_of(snap, t0);
    gint64 v[RC_N];
    for (guint64 r = mc_view_lower_bound(snap->regions, RC_BEGIN, from); r < snap->regions->n_rows;
         r++) {
      mc_view_get(snap->regions, r, v);
      if (v[RC_BEGIN] >= t1)
        break;
      if (v[RC_G] != key->id || v[RC_DEPTH] != key->sub || v[RC_END] == TA_TIME_NONE ||
          v[RC_END] <= t0)
        continue;
      gboolean dup = FALSE;
      for (guint i = 0; i < have && !dup; i++)
        dup = g_array_index(out, TaSpan, i).start == v[RC_BEGIN];
      if (dup)
        continue;
      TaSpan sp = { 0 };
      sp.start = v[RC_BEGIN];
      sp.end = v[RC_END];
      sp.state = TA_STATE_REGION;
      sp.depth = (guint16)v[RC_DEPTH];
      sp.reason = (TaStringId)v[RC_TYPE];
      sp.stack = (TaStackId)v[RC_STACK];
      sp.g = v[RC_G];
      sp.p = TA_ID_NONE;
      sp.task = (guint64)v[RC_TASK];
      g_array_append_val(out, sp);
    }
  } else if (key->kind == TA_TRACK_TASKS) {
    guint have = out->len;
    gint64 from = gen_start_of(snap, t0);
    gint64 v[KC_N];
    for (guint64 r = mc_view_lower_bound(snap->tasks, KC_BEGIN, from); r < snap->tasks->n_rows;
         r++) {
      mc_view_get(snap->tasks, r, v);
      if (v[KC_BEGIN] >= t1)
        break;
      if (v[KC_LANE] != key->sub || v[KC_END] == TA_TIME_NONE || v[KC_END] <= t0)
        continue;
      gboolean dup = FALSE;
      for (guint i = 0; i < have && !dup; i++)
        dup = g_array_index(out, TaSpan, i).start == v[KC_BEGIN];
      if (dup)
        continue;
      TaSpan sp = { 0 };
      sp.start = v[KC_BEGIN];
      sp.end = v[KC_END];
      sp.state = TA_STATE_TASK;
      sp.reason = (TaStringId)v[KC_TYPE];
      sp.g = v[KC_BEGIN_G];
      sp.p = TA_ID_NONE;
      sp.task = (guint64)v[KC_ID];
      g_array_append_val(out, sp);
    }
  }
}

gboolean
ta_snapshot_open_span(const TaSnapshot *snap, const TaTrackKey *key, TaSpan *out)
{
  ms_pub *p = g_hash_table_lookup(snap->pubs, key);
  if (!p || !p->open_cls)
    return FALSE;
  *out = p->open_span;
  out->end = snap->end;
  out->flags |= TA_SPAN_OPEN;
  return TRUE;
}

/* ---- decoding ---- */

static gboolean
decodable(TaTrackKind k)
{
  return k == TA_TRACK_GOROUTINE || k == TA_TRACK_PROC || k == TA_TRACK_THREAD;
}

static gint
cmp_span(gconstpointer a, gconstpointer b)
{
  const TaSpan *x = a, *y = b;
  if (x->start != y->start)
    return x->start < y->start ? -1 : 1;
  return (x->end > y->end) - (x->end < y->end);
}

/* Internal spans of the tracks in generation `gi` (index in snap->gens). */
static gboolean
gen_spans(ta_wreq *rq, guint gi, GArray **per_key, GCancellable *cancellable, GError **error)
{
  ta_store *s = rq->snap->store;
  const mg_gen *g = &g_array_index(rq->snap->gens, mg_gen, gi);
  GHashTable *missing = NULL;
  for (guint i = 0; i < rq->n; i++) {
    per_key[i] = NULL;
    if (!decodable(rq->keys[i].kind))
      continue;
    if (s->resident) {
      /* Internal spans of every track are in memory. */
      GArray *a = g_array_new(FALSE, FALSE, sizeof(TaSpan));
      g_mutex_lock(&s->span_lock);
      GArray *all = g_hash_table_lookup(s->resident_spans, &rq->keys[i]);
      if (all) {
        guint lo = 0, hi = all->len;
        while (lo < hi) {
          guint mid = (lo + hi) / 2;
          if (g_array_index(all, TaSpan, mid).start < g->sync_time)
            lo = mid + 1;
          else
            hi = mid;
        }
        for (guint j = lo; j < all->len; j++) {
          const TaSpan *sp = &g_array_index(all, TaSpan, j);
          if (sp->start > g->last_time)
            break;
          g_array_append_val(a, *sp);
        }
      }
      g_mutex_unlock(&s->span_lock);
      per_key[i] = a;
      continue;
    }
    per_key[i] = rq->cache ? cache_get(rq->cache, g->number, &rq->keys[i]) : NULL;
    if (!per_key[i]) {
      if (!missing)
        missing = g_hash_table_new((GHashFunc)ta_track_key_hash, (GEqualFunc)ta_track_key_equal);
      g_hash_table_add(missing, &rq->keys[i]);
    }
  }
  if (!missing)
    return TRUE;
  gp_config cfg = { 0 };
  cfg.strtab = s->strtab;
  cfg.only = missing;
  cfg.first_gen = gi == 0;
  cfg.count_shift = 10;
  cfg.floor = g->floor;
  gp_out *o;
  if (s->plain)
    o = ta_decode_generation(s->path, s->format, g->start_offset, g->end_offset,
                             gi ? g_array_index(rq->snap->gens, mg_gen, gi - 1).start_offset : -1,
                             &cfg, cancellable, error);
  else
    o = ta_decode_generation_seq(s->path, gi, &cfg, cancellable, error);
  g_hash_table_destroy(missing);
  if (!o)
    return FALSE;
  rq->decoded_generations++;
  for (guint i = 0; i < rq->n; i++) {
    if (per_key[i] || !decodable(rq->keys[i].kind))
      continue;
    gp_track *tr = g_hash_table_lookup(o->by_key, &rq->keys[i]);
    GArray *a = g_array_new(FALSE, FALSE, sizeof(TaSpan));
    if (tr && tr->spans)
      g_array_append_vals(a, tr->spans->data, tr->spans->len);
    if (rq->cache)
      cache_put(rq->cache, g->number, &rq->keys[i], a);
    per_key[i] = a;
  }
  gp_out_free(o);
  return TRUE;
}

TaWindow *
ta_wreq_run(ta_wreq *rq, GCancellable *cancellable, GError **error)
{
  TaSnapshot *snap = rq->snap;
  ta_store *s = snap->store;
  TaWindow *w = g_new0(TaWindow, 1);
  w->ref = 1;
  w->snap = ta_snapshot_ref(snap);
  w->t0 = rq->t0;
  w->t1 = rq->t1;
  w->n = rq->n;
  w->keys = g_memdup2(rq->keys, rq->n * sizeof(TaTrackKey));
  w->spans = g_new0(GArray *, rq->n);
  for (guint i = 0; i < rq->n; i++) {
    w->spans[i] = g_array_new(FALSE, FALSE, sizeof(TaSpan));
    ta_store_long_spans(s, snap, &rq->keys[i], rq->t0, rq->t1, w->spans[i]);
    TaSpan open;
    if (ta_snapshot_open_span(snap, &rq->keys[i], &open) && open.start < rq->t1 &&
        open.end > rq->t0)
      g_array_append_val(w->spans[i], open);
  }
  GArray **per_key = g_new0(GArray *, rq->n);
  gboolean ok = TRUE;
  for (guint gi = 0; gi < snap->gens->len && ok; gi++) {
    const mg_gen *g = &g_array_index(snap->gens, mg_gen, gi);
    gint64 gend = gi + 1 < snap->gens->len
                    ? g_array_index(snap->gens, mg_gen, gi + 1).sync_time
                    : g->last_time + 1;
    if (gend <= rq->t0 || g->sync_time >= rq->t1)
      continue;
    if (g_cancellable_set_error_if_cancelled(cancellable, error)) {
      ok = FALSE;
      break;
    }
    if (!gen_spans(rq, gi, per_key, cancellable, error)) {
      ok = FALSE;
      break;
    }
    for (guint i = 0; i < rq->n; i++) {
      if (!per_key[i])
        continue;
      append_overlapping(w->spans[i], per_key[i], rq->t0, rq->t1);
      g_array_unref(per_key[i]);
      per_key[i] = NULL;
    }
  }
  g_free(per_key);
  if (!ok) {
    ta_window_unref(w);
    return NULL;
  }
  for (guint i = 0; i < rq->n; i++)
    g_array_sort(w->spans[i], cmp_span);
  build_columns(w);
  return w;
}
