/* model-coltab.c: compact row tables.
 *
 * Rows of up to MC_MAX_COLS int64 columns. Every MC_BLOCK rows are encoded
 * column by column as zigzag deltas against the previous row (or against
 * another column of the same row, e.g. an end against its begin). A block
 * stores its first row's codes as varints and, per column, the other rows'
 * codes as a frame of reference: the smallest code, then every code minus it
 * in the fewest bits that hold the largest. A column that repeats itself
 * (the same start function, stack, parent) costs nothing per row, an id
 * counting up costs a bit or two, and times cost what their spread needs;
 * a goroutine row of a spawn-heavy trace is about 6 bytes (15 as varints).
 * Values that change after a block was
 * sealed (a goroutine's end, for one that lives long) go to an override map,
 * which is small because most rows are final before their block fills.
 *
 * Finding a row by key (goroutine id, task id): keys mostly grow with the
 * row order; each block records its key range and the running maximum, so a
 * lookup is a binary search plus a few blocks. Keys far below the running
 * maximum when they were added go to a side map. */
#define G_LOG_DOMAIN "ta-model"

#include "model-index.h"
#include "model-private.h"

#define STRAG_WINDOW 1024

struct mc_table {
  guint n_cols;
  gint key_col;
  mu_vec blocks;              /* mc_block */
  mu_vec ranges;              /* mc_keyrange per sealed block */
  gint64 tail[2 * MC_BLOCK * MC_MAX_COLS];  /* up to two blocks stay open */
  guint tail_n;
  gint rel[MC_MAX_COLS];      /* column encoded against another of the row, or -1 */
  gint64 none[MC_MAX_COLS];   /* its "no value" (encoded as 0) */
  guint64 n_rows;
  gint64 prefix_max;
  GHashTable *overrides;      /* row+1 -> gint64[n_cols] */
  GHashTable *strag;          /* key -> row+1 */
  gboolean overrides_dirty, strag_dirty;
  GHashTable *pub_overrides, *pub_strag;  /* last published copies */
  gsize bytes;
};

static GHashTable *
new_row_map(void)
{
  return g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
}

mc_table *
mc_table_new(guint n_cols, gint key_col)
{
  g_assert(n_cols <= MC_MAX_COLS);
  mc_table *t = g_new0(mc_table, 1);
  t->n_cols = n_cols;
  t->key_col = key_col;
  mu_vec_init(&t->blocks, sizeof(mc_block));
  mu_vec_init(&t->ranges, sizeof(mc_keyrange));
  t->overrides = new_row_map();
  t->strag = new_row_map();
  t->prefix_max = G_MININT64;
  for (guint c = 0; c < MC_MAX_COLS; c++)
    t->rel[c] = -1;
  return t;
}

void
mc_table_set_rel(mc_table *t, guint col, guint base, gint64 none)
{
  g_assert(base < col && col < t->n_cols);
  t->rel[col] = (gint)base;
  t->none[col] = none;
}

static inline guint64
enc_col(const mc_table *t, guint c, const gint64 *row, gint64 prev)
{
  if (t->rel[c] < 0)
    return mu_zz(mu_wrap_sub(row[c], prev));
  if (row[c] == t->none[c])
    return 0;
  return mu_zz(mu_wrap_sub(row[c], row[t->rel[c]])) + 1;
}

static inline gint64
dec_col(const gint *rel, const gint64 *none, guint c, guint64 v, const gint64 *row, gint64 prev)
{
  if (rel[c] < 0)
    return mu_wrap_add(prev, mu_unzz(v));
  if (v == 0)
    return none[c];
  return mu_wrap_add(row[rel[c]], mu_unzz(v - 1));
}

void
mc_table_free(mc_table *t)
{
  if (!t)
    return;
  for (guint64 i = 0; i < t->blocks.len; i++)
    g_free(((mc_block *)mu_vec_at(&t->blocks, i))->data);
  mu_vec_clear(&t->blocks);
  mu_vec_clear(&t->ranges);
  g_hash_table_unref(t->overrides);
  g_hash_table_unref(t->strag);
  if (t->pub_overrides)
    g_hash_table_unref(t->pub_overrides);
  if (t->pub_strag)
    g_hash_table_unref(t->pub_strag);
  g_free(t);
}

/* ---- block encoding ---- */

#define BLOCK_PAD 16   /* zero bytes after a block's data: bit reads load 9 bytes */

static inline guint
bits_for(guint64 v)
{
  return v ? 64u - (guint)__builtin_clzll(v) : 0u;
}

static void
put_bits(guint8 *p, guint64 bit, guint w, guint64 v)
{
  while (w) {
    guint sh = (guint)(bit & 7), take = MIN(w, 8 - sh);
    p[bit >> 3] |= (guint8)((v & ((1u << take) - 1)) << sh);
    v = take < 64 ? v >> take : 0;
    bit += take;
    w -= take;
  }
}

static inline guint64
get_bits(const guint8 *p, guint64 bit, guint w)
{
  if (!w)
    return 0;
  const guint8 *q = p + (bit >> 3);
  guint sh = (guint)(bit & 7);
  guint64 lo;
  memcpy(&lo, q, 8);
  lo = GUINT64_FROM_LE(lo);
  guint64 v = lo >> sh;
  if (w + sh > 64)
    v |= (guint64)q[8] << (64 - sh);
  return w == 64 ? v : v & ((G_GUINT64_CONSTANT(1) << w) - 1);
}

/* A sealed block's layout, parsed. */
typedef struct {
  guint64 first[MC_MAX_COLS];   /* row 0's codes */
  guint64 min[MC_MAX_COLS];     /* the smallest code of rows 1.. */
  guint width[MC_MAX_COLS];     /* bits per code of rows 1.. (over min) */
  guint64 bit0[MC_MAX_COLS];    /* where a column's packed codes begin */
  const guint8 *bits;
} blk_hdr;

static void
blk_parse(const mc_block *b, guint nc, blk_hdr *h)
{
  const guint8 *p = b->data;
  for (guint c = 0; c < nc; c++)
    p = mu_get_uv(p, &h->first[c]);
  guint64 at = 0;
  for (guint c = 0; c < nc; c++) {
    p = mu_get_uv(p, &h->min[c]);
    h->width[c] = *p++;
    h->bit0[c] = at;
    at += (guint64)h->width[c] * (MC_BLOCK - 1);
  }
  h->bits = p;
}

static inline guint64
blk_code(const blk_hdr *h, guint c, guint r)
{
  if (r == 0)
    return h->first[c];
  return h->min[c] + get_bits(h->bits, h->bit0[c] + (guint64)(r - 1) * h->width[c], h->width[c]);
}

/* Column c of row r (columns before c of the row already in out). */
static inline gint64
blk_value(const blk_hdr *h, const gint *rel, const gint64 *none, guint c, guint r,
          const gint64 *out)
{
  if (rel[c] >= 0)
    return dec_col(rel, none, c, blk_code(h, c, r), out, 0);
  gint64 v = mu_unzz(h->first[c]);
  if (!r)
    return v;
  if (!h->width[c])
    return mu_wrap_add(v, (gint64)((guint64)r * (guint64)mu_unzz(h->min[c])));   /* every delta is the same */
  for (guint i = 1; i <= r; i++)
    v = mu_wrap_add(v, mu_unzz(blk_code(h, c, i)));
  return v;
}

static void
seal(mc_table *t)
{
  guint nc = t->n_cols;
  guint64 code[MC_BLOCK][MC_MAX_COLS];
  gint64 prev[MC_MAX_COLS] = { 0 };
  mc_keyrange kr = { G_MAXINT64, G_MININT64, G_MININT64 };
  for (guint r = 0; r < MC_BLOCK && t->key_col >= 0; r++)
    kr.prefix_max = MAX(kr.prefix_max, t->tail[r * nc + t->key_col]);
  if (t->blocks.len && t->key_col >= 0)
    kr.prefix_max = MAX(kr.prefix_max,
                        ((mc_keyrange *)mu_vec_at(&t->ranges, t->blocks.len - 1))->prefix_max);
  for (guint r = 0; r < MC_BLOCK; r++) {
    const gint64 *row = t->tail + r * nc;
    for (guint c = 0; c < nc; c++) {
      code[r][c] = enc_col(t, c, row, prev[c]);
      prev[c] = row[c];
    }
    if (t->key_col >= 0) {
      kr.min = MIN(kr.min, row[t->key_col]);
      kr.max = MAX(kr.max, row[t->key_col]);
    }
  }
  gsize cap = nc * 21 + (gsize)nc * (MC_BLOCK - 1) * 8 + BLOCK_PAD;
  guint8 *buf = g_malloc0(cap);
  guint8 *p = buf;
  for (guint c = 0; c < nc; c++)
    p = mu_put_uv(p, code[0][c]);
  guint64 min[MC_MAX_COLS];
  guint width[MC_MAX_COLS];
  guint64 total_bits = 0;
  for (guint c = 0; c < nc; c++) {
    guint64 lo = G_MAXUINT64, hi = 0;
    for (guint r = 1; r < MC_BLOCK; r++) {
      lo = MIN(lo, code[r][c]);
      hi = MAX(hi, code[r][c]);
    }
    min[c] = lo;
    width[c] = bits_for(hi - lo);
    p = mu_put_uv(p, lo);
    *p++ = (guint8)width[c];
    total_bits += (guint64)width[c] * (MC_BLOCK - 1);
  }
  guint64 bit = 0;
  for (guint c = 0; c < nc; c++)
    for (guint r = 1; r < MC_BLOCK; r++) {
      put_bits(p, bit, width[c], code[r][c] - min[c]);
      bit += width[c];
    }
  p += (total_bits + 7) / 8;
  mc_block *b = mu_vec_push(&t->blocks);
  b->len = (guint32)(p - buf);
  b->data = g_realloc(buf, b->len + BLOCK_PAD);
  t->bytes += b->len + BLOCK_PAD;
  if (t->key_col >= 0) {
    mc_keyrange *k = mu_vec_push(&t->ranges);
    *k = kr;
  }
  t->tail_n -= MC_BLOCK;
  memmove(t->tail, t->tail + MC_BLOCK * nc, t->tail_n * nc * sizeof(gint64));
}

guint64
mc_table_append(mc_table *t, const gint64 *row)
{
  guint64 idx = t->n_rows;
  if (t->key_col >= 0) {
    gint64 key = row[t->key_col];
    if (t->prefix_max != G_MININT64 && key < t->prefix_max - STRAG_WINDOW) {
      gint64 *k = g_new(gint64, 1);
      gint64 *v = g_new(gint64, 1);
      *k = key;
      *v = (gint64)idx;
      g_hash_table_replace(t->strag, k, v);
      t->strag_dirty = TRUE;
    }
    if (key > t->prefix_max)
      t->prefix_max = key;
  }
  memcpy(t->tail + t->tail_n * t->n_cols, row, t->n_cols * sizeof(gint64));
  t->tail_n++;
  t->n_rows++;
  /* The older of two full open blocks is sealed: rows that end soon after
   * they begin (most do) are final by then and need no override. */
  if (t->tail_n == 2 * MC_BLOCK)
    seal(t);
  return idx;
}

void
mc_table_update(mc_table *t, guint64 row, const gint64 *vals)
{
  guint64 sealed_rows = t->blocks.len * MC_BLOCK;
  if (row >= sealed_rows) {
    memcpy(t->tail + (row - sealed_rows) * t->n_cols, vals, t->n_cols * sizeof(gint64));
    return;
  }
  gint64 *k = g_new(gint64, 1);
  *k = (gint64)row;
  gint64 *v = g_memdup2(vals, t->n_cols * sizeof(gint64));
  g_hash_table_replace(t->overrides, k, v);
  t->overrides_dirty = TRUE;
}

static void
decode_row(const mc_block *b, guint n_cols, const gint *rel, const gint64 *none, guint r,
           gint64 *out)
{
  blk_hdr h;
  blk_parse(b, n_cols, &h);
  for (guint c = 0; c < n_cols; c++)
    out[c] = blk_value(&h, rel, none, c, r, out);
}

gboolean
mc_table_get(mc_table *t, guint64 row, gint64 *out)
{
  if (row >= t->n_rows)
    return FALSE;
  gint64 key = (gint64)row;
  gint64 *o = g_hash_table_lookup(t->overrides, &key);
  if (o) {
    memcpy(out, o, t->n_cols * sizeof(gint64));
    return TRUE;
  }
  guint64 sealed_rows = t->blocks.len * MC_BLOCK;
  if (row >= sealed_rows) {
    memcpy(out, t->tail + (row - sealed_rows) * t->n_cols, t->n_cols * sizeof(gint64));
    return TRUE;
  }
  decode_row(mu_vec_at(&t->blocks, row / MC_BLOCK), t->n_cols, t->rel, t->none,
             (guint)(row % MC_BLOCK), out);
  return TRUE;
}

guint64
mc_table_len(mc_table *t)
{
  return t->n_rows;
}

gsize
mc_table_memory(mc_table *t)
{
  return sizeof *t + t->bytes + mu_vec_memory(&t->blocks) + mu_vec_memory(&t->ranges) +
         (g_hash_table_size(t->overrides) * (48 + t->n_cols * 8)) +
         g_hash_table_size(t->strag) * 64;
}

static GHashTable *
copy_map(GHashTable *src, gsize val_size)
{
  GHashTable *d = new_row_map();
  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init(&it, src);
  while (g_hash_table_iter_next(&it, &k, &v))
    g_hash_table_insert(d, g_memdup2(k, sizeof(gint64)), g_memdup2(v, val_size));
  return d;
}

mc_view *
mc_table_view(mc_table *t)
{
  mc_view *v = g_new0(mc_view, 1);
  v->n_cols = t->n_cols;
  v->n_rows = t->n_rows;
  v->n_sealed_blocks = t->blocks.len;
  v->blocks = &t->blocks;
  v->index = t->key_col >= 0 ? &t->ranges : NULL;
  v->tail = g_memdup2(t->tail, (t->tail_n ? t->tail_n : 1) * t->n_cols * sizeof(gint64));
  if (t->overrides_dirty || !t->pub_overrides) {
    if (t->pub_overrides)
      g_hash_table_unref(t->pub_overrides);
    t->pub_overrides = copy_map(t->overrides, t->n_cols * sizeof(gint64));
    t->overrides_dirty = FALSE;
  }
  v->overrides = g_hash_table_ref(t->pub_overrides);
  if (t->strag_dirty || !t->pub_strag) {
    if (t->pub_strag)
      g_hash_table_unref(t->pub_strag);
    t->pub_strag = copy_map(t->strag, sizeof(gint64));
    t->strag_dirty = FALSE;
  }
  v->strag = g_hash_table_ref(t->pub_strag);
  v->key_col = t->key_col;
  memcpy(v->rel, t->rel, sizeof v->rel);
  memcpy(v->none, t->none, sizeof v->none);
  return v;
}

void
mc_view_free(mc_view *v)
{
  if (!v)
    return;
  g_free(v->tail);
  if (v->overrides)
    g_hash_table_unref(v->overrides);
  if (v->strag)
    g_hash_table_unref(v->strag);
  g_free(v);
}

gboolean
mc_view_get(const mc_view *v, guint64 row, gint64 *out)
{
  if (row >= v->n_rows)
    return FALSE;
  gint64 key = (gint64)row;
  gint64 *o = g_hash_table_lookup(v->overrides, &key);
  if (o) {
    memcpy(out, o, v->n_cols * sizeof(gint64));
    return TRUE;
  }
  guint64 sealed_rows = v->n_sealed_blocks * MC_BLOCK;
  if (row >= sealed_rows) {
    memcpy(out, v->tail + (row - sealed_rows) * v->n_cols, v->n_cols * sizeof(gint64));
    return TRUE;
  }
  decode_row(mu_vec_at(v->blocks, row / MC_BLOCK), v->n_cols, v->rel, v->none,
             (guint)(row % MC_BLOCK), out);
  return TRUE;
}

/* Rows [first, first + n) in order into out (n * n_cols values), decoding
 * each sealed block once: a bulk read for scans (mc_view_get decodes from
 * the start of the block for every row). Returns the rows written. */
guint64
mc_view_get_rows(const mc_view *v, guint64 first, guint64 n, gint64 *out)
{
  if (first >= v->n_rows)
    return 0;
  n = MIN(n, v->n_rows - first);
  guint64 sealed_rows = v->n_sealed_blocks * MC_BLOCK;
  gboolean any_override = g_hash_table_size(v->overrides) > 0;
  guint64 r = first;
  while (r < first + n && r < sealed_rows) {
    blk_hdr h;
    gint64 cur[MC_MAX_COLS] = { 0 };
    guint64 base = r / MC_BLOCK * MC_BLOCK;
    blk_parse(mu_vec_at(v->blocks, r / MC_BLOCK), v->n_cols, &h);
    for (guint i = 0; i < MC_BLOCK && base + i < first + n; i++) {
      /* Row i from row i - 1: what blk_value does from row 0, one step. */
      for (guint c = 0; c < v->n_cols; c++) {
        if (v->rel[c] >= 0)
          cur[c] = dec_col(v->rel, v->none, c, blk_code(&h, c, i), cur, 0);
        else if (i == 0)
          cur[c] = mu_unzz(h.first[c]);
        else
          cur[c] = mu_wrap_add(cur[c], mu_unzz(blk_code(&h, c, i)));
      }
      if (base + i < r)
        continue;
      gint64 *dst = out + (r - first) * v->n_cols;
      gint64 key = (gint64)r;
      const gint64 *o = any_override ? g_hash_table_lookup(v->overrides, &key) : NULL;
      memcpy(dst, o ? o : cur, v->n_cols * sizeof(gint64));
      r++;
    }
  }
  for (; r < first + n; r++)
    mc_view_get(v, r, out + (r - first) * v->n_cols);
  return n;
}

static gboolean
block_find(const mc_view *v, guint64 blk, gint key_col, gint64 key, guint64 *row_out, gint64 *vals)
{
  const mc_block *b = mu_vec_at(v->blocks, blk);
  blk_hdr h;
  blk_parse(b, v->n_cols, &h);
  gint64 cur[MC_MAX_COLS];
  for (guint r = 0; r < MC_BLOCK; r++) {
    if (v->rel[key_col] >= 0) {
      for (guint c = 0; c <= (guint)key_col; c++)
        cur[c] = blk_value(&h, v->rel, v->none, c, r, cur);
    } else {
      gint64 d = mu_unzz(blk_code(&h, (guint)key_col, r));
      cur[key_col] = r ? mu_wrap_add(cur[key_col], d) : d;
    }
    if (cur[key_col] == key) {
      guint64 row = blk * MC_BLOCK + r;
      *row_out = row;
      return mc_view_get(v, row, vals);
    }
  }
  return FALSE;
}

gboolean
mc_view_find(const mc_view *v, gint key_col, gint64 key, guint64 *row_out, gint64 *vals)
{
  gint64 tmp[MC_MAX_COLS];
  guint64 row;
  if (!vals)
    vals = tmp;
  if (!row_out)
    row_out = &row;
  gint64 *s = v->strag ? g_hash_table_lookup(v->strag, &key) : NULL;
  if (s && (guint64)*s < v->n_rows) {
    *row_out = (guint64)*s;
    return mc_view_get(v, *row_out, vals);
  }
  /* The unsealed tail. */
  guint64 sealed_rows = v->n_sealed_blocks * MC_BLOCK;
  for (guint64 r = sealed_rows; r < v->n_rows; r++) {
    mc_view_get(v, r, vals);
    if (vals[key_col] == key) {
      *row_out = r;
      return TRUE;
    }
  }
  if (!v->index || v->n_sealed_blocks == 0)
    return FALSE;
  /* First block whose running maximum reaches the key. */
  guint64 lo = 0, hi = v->n_sealed_blocks;
  while (lo < hi) {
    guint64 mid = (lo + hi) / 2;
    const mc_keyrange *k = mu_vec_at(v->index, mid);
    if (MAX(k->prefix_max, k->max) < key)
      lo = mid + 1;
    else
      hi = mid;
  }
  for (guint64 b = lo; b < v->n_sealed_blocks; b++) {
    const mc_keyrange *k = mu_vec_at(v->index, b);
    /* Rows not in the side map were within the window of the running
     * maximum before their block. */
    gint64 before = b ? ((const mc_keyrange *)mu_vec_at(v->index, b - 1))->prefix_max : G_MININT64;
    if (before != G_MININT64 && before > key + STRAG_WINDOW)
      break;
    if (key < k->min || key > k->max)
      continue;
    if (block_find(v, b, key_col, key, row_out, vals))
      return TRUE;
  }
  return FALSE;
}

guint64
mc_view_lower_bound(const mc_view *v, guint col, gint64 value)
{
  /* Blocks by their first row, then rows. */
  guint64 lo = 0, hi = v->n_sealed_blocks;
  gint64 row[MC_MAX_COLS];
  while (lo < hi) {
    guint64 mid = (lo + hi) / 2;
    mc_view_get(v, mid * MC_BLOCK + MC_BLOCK - 1, row);
    if (row[col] < value)
      lo = mid + 1;
    else
      hi = mid;
  }
  guint64 r = lo * MC_BLOCK;
  while (r < v->n_rows) {
    mc_view_get(v, r, row);
    if (row[col] >= value)
      break;
    r++;
  }
  return r;
}

/* ---- serialisation ---- */

static void
put_map(mu_buf *out, GHashTable *m, guint n_vals)
{
  mu_buf_uv(out, g_hash_table_size(m));
  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init(&it, m);
  while (g_hash_table_iter_next(&it, &k, &v)) {
    mu_buf_uv(out, mu_zz(*(gint64 *)k));
    for (guint i = 0; i < n_vals; i++)
      mu_buf_uv(out, mu_zz(((gint64 *)v)[i]));
  }
}

void
mc_table_serialize(mc_table *t, mu_buf *out)
{
  mu_buf_uv(out, t->n_cols);
  mu_buf_uv(out, mu_zz(t->key_col));
  for (guint c = 0; c < t->n_cols; c++) {
    mu_buf_uv(out, mu_zz(t->rel[c]));
    mu_buf_uv(out, mu_zz(t->none[c]));
  }
  mu_buf_uv(out, t->n_rows);
  mu_buf_uv(out, mu_zz(t->prefix_max));
  mu_buf_uv(out, t->blocks.len);
  for (guint64 i = 0; i < t->blocks.len; i++) {
    const mc_block *b = mu_vec_at(&t->blocks, i);
    /* The goroutine table of a large trace takes ~90 ms to write out. */
    if ((i & 63) == 0)
      ta_index_yield_to_frames();
    mu_buf_uv(out, b->len);
    mu_buf_append(out, b->data, b->len);
    if (t->key_col >= 0) {
      const mc_keyrange *k = mu_vec_at(&t->ranges, i);
      mu_buf_uv(out, mu_zz(k->min));
      mu_buf_uv(out, mu_zz(k->max));
      mu_buf_uv(out, mu_zz(k->prefix_max));
    }
  }
  mu_buf_uv(out, t->tail_n);
  for (guint i = 0; i < t->tail_n * t->n_cols; i++)
    mu_buf_uv(out, mu_zz(t->tail[i]));
  put_map(out, t->overrides, t->n_cols);
  put_map(out, t->strag, 1);
}

#define RD(v)                                                                 \
  do {                                                                        \
    if (*p >= end)                                                            \
      goto bad;                                                               \
    *p = mu_get_uv(*p, &(v));                                                 \
  } while (0)

static gboolean
get_map(const guint8 **p, const guint8 *end, GHashTable *m, guint n_vals)
{
  guint64 n, v;
  RD(n);
  for (guint64 i = 0; i < n; i++) {
    gint64 *k = g_new(gint64, 1);
    gint64 *vals = g_new0(gint64, n_vals ? n_vals : 1);
    g_hash_table_replace(m, k, vals);
    RD(v);
    *k = mu_unzz(v);
    for (guint j = 0; j < n_vals; j++) {
      RD(v);
      vals[j] = mu_unzz(v);
    }
  }
  return TRUE;
bad:
  return FALSE;
}

mc_table *
mc_table_deserialize(const guint8 **p, const guint8 *end)
{
  guint64 nc, kc, nr, pm, nb, v;
  mc_table *t = NULL;
  RD(nc);
  RD(kc);
  if (nc == 0 || nc > MC_MAX_COLS)
    return NULL;
  t = mc_table_new((guint)nc, (gint)mu_unzz(kc));
  for (guint c = 0; c < nc; c++) {
    RD(v);
    t->rel[c] = (gint)mu_unzz(v);
    RD(v);
    t->none[c] = mu_unzz(v);
    if (t->rel[c] >= (gint)c || t->rel[c] < -1)
      goto bad;
  }
  RD(nr);
  RD(pm);
  t->prefix_max = mu_unzz(pm);
  RD(nb);
  if (nb * MC_BLOCK > nr)
    goto bad;
  for (guint64 i = 0; i < nb; i++) {
    RD(v);
    if ((guint64)(end - *p) < v)
      goto bad;
    mc_block *b = mu_vec_push(&t->blocks);
    b->len = (guint32)v;
    b->data = g_malloc(v + BLOCK_PAD);
    memcpy(b->data, *p, v);
    memset(b->data + v, 0, BLOCK_PAD);
    *p += v;
    t->bytes += v + BLOCK_PAD;
    if (t->key_col >= 0) {
      mc_keyrange *k = mu_vec_push(&t->ranges);
      RD(v);
      k->min = mu_unzz(v);
      RD(v);
      k->max = mu_unzz(v);
      RD(v);
      k->prefix_max = mu_unzz(v);
    }
  }
  RD(v);
  if (v >= 2 * MC_BLOCK || nb * MC_BLOCK + v != nr)
    goto bad;
  t->tail_n = (guint)v;
  for (guint i = 0; i < t->tail_n * t->n_cols; i++) {
    RD(v);
    t->tail[i] = mu_unzz(v);
  }
  t->n_rows = nr;
  if (!get_map(p, end, t->overrides, t->n_cols) || !get_map(p, end, t->strag, 1))
    goto bad;
  return t;
bad:
  mc_table_free(t);
  return NULL;
}
