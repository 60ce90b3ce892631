/* model-merge.c: stitches generations, in order, into the document's model.
 *
 * For every track a generation touched: its head is joined with the span the
 * track had open at the end of the previous generation (or starts at the
 * generation's Sync when the track is new), its internal level-0 buckets are
 * added, and its tail becomes the new open span. Spans made here touch a
 * generation boundary; they go to the long-span table, which is what lets a
 * window decode one generation alone. Tables (goroutines, regions, tasks,
 * logs, GC, STW, samples, metrics) grow here too. */
#define G_LOG_DOMAIN "ta-model"

#include "model-store.h"

#define BLOB_MAX 512

static TaTrackKey *
key_dup(const TaTrackKey *k)
{
  return g_memdup2(k, sizeof *k);
}

static void
mg_track_free(mg_track *t)
{
  ms_track_unref(t->sum);
  ms_pub_unref(t->pub);
  g_free(t);
}

static void
garray_free(gpointer p)
{
  g_array_free(p, TRUE);
}

ta_store *
ta_store_new(const char *path)
{
  ta_store *s = g_new0(ta_store, 1);
  s->ref = 1;
  s->path = g_strdup(path);
  s->strtab = ms_table_new();
  s->gtab = mc_table_new(GC_N, GC_ID);
  mu_stream_init(&s->blobs);
  s->live = g_hash_table_new_full((GHashFunc)ta_track_key_hash, (GEqualFunc)ta_track_key_equal,
                                  NULL, (GDestroyNotify)mg_track_free);
  s->ended = g_hash_table_new_full((GHashFunc)ta_track_key_hash, (GEqualFunc)ta_track_key_equal,
                                   g_free, (GDestroyNotify)ms_pub_unref);
  s->region_gs = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
  g_mutex_init(&s->span_lock);
  s->long_spans = g_hash_table_new_full((GHashFunc)ta_track_key_hash,
                                        (GEqualFunc)ta_track_key_equal, g_free, garray_free);
  s->resident_spans = g_hash_table_new_full((GHashFunc)ta_track_key_hash,
                                            (GEqualFunc)ta_track_key_equal, g_free, garray_free);
  mc_table_set_rel(s->gtab, GC_END, GC_CREATED, TA_TIME_NONE);
  s->regions = mc_table_new(RC_N, -1);
  mc_table_set_rel(s->regions, RC_END, RC_BEGIN, TA_TIME_NONE);
  s->tasks = mc_table_new(KC_N, KC_ID);
  mc_table_set_rel(s->tasks, KC_END, KC_BEGIN, TA_TIME_NONE);
  mc_table_set_rel(s->tasks, KC_END_G, KC_BEGIN_G, TA_ID_NONE);
  s->logs = mc_table_new(LC_N, -1);
  s->cpu = mc_table_new(SC_N, -1);
  s->gcs = mc_table_new(CC_N, -1);
  mc_table_set_rel(s->gcs, CC_END, CC_BEGIN, TA_TIME_NONE);
  s->stws = mc_table_new(WC_N, -1);
  mc_table_set_rel(s->stws, WC_END, WC_BEGIN, TA_TIME_NONE);
  for (guint i = 0; i < 3; i++)
    s->msamples[i] = mc_table_new(VC_N, -1);
  s->procs = g_array_new(FALSE, FALSE, sizeof(TaProcInfo));
  s->threads = g_array_new(FALSE, FALSE, sizeof(TaThreadInfo));
  s->gens = g_array_new(FALSE, FALSE, sizeof(mg_gen));
  for (guint i = 0; i < 3; i++)
    s->ov_spans[i] = g_array_new(FALSE, FALSE, sizeof(TaSpan));
  s->open_tasks = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
  s->lane_busy = g_array_new(FALSE, TRUE, sizeof(gboolean));
  s->sweeping = g_hash_table_new(g_int64_hash, g_int64_equal);
  s->gc_open_begin = s->stw_open_begin = s->sweep_begin = TA_TIME_NONE;
  s->first_time = s->frontier = TA_TIME_NONE;
  return s;
}

ta_store *
ta_store_ref(ta_store *s)
{
  g_atomic_int_inc(&s->ref);
  return s;
}

static void
free_open_task(gpointer p)
{
  mg_task *t = p;
  if (t->gs)
    g_array_free(t->gs, TRUE);
  g_free(t);
}

void
ta_store_unref(ta_store *s)
{
  if (!s || !g_atomic_int_dec_and_test(&s->ref))
    return;
  g_hash_table_destroy(s->live);
  g_hash_table_destroy(s->ended);
  g_hash_table_destroy(s->region_gs);
  g_hash_table_destroy(s->long_spans);
  g_hash_table_destroy(s->resident_spans);
  mc_table_free(s->gtab);
  mc_table_free(s->regions);
  mc_table_free(s->tasks);
  mc_table_free(s->logs);
  mc_table_free(s->cpu);
  mc_table_free(s->gcs);
  mc_table_free(s->stws);
  for (guint i = 0; i < 3; i++) {
    mc_table_free(s->msamples[i]);
    g_array_free(s->ov_spans[i], TRUE);
  }
  for (guint i = 0; i < TA_N_METRICS; i++)
    mm_track_free(s->metrics[i]);
  mu_stream_clear(&s->blobs);
  g_array_free(s->procs, TRUE);
  g_array_free(s->threads, TRUE);
  g_array_free(s->gens, TRUE);
  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init(&it, s->open_tasks);
  while (g_hash_table_iter_next(&it, &k, &v))
    free_open_task(v);
  g_hash_table_destroy(s->open_tasks);
  g_array_free(s->lane_busy, TRUE);
  g_hash_table_destroy(s->sweeping);
  if (s->rcarry)
    g_hash_table_destroy(s->rcarry);
  g_clear_error(&s->error);
  g_list_free_full(s->retired, (GDestroyNotify)mc_table_free);
  ms_table_free(s->strtab);
  g_mutex_clear(&s->span_lock);
  g_free(s->path);
  g_free(s);
}

void
ta_store_set_shift(ta_store *s, guint shift, gint64 origin)
{
  s->shift = shift;
  s->origin = origin;
  s->have_shift = TRUE;
  for (guint i = 0; i < TA_N_METRICS; i++)
    if (!s->metrics[i])
      s->metrics[i] = mm_track_new(shift);
}

/* The width search below tries several shifts over the same fine level-0
 * streams: they are decoded once into bucket intervals [b, e), each stream
 * closed by a G_MININT64 marker. */
static void
intervals_append(GArray *iv, const guint8 *data, gsize len)
{
  const guint8 *p = data, *end = data + len;
  gint64 next_b = 0;
  while (p < end) {
    guint64 h, v;
    p = mu_get_uv(p, &h);
    gint64 b = next_b + (gint64)(h >> 1);
    gint64 e;
    if (h & 1) {
      p = mu_get_uv(p, &v);
      p++;
      e = b + (gint64)v + 1;
    } else {
      guint64 mask;
      p = mu_get_uv(p, &v);
      p = mu_get_uv(p, &mask);
      for (guint32 m = (guint32)mask; m; m &= m - 1)
        p = mu_get_uv(p, &v);
      e = b + 1;
    }
    next_b = e;
    gint64 pair[2] = { b, e };
    g_array_append_vals(iv, pair, 2);
  }
  gint64 marker[2] = { G_MININT64, 0 };
  g_array_append_vals(iv, marker, 2);
}

/* Entries the streams would take at shift d coarser, beyond the one entry
 * each needs; stops counting once over `budget`. */
static guint64
entries_over(const GArray *iv, guint d, guint64 budget)
{
  const gint64 *x = (const gint64 *)iv->data;
  guint64 entries = 0, n = 0;
  gint64 last = G_MININT64;
  for (guint i = 0; i < iv->len; i += 2) {
    gint64 b = x[i], e = x[i + 1];
    if (b == G_MININT64) {
      entries += n - 1;
      if (entries > budget)
        break;
      n = 0;
      last = G_MININT64;
      continue;
    }
    gint64 c0 = b >> d, c1 = (e - 1) >> d;
    if (c0 != last)
      n++;
    if (c1 > c0 + 1)
      n++;
    if (c1 > c0)
      n++;
    last = c1;
  }
  return entries;
}

/* Level-0 width: the finest whose bucket entries for the first generation
 * stay within about one per KB of trace, beyond the one entry every
 * track needs (a few MB of summaries per GB of trace), at least 1 µs. The
 * first generation was bucketed at a finer, provisional shift. */
guint
ta_store_choose_shift(const gp_out *o, guint64 gen_bytes)
{
  guint64 budget = MAX(gen_bytes / 1024, 4096);
  guint fine = o->l0_shift, lo = fine, hi = 40;
  GArray *iv = g_array_new(FALSE, FALSE, sizeof(gint64));
  for (guint i = 0; i < o->tracks->len; i++) {
    const gp_track *tr = g_ptr_array_index(o->tracks, i);
    if (tr && tr->l0.out.len)
      intervals_append(iv, tr->l0.out.data, tr->l0.out.len);
  }
  for (guint i = 0; i < gp_out_n_done(o); i++) {
    gp_done d;
    gp_out_done(o, i, &d);
    if (d.l0_len)
      intervals_append(iv, d.l0, d.l0_len);
  }
  while (lo < hi) {
    guint mid = (lo + hi) / 2;
    if (entries_over(iv, mid - fine, budget) <= budget)
      hi = mid;
    else
      lo = mid + 1;
  }
  g_array_free(iv, TRUE);
  return lo;
}

/* ---- spans ---- */

static void
long_span_add(ta_store *s, const TaTrackKey *key, const TaSpan *sp)
{
  g_mutex_lock(&s->span_lock);
  GArray *a = g_hash_table_lookup(s->long_spans, key);
  if (!a) {
    a = g_array_new(FALSE, FALSE, sizeof(TaSpan));
    g_hash_table_insert(s->long_spans, key_dup(key), a);
  }
  g_array_append_val(a, *sp);
  g_mutex_unlock(&s->span_lock);
}

static mg_track *
live_get(ta_store *s, const TaTrackKey *key)
{
  mg_track *t = g_hash_table_lookup(s->live, key);
  if (!t) {
    t = g_new0(mg_track, 1);
    t->key = *key;
    t->sum = ms_track_new(s->shift);
    g_hash_table_insert(s->live, &t->key, t);
  }
  return t;
}

/* Closes the open span of a track at `end` and files it. */
static void
close_open(ta_store *s, mg_track *t, gint64 end, guint8 end_flags, TaStackId end_stack,
           gboolean is_long)
{
  if (!t->open)
    return;
  TaSpan sp = t->span;
  if (end < sp.start)
    end = sp.start;
  sp.end = end;
  sp.flags |= end_flags;
  sp.end_stack = end_stack;
  ms_track_add_span(t->sum, s->origin, sp.start, sp.end, sp.state);
  if (t->key.kind == TA_TRACK_GOROUTINE)
    s->totals[sp.state] += sp.end - sp.start;
  if (is_long)
    long_span_add(s, &t->key, &sp);
  t->open = FALSE;
  t->changed = TRUE;
}

static void
open_piece(mg_track *t, const gp_piece *pc, gint64 start, guint cls, guint8 extra_flags)
{
  memset(&t->span, 0, sizeof t->span);
  t->span.start = start;
  t->span.end = TA_TIME_NONE;
  t->span.state = (guint8)cls;
  t->span.flags = pc->flags | extra_flags;
  t->span.reason = pc->reason;
  t->span.stack = pc->stack;
  t->span.g = pc->g;
  t->span.p = pc->p;
  t->jkey = pc->jkey;
  t->go_state = pc->go_state;
  t->open = TRUE;
  t->changed = TRUE;
}

static guint cur_l0_shift;  /* the l0 shift of the generation being merged */

static void
feed_l0_bytes(ta_store *s, ms_track *sum, const guint8 *data, gsize len, gboolean goroutine)
{
  if (cur_l0_shift == s->shift)
    ms_track_feed_l0(sum, data, len);
  else
    ms_track_feed_l0_coarser(sum, data, len, s->shift - cur_l0_shift);
  if (goroutine)
    ms_l0_totals(data, len, cur_l0_shift, s->totals);
}

static void
feed_internal(ta_store *s, ms_track *sum, const gp_track *tr, gboolean goroutine)
{
  if (tr->l0.out.len) {
    feed_l0_bytes(s, sum, tr->l0.out.data, tr->l0.out.len, goroutine);
  } else if (tr->spans && !cur_l0_shift) {
    for (guint i = 0; i < tr->spans->len; i++) {
      const TaSpan *sp = &g_array_index(tr->spans, TaSpan, i);
      ms_track_add_span(sum, s->origin, sp->start, sp->end, sp->state);
      if (goroutine)
        s->totals[sp->state] += sp->end - sp->start;
    }
  }
  if (s->resident && tr->spans && tr->spans->len) {
    g_mutex_lock(&s->span_lock);
    GArray *a = g_hash_table_lookup(s->resident_spans, &tr->key);
    if (!a) {
      a = g_array_new(FALSE, FALSE, sizeof(TaSpan));
      g_hash_table_insert(s->resident_spans, key_dup(&tr->key), a);
    }
    g_array_append_vals(a, tr->spans->data, tr->spans->len);
    g_mutex_unlock(&s->span_lock);
  }
}

/* Head, internal spans and tail of one track in one generation. */
static void
merge_pieces(ta_store *s, mg_track *t, const gp_track *tr, const mg_gen *gi, gboolean first_gen)
{
  gboolean goroutine = t->key.kind == TA_TRACK_GOROUTINE;
  if (tr->has_head) {
    const gp_piece *h = &tr->head;
    if (t->open) {
      if (t->jkey == h->jkey) {
        if (!tr->head_is_tail)
          close_open(s, t, h->end, h->flags & TA_SPAN_ENDS_IN_DEATH, h->end_stack, TRUE);
      } else {
        close_open(s, t, h->start, 0, 0, TRUE);
        open_piece(t, h, h->start, h->cls, 0);
        if (!tr->head_is_tail)
          close_open(s, t, h->end, h->flags & TA_SPAN_ENDS_IN_DEATH, h->end_stack, TRUE);
      }
    } else {
      guint8 extra = first_gen ? TA_SPAN_BEFORE_TRACE : 0;
      if (goroutine && h->cls == TA_STATE_SYSCALL_BLOCKED && h->start > gi->sync_time) {
        /* As Go: the time before the status event is blocked, after it a
         * syscall (the goroutine is not known to have lost a P since). */
        open_piece(t, h, gi->sync_time, TA_STATE_SYSCALL_BLOCKED, extra);
        close_open(s, t, h->start, 0, 0, TRUE);
        open_piece(t, h, h->start, TA_STATE_SYSCALL, 0);
      } else {
        open_piece(t, h, gi->sync_time, h->cls, extra);
      }
      if (!tr->head_is_tail)
        close_open(s, t, h->end, h->flags & TA_SPAN_ENDS_IN_DEATH, h->end_stack, TRUE);
    }
  } else if (t->open && (tr->n_internal || tr->has_tail)) {
    close_open(s, t, gi->sync_time, 0, 0, TRUE);
  }
  feed_internal(s, t->sum, tr, goroutine);
  if (tr->has_tail && !tr->head_is_tail)
    open_piece(t, &tr->tail, tr->tail.start, tr->tail.cls, 0);
}

/* ---- goroutines ---- */

static void
g_row_from(const gp_track *tr, const mg_gen *gi, gint64 *v)
{
  v[GC_ID] = tr->key.id;
  v[GC_PARENT] = tr->parent;
  v[GC_CREATED] = tr->created ? tr->creation_time : gi->sync_time;
  v[GC_END] = tr->end_time;
  v[GC_CSTACK] = tr->creation_stack;
  v[GC_SSTACK] = tr->start_stack;
  v[GC_FUNC] = tr->start_func;
  v[GC_FLAGS] = (tr->created ? 0 : TA_GOROUTINE_EXISTED) |
                (tr->ended || tr->forever ? TA_GOROUTINE_ENDED : 0);
  v[GC_BLOB] = -1;
}

/* Appends a goroutine's summary blob; returns where it is. */
static gint64
blob_append(ta_store *s, const mu_buf *b)
{
  mu_pos pos;
  guint8 hdr[10];
  guint8 *e = mu_put_uv(hdr, b->len);
  gsize hl = (gsize)(e - hdr);
  guint8 *p = mu_stream_begin(&s->blobs, b->len + hl, &pos);
  memcpy(p, hdr, hl);
  memcpy(p + hl, b->data, b->len);
  mu_stream_commit(&s->blobs, p + hl + b->len);
  return (gint64)pos.page << 32 | pos.off;
}

static gint64
blob_base(ta_store *s, gint64 created)
{
  return created >= s->origin ? (created - s->origin) >> s->shift : -1;
}

gboolean ta_merge_test_check_blobs;

/* Stores a finished goroutine summary: a blob when small, else kept whole. */
static gint64
store_summary(ta_store *s, const TaTrackKey *key, ms_track *sum, gint64 created)
{
  ms_track_finish(sum);
  mu_buf b = { 0 };
  if (ms_track_to_blob(sum, &b, BLOB_MAX, blob_base(s, created))) {
    gint64 at = blob_append(s, &b);
    mu_buf_free(&b);
    return at;
  }
  mu_buf_free(&b);
  g_hash_table_replace(s->ended, key_dup(key), ms_pub_new(key, sum, NULL));
  s->ended_changed = TRUE;
  return -1;
}

static void close_regions_at(ta_store *s, gint64 goid, gint64 t);

static void
finalize_goroutine(ta_store *s, mg_track *t)
{
  t->gv[GC_BLOB] = store_summary(s, &t->key, t->sum, t->gv[GC_CREATED]);
  t->gv[GC_FLAGS] |= TA_GOROUTINE_ENDED;
  mc_table_update(s->gtab, t->row, t->gv);
  g_hash_table_remove(s->live, &t->key);
}

/* A goroutine compacted by the generation worker (born and dead there). */
static void
goroutine_done(ta_store *s, const gp_done *d, GHashTable *rows)
{
  gint64 v[GC_N];
  v[GC_ID] = d->id;
  v[GC_PARENT] = d->parent;
  v[GC_CREATED] = d->creation_time;
  v[GC_END] = d->end_time;
  v[GC_CSTACK] = d->creation_stack;
  v[GC_SSTACK] = d->start_stack;
  v[GC_FUNC] = d->start_func;
  v[GC_FLAGS] = TA_GOROUTINE_ENDED;
  const guint8 *l0 = d->l0;
  if (d->l0_len && cur_l0_shift && cur_l0_shift <= s->shift) {
    /* Most goroutines born and dead in a generation live within one
     * bucket: their blob is their level-0 entry, no pyramid to build (the
     * first generation's entries, at its provisional width, summed into
     * the bucket they fall in). */
    mu_buf b = { 0 };
    gint64 base = blob_base(s, v[GC_CREATED]);
    gboolean single = cur_l0_shift == s->shift
                        ? ms_l0_single_to_blob(l0, d->l0_len, base, &b)
                        : ms_l0_coarse_single_to_blob(l0, d->l0_len, s->shift - cur_l0_shift,
                                                      s->shift, base, &b);
    if (single) {
      if (ta_merge_test_check_blobs) {
        ms_track *sum = ms_track_new(s->shift);
        feed_l0_bytes(s, sum, l0, d->l0_len, FALSE);
        ms_track_finish(sum);
        mu_buf slow = { 0 };
        g_assert_true(ms_track_to_blob(sum, &slow, BLOB_MAX, blob_base(s, v[GC_CREATED])));
        g_assert_cmpmem(b.data, b.len, slow.data, slow.len);
        mu_buf_free(&slow);
        ms_track_unref(sum);
      }
      ms_l0_totals(l0, d->l0_len, cur_l0_shift, s->totals);
      v[GC_BLOB] = blob_append(s, &b);
      mu_buf_free(&b);
      gint64 row = (gint64)mc_table_append(s->gtab, v);
      if (rows)
        g_hash_table_insert(rows, g_memdup2(&d->id, sizeof d->id), g_memdup2(&row, sizeof row));
      return;
    }
    mu_buf_free(&b);
  }
  ms_track *sum = ms_track_new(s->shift);
  if (d->l0_len)
    feed_l0_bytes(s, sum, l0, d->l0_len, TRUE);
  TaTrackKey key = ta_key(TA_TRACK_GOROUTINE, d->id, 0);
  v[GC_BLOB] = store_summary(s, &key, sum, v[GC_CREATED]);
  ms_track_unref(sum);
  gint64 row = (gint64)mc_table_append(s->gtab, v);
  if (rows)
    g_hash_table_insert(rows, g_memdup2(&d->id, sizeof d->id), g_memdup2(&row, sizeof row));
}

/* First pass: a row for every goroutine new in this generation. Returns
 * TRUE when the goroutine was born and died here and is done. */
static gboolean
goroutine_row(ta_store *s, const gp_track *tr, const mg_gen *gi, GHashTable *rows)
{
  mg_track *t = g_hash_table_lookup(s->live, &tr->key);
  gint64 row;
  gboolean done = FALSE;
  if (t) {
    row = (gint64)t->row;
  } else {
    gint64 v[GC_N];
    g_row_from(tr, gi, v);
    if (!tr->has_head && tr->created && tr->ended && !tr->has_tail) {
      /* Born and dead in this generation: summarise and forget. */
      ms_track *sum = ms_track_new(s->shift);
      feed_internal(s, sum, tr, TRUE);
      v[GC_BLOB] = store_summary(s, &tr->key, sum, v[GC_CREATED]);
      ms_track_unref(sum);
      row = (gint64)mc_table_append(s->gtab, v);
      done = TRUE;
    } else {
      t = live_get(s, &tr->key);
      memcpy(t->gv, v, sizeof v);
      t->row = mc_table_append(s->gtab, v);
      row = (gint64)t->row;
    }
  }
  if (rows)
    g_hash_table_insert(rows, g_memdup2(&tr->key.id, sizeof(gint64)), g_memdup2(&row, sizeof row));
  return done;
}

static void
merge_goroutine(ta_store *s, const gp_track *tr, const mg_gen *gi, gboolean first_gen)
{
  mg_track *t = g_hash_table_lookup(s->live, &tr->key);
  g_assert(t);
  merge_pieces(s, t, tr, gi, first_gen);
  gboolean dirty = FALSE;
  if (!t->gv[GC_FUNC] && tr->start_func) {
    t->gv[GC_FUNC] = tr->start_func;
    dirty = TRUE;
  }
  if ((tr->forever || tr->ended) && t->gv[GC_END] == TA_TIME_NONE) {
    t->gv[GC_END] = tr->end_time;
    t->gv[GC_FLAGS] |= TA_GOROUTINE_ENDED;
    dirty = TRUE;
  }
  if (tr->ended) {
    close_regions_at(s, t->key.id, tr->end_time);
    finalize_goroutine(s, t);
    return;
  }
  if (dirty)
    mc_table_update(s->gtab, t->row, t->gv);
}

static void
merge_resource(ta_store *s, const gp_track *tr, const mg_gen *gi, gboolean first_gen)
{
  mg_track *t = live_get(s, &tr->key);
  merge_pieces(s, t, tr, gi, first_gen);
  GArray *tab = tr->key.kind == TA_TRACK_PROC ? s->procs : s->threads;
  /* TaProcInfo and TaThreadInfo share a layout. */
  guint lo = 0, hi = tab->len;
  while (lo < hi) {
    guint mid = (lo + hi) / 2;
    if (g_array_index(tab, TaProcInfo, mid).id < tr->key.id)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo < tab->len && g_array_index(tab, TaProcInfo, lo).id == tr->key.id) {
    TaProcInfo *pi = &g_array_index(tab, TaProcInfo, lo);
    pi->last = gi->last_time;
  } else {
    TaProcInfo pi = { tr->key.id, tr->has_head ? gi->sync_time : tr->first_time, gi->last_time };
    g_array_insert_val(tab, lo, pi);
  }
}

/* ---- regions ---- */

typedef struct {
  guint64 row;
  guint32 depths;
} region_g;

static void
note_region_track(ta_store *s, gint64 goid, guint32 depth, GHashTable *rows)
{
  region_g *r = g_hash_table_lookup(s->region_gs, &goid);
  if (!r) {
    r = g_new0(region_g, 1);
    gint64 *row = g_hash_table_lookup(rows, &goid);
    r->row = row ? (guint64)*row : mc_table_len(s->gtab);
    g_hash_table_insert(s->region_gs, g_memdup2(&goid, sizeof goid), r);
  }
  if (depth + 1 > r->depths)
    r->depths = depth + 1;
}

/* Carried open regions per goroutine (live across generations). */
static GHashTable *rcarry_of(ta_store *s);

static void
region_close(ta_store *s, gint64 goid, const mg_open_region *r, gint64 end, TaStackId end_stack,
             gboolean is_long)
{
  gint64 v[RC_N];
  mc_table_get(s->regions, r->row, v);
  v[RC_END] = end;
  mc_table_update(s->regions, r->row, v);
  TaTrackKey key = ta_key(TA_TRACK_REGIONS, goid, r->depth);
  mg_track *t = live_get(s, &key);
  if (t->open) {
    close_open(s, t, end, 0, end_stack, is_long);
  } else {
    TaSpan sp = { 0 };
    sp.start = r->begin;
    sp.end = end;
    ms_track_add_span(t->sum, s->origin, sp.start, sp.end, TA_STATE_REGION);
    t->changed = TRUE;
  }
}

static void
close_regions_at(ta_store *s, gint64 goid, gint64 t)
{
  GHashTable *rc = rcarry_of(s);
  GArray *a = g_hash_table_lookup(rc, &goid);
  if (!a)
    return;
  for (guint i = a->len; i-- > 0;)
    region_close(s, goid, &g_array_index(a, mg_open_region, i), t, 0, TRUE);
  g_hash_table_remove(rc, &goid);
}

static void task_note_g(ta_store *s, guint64 task, gint64 g);

static void
merge_regions(ta_store *s, const gp_out *o, GHashTable *rows)
{
  GHashTable *rc = rcarry_of(s);
  GArray *pending = g_array_new(FALSE, FALSE, sizeof(mg_open_region));
  GArray *pending_g = g_array_new(FALSE, FALSE, sizeof(gint64));
  for (guint i = 0; i < o->regions->len; i++) {
    const gp_region *r = &g_array_index(o->regions, gp_region, i);
    GArray *carry = g_hash_table_lookup(rc, &r->g);
    if (r->task)
      task_note_g(s, r->task, r->g);
    if (r->begin == TA_TIME_NONE) {
      /* ends a region from an earlier generation */
      if (carry && carry->len) {
        mg_open_region top = g_array_index(carry, mg_open_region, carry->len - 1);
        g_array_set_size(carry, carry->len - 1);
        region_close(s, r->g, &top, r->end, r->end_stack, TRUE);
      }
      continue;
    }
    guint32 depth = (carry ? carry->len : 0) + r->local_depth;
    gint64 v[RC_N] = { r->g, (gint64)r->task, r->type, r->begin, r->end, depth, r->stack };
    guint64 row = mc_table_append(s->regions, v);
    note_region_track(s, r->g, depth, rows);
    TaTrackKey key = ta_key(TA_TRACK_REGIONS, r->g, depth);
    mg_track *t = live_get(s, &key);
    if (r->end != TA_TIME_NONE) {
      ms_track_add_span(t->sum, s->origin, r->begin, r->end, TA_STATE_REGION);
      t->changed = TRUE;
    } else {
      memset(&t->span, 0, sizeof t->span);
      t->span.start = r->begin;
      t->span.end = TA_TIME_NONE;
      t->span.state = TA_STATE_REGION;
      t->span.reason = r->type;
      t->span.stack = r->stack;
      t->span.g = r->g;
      t->span.p = TA_ID_NONE;
      t->span.task = r->task;
      t->span.depth = (guint16)depth;
      t->open = TRUE;
      t->changed = TRUE;
      /* Carried once the generation is done (the depth of regions begun
       * here counts them already). They nest in begin order. */
      mg_open_region orr = { row, r->begin, depth, r->type, r->task, r->stack };
      g_array_append_val(pending, orr);
      g_array_append_val(pending_g, r->g);
    }
  }
  for (guint i = 0; i < pending->len; i++) {
    gint64 g = g_array_index(pending_g, gint64, i);
    GArray *carry = g_hash_table_lookup(rc, &g);
    if (!carry) {
      carry = g_array_new(FALSE, FALSE, sizeof(mg_open_region));
      g_hash_table_insert(rc, g_memdup2(&g, sizeof g), carry);
    }
    g_array_append_val(carry, g_array_index(pending, mg_open_region, i));
  }
  g_array_free(pending, TRUE);
  g_array_free(pending_g, TRUE);
}

/* ---- tasks and logs ---- */

static guint32
lane_take(ta_store *s)
{
  for (guint i = 0; i < s->lane_busy->len; i++)
    if (!g_array_index(s->lane_busy, gboolean, i)) {
      g_array_index(s->lane_busy, gboolean, i) = TRUE;
      return i;
    }
  gboolean t = TRUE;
  g_array_append_val(s->lane_busy, t);
  s->n_lanes = s->lane_busy->len;
  return s->lane_busy->len - 1;
}

static void
task_note_g(ta_store *s, guint64 task, gint64 g)
{
  mg_task *t = g_hash_table_lookup(s->open_tasks, &task);
  if (!t || g < 0)
    return;
  for (guint i = 0; i < t->gs->len; i++)
    if (g_array_index(t->gs, gint64, i) == g)
      return;
  g_array_append_val(t->gs, g);
}

static void
merge_user(ta_store *s, const gp_out *o, const mg_gen *gi)
{
  for (guint i = 0; i < o->user->len; i++) {
    const gp_user *u = &g_array_index(o->user, gp_user, i);
    if (u->kind == TA_KIND_LOG) {
      gint64 v[LC_N] = { u->time, u->g, (gint64)u->id, u->category, u->message, u->stack };
      mc_table_append(s->logs, v);
      task_note_g(s, u->id, u->g);
      continue;
    }
    if (u->kind == TA_KIND_TASK_BEGIN) {
      mg_task *t = g_new0(mg_task, 1);
      t->gs = g_array_new(FALSE, FALSE, sizeof(gint64));
      t->lane = lane_take(s);
      t->begin = u->time;
      t->type = u->type;
      gint64 v[KC_N] = { (gint64)u->id, (gint64)u->parent, u->type, u->time, TA_TIME_NONE,
                         u->g, TA_ID_NONE, 0, t->lane };
      t->row = mc_table_append(s->tasks, v);
      gint64 *k = g_new(gint64, 1);
      *k = (gint64)u->id;
      mg_task *old = g_hash_table_lookup(s->open_tasks, k);
      if (old) {
        g_array_index(s->lane_busy, gboolean, old->lane) = FALSE;
        free_open_task(old);
      }
      g_hash_table_replace(s->open_tasks, k, t);
      task_note_g(s, u->id, u->g);
      TaTrackKey key = ta_key(TA_TRACK_TASKS, 0, t->lane);
      mg_track *lt = live_get(s, &key);
      memset(&lt->span, 0, sizeof lt->span);
      lt->span.start = u->time;
      lt->span.end = TA_TIME_NONE;
      lt->span.state = TA_STATE_TASK;
      lt->span.reason = u->type;
      lt->span.stack = u->stack;
      lt->span.g = u->g;
      lt->span.p = TA_ID_NONE;
      lt->span.task = u->id;
      lt->open = TRUE;
      lt->changed = TRUE;
      lt->go_state = (guint8)(gi->number & 0xff);
      lt->jkey = gi->number;
      continue;
    }
    /* task end */
    gint64 id = (gint64)u->id;
    mg_task *t = g_hash_table_lookup(s->open_tasks, &id);
    if (!t) {
      gint64 v[KC_N] = { id, (gint64)u->parent, u->type, TA_TIME_NONE, u->time, TA_ID_NONE,
                         u->g, u->g >= 0 ? 1 : 0, G_MAXUINT32 };
      mc_table_append(s->tasks, v);
      continue;
    }
    task_note_g(s, u->id, u->g);
    gint64 v[KC_N];
    mc_table_get(s->tasks, t->row, v);
    v[KC_END] = u->time;
    v[KC_END_G] = u->g;
    v[KC_NG] = t->gs->len;
    mc_table_update(s->tasks, t->row, v);
    TaTrackKey key = ta_key(TA_TRACK_TASKS, 0, t->lane);
    mg_track *lt = live_get(s, &key);
    gboolean is_long = lt->jkey != gi->number;
    close_open(s, lt, u->time, 0, u->stack, is_long);
    g_array_index(s->lane_busy, gboolean, t->lane) = FALSE;
    g_hash_table_remove(s->open_tasks, &id);
    free_open_task(t);
  }
}

/* ---- GC, STW, sweep ---- */

static void
ov_open(ta_store *s, TaTrackKind kind, gint64 start, TaStringId reason, TaStackId stack, gint64 g,
        guint8 flags)
{
  TaTrackKey key = ta_key(kind, 0, 0);
  mg_track *t = live_get(s, &key);
  memset(&t->span, 0, sizeof t->span);
  t->span.start = start;
  t->span.end = TA_TIME_NONE;
  t->span.state = kind == TA_TRACK_GC ? TA_STATE_GC : kind == TA_TRACK_STW ? TA_STATE_STW
                                                                           : TA_STATE_SWEEP;
  t->span.reason = reason;
  t->span.stack = stack;
  t->span.g = g;
  t->span.p = TA_ID_NONE;
  t->span.flags = flags;
  t->open = TRUE;
  t->changed = TRUE;
}

static void
ov_close(ta_store *s, TaTrackKind kind, gint64 end)
{
  TaTrackKey key = ta_key(kind, 0, 0);
  mg_track *t = live_get(s, &key);
  if (!t->open)
    return;
  TaSpan sp = t->span;
  sp.end = MAX(end, sp.start);
  close_open(s, t, end, 0, 0, FALSE);
  guint i = kind == TA_TRACK_GC ? 0 : kind == TA_TRACK_STW ? 1 : 2;
  g_mutex_lock(&s->span_lock);
  g_array_append_val(s->ov_spans[i], sp);
  g_mutex_unlock(&s->span_lock);
}

static void
merge_ranges(ta_store *s, const gp_out *o, const mg_gen *gi, gboolean first_gen)
{
  guint8 before = first_gen ? TA_SPAN_BEFORE_TRACE : 0;
  for (guint i = 0; i < o->ranges->len; i++) {
    const gp_range *r = &g_array_index(o->ranges, gp_range, i);
    switch (r->type) {
    case TA_EV_GC_BEGIN:
    case TA_EV_GC_ACTIVE:
      if (s->gc_open_begin == TA_TIME_NONE) {
        gboolean active = r->type == TA_EV_GC_ACTIVE;
        s->gc_open_begin = active ? gi->sync_time : r->time;
        s->gc_open_seq = r->scope;
        ov_open(s, TA_TRACK_GC, s->gc_open_begin, 0, r->stack, r->g, active ? before : 0);
      }
      break;
    case TA_EV_GC_END:
      if (s->gc_open_begin != TA_TIME_NONE) {
        gint64 v[CC_N] = { s->gc_open_seq, s->gc_open_begin, r->time };
        mc_table_append(s->gcs, v);
        ov_close(s, TA_TRACK_GC, r->time);
        s->gc_open_begin = TA_TIME_NONE;
      }
      break;
    case TA_EV_STW_BEGIN:
      s->stw_open_begin = r->time;
      s->stw_open_reason = r->reason;
      s->stw_open_stack = r->stack;
      s->stw_open_g = r->g;
      ov_open(s, TA_TRACK_STW, r->time, r->reason, r->stack, r->g, 0);
      break;
    case TA_EV_STW_END:
      if (s->stw_open_begin != TA_TIME_NONE) {
        const char *k = ms_string(s->strtab, s->stw_open_reason);
        gint64 v[WC_N] = { s->stw_open_begin, r->time, s->stw_open_reason,
                           strstr(k, "GC") != NULL };
        mc_table_append(s->stws, v);
        ov_close(s, TA_TRACK_STW, r->time);
        s->stw_open_begin = TA_TIME_NONE;
      }
      break;
    case TA_EV_GC_SWEEP_BEGIN:
    case TA_EV_GC_SWEEP_ACTIVE: {
      gint64 p = r->scope;
      if (g_hash_table_contains(s->sweeping, &p))
        break;
      gint64 *k = g_new(gint64, 1);
      *k = p;
      g_hash_table_add(s->sweeping, k);
      if (g_hash_table_size(s->sweeping) == 1) {
        gboolean active = r->type == TA_EV_GC_SWEEP_ACTIVE;
        s->sweep_begin = active ? gi->sync_time : r->time;
        ov_open(s, TA_TRACK_SWEEP, s->sweep_begin, 0, 0, r->g, active ? before : 0);
      }
      break;
    }
    case TA_EV_GC_SWEEP_END: {
      gint64 p = r->scope;
      gpointer k;
      if (!g_hash_table_lookup_extended(s->sweeping, &p, &k, NULL))
        break;
      g_hash_table_remove(s->sweeping, &p);
      g_free(k);
      if (g_hash_table_size(s->sweeping) == 0)
        ov_close(s, TA_TRACK_SWEEP, r->time);
      break;
    }
    default:
      break;
    }
  }
}

/* ---- metrics ---- */

static void
merge_metrics(ta_store *s, const gp_out *o, guint count_shift)
{
  static const TaMetric raw[3] = { TA_METRIC_HEAP_ALLOC, TA_METRIC_HEAP_GOAL, TA_METRIC_GOMAXPROCS };
  for (guint i = 0; i < 3; i++) {
    for (guint j = 0; j < o->metric[i]->len; j++) {
      const gp_metric_sample *m = &g_array_index(o->metric[i], gp_metric_sample, j);
      gint64 v[VC_N] = { m->time, m->value };
      mc_table_append(s->msamples[i], v);
      mm_track_add(s->metrics[raw[i]], (m->time - s->origin) >> s->shift, m->value, m->value,
                   m->value);
    }
  }
  static const TaMetric cm[GP_N_COUNTS] = {
    TA_METRIC_GOROUTINES_RUNNING, TA_METRIC_GOROUTINES_RUNNABLE, TA_METRIC_GOROUTINES_WAITING,
    TA_METRIC_GOROUTINES_SYSCALL, TA_METRIC_THREADS_RUNNING,     TA_METRIC_THREADS_SYSCALL,
  };
  /* Counts were bucketed relative to the generation's start and at
   * count_shift; the heads' contribution goes on top. */
  gint64 origin_off = 0;
  if (count_shift != s->shift)
    origin_off = (o->sync_time - s->origin) >> count_shift;
  for (guint i = 0; i < GP_N_COUNTS; i++) {
    gint64 c0 = o->count0[i];
    for (guint j = 0; j < o->counts[i]->len; j++) {
      const mm_acc *a = &g_array_index(o->counts[i], mm_acc, j);
      gint64 b = count_shift == s->shift ? a->b : (a->b + origin_off) >> (s->shift - count_shift);
      mm_track_add(s->metrics[cm[i]], b, a->min + c0, a->max + c0, a->last + c0);
      s->counts_last[i] = a->last + c0;
    }
  }
}

/* ---- a generation ---- */

static GHashTable *
rcarry_of(ta_store *s)
{
  if (!s->rcarry)
    s->rcarry = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, garray_free);
  return s->rcarry;
}

void
ta_store_merge(ta_store *s, gp_out *o, const mg_gen *info)
{
  g_assert(s->have_shift);
  g_assert(o->l0_shift == 0 || o->l0_shift <= s->shift);
  cur_l0_shift = o->l0_shift;
  gboolean first_gen = s->gens->len == 0;
  g_array_append_val(s->gens, *info);
  if (s->first_time == TA_TIME_NONE)
    s->first_time = o->sync_time;
  /* goroutine id -> row, for the goroutines with regions here (none: not
   * needed; a spawn-heavy generation has hundreds of thousands of rows). */
  GHashTable *rows = o->regions->len
                       ? g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free)
                       : NULL;
  gboolean *done = g_new0(gboolean, o->tracks->len + 1);
  guint next_done = 0;
  for (guint i = 0; i < o->tracks->len; i++) {
    const gp_track *tr = g_ptr_array_index(o->tracks, i);
    if (!tr) {
      g_assert(next_done < gp_out_n_done(o));
      gp_done d;
      gp_out_done(o, next_done++, &d);
      g_assert(d.order == i);
      goroutine_done(s, &d, rows);
      done[i] = TRUE;
      continue;
    }
    if (tr->key.kind == TA_TRACK_GOROUTINE)
      done[i] = goroutine_row(s, tr, info, rows);
  }
  merge_regions(s, o, rows);
  for (guint i = 0; i < o->tracks->len; i++) {
    const gp_track *tr = g_ptr_array_index(o->tracks, i);
    if (!tr)
      continue;
    if (tr->key.kind == TA_TRACK_GOROUTINE) {
      if (!done[i])
        merge_goroutine(s, tr, info, first_gen);
    } else {
      merge_resource(s, tr, info, first_gen);
    }
  }
  g_free(done);
  if (rows)
    g_hash_table_destroy(rows);
  merge_ranges(s, o, info, first_gen);
  merge_user(s, o, info);
  for (guint i = 0; i < o->samples->len; i++) {
    const gp_sample *sm = &g_array_index(o->samples, gp_sample, i);
    gint64 v[SC_N] = { sm->time, sm->g, sm->p, sm->m, sm->stack };
    mc_table_append(s->cpu, v);
  }
  merge_metrics(s, o, o->count_shift);
  s->frontier = MAX(s->frontier, o->last_time);
  s->n_events += o->n_events;
}

/* Closes every open span at the frontier: the trace ended. */
void
ta_store_finish(ta_store *s)
{
  if (s->complete)
    return;
  gint64 end = s->frontier;
  /* Regions still open. */
  GHashTable *rc = rcarry_of(s);
  GList *gids = g_hash_table_get_keys(rc);
  for (GList *l = gids; l; l = l->next) {
    gint64 g = *(gint64 *)l->data;
    GArray *a = g_hash_table_lookup(rc, &g);
    for (guint i = a->len; i-- > 0;) {
      mg_open_region *r = &g_array_index(a, mg_open_region, i);
      TaTrackKey key = ta_key(TA_TRACK_REGIONS, g, r->depth);
      mg_track *t = live_get(s, &key);
      if (t->open) {
        t->span.flags |= TA_SPAN_OPEN;
        close_open(s, t, end, 0, 0, TRUE);
      }
    }
  }
  g_list_free(gids);
  g_hash_table_remove_all(rc);
  if (s->gc_open_begin != TA_TIME_NONE) {
    gint64 v[CC_N] = { s->gc_open_seq, s->gc_open_begin, TA_TIME_NONE };
    mc_table_append(s->gcs, v);
  }
  if (s->stw_open_begin != TA_TIME_NONE) {
    gint64 v[WC_N] = { s->stw_open_begin, TA_TIME_NONE, s->stw_open_reason, 0 };
    mc_table_append(s->stws, v);
  }
  /* Everything else: goroutines, procs, threads, overview, task lanes. */
  GList *tracks = g_hash_table_get_values(s->live);
  for (GList *l = tracks; l; l = l->next) {
    mg_track *t = l->data;
    if (t->open) {
      t->span.flags |= TA_SPAN_OPEN;
      if (t->key.kind == TA_TRACK_GC || t->key.kind == TA_TRACK_STW ||
          t->key.kind == TA_TRACK_SWEEP)
        ov_close(s, t->key.kind, end);
      else
        close_open(s, t, end, 0, 0, TRUE);
    }
    ms_track_finish(t->sum);
  }
  g_list_free(tracks);
  /* Goroutines still alive: final rows. */
  tracks = g_hash_table_get_values(s->live);
  for (GList *l = tracks; l; l = l->next) {
    mg_track *t = l->data;
    if (t->key.kind != TA_TRACK_GOROUTINE)
      continue;
    t->gv[GC_BLOB] = store_summary(s, &t->key, t->sum, t->gv[GC_CREATED]);
    mc_table_update(s->gtab, t->row, t->gv);
    g_hash_table_remove(s->live, &t->key);
  }
  g_list_free(tracks);
  for (guint i = 0; i < TA_N_METRICS; i++)
    if (s->metrics[i])
      mm_track_finish(s->metrics[i]);
  s->complete = TRUE;
}

void
ta_store_dump_memory(ta_store *s)
{
  gsize live = 0, ended = 0, longs = 0, nlong = 0;
  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init(&it, s->live);
  while (g_hash_table_iter_next(&it, &k, &v))
    live += sizeof(mg_track) + ms_track_memory(((mg_track *)v)->sum) + 64;
  g_hash_table_iter_init(&it, s->ended);
  while (g_hash_table_iter_next(&it, &k, &v))
    ended += ms_track_memory(((ms_pub *)v)->track) + 64;
  g_hash_table_iter_init(&it, s->long_spans);
  while (g_hash_table_iter_next(&it, &k, &v)) {
    longs += ((GArray *)v)->len * sizeof(TaSpan) + 64;
    nlong += ((GArray *)v)->len;
  }
  g_printerr("memory: strtab %zu (%u strings, %u stacks), goroutines %zu (%" G_GUINT64_FORMAT
             " rows), blobs %zu, live tracks %zu (%u), ended %zu (%u), long spans %zu (%zu), "
             "regions %zu, tasks %zu, logs %zu, cpu %zu\n",
             ms_memory(s->strtab), ms_n_strings(s->strtab), ms_n_stacks(s->strtab),
             mc_table_memory(s->gtab), mc_table_len(s->gtab), mu_stream_memory(&s->blobs), live,
             g_hash_table_size(s->live), ended, g_hash_table_size(s->ended), longs, nlong,
             mc_table_memory(s->regions), mc_table_memory(s->tasks), mc_table_memory(s->logs),
             mc_table_memory(s->cpu));
}

gsize
ta_store_memory(ta_store *s)
{
  gsize n = sizeof *s + ms_memory(s->strtab) + mc_table_memory(s->gtab) +
            mu_stream_memory(&s->blobs);
  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init(&it, s->live);
  while (g_hash_table_iter_next(&it, &k, &v))
    n += sizeof(mg_track) + ms_track_memory(((mg_track *)v)->sum) + 64;
  g_hash_table_iter_init(&it, s->ended);
  while (g_hash_table_iter_next(&it, &k, &v))
    n += ms_track_memory(((ms_pub *)v)->track) + 64;
  g_mutex_lock(&s->span_lock);
  g_hash_table_iter_init(&it, s->long_spans);
  while (g_hash_table_iter_next(&it, &k, &v))
    n += ((GArray *)v)->len * sizeof(TaSpan) + 64;
  g_hash_table_iter_init(&it, s->resident_spans);
  while (g_hash_table_iter_next(&it, &k, &v))
    n += ((GArray *)v)->len * sizeof(TaSpan) + 64;
  for (guint i = 0; i < 3; i++)
    n += s->ov_spans[i]->len * sizeof(TaSpan);
  g_mutex_unlock(&s->span_lock);
  n += mc_table_memory(s->regions) + mc_table_memory(s->tasks) + mc_table_memory(s->logs) +
       mc_table_memory(s->cpu) + mc_table_memory(s->gcs) + mc_table_memory(s->stws);
  for (guint i = 0; i < 3; i++)
    n += mc_table_memory(s->msamples[i]);
  for (guint i = 0; i < TA_N_METRICS; i++)
    if (s->metrics[i])
      n += mm_track_memory(s->metrics[i]);
  return n;
}
