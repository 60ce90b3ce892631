/* model-genproc.c: the state machine of one generation.
 *
 * Goroutine time is accounted as Go 1.26's internal/trace summariser does
 * (the goroutine analysis pages of `go tool trace`): a goroutine first seen
 * through a status event has been in that state since the generation's Sync;
 * a syscall becomes "blocked" when its proc is taken away (the proc goes
 * idle); "GC mark assist" is a state of its own while running inside one. */
#define G_LOG_DOMAIN "ta-model"

#include "model-genproc.h"
#include "model-mev.h"

/* The span a track is in right now. */
typedef struct {
  gboolean open, head;
  gint64 start;
  guint8 cls, flags, go_state;
  TaStringId reason;
  TaStackId stack;
  gint64 g, p;
  guint64 jkey;
} cur_span;

typedef struct {
  gint64 id;
  gp_track *tr;
  guint32 idx;             /* in genproc.lgs */
  cur_span cur;
  guint8 gs;               /* ta_go_state as known in this generation */
  gboolean assist, sys_blocked;
  gint64 p, m;             /* where it runs (or syscalls) */
  TaStringId reason;
  gint8 gcw;               /* GC worker: -1 unknown */
  GArray *rstack;          /* open regions begun here: indices in out->regions */
  guint32 popped;
} lg;

typedef struct {
  gint64 id;
  gp_track *tr;
  cur_span cur;
  guint8 ps;               /* ta_proc_state as known here */
  gint64 g, sys_g;
} lp;

typedef struct {
  gint64 id;
  gp_track *tr;
  cur_span cur;
  gint64 p, g;
  gboolean sys;
} lm;

/* A small open-addressing map from int64 ids to pointers. */
typedef struct {
  gint64 *keys;
  gpointer *vals;
  guint32 cap, n;
} idmap;

static guint32
id_hash(gint64 k)
{
  guint64 h = (guint64)k * 0x9E3779B97F4A7C15ull;
  return (guint32)(h >> 32);
}

static char idmap_tomb;
#define TOMB ((gpointer)&idmap_tomb)

static gpointer
idmap_get(const idmap *m, gint64 k)
{
  if (!m->cap)
    return NULL;
  guint32 mask = m->cap - 1;
  for (guint32 i = id_hash(k) & mask;; i = (i + 1) & mask) {
    if (!m->vals[i])
      return NULL;
    if (m->keys[i] == k)
      return m->vals[i] == TOMB ? NULL : m->vals[i];
  }
}

static void
idmap_put(idmap *m, gint64 k, gpointer v)
{
  if ((m->n + 1) * 4 > m->cap * 3) {
    guint32 ncap = m->cap ? m->cap * 2 : 256;
    gint64 *nk = g_new(gint64, ncap);
    gpointer *nv = g_new0(gpointer, ncap);
    for (guint32 i = 0; i < m->cap; i++) {
      if (!m->vals[i])
        continue;
      guint32 j = id_hash(m->keys[i]) & (ncap - 1);
      while (nv[j])
        j = (j + 1) & (ncap - 1);
      nk[j] = m->keys[i];
      nv[j] = m->vals[i];
    }
    g_free(m->keys);
    g_free(m->vals);
    m->keys = nk;
    m->vals = nv;
    m->cap = ncap;
  }
  guint32 mask = m->cap - 1;
  guint32 i = id_hash(k) & mask;
  while (m->vals[i] && m->keys[i] != k)
    i = (i + 1) & mask;
  if (!m->vals[i])
    m->n++;
  m->keys[i] = k;
  m->vals[i] = v;
}

/* Removes k, moving later entries of its probe run back into the hole, so
 * that the map holds only what is live (a spawn-heavy generation sees
 * hundreds of thousands of goroutines, few of them at once). */
static void
idmap_remove(idmap *m, gint64 k)
{
  if (!m->cap)
    return;
  guint32 mask = m->cap - 1;
  guint32 i = id_hash(k) & mask;
  for (;; i = (i + 1) & mask) {
    if (!m->vals[i])
      return;
    if (m->keys[i] == k)
      break;
  }
  for (guint32 j = (i + 1) & mask; m->vals[j]; j = (j + 1) & mask) {
    guint32 home = id_hash(m->keys[j]) & mask;
    /* It stays where it is if its home lies cyclically in (i, j]. */
    gboolean stays = i < j ? (home > i && home <= j) : (home > i || home <= j);
    if (stays)
      continue;
    m->keys[i] = m->keys[j];
    m->vals[i] = m->vals[j];
    i = j;
  }
  m->vals[i] = NULL;
  m->n--;
}

static void
idmap_free(idmap *m)
{
  g_free(m->keys);
  g_free(m->vals);
  memset(m, 0, sizeof *m);
}

/* Size of the direct-mapped cache in front of the goroutine map. */
#define G_CACHE 256

struct genproc {
  gp_config cfg;
  gp_out *out;
  gboolean started;
  idmap gs, ps, ms;
  GPtrArray *lgs, *lps, *lms;   /* for freeing and finishing */
  lg *last_g;
  lg *g_cache[G_CACHE];         /* live goroutines by id % G_CACHE */
  lm *last_m;                   /* consecutive events are mostly on one thread */
  /* Procs by id when it is small (Go numbers them from 0); others in ps. */
  lp **p_by_id;
  guint32 n_p_by_id;
  gint64 counts[GP_N_COUNTS];
  /* wait reason id -> state class + 1 */
  guint8 *reason_cls;
  guint32 n_reason_cls;
  /* first generation only: procs bound by goroutine status events (Go's syscallingP) */
  idmap status_sys;
  /* threads whose proc was stolen before we learnt which goroutine is in a
   * syscall on them: thread -> time of the steal */
  idmap stolen;
  ms_gen_map map;
  TaStringId gc_worker_fn;
  TaStringId forever;
  gint64 last_t;               /* time of the last event (for Go's clamp) */
  mm_acc cnt[GP_N_COUNTS];     /* open count buckets */
  gint64 cnt_b;                /* the count bucket of the last time seen */
  gint64 cnt_lo, cnt_hi;       /* its time range: most events fall in it */
};

/* ---- helpers ---- */

static gp_track *
track_new(genproc *gp, TaTrackKind kind, gint64 id, gint64 t)
{
  gp_track *tr = g_new0(gp_track, 1);
  tr->key = ta_key(kind, id, 0);
  tr->order = gp->out->tracks->len;
  tr->first_time = t;
  tr->creation_time = TA_TIME_NONE;
  tr->end_time = TA_TIME_NONE;
  tr->parent = TA_ID_NONE;
  ms_l0_init(&tr->l0);
  gboolean keep = gp->cfg.keep_spans;
  if (gp->cfg.only)
    keep = g_hash_table_contains(gp->cfg.only, &tr->key);
  if (keep)
    tr->spans = g_array_new(FALSE, FALSE, sizeof(TaSpan));
  g_ptr_array_add(gp->out->tracks, tr);
  g_hash_table_insert(gp->out->by_key, &tr->key, tr);
  return tr;
}

/* Count metrics: the open bucket of each is kept here and appended to the
 * output when the time moves to another bucket. */
static void
count_flush(genproc *gp, guint which)
{
  if (gp->cnt[which].b != G_MININT64)
    g_array_append_val(gp->out->counts[which], gp->cnt[which]);
  gp->cnt[which].b = G_MININT64;
}

/* Sets cnt_b to t's count bucket. Times rarely leave the bucket of the
 * previous event, so the division is skipped while they stay in it. */
static inline void
count_bucket(genproc *gp, gint64 t)
{
  if (G_LIKELY(t >= gp->cnt_lo && t < gp->cnt_hi))
    return;
  gint64 origin = gp->cfg.shift && !gp->cfg.provisional ? gp->cfg.origin : gp->out->sync_time;
  gint64 width = (gint64)1 << gp->cfg.count_shift;
  gp->cnt_b = (t - origin) >> gp->cfg.count_shift;
  gp->cnt_lo = t - ((t - origin) & (width - 1));
  gp->cnt_hi = gp->cnt_lo <= G_MAXINT64 - width ? gp->cnt_lo + width : G_MAXINT64;
}

/* Forgets the cached bucket (its origin changed). */
static void
count_bucket_reset(genproc *gp)
{
  gp->cnt_lo = G_MAXINT64;
  gp->cnt_hi = G_MININT64;
}

/* Samples count `which` after a change; `dir` is the sign of the change
 * (0: unknown). Each change is sampled, so the previous value is the
 * bucket's last: a decrease cannot raise its max, an increase its min. */
static inline void
count_sample_dir(genproc *gp, guint which, gint64 t, gint dir)
{
  count_bucket(gp, t);
  mm_acc *a = &gp->cnt[which];
  gint64 v = gp->counts[which];
  if (a->b != gp->cnt_b) {
    count_flush(gp, which);
    *a = (mm_acc){ gp->cnt_b, v, v, v };
    return;
  }
  if (dir <= 0 && v < a->min)
    a->min = v;
  if (dir >= 0 && v > a->max)
    a->max = v;
  a->last = v;
}

static inline void
count_sample(genproc *gp, guint which, gint64 t)
{
  count_sample_dir(gp, which, t, 0);
}

/* One count leaves (`from`), another gains (`to`), at t; -1: none. */
static inline void
count_move(genproc *gp, gint from, gint to, gint64 t)
{
  if (from >= 0) {
    gp->counts[from]--;
    count_sample_dir(gp, (guint)from, t, -1);
  }
  if (to >= 0) {
    gp->counts[to]++;
    count_sample_dir(gp, (guint)to, t, +1);
  }
}

static gint
go_count_index(guint8 gs)
{
  switch (gs) {
  case TA_GO_RUNNING:
    return GP_COUNT_G_RUNNING;
  case TA_GO_RUNNABLE:
    return GP_COUNT_G_RUNNABLE;
  case TA_GO_WAITING:
    return GP_COUNT_G_WAITING;
  case TA_GO_SYSCALL:
    return GP_COUNT_G_SYSCALL;
  default:
    return -1;
  }
}

static gint
m_count_index(guint cls)
{
  if (cls == TA_STATE_THREAD_RUNNING)
    return GP_COUNT_M_RUNNING;
  if (cls == TA_STATE_THREAD_SYSCALL)
    return GP_COUNT_M_SYSCALL;
  return -1;
}

/* A span that ends inside the generation, to the track's level-0 buckets
 * and (when kept) its span list. */
static void
span_emit_kept(genproc *gp, gp_track *tr, const cur_span *c, gint64 end, guint8 end_flags,
               TaStackId end_stack, guint cls)
{
  tr->n_internal++;
  if (gp->cfg.shift)
    ms_l0_add_span(&tr->l0, gp->cfg.shift, gp->cfg.origin, c->start, end, cls);
  TaSpan s = { 0 };
  s.start = c->start;
  s.end = end;
  s.state = (guint8)cls;
  s.flags = c->flags | end_flags;
  s.reason = c->reason;
  s.stack = c->stack;
  s.end_stack = end_stack;
  s.g = c->g;
  s.p = c->p;
  g_array_append_val(tr->spans, s);
}

static void
piece_from(gp_piece *pc, const cur_span *c, guint cls)
{
  memset(pc, 0, sizeof *pc);
  pc->start = c->start;
  pc->end = TA_TIME_NONE;
  pc->g = c->g;
  pc->p = c->p;
  pc->jkey = c->jkey;
  pc->reason = c->reason;
  pc->stack = c->stack;
  pc->cls = (guint8)cls;
  pc->flags = c->flags;
  pc->go_state = c->go_state;
}

/* cur_close for a head, or a track whose spans are kept. */
static void
cur_close_slow(genproc *gp, gp_track *tr, cur_span *c, gint64 t, guint8 end_flags,
               TaStackId end_stack, guint cls)
{
  if (c->head) {
    piece_from(&tr->head, c, cls);
    tr->head.end = t;
    tr->head.end_stack = end_stack;
    tr->head.flags |= end_flags;
    tr->has_head = TRUE;
  } else {
    span_emit_kept(gp, tr, c, t, end_flags, end_stack, cls);
  }
  c->open = FALSE;
  c->head = FALSE;
}

/* Closes the current span of a track at t. `cls` is the final class.
 * Inline: it runs two or three times per event, nearly always for a span
 * that only goes to the level-0 buckets (end_flags and end_stack unused). */
static inline void
cur_close(genproc *gp, gp_track *tr, cur_span *c, gint64 t, guint8 end_flags, TaStackId end_stack,
          guint cls)
{
  if (!c->open)
    return;
  if (G_UNLIKELY(c->head || tr->spans)) {
    cur_close_slow(gp, tr, c, t, end_flags, end_stack, cls);
    return;
  }
  tr->n_internal++;
  if (gp->cfg.shift)
    ms_l0_add_span_inline(&tr->l0, gp->cfg.shift, gp->cfg.origin, c->start, t, cls);
  c->open = FALSE;
}

static void
cur_open(cur_span *c, gboolean head, gint64 t, guint cls, guint8 flags, TaStringId reason,
         TaStackId stack, gint64 g, gint64 p, guint64 jkey, guint8 go_state)
{
  c->open = TRUE;
  c->head = head;
  c->start = t;
  c->cls = (guint8)cls;
  c->flags = flags;
  c->reason = reason;
  c->stack = stack;
  c->g = g;
  c->p = p;
  c->jkey = jkey;
  c->go_state = go_state;
}

/* ---- goroutines ---- */

static guint
reason_class(genproc *gp, TaStringId r)
{
  if (r < gp->n_reason_cls && gp->reason_cls[r])
    return gp->reason_cls[r] - 1u;
  guint cls = ta_state_for_wait_reason(ms_string(gp->cfg.strtab, r));
  if (r >= gp->n_reason_cls) {
    guint32 n = MAX(r + 1, gp->n_reason_cls * 2);
    gp->reason_cls = g_realloc(gp->reason_cls, n);
    memset(gp->reason_cls + gp->n_reason_cls, 0, n - gp->n_reason_cls);
    gp->n_reason_cls = n;
  }
  gp->reason_cls[r] = (guint8)(cls + 1);
  return cls;
}

static guint
g_cls(genproc *gp, const lg *g)
{
  switch (g->gs) {
  case TA_GO_RUNNING:
    return g->assist ? TA_STATE_GC_ASSIST : TA_STATE_RUNNING;
  case TA_GO_RUNNABLE:
    return TA_STATE_RUNNABLE;
  case TA_GO_WAITING:
    return reason_class(gp, g->reason);
  case TA_GO_SYSCALL:
    return g->sys_blocked ? TA_STATE_SYSCALL_BLOCKED : TA_STATE_SYSCALL;
  default:
    return TA_STATE_NONE;
  }
}

/* A live goroutine, or NULL. */
static lg *
find_g(genproc *gp, gint64 id)
{
  if (gp->last_g && gp->last_g->id == id)
    return gp->last_g;
  lg **slot = &gp->g_cache[(guint64)id % G_CACHE];
  if (*slot && (*slot)->id == id)
    return *slot;
  lg *g = idmap_get(&gp->gs, id);
  if (g)
    *slot = g;
  return g;
}

static lg *
get_g(genproc *gp, gint64 id, gint64 t)
{
  lg *g = find_g(gp, id);
  if (!g) {
    g = g_new0(lg, 1);
    g->id = id;
    g->gs = TA_GO_UNDETERMINED;
    g->p = g->m = TA_ID_NONE;
    g->gcw = -1;
    g->tr = track_new(gp, TA_TRACK_GOROUTINE, id, t);
    idmap_put(&gp->gs, id, g);
    g->idx = gp->lgs->len;
    g_ptr_array_add(gp->lgs, g);
    gp->g_cache[(guint64)id % G_CACHE] = g;
  }
  gp->last_g = g;
  return g;
}

/* Notes the start function (root frame) of the first stack seen. */
static void
g_note_stack(genproc *gp, lg *g, TaStackId stack)
{
  if (!stack || g->tr->start_func)
    return;
  guint d = ms_stack_depth(gp->cfg.strtab, stack);
  if (!d)
    return;
  TaStringId fn = ms_frame_func(gp->cfg.strtab, ms_stack_frame_id(gp->cfg.strtab, stack, d - 1));
  g->tr->start_func = fn;
  if (fn && fn == gp->gc_worker_fn)
    g->gcw = 1;
  else if (g->gcw < 0 && fn)
    g->gcw = 0;
}

static gboolean
is_gc_worker(genproc *gp, gint64 gid)
{
  if (gid < 0)
    return FALSE;
  lg *g = find_g(gp, gid);
  return g && g->gcw == 1;
}

/* Re-evaluates a goroutine's class after a change at t. `real` is FALSE for
 * status information, which refines a head instead of starting a span. */
static void
g_update(genproc *gp, lg *g, gint64 t, gboolean real)
{
  guint cls = g_cls(gp, g);
  cur_span *c = &g->cur;
  if (c->open && c->cls == cls)
    return;
  if (c->open && c->head && !real) {
    c->cls = (guint8)cls;
    return;
  }
  cur_close(gp, g->tr, c, t, 0, 0, c->cls);
  if (cls != TA_STATE_NONE)
    cur_open(c, FALSE, t, cls, 0, g->reason, c->stack, g->id, g->p, g->gs, g->gs);
}

/* ---- procs ---- */

/* Procs numbered below this are found by index. */
#define P_BY_ID_MAX 4096

/* get_p for a proc not found by index. */
static lp *
get_p_slow(genproc *gp, gint64 id)
{
  gboolean small = id >= 0 && id < P_BY_ID_MAX;
  lp *p = small ? NULL : idmap_get(&gp->ps, id);
  if (!p) {
    p = g_new0(lp, 1);
    p->id = id;
    p->ps = TA_PROC_UNDETERMINED;
    p->g = p->sys_g = TA_ID_NONE;
    /* its track is made with its first span */
    if (small) {
      if (id >= gp->n_p_by_id) {
        guint32 n = MAX((guint32)id + 1, gp->n_p_by_id * 2);
        gp->p_by_id = g_renew(lp *, gp->p_by_id, n);
        memset(gp->p_by_id + gp->n_p_by_id, 0, (n - gp->n_p_by_id) * sizeof(lp *));
        gp->n_p_by_id = n;
      }
      gp->p_by_id[id] = p;
    } else {
      idmap_put(&gp->ps, id, p);
    }
    g_ptr_array_add(gp->lps, p);
  }
  return p;
}

/* Inline: a few calls per goroutine transition, nearly always for a proc
 * that exists and has a small id. */
static inline lp *
get_p(genproc *gp, gint64 id, gint64 t)
{
  (void)t;
  if (G_LIKELY(id >= 0 && id < gp->n_p_by_id && gp->p_by_id[id]))
    return gp->p_by_id[id];
  return get_p_slow(gp, id);
}

/* An existing proc, or NULL. */
static lp *
find_p(genproc *gp, gint64 id)
{
  if (id >= 0 && id < P_BY_ID_MAX)
    return id < gp->n_p_by_id ? gp->p_by_id[id] : NULL;
  return idmap_get(&gp->ps, id);
}

static guint
p_base(const lp *p, gint64 *g)
{
  *g = TA_ID_NONE;
  if (p->ps == TA_PROC_IDLE)
    return TA_STATE_PROC_IDLE;
  if (p->ps != TA_PROC_RUNNING)
    return TA_STATE_NONE;
  if (p->g >= 0) {
    *g = p->g;
    return TA_STATE_PROC_RUNNING;
  }
  if (p->sys_g >= 0) {
    *g = p->sys_g;
    return TA_STATE_PROC_SYSCALL;
  }
  return TA_STATE_PROC_SCHED;
}

static guint
p_final_cls(genproc *gp, const cur_span *c)
{
  if (c->cls == TA_STATE_PROC_RUNNING && is_gc_worker(gp, c->g))
    return TA_STATE_PROC_GC;
  return c->cls;
}

/* Inline: called two to four times per goroutine transition, mostly with
 * `real` constant. */
static inline __attribute__((always_inline)) void
p_update(genproc *gp, lp *p, gint64 t, gboolean real)
{
  gint64 g;
  guint cls = p_base(p, &g);
  guint64 jkey = (guint64)cls << 56 ^ (guint64)(g + 1);
  cur_span *c = &p->cur;
  if (c->open && c->jkey == jkey)
    return;
  if (c->open && c->head && !real) {
    c->cls = (guint8)cls;
    c->g = g;
    c->jkey = jkey;
    return;
  }
  if (cls != TA_STATE_NONE && !p->tr)
    p->tr = track_new(gp, TA_TRACK_PROC, p->id, t);
  if (!c->open && !real) {
    if (cls != TA_STATE_NONE)
      cur_open(c, TRUE, t, cls, 0, 0, 0, g, p->id, jkey, 0);
    return;
  }
  cur_close(gp, p->tr, c, t, 0, 0, p_final_cls(gp, c));
  if (cls != TA_STATE_NONE)
    cur_open(c, FALSE, t, cls, 0, 0, 0, g, p->id, jkey, 0);
}

/* ---- threads ---- */

/* get_m for a thread other than the last one. */
static lm *
get_m_slow(genproc *gp, gint64 id)
{
  if (id < 0)
    return NULL;
  lm *m = idmap_get(&gp->ms, id);
  if (!m) {
    m = g_new0(lm, 1);
    m->id = id;
    m->p = m->g = TA_ID_NONE;
    /* its track is made with its first span */
    idmap_put(&gp->ms, id, m);
    g_ptr_array_add(gp->lms, m);
  }
  gp->last_m = m;
  return m;
}

/* Inline: a few calls per goroutine transition, mostly for the last thread. */
static inline lm *
get_m(genproc *gp, gint64 id, gint64 t)
{
  (void)t;
  if (G_LIKELY(gp->last_m && gp->last_m->id == id))
    return gp->last_m;
  return get_m_slow(gp, id);
}

static guint
m_cls(const lm *m)
{
  if (m->sys)
    return TA_STATE_THREAD_SYSCALL;
  if (m->g >= 0)
    return TA_STATE_THREAD_RUNNING;
  if (m->p >= 0)
    return TA_STATE_THREAD_PROC;
  return TA_STATE_NONE;
}

/* Inline: called two to four times per goroutine transition, mostly with
 * `real` constant. */
static inline __attribute__((always_inline)) void
m_update(genproc *gp, lm *m, gint64 t, gboolean real)
{
  if (!m)
    return;
  guint cls = m_cls(m);
  gint64 g = cls == TA_STATE_THREAD_PROC ? TA_ID_NONE : m->g;
  guint64 jkey = (guint64)cls << 56 ^ (guint64)(m->p + 1) << 28 ^ (guint64)(g + 1);
  cur_span *c = &m->cur;
  if (c->open && c->jkey == jkey)
    return;
  if (c->open && c->head && !real) {
    gp->out->count0[GP_COUNT_M_RUNNING] -= c->cls == TA_STATE_THREAD_RUNNING;
    gp->out->count0[GP_COUNT_M_SYSCALL] -= c->cls == TA_STATE_THREAD_SYSCALL;
    c->cls = (guint8)cls;
    c->g = g;
    c->p = m->p;
    c->jkey = jkey;
    gp->out->count0[GP_COUNT_M_RUNNING] += cls == TA_STATE_THREAD_RUNNING;
    gp->out->count0[GP_COUNT_M_SYSCALL] += cls == TA_STATE_THREAD_SYSCALL;
    return;
  }
  if (cls != TA_STATE_NONE && !m->tr)
    m->tr = track_new(gp, TA_TRACK_THREAD, m->id, t);
  if (!c->open && !real) {
    if (cls != TA_STATE_NONE) {
      cur_open(c, TRUE, t, cls, 0, 0, 0, g, m->p, jkey, 0);
      gp->out->count0[GP_COUNT_M_RUNNING] += cls == TA_STATE_THREAD_RUNNING;
      gp->out->count0[GP_COUNT_M_SYSCALL] += cls == TA_STATE_THREAD_SYSCALL;
    }
    return;
  }
  guint old = c->open ? c->cls : TA_STATE_NONE;
  cur_close(gp, m->tr, c, t, 0, 0, c->cls);
  if (cls != TA_STATE_NONE)
    cur_open(c, FALSE, t, cls, 0, 0, 0, g, m->p, jkey, 0);
  if (old != cls) {
    count_move(gp, m_count_index(old), m_count_index(cls), t);
  }
}

/* ---- state transitions ---- */

/* The proc `p` went idle at t: a goroutine in a syscall on the thread that
 * held it is now blocked in that syscall. */
static void
syscall_block(genproc *gp, lm *m, gint64 t)
{
  if (!m || !m->sys || m->g < 0)
    return;
  lg *g = find_g(gp, m->g);
  if (!g || g->gs != TA_GO_SYSCALL || g->sys_blocked)
    return;
  g->sys_blocked = TRUE;
  g_update(gp, g, t, TRUE);
}

/* A goroutine created and destroyed in this generation, with no spans kept
 * and no region left open: keep a small record, free the rest. */
static void
compact_goroutine(genproc *gp, lg *g)
{
  gp_track *tr = g->tr;
  if (!tr->created || tr->has_head || tr->spans || g->cur.open || (g->rstack && g->rstack->len))
    return;
  gp_out *o = gp->out;
  if (gp->cfg.shift)
    ms_l0_finish(&tr->l0);
  mu_buf *b = &o->done_recs;
  g_assert(b->len <= G_MAXUINT32);
  gp_done_at at = { tr->order, (guint32)b->len };
  if (o->done_at->len == 0)
    o->done_time_base = tr->creation_time;
  /* Each value against one close to it, so that most take a byte or three. */
  mu_buf_uv(b, mu_zz(tr->key.id));
  mu_buf_uv(b, mu_zz(mu_wrap_sub(tr->parent, tr->key.id)));
  mu_buf_uv(b, mu_zz(mu_wrap_sub(tr->creation_time, o->done_time_base)));
  mu_buf_uv(b, mu_zz(mu_wrap_sub(tr->end_time, tr->creation_time)));
  mu_buf_uv(b, tr->creation_stack);
  mu_buf_uv(b, tr->start_stack);
  mu_buf_uv(b, tr->start_func);
  mu_buf_uv(b, tr->n_internal);
  mu_buf_uv(b, tr->l0.out.len);
  mu_buf_append(b, tr->l0.out.data, tr->l0.out.len);
  g_array_append_val(o->done_at, at);
  g_hash_table_remove(o->by_key, &tr->key);
  o->tracks->pdata[tr->order] = NULL;
  ms_l0_clear(&tr->l0);
  g_free(tr);
  idmap_remove(&gp->gs, g->id);
  /* lgs keeps only live goroutines: the last one takes this one's place. */
  g_ptr_array_remove_index_fast(gp->lgs, g->idx);
  if (g->idx < gp->lgs->len)
    ((lg *)g_ptr_array_index(gp->lgs, g->idx))->idx = g->idx;
  if (gp->last_g == g)
    gp->last_g = NULL;
  if (gp->g_cache[(guint64)g->id % G_CACHE] == g)
    gp->g_cache[(guint64)g->id % G_CACHE] = NULL;
  if (g->rstack)
    g_array_free(g->rstack, TRUE);
  g_free(g);
}

static void
go_transition(genproc *gp, const mev *ev)
{
  gint64 t = ev->time;
  lg *g = get_g(gp, ev->rid, t);
  gboolean status = ev->type == TA_EV_GO_STATUS || ev->type == TA_EV_GO_STATUS_STACK;
  guint8 nw = ev->new_state;
  TaStackId stack = ev->tstack;
  g_note_stack(gp, g, stack);

  if (status) {
    gint64 mid = (gint64)ev->a0;
    if (g->gs == TA_GO_UNDETERMINED) {
      /* First sight in this generation: a head. */
      g->gs = nw;
      g->reason = 0;
      g->p = (nw == TA_GO_RUNNING || nw == TA_GO_SYSCALL) ? ev->p : TA_ID_NONE;
      g->m = mid;
      g->sys_blocked = nw == TA_GO_SYSCALL && ev->p < 0;
      if (gp->cfg.first_gen && nw == TA_GO_SYSCALL && ev->p >= 0)
        idmap_put(&gp->status_sys, ev->p, g);
      /* A goroutine in a syscall on a thread whose proc was stolen earlier in
       * this generation: blocked since the steal (its P was held until then). */
      gint64 stolen_at = 0;
      if (nw == TA_GO_SYSCALL && mid >= 0)
        stolen_at = (gint64)GPOINTER_TO_SIZE(idmap_get(&gp->stolen, mid));
      if (stolen_at)
        g->sys_blocked = FALSE;
      guint cls = g_cls(gp, g);
      if (cls != TA_STATE_NONE) {
        cur_open(&g->cur, TRUE, t, cls, 0, 0, stack, g->id, g->p, nw, nw);
        gint ci = go_count_index(nw);
        if (ci >= 0)
          gp->out->count0[ci]++;
      }
      if (stolen_at) {
        idmap_put(&gp->stolen, mid, TOMB);
        g->sys_blocked = TRUE;
        cur_close(gp, g->tr, &g->cur, stolen_at, 0, 0, g->cur.cls);
        cur_open(&g->cur, FALSE, stolen_at, g_cls(gp, g), 0, 0, stack, g->id, TA_ID_NONE, nw, nw);
      }
      if (nw == TA_GO_RUNNING) {
        if (ev->p >= 0) {
          lp *p = get_p(gp, ev->p, t);
          p->g = g->id;
          p_update(gp, p, t, FALSE);
        }
        lm *m = get_m(gp, mid, t);
        if (m) {
          m->g = g->id;
          m->sys = FALSE;
          m_update(gp, m, t, FALSE);
        }
      } else if (nw == TA_GO_SYSCALL) {
        if (ev->p >= 0 && mid == ev->m) {
          lp *p = get_p(gp, ev->p, t);
          p->sys_g = g->id;
          p_update(gp, p, t, FALSE);
        }
        lm *m = get_m(gp, mid, t);
        if (m) {
          m->g = g->id;
          m->sys = TRUE;
          m_update(gp, m, t, FALSE);
        }
      }
      return;
    }
    if (g->gs == nw)
      return;
  }

  guint8 old = g->gs;
  gboolean creation = ev->old_state == TA_GO_NOT_EXIST;
  if (old == TA_GO_UNDETERMINED && !creation) {
    /* A transition without a status first: start from what it says. */
    old = ev->old_state;
    g->gs = old;
    guint cls = g_cls(gp, g);
    if (cls != TA_STATE_NONE)
      cur_open(&g->cur, TRUE, t, cls, 0, 0, 0, g->id, ev->p, old, old);
    gint ci = go_count_index(old);
    if (ci >= 0)
      gp->out->count0[ci]++;
  }
  if (creation) {
    g->tr->created = TRUE;
    g->tr->creation_time = t;
    g->tr->parent = ev->g;
    g->tr->creation_stack = ev->stack;
    g->tr->start_stack = stack;
    old = TA_GO_NOT_EXIST;
  }

  /* The goroutine leaves `old`. */
  gint64 gp_p = g->p, gp_m = g->m;
  if (old == TA_GO_RUNNING && nw != TA_GO_RUNNING) {
    lp *p = gp_p >= 0 ? get_p(gp, gp_p, t) : NULL;
    lm *m = get_m(gp, ev->m >= 0 ? ev->m : gp_m, t);
    if (nw == TA_GO_SYSCALL) {
      if (p) {
        p->g = TA_ID_NONE;
        p->sys_g = g->id;
        p_update(gp, p, t, TRUE);
      }
      if (m) {
        m->sys = TRUE;
        m->g = g->id;
        m_update(gp, m, t, TRUE);
      }
    } else {
      if (p && p->g == g->id) {
        p->g = TA_ID_NONE;
        p_update(gp, p, t, TRUE);
      }
      if (m && m->g == g->id) {
        m->g = TA_ID_NONE;
        m_update(gp, m, t, TRUE);
      }
    }
  }
  if (old == TA_GO_SYSCALL && nw != TA_GO_SYSCALL) {
    lm *m = get_m(gp, ev->m >= 0 ? ev->m : gp_m, t);
    if (nw == TA_GO_RUNNING) {
      lp *p = ev->p >= 0 ? get_p(gp, ev->p, t) : NULL;
      if (p) {
        p->sys_g = TA_ID_NONE;
        p->g = g->id;
        p_update(gp, p, t, TRUE);
      }
      if (m) {
        m->sys = FALSE;
        m->g = g->id;
        m_update(gp, m, t, TRUE);
      }
    } else {
      if (gp_p >= 0) {
        lp *p = find_p(gp, gp_p);
        if (p && p->sys_g == g->id) {
          p->sys_g = TA_ID_NONE;
          p_update(gp, p, t, TRUE);
        }
      }
      if (m) {
        m->sys = FALSE;
        m->g = TA_ID_NONE;
        m_update(gp, m, t, TRUE);
      }
    }
    g->sys_blocked = FALSE;
  }

  /* The goroutine enters `nw`. */
  cur_span *c = &g->cur;
  guint old_cls = c->open ? c->cls : TA_STATE_NONE;
  guint8 end_flags = nw == TA_GO_NOT_EXIST ? TA_SPAN_ENDS_IN_DEATH : 0;
  cur_close(gp, g->tr, c, t, end_flags, stack, old_cls);
  count_move(gp, go_count_index(old), go_count_index(nw), t);
  g->gs = nw;
  g->reason = 0;
  if (nw == TA_GO_WAITING || nw == TA_GO_RUNNABLE)
    g->reason = ev->reason;
  if (nw == TA_GO_RUNNING || nw == TA_GO_SYSCALL) {
    g->p = ev->p;
    g->m = ev->m;
  } else if (nw != TA_GO_SYSCALL) {
    g->p = TA_ID_NONE;
  }
  if (nw == TA_GO_NOT_EXIST) {
    g->tr->ended = TRUE;
    g->tr->end_time = t;
    g->assist = FALSE;
  } else {
    if (nw == TA_GO_WAITING && g->reason && g->reason == gp->forever) {
      g->tr->forever = TRUE;
      if (g->tr->end_time == TA_TIME_NONE)
        g->tr->end_time = t;
    }
    guint cls = g_cls(gp, g);
    TaStackId span_stack = creation ? stack : stack;
    cur_open(c, FALSE, t, cls, creation ? TA_SPAN_CREATED : 0, g->reason, span_stack, g->id,
             (nw == TA_GO_RUNNING || nw == TA_GO_SYSCALL) ? ev->p : TA_ID_NONE, nw, nw);
  }

  if (nw == TA_GO_RUNNING && old != TA_GO_SYSCALL) {
    lp *p = ev->p >= 0 ? get_p(gp, ev->p, t) : NULL;
    if (p) {
      p->g = g->id;
      if (p->sys_g == g->id)
        p->sys_g = TA_ID_NONE;
      p_update(gp, p, t, TRUE);
    }
    lm *m = get_m(gp, ev->m, t);
    if (m) {
      m->g = g->id;
      m->sys = FALSE;
      m_update(gp, m, t, TRUE);
    }
  } else if (nw == TA_GO_SYSCALL && old != TA_GO_RUNNING) {
    /* GoCreateSyscall: a thread calling into Go. */
    lm *m = get_m(gp, ev->m, t);
    if (m) {
      m->g = g->id;
      m->sys = TRUE;
      m_update(gp, m, t, TRUE);
    }
  }
  if (nw == TA_GO_NOT_EXIST)
    compact_goroutine(gp, g);
  (void)old_cls;
}

static void
proc_transition(genproc *gp, const mev *ev)
{
  gint64 t = ev->time;
  lp *p = get_p(gp, ev->rid, t);
  guint8 nw = ev->new_state;
  gboolean status = ev->type == TA_EV_PROC_STATUS;
  if (status) {
    /* From the wire status, so that a generation decoded alone and one
     * decoded after its predecessor agree: a proc whose thread is in a
     * syscall ("syscall abandoned") is still held by it, except in the first
     * generation of the trace, where Go calls it idle. */
    switch (ev->a0) {
    case 1:
    case 3:
      nw = TA_PROC_RUNNING;
      break;
    case 2:
      nw = TA_PROC_IDLE;
      break;
    case 4:
      nw = gp->cfg.first_gen ? TA_PROC_IDLE : TA_PROC_RUNNING;
      break;
    default:
      break;
    }
  }
  if (status && p->ps == TA_PROC_UNDETERMINED) {
    p->ps = nw;
    /* Only a plainly running proc names its thread: for one held by a thread
     * in a syscall, the event's thread depends on how the trace is read. */
    if (nw == TA_PROC_RUNNING && ev->a0 == 1) {
      lm *m = get_m(gp, ev->m, t);
      if (m) {
        m->p = p->id;
        m_update(gp, m, t, FALSE);
      }
    }
    p_update(gp, p, t, FALSE);
    if (gp->cfg.first_gen && nw == TA_PROC_IDLE) {
      /* Go's summariser: a proc named idle while a goroutine's status put it
       * in a syscall on it, in the first generation, blocks that syscall. */
      lg *g = idmap_get(&gp->status_sys, p->id);
      if (g && g->gs == TA_GO_SYSCALL && !g->sys_blocked) {
        g->sys_blocked = TRUE;
        g_update(gp, g, t, TRUE);
      }
    }
    return;
  }
  if (status && p->ps == nw)
    return;
  guint8 old = p->ps;
  p->ps = nw;
  if (nw == TA_PROC_IDLE) {
    lm *victim = NULL;
    if (ev->type == TA_EV_PROC_STEAL)
      victim = get_m(gp, (gint64)ev->a0, t);
    else
      victim = get_m(gp, ev->m, t);
    if (old != TA_PROC_IDLE) {
      /* Find the thread that held it (the victim of a steal, or the stopper). */
      lm *holder = victim;
      if (holder && holder->p != p->id) {
        for (guint i = 0; i < gp->lms->len; i++) {
          lm *m = g_ptr_array_index(gp->lms, i);
          if (m->p == p->id) {
            holder = m;
            break;
          }
        }
      }
      if (holder && (!holder->sys || holder->g < 0) && ev->type == TA_EV_PROC_STEAL &&
          !idmap_get(&gp->stolen, holder->id))
        idmap_put(&gp->stolen, holder->id, GSIZE_TO_POINTER((gsize)t));
      syscall_block(gp, holder, t);
      if (gp->cfg.first_gen) {
        lg *g = idmap_get(&gp->status_sys, p->id);
        if (g && g->gs == TA_GO_SYSCALL && !g->sys_blocked) {
          g->sys_blocked = TRUE;
          g_update(gp, g, t, TRUE);
        }
        if (idmap_get(&gp->status_sys, p->id))
          idmap_put(&gp->status_sys, p->id, TOMB);
      }
      if (holder && holder->p == p->id) {
        holder->p = TA_ID_NONE;
        m_update(gp, holder, t, TRUE);
      }
    }
    p->g = p->sys_g = TA_ID_NONE;
  } else if (nw == TA_PROC_RUNNING) {
    lm *m = get_m(gp, ev->m, t);
    if (m) {
      m->p = p->id;
      m_update(gp, m, t, TRUE);
    }
  }
  p_update(gp, p, t, TRUE);
}

/* ---- ranges ---- */

static void
range_event(genproc *gp, const mev *ev)
{
  gint64 t = ev->time;
  switch (ev->type) {
  case TA_EV_GC_MARK_ASSIST_BEGIN:
  case TA_EV_GC_MARK_ASSIST_ACTIVE:
  case TA_EV_GC_MARK_ASSIST_END: {
    gint64 gid = ev->type == TA_EV_GC_MARK_ASSIST_ACTIVE ? (gint64)ev->a0 : ev->g;
    if (gid < 0)
      return;
    lg *g = get_g(gp, gid, t);
    gboolean on = ev->type != TA_EV_GC_MARK_ASSIST_END;
    if (g->assist == on)
      return;
    g->assist = on;
    g_update(gp, g, t, ev->type != TA_EV_GC_MARK_ASSIST_ACTIVE);
    return;
  }
  default:
    break;
  }
  gp_range r = { 0 };
  r.type = ev->type;
  r.kind = (guint8)ev->kind;
  r.time = t;
  r.g = ev->g;
  switch (ev->type) {
  case TA_EV_STW_BEGIN:
    r.reason = ev->reason;
    r.stack = ev->stack;
    r.scope = ev->g;
    break;
  case TA_EV_STW_END:
    r.scope = ev->g;
    break;
  case TA_EV_GC_BEGIN:
  case TA_EV_GC_ACTIVE:
    r.scope = (gint64)ev->a0;
    if (ev->type == TA_EV_GC_BEGIN)
      r.stack = ev->stack;
    break;
  case TA_EV_GC_END:
    r.scope = (gint64)ev->a0;
    break;
  case TA_EV_GC_SWEEP_ACTIVE:
    r.scope = (gint64)ev->a0;
    break;
  case TA_EV_GC_SWEEP_BEGIN:
  case TA_EV_GC_SWEEP_END:
    r.scope = ev->p;
    break;
  default:
    return;
  }
  g_array_append_val(gp->out->ranges, r);
}

/* ---- user annotations ---- */

static void
region_event(genproc *gp, const mev *ev)
{
  if (ev->g < 0)
    return;
  lg *g = get_g(gp, ev->g, ev->time);
  if (!g->rstack)
    g->rstack = g_array_new(FALSE, FALSE, sizeof(guint));
  TaStringId type = ev->reason;
  TaStackId stack = ev->stack;
  if (ev->kind == TA_KIND_REGION_BEGIN) {
    gp_region r = { 0 };
    r.g = g->id;
    r.begin = ev->time;
    r.end = TA_TIME_NONE;
    r.task = ev->a0;
    r.type = type;
    r.stack = stack;
    r.local_depth = g->rstack->len;
    r.popped_before = g->popped;
    guint idx = gp->out->regions->len;
    g_array_append_val(gp->out->regions, r);
    g_array_append_val(g->rstack, idx);
    return;
  }
  if (g->rstack->len) {
    guint idx = g_array_index(g->rstack, guint, g->rstack->len - 1);
    g_array_set_size(g->rstack, g->rstack->len - 1);
    gp_region *r = &g_array_index(gp->out->regions, gp_region, idx);
    r->end = ev->time;
    r->end_stack = stack;
    return;
  }
  /* Ends a region begun before this generation. */
  gp_region r = { 0 };
  r.g = g->id;
  r.begin = TA_TIME_NONE;
  r.end = ev->time;
  r.task = ev->a0;
  r.type = type;
  r.end_stack = stack;
  r.popped_before = g->popped;
  g->popped++;
  g_array_append_val(gp->out->regions, r);
}

static void
user_event(genproc *gp, const mev *ev)
{
  gp_user u = { 0 };
  u.kind = ev->kind;
  u.time = ev->time;
  u.g = ev->g;
  u.stack = ev->stack;
  switch (ev->kind) {
  case TA_KIND_TASK_BEGIN:
  case TA_KIND_TASK_END:
    u.id = ev->a0;
    u.parent = ev->a1;
    u.type = ev->reason;
    break;
  case TA_KIND_LOG:
    u.id = ev->a0;
    u.category = ev->reason;
    u.message = ev->msg;
    break;
  default:
    return;
  }
  g_array_append_val(gp->out->user, u);
}

/* ---- driver ---- */

genproc *
genproc_new(const gp_config *cfg)
{
  genproc *gp = g_new0(genproc, 1);
  gp->cfg = *cfg;
  gp_out *o = g_new0(gp_out, 1);
  o->tracks = g_ptr_array_new();
  o->done_at = g_array_new(FALSE, FALSE, sizeof(gp_done_at));
  o->by_key = g_hash_table_new((GHashFunc)ta_track_key_hash, (GEqualFunc)ta_track_key_equal);
  o->regions = g_array_new(FALSE, FALSE, sizeof(gp_region));
  o->ranges = g_array_new(FALSE, FALSE, sizeof(gp_range));
  o->user = g_array_new(FALSE, FALSE, sizeof(gp_user));
  o->samples = g_array_new(FALSE, FALSE, sizeof(gp_sample));
  for (guint i = 0; i < 3; i++)
    o->metric[i] = g_array_new(FALSE, FALSE, sizeof(gp_metric_sample));
  for (guint i = 0; i < GP_N_COUNTS; i++)
    o->counts[i] = g_array_new(FALSE, FALSE, sizeof(mm_acc));
  o->sync_time = TA_TIME_NONE;
  o->count_shift = cfg->count_shift;
  o->l0_shift = cfg->shift;
  gp->out = o;
  gp->lgs = g_ptr_array_new();
  gp->lps = g_ptr_array_new();
  gp->lms = g_ptr_array_new();
  ms_gen_map_init(&gp->map, cfg->strtab);
  gp->last_t = cfg->floor;
  for (guint i = 0; i < GP_N_COUNTS; i++)
    gp->cnt[i].b = G_MININT64;
  count_bucket_reset(gp);
  gp->gc_worker_fn = ms_intern(cfg->strtab, "runtime.gcBgMarkWorker",
                               strlen("runtime.gcBgMarkWorker"));
  gp->forever = ms_intern(cfg->strtab, "forever", strlen("forever"));
  return gp;
}

void
genproc_free(genproc *gp)
{
  if (!gp)
    return;
  for (guint i = 0; i < gp->lgs->len; i++) {
    lg *g = g_ptr_array_index(gp->lgs, i);
    if (!g)
      continue;
    if (g->rstack)
      g_array_free(g->rstack, TRUE);
    g_free(g);
  }
  for (guint i = 0; i < gp->lps->len; i++)
    g_free(g_ptr_array_index(gp->lps, i));
  for (guint i = 0; i < gp->lms->len; i++)
    g_free(g_ptr_array_index(gp->lms, i));
  g_ptr_array_free(gp->lgs, TRUE);
  g_ptr_array_free(gp->lps, TRUE);
  g_ptr_array_free(gp->lms, TRUE);
  idmap_free(&gp->gs);
  idmap_free(&gp->ps);
  g_free(gp->p_by_id);
  idmap_free(&gp->ms);
  idmap_free(&gp->status_sys);
  idmap_free(&gp->stolen);
  ms_gen_map_clear(&gp->map);
  g_free(gp->reason_cls);
  gp_out_free(gp->out);
  g_free(gp);
}

void
genproc_mev(genproc *gp, mev *evp)
{
  gp_out *o = gp->out;
#define ev (*evp)
  /* Go's reader: times strictly increase over the whole trace. */
  if (ev.time <= gp->last_t)
    ev.time = gp->last_t + 1;
  gp->last_t = ev.time;
  if (ev.kind == TA_KIND_SYNC) {
    if (!ev.a0) {
      /* The Sync that closes the trace: its time is Go's end of trace. */
      o->last_time = MAX(o->last_time, ev.time);
      return;
    }
    if (!gp->started) {
      gp->started = TRUE;
      o->sync_time = ev.time;
      if (gp->cfg.provisional)
        gp->cfg.origin = ev.time;
      count_bucket_reset(gp);
      for (guint i = 0; i < GP_N_COUNTS; i++)
        count_sample(gp, i, ev.time);
    }
    o->n_events++;
    o->last_time = ev.time;
    o->last_event = ev.time;
    return;
  }
  o->n_events++;
  o->last_time = ev.time;
  o->last_event = ev.time;
  switch (ev.kind) {
  case TA_KIND_STATE_TRANSITION:
    if (ev.res == TA_RESOURCE_GOROUTINE)
      go_transition(gp, &ev);
    else if (ev.res == TA_RESOURCE_PROC)
      proc_transition(gp, &ev);
    break;
  case TA_KIND_RANGE_BEGIN:
  case TA_KIND_RANGE_ACTIVE:
  case TA_KIND_RANGE_END:
    range_event(gp, &ev);
    break;
  case TA_KIND_METRIC: {
    guint i = ev.type == TA_EV_HEAP_ALLOC ? 0 : ev.type == TA_EV_HEAP_GOAL ? 1 : 2;
    gp_metric_sample s = { ev.time, (gint64)ev.a0 };
    g_array_append_val(o->metric[i], s);
    break;
  }
  case TA_KIND_LABEL:
    if (ev.g >= 0 && g_str_has_prefix(ms_string(gp->cfg.strtab, ev.reason), "GC (")) {
      lg *g = get_g(gp, ev.g, ev.time);
      g->gcw = 1;
    }
    break;
  case TA_KIND_STACK_SAMPLE: {
    gp_sample s = { ev.time, ev.g, ev.p, ev.m, ev.stack };
    g_array_append_val(o->samples, s);
    break;
  }
  case TA_KIND_REGION_BEGIN:
  case TA_KIND_REGION_END:
    region_event(gp, &ev);
    break;
  case TA_KIND_TASK_BEGIN:
  case TA_KIND_TASK_END:
  case TA_KIND_LOG:
    user_event(gp, &ev);
    break;
  default:
    break;
  }
#undef ev
}

void
genproc_event(genproc *gp, const ta_event *ev)
{
  mev m;
  mev_from_event(&m, ev, &gp->map);
  genproc_mev(gp, &m);
}

static void
finish_cur(genproc *gp, gp_track *tr, cur_span *c, guint cls)
{
  if (!c->open)
    return;
  gp_piece pc;
  piece_from(&pc, c, cls);
  if (c->head) {
    tr->head = pc;
    tr->has_head = TRUE;
    tr->head_is_tail = TRUE;
  }
  tr->tail = pc;
  tr->has_tail = TRUE;
  c->open = FALSE;
}

static gint
cmp_done(gconstpointer a, gconstpointer b)
{
  const gp_done_at *x = a, *y = b;
  return x->order < y->order ? -1 : x->order > y->order;
}

guint
gp_out_n_done(const gp_out *o)
{
  return o->done_at->len;
}

void
gp_out_done(const gp_out *o, guint i, gp_done *d)
{
  const gp_done_at *at = &g_array_index(o->done_at, gp_done_at, i);
  const guint8 *p = o->done_recs.data + at->off;
  guint64 v;
  d->order = at->order;
  p = mu_get_uv(p, &v);
  d->id = mu_unzz(v);
  p = mu_get_uv(p, &v);
  d->parent = mu_wrap_add(d->id, mu_unzz(v));
  p = mu_get_uv(p, &v);
  d->creation_time = mu_wrap_add(o->done_time_base, mu_unzz(v));
  p = mu_get_uv(p, &v);
  d->end_time = mu_wrap_add(d->creation_time, mu_unzz(v));
  p = mu_get_uv(p, &v);
  d->creation_stack = (TaStackId)v;
  p = mu_get_uv(p, &v);
  d->start_stack = (TaStackId)v;
  p = mu_get_uv(p, &v);
  d->start_func = (TaStringId)v;
  p = mu_get_uv(p, &d->n_internal);
  p = mu_get_uv(p, &v);
  d->l0_len = (guint32)v;
  d->l0 = p;
}

gp_out *
genproc_finish(genproc *gp)
{
  gp_out *o = gp->out;
  g_array_sort(o->done_at, cmp_done);
  for (guint i = 0; i < GP_N_COUNTS; i++)
    count_flush(gp, i);
  for (guint i = 0; i < gp->lgs->len; i++) {
    lg *g = g_ptr_array_index(gp->lgs, i);
    if (g)
      finish_cur(gp, g->tr, &g->cur, g->cur.cls);
  }
  for (guint i = 0; i < gp->lps->len; i++) {
    lp *p = g_ptr_array_index(gp->lps, i);
    finish_cur(gp, p->tr, &p->cur, p_final_cls(gp, &p->cur));
  }
  for (guint i = 0; i < gp->lms->len; i++) {
    lm *m = g_ptr_array_index(gp->lms, i);
    finish_cur(gp, m->tr, &m->cur, m->cur.cls);
  }
  for (guint i = 0; i < o->tracks->len; i++) {
    gp_track *tr = g_ptr_array_index(o->tracks, i);
    if (tr && gp->cfg.shift)
      ms_l0_finish(&tr->l0);
  }
  o->complete = TRUE;
  gp->out = NULL;
  return o;
}

void
gp_out_free(gp_out *o)
{
  if (!o)
    return;
  for (guint i = 0; i < o->tracks->len; i++) {
    gp_track *tr = g_ptr_array_index(o->tracks, i);
    if (!tr)
      continue;
    ms_l0_clear(&tr->l0);
    if (tr->spans)
      g_array_free(tr->spans, TRUE);
    g_free(tr);
  }
  g_array_free(o->done_at, TRUE);
  mu_buf_free(&o->done_recs);
  g_ptr_array_free(o->tracks, TRUE);
  g_hash_table_destroy(o->by_key);
  g_array_free(o->regions, TRUE);
  g_array_free(o->ranges, TRUE);
  g_array_free(o->user, TRUE);
  g_array_free(o->samples, TRUE);
  for (guint i = 0; i < 3; i++)
    g_array_free(o->metric[i], TRUE);
  for (guint i = 0; i < GP_N_COUNTS; i++)
    g_array_free(o->counts[i], TRUE);
  g_free(o);
}

gsize
gp_out_memory(const gp_out *o)
{
  gsize n = sizeof *o + o->tracks->len * (sizeof(gp_track) + 64) +
            o->done_at->len * sizeof(gp_done_at) + o->done_recs.cap;
  for (guint i = 0; i < o->tracks->len; i++) {
    gp_track *tr = g_ptr_array_index(o->tracks, i);
    if (!tr)
      continue;
    n += tr->l0.out.cap;
    if (tr->spans)
      n += tr->spans->len * sizeof(TaSpan);
  }
  n += o->regions->len * sizeof(gp_region) + o->ranges->len * sizeof(gp_range) +
       o->user->len * sizeof(gp_user) + o->samples->len * sizeof(gp_sample);
  return n;
}
