/* model-util.c: byte buffers, chunked arrays and paged streams.
 *
 * The indexing thread appends while snapshot readers on other threads read
 * what was published to them; so nothing that was published ever moves:
 * arrays grow by adding chunks, streams by adding pages. */
#define G_LOG_DOMAIN "ta-model"

#include "model-private.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>

/* A buffer this big gets a mapping of its own, grown by mremap: no malloc
 * arena's lock is held while it grows. Growing through realloc copied the
 * index cache's buffer, up to 32 MB, under the lock of glibc's main arena
 * (where it went when a realloc in the indexing thread's own arena failed
 * at 4 MB and glibc retried in the main one), and the main thread, whose
 * arena that is, waited 34-60 ms for it (ui-bench stall). mremap moves the
 * pages, not their bytes. */
#define MU_BUF_MAPPED (1 << 20)

static guint8 *
buf_map(gsize cap)
{
  void *p = mmap(NULL, cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED)
    g_error("cannot map a %" G_GSIZE_FORMAT "-byte buffer: %s", cap, g_strerror(errno));
  return p;
}

void
mu_buf_reserve(mu_buf *b, gsize extra)
{
  if (b->len + extra <= b->cap)
    return;
  gsize cap = b->cap ? b->cap * 2 : 32;
  while (cap < b->len + extra)
    cap *= 2;
  if (cap < MU_BUF_MAPPED) {
    b->data = g_realloc(b->data, cap);
  } else if (b->cap >= MU_BUF_MAPPED) {
    void *p = mremap(b->data, b->cap, cap, MREMAP_MAYMOVE);
    if (p == MAP_FAILED)
      g_error("cannot grow a buffer to %" G_GSIZE_FORMAT " bytes: %s", cap, g_strerror(errno));
    b->data = p;
  } else {
    guint8 *data = buf_map(cap);
    if (b->len)
      memcpy(data, b->data, b->len);
    g_free(b->data);
    b->data = data;
  }
  b->cap = cap;
}

void
mu_buf_append(mu_buf *b, const void *p, gsize n)
{
  if (n == 0)
    return; /* memcpy may not take the NULL data of an empty buffer */
  mu_buf_reserve(b, n);
  memcpy(b->data + b->len, p, n);
  b->len += n;
}

void
mu_buf_free(mu_buf *b)
{
  if (b->cap >= MU_BUF_MAPPED)
    munmap(b->data, b->cap);
  else
    g_free(b->data);
  memset(b, 0, sizeof *b);
}

/* ---- chunked arrays ---- */

void
mu_vec_init(mu_vec *v, gsize elem)
{
  memset(v, 0, sizeof *v);
  v->elem = elem;
}

void
mu_vec_clear(mu_vec *v)
{
  for (unsigned k = 0; k < MU_MAX_CHUNKS; k++)
    g_free(v->chunks[k]);
  gsize elem = v->elem;
  mu_vec_init(v, elem);
}

void *
mu_vec_push(mu_vec *v)
{
  guint64 i = v->len;
  guint64 x = i / MU_CHUNK0 + 1;
  unsigned k = 63 - (unsigned)__builtin_clzll(x);
  if (!v->chunks[k])
    v->chunks[k] = g_malloc0(((gsize)MU_CHUNK0 << k) * v->elem);
  void *p = mu_vec_at(v, i);
  memset(p, 0, v->elem);
  /* The element is written before the length that publishes it. */
  __atomic_store_n(&v->len, i + 1, __ATOMIC_RELEASE);
  return p;
}

gsize
mu_vec_memory(const mu_vec *v)
{
  gsize n = 0;
  for (unsigned k = 0; k < MU_MAX_CHUNKS; k++)
    if (v->chunks[k])
      n += ((gsize)MU_CHUNK0 << k) * v->elem;
  return n;
}

/* ---- paged streams ---- */

#define PAGE_MIN 64
#define PAGE_MAX (64 * 1024)

void
mu_stream_init(mu_stream *s)
{
  mu_vec_init(&s->pages, sizeof(mu_page));
}

void
mu_stream_clear(mu_stream *s)
{
  for (guint64 i = 0; i < s->pages.len; i++)
    g_free(((mu_page *)mu_vec_at(&s->pages, i))->data);
  mu_vec_clear(&s->pages);
}

guint8 *
mu_stream_begin(mu_stream *s, gsize max, mu_pos *pos)
{
  mu_page *pg = s->pages.len ? mu_vec_at(&s->pages, s->pages.len - 1) : NULL;
  if (!pg || pg->used + max > pg->cap) {
    guint32 cap = pg ? MIN(pg->cap * 2, PAGE_MAX) : PAGE_MIN;
    while (cap < max)
      cap *= 2;
    guint8 *data = g_malloc(cap);
    pg = mu_vec_push(&s->pages);
    pg->data = data;
    pg->cap = cap;
    pg->used = 0;
  }
  if (pos) {
    pos->page = (guint32)(s->pages.len - 1);
    pos->off = pg->used;
  }
  return pg->data + pg->used;
}

void
mu_stream_commit(mu_stream *s, const guint8 *end)
{
  mu_page *pg = mu_vec_at(&s->pages, s->pages.len - 1);
  __atomic_store_n(&pg->used, (guint32)(end - pg->data), __ATOMIC_RELEASE);
}

gsize
mu_stream_memory(const mu_stream *s)
{
  gsize n = mu_vec_memory(&s->pages);
  for (guint64 i = 0; i < s->pages.len; i++)
    n += ((mu_page *)mu_vec_at(&s->pages, i))->cap;
  return n;
}

guint64
mu_stream_bytes(const mu_stream *s)
{
  guint64 n = 0;
  for (guint64 i = 0; i < s->pages.len; i++)
    n += ((mu_page *)mu_vec_at(&s->pages, i))->used;
  return n;
}

void
mu_reader_init(mu_reader *r, const mu_stream *s, mu_extent ext, mu_pos from)
{
  memset(r, 0, sizeof *r);
  r->s = s;
  r->ext = ext;
  if (ext.n_pages == 0 || from.page >= ext.n_pages) {
    r->page = ext.n_pages;
    return;
  }
  r->page = from.page;
  const mu_page *pg = mu_vec_at(&s->pages, from.page);
  r->p = pg->data + from.off;
  r->end = pg->data + (from.page + 1 == ext.n_pages ? ext.last_used : pg->used);
}

void
mu_reader_init_flat(mu_reader *r, const guint8 *data, gsize len)
{
  memset(r, 0, sizeof *r);
  r->p = data;
  r->end = data + len;
}
