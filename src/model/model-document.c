/* model-document.c: TaDocument, a trace being indexed and its windows.
 *
 * The indexing thread publishes snapshots into a one-slot mailbox; the main
 * context picks the newest one up in a single low-priority idle, so however
 * fast generations arrive, the UI sees at most one update per idle and
 * never waits for the indexer (the mailbox lock is held for a pointer swap). */
#define G_LOG_DOMAIN "ta-model"

#include "model-window-private.h"

#include <glib/gstdio.h>

struct _TaDocument {
  GObject parent_instance;

  char *path;
  TaModelOptions opts;
  char *cache_dir;
  GMainContext *context;

  GThread *thread;
  GCancellable *cancellable;
  ta_store *store;            /* set by the indexing thread before its first publish */

  /* mailbox (indexing thread -> main) */
  GMutex lock;
  TaSnapshot *pending;
  gboolean pending_final;
  GSource *publish_source;    /* main context; armed by the indexing thread */
  gboolean publish_armed;
  TaSnapshot *latest;         /* newest published (any thread) */
  guint64 bytes_indexed;
  guint64 bytes_total;
  guint64 n_generations, n_events;
  gboolean from_cache_flag;

  /* main-thread state */
  TaSnapshot *snapshot;
  TaDocumentState state;
  GError *error;
  gboolean from_cache;

  GThreadPool *pool;
  ta_wcache *wcache;
};

enum {
  PROP_0,
  PROP_PATH,
  PROP_STATE,
  PROP_PROGRESS,
  PROP_BYTES_INDEXED,
  PROP_BYTES_TOTAL,
  PROP_N_GENERATIONS,
  PROP_N_EVENTS,
  PROP_SNAPSHOT,
  PROP_ERROR,
  PROP_FROM_CACHE,
  N_PROPS
};

enum {
  SIGNAL_SNAPSHOT_PUBLISHED,
  SIGNAL_PROGRESS,
  SIGNAL_FAILED,
  SIGNAL_FINISHED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE(TaDocument, ta_document, G_TYPE_OBJECT)

static void
ta_document_dispose(GObject *object)
{
  TaDocument *self = TA_DOCUMENT(object);
  if (self->cancellable)
    g_cancellable_cancel(self->cancellable);
  if (self->thread) {
    g_thread_join(self->thread);
    self->thread = NULL;
  }
  if (self->pool) {
    g_thread_pool_free(self->pool, TRUE, TRUE);
    self->pool = NULL;
  }
  g_mutex_lock(&self->lock);
  if (self->publish_source) {
    g_source_destroy(self->publish_source);
    g_clear_pointer(&self->publish_source, g_source_unref);
  }
  g_clear_pointer(&self->pending, ta_snapshot_release);
  g_clear_pointer(&self->latest, ta_snapshot_release);
  g_mutex_unlock(&self->lock);
  g_clear_pointer(&self->snapshot, ta_snapshot_release);
  g_clear_object(&self->cancellable);
  G_OBJECT_CLASS(ta_document_parent_class)->dispose(object);
}

static void
ta_document_finalize(GObject *object)
{
  TaDocument *self = TA_DOCUMENT(object);
  g_clear_pointer(&self->store, ta_store_unref);
  g_clear_pointer(&self->wcache, ta_wcache_free);
  g_clear_error(&self->error);
  g_main_context_unref(self->context);
  g_mutex_clear(&self->lock);
  g_free(self->path);
  g_free(self->cache_dir);
  G_OBJECT_CLASS(ta_document_parent_class)->finalize(object);
}

static void
ta_document_get_property(GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TaDocument *self = TA_DOCUMENT(object);
  switch (prop_id) {
  case PROP_PATH:
    g_value_set_string(value, self->path);
    break;
  case PROP_STATE:
    g_value_set_enum(value, self->state);
    break;
  case PROP_PROGRESS:
    g_value_set_double(value, ta_document_get_progress(self));
    break;
  case PROP_BYTES_INDEXED:
    g_value_set_uint64(value, ta_document_get_bytes_indexed(self));
    break;
  case PROP_BYTES_TOTAL:
    g_value_set_uint64(value, ta_document_get_bytes_total(self));
    break;
  case PROP_N_GENERATIONS:
    g_value_set_uint64(value, self->snapshot ? ta_snapshot_get_n_generations(self->snapshot) : 0);
    break;
  case PROP_N_EVENTS:
    g_value_set_uint64(value, self->snapshot ? ta_snapshot_get_n_events(self->snapshot) : 0);
    break;
  case PROP_SNAPSHOT:
    g_value_set_boxed(value, self->snapshot);
    break;
  case PROP_ERROR:
    g_value_set_boxed(value, self->error);
    break;
  case PROP_FROM_CACHE:
    g_value_set_boolean(value, self->from_cache);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
  }
}

static void
ta_document_class_init(TaDocumentClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS(klass);
  object_class->dispose = ta_document_dispose;
  object_class->finalize = ta_document_finalize;
  object_class->get_property = ta_document_get_property;

  GParamFlags f = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  properties[PROP_PATH] = g_param_spec_string("path", NULL, NULL, NULL, f);
  properties[PROP_STATE] = g_param_spec_enum("state", NULL, NULL, TA_TYPE_DOCUMENT_STATE,
                                             TA_DOCUMENT_IDLE, f);
  properties[PROP_PROGRESS] = g_param_spec_double("progress", NULL, NULL, 0, 1, 0, f);
  properties[PROP_BYTES_INDEXED] =
    g_param_spec_uint64("bytes-indexed", NULL, NULL, 0, G_MAXUINT64, 0, f);
  properties[PROP_BYTES_TOTAL] = g_param_spec_uint64("bytes-total", NULL, NULL, 0, G_MAXUINT64, 0, f);
  properties[PROP_N_GENERATIONS] =
    g_param_spec_uint64("n-generations", NULL, NULL, 0, G_MAXUINT64, 0, f);
  properties[PROP_N_EVENTS] = g_param_spec_uint64("n-events", NULL, NULL, 0, G_MAXUINT64, 0, f);
  properties[PROP_SNAPSHOT] = g_param_spec_boxed("snapshot", NULL, NULL, TA_TYPE_SNAPSHOT, f);
  properties[PROP_ERROR] = g_param_spec_boxed("error", NULL, NULL, G_TYPE_ERROR, f);
  properties[PROP_FROM_CACHE] = g_param_spec_boolean("from-cache", NULL, NULL, FALSE, f);
  g_object_class_install_properties(object_class, N_PROPS, properties);

  signals[SIGNAL_SNAPSHOT_PUBLISHED] =
    g_signal_new("snapshot-published", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                 NULL, G_TYPE_NONE, 1, TA_TYPE_SNAPSHOT);
  signals[SIGNAL_PROGRESS] = g_signal_new("progress", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_FAILED] = g_signal_new("failed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0,
                                        NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
  signals[SIGNAL_FINISHED] = g_signal_new("finished", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static gboolean deliver_published(gpointer data);

static gboolean
publish_source_dispatch(GSource *source, GSourceFunc callback, gpointer data)
{
  g_source_set_ready_time(source, -1);
  return callback(data);
}

static GSourceFuncs publish_source_funcs = { .dispatch = publish_source_dispatch };

static void
ta_document_init(TaDocument *self)
{
  g_mutex_init(&self->lock);
  self->context = g_main_context_ref_thread_default();
  self->cancellable = g_cancellable_new();
  /* One source for the document's life, armed for each publish: a source
   * made per publish by the indexing thread and freed by the main thread
   * carried that thread's malloc arena into the main thread's allocations
   * (see ta_snapshot_release). It holds no reference: dispose destroys it. */
  self->publish_source = g_source_new(&publish_source_funcs, sizeof(GSource));
  g_source_set_priority(self->publish_source, G_PRIORITY_DEFAULT_IDLE);
  g_source_set_callback(self->publish_source, deliver_published, self, NULL);
  g_source_set_static_name(self->publish_source, "[ta-document] publish");
  g_source_set_ready_time(self->publish_source, -1);
  g_source_attach(self->publish_source, self->context);
}

TaDocument *
ta_document_new(const char *path, const TaModelOptions *opts)
{
  g_return_val_if_fail(path != NULL, NULL);
  TaDocument *self = g_object_new(TA_TYPE_DOCUMENT, NULL);
  self->path = g_strdup(path);
  if (opts)
    self->opts = *opts;
  else
    ta_model_options_init(&self->opts);
  self->cache_dir = g_strdup(self->opts.cache_dir);
  self->opts.cache_dir = NULL;
  guint cores = g_get_num_processors();
  if (!self->opts.n_index_threads)
    self->opts.n_index_threads = cores;
  if (!self->opts.n_window_threads)
    self->opts.n_window_threads = cores;
  self->wcache = ta_wcache_new(self->opts.window_cache_budget);
  GStatBuf st;
  if (g_stat(path, &st) == 0)
    self->bytes_total = (guint64)st.st_size;
  return self;
}

/* ---- publishing ---- */

static gboolean
deliver_published(gpointer data)
{
  TaDocument *self = data;
  g_mutex_lock(&self->lock);
  TaSnapshot *snap = g_steal_pointer(&self->pending);
  gboolean final = self->pending_final;
  gboolean from_cache = self->from_cache_flag;
  self->publish_armed = FALSE;
  g_mutex_unlock(&self->lock);
  if (!snap)
    return G_SOURCE_CONTINUE;
  /* A handler may drop the last reference to the document. */
  g_autoptr(TaDocument) hold = g_object_ref(self);
  g_object_freeze_notify(G_OBJECT(self));
  g_clear_pointer(&self->snapshot, ta_snapshot_release);
  self->snapshot = snap;
  if (from_cache != self->from_cache) {
    self->from_cache = from_cache;
    g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_FROM_CACHE]);
  }
  g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_SNAPSHOT]);
  g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_PROGRESS]);
  g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_BYTES_INDEXED]);
  g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_N_GENERATIONS]);
  g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_N_EVENTS]);
  TaDocumentState st = self->state;
  if (final) {
    const GError *e = ta_snapshot_get_error(snap);
    if (e && e->code == TA_MODEL_ERROR_CANCELLED)
      st = TA_DOCUMENT_CANCELLED;
    else if (e)
      st = TA_DOCUMENT_FAILED;
    else
      st = TA_DOCUMENT_COMPLETE;
    if (e && !self->error) {
      self->error = g_error_copy(e);
      g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_ERROR]);
    }
  }
  if (st != self->state) {
    self->state = st;
    g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_STATE]);
  }
  g_object_thaw_notify(G_OBJECT(self));
  g_signal_emit(self, signals[SIGNAL_PROGRESS], 0);
  g_signal_emit(self, signals[SIGNAL_SNAPSHOT_PUBLISHED], 0, snap);
  if (final) {
    if (self->state == TA_DOCUMENT_FAILED)
      g_signal_emit(self, signals[SIGNAL_FAILED], 0, self->error);
    g_signal_emit(self, signals[SIGNAL_FINISHED], 0);
  }
  return G_SOURCE_CONTINUE;
}

static void
publish_cb(gpointer ud, TaSnapshot *snap, gboolean final)
{
  TaDocument *self = ud;
  g_mutex_lock(&self->lock);
  g_clear_pointer(&self->latest, ta_snapshot_unref);
  self->latest = ta_snapshot_ref(snap);
  g_clear_pointer(&self->pending, ta_snapshot_unref);
  self->pending = snap;
  self->pending_final = self->pending_final || final;
  self->bytes_indexed = ta_snapshot_get_bytes_indexed(snap);
  if (!self->publish_armed && self->publish_source) {
    self->publish_armed = TRUE;
    g_source_set_ready_time(self->publish_source, 0);
  }
  g_mutex_unlock(&self->lock);
}

/* The overview part of an index cache is read: publish it at once. */
static void
cache_overview_cb(gpointer ud, ta_store *s)
{
  TaDocument *self = ud;
  g_mutex_lock(&self->lock);
  self->from_cache_flag = TRUE;
  g_mutex_unlock(&self->lock);
  publish_cb(self, ta_snapshot_new_from_store(s), FALSE);
  /* The tables still to read are not what the first frames wait for. */
  if (self->opts.index_in_background)
    ta_index_run_in_background();
}

static gpointer
index_thread(gpointer data)
{
  TaDocument *self = data;
  g_autofree char *cache_file = NULL;
  if (self->opts.use_cache) {
    cache_file = ta_cache_path(self->path, self->cache_dir);
    if (cache_file) {
      ta_store *s = ta_cache_load(self->path, cache_file, cache_overview_cb, self, NULL);
      if (s) {
        self->store = s;
        g_mutex_lock(&self->lock);
        self->from_cache_flag = TRUE;
        g_mutex_unlock(&self->lock);
        publish_cb(self, ta_snapshot_new_from_store(s), TRUE);
        return NULL;
      }
    }
  }
  ta_store *s = ta_store_new(self->path);
  self->store = ta_store_ref(s);
  ta_index_opts o = { 0 };
  o.n_threads = self->opts.n_index_threads;
  o.resident = self->bytes_total <= self->opts.resident_limit && self->opts.resident_limit > 0;
  o.cancellable = self->cancellable;
  o.background = self->opts.index_in_background;
  o.publish = publish_cb;
  o.ud = self;
  gboolean ok = ta_index_run(s, &o);
  gboolean cancelled = s->error && s->error->code == TA_MODEL_ERROR_CANCELLED;
  if (cache_file && !cancelled && (ok || s->gens->len > 0))
    ta_cache_save(s, cache_file, NULL);
  ta_store_unref(s);
  return NULL;
}

void
ta_document_start(TaDocument *self)
{
  g_return_if_fail(TA_IS_DOCUMENT(self));
  if (self->thread || self->state != TA_DOCUMENT_IDLE)
    return;
  self->state = TA_DOCUMENT_INDEXING;
  g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_STATE]);
  self->thread = g_thread_new("ta-index", index_thread, self);
}

void
ta_document_cancel(TaDocument *self)
{
  g_return_if_fail(TA_IS_DOCUMENT(self));
  g_cancellable_cancel(self->cancellable);
}

const char *
ta_document_get_path(TaDocument *self)
{
  g_return_val_if_fail(TA_IS_DOCUMENT(self), NULL);
  return self->path;
}

TaDocumentState
ta_document_get_state(TaDocument *self)
{
  g_return_val_if_fail(TA_IS_DOCUMENT(self), TA_DOCUMENT_IDLE);
  return self->state;
}

double
ta_document_get_progress(TaDocument *self)
{
  g_return_val_if_fail(TA_IS_DOCUMENT(self), 0);
  if (self->snapshot && ta_snapshot_is_complete(self->snapshot))
    return 1.0;
  guint64 total = ta_document_get_bytes_total(self);
  if (!total)
    return 0;
  return MIN(1.0, (double)ta_document_get_bytes_indexed(self) / (double)total);
}

guint64
ta_document_get_bytes_indexed(TaDocument *self)
{
  g_return_val_if_fail(TA_IS_DOCUMENT(self), 0);
  return self->snapshot ? ta_snapshot_get_bytes_indexed(self->snapshot) : 0;
}

guint64
ta_document_get_bytes_total(TaDocument *self)
{
  g_return_val_if_fail(TA_IS_DOCUMENT(self), 0);
  return self->bytes_total;
}

const GError *
ta_document_get_error(TaDocument *self)
{
  g_return_val_if_fail(TA_IS_DOCUMENT(self), NULL);
  return self->error;
}

gboolean
ta_document_get_from_cache(TaDocument *self)
{
  g_return_val_if_fail(TA_IS_DOCUMENT(self), FALSE);
  if (self->thread == NULL && self->latest)
    return self->from_cache_flag;
  return self->from_cache;
}

TaSnapshot *
ta_document_dup_snapshot(TaDocument *self)
{
  g_return_val_if_fail(TA_IS_DOCUMENT(self), NULL);
  return self->snapshot ? ta_snapshot_ref(self->snapshot) : NULL;
}

TaSnapshot *
ta_document_wait(TaDocument *self)
{
  g_return_val_if_fail(TA_IS_DOCUMENT(self), NULL);
  if (self->state == TA_DOCUMENT_IDLE)
    ta_document_start(self);
  if (self->thread) {
    g_thread_join(self->thread);
    self->thread = NULL;
  }
  g_mutex_lock(&self->lock);
  TaSnapshot *s = self->latest ? ta_snapshot_ref(self->latest) : NULL;
  g_mutex_unlock(&self->lock);
  return s;
}

/* ---- windows ---- */

typedef struct {
  ta_wreq rq;
} wjob;

static void
wjob_free(gpointer p)
{
  wjob *j = p;
  ta_snapshot_release(j->rq.snap);
  g_free(j->rq.keys);
  g_free(j);
}

static void
window_worker(gpointer data, gpointer user)
{
  GTask *task = data;
  wjob *j = g_task_get_task_data(task);
  GError *error = NULL;
  if (g_task_return_error_if_cancelled(task)) {
    g_object_unref(task);
    return;
  }
  TaWindow *w = ta_wreq_run(&j->rq, g_task_get_cancellable(task), &error);
  if (w)
    g_task_return_pointer(task, w, (GDestroyNotify)ta_window_unref);
  else
    g_task_return_error(task, error);
  g_object_unref(task);
}

static wjob *
make_job(TaDocument *self, TaSnapshot *snap, const TaTrackKey *tracks, guint n, gint64 t0,
         gint64 t1)
{
  wjob *j = g_new0(wjob, 1);
  j->rq.snap = ta_snapshot_ref(snap);
  j->rq.keys = g_memdup2(tracks, n * sizeof *tracks);
  j->rq.n = n;
  j->rq.t0 = t0;
  j->rq.t1 = t1;
  j->rq.cache = self->wcache;
  return j;
}

void
ta_document_request_spans_async(TaDocument *self, TaSnapshot *snap, const TaTrackKey *tracks,
                                guint n_tracks, gint64 t0, gint64 t1, GCancellable *cancellable,
                                GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail(TA_IS_DOCUMENT(self));
  g_return_if_fail(snap != NULL);
  GTask *task = g_task_new(self, cancellable, callback, user_data);
  g_task_set_source_tag(task, ta_document_request_spans_async);
  g_task_set_task_data(task, make_job(self, snap, tracks, n_tracks, t0, t1), wjob_free);
  if (!self->pool)
    self->pool = g_thread_pool_new(window_worker, NULL, (gint)self->opts.n_window_threads, FALSE,
                                   NULL);
  g_thread_pool_push(self->pool, task, NULL);
}

TaWindow *
ta_document_request_spans_finish(TaDocument *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail(g_task_is_valid(result, self), NULL);
  return g_task_propagate_pointer(G_TASK(result), error);
}

TaWindow *
ta_document_request_spans(TaDocument *self, TaSnapshot *snap, const TaTrackKey *tracks,
                          guint n_tracks, gint64 t0, gint64 t1, GCancellable *cancellable,
                          GError **error)
{
  g_return_val_if_fail(TA_IS_DOCUMENT(self), NULL);
  g_return_val_if_fail(snap != NULL, NULL);
  wjob *j = make_job(self, snap, tracks, n_tracks, t0, t1);
  TaWindow *w = ta_wreq_run(&j->rq, cancellable, error);
  wjob_free(j);
  return w;
}

guint64
ta_document_get_window_cache_size(TaDocument *self)
{
  return ta_wcache_size(self->wcache);
}

void
ta_document_get_window_cache_stats(TaDocument *self, guint64 *hits, guint64 *misses,
                                   guint64 *evictions)
{
  g_mutex_lock(&self->wcache->lock);
  if (hits)
    *hits = self->wcache->hits;
  if (misses)
    *misses = self->wcache->misses;
  if (evictions)
    *evictions = self->wcache->evictions;
  g_mutex_unlock(&self->wcache->lock);
}

guint
ta_document_get_n_redecoded(TaDocument *doc)
{
  g_return_val_if_fail(TA_IS_DOCUMENT(doc), 0);
  return doc->store ? doc->store->n_redecoded : 0;
}
