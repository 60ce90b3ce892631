/* model-cache.c: the on-disk index cache.
 *
 * After a trace is indexed, the whole model (tables, summaries, the
 * long-span table, the generation directory) is written, zstd-compressed,
 * to $XDG_CACHE_HOME/trace-atlas/<key>.tacache, where the key hashes the
 * file's path, device, inode, size, mtime and its first MiB. Reopening the
 * same file loads it instead of indexing: the overview is there at once.
 *
 * File: a fixed header (magic, format version, identity of the trace, sizes)
 * protected by its own SHA-256, then one zstd frame whose content checksum
 * zstd verifies. Anything that does not match exactly (another version,
 * another file, a changed file, a damaged or short cache) is ignored, never
 * trusted: the trace is indexed again and the cache rewritten. */
#define G_LOG_DOMAIN "ta-model"

#include "model-index.h"
#include "model-store.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#define CACHE_MAGIC "TAIDXv1\n"
#define CACHE_VERSION 6u   /* 6: parts compressed as a stream (frames without their content size) */
#define HEAD_BYTES (1u << 20)

typedef struct {
  char magic[8];
  guint32 version;
  guint32 reserved;
  guint64 size;
  gint64 mtime_ns;
  guint64 inode;
  guint64 dev;
  guint8 head_hash[32];
  guint64 raw_len[2];    /* decompressed parts: the overview, then the rest */
  guint64 comp_len[2];   /* compressed parts (after the header, in order) */
  guint8 header_hash[32];/* SHA-256 of everything above */
} cache_header;

typedef struct {
  guint64 size, inode, dev;
  gint64 mtime_ns;
  guint8 head_hash[32];
} identity;

static gboolean
file_identity(const char *path, identity *id)
{
  memset(id, 0, sizeof *id);
  struct stat st;
  if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
    return FALSE;
  id->size = (guint64)st.st_size;
  id->inode = (guint64)st.st_ino;
  id->dev = (guint64)st.st_dev;
  id->mtime_ns = (gint64)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return FALSE;
  guint8 *buf = g_malloc(HEAD_BYTES);
  ssize_t n = pread(fd, buf, HEAD_BYTES, 0);
  close(fd);
  if (n < 0) {
    g_free(buf);
    return FALSE;
  }
  GChecksum *c = g_checksum_new(G_CHECKSUM_SHA256);
  g_checksum_update(c, buf, (gssize)n);
  gsize len = 32;
  g_checksum_get_digest(c, id->head_hash, &len);
  g_checksum_free(c);
  g_free(buf);
  return TRUE;
}

char *
ta_cache_path(const char *trace_path, const char *cache_dir)
{
  identity id;
  if (!file_identity(trace_path, &id))
    return NULL;
  g_autofree char *abs = g_canonicalize_filename(trace_path, NULL);
  g_autofree char *ident =
    g_strdup_printf("%s|%" G_GUINT64_FORMAT "|%" G_GUINT64_FORMAT "|%" G_GUINT64_FORMAT "|%"
                    G_GINT64_FORMAT, abs, id.dev, id.inode, id.size, id.mtime_ns);
  GChecksum *c = g_checksum_new(G_CHECKSUM_SHA256);
  g_checksum_update(c, (const guchar *)ident, -1);
  g_checksum_update(c, id.head_hash, 32);
  g_autofree char *key = g_strndup(g_checksum_get_string(c), 40);
  g_checksum_free(c);
  g_autofree char *dir = cache_dir ? g_strdup(cache_dir)
                                   : g_build_filename(g_get_user_cache_dir(), "trace-atlas", NULL);
  return g_strdup_printf("%s/%s.tacache", dir, key);
}

static void
header_digest(const cache_header *h, guint8 out[32])
{
  GChecksum *c = g_checksum_new(G_CHECKSUM_SHA256);
  g_checksum_update(c, (const guchar *)h, offsetof(cache_header, header_hash));
  gsize len = 32;
  g_checksum_get_digest(c, out, &len);
  g_checksum_free(c);
}

/* ---- writing ---- */

/* A part is compressed as it is serialized and written straight to the
 * file: neither the serialized part (the size of the model) nor the
 * compressed one is held whole beside the store. */
typedef struct {
  mu_buf raw;               /* serialized, not yet compressed */
  ZSTD_CCtx *z;
  guint8 *out;
  gsize out_cap;
  int fd;
  gint64 off;               /* where the next compressed byte goes */
  guint64 raw_len, comp_len;
  gboolean failed;
} cache_writer;

static void
cw_compress(cache_writer *w, ZSTD_EndDirective end)
{
  ZSTD_inBuffer in = { w->raw.data, w->raw.len, 0 };
  w->raw_len += w->raw.len;
  for (;;) {
    ta_index_yield_to_frames();
    ZSTD_outBuffer ob = { w->out, w->out_cap, 0 };
    size_t left = ZSTD_compressStream2(w->z, &ob, &in, end);
    if (ZSTD_isError(left)) {
      w->failed = TRUE;
      break;
    }
    for (gsize done = 0; done < ob.pos;) {
      ssize_t n = pwrite(w->fd, w->out + done, ob.pos - done, w->off);
      if (n <= 0) {
        w->failed = TRUE;
        break;
      }
      done += (gsize)n;
      w->off += n;
      w->comp_len += (guint64)n;
    }
    if (w->failed || (end == ZSTD_e_end ? left == 0 : in.pos == in.size))
      break;
  }
  w->raw.len = 0;
}

/* Compresses what is serialized so far once there is enough of it. */
static void
cw_drain(cache_writer *w)
{
  if (w && w->raw.len >= (1 << 20))
    cw_compress(w, ZSTD_e_continue);
}

static void
w_zz(mu_buf *b, gint64 v)
{
  mu_buf_uv(b, mu_zz(v));
}

static void
w_key(mu_buf *b, const TaTrackKey *k)
{
  mu_buf_uv(b, k->kind);
  mu_buf_uv(b, k->sub);
  w_zz(b, k->id);
}

/* `w`: the writer of b, drained as pages go by (NULL: not drained). */
static void
w_stream(mu_buf *b, const mu_stream *s, cache_writer *w)
{
  mu_buf_uv(b, s->pages.len);
  for (guint64 i = 0; i < s->pages.len; i++) {
    const mu_page *pg = mu_vec_at(&s->pages, i);
    mu_buf_uv(b, pg->used);
    mu_buf_append(b, pg->data, pg->used);
    cw_drain(w);
  }
}

static void
w_track(mu_buf *b, const ms_track *t)
{
  mu_buf_uv(b, t->shift);
  mu_buf_uv(b, t->n_levels);
  w_zz(b, t->n_spans);
  w_zz(b, t->first);
  w_zz(b, t->last);
  for (guint k = 0; k < t->n_levels; k++) {
    const ms_level *lv = t->lv[k];
    mu_buf_uv(b, lv->n_entries);
    w_zz(b, lv->next_b);
    w_stream(b, &lv->data, NULL);
    mu_buf_uv(b, lv->skip.len);
    for (guint64 i = 0; i < lv->skip.len; i++) {
      const ms_skip *s = mu_vec_at(&lv->skip, i);
      w_zz(b, s->b);
      mu_buf_uv(b, s->pos.page);
      mu_buf_uv(b, s->pos.off);
      w_zz(b, s->prev_end);
    }
    /* a finished track has nothing open */
  }
}

static void
w_span(mu_buf *b, const TaSpan *s)
{
  w_zz(b, s->start);
  w_zz(b, s->end - s->start);
  mu_buf_byte(b, s->state);
  mu_buf_byte(b, s->flags);
  mu_buf_uv(b, s->depth);
  mu_buf_uv(b, s->reason);
  mu_buf_uv(b, s->stack);
  mu_buf_uv(b, s->end_stack);
  w_zz(b, s->g);
  w_zz(b, s->p);
  mu_buf_uv(b, s->task);
}

static void
w_spans(mu_buf *b, const GArray *a)
{
  mu_buf_uv(b, a->len);
  for (guint i = 0; i < a->len; i++)
    w_span(b, &g_array_index(a, TaSpan, i));
}

static void
w_metric(mu_buf *b, const mm_track *t)
{
  mu_buf_byte(b, t ? 1 : 0);
  if (!t)
    return;
  mu_buf_uv(b, t->shift);
  mu_buf_uv(b, t->n_levels);
  mu_buf_byte(b, (guint8)t->any);
  for (guint k = 0; k < t->n_levels; k++) {
    const mm_level *lv = t->lv[k];
    mu_buf_uv(b, lv->n_entries);
    w_zz(b, lv->next_b);
    w_zz(b, lv->prev_last);
    w_stream(b, &lv->data, NULL);
    mu_buf_uv(b, lv->skip.len);
    for (guint64 i = 0; i < lv->skip.len; i++) {
      const mm_skip *s = mu_vec_at(&lv->skip, i);
      w_zz(b, s->b);
      mu_buf_uv(b, s->pos.page);
      mu_buf_uv(b, s->pos.off);
      w_zz(b, s->prev_end);
      w_zz(b, s->prev_last);
    }
  }
}

/* Part 1: what the overview needs (published as soon as it is read). */
static void
serialize_overview(ta_store *s, cache_writer *w)
{
  mu_buf *b = &w->raw;
  mu_buf_uv(b, (guint64)s->format);
  mu_buf_byte(b, (guint8)s->plain);
  mu_buf_uv(b, s->shift);
  w_zz(b, s->origin);
  w_zz(b, s->first_time);
  w_zz(b, s->frontier);
  mu_buf_uv(b, s->n_events);
  mu_buf_uv(b, s->bytes_indexed);
  mu_buf_uv(b, s->bytes_total);
  mu_buf_uv(b, s->n_lanes);
  for (guint i = 0; i < TA_N_STATES; i++)
    w_zz(b, s->totals[i]);
  if (s->error) {
    mu_buf_byte(b, 1);
    mu_buf_uv(b, (guint64)s->error->code);
    gsize n = strlen(s->error->message);
    mu_buf_uv(b, n);
    mu_buf_append(b, s->error->message, n);
  } else {
    mu_buf_byte(b, 0);
  }
  ms_serialize(s->strtab, b);
  /* tracks still whole: procs, threads, overview, regions, lanes */
  mu_buf_uv(b, g_hash_table_size(s->live));
  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init(&it, s->live);
  while (g_hash_table_iter_next(&it, &k, &v)) {
    mg_track *t = v;
    w_key(b, &t->key);
    w_track(b, t->sum);
  }
  g_mutex_lock(&s->span_lock);
  for (guint i = 0; i < 3; i++)
    w_spans(b, s->ov_spans[i]);
  g_mutex_unlock(&s->span_lock);
  GArray *pt[2] = { s->procs, s->threads };
  for (guint i = 0; i < 2; i++) {
    mu_buf_uv(b, pt[i]->len);
    for (guint j = 0; j < pt[i]->len; j++) {
      const TaProcInfo *p = &g_array_index(pt[i], TaProcInfo, j);
      w_zz(b, p->id);
      w_zz(b, p->first);
      w_zz(b, p->last);
    }
  }
  mu_buf_uv(b, s->gens->len);
  for (guint i = 0; i < s->gens->len; i++) {
    const mg_gen *g = &g_array_index(s->gens, mg_gen, i);
    mu_buf_uv(b, g->number);
    w_zz(b, g->start_offset);
    w_zz(b, g->end_offset);
    w_zz(b, g->sync_time);
    w_zz(b, g->last_time);
    mu_buf_uv(b, g->n_events);
    w_zz(b, g->floor);
    w_zz(b, g->last_event);
  }
  for (guint i = 0; i < TA_N_METRICS; i++)
    w_metric(b, s->metrics[i]);
  mc_table *tabs[] = { s->gcs, s->stws, s->msamples[0], s->msamples[1], s->msamples[2] };
  for (guint i = 0; i < G_N_ELEMENTS(tabs); i++)
    mc_table_serialize(tabs[i], b);
}

/* Part 2: the tables and the rest. */
static void
serialize_rest(ta_store *s, cache_writer *w)
{
  mu_buf *b = &w->raw;
  mc_table *tabs[] = { s->gtab, s->regions, s->tasks, s->logs, s->cpu };
  for (guint i = 0; i < G_N_ELEMENTS(tabs); i++) {
    mc_table_serialize(tabs[i], b);
    cw_drain(w);
  }
  w_stream(b, &s->blobs, w);
  GHashTableIter it;
  gpointer k, v;
  mu_buf_uv(b, g_hash_table_size(s->ended));
  g_hash_table_iter_init(&it, s->ended);
  while (g_hash_table_iter_next(&it, &k, &v)) {
    ms_pub *p = v;
    w_key(b, &p->key);
    w_track(b, p->track);
    cw_drain(w);
  }
  mu_buf_uv(b, g_hash_table_size(s->region_gs));
  g_hash_table_iter_init(&it, s->region_gs);
  while (g_hash_table_iter_next(&it, &k, &v)) {
    w_zz(b, *(gint64 *)k);
    const guint64 *r = v;   /* region_g: row, depths */
    mu_buf_uv(b, r[0]);
    mu_buf_uv(b, ((const guint32 *)(r + 1))[0]);
  }
  g_mutex_lock(&s->span_lock);
  mu_buf_uv(b, g_hash_table_size(s->long_spans));
  g_hash_table_iter_init(&it, s->long_spans);
  while (g_hash_table_iter_next(&it, &k, &v)) {
    w_key(b, k);
    w_spans(b, v);
    cw_drain(w);
  }
  g_mutex_unlock(&s->span_lock);
}

gboolean
ta_cache_save(ta_store *s, const char *cache_file, GError **error)
{
  identity id;
  if (!s->complete || !file_identity(s->path, &id)) {
    g_set_error_literal(error, TA_MODEL_ERROR, TA_MODEL_ERROR_OPEN, "nothing to cache");
    return FALSE;
  }
  g_autofree char *dir = g_path_get_dirname(cache_file);
  g_mkdir_with_parents(dir, 0700);
  /* Written beside it and renamed over it once complete. */
  g_autofree char *tmp = g_strconcat(cache_file, ".XXXXXX", NULL);
  int fd = g_mkstemp_full(tmp, O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0) {
    g_set_error(error, TA_MODEL_ERROR, TA_MODEL_ERROR_OPEN, "%s: %s", tmp, g_strerror(errno));
    return FALSE;
  }
  cache_header h;
  memset(&h, 0, sizeof h);
  cache_writer w = { 0 };
  w.fd = fd;
  w.off = sizeof h;
  w.out_cap = ZSTD_CStreamOutSize();
  w.out = g_malloc(w.out_cap);
  for (guint part = 0; part < 2 && !w.failed; part++) {
    w.z = ZSTD_createCCtx();
    ZSTD_CCtx_setParameter(w.z, ZSTD_c_compressionLevel, 1);
    ZSTD_CCtx_setParameter(w.z, ZSTD_c_checksumFlag, 1);
    w.raw_len = w.comp_len = 0;
    if (part == 0)
      serialize_overview(s, &w);
    else
      serialize_rest(s, &w);
    cw_compress(&w, ZSTD_e_end);
    ZSTD_freeCCtx(w.z);
    h.raw_len[part] = w.raw_len;
    h.comp_len[part] = w.comp_len;
  }
  mu_buf_free(&w.raw);
  g_free(w.out);
  memcpy(h.magic, CACHE_MAGIC, 8);
  h.version = CACHE_VERSION;
  h.size = id.size;
  h.mtime_ns = id.mtime_ns;
  h.inode = id.inode;
  h.dev = id.dev;
  memcpy(h.head_hash, id.head_hash, 32);
  header_digest(&h, h.header_hash);
  gboolean ok = !w.failed && pwrite(fd, &h, sizeof h, 0) == (ssize_t)sizeof h;
  if (close(fd) != 0)
    ok = FALSE;
  if (ok && g_rename(tmp, cache_file) != 0)
    ok = FALSE;
  if (!ok) {
    g_set_error(error, TA_MODEL_ERROR, TA_MODEL_ERROR_OPEN, "cannot write %s", cache_file);
    g_unlink(tmp);
  }
  return ok;
}

/* ---- reading ---- */

typedef struct {
  const guint8 *p, *end;
  gboolean bad;
  /* The part being read is mapped from `base`; pages before `kept` have been
   * given back (rd_release). NULL base: nothing to give back. */
  const guint8 *base, *kept;
} rd;

/* Gives back the whole pages of the decompressed part that were read: what
 * was read has been copied into the store, so the part and the store it
 * becomes need not both be resident (the part is the size of the model). */
static void
rd_release(rd *r)
{
  if (!r->base)
    return;
  gsize page = (gsize)sysconf(_SC_PAGESIZE);
  const guint8 *upto = r->base + ((gsize)(r->p - r->base) & ~(page - 1));
  if (upto - r->kept >= (gssize)(1 << 20)) {
    madvise((void *)r->kept, (gsize)(upto - r->kept), MADV_DONTNEED);
    r->kept = upto;
  }
}

static guint64
r_uv(rd *r)
{
  if (r->bad || r->p >= r->end) {
    r->bad = TRUE;
    return 0;
  }
  guint64 v;
  r->p = mu_get_uv(r->p, &v);   /* the buffer has zero padding after `end` */
  if (r->p > r->end)
    r->bad = TRUE;
  return v;
}

static gint64
r_zz(rd *r)
{
  return mu_unzz(r_uv(r));
}

static guint8
r_byte(rd *r)
{
  if (r->bad || r->p >= r->end) {
    r->bad = TRUE;
    return 0;
  }
  return *r->p++;
}

static gboolean
r_count(rd *r, guint64 n, guint64 min_bytes_each)
{
  if (r->bad || n > (guint64)(r->end - r->p) / MAX(min_bytes_each, 1)) {
    r->bad = TRUE;
    return FALSE;
  }
  return TRUE;
}

static void
r_key(rd *r, TaTrackKey *k)
{
  k->kind = (TaTrackKind)r_uv(r);
  k->sub = (guint32)r_uv(r);
  k->id = r_zz(r);
  if (k->kind >= TA_N_TRACK_KINDS)
    r->bad = TRUE;
}

static void
r_stream(rd *r, mu_stream *s)
{
  guint64 n = r_uv(r);
  if (!r_count(r, n, 1))
    return;
  for (guint64 i = 0; i < n && !r->bad; i++) {
    guint64 used = r_uv(r);
    if (!r_count(r, used, 1))
      return;
    mu_page *pg = mu_vec_push(&s->pages);
    pg->cap = (guint32)MAX(used, 1);
    pg->data = g_malloc(pg->cap);
    memcpy(pg->data, r->p, used);
    pg->used = (guint32)used;
    r->p += used;
    rd_release(r);
  }
}

static ms_track *
r_track(rd *r)
{
  guint shift = (guint)r_uv(r);
  guint nl = (guint)r_uv(r);
  if (r->bad || nl == 0 || nl > TA_MAX_LEVELS || shift > 62) {
    r->bad = TRUE;
    return NULL;
  }
  ms_track *t = ms_track_new(shift);
  t->n_spans = r_zz(r);
  t->first = r_zz(r);
  t->last = r_zz(r);
  for (guint k = 0; k < nl && !r->bad; k++) {
    if (!t->lv[k]) {
      /* levels are made like this in model-summary.c */
      ms_track *tmp = ms_track_new(shift);
      t->lv[k] = tmp->lv[0];
      tmp->lv[0] = NULL;
      ms_track_unref(tmp);
    }
    ms_level *lv = t->lv[k];
    lv->n_entries = (guint32)r_uv(r);
    lv->next_b = r_zz(r);
    r_stream(r, &lv->data);
    guint64 ns = r_uv(r);
    if (!r_count(r, ns, 4))
      break;
    for (guint64 i = 0; i < ns && !r->bad; i++) {
      ms_skip *s = mu_vec_push(&lv->skip);
      s->b = r_zz(r);
      s->pos.page = (guint32)r_uv(r);
      s->pos.off = (guint32)r_uv(r);
      s->prev_end = r_zz(r);
      if (s->pos.page >= lv->data.pages.len)
        r->bad = TRUE;
    }
  }
  t->n_levels = (guint8)nl;
  t->dirty = FALSE;
  if (r->bad) {
    ms_track_unref(t);
    return NULL;
  }
  return t;
}

static GArray *
r_spans(rd *r)
{
  guint64 n = r_uv(r);
  if (!r_count(r, n, 10))
    return NULL;
  GArray *a = g_array_sized_new(FALSE, FALSE, sizeof(TaSpan), (guint)n);
  for (guint64 i = 0; i < n && !r->bad; i++) {
    TaSpan s = { 0 };
    s.start = r_zz(r);
    s.end = s.start + r_zz(r);
    s.state = r_byte(r);
    s.flags = r_byte(r);
    s.depth = (guint16)r_uv(r);
    s.reason = (TaStringId)r_uv(r);
    s.stack = (TaStackId)r_uv(r);
    s.end_stack = (TaStackId)r_uv(r);
    s.g = r_zz(r);
    s.p = r_zz(r);
    s.task = r_uv(r);
    if (s.state >= TA_N_STATES)
      r->bad = TRUE;
    g_array_append_val(a, s);
  }
  return a;
}

static mm_track *
r_metric(rd *r)
{
  if (!r_byte(r))
    return NULL;
  guint shift = (guint)r_uv(r);
  guint nl = (guint)r_uv(r);
  if (r->bad || shift > 62) {
    r->bad = TRUE;
    return NULL;
  }
  mm_track *t = mm_track_new(shift);
  if (nl != t->n_levels) {
    r->bad = TRUE;
    mm_track_free(t);
    return NULL;
  }
  t->any = r_byte(r);
  for (guint k = 0; k < nl && !r->bad; k++) {
    mm_level *lv = t->lv[k];
    lv->n_entries = (guint32)r_uv(r);
    lv->next_b = r_zz(r);
    lv->prev_last = r_zz(r);
    r_stream(r, &lv->data);
    guint64 ns = r_uv(r);
    if (!r_count(r, ns, 5))
      break;
    for (guint64 i = 0; i < ns && !r->bad; i++) {
      mm_skip *s = mu_vec_push(&lv->skip);
      s->b = r_zz(r);
      s->pos.page = (guint32)r_uv(r);
      s->pos.off = (guint32)r_uv(r);
      s->prev_end = r_zz(r);
      s->prev_last = r_zz(r);
      if (s->pos.page >= lv->data.pages.len)
        r->bad = TRUE;
    }
  }
  return t;
}

static gboolean
deserialize_overview(ta_store *s, rd *r)
{
  s->format = (int)r_uv(r);
  s->plain = r_byte(r);
  s->shift = (guint)r_uv(r);
  s->origin = r_zz(r);
  s->have_shift = TRUE;
  s->first_time = r_zz(r);
  s->frontier = r_zz(r);
  s->n_events = r_uv(r);
  s->bytes_indexed = r_uv(r);
  s->bytes_total = r_uv(r);
  s->n_lanes = (guint)r_uv(r);
  for (guint i = 0; i < TA_N_STATES; i++)
    s->totals[i] = r_zz(r);
  if (r_byte(r)) {
    gint code = (gint)r_uv(r);
    guint64 n = r_uv(r);
    if (!r_count(r, n, 1))
      return FALSE;
    g_autofree char *msg = g_strndup((const char *)r->p, n);
    r->p += n;
    s->error = g_error_new_literal(TA_MODEL_ERROR, code, msg);
  }
  if (r->bad || s->shift > 62)
    return FALSE;
  ms_table_free(s->strtab);
  s->strtab = ms_deserialize(&r->p, r->end);
  if (!s->strtab) {
    s->strtab = ms_table_new();
    return FALSE;
  }
  guint64 n = r_uv(r);
  if (!r_count(r, n, 4))
    return FALSE;
  for (guint64 i = 0; i < n; i++) {
    TaTrackKey key;
    if ((i & 63) == 0)
      ta_index_yield_to_frames();
    r_key(r, &key);
    ms_track *t = r_track(r);
    if (!t)
      return FALSE;
    mg_track *m = g_new0(mg_track, 1);
    m->key = key;
    m->sum = t;
    g_hash_table_replace(s->live, &m->key, m);
  }
  for (guint i = 0; i < 3; i++) {
    GArray *a = r_spans(r);
    if (!a)
      return FALSE;
    g_array_free(s->ov_spans[i], TRUE);
    s->ov_spans[i] = a;
  }
  GArray *pt[2] = { s->procs, s->threads };
  for (guint i = 0; i < 2; i++) {
    n = r_uv(r);
    if (!r_count(r, n, 3))
      return FALSE;
    for (guint64 j = 0; j < n; j++) {
      TaProcInfo p = { r_zz(r), r_zz(r), r_zz(r) };
      g_array_append_val(pt[i], p);
    }
  }
  n = r_uv(r);
  if (!r_count(r, n, 8))
    return FALSE;
  for (guint64 i = 0; i < n; i++) {
    mg_gen g;
    g.number = r_uv(r);
    g.start_offset = r_zz(r);
    g.end_offset = r_zz(r);
    g.sync_time = r_zz(r);
    g.last_time = r_zz(r);
    g.n_events = r_uv(r);
    g.floor = r_zz(r);
    g.last_event = r_zz(r);
    g_array_append_val(s->gens, g);
  }
  for (guint i = 0; i < TA_N_METRICS; i++) {
    s->metrics[i] = r_metric(r);
    if (r->bad)
      return FALSE;
  }
  mc_table **tabs[] = { &s->gcs, &s->stws, &s->msamples[0], &s->msamples[1], &s->msamples[2] };
  for (guint i = 0; i < G_N_ELEMENTS(tabs); i++) {
    mc_table *t = mc_table_deserialize(&r->p, r->end);
    if (!t)
      return FALSE;
    mc_table_free(*tabs[i]);
    *tabs[i] = t;
  }
  return !r->bad && r->p == r->end;
}

/* The tables replace empty ones a published snapshot may still view: those
 * are kept until the store goes. */
static gboolean
deserialize_rest(ta_store *s, rd *r)
{
  mc_table **tabs[] = { &s->gtab, &s->regions, &s->tasks, &s->logs, &s->cpu };
  for (guint i = 0; i < G_N_ELEMENTS(tabs); i++) {
    mc_table *t = mc_table_deserialize(&r->p, r->end);
    if (!t)
      return FALSE;
    s->retired = g_list_prepend(s->retired, *tabs[i]);
    *tabs[i] = t;
    rd_release(r);
  }
  if (s->blobs.pages.len)
    return FALSE;
  r_stream(r, &s->blobs);
  guint64 n = r_uv(r);
  if (!r_count(r, n, 4))
    return FALSE;
  for (guint64 i = 0; i < n; i++) {
    TaTrackKey key;
    if ((i & 63) == 0)
      ta_index_yield_to_frames();
    r_key(r, &key);
    ms_track *t = r_track(r);
    if (!t)
      return FALSE;
    g_hash_table_replace(s->ended, g_memdup2(&key, sizeof key), ms_pub_new(&key, t, NULL));
    ms_track_unref(t);
  }
  n = r_uv(r);
  if (!r_count(r, n, 3))
    return FALSE;
  for (guint64 i = 0; i < n; i++) {
    gint64 g = r_zz(r);
    guint64 *rg = g_malloc0(16);
    rg[0] = r_uv(r);
    ((guint32 *)(rg + 1))[0] = (guint32)r_uv(r);
    g_hash_table_replace(s->region_gs, g_memdup2(&g, sizeof g), rg);
  }
  n = r_uv(r);
  if (!r_count(r, n, 4))
    return FALSE;
  g_mutex_lock(&s->span_lock);
  for (guint64 i = 0; i < n; i++) {
    TaTrackKey key;
    if ((i & 63) == 0)
      ta_index_yield_to_frames();
    r_key(r, &key);
    GArray *a = r_spans(r);
    if (!a) {
      g_mutex_unlock(&s->span_lock);
      return FALSE;
    }
    g_hash_table_replace(s->long_spans, g_memdup2(&key, sizeof key), a);
  }
  g_mutex_unlock(&s->span_lock);
  return !r->bad && r->p == r->end;
}

static gboolean
read_at(int fd, void *buf, gsize len, gint64 off)
{
  gsize done = 0;
  while (done < len) {
    ssize_t n = pread(fd, (char *)buf + done, len - done, off + (gint64)done);
    if (n <= 0)
      return FALSE;
    done += (gsize)n;
  }
  return TRUE;
}

/* The mapping a part is decompressed into: raw_len bytes and 16 zero bytes
 * (readers may look a little past the end). */
static gsize
part_map_len(guint64 raw_len)
{
  return (gsize)raw_len + 16;
}

/* Decompresses one part (a zstd frame of comp_len bytes at `off`) into a
 * mapping of its own, reading the file a block at a time: neither the
 * compressed part nor a heap buffer is held beside it, and the mapping is
 * given back page by page as it is read (rd_release). NULL when the frame
 * is not exactly raw_len bytes with a good checksum. */
static guint8 *
decompress_part(int fd, gint64 off, guint64 comp_len, guint64 raw_len)
{
  if (raw_len > (guint64)16 << 30)
    return NULL;
  guint8 *raw = mmap(NULL, part_map_len(raw_len), PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED)
    return NULL;
  ZSTD_DCtx *z = ZSTD_createDCtx();
  gsize in_cap = ZSTD_DStreamInSize();
  guint8 *in = g_malloc(in_cap);
  ZSTD_outBuffer ob = { raw, raw_len, 0 };
  size_t ret = 1;   /* 0 once the frame is complete and its checksum good */
  gboolean ok = TRUE;
  for (guint64 done = 0; ok && done < comp_len;) {
    gsize n = (gsize)MIN((guint64)in_cap, comp_len - done);
    if (!read_at(fd, in, n, off + (gint64)done)) {
      ok = FALSE;
      break;
    }
    done += n;
    ta_index_yield_to_frames();
    ZSTD_inBuffer ib = { in, n, 0 };
    while (ib.pos < ib.size) {
      if (ret == 0) {   /* bytes after the frame */
        ok = FALSE;
        break;
      }
      size_t in_before = ib.pos, out_before = ob.pos;
      ret = ZSTD_decompressStream(z, &ob, &ib);
      if (ZSTD_isError(ret) || (ib.pos == in_before && ob.pos == out_before && ret != 0)) {
        ok = FALSE;   /* broken, or more content than raw_len */
        break;
      }
    }
  }
  ZSTD_freeDCtx(z);
  g_free(in);
  if (!ok || ret != 0 || ob.pos != raw_len) {
    munmap(raw, part_map_len(raw_len));
    return NULL;
  }
  return raw;
}

ta_store *
ta_cache_load(const char *trace_path, const char *cache_file, ta_cache_part_fn part_done,
              gpointer ud, GError **error)
{
  identity id;
  if (!file_identity(trace_path, &id)) {
    g_set_error_literal(error, TA_MODEL_ERROR, TA_MODEL_ERROR_OPEN, "no trace");
    return NULL;
  }
  int fd = open(cache_file, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    g_set_error_literal(error, TA_MODEL_ERROR, TA_MODEL_ERROR_OPEN, "no index cache");
    return NULL;
  }
  struct stat st;
  cache_header h;
  ta_store *s = NULL;
  guint8 *raw = NULL;
  guint64 raw_len = 0;
  guint8 digest[32];
  gint64 t0 = g_get_monotonic_time();
  if (fstat(fd, &st) != 0 || (guint64)st.st_size < sizeof h || !read_at(fd, &h, sizeof h, 0))
    goto bad;
  header_digest(&h, digest);
  if (memcmp(h.magic, CACHE_MAGIC, 8) != 0 || h.version != CACHE_VERSION ||
      memcmp(digest, h.header_hash, 32) != 0)
    goto bad;
  if (h.size != id.size || h.mtime_ns != id.mtime_ns || h.inode != id.inode || h.dev != id.dev ||
      memcmp(h.head_hash, id.head_hash, 32) != 0)
    goto bad;                                  /* stale: another or a changed file */
  if (h.comp_len[0] + h.comp_len[1] != (guint64)st.st_size - sizeof h ||
      h.comp_len[0] > ((guint64)4 << 30) || h.comp_len[1] > ((guint64)16 << 30))
    goto bad;
  s = ta_store_new(trace_path);
  gint64 off = sizeof h;
  for (guint part = 0; part < 2; part++) {
    /* one part at a time: the file is never all in memory */
    raw_len = h.raw_len[part];
    raw = decompress_part(fd, off, h.comp_len[part], raw_len);
    off += (gint64)h.comp_len[part];
    if (!raw)
      goto bad;
    rd r = { raw, raw + raw_len, FALSE, raw, raw };
    if (!(part == 0 ? deserialize_overview(s, &r) : deserialize_rest(s, &r)))
      goto bad;
    munmap(raw, part_map_len(raw_len));
    raw = NULL;
    if (part == 0) {
      if (g_getenv("TA_MODEL_DEBUG"))
        g_printerr("cache: overview %" G_GUINT64_FORMAT " bytes in %.3f s\n", h.raw_len[0],
                   (g_get_monotonic_time() - t0) / 1e6);
      if (part_done)
        part_done(ud, s);
    }
  }
  if (g_getenv("TA_MODEL_DEBUG"))
    g_printerr("cache: all %" G_GUINT64_FORMAT " bytes in %.3f s\n",
               h.raw_len[0] + h.raw_len[1], (g_get_monotonic_time() - t0) / 1e6);
  s->complete = TRUE;
  close(fd);
  return s;
bad:
  g_set_error_literal(error, TA_MODEL_ERROR, TA_MODEL_ERROR_OPEN, "no valid index cache");
  if (s)
    ta_store_unref(s);
  if (raw)
    munmap(raw, part_map_len(raw_len));
  close(fd);
  return NULL;
}
