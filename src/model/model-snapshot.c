/* model-snapshot.c: immutable views of the model, and their queries.
 *
 * A snapshot is made on the indexing thread after a generation is merged.
 * It copies only what may still change (the open bucket of each level of
 * each live track, table tails, override maps when they changed) and shares
 * the rest, which only ever grows, with the document. */
#define G_LOG_DOMAIN "ta-model"

#include "model-store.h"

G_DEFINE_BOXED_TYPE(TaSnapshot, ta_snapshot, ta_snapshot_ref, ta_snapshot_unref)

typedef struct {
  guint64 row;
  guint32 depths;
} region_g;

static gint
cmp_region_row(gconstpointer a, gconstpointer b)
{
  const sn_region_g *x = a, *y = b;
  return x->row < y->row ? -1 : x->row > y->row;
}

TaSnapshot *
ta_snapshot_new_from_store(ta_store *s)
{
  TaSnapshot *snap = g_new0(TaSnapshot, 1);
  snap->ref = 1;
  snap->store = ta_store_ref(s);
  snap->gtab = mc_table_view(s->gtab);
  snap->regions = mc_table_view(s->regions);
  snap->tasks = mc_table_view(s->tasks);
  snap->logs = mc_table_view(s->logs);
  snap->cpu = mc_table_view(s->cpu);
  snap->gcs = mc_table_view(s->gcs);
  snap->stws = mc_table_view(s->stws);
  for (guint i = 0; i < 3; i++)
    snap->msamples[i] = mc_table_view(s->msamples[i]);
  for (guint i = 0; i < TA_N_METRICS; i++)
    if (s->metrics[i])
      mm_track_state(s->metrics[i], &snap->mstate[i]);
  snap->pubs = g_hash_table_new_full((GHashFunc)ta_track_key_hash, (GEqualFunc)ta_track_key_equal,
                                     NULL, (GDestroyNotify)ms_pub_unref);
  memcpy(snap->totals, s->totals, sizeof snap->totals);
  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init(&it, s->live);
  while (g_hash_table_iter_next(&it, &k, &v)) {
    mg_track *t = v;
    if (!t->pub || t->sum->dirty || t->changed) {
      ms_pub_unref(t->pub);
      t->pub = ms_pub_new(&t->key, t->sum, t->open ? &t->span : NULL);
      t->changed = FALSE;
    }
    g_hash_table_insert(snap->pubs, &t->pub->key, ms_pub_ref(t->pub));
    if (t->key.kind == TA_TRACK_GOROUTINE && t->open && s->frontier > t->span.start)
      snap->totals[t->span.state] += s->frontier - t->span.start;
  }
  g_hash_table_iter_init(&it, s->ended);
  while (g_hash_table_iter_next(&it, &k, &v)) {
    ms_pub *p = v;
    g_hash_table_insert(snap->pubs, &p->key, ms_pub_ref(p));
  }
  snap->blob_ext = mu_stream_extent(&s->blobs);
  snap->procs = g_array_copy(s->procs);
  snap->threads = g_array_copy(s->threads);
  snap->gens = g_array_copy(s->gens);
  snap->region_rows = g_array_new(FALSE, FALSE, sizeof(sn_region_g));
  g_hash_table_iter_init(&it, s->region_gs);
  while (g_hash_table_iter_next(&it, &k, &v)) {
    const region_g *r = v;
    sn_region_g e = { r->row, *(gint64 *)k, r->depths, 0 };
    if (r->row < snap->gtab->n_rows)
      g_array_append_val(snap->region_rows, e);
  }
  g_array_sort(snap->region_rows, cmp_region_row);
  guint64 before = 0;
  for (guint i = 0; i < snap->region_rows->len; i++) {
    sn_region_g *e = &g_array_index(snap->region_rows, sn_region_g, i);
    e->before = before;
    before += e->n;
  }
  snap->n_region_tracks = before;
  snap->n_lanes = s->n_lanes;
  snap->start = s->first_time;
  snap->end = s->frontier;
  /* Go's reader ends a whole trace with a Sync of its own, which no
   * generation holds: count it too, so the figure is the number of events
   * Go returns (and `trace-atlas-cli stats` prints). */
  snap->n_events = s->n_events + (s->complete && !s->error && s->n_events ? 1 : 0);
  snap->bytes_indexed = s->bytes_indexed;
  snap->complete = s->complete;
  if (s->error)
    snap->error = g_error_copy(s->error);
  guint n = 1;
  if (s->have_shift && snap->end != TA_TIME_NONE) {
    gint64 span = snap->end - s->origin + 1;
    while (n < TA_MAX_LEVELS && ((gint64)1 << (s->shift + 2 * (n - 1))) < span)
      n++;
  }
  snap->n_levels = n;
  snap->memory = ta_store_memory(s);
  return snap;
}

TaSnapshot *
ta_snapshot_ref(TaSnapshot *snap)
{
  g_return_val_if_fail(snap, NULL);
  g_atomic_int_inc(&snap->ref);
  return snap;
}

static void
snapshot_free(TaSnapshot *snap)
{
  mc_view_free(snap->gtab);
  mc_view_free(snap->regions);
  mc_view_free(snap->tasks);
  mc_view_free(snap->logs);
  mc_view_free(snap->cpu);
  mc_view_free(snap->gcs);
  mc_view_free(snap->stws);
  for (guint i = 0; i < 3; i++)
    mc_view_free(snap->msamples[i]);
  g_hash_table_destroy(snap->pubs);
  g_array_free(snap->procs, TRUE);
  g_array_free(snap->threads, TRUE);
  g_array_free(snap->gens, TRUE);
  g_array_free(snap->region_rows, TRUE);
  g_clear_error(&snap->error);
  ta_store_unref(snap->store);
  g_free(snap);
}

void
ta_snapshot_unref(TaSnapshot *snap)
{
  if (snap && g_atomic_int_dec_and_test(&snap->ref))
    snapshot_free(snap);
}

static void
release_work(gpointer snap, gpointer user_data)
{
  snapshot_free(snap);
}

/* Freeing a snapshot walks its tables (about 1 ms each while a large trace
 * loads), and its memory belongs to the malloc arena of the thread that
 * indexed it. A frame's thread that frees it takes that arena's lock (and
 * keeps the freed chunks in its per-thread cache, so later reallocs of them
 * take the lock again), while the indexing thread, at a lower priority,
 * holds it whenever it allocates, and may be preempted holding it: the main
 * thread waited up to 56 ms (ui-bench stall). */
void
ta_snapshot_release(TaSnapshot *snap)
{
  static GThreadPool *pool;

  if (!snap || !g_atomic_int_dec_and_test(&snap->ref))
    return;
  if (g_once_init_enter(&pool))
    g_once_init_leave(&pool, g_thread_pool_new(release_work, NULL, 1, FALSE, NULL));
  g_thread_pool_push(pool, snap, NULL);
}

gint64
ta_snapshot_get_start(const TaSnapshot *snap)
{
  return snap->start;
}

gint64
ta_snapshot_get_end(const TaSnapshot *snap)
{
  return snap->end;
}

gboolean
ta_snapshot_is_complete(const TaSnapshot *snap)
{
  return snap->complete;
}

guint64
ta_snapshot_get_n_generations(const TaSnapshot *snap)
{
  return snap->gens->len;
}

guint64
ta_snapshot_get_n_events(const TaSnapshot *snap)
{
  return snap->n_events;
}

guint64
ta_snapshot_get_bytes_indexed(const TaSnapshot *snap)
{
  return snap->bytes_indexed;
}

int
ta_snapshot_get_format(const TaSnapshot *snap)
{
  return snap->store->format;
}

const GError *
ta_snapshot_get_error(const TaSnapshot *snap)
{
  return snap->error;
}

gsize
ta_snapshot_get_memory_size(const TaSnapshot *snap)
{
  return snap->memory;
}

/* ---- strings and stacks ---- */

const char *
ta_snapshot_get_string(const TaSnapshot *snap, TaStringId id)
{
  return ms_string(snap->store->strtab, id);
}

guint
ta_snapshot_get_stack_depth(const TaSnapshot *snap, TaStackId stack)
{
  return ms_stack_depth(snap->store->strtab, stack);
}

gboolean
ta_snapshot_get_stack_frame(const TaSnapshot *snap, TaStackId stack, guint i, TaFrame *out)
{
  return ms_stack_frame(snap->store->strtab, stack, i, out);
}

char *
ta_snapshot_dup_stack_top(const TaSnapshot *snap, TaStackId stack)
{
  TaFrame f;
  if (!ms_stack_frame(snap->store->strtab, stack, 0, &f))
    return NULL;
  const char *base = strrchr(f.file, '/');
  return g_strdup_printf("%s (%s:%" G_GUINT64_FORMAT ")", f.func, base ? base + 1 : f.file,
                         f.line);
}

/* ---- goroutines ---- */

static void
goroutine_from(const TaSnapshot *snap, const gint64 *v, TaGoroutine *out)
{
  out->id = v[GC_ID];
  out->parent = v[GC_PARENT];
  out->creation_time = v[GC_CREATED];
  out->end_time = v[GC_END];
  out->creation_stack = (TaStackId)v[GC_CSTACK];
  out->start_stack = (TaStackId)v[GC_SSTACK];
  out->start_func = (TaStringId)v[GC_FUNC];
  guint32 flags = (guint32)v[GC_FLAGS];
  const char *fn = ms_string(snap->store->strtab, out->start_func);
  if (!*fn || (strcmp(fn, "runtime.main") && g_str_has_prefix(fn, "runtime.")))
    flags |= TA_GOROUTINE_SYSTEM;
  if (!strcmp(fn, "runtime.gcBgMarkWorker"))
    flags |= TA_GOROUTINE_GC_WORKER;
  out->flags = flags;
}

guint64
ta_snapshot_get_n_goroutines(const TaSnapshot *snap)
{
  return snap->gtab->n_rows;
}

gboolean
ta_snapshot_get_goroutine(const TaSnapshot *snap, guint64 index, TaGoroutine *out)
{
  gint64 v[GC_N];
  if (!mc_view_get(snap->gtab, index, v))
    return FALSE;
  goroutine_from(snap, v, out);
  return TRUE;
}

gboolean
ta_snapshot_find_goroutine(const TaSnapshot *snap, gint64 goid, TaGoroutine *out,
                           guint64 *index_out)
{
  gint64 v[GC_N];
  guint64 row;
  if (!mc_view_find(snap->gtab, GC_ID, goid, &row, v))
    return FALSE;
  if (out)
    goroutine_from(snap, v, out);
  if (index_out)
    *index_out = row;
  return TRUE;
}

guint64
ta_snapshot_get_goroutine_columns(const TaSnapshot *snap, guint64 first, guint64 n, gint64 *ids,
                                  gint64 *created, TaStringId *funcs)
{
  enum { CHUNK = 1024 };
  gint64 buf[CHUNK * GC_N];
  guint64 done = 0;
  while (done < n) {
    guint64 got = mc_view_get_rows(snap->gtab, first + done, MIN(n - done, CHUNK), buf);
    if (!got)
      break;
    for (guint64 i = 0; i < got; i++) {
      const gint64 *v = buf + i * GC_N;
      if (ids)
        ids[done + i] = v[GC_ID];
      if (created)
        created[done + i] = v[GC_CREATED];
      if (funcs)
        funcs[done + i] = (TaStringId)v[GC_FUNC];
    }
    done += got;
  }
  return done;
}

guint64
ta_snapshot_get_n_region_goroutines(const TaSnapshot *snap)
{
  return snap->region_rows->len;
}

gboolean
ta_snapshot_get_region_goroutine(const TaSnapshot *snap, guint64 index, guint64 *row,
                                 guint32 *n_depths)
{
  if (index >= snap->region_rows->len)
    return FALSE;
  const sn_region_g *e = &g_array_index(snap->region_rows, sn_region_g, index);
  *row = e->row;
  *n_depths = e->n;
  return TRUE;
}

char *
ta_snapshot_dup_goroutine_label(const TaSnapshot *snap, const TaGoroutine *g)
{
  const char *fn = ms_string(snap->store->strtab, g->start_func);
  if (*fn)
    return g_strdup_printf("g%" G_GINT64_FORMAT " %s", g->id, fn);
  return g_strdup_printf("g%" G_GINT64_FORMAT, g->id);
}

/* ---- procs, threads ---- */

guint
ta_snapshot_get_n_procs(const TaSnapshot *snap)
{
  return snap->procs->len;
}

gboolean
ta_snapshot_get_proc(const TaSnapshot *snap, guint index, TaProcInfo *out)
{
  if (index >= snap->procs->len)
    return FALSE;
  *out = g_array_index(snap->procs, TaProcInfo, index);
  return TRUE;
}

guint
ta_snapshot_get_n_threads(const TaSnapshot *snap)
{
  return snap->threads->len;
}

gboolean
ta_snapshot_get_thread(const TaSnapshot *snap, guint index, TaThreadInfo *out)
{
  if (index >= snap->threads->len)
    return FALSE;
  *out = g_array_index(snap->threads, TaThreadInfo, index);
  return TRUE;
}

/* ---- tasks, regions, logs ---- */

static void
task_from(const gint64 *v, TaTask *out)
{
  out->id = (guint64)v[KC_ID];
  out->parent = (guint64)v[KC_PARENT];
  out->type = (TaStringId)v[KC_TYPE];
  out->begin = v[KC_BEGIN];
  out->end = v[KC_END];
  out->begin_g = v[KC_BEGIN_G];
  out->end_g = v[KC_END_G];
  out->n_goroutines = (guint32)v[KC_NG];
  out->lane = (guint32)v[KC_LANE];
}

guint64
ta_snapshot_get_n_tasks(const TaSnapshot *snap)
{
  return snap->tasks->n_rows;
}

gboolean
ta_snapshot_get_task(const TaSnapshot *snap, guint64 index, TaTask *out)
{
  gint64 v[KC_N];
  if (!mc_view_get(snap->tasks, index, v))
    return FALSE;
  task_from(v, out);
  return TRUE;
}

gboolean
ta_snapshot_find_task(const TaSnapshot *snap, guint64 task_id, TaTask *out)
{
  gint64 v[KC_N];
  if (!mc_view_find(snap->tasks, KC_ID, (gint64)task_id, NULL, v))
    return FALSE;
  task_from(v, out);
  return TRUE;
}

guint
ta_snapshot_get_task_goroutines(const TaSnapshot *snap, guint64 task_id, gint64 *out, guint n)
{
  TaTask t;
  if (!ta_snapshot_find_task(snap, task_id, &t))
    return 0;
  guint k = 0;
#define ADD(gid)                                                              \
  do {                                                                        \
    gint64 g_ = (gid);                                                        \
    gboolean seen_ = g_ < 0;                                                  \
    for (guint i_ = 0; i_ < k && !seen_; i_++)                                \
      seen_ = out[i_] == g_;                                                  \
    if (!seen_ && k < n)                                                      \
      out[k++] = g_;                                                          \
  } while (0)
  ADD(t.begin_g);
  /* Regions and logs of the task lie within its time range. */
  gint64 from = t.begin == TA_TIME_NONE ? G_MININT64 : t.begin;
  gint64 to = t.end == TA_TIME_NONE ? G_MAXINT64 : t.end;
  gint64 v[RC_N];
  for (guint64 r = t.begin == TA_TIME_NONE ? 0 : mc_view_lower_bound(snap->regions, RC_BEGIN, from);
       r < snap->regions->n_rows; r++) {
    mc_view_get(snap->regions, r, v);
    if (v[RC_BEGIN] > to)
      break;
    if ((guint64)v[RC_TASK] == task_id)
      ADD(v[RC_G]);
  }
  gint64 w[LC_N];
  for (guint64 r = t.begin == TA_TIME_NONE ? 0 : mc_view_lower_bound(snap->logs, LC_TIME, from);
       r < snap->logs->n_rows; r++) {
    mc_view_get(snap->logs, r, w);
    if (w[LC_TIME] > to)
      break;
    if ((guint64)w[LC_TASK] == task_id)
      ADD(w[LC_G]);
  }
  ADD(t.end_g);
#undef ADD
  return k;
}

guint64
ta_snapshot_get_n_regions(const TaSnapshot *snap)
{
  return snap->regions->n_rows;
}

gboolean
ta_snapshot_get_region(const TaSnapshot *snap, guint64 index, TaRegion *out)
{
  gint64 v[RC_N];
  if (!mc_view_get(snap->regions, index, v))
    return FALSE;
  out->g = v[RC_G];
  out->task = (guint64)v[RC_TASK];
  out->type = (TaStringId)v[RC_TYPE];
  out->begin = v[RC_BEGIN];
  out->end = v[RC_END];
  out->depth = (guint32)v[RC_DEPTH];
  out->begin_stack = (TaStackId)v[RC_STACK];
  return TRUE;
}

guint64
ta_snapshot_lower_bound_region(const TaSnapshot *snap, gint64 time)
{
  return mc_view_lower_bound(snap->regions, RC_BEGIN, time);
}

guint64
ta_snapshot_get_n_logs(const TaSnapshot *snap)
{
  return snap->logs->n_rows;
}

gboolean
ta_snapshot_get_log(const TaSnapshot *snap, guint64 index, TaLog *out)
{
  gint64 v[LC_N];
  if (!mc_view_get(snap->logs, index, v))
    return FALSE;
  out->time = v[LC_TIME];
  out->g = v[LC_G];
  out->task = (guint64)v[LC_TASK];
  out->category = (TaStringId)v[LC_CAT];
  out->message = (TaStringId)v[LC_MSG];
  out->stack = (TaStackId)v[LC_STACK];
  return TRUE;
}

guint64
ta_snapshot_lower_bound_log(const TaSnapshot *snap, gint64 time)
{
  return mc_view_lower_bound(snap->logs, LC_TIME, time);
}

/* ---- GC, STW, metrics, samples ---- */

guint
ta_snapshot_get_n_gc_cycles(const TaSnapshot *snap)
{
  return (guint)snap->gcs->n_rows;
}

gboolean
ta_snapshot_get_gc_cycle(const TaSnapshot *snap, guint index, TaGcCycle *out)
{
  gint64 v[CC_N];
  if (!mc_view_get(snap->gcs, index, v))
    return FALSE;
  out->seq = (guint64)v[CC_SEQ];
  out->begin = v[CC_BEGIN];
  out->end = v[CC_END];
  return TRUE;
}

guint
ta_snapshot_get_n_stws(const TaSnapshot *snap)
{
  return (guint)snap->stws->n_rows;
}

gboolean
ta_snapshot_get_stw(const TaSnapshot *snap, guint index, TaStw *out)
{
  gint64 v[WC_N];
  if (!mc_view_get(snap->stws, index, v))
    return FALSE;
  out->begin = v[WC_BEGIN];
  out->end = v[WC_END];
  out->reason = (TaStringId)v[WC_REASON];
  out->is_gc = v[WC_GC] != 0;
  return TRUE;
}

static const mc_view *
metric_table(const TaSnapshot *snap, TaMetric m)
{
  switch (m) {
  case TA_METRIC_HEAP_ALLOC:
    return snap->msamples[0];
  case TA_METRIC_HEAP_GOAL:
    return snap->msamples[1];
  case TA_METRIC_GOMAXPROCS:
    return snap->msamples[2];
  default:
    return NULL;
  }
}

guint64
ta_snapshot_get_n_metric_samples(const TaSnapshot *snap, TaMetric metric)
{
  const mc_view *v = metric_table(snap, metric);
  return v ? v->n_rows : 0;
}

gboolean
ta_snapshot_get_metric_sample(const TaSnapshot *snap, TaMetric metric, guint64 index,
                              TaMetricSample *out)
{
  const mc_view *v = metric_table(snap, metric);
  gint64 r[VC_N];
  if (!v || !mc_view_get(v, index, r))
    return FALSE;
  out->time = r[VC_TIME];
  out->value = r[VC_VALUE];
  return TRUE;
}

guint64
ta_snapshot_get_n_cpu_samples(const TaSnapshot *snap)
{
  return snap->cpu->n_rows;
}

gboolean
ta_snapshot_get_cpu_sample(const TaSnapshot *snap, guint64 index, TaCpuSample *out)
{
  gint64 v[SC_N];
  if (!mc_view_get(snap->cpu, index, v))
    return FALSE;
  out->time = v[SC_TIME];
  out->g = v[SC_G];
  out->p = v[SC_P];
  out->m = v[SC_M];
  out->stack = (TaStackId)v[SC_STACK];
  return TRUE;
}

guint64
ta_snapshot_lower_bound_cpu_sample(const TaSnapshot *snap, gint64 time)
{
  return mc_view_lower_bound(snap->cpu, SC_TIME, time);
}

/* ---- tracks ---- */

#define N_OVERVIEW 6
static const TaTrackKind overview[N_OVERVIEW] = {
  TA_TRACK_GC, TA_TRACK_STW, TA_TRACK_SWEEP, TA_TRACK_HEAP, TA_TRACK_GOROUTINES, TA_TRACK_THREADS,
};

guint64
ta_snapshot_get_n_tracks(const TaSnapshot *snap)
{
  return N_OVERVIEW + snap->procs->len + snap->threads->len + snap->gtab->n_rows +
         snap->n_region_tracks + snap->n_lanes;
}

static gboolean
key_of_goroutine_section(const TaSnapshot *snap, guint64 j, TaTrackKey *key, guint32 *depth,
                         guint64 *grow)
{
  /* the last goroutine-with-regions whose track position is <= j */
  GArray *rr = snap->region_rows;
  guint lo = 0, hi = rr->len;
  while (lo < hi) {
    guint mid = (lo + hi) / 2;
    const sn_region_g *e = &g_array_index(rr, sn_region_g, mid);
    if (e->row + e->before <= j)
      lo = mid + 1;
    else
      hi = mid;
  }
  guint64 row;
  if (lo == 0) {
    row = j;
  } else {
    const sn_region_g *e = &g_array_index(rr, sn_region_g, lo - 1);
    guint64 pos = e->row + e->before;
    if (j <= pos + e->n) {
      if (j == pos) {
        row = e->row;
      } else {
        *key = ta_key(TA_TRACK_REGIONS, e->goid, (guint32)(j - pos - 1));
        *depth = 1;
        *grow = e->row;
        return TRUE;
      }
    } else {
      row = j - e->before - e->n;
    }
  }
  gint64 v[GC_N];
  if (!mc_view_get(snap->gtab, row, v))
    return FALSE;
  *key = ta_key(TA_TRACK_GOROUTINE, v[GC_ID], 0);
  *depth = 0;
  *grow = row;
  return TRUE;
}

static void
track_times(const TaSnapshot *snap, const TaTrackKey *key, TaTrackInfo *out)
{
  out->first = snap->start;
  out->last = snap->end;
  ms_pub *p = g_hash_table_lookup(snap->pubs, key);
  if (p && p->track) {
    if (p->first != G_MAXINT64)
      out->first = p->first;
    if (p->open_cls)
      out->last = snap->end;
    else if (p->last != G_MININT64)
      out->last = p->last;
    if (p->open_cls && p->open_start < out->first)
      out->first = p->open_start;
  }
}

gboolean
ta_snapshot_get_track(const TaSnapshot *snap, guint64 index, TaTrackInfo *out)
{
  memset(out, 0, sizeof *out);
  if (index < N_OVERVIEW) {
    out->key = ta_key(overview[index], 0, 0);
    out->is_metric = overview[index] >= TA_TRACK_HEAP;
    out->first = snap->start;
    out->last = snap->end;
    return TRUE;
  }
  index -= N_OVERVIEW;
  if (index < snap->procs->len) {
    out->key = ta_key(TA_TRACK_PROC, g_array_index(snap->procs, TaProcInfo, index).id, 0);
    track_times(snap, &out->key, out);
    return TRUE;
  }
  index -= snap->procs->len;
  if (index < snap->threads->len) {
    out->key = ta_key(TA_TRACK_THREAD, g_array_index(snap->threads, TaThreadInfo, index).id, 0);
    track_times(snap, &out->key, out);
    return TRUE;
  }
  index -= snap->threads->len;
  guint64 ng = snap->gtab->n_rows + snap->n_region_tracks;
  if (index < ng) {
    guint64 row;
    if (!key_of_goroutine_section(snap, index, &out->key, &out->depth, &row))
      return FALSE;
    if (out->key.kind == TA_TRACK_GOROUTINE) {
      gint64 v[GC_N];
      mc_view_get(snap->gtab, row, v);
      out->first = v[GC_CREATED];
      out->last = v[GC_END] != TA_TIME_NONE ? v[GC_END] : snap->end;
    } else {
      track_times(snap, &out->key, out);
    }
    return TRUE;
  }
  index -= ng;
  if (index < snap->n_lanes) {
    out->key = ta_key(TA_TRACK_TASKS, 0, (guint32)index);
    track_times(snap, &out->key, out);
    return TRUE;
  }
  return FALSE;
}

gboolean
ta_snapshot_find_track(const TaSnapshot *snap, const TaTrackKey *key, guint64 *index_out)
{
  guint64 base = 0;
  switch (key->kind) {
  case TA_TRACK_GC:
  case TA_TRACK_STW:
  case TA_TRACK_SWEEP:
  case TA_TRACK_HEAP:
  case TA_TRACK_GOROUTINES:
  case TA_TRACK_THREADS:
    for (guint i = 0; i < N_OVERVIEW; i++)
      if (overview[i] == key->kind) {
        *index_out = i;
        return TRUE;
      }
    return FALSE;
  case TA_TRACK_PROC:
  case TA_TRACK_THREAD: {
    GArray *a = key->kind == TA_TRACK_PROC ? snap->procs : snap->threads;
    base = N_OVERVIEW + (key->kind == TA_TRACK_THREAD ? snap->procs->len : 0);
    for (guint i = 0; i < a->len; i++)
      if (g_array_index(a, TaProcInfo, i).id == key->id) {
        *index_out = base + i;
        return TRUE;
      }
    return FALSE;
  }
  case TA_TRACK_GOROUTINE:
  case TA_TRACK_REGIONS: {
    base = N_OVERVIEW + snap->procs->len + snap->threads->len;
    guint64 row;
    if (!ta_snapshot_find_goroutine(snap, key->id, NULL, &row))
      return FALSE;
    guint64 before = 0, n = 0;
    GArray *rr = snap->region_rows;
    guint lo = 0, hi = rr->len;
    while (lo < hi) {
      guint mid = (lo + hi) / 2;
      if (g_array_index(rr, sn_region_g, mid).row < row)
        lo = mid + 1;
      else
        hi = mid;
    }
    if (lo < rr->len && g_array_index(rr, sn_region_g, lo).row == row) {
      before = g_array_index(rr, sn_region_g, lo).before;
      n = g_array_index(rr, sn_region_g, lo).n;
    } else if (lo > 0) {
      const sn_region_g *e = &g_array_index(rr, sn_region_g, lo - 1);
      before = e->before + e->n;
    }
    if (key->kind == TA_TRACK_REGIONS) {
      if (key->sub >= n)
        return FALSE;
      *index_out = base + row + before + 1 + key->sub;
    } else {
      *index_out = base + row + before;
    }
    return TRUE;
  }
  case TA_TRACK_TASKS:
    if (key->sub >= snap->n_lanes)
      return FALSE;
    *index_out = N_OVERVIEW + snap->procs->len + snap->threads->len + snap->gtab->n_rows +
                 snap->n_region_tracks + key->sub;
    return TRUE;
  default:
    return FALSE;
  }
}

char *
ta_snapshot_dup_track_label(const TaSnapshot *snap, const TaTrackKey *key)
{
  switch (key->kind) {
  case TA_TRACK_GC:
    return g_strdup("GC");
  case TA_TRACK_STW:
    return g_strdup("STW");
  case TA_TRACK_SWEEP:
    return g_strdup("Sweep");
  case TA_TRACK_HEAP:
    return g_strdup("Heap");
  case TA_TRACK_GOROUTINES:
    return g_strdup("Goroutines");
  case TA_TRACK_THREADS:
    return g_strdup("Threads");
  case TA_TRACK_PROC:
    return g_strdup_printf("Proc %" G_GINT64_FORMAT, key->id);
  case TA_TRACK_THREAD:
    return g_strdup_printf("Thread %" G_GINT64_FORMAT, key->id);
  case TA_TRACK_GOROUTINE: {
    TaGoroutine g;
    if (ta_snapshot_find_goroutine(snap, key->id, &g, NULL))
      return ta_snapshot_dup_goroutine_label(snap, &g);
    return g_strdup_printf("g%" G_GINT64_FORMAT, key->id);
  }
  case TA_TRACK_REGIONS:
    return g_strdup_printf("Regions g%" G_GINT64_FORMAT " · depth %u", key->id, key->sub);
  case TA_TRACK_TASKS:
    return g_strdup_printf("Tasks %u", key->sub);
  default:
    return g_strdup("");
  }
}

/* ---- summaries ---- */

guint
ta_snapshot_get_n_levels(const TaSnapshot *snap)
{
  return snap->n_levels;
}

gint64
ta_snapshot_get_origin(const TaSnapshot *snap)
{
  return snap->store->origin;
}

gint64
ta_snapshot_get_bucket_width(const TaSnapshot *snap, guint level)
{
  return (gint64)1 << (snap->store->shift + 2 * level);
}

guint
ta_snapshot_pick_level(const TaSnapshot *snap, gint64 ns_per_column)
{
  guint l = 0;
  while (l + 1 < snap->n_levels && ta_snapshot_get_bucket_width(snap, l + 1) <= ns_per_column)
    l++;
  return l;
}

gboolean
ta_snapshot_source(const TaSnapshot *snap, const TaTrackKey *key, ms_source *src)
{
  memset(src, 0, sizeof *src);
  src->frontier = snap->end;
  src->shift = snap->store->shift;
  src->origin = snap->store->origin;
  if (!snap->store->have_shift)
    return FALSE;
  ms_pub *p = g_hash_table_lookup(snap->pubs, key);
  if (p) {
    src->pub = p;
    return TRUE;
  }
  if (key->kind == TA_TRACK_GOROUTINE) {
    gint64 v[GC_N];
    if (!mc_view_find(snap->gtab, GC_ID, key->id, NULL, v))
      return FALSE;
    if (v[GC_BLOB] < 0)
      return TRUE;  /* no data yet */
    guint32 page = (guint32)(v[GC_BLOB] >> 32), off = (guint32)v[GC_BLOB];
    if (page >= snap->blob_ext.n_pages)
      return FALSE;
    const mu_page *pg = mu_vec_at(&snap->store->blobs.pages, page);
    guint64 len;
    const guint8 *q = mu_get_uv(pg->data + off, &len);
    src->blob = q;
    src->blob_len = (gsize)len;
    src->blob_base = v[GC_CREATED] >= src->origin ? (v[GC_CREATED] - src->origin) >> src->shift : 0;
    return TRUE;
  }
  /* A track with nothing yet is empty, not unknown. */
  return key->kind == TA_TRACK_GC || key->kind == TA_TRACK_STW || key->kind == TA_TRACK_SWEEP ||
         key->kind == TA_TRACK_PROC || key->kind == TA_TRACK_THREAD ||
         key->kind == TA_TRACK_REGIONS || key->kind == TA_TRACK_TASKS;
}

/* Which of n equal columns of [t0, t0 + span) a bucket goes to: the one
 * holding its start, i.e. the c with c * span <= (bs - t0) * n, clamped.
 * Column c takes the bucket starts in [t0 + ceil(c * span / n),
 * t0 + ceil((c + 1) * span / n)); the stepper walks those bounds with an
 * integer quotient and remainder (no 128-bit division per column) because
 * buckets mostly arrive in ascending order; out of order or far ahead it
 * seeks with one division. */
typedef struct {
  gint64 t0, span;
  gint64 n, q, r;       /* columns; span / n and span % n */
  guint c;              /* current column */
  gint64 lo, hi;        /* bucket starts in [lo, hi) belong to column c */
  gint64 f1, r1;        /* floor((c + 1) * span / n) and (c + 1) * span % n */
} column_stepper;

static guint
column_of_division(const column_stepper *s, gint64 t)
{
  if (t <= s->t0)
    return 0;
  __int128 c = (__int128)(t - s->t0) * s->n / s->span;
  return c >= s->n ? (guint)s->n - 1 : (guint)c;
}

static void
stepper_seek(column_stepper *s, guint c)
{
  __int128 x = (__int128)(c + 1) * s->span;
  s->c = c;
  s->f1 = (gint64)(x / s->n);
  s->r1 = (gint64)(x % s->n);
  if (c == 0) {
    s->lo = G_MININT64;
  } else {
    __int128 y = (__int128)c * s->span;
    s->lo = s->t0 + (gint64)(y / s->n) + (y % s->n != 0);
  }
  s->hi = (gint64)c + 1 >= s->n ? G_MAXINT64 : s->t0 + s->f1 + (s->r1 != 0);
}

static void
stepper_init(column_stepper *s, gint64 t0, gint64 t1, guint n)
{
  s->t0 = t0;
  s->span = t1 - t0;
  s->n = n;
  s->q = s->span / n;
  s->r = s->span % n;
  stepper_seek(s, 0);
}

static inline void
stepper_next(column_stepper *s)
{
  s->c++;
  s->lo = s->hi;
  s->f1 += s->q;
  s->r1 += s->r;
  if (s->r1 >= s->n) {
    s->r1 -= s->n;
    s->f1++;
  }
  s->hi = (gint64)s->c + 1 >= s->n ? G_MAXINT64 : s->t0 + s->f1 + (s->r1 != 0);
}

static inline guint
stepper_column(column_stepper *s, gint64 bs)
{
  if (bs >= s->lo) {
    for (int k = 0; k < 8 && bs >= s->hi; k++)
      stepper_next(s);
    if (bs < s->hi)
      return s->c;
  }
  stepper_seek(s, column_of_division(s, bs));
  return s->c;
}

/* Where a query adds bucket times: column c's state s at
 * time[c * stride + s] (and its span count at spans[c * stride] when
 * spans is set, which states it added to at states[c] when that is), so
 * one scan serves TaColumn arrays and flat arrays. */
typedef struct {
  column_stepper step;
  gint64 *time;
  guint64 *spans;
  guint32 *states;       /* bit s of states[c]: state s was added to column c */
  gsize stride;
  gint64 t1;
  gint64 origin;
  guint shift, level;
  guint lo, hi;          /* columns touched (lo > hi: none) */
} query_ctx;

static void
query_bucket(gpointer ud, gint64 b, gint64 n, const ms_acc *acc, guint run_cls)
{
  query_ctx *q = ud;
  gint64 w = (gint64)1 << (q->shift + 2 * q->level);
  for (gint64 i = 0; i < n; i++) {
    gint64 bs = q->origin + (b + i) * w;
    if (bs >= q->t1)
      break;
    if (bs + w <= q->step.t0)
      continue;
    guint c = stepper_column(&q->step, bs);
    gint64 *t = q->time + c * q->stride;
    q->lo = MIN(q->lo, c);
    q->hi = MAX(q->hi, c);
    if (acc) {
      for (guint32 m = acc->mask; m; m &= m - 1)
        t[__builtin_ctz(m)] += acc->t[__builtin_ctz(m)];
      if (q->spans)
        q->spans[c * q->stride] += acc->count;
    } else {
      t[run_cls] += w;
    }
    if (q->states)
      q->states[c] |= acc ? acc->mask : 1u << run_cls;
  }
}

/* Scans the buckets of [t0, t1) at `level` into q (set up by the caller
 * apart from the stepper and the bounds). */
static void
query_scan(const TaSnapshot *snap, ms_source *src, guint level, gint64 t0, gint64 t1, guint n_columns,
           query_ctx *q)
{
  gint64 w = ta_snapshot_get_bucket_width(snap, level);
  gint64 origin = snap->store->origin;
  gint64 bf = t0 <= origin ? 0 : (t0 - origin) / w;
  gint64 bl = t1 <= origin ? -1 : (t1 - 1 - origin) / w;
  stepper_init(&q->step, t0, t1, n_columns);
  q->t1 = t1;
  q->origin = origin;
  q->shift = snap->store->shift;
  q->level = level;
  q->lo = G_MAXUINT;
  q->hi = 0;
  if (bl >= bf)
    ms_source_scan(src, level, bf, bl, query_bucket, q);
}

gboolean
ta_snapshot_query_track(const TaSnapshot *snap, const TaTrackKey *key, gint64 t0, gint64 t1,
                        guint n_columns, TaColumn *out)
{
  g_return_val_if_fail(snap && key && out, FALSE);
  if (n_columns == 0 || t1 <= t0)
    return FALSE;
  memset(out, 0, n_columns * sizeof *out);
  gint64 per_col = (t1 - t0) / n_columns;
  guint level = ta_snapshot_pick_level(snap, per_col);
  guint8 flags = per_col < ta_snapshot_get_bucket_width(snap, 0) ? TA_COLUMN_COARSE : 0;
  /* Column c is [t0 + floor(c * span / n), t0 + floor((c + 1) * span / n)). */
  {
    gint64 span = t1 - t0, q = span / n_columns, r = span % n_columns, f = 0, rem = 0;
    for (guint i = 0; i < n_columns; i++) {
      out[i].start = t0 + f;
      f += q;
      rem += r;
      if (rem >= (gint64)n_columns) {
        rem -= n_columns;
        f++;
      }
      out[i].end = t0 + f;
    }
  }
  ms_source src;
  if (!ta_snapshot_source(snap, key, &src))
    return FALSE;
  for (guint i = 0; i < n_columns; i++) {
    out[i].level = (guint8)level;
    out[i].flags = flags | (out[i].end > snap->end ? TA_COLUMN_PARTIAL : 0);
  }
  G_STATIC_ASSERT(sizeof(TaColumn) % sizeof(gint64) == 0);
  query_ctx q = { .time = out[0].time, .spans = &out[0].n_spans, .stride = sizeof(TaColumn) / sizeof(gint64) };
  query_scan(snap, &src, level, t0, t1, n_columns, &q);
  return TRUE;
}

gboolean
ta_snapshot_accumulate_track(const TaSnapshot *snap, const TaTrackKey *key, gint64 t0, gint64 t1,
                             guint n_columns, gint64 *time, guint32 *states, guint *lo, guint *hi)
{
  g_return_val_if_fail(snap && key && time && lo && hi, FALSE);
  *lo = 1;
  *hi = 0;
  if (n_columns == 0 || t1 <= t0)
    return FALSE;
  ms_source src;
  if (!ta_snapshot_source(snap, key, &src))
    return FALSE;
  query_ctx q = { .time = time, .states = states, .stride = TA_N_STATES };
  query_scan(snap, &src, ta_snapshot_pick_level(snap, (t1 - t0) / n_columns), t0, t1, n_columns, &q);
  if (q.lo <= q.hi) {
    *lo = q.lo;
    *hi = q.hi;
  }
  return TRUE;
}

typedef struct {
  TaBucket *out;
  guint n, got;
  gint64 origin, w;
  gint64 first;
} buckets_ctx;

static void
collect_bucket(gpointer ud, gint64 b, gint64 n, const ms_acc *acc, guint run_cls)
{
  buckets_ctx *c = ud;
  for (gint64 i = 0; i < n; i++) {
    gint64 bi = b + i;
    if (bi < c->first)
      continue;
    TaBucket *o;
    if (c->got && c->out[c->got - 1].start == c->origin + bi * c->w) {
      o = &c->out[c->got - 1];
    } else {
      if (c->got == c->n)
        return;
      o = &c->out[c->got++];
      memset(o, 0, sizeof *o);
      o->start = c->origin + bi * c->w;
      o->end = o->start + c->w;
    }
    if (acc) {
      for (guint32 m = acc->mask; m; m &= m - 1)
        o->time[__builtin_ctz(m)] += acc->t[__builtin_ctz(m)];
      o->n_spans += acc->count;
    } else {
      o->time[run_cls] += c->w;
    }
  }
}

guint
ta_snapshot_get_buckets(const TaSnapshot *snap, const TaTrackKey *key, guint level,
                        gint64 first_bucket, TaBucket *out, guint n)
{
  ms_source src;
  if (!ta_snapshot_source(snap, key, &src) || level >= TA_MAX_LEVELS)
    return 0;
  gint64 w = ta_snapshot_get_bucket_width(snap, level);
  buckets_ctx c = { out, n, 0, snap->store->origin, w, first_bucket };
  gint64 last = first_bucket + (gint64)n * 64 + 1;
  if (snap->end != TA_TIME_NONE)
    last = MAX(first_bucket, (snap->end - snap->store->origin) / w + 1);
  ms_source_scan(&src, level, first_bucket, last, collect_bucket, &c);
  return c.got;
}

gboolean
ta_snapshot_get_track_totals(const TaSnapshot *snap, const TaTrackKey *key, TaBucket *out)
{
  memset(out, 0, sizeof *out);
  ms_source src;
  if (!ta_snapshot_source(snap, key, &src))
    return FALSE;
  guint level = snap->n_levels - 1;
  gint64 w = ta_snapshot_get_bucket_width(snap, level);
  TaBucket tmp[4];
  guint got = 0;
  buckets_ctx c = { tmp, 4, 0, snap->store->origin, w, 0 };
  ms_source_scan(&src, level, 0, G_MAXINT64 / w, collect_bucket, &c);
  got = c.got;
  out->start = snap->start;
  out->end = snap->end;
  for (guint i = 0; i < got; i++) {
    for (guint s = 0; s < TA_N_STATES; s++)
      out->time[s] += tmp[i].time[s];
    out->n_spans += tmp[i].n_spans;
  }
  return TRUE;
}

void
ta_snapshot_get_goroutine_totals(const TaSnapshot *snap, TaBucket *out)
{
  memset(out, 0, sizeof *out);
  out->start = snap->start;
  out->end = snap->end;
  memcpy(out->time, snap->totals, sizeof out->time);
}

/* ---- metrics ---- */

typedef struct {
  TaMetricColumn *cols;
  guint n;
  gint64 t0, t1, origin, w;
  gboolean have_prev;
  gint64 prev;
} metric_ctx;

static void
metric_bucket(gpointer ud, gint64 b, gint64 min, gint64 max, gint64 last)
{
  metric_ctx *m = ud;
  if (b < 0) {
    m->have_prev = TRUE;
    m->prev = last;
    return;
  }
  gint64 bs = m->origin + b * m->w;
  guint c = 0;
  if (bs > m->t0) {
    __int128 x = (__int128)(bs - m->t0) * m->n / (m->t1 - m->t0);
    c = x >= m->n ? m->n - 1 : (guint)x;
  }
  TaMetricColumn *col = &m->cols[c];
  if (!col->valid) {
    col->valid = TRUE;
    col->min = min;
    col->max = max;
  } else {
    col->min = MIN(col->min, min);
    col->max = MAX(col->max, max);
  }
  col->last = last;
}

gboolean
ta_snapshot_query_metric(const TaSnapshot *snap, TaMetric metric, gint64 t0, gint64 t1,
                         guint n_columns, TaMetricColumn *out)
{
  g_return_val_if_fail(snap && out, FALSE);
  if ((guint)metric >= TA_N_METRICS || n_columns == 0 || t1 <= t0)
    return FALSE;
  memset(out, 0, n_columns * sizeof *out);
  const mm_track *t = snap->store->metrics[metric];
  if (!t)
    return TRUE;
  gint64 per_col = (t1 - t0) / n_columns;
  guint level = ta_snapshot_pick_level(snap, per_col);
  gint64 w = ta_snapshot_get_bucket_width(snap, level);
  gint64 origin = snap->store->origin;
  gint64 bf = t0 <= origin ? 0 : (t0 - origin) / w;
  gint64 bl = t1 <= origin ? -1 : (t1 - 1 - origin) / w;
  metric_ctx m = { out, n_columns, t0, t1, origin, w, FALSE, 0 };
  if (bl >= 0)
    mm_scan(t, &snap->mstate[metric], level, bf, bl, TRUE, metric_bucket, &m);
  /* Columns without a sample carry the last value before them. */
  gboolean have = m.have_prev;
  gint64 carry = m.prev;
  for (guint i = 0; i < n_columns; i++) {
    if (out[i].valid) {
      if (have) {
        out[i].min = MIN(out[i].min, carry);
        out[i].max = MAX(out[i].max, carry);
      }
      carry = out[i].last;
      have = TRUE;
    } else if (have && t0 + (gint64)((__int128)(t1 - t0) * i / n_columns) < snap->end) {
      out[i].valid = TRUE;
      out[i].min = out[i].max = out[i].last = carry;
    }
  }
  return TRUE;
}
