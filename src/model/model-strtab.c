/* model-strtab.c: interned strings, frames and stacks of a document.
 *
 * A generation's string and stack tables die with the generation, so every
 * string or stack the model keeps is copied here once and named by a small
 * id. Interning takes a mutex (generations are decoded on several threads);
 * reading an id that was handed out takes nothing: the arrays only grow. */
#define G_LOG_DOMAIN "ta-model"

#include "model-private.h"

typedef struct {
  guint64 pc;
  TaStringId func, file;
  guint64 line;
} frame_rec;

typedef struct {
  guint64 first;   /* in stack_frames */
  guint32 n;
} stack_rec;

typedef struct {
  const guint32 *frames;
  guint n;
  TaStackId id;
} stack_key;

struct ms_table {
  GMutex lock;
  GStringChunk *chunk;
  GHashTable *strings;     /* const char* -> id */
  mu_vec string_ptrs;      /* const char* */
  GHashTable *frames;      /* frame_rec* -> id+1 */
  mu_vec frame_recs;       /* frame_rec */
  GHashTable *stacks;      /* stack_key* -> id */
  mu_vec stack_recs;       /* stack_rec */
  mu_vec stack_frames;     /* guint32 frame ids */
  gsize string_bytes;
};

static guint
frame_hash(gconstpointer k)
{
  const frame_rec *f = k;
  guint64 h = f->pc * 0x9E3779B97F4A7C15ull ^ ((guint64)f->func << 32 | f->file) ^ f->line * 31;
  return (guint)(h ^ h >> 32);
}

static gboolean
frame_equal(gconstpointer a, gconstpointer b)
{
  const frame_rec *x = a, *y = b;
  return x->pc == y->pc && x->func == y->func && x->file == y->file && x->line == y->line;
}

static guint
stack_hash(gconstpointer k)
{
  const stack_key *s = k;
  guint64 h = 1469598103934665603ull ^ s->n;
  for (guint i = 0; i < s->n; i++)
    h = (h ^ s->frames[i]) * 1099511628211ull;
  return (guint)(h ^ h >> 32);
}

static gboolean
stack_equal(gconstpointer a, gconstpointer b)
{
  const stack_key *x = a, *y = b;
  return x->n == y->n && memcmp(x->frames, y->frames, x->n * sizeof(guint32)) == 0;
}

ms_table *
ms_table_new(void)
{
  ms_table *t = g_new0(ms_table, 1);
  g_mutex_init(&t->lock);
  t->chunk = g_string_chunk_new(64 * 1024);
  t->strings = g_hash_table_new(g_str_hash, g_str_equal);
  mu_vec_init(&t->string_ptrs, sizeof(const char *));
  t->frames = g_hash_table_new(frame_hash, frame_equal);
  mu_vec_init(&t->frame_recs, sizeof(frame_rec));
  t->stacks = g_hash_table_new_full(stack_hash, stack_equal, g_free, NULL);
  mu_vec_init(&t->stack_recs, sizeof(stack_rec));
  mu_vec_init(&t->stack_frames, sizeof(guint32));
  /* id 0: the empty string; stack 0: no stack. */
  const char **p = mu_vec_push(&t->string_ptrs);
  *p = g_string_chunk_insert_const(t->chunk, "");
  g_hash_table_insert(t->strings, (gpointer)*p, GUINT_TO_POINTER(0));
  mu_vec_push(&t->stack_recs);
  return t;
}

void
ms_table_free(ms_table *t)
{
  if (!t)
    return;
  g_hash_table_destroy(t->strings);
  g_hash_table_destroy(t->frames);
  g_hash_table_destroy(t->stacks);
  g_string_chunk_free(t->chunk);
  mu_vec_clear(&t->string_ptrs);
  mu_vec_clear(&t->frame_recs);
  mu_vec_clear(&t->stack_recs);
  mu_vec_clear(&t->stack_frames);
  g_mutex_clear(&t->lock);
  g_free(t);
}

static TaStringId
intern_locked(ms_table *t, const char *s)
{
  gpointer key, val;
  if (g_hash_table_lookup_extended(t->strings, s, &key, &val))
    return GPOINTER_TO_UINT(val);
  const char *copy = g_string_chunk_insert(t->chunk, s);
  TaStringId id = (TaStringId)t->string_ptrs.len;
  const char **p = mu_vec_push(&t->string_ptrs);
  *p = copy;
  g_hash_table_insert(t->strings, (gpointer)copy, GUINT_TO_POINTER(id));
  t->string_bytes += strlen(copy) + 1;
  return id;
}

TaStringId
ms_intern(ms_table *t, const char *s, gsize len)
{
  if (len == 0)
    return 0;
  char small[256];
  char *buf = len < sizeof small ? small : g_malloc(len + 1);
  memcpy(buf, s, len);
  buf[len] = 0;
  g_mutex_lock(&t->lock);
  TaStringId id = intern_locked(t, buf);
  g_mutex_unlock(&t->lock);
  if (buf != small)
    g_free(buf);
  return id;
}

guint32
ms_intern_frame(ms_table *t, guint64 pc, TaStringId func, TaStringId file, guint64 line)
{
  frame_rec probe = { pc, func, file, line };
  g_mutex_lock(&t->lock);
  gpointer v = g_hash_table_lookup(t->frames, &probe);
  guint32 id;
  if (v) {
    id = GPOINTER_TO_UINT(v) - 1;
  } else {
    id = (guint32)t->frame_recs.len;
    frame_rec *f = mu_vec_push(&t->frame_recs);
    *f = probe;
    g_hash_table_insert(t->frames, f, GUINT_TO_POINTER(id + 1));
  }
  g_mutex_unlock(&t->lock);
  return id;
}

TaStackId
ms_intern_stack(ms_table *t, const guint32 *frames, guint n)
{
  if (n == 0)
    return 0;
  stack_key probe = { frames, n, 0 };
  g_mutex_lock(&t->lock);
  stack_key *found = NULL;
  if (g_hash_table_lookup_extended(t->stacks, &probe, (gpointer *)&found, NULL)) {
    TaStackId id = found->id;
    g_mutex_unlock(&t->lock);
    return id;
  }
  guint64 first = t->stack_frames.len;
  for (guint i = 0; i < n; i++)
    *(guint32 *)mu_vec_push(&t->stack_frames) = frames[i];
  TaStackId id = (TaStackId)t->stack_recs.len;
  stack_rec *r = mu_vec_push(&t->stack_recs);
  r->first = first;
  r->n = n;
  /* The key points at a private copy of the frame ids (they are contiguous
   * in stack_frames only within a chunk). */
  stack_key *k = g_malloc(sizeof *k + n * sizeof(guint32));
  guint32 *copy = (guint32 *)(k + 1);
  memcpy(copy, frames, n * sizeof(guint32));
  k->frames = copy;
  k->n = n;
  k->id = id;
  g_hash_table_add(t->stacks, k);
  g_mutex_unlock(&t->lock);
  return id;
}

const char *
ms_string(const ms_table *t, TaStringId id)
{
  guint64 n = __atomic_load_n(&t->string_ptrs.len, __ATOMIC_ACQUIRE);
  if (id >= n)
    return "";
  return *(const char **)mu_vec_at(&t->string_ptrs, id);
}

guint
ms_stack_depth(const ms_table *t, TaStackId id)
{
  guint64 n = __atomic_load_n(&t->stack_recs.len, __ATOMIC_ACQUIRE);
  if (id == 0 || id >= n)
    return 0;
  return ((const stack_rec *)mu_vec_at(&t->stack_recs, id))->n;
}

guint32
ms_stack_frame_id(const ms_table *t, TaStackId id, guint i)
{
  const stack_rec *r = mu_vec_at(&t->stack_recs, id);
  return *(const guint32 *)mu_vec_at(&t->stack_frames, r->first + i);
}

TaStringId
ms_frame_func(const ms_table *t, guint32 frame)
{
  return ((const frame_rec *)mu_vec_at(&t->frame_recs, frame))->func;
}

gboolean
ms_stack_frame(const ms_table *t, TaStackId id, guint i, TaFrame *out)
{
  if (i >= ms_stack_depth(t, id))
    return FALSE;
  const frame_rec *f = mu_vec_at(&t->frame_recs, ms_stack_frame_id(t, id, i));
  out->pc = f->pc;
  out->func = ms_string(t, f->func);
  out->file = ms_string(t, f->file);
  out->line = f->line;
  return TRUE;
}

guint32
ms_n_strings(const ms_table *t)
{
  return (guint32)__atomic_load_n(&t->string_ptrs.len, __ATOMIC_ACQUIRE);
}

guint32
ms_n_stacks(const ms_table *t)
{
  return (guint32)__atomic_load_n(&t->stack_recs.len, __ATOMIC_ACQUIRE);
}

guint32
ms_n_frames(const ms_table *t)
{
  return (guint32)__atomic_load_n(&t->frame_recs.len, __ATOMIC_ACQUIRE);
}

gsize
ms_memory(const ms_table *t)
{
  /* Strings, the arrays, and a rough 48 bytes per hash entry. */
  return t->string_bytes + mu_vec_memory(&t->string_ptrs) + mu_vec_memory(&t->frame_recs) +
         mu_vec_memory(&t->stack_recs) + mu_vec_memory(&t->stack_frames) +
         48 * (g_hash_table_size(t->strings) + g_hash_table_size(t->frames) +
               g_hash_table_size(t->stacks)) +
         4 * mu_vec_memory(&t->stack_frames) / 4;
}

/* ---- serialisation ---- */

void
ms_serialize(const ms_table *t, mu_buf *out)
{
  guint32 ns = ms_n_strings(t);
  mu_buf_uv(out, ns);
  for (guint32 i = 1; i < ns; i++) {
    const char *s = ms_string(t, i);
    gsize len = strlen(s);
    mu_buf_uv(out, len);
    mu_buf_append(out, s, len);
  }
  guint32 nf = ms_n_frames(t);
  mu_buf_uv(out, nf);
  for (guint32 i = 0; i < nf; i++) {
    const frame_rec *f = mu_vec_at(&t->frame_recs, i);
    mu_buf_uv(out, f->pc);
    mu_buf_uv(out, f->func);
    mu_buf_uv(out, f->file);
    mu_buf_uv(out, f->line);
  }
  guint32 nk = ms_n_stacks(t);
  mu_buf_uv(out, nk);
  for (guint32 i = 1; i < nk; i++) {
    guint d = ms_stack_depth(t, i);
    mu_buf_uv(out, d);
    for (guint j = 0; j < d; j++)
      mu_buf_uv(out, ms_stack_frame_id(t, i, j));
  }
}

#define RD(v)                                                                 \
  do {                                                                        \
    if (*p >= end)                                                            \
      goto bad;                                                               \
    *p = mu_get_uv(*p, &(v));                                                 \
  } while (0)

ms_table *
ms_deserialize(const guint8 **p, const guint8 *end)
{
  ms_table *t = ms_table_new();
  guint64 ns, nf, nk, v;
  RD(ns);
  for (guint64 i = 1; i < ns; i++) {
    RD(v);
    if ((guint64)(end - *p) < v)
      goto bad;
    char *s = g_strndup((const char *)*p, v);
    *p += v;
    /* Strings were unique when written; keep their ids even if one repeats. */
    const char *copy = g_string_chunk_insert(t->chunk, s);
    g_free(s);
    const char **slot = mu_vec_push(&t->string_ptrs);
    *slot = copy;
    g_hash_table_insert(t->strings, (gpointer)copy, GUINT_TO_POINTER((guint)i));
    t->string_bytes += strlen(copy) + 1;
  }
  RD(nf);
  for (guint64 i = 0; i < nf; i++) {
    frame_rec *f = mu_vec_push(&t->frame_recs);
    guint64 a, b, c, d;
    RD(a);
    RD(b);
    RD(c);
    RD(d);
    if (b >= ns || c >= ns)
      goto bad;
    f->pc = a;
    f->func = (TaStringId)b;
    f->file = (TaStringId)c;
    f->line = d;
    g_hash_table_insert(t->frames, f, GUINT_TO_POINTER((guint)i + 1));
  }
  RD(nk);
  for (guint64 i = 1; i < nk; i++) {
    guint64 d;
    RD(d);
    if (d > 1024 * 1024)
      goto bad;
    guint32 *fr = g_new(guint32, d ? d : 1);
    for (guint64 j = 0; j < d; j++) {
      RD(v);
      if (v >= nf) {
        g_free(fr);
        goto bad;
      }
      fr[j] = (guint32)v;
    }
    TaStackId id = ms_intern_stack(t, fr, (guint)d);
    g_free(fr);
    if (id != i)
      goto bad;
  }
  return t;
bad:
  ms_table_free(t);
  return NULL;
}

/* ---- per-generation id maps ----
 * Ids of one generation are mostly small and dense: a flat array serves them,
 * a hash table the rest. */

void
ms_gen_map_init(ms_gen_map *m, ms_table *tab)
{
  memset(m, 0, sizeof *m);
  m->tab = tab;
  m->strings = g_hash_table_new(NULL, NULL);
  m->stacks = g_hash_table_new(NULL, NULL);
  m->ptrs = g_hash_table_new(NULL, NULL);
}

void
ms_gen_map_clear(ms_gen_map *m)
{
  if (m->strings)
    g_hash_table_destroy(m->strings);
  if (m->stacks)
    g_hash_table_destroy(m->stacks);
  if (m->ptrs)
    g_hash_table_destroy(m->ptrs);
  g_free(m->dstr);
  g_free(m->dstk);
  memset(m, 0, sizeof *m);
}

static void
check_gen(ms_gen_map *m, const ta_event *ev)
{
  if (ev->gen != m->gen) {
    g_hash_table_remove_all(m->strings);
    g_hash_table_remove_all(m->stacks);
    g_hash_table_remove_all(m->ptrs);
    if (m->dstr)
      memset(m->dstr, 0, m->n_dstr * sizeof *m->dstr);
    if (m->dstk)
      memset(m->dstk, 0, m->n_dstk * sizeof *m->dstk);
    m->gen = ev->gen;
  }
}

/* Ids of one generation are mostly small and dense: a flat array (value + 1,
 * 0 unknown) serves them, a hash table the rest. */
#define DENSE_MAX (1u << 20)

static guint32 *
dense_slot(guint32 **arr, guint32 *n, guint64 id)
{
  if (id >= DENSE_MAX)
    return NULL;
  if (id >= *n) {
    guint32 nn = MAX(*n * 2, 1024);
    while (nn <= id)
      nn *= 2;
    *arr = g_realloc(*arr, nn * sizeof **arr);
    memset(*arr + *n, 0, (nn - *n) * sizeof **arr);
    *n = nn;
  }
  return &(*arr)[id];
}

TaStringId
ms_map_str(ms_gen_map *m, ta_str s)
{
  if (!s.len)
    return 0;
  /* The text lives in the generation's tables: its address names it. */
  gpointer v = g_hash_table_lookup(m->ptrs, s.ptr);
  if (v)
    return GPOINTER_TO_UINT(v) - 1;
  TaStringId id = ms_intern(m->tab, s.ptr, s.len);
  g_hash_table_insert(m->ptrs, (gpointer)s.ptr, GUINT_TO_POINTER(id + 1));
  return id;
}

TaStringId
ms_map_string(ms_gen_map *m, const ta_event *ev, guint64 id)
{
  if (id == 0 || !ev->gen)
    return 0;
  check_gen(m, ev);
  guint32 *slot = dense_slot(&m->dstr, &m->n_dstr, id);
  if (slot && *slot)
    return *slot - 1;
  gpointer v = slot ? NULL : g_hash_table_lookup(m->strings, GSIZE_TO_POINTER((gsize)id));
  if (v)
    return GPOINTER_TO_UINT(v) - 1;
  ta_str s;
  TaStringId gid = 0;
  if (ta_event_string(ev, id, &s))
    gid = ms_intern(m->tab, s.ptr, s.len);
  if (slot)
    *slot = gid + 1;
  else
    g_hash_table_insert(m->strings, GSIZE_TO_POINTER((gsize)id), GUINT_TO_POINTER(gid + 1));
  return gid;
}

TaStackId
ms_map_stack(ms_gen_map *m, const ta_event *ev, guint64 id)
{
  if (id == 0 || !ev->gen)
    return 0;
  check_gen(m, ev);
  guint32 *slot = dense_slot(&m->dstk, &m->n_dstk, id);
  if (slot && *slot)
    return *slot - 1;
  gpointer v = slot ? NULL : g_hash_table_lookup(m->stacks, GSIZE_TO_POINTER((gsize)id));
  if (v)
    return GPOINTER_TO_UINT(v) - 1;
  size_t n = ta_event_stack_depth(ev, id);
  guint32 small[64];
  guint32 *fr = n <= 64 ? small : g_new(guint32, n);
  for (size_t i = 0; i < n; i++) {
    ta_frame f;
    ta_event_stack_frame(ev, id, i, &f);
    TaStringId fn = ms_intern(m->tab, f.func.ptr, f.func.len);
    TaStringId file = ms_intern(m->tab, f.file.ptr, f.file.len);
    fr[i] = ms_intern_frame(m->tab, f.pc, fn, file, f.line);
  }
  TaStackId gid = ms_intern_stack(m->tab, fr, (guint)n);
  if (fr != small)
    g_free(fr);
  if (slot)
    *slot = gid + 1;
  else
    g_hash_table_insert(m->stacks, GSIZE_TO_POINTER((gsize)id), GUINT_TO_POINTER(gid + 1));
  return gid;
}
