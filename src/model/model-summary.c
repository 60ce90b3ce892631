/* model-summary.c: multi-resolution summaries ("mipmaps") of tracks.
 *
 * Level 0 buckets are 2^shift ns wide; each level above is 4 times wider.
 * A level is a stream of entries in bucket order:
 *
 *   uv (gap << 1 | is_run)        gap: empty buckets since the previous entry
 *   run:   uv (n - 1), byte state  n buckets entirely in one state, no span start
 *   mixed: uv count, uv mask, uv time for each state in the mask
 *
 * so a goroutine blocked for minutes costs one run per level. A level only
 * receives what the level below has written, so each coarser level is the
 * exact aggregate of the finer one; what the lower levels still hold open
 * (the open bucket and the pending run of each level) is added at query time.
 * A level is only materialised once the level below spans two buckets:
 * a short goroutine is one entry. */
#define G_LOG_DOMAIN "ta-model"

#include "model-private.h"

/* The most bytes an entry can take (see put_run and put_mixed). */
#define ENTRY_MAX (3 * 10 + TA_N_STATES * 10 + 8)

/* The most bytes this entry can take: level pages are reserved for that
 * much, so a track of a few entries keeps small pages (reserving
 * ENTRY_MAX took a 512-byte first page per level). */
static inline gsize
entry_max(const ms_acc *acc, gint64 run_n)
{
  if (run_n)
    return 10 + 10 + 1;
  return 10 + 10 + 5 + 10 * (gsize)__builtin_popcount(acc->mask);
}

static inline gint64
level_width(guint shift, guint k)
{
  return (gint64)1 << (shift + 2 * k);
}

static void
acc_reset(ms_acc *a)
{
  a->b = -1;
  a->mask = 0;
  a->count = 0;
  memset(a->t, 0, sizeof a->t);
}

/* Clears an acc by its mask (cheaper than a memset of every state). */
static inline void
acc_clear(ms_acc *a)
{
  for (guint32 m = a->mask; m; m &= m - 1)
    a->t[__builtin_ctz(m)] = 0;
  a->mask = 0;
  a->count = 0;
  a->b = -1;
}

static gboolean
acc_is_full_single(const ms_acc *a, gint64 width, guint *cls)
{
  if (a->count || !a->mask || (a->mask & (a->mask - 1)))
    return FALSE;
  guint c = (guint)__builtin_ctz(a->mask);
  if (a->t[c] != width)
    return FALSE;
  *cls = c;
  return TRUE;
}

/* Encodes a mixed entry. */
static guint8 *
put_mixed(guint8 *p, gint64 gap, const ms_acc *a)
{
  p = mu_put_uv(p, (guint64)gap << 1);
  p = mu_put_uv(p, a->count);
  p = mu_put_uv(p, a->mask);
  for (guint32 m = a->mask; m; m &= m - 1)
    p = mu_put_uv(p, (guint64)a->t[__builtin_ctz(m)]);
  return p;
}

static guint8 *
put_run(guint8 *p, gint64 gap, gint64 n, guint cls)
{
  p = mu_put_uv(p, (guint64)gap << 1 | 1);
  p = mu_put_uv(p, (guint64)(n - 1));
  *p++ = (guint8)cls;
  return p;
}

/* Decodes one entry; returns the next position. The acc gets the content
 * of a mixed entry (b set), or *run_n / *run_cls for a run. */
static const guint8 *
get_entry(const guint8 *p, gint64 *next_b, ms_acc *acc, gint64 *run_n, guint *run_cls)
{
  guint64 h, v;
  p = mu_get_uv(p, &h);
  gint64 b = *next_b + (gint64)(h >> 1);
  if (h & 1) {
    p = mu_get_uv(p, &v);
    *run_n = (gint64)v + 1;
    *run_cls = *p++;
    acc->b = b;
    *next_b = b + *run_n;
    return p;
  }
  *run_n = 0;
  acc->b = b;
  p = mu_get_uv(p, &acc->count);
  p = mu_get_uv(p, &v);
  acc->mask = (guint32)v;
  for (guint32 m = acc->mask; m; m &= m - 1) {
    p = mu_get_uv(p, &v);
    acc->t[__builtin_ctz(m)] = (gint64)v;
  }
  *next_b = b + 1;
  return p;
}

/* ---- tracks ---- */

static ms_level *
level_new(void)
{
  ms_level *lv = g_new0(ms_level, 1);
  mu_stream_init(&lv->data);
  mu_vec_init(&lv->skip, sizeof(ms_skip));
  acc_reset(&lv->acc);
  return lv;
}

static void
level_free(ms_level *lv)
{
  if (!lv)
    return;
  mu_stream_clear(&lv->data);
  mu_vec_clear(&lv->skip);
  g_free(lv);
}

ms_track *
ms_track_new(guint shift)
{
  ms_track *t = g_new0(ms_track, 1);
  t->ref = 1;
  t->shift = (guint8)shift;
  t->n_levels = 1;
  t->lv[0] = level_new();
  t->first = G_MAXINT64;
  t->last = G_MININT64;
  return t;
}

ms_track *
ms_track_ref(ms_track *t)
{
  g_atomic_int_inc(&t->ref);
  return t;
}

void
ms_track_unref(ms_track *t)
{
  if (!t || !g_atomic_int_dec_and_test(&t->ref))
    return;
  for (guint k = 0; k < TA_MAX_LEVELS; k++)
    level_free(t->lv[k]);
  g_free(t);
}

gsize
ms_track_memory(const ms_track *t)
{
  gsize n = sizeof *t;
  for (guint k = 0; k < t->n_levels; k++)
    n += sizeof(ms_level) + mu_stream_memory(&t->lv[k]->data) + mu_vec_memory(&t->lv[k]->skip);
  return n;
}

static void level_add_acc(ms_track *t, guint k, gint64 b, guint32 mask, const gint64 *times,
                          guint64 count);
static void level_add_run(ms_track *t, guint k, gint64 b0, gint64 n, guint cls);

/* Adds a written level-k entry to level k+1. */
static void
propagate(ms_track *t, guint k, gint64 b, const ms_acc *acc, gint64 run_n, guint run_cls)
{
  guint up = k + 1;
  if (up >= TA_MAX_LEVELS)
    return;
  if (run_n == 0) {
    level_add_acc(t, up, b >> 2, acc->mask, acc->t, acc->count);
    return;
  }
  gint64 w = level_width(t->shift, k);
  gint64 end = b + run_n;
  /* Partial parent at the start. */
  if (b & 3) {
    gint64 stop = MIN(end, (b | 3) + 1);
    gint64 times[TA_N_STATES] = { 0 };
    times[run_cls] = (stop - b) * w;
    level_add_acc(t, up, b >> 2, 1u << run_cls, times, 0);
    b = stop;
  }
  if (b >= end)
    return;
  gint64 full = (end - b) >> 2;
  if (full > 0) {
    level_add_run(t, up, b >> 2, full, run_cls);
    b += full << 2;
  }
  if (b < end) {
    gint64 times[TA_N_STATES] = { 0 };
    times[run_cls] = (end - b) * w;
    level_add_acc(t, up, b >> 2, 1u << run_cls, times, 0);
  }
}

/* Writes an entry at level k and hands it to level k+1, creating that level
 * once level k holds more than one bucket. */
static void
level_write(ms_track *t, guint k, gint64 b, const ms_acc *acc, gint64 run_n, guint run_cls)
{
  ms_level *lv = t->lv[k];
  const gsize max = entry_max(acc, run_n);
  if (lv->n_entries % MS_SKIP == 0) {
    ms_skip *s = mu_vec_push(&lv->skip);
    s->b = b;
    s->prev_end = lv->next_b;
    mu_stream_begin(&lv->data, max, &s->pos);
  }
  guint8 *p = mu_stream_begin(&lv->data, max, NULL);
  gint64 gap = b - lv->next_b;
  g_assert(gap >= 0);
  p = run_n ? put_run(p, gap, run_n, run_cls) : put_mixed(p, gap, acc);
  mu_stream_commit(&lv->data, p);
  lv->n_entries++;
  lv->next_b = b + (run_n ? run_n : 1);

  if (k + 1 >= TA_MAX_LEVELS)
    return;
  if (!t->lv[k + 1]) {
    gboolean single = lv->n_entries == 1 && run_n <= 1;
    if (single)
      return;   /* wait for a second bucket */
    t->lv[k + 1] = level_new();
    t->n_levels = (guint8)MAX(t->n_levels, k + 2);
    if (lv->n_entries > 1) {
      /* The first entry was held back: hand it up now. */
      mu_reader r;
      mu_reader_init(&r, &lv->data, mu_stream_extent(&lv->data), (mu_pos){ 0, 0 });
      const guint8 *q = mu_reader_next(&r);
      gint64 nb = 0, rn;
      guint rc;
      ms_acc first;
      get_entry(q, &nb, &first, &rn, &rc);
      propagate(t, k, first.b, &first, rn, rc);
    }
  }
  propagate(t, k, b, acc, run_n, run_cls);
}

static void
level_flush_run(ms_track *t, guint k)
{
  ms_level *lv = t->lv[k];
  if (lv->run.n == 0)
    return;
  ms_run r = lv->run;
  lv->run.n = 0;
  level_write(t, k, r.b0, NULL, r.n, r.cls);
}

static void level_flush_acc(ms_track *t, guint k);

static void
level_add_run(ms_track *t, guint k, gint64 b0, gint64 n, guint cls)
{
  ms_level *lv = t->lv[k];
  if (lv->acc.b >= 0 && lv->acc.b < b0)
    level_flush_acc(t, k);   /* the open bucket first */
  g_assert(lv->acc.b < 0);
  if (lv->run.n && lv->run.b0 + lv->run.n == b0 && lv->run.cls == cls) {
    lv->run.n += n;
    return;
  }
  level_flush_run(t, k);
  lv->run = (ms_run){ b0, n, (guint8)cls };
}

static void
level_flush_acc(ms_track *t, guint k)
{
  ms_level *lv = t->lv[k];
  if (lv->acc.b < 0)
    return;
  guint c;
  gint64 b = lv->acc.b;
  if (acc_is_full_single(&lv->acc, level_width(t->shift, k), &c)) {
    acc_clear(&lv->acc);
    level_add_run(t, k, b, 1, c);
  } else {
    level_flush_run(t, k);
    level_write(t, k, b, &lv->acc, 0, 0);
    acc_clear(&lv->acc);
  }
}

static void
level_add_acc(ms_track *t, guint k, gint64 b, guint32 mask, const gint64 *times, guint64 count)
{
  ms_level *lv = t->lv[k];
  if (lv->acc.b != b) {
    /* A pending run stays pending: a later full bucket may extend it. */
    level_flush_acc(t, k);
    lv->acc.b = b;
  }
  for (guint32 m = mask; m; m &= m - 1) {
    guint c = (guint)__builtin_ctz(m);
    lv->acc.t[c] += times[c];
  }
  lv->acc.mask |= mask;
  lv->acc.count += count;
}

static inline void
level_add_acc1(ms_track *t, guint k, gint64 b, guint cls, gint64 dt, guint64 count)
{
  ms_level *lv = t->lv[k];
  if (lv->acc.b != b) {
    level_flush_acc(t, k);
    lv->acc.b = b;
  }
  if (dt) {
    lv->acc.t[cls] += dt;
    lv->acc.mask |= 1u << cls;
  }
  lv->acc.count += count;
}

void
ms_track_add_bucket(ms_track *t, gint64 b, guint32 mask, const gint64 *times, guint64 count)
{
  t->dirty = TRUE;
  t->n_spans += (gint64)count;
  level_add_acc(t, 0, b, mask, times, count);
}

void
ms_track_add_run(ms_track *t, gint64 b0, gint64 n, guint cls)
{
  t->dirty = TRUE;
  level_add_run(t, 0, b0, n, cls);
}

/* Splits [start, end) into L0 contributions: a partial first bucket (which
 * gets the span's count), a run of full buckets, a partial last bucket. */
#define SPLIT_SPAN(shift, origin, start, end, cls, ADD1, ADD_RUN)              \
  do {                                                                        \
    gint64 w_ = (gint64)1 << (shift);                                         \
    gint64 s_ = (start) - (origin), e_ = (end) - (origin);                    \
    gint64 b0_ = s_ >> (shift);                                               \
    if (e_ <= s_ || ((e_ - 1) >> (shift)) == b0_) {                           \
      ADD1(b0_, cls, e_ > s_ ? e_ - s_ : 0, 1);                               \
      break;                                                                  \
    }                                                                         \
    gint64 b1_ = (e_ - 1) >> (shift);                                         \
    ADD1(b0_, cls, (b0_ + 1) * w_ - s_, 1);                                   \
    gint64 last_part_ = e_ - b1_ * w_;                                        \
    gint64 nfull_ = b1_ - b0_ - 1 + (last_part_ == w_ ? 1 : 0);               \
    if (nfull_ > 0)                                                           \
      ADD_RUN(b0_ + 1, nfull_, cls);                                          \
    if (last_part_ != w_)                                                     \
      ADD1(b1_, cls, last_part_, 0);                                          \
  } while (0)

void
ms_track_add_span(ms_track *t, gint64 origin, gint64 start, gint64 end, guint cls)
{
  t->dirty = TRUE;
  t->n_spans++;
  if (start < t->first)
    t->first = start;
  if (end > t->last)
    t->last = end;
#define T_ACC(b, c, dt, count) level_add_acc1(t, 0, b, c, dt, count)
#define T_RUN(b, n, c) level_add_run(t, 0, b, n, c)
  SPLIT_SPAN(t->shift, origin, start, end, cls, T_ACC, T_RUN);
#undef T_ACC
#undef T_RUN
}

void
ms_track_finish(ms_track *t)
{
  for (guint k = 0; k < t->n_levels; k++) {
    level_flush_acc(t, k);
    level_flush_run(t, k);
  }
}

/* ---- generation-worker L0 contributions ---- */

void
ms_l0_init(ms_l0 *l)
{
  memset(l, 0, sizeof *l);
  acc_reset(&l->acc);
}

void
ms_l0_clear(ms_l0 *l)
{
  mu_buf_free(&l->out);
  ms_l0_init(l);
}

static void
l0_write(ms_l0 *l, gint64 b, const ms_acc *acc, gint64 run_n, guint cls)
{
  mu_buf_reserve(&l->out, ENTRY_MAX);
  guint8 *p = l->out.data + l->out.len;
  p = run_n ? put_run(p, b - l->next_b, run_n, cls) : put_mixed(p, b - l->next_b, acc);
  l->out.len = (gsize)(p - l->out.data);
  l->next_b = b + (run_n ? run_n : 1);
}

static void
l0_flush_run(ms_l0 *l)
{
  if (l->run.n) {
    l0_write(l, l->run.b0, NULL, l->run.n, l->run.cls);
    l->run.n = 0;
  }
}

static void l0_flush_acc(ms_l0 *l, gint64 width);

static void
l0_add_run(ms_l0 *l, gint64 width, gint64 b0, gint64 n, guint cls)
{
  if (l->acc.b >= 0 && l->acc.b < b0)
    l0_flush_acc(l, width);
  if (l->run.n && l->run.b0 + l->run.n == b0 && l->run.cls == cls) {
    l->run.n += n;
    return;
  }
  l0_flush_run(l);
  l->run = (ms_run){ b0, n, (guint8)cls };
}

static void
l0_flush_acc(ms_l0 *l, gint64 width)
{
  if (l->acc.b < 0)
    return;
  guint c;
  gint64 b = l->acc.b;
  if (acc_is_full_single(&l->acc, width, &c)) {
    acc_clear(&l->acc);
    l0_add_run(l, width, b, 1, c);
  } else {
    l0_flush_run(l);
    l0_write(l, b, &l->acc, 0, 0);
    acc_clear(&l->acc);
  }
}

static inline void
l0_add1(ms_l0 *l, gint64 width, gint64 b, guint cls, gint64 dt, guint64 count)
{
  if (l->acc.b != b) {
    l0_flush_acc(l, width);
    l->acc.b = b;
  }
  if (dt) {
    l->acc.t[cls] += dt;
    l->acc.mask |= 1u << cls;
  }
  l->acc.count += count;
}


void
ms_l0_add_span(ms_l0 *l, guint shift, gint64 origin, gint64 start, gint64 end, guint cls)
{
  gint64 width = (gint64)1 << shift;
  l->n_spans++;
#define L_ACC(b, c, dt, count) l0_add1(l, width, b, c, dt, count)
#define L_RUN(b, n, c) l0_add_run(l, width, b, n, c)
  SPLIT_SPAN(shift, origin, start, end, cls, L_ACC, L_RUN);
#undef L_ACC
#undef L_RUN
}

void
ms_l0_finish(ms_l0 *l)
{
  /* The open bucket is written as it is (it may continue in the merge). */
  if (l->acc.b >= 0) {
    l0_flush_run(l);
    l0_write(l, l->acc.b, &l->acc, 0, 0);
    acc_clear(&l->acc);
  }
  l0_flush_run(l);
}

void
ms_track_feed_l0_coarser(ms_track *t, const guint8 *data, gsize len, guint d)
{
  const guint8 *p = data, *end = data + len;
  gint64 next_b = 0;
  ms_acc a;
  gint64 wf = (gint64)1 << (t->shift - d);   /* the fine width */
  while (p < end) {
    gint64 rn;
    guint rc;
    p = get_entry(p, &next_b, &a, &rn, &rc);
    if (!rn) {
      ms_track_add_bucket(t, a.b >> d, a.mask, a.t, a.count);
      continue;
    }
    /* a run of fine buckets: partial coarse head, full coarse run, partial tail */
    gint64 b = a.b, e = a.b + rn, per = (gint64)1 << d;
    t->dirty = TRUE;
    if (b & (per - 1)) {
      gint64 stop = MIN(e, (b | (per - 1)) + 1);
      level_add_acc1(t, 0, b >> d, rc, (stop - b) * wf, 0);
      b = stop;
    }
    gint64 full = (e - b) >> d;
    if (full > 0) {
      level_add_run(t, 0, b >> d, full, rc);
      b += full << d;
    }
    if (b < e)
      level_add_acc1(t, 0, b >> d, rc, (e - b) * wf, 0);
  }
}

void
ms_track_feed_l0(ms_track *t, const guint8 *data, gsize len)
{
  const guint8 *p = data, *end = data + len;
  gint64 next_b = 0;
  ms_acc a;
  while (p < end) {
    gint64 rn;
    guint rc;
    p = get_entry(p, &next_b, &a, &rn, &rc);
    if (rn)
      ms_track_add_run(t, a.b, rn, rc);
    else
      ms_track_add_bucket(t, a.b, a.mask, a.t, a.count);
  }
}

void
ms_l0_totals(const guint8 *data, gsize len, guint shift, gint64 *totals)
{
  const guint8 *p = data, *end = data + len;
  gint64 next_b = 0;
  ms_acc a;
  while (p < end) {
    gint64 rn;
    guint rc;
    p = get_entry(p, &next_b, &a, &rn, &rc);
    if (rn) {
      totals[rc] += rn << shift;
    } else {
      for (guint32 m = a.mask; m; m &= m - 1)
        totals[__builtin_ctz(m)] += a.t[__builtin_ctz(m)];
    }
  }
}

/* ---- published views ---- */

ms_pub *
ms_pub_new(const TaTrackKey *key, ms_track *t, const TaSpan *open)
{
  ms_pub *p = g_new0(ms_pub, 1);
  p->ref = 1;
  p->key = *key;
  p->track = t ? ms_track_ref(t) : NULL;
  if (open) {
    p->open_span = *open;
    p->open_start = open->start;
    p->open_cls = open->state;
  }
  if (!t)
    return p;
  p->n_spans = t->n_spans;
  p->first = t->first;
  p->last = t->last;
  ms_track_state *st = &p->st;
  st->n_levels = t->n_levels;
  st->lv = g_new0(ms_level_state, t->n_levels);
  for (guint k = 0; k < t->n_levels; k++) {
    ms_level *lv = t->lv[k];
    ms_level_state *ls = &st->lv[k];
    ls->ext = mu_stream_extent(&lv->data);
    ls->n_skip = (guint32)lv->skip.len;
    ls->run = lv->run;
    if (lv->acc.b >= 0) {
      ls->acc = g_new(ms_acc, 1);
      *ls->acc = lv->acc;
    }
  }
  t->dirty = FALSE;
  return p;
}

ms_pub *
ms_pub_ref(ms_pub *p)
{
  g_atomic_int_inc(&p->ref);
  return p;
}

void
ms_pub_unref(ms_pub *p)
{
  if (!p || !g_atomic_int_dec_and_test(&p->ref))
    return;
  for (guint k = 0; k < p->st.n_levels; k++)
    g_free(p->st.lv[k].acc);
  g_free(p->st.lv);
  ms_track_unref(p->track);
  g_free(p);
}

/* The blob ms_track_to_blob() writes for a track fed exactly this level-0
 * stream, when the stream is one mixed entry (a goroutine whose whole life
 * fits in one bucket, as most short-lived ones do): its pyramid is that one
 * bucket, so the blob is the entry itself, its gap taken from `base` as
 * ms_track_to_blob() takes it. FALSE for any other stream. */
gboolean
ms_l0_single_to_blob(const guint8 *data, gsize len, gint64 base, mu_buf *out)
{
  gint64 next_b = 0, run_n;
  guint run_cls;
  ms_acc a;
  const guint8 *end = get_entry(data, &next_b, &a, &run_n, &run_cls);
  if (run_n || end != data + len)
    return FALSE;
  gboolean rel = base >= 0 && a.b >= base;
  guint64 h;
  const guint8 *body = mu_get_uv(data, &h);
  guint8 head[12];
  gsize head_len = (gsize)(mu_put_uv(head, rel ? (guint64)(a.b - base) << 1 : h) - head);
  mu_buf_uv(out, (guint64)1 << 1 | (rel ? 1 : 0));
  mu_buf_uv(out, head_len + (gsize)(end - body));
  mu_buf_append(out, head, head_len);
  mu_buf_append(out, body, (gsize)(end - body));
  return TRUE;
}

/* The same for a level-0 stream written 2^d times finer than the track's
 * width (the first generation, bucketed at its provisional width): when all
 * of it falls in one bucket at the track's width and that bucket is not one
 * state over its whole width, the blob is that one bucket, as
 * ms_track_feed_l0_coarser() would sum it. FALSE otherwise. */
gboolean
ms_l0_coarse_single_to_blob(const guint8 *data, gsize len, guint d, guint shift, gint64 base,
                            mu_buf *out)
{
  const guint8 *p = data, *end = data + len;
  gint64 next_b = 0, per = (gint64)1 << d, wf = (gint64)1 << (shift - d);
  ms_acc sum;
  acc_reset(&sum);
  while (p < end) {
    gint64 rn;
    guint rc;
    ms_acc a;
    p = get_entry(p, &next_b, &a, &rn, &rc);
    gint64 b = a.b >> d;
    if (sum.b >= 0 && b != sum.b)
      return FALSE;
    sum.b = b;
    if (!rn) {
      for (guint32 m = a.mask; m; m &= m - 1) {
        guint c = (guint)__builtin_ctz(m);
        sum.t[c] += a.t[c];
      }
      sum.mask |= a.mask;
      sum.count += a.count;
      continue;
    }
    gint64 e = a.b + rn;
    if (((e - 1) >> d) != b || (!(a.b & (per - 1)) && rn >= per))
      return FALSE;   /* past the bucket, or a whole bucket of one state: a run */
    sum.t[rc] += rn * wf;
    sum.mask |= 1u << rc;
  }
  guint c;
  if (sum.b < 0 || acc_is_full_single(&sum, (gint64)1 << shift, &c))
    return FALSE;
  gboolean rel = base >= 0 && sum.b >= base;
  guint8 head[12], body[ENTRY_MAX];
  gsize head_len =
    (gsize)(mu_put_uv(head, (guint64)(rel ? sum.b - base : sum.b) << 1) - head);
  guint8 *q = mu_put_uv(body, sum.count);
  q = mu_put_uv(q, sum.mask);
  for (guint32 m = sum.mask; m; m &= m - 1)
    q = mu_put_uv(q, (guint64)sum.t[__builtin_ctz(m)]);
  mu_buf_uv(out, (guint64)1 << 1 | (rel ? 1 : 0));
  mu_buf_uv(out, head_len + (gsize)(q - body));
  mu_buf_append(out, head, head_len);
  mu_buf_append(out, body, (gsize)(q - body));
  return TRUE;
}

gboolean
ms_track_to_blob(ms_track *t, mu_buf *out, gsize max, gint64 base)
{
  gsize total = 0;
  for (guint k = 0; k < t->n_levels; k++)
    total += mu_stream_bytes(&t->lv[k]->data) + 10;
  if (total > max)
    return FALSE;
  /* Gaps of each level's first entry are taken from the owner's first
   * bucket (its creation), which the reader knows: a few bytes a goroutine. */
  gboolean rel = base >= 0;
  for (guint k = 0; k < t->n_levels && rel; k++) {
    ms_level *lv = t->lv[k];
    if (!lv->data.pages.len || !((mu_page *)mu_vec_at(&lv->data.pages, 0))->used)
      continue;
    guint64 h;
    mu_get_uv(((mu_page *)mu_vec_at(&lv->data.pages, 0))->data, &h);
    if ((gint64)(h >> 1) < (base >> (2 * k)))
      rel = FALSE;
  }
  mu_buf_uv(out, (guint64)t->n_levels << 1 | (rel ? 1 : 0));
  for (guint k = 0; k < t->n_levels; k++) {
    ms_level *lv = t->lv[k];
    guint64 n = mu_stream_bytes(&lv->data);
    guint8 first[12];
    gsize first_len = 0, skip = 0;
    if (rel && n) {
      const guint8 *d = ((mu_page *)mu_vec_at(&lv->data.pages, 0))->data;
      guint64 h;
      const guint8 *q = mu_get_uv(d, &h);
      skip = (gsize)(q - d);
      guint64 nh = ((h >> 1) - (guint64)(base >> (2 * k))) << 1 | (h & 1);
      first_len = (gsize)(mu_put_uv(first, nh) - first);
    }
    mu_buf_uv(out, n - skip + first_len);
    mu_buf_append(out, first, first_len);
    for (guint64 i = 0; i < lv->data.pages.len; i++) {
      mu_page *pg = mu_vec_at(&lv->data.pages, i);
      gsize from = i == 0 ? skip : 0;
      mu_buf_append(out, pg->data + from, pg->used - from);
    }
  }
  return TRUE;
}

/* ---- scanning ---- */

guint
ms_source_top_level(const ms_source *src)
{
  if (src->pub)
    return src->pub->st.n_levels ? src->pub->st.n_levels - 1 : 0;
  if (src->blob) {
    guint64 n;
    mu_get_uv(src->blob, &n);
    n >>= 1;
    return n ? (guint)n - 1 : 0;
  }
  return 0;
}

typedef struct {
  ms_bucket_fn fn;
  gpointer ud;
  guint from, to;    /* levels: entries of `from` re-bucketed to `to` */
  gint64 bf, bl;     /* range at level `to` */
  guint shift;
  /* pending output bucket at level `to` (mixed or merged) */
} rebucket;

/* An acc of one state: only the masked slots of t are set, which is all
 * an ms_bucket_fn reads (clearing all of t was most of the cost of a
 * partial bucket). */
static inline void
single_state_acc(ms_acc *a, gint64 b, guint cls, gint64 t, guint64 count)
{
  a->b = b;
  a->mask = 1u << cls;
  a->count = count;
  a->t[cls] = t;
}

/* Emits a level-`from` entry as level-`to` buckets within [bf, bl]. */
static void
emit_rebucketed(const rebucket *rb, gint64 b, const ms_acc *acc, gint64 run_n, guint cls)
{
  guint d = 2 * (rb->to - rb->from);
  if (run_n == 0) {
    gint64 ob = b >> d;
    if (ob < rb->bf || ob > rb->bl)
      return;
    rb->fn(rb->ud, ob, 1, acc, 0);   /* its b is the callback's to ignore */
    return;
  }
  gint64 w = level_width(rb->shift, rb->from);
  gint64 end = b + run_n;
  if (d == 0) {
    gint64 s = MAX(b, rb->bf), e = MIN(end, rb->bl + 1);
    if (s < e)
      rb->fn(rb->ud, s, e - s, NULL, cls);
    return;
  }
  /* Coarser output: partial head, full middle, partial tail. */
  gint64 ob0 = b >> d, ob1 = (end - 1) >> d;
  gint64 per = (gint64)1 << d;
  for (gint64 ob = MAX(ob0, rb->bf); ob <= MIN(ob1, rb->bl);) {
    gint64 cs = MAX(b, ob << d), ce = MIN(end, (ob + 1) << d);
    if (ce - cs == per) {
      /* a run of full output buckets */
      gint64 last_full = MIN((end >> d) - 1, rb->bl);
      if (last_full >= ob) {
        rb->fn(rb->ud, ob, last_full - ob + 1, NULL, cls);
        ob = last_full + 1;
        continue;
      }
    }
    ms_acc a;
    single_state_acc(&a, ob, cls, (ce - cs) * w, 0);
    rb->fn(rb->ud, ob, 1, &a, 0);
    ob++;
  }
}

/* Stored entries of level `lv` of a published track (or blob) from bucket bf on. */
static void
scan_stored(const ms_source *src, guint lv, const rebucket *rb)
{
  mu_reader r;
  gint64 next_b = 0;
  guint d = 2 * (rb->to - lv);
  gint64 bf_lv = rb->bf << d;  /* first level-lv bucket of interest */
  gint64 bl_lv = ((rb->bl + 1) << d) - 1;
  if (src->pub) {
    const ms_pub *p = src->pub;
    if (lv >= p->st.n_levels)
      return;
    const ms_level *L = p->track->lv[lv];
    mu_pos from = { 0, 0 };
    guint32 ns = p->st.lv[lv].n_skip;
    if (ns) {
      /* last skip with b <= bf_lv */
      guint32 lo = 0, hi = ns;
      while (hi - lo > 1) {
        guint32 mid = (lo + hi) / 2;
        const ms_skip *s = mu_vec_at(&L->skip, mid);
        if (s->b <= bf_lv)
          lo = mid;
        else
          hi = mid;
      }
      const ms_skip *s = mu_vec_at(&L->skip, lo);
      from = s->pos;
      next_b = s->prev_end;
    }
    mu_reader_init(&r, &L->data, p->st.lv[lv].ext, from);
  } else if (src->blob) {
    const guint8 *q = src->blob, *end = src->blob + src->blob_len;
    guint64 n, len = 0;
    q = mu_get_uv(q, &n);
    if (n & 1)
      next_b = src->blob_base >> (2 * lv);
    n >>= 1;
    if (lv >= n)
      return;
    for (guint k = 0; k <= lv && q < end; k++) {
      q = mu_get_uv(q, &len);
      if (k < lv)
        q += len;
    }
    mu_reader_init_flat(&r, q, (gsize)len);
  } else {
    return;
  }
  const guint8 *q;
  ms_acc a;
  while ((q = mu_reader_next(&r))) {
    gint64 rn;
    guint rc;
    r.p = get_entry(q, &next_b, &a, &rn, &rc);
    gint64 last = rn ? a.b + rn - 1 : a.b;
    if (last < bf_lv)
      continue;
    if (a.b > bl_lv)
      break;
    emit_rebucketed(rb, a.b, &a, rn, rc);
  }
}

void
ms_source_scan(const ms_source *src, guint level, gint64 b_first, gint64 b_last, ms_bucket_fn fn,
               gpointer ud)
{
  rebucket rb = { fn, ud, 0, level, b_first, b_last, src->shift };
  guint top = ms_source_top_level(src);
  guint s = MIN(level, top);
  rb.from = s;
  scan_stored(src, s, &rb);
  if (src->pub) {
    const ms_pub *p = src->pub;
    for (gint j = (gint)MIN(s, p->st.n_levels ? p->st.n_levels - 1 : 0); j >= 0; j--) {
      rb.from = (guint)j;
      const ms_level_state *ls = &p->st.lv[j];
      if (ls->run.n)
        emit_rebucketed(&rb, ls->run.b0, NULL, ls->run.n, ls->run.cls);
      if (ls->acc)
        emit_rebucketed(&rb, ls->acc->b, ls->acc, 0, 0);
    }
    if (p->open_cls && src->frontier > p->open_start) {
      /* The open span, as if it closed at the frontier: head, full middle, tail. */
      gint64 s0 = p->open_start - src->origin, e0 = src->frontier - src->origin;
      guint sh = src->shift + 2 * level;
      gint64 w = (gint64)1 << sh;
      gint64 ob0 = s0 >> sh, ob1 = (e0 - 1) >> sh;
      guint cls = p->open_cls;
      for (gint64 ob = MAX(ob0, b_first); ob <= MIN(ob1, b_last);) {
        gint64 cs = MAX(s0, ob * w), ce = MIN(e0, (ob + 1) * w);
        if (ce - cs == w && ob != ob0) {
          gint64 last_full = MIN(ob1, b_last);
          if ((e0 & (w - 1)) != 0 && last_full == ob1)
            last_full--;
          if (last_full >= ob) {
            fn(ud, ob, last_full - ob + 1, NULL, cls);
            ob = last_full + 1;
            continue;
          }
        }
        ms_acc a;
        single_state_acc(&a, ob, cls, ce - cs, ob == ob0 ? 1 : 0);
        fn(ud, ob, 1, &a, 0);
        ob++;
      }
    }
  }
}

/* ---- metric pyramids ---- */

static mm_level *
mm_level_new(void)
{
  mm_level *lv = g_new0(mm_level, 1);
  mu_stream_init(&lv->data);
  mu_vec_init(&lv->skip, sizeof(mm_skip));
  lv->acc.b = -1;
  return lv;
}

mm_track *
mm_track_new(guint shift)
{
  mm_track *t = g_new0(mm_track, 1);
  t->shift = (guint8)shift;
  t->n_levels = (guint8)MIN(TA_MAX_LEVELS, (63 - shift) / 2);
  for (guint k = 0; k < t->n_levels; k++)
    t->lv[k] = mm_level_new();
  return t;
}

void
mm_track_free(mm_track *t)
{
  if (!t)
    return;
  for (guint k = 0; k < t->n_levels; k++) {
    mu_stream_clear(&t->lv[k]->data);
    mu_vec_clear(&t->lv[k]->skip);
    g_free(t->lv[k]);
  }
  g_free(t);
}

gsize
mm_track_memory(const mm_track *t)
{
  gsize n = sizeof *t;
  for (guint k = 0; k < t->n_levels; k++)
    n += sizeof(mm_level) + mu_stream_memory(&t->lv[k]->data) + mu_vec_memory(&t->lv[k]->skip);
  return n;
}

static void mm_level_add(mm_track *t, guint k, gint64 b, gint64 min, gint64 max, gint64 last);

static void
mm_level_flush(mm_track *t, guint k)
{
  mm_level *lv = t->lv[k];
  if (lv->acc.b < 0)
    return;
  mm_acc a = lv->acc;
  lv->acc.b = -1;
  if (lv->n_entries % MS_SKIP == 0) {
    mm_skip *s = mu_vec_push(&lv->skip);
    s->b = a.b;
    s->prev_end = lv->next_b;
    s->prev_last = lv->prev_last;
    mu_stream_begin(&lv->data, 48, &s->pos);
  }
  guint8 *p = mu_stream_begin(&lv->data, 48, NULL);
  p = mu_put_uv(p, (guint64)(a.b - lv->next_b));
  p = mu_put_uv(p, mu_zz(a.min - lv->prev_last));
  p = mu_put_uv(p, (guint64)(a.max - a.min));
  p = mu_put_uv(p, (guint64)(a.last - a.min));
  mu_stream_commit(&lv->data, p);
  lv->n_entries++;
  lv->next_b = a.b + 1;
  lv->prev_last = a.last;
  if (k + 1 < t->n_levels)
    mm_level_add(t, k + 1, a.b >> 2, a.min, a.max, a.last);
}

static void
mm_level_add(mm_track *t, guint k, gint64 b, gint64 min, gint64 max, gint64 last)
{
  mm_level *lv = t->lv[k];
  if (lv->acc.b != b) {
    mm_level_flush(t, k);
    lv->acc = (mm_acc){ b, min, max, last };
    return;
  }
  if (min < lv->acc.min)
    lv->acc.min = min;
  if (max > lv->acc.max)
    lv->acc.max = max;
  lv->acc.last = last;
}

void
mm_track_add(mm_track *t, gint64 b, gint64 min, gint64 max, gint64 last)
{
  t->any = TRUE;
  mm_level_add(t, 0, b, min, max, last);
}

void
mm_track_finish(mm_track *t)
{
  for (guint k = 0; k < t->n_levels; k++)
    mm_level_flush(t, k);
}

void
mm_track_state(const mm_track *t, mm_state *st)
{
  memset(st, 0, sizeof *st);
  st->n_levels = t->n_levels;
  for (guint k = 0; k < t->n_levels; k++) {
    const mm_level *lv = t->lv[k];
    st->ext[k] = mu_stream_extent(&lv->data);
    st->n_skip[k] = (guint32)lv->skip.len;
    st->acc[k] = lv->acc;
    st->next_b[k] = lv->next_b;
    st->prev_last[k] = lv->prev_last;
  }
}

void
mm_scan(const mm_track *t, const mm_state *st, guint level, gint64 b_first, gint64 b_last,
        gboolean with_prev, mm_bucket_fn fn, gpointer ud)
{
  if (level >= st->n_levels)
    level = st->n_levels - 1;
  const mm_level *L = t->lv[level];
  mu_pos from = { 0, 0 };
  gint64 next_b = 0, prev_last = 0;
  guint32 ns = st->n_skip[level];
  if (ns) {
    guint32 lo = 0, hi = ns;
    while (hi - lo > 1) {
      guint32 mid = (lo + hi) / 2;
      const mm_skip *s = mu_vec_at(&L->skip, mid);
      if (s->b < b_first)
        lo = mid;
      else
        hi = mid;
    }
    const mm_skip *s = mu_vec_at(&L->skip, lo);
    from = s->pos;
    next_b = s->prev_end;
    prev_last = s->prev_last;
  }
  mu_reader r;
  mu_reader_init(&r, &L->data, st->ext[level], from);
  const guint8 *q;
  gboolean have_prev = FALSE;
  mm_acc prev = { -1, 0, 0, 0 };
  /* Merges stored entries with the open accumulators of this and lower levels
   * (the lower ones are later in time). */
  mm_acc cur = { -1, 0, 0, 0 };
#define EMIT(a)                                                               \
  do {                                                                        \
    if ((a).b < b_first) {                                                    \
      prev = (a);                                                             \
      have_prev = TRUE;                                                       \
    } else if ((a).b <= b_last) {                                             \
      if (with_prev && have_prev) {                                           \
        fn(ud, -1, prev.min, prev.max, prev.last);                            \
        have_prev = FALSE;                                                    \
      }                                                                       \
      fn(ud, (a).b, (a).min, (a).max, (a).last);                              \
    }                                                                         \
  } while (0)
  while ((q = mu_reader_next(&r))) {
    guint64 gap, dmin, dmax, dlast;
    q = mu_get_uv(q, &gap);
    q = mu_get_uv(q, &dmin);
    q = mu_get_uv(q, &dmax);
    q = mu_get_uv(q, &dlast);
    r.p = q;
    mm_acc a;
    a.b = next_b + (gint64)gap;
    a.min = prev_last + mu_unzz(dmin);
    a.max = a.min + (gint64)dmax;
    a.last = a.min + (gint64)dlast;
    next_b = a.b + 1;
    prev_last = a.last;
    if (a.b > b_last)
      break;
    EMIT(a);
  }
  (void)prev_last;
  for (gint j = (gint)level; j >= 0; j--) {
    mm_acc a = st->acc[j];
    if (a.b < 0)
      continue;
    a.b >>= 2 * (level - (guint)j);
    if (cur.b == a.b) {
      cur.min = MIN(cur.min, a.min);
      cur.max = MAX(cur.max, a.max);
      cur.last = a.last;
    } else {
      if (cur.b >= 0)
        EMIT(cur);
      cur = a;
    }
  }
  if (cur.b >= 0)
    EMIT(cur);
  if (with_prev && have_prev)
    fn(ud, -1, prev.min, prev.max, prev.last);
#undef EMIT
}

void
mm_l0_add(GArray *buckets, gint64 b, gint64 v)
{
  if (buckets->len) {
    mm_acc *a = &g_array_index(buckets, mm_acc, buckets->len - 1);
    if (a->b == b) {
      if (v < a->min)
        a->min = v;
      if (v > a->max)
        a->max = v;
      a->last = v;
      return;
    }
  }
  mm_acc a = { b, v, v, v };
  g_array_append_val(buckets, a);
}
