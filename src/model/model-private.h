/* model-private.h: internals shared by the files of src/model.
 *
 * Pieces, bottom up:
 *   model-util.c     varints, append-only paged byte streams, chunked arrays
 *   model-strtab.c   interned strings and stacks (append-only, lock-free reads)
 *   model-coltab.c   compact row tables (delta-encoded blocks of int64 columns)
 *   model-summary.c  per-track mipmap pyramids (run-length buckets) and metric pyramids
 *   model-genproc.c  one generation's events -> spans, buckets, table records
 *   model-merge.c    stitches generations in order into the global model
 *   model-index.c    the indexing threads (parallel generations, or one stream)
 *   model-snapshot.c immutable views published to the UI, and their queries
 *   model-window.c   exact spans on demand, worker pool, LRU cache
 *   model-cache.c    the on-disk index cache
 *   model-document.c the TaDocument GObject
 */
#pragma once

#include "model.h"
#include "trace.h"

#include <stdbool.h>
#include <string.h>

G_BEGIN_DECLS

/* ---- varints ---- */

static inline guint8 *
mu_put_uv(guint8 *p, guint64 v)
{
  while (v >= 0x80) {
    *p++ = (guint8)(v | 0x80);
    v >>= 7;
  }
  *p++ = (guint8)v;
  return p;
}

static inline const guint8 *
mu_get_uv(const guint8 *p, guint64 *out)
{
  guint64 v = 0;
  unsigned s = 0;
  while (*p & 0x80) {
    v |= (guint64)(*p++ & 0x7f) << s;
    s += 7;
  }
  *out = v | (guint64)*p++ << s;
  return p;
}

static inline guint64
mu_zz(gint64 v)
{
  return ((guint64)v << 1) ^ (guint64)(v >> 63);
}

static inline gint64
mu_unzz(guint64 v)
{
  return (gint64)(v >> 1) ^ -(gint64)(v & 1);
}

/* Deltas between arbitrary 64-bit values wrap (two's complement) instead of
 * overflowing: encoding a - b and decoding b + (a - b) round-trip exactly. */
static inline gint64
mu_wrap_sub(gint64 a, gint64 b)
{
  return (gint64)((guint64)a - (guint64)b);
}

static inline gint64
mu_wrap_add(gint64 a, gint64 b)
{
  return (gint64)((guint64)a + (guint64)b);
}

/* ---- growable byte buffer (private to one thread) ---- */

typedef struct {
  guint8 *data;
  gsize len, cap;
} mu_buf;

void mu_buf_reserve(mu_buf *b, gsize extra);
void mu_buf_append(mu_buf *b, const void *p, gsize n);
void mu_buf_free(mu_buf *b);
static inline void
mu_buf_uv(mu_buf *b, guint64 v)
{
  mu_buf_reserve(b, 10);
  b->len = (gsize)(mu_put_uv(b->data + b->len, v) - b->data);
}
static inline void
mu_buf_byte(mu_buf *b, guint8 c)
{
  mu_buf_reserve(b, 1);
  b->data[b->len++] = c;
}

/* ---- chunked array: append-only, elements never move ----
 * Chunk k holds (MU_CHUNK0 << k) elements. Readers that learned a length
 * through a synchronising path may read elements below it without locks. */

#define MU_CHUNK0 4
#define MU_MAX_CHUNKS 40

typedef struct {
  gsize elem;
  guint64 len;
  guint8 *chunks[MU_MAX_CHUNKS];
} mu_vec;

void mu_vec_init(mu_vec *v, gsize elem);
void mu_vec_clear(mu_vec *v);
void *mu_vec_push(mu_vec *v);              /* zeroed new element */
static inline void *
mu_vec_at(const mu_vec *v, guint64 i)
{
  guint64 x = i / MU_CHUNK0 + 1;
  unsigned k = 63 - (unsigned)__builtin_clzll(x);
  guint64 off = i - (((guint64)1 << k) - 1) * MU_CHUNK0;
  return v->chunks[k] + off * v->elem;
}
gsize mu_vec_memory(const mu_vec *v);

/* ---- paged byte stream: append-only, records never straddle pages ---- */

typedef struct {
  guint8 *data;
  guint32 used;     /* final once a later page exists */
  guint32 cap;
} mu_page;

typedef struct {
  mu_vec pages;     /* of mu_page */
} mu_stream;

/* A stream position: page index and offset. */
typedef struct {
  guint32 page, off;
} mu_pos;

void mu_stream_init(mu_stream *s);
void mu_stream_clear(mu_stream *s);
/* Room for a record of at most `max` bytes; returns where to write. */
guint8 *mu_stream_begin(mu_stream *s, gsize max, mu_pos *pos);
void mu_stream_commit(mu_stream *s, const guint8 *end);
gsize mu_stream_memory(const mu_stream *s);
/* Total bytes written (sum of used). */
guint64 mu_stream_bytes(const mu_stream *s);

/* The published extent of a stream: n pages, the last one used up to `last_used`. */
typedef struct {
  guint32 n_pages;
  guint32 last_used;
} mu_extent;

static inline mu_extent
mu_stream_extent(const mu_stream *s)
{
  mu_extent e = { (guint32)s->pages.len, 0 };
  if (e.n_pages)
    e.last_used = ((mu_page *)mu_vec_at(&s->pages, e.n_pages - 1))->used;
  return e;
}

/* Reads records in order over a published extent (or one flat array). */
typedef struct {
  const mu_stream *s;
  mu_extent ext;
  guint32 page;
  const guint8 *p, *end;
} mu_reader;

void mu_reader_init(mu_reader *r, const mu_stream *s, mu_extent ext, mu_pos from);
void mu_reader_init_flat(mu_reader *r, const guint8 *data, gsize len);
/* Next record start, or NULL at the end. */
static inline const guint8 *
mu_reader_next(mu_reader *r)
{
  while (r->p >= r->end) {
    if (!r->s || r->page + 1 >= r->ext.n_pages)
      return NULL;
    r->page++;
    const mu_page *pg = mu_vec_at(&r->s->pages, r->page);
    r->p = pg->data;
    r->end = pg->data + (r->page + 1 == r->ext.n_pages ? r->ext.last_used : pg->used);
  }
  return r->p;
}

/* ---- strings and stacks ---- */

typedef struct ms_table ms_table;

ms_table *ms_table_new(void);
void ms_table_free(ms_table *t);
/* Thread-safe interning. */
TaStringId ms_intern(ms_table *t, const char *s, gsize len);
TaStackId ms_intern_stack(ms_table *t, const guint32 *frames, guint n);
guint32 ms_intern_frame(ms_table *t, guint64 pc, TaStringId func, TaStringId file, guint64 line);
/* Lock-free reads of ids handed out before. */
const char *ms_string(const ms_table *t, TaStringId id);
guint ms_stack_depth(const ms_table *t, TaStackId id);
gboolean ms_stack_frame(const ms_table *t, TaStackId id, guint i, TaFrame *out);
/* Frame id i of a stack and the parts of a frame id. */
guint32 ms_stack_frame_id(const ms_table *t, TaStackId id, guint i);
TaStringId ms_frame_func(const ms_table *t, guint32 frame);
guint32 ms_n_strings(const ms_table *t);
guint32 ms_n_stacks(const ms_table *t);
guint32 ms_n_frames(const ms_table *t);
gsize ms_memory(const ms_table *t);
/* Serialisation (model-cache.c) */
void ms_serialize(const ms_table *t, mu_buf *out);
ms_table *ms_deserialize(const guint8 **p, const guint8 *end);

/* Per-generation translation of a decoder's string and stack ids. */
typedef struct {
  ms_table *tab;
  const ta_generation *gen;
  GHashTable *strings;   /* large gen ids -> global id + 1 */
  GHashTable *stacks;
  GHashTable *ptrs;      /* string address in the generation -> global id + 1 */
  guint32 *dstr, *dstk;  /* small gen ids -> global id + 1 */
  guint32 n_dstr, n_dstk;
} ms_gen_map;

void ms_gen_map_init(ms_gen_map *m, ms_table *tab);
void ms_gen_map_clear(ms_gen_map *m);
TaStringId ms_map_string(ms_gen_map *m, const ta_event *ev, guint64 id);
TaStackId ms_map_stack(ms_gen_map *m, const ta_event *ev, guint64 id);
TaStringId ms_map_str(ms_gen_map *m, ta_str s);

/* ---- compact row tables ----
 * Rows of `n_cols` int64 columns, appended in order. Full blocks of
 * MC_BLOCK rows are encoded (zigzag deltas per column) and never change;
 * later values for a row already sealed go to an override map. */

#define MC_BLOCK 64
#define MC_MAX_COLS 12

typedef struct {
  guint8 *data;       /* encoded rows */
  guint32 len;
} mc_block;

typedef struct mc_table mc_table;

typedef struct {
  guint n_cols;
  guint64 n_rows;           /* rows visible */
  guint64 n_sealed_blocks;
  const mu_vec *blocks;     /* of mc_block (shared, append-only) */
  gint64 *tail;             /* copy of the unsealed rows (n_rows % MC_BLOCK or MC_BLOCK) */
  GHashTable *overrides;    /* row -> gint64[n_cols] (immutable copy, shared) */
  GHashTable *strag;        /* key -> row (immutable copy, shared) */
  const mu_vec *index;      /* per-block key min/max (mc_keyrange), shared */
  gint key_col;
  gint rel[MC_MAX_COLS];
  gint64 none[MC_MAX_COLS];
} mc_view;

typedef struct {
  gint64 min, max, prefix_max;
} mc_keyrange;

mc_table *mc_table_new(guint n_cols, gint key_col);
/* Encodes `col` against `base` of the same row (base < col); `none` is its
 * no-value, which costs one byte. */
void mc_table_set_rel(mc_table *t, guint col, guint base, gint64 none);
void mc_table_free(mc_table *t);
guint64 mc_table_append(mc_table *t, const gint64 *row);
/* Replaces a row's values (for rows that end later). */
void mc_table_update(mc_table *t, guint64 row, const gint64 *vals);
gboolean mc_table_get(mc_table *t, guint64 row, gint64 *out);
guint64 mc_table_len(mc_table *t);
gsize mc_table_memory(mc_table *t);
/* Immutable view for a snapshot (refcounted pieces). */
mc_view *mc_table_view(mc_table *t);
void mc_view_free(mc_view *v);
gboolean mc_view_get(const mc_view *v, guint64 row, gint64 *out);
/* Rows [first, first + n) in bulk (each sealed block decoded once). */
guint64 mc_view_get_rows(const mc_view *v, guint64 first, guint64 n, gint64 *out);
/* Finds the row whose key column equals key. */
gboolean mc_view_find(const mc_view *v, gint key_col, gint64 key, guint64 *row_out, gint64 *vals);
/* Lower bound on a column that is non-decreasing. */
guint64 mc_view_lower_bound(const mc_view *v, guint col, gint64 value);
void mc_table_serialize(mc_table *t, mu_buf *out);
mc_table *mc_table_deserialize(const guint8 **p, const guint8 *end);

/* ---- summaries ---- */

/* An open bucket: time per state (dense, with a mask) and span count. */
typedef struct {
  gint64 b;              /* bucket index, -1 none */
  guint32 mask;
  guint64 count;
  gint64 t[TA_N_STATES];
} ms_acc;

typedef struct {
  gint64 b0, n;          /* run of n buckets from b0 (n == 0: none) */
  guint8 cls;
} ms_run;

typedef struct {
  mu_stream data;
  mu_vec skip;           /* of ms_skip, every MS_SKIP entries */
  guint32 n_entries;
  gint64 next_b;         /* bucket after the last written entry */
  ms_acc acc;
  ms_run run;
} ms_level;

typedef struct {
  gint64 b;
  mu_pos pos;
  gint64 prev_end;       /* next_b before the entry */
} ms_skip;

#define MS_SKIP 32

typedef struct {
  gint ref;
  guint8 shift;          /* L0 shift (log2 of the L0 width) */
  guint8 n_levels;       /* materialised levels (>= 1) */
  gboolean dirty;        /* changed since it was last published */
  gint64 n_spans;
  gint64 first, last;    /* first span start, last span end */
  ms_level *lv[TA_MAX_LEVELS];
} ms_track;

ms_track *ms_track_new(guint shift);
ms_track *ms_track_ref(ms_track *t);
void ms_track_unref(ms_track *t);
/* Adds a closed span (starts must not decrease, spans must not overlap). */
void ms_track_add_span(ms_track *t, gint64 origin, gint64 start, gint64 end, guint cls);
/* Adds a bucket's worth of L0 contributions (bucket index b, non-decreasing). */
void ms_track_add_bucket(ms_track *t, gint64 b, guint32 mask, const gint64 *times, guint64 count);
/* Adds a run of n full L0 buckets of one state. */
void ms_track_add_run(ms_track *t, gint64 b0, gint64 n, guint cls);
/* Flushes every open bucket and run (no more input after this). */
void ms_track_finish(ms_track *t);
gsize ms_track_memory(const ms_track *t);

/* Encoded L0 contributions made by a generation worker (model-genproc.c). */
typedef struct {
  ms_acc acc;
  ms_run run;
  mu_buf out;            /* entries as in a level stream, absolute buckets */
  gint64 next_b;
  guint64 n_spans;
} ms_l0;

void ms_l0_init(ms_l0 *l);
void ms_l0_add_span(ms_l0 *l, guint shift, gint64 origin, gint64 start, gint64 end, guint cls);

/* ms_l0_add_span, with its common case inline: a span within the open
 * bucket (most spans are far shorter than a bucket). */
static inline void
ms_l0_add_span_inline(ms_l0 *l, guint shift, gint64 origin, gint64 start, gint64 end, guint cls)
{
  gint64 s = start - origin, e = end - origin;
  if (G_LIKELY(e > s && l->acc.b == (s >> shift) && ((e - 1) >> shift) == l->acc.b)) {
    l->n_spans++;
    l->acc.t[cls] += e - s;
    l->acc.mask |= 1u << cls;
    l->acc.count++;
    return;
  }
  ms_l0_add_span(l, shift, origin, start, end, cls);
}
void ms_l0_finish(ms_l0 *l);
void ms_l0_clear(ms_l0 *l);
/* Feeds encoded L0 contributions into a track. */
void ms_track_feed_l0(ms_track *t, const guint8 *data, gsize len);
/* Feeds L0 contributions made at a finer shift (t->shift - d). */
void ms_track_feed_l0_coarser(ms_track *t, const guint8 *data, gsize len, guint d);
/* Adds the time per state of encoded L0 contributions to totals. */
void ms_l0_totals(const guint8 *data, gsize len, guint shift, gint64 *totals);

/* Published view of one level of a track. */
typedef struct {
  mu_extent ext;
  guint32 n_skip;
  ms_acc *acc;           /* open bucket (copy), NULL if none */
  ms_run run;
} ms_level_state;

/* Published view of one track (immutable): as many levels as it has (a
 * fixed TA_MAX_LEVELS of them took 1.4 KB a track, most of it empty). */
typedef struct {
  guint32 n_levels;
  ms_level_state *lv;
} ms_track_state;

typedef struct {
  gint ref;
  TaTrackKey key;
  ms_track *track;       /* shared storage (ref) */
  ms_track_state st;
  /* The span still open at the frontier (open_cls 0: none). */
  gint64 open_start;
  guint8 open_cls;
  TaSpan open_span;
  gint64 n_spans, first, last;
} ms_pub;

/* open: the span still open (NULL if none). */
ms_pub *ms_pub_new(const TaTrackKey *key, ms_track *t, const TaSpan *open);
ms_pub *ms_pub_ref(ms_pub *p);
void ms_pub_unref(ms_pub *p);

/* A small finished track as one flat blob: uv (n_levels << 1 | relative), then
 * per level uv len + bytes; relative: first gaps count from `base` (>= 0), the
 * owner's first level-0 bucket, which the reader passes back as blob_base. */
gboolean ms_track_to_blob(ms_track *t, mu_buf *out, gsize max, gint64 base);
gboolean ms_l0_single_to_blob(const guint8 *data, gsize len, gint64 base, mu_buf *out);
gboolean ms_l0_coarse_single_to_blob(const guint8 *data, gsize len, guint d, guint shift,
                                     gint64 base, mu_buf *out);

/* Reads buckets from a published track, a blob, or nothing. */
typedef struct {
  const ms_pub *pub;
  const guint8 *blob;
  gsize blob_len;
  gint64 blob_base;
  gint64 frontier;       /* end of the open span */
  guint shift;
  gint64 origin;
} ms_source;

/* Calls fn for every non-empty bucket of `level` in [b_first, b_last], in order;
 * runs are reported with n > 1 (each bucket full of cls, count 0). A mixed
 * bucket's acc holds its count and the times of the states in its mask;
 * its other slots and its b are not to be read (b is the argument). */
typedef void (*ms_bucket_fn)(gpointer ud, gint64 b, gint64 n, const ms_acc *acc, guint run_cls);
void ms_source_scan(const ms_source *src, guint level, gint64 b_first, gint64 b_last,
                    ms_bucket_fn fn, gpointer ud);
guint ms_source_top_level(const ms_source *src);

/* Metric pyramids: min/max/last per bucket. */
typedef struct {
  gint64 b;
  gint64 min, max, last;
} mm_acc;

typedef struct {
  mu_stream data;
  mu_vec skip;
  guint32 n_entries;
  gint64 next_b;
  gint64 prev_last;
  mm_acc acc;            /* b == -1: none */
} mm_level;

typedef struct {
  guint8 shift;
  guint8 n_levels;
  mm_level *lv[TA_MAX_LEVELS];
  gboolean any;
  gint64 first_time;
} mm_track;

typedef struct {
  gint64 b;
  mu_pos pos;
  gint64 prev_end, prev_last;
} mm_skip;

mm_track *mm_track_new(guint shift);
void mm_track_free(mm_track *t);
void mm_track_add(mm_track *t, gint64 b, gint64 min, gint64 max, gint64 last);
void mm_track_finish(mm_track *t);
gsize mm_track_memory(const mm_track *t);

typedef struct {
  guint32 n_levels;
  mu_extent ext[TA_MAX_LEVELS];
  guint32 n_skip[TA_MAX_LEVELS];
  mm_acc acc[TA_MAX_LEVELS];
  gint64 next_b[TA_MAX_LEVELS], prev_last[TA_MAX_LEVELS];
} mm_state;

void mm_track_state(const mm_track *t, mm_state *st);
typedef void (*mm_bucket_fn)(gpointer ud, gint64 b, gint64 min, gint64 max, gint64 last);
/* Buckets of `level` in [b_first, b_last]; also reports the last bucket before
 * b_first (for the carried value) when `with_prev`. */
void mm_scan(const mm_track *t, const mm_state *st, guint level, gint64 b_first, gint64 b_last,
             gboolean with_prev, mm_bucket_fn fn, gpointer ud);

/* L0 metric contributions of a generation worker: one acc per bucket. */
typedef struct {
  GArray *buckets;       /* of mm_acc */
} mm_l0;

void mm_l0_add(GArray *buckets, gint64 b, gint64 v);

G_END_DECLS
