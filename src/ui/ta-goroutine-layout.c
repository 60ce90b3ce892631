/* ta-goroutine-layout.c: the goroutine group of the timeline as a sorted
 * array plus sparse extras (see the header).
 *
 * The position of display entry e, weighted by per-kind pitches w, is
 *   e * w.goroutine + R(e) * w.region + (grouped ? (g(e) + 1) * w.subheader : 0)
 * where R(e) counts the region rows of the entries before e (a binary
 * search in the sparse region list) and g(e) is e's group (a binary search
 * in the group list). With unit weights that is the virtual row index; with
 * the real pitches the y offset. Both grow with e, so finding the row at an
 * index or a y is a binary search over e.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ta-timeline"

#include "ta-goroutine-layout.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  guint32 first, count, func;
} Group;

typedef struct {
  guint32 entry;      /* display position */
  guint32 depths;     /* region rows under it */
  guint64 before;     /* region rows of the entries before it */
} RegionEntry;

struct _TaGoLayout
{
  gint ref;
  guint32 n;
  guint32 *rows;          /* table row per display position */
  gboolean grouped;
  Group *groups;
  guint32 n_groups;
  RegionEntry *regions;   /* ascending entry */
  guint32 n_regions;
  guint64 n_region_rows;
  TaGoPitch pitch;
};

static int
cmp_by_id (const void *a, const void *b)
{
  const TaGoSortItem *x = a, *y = b;
  return (x->id > y->id) - (x->id < y->id);
}

static int
cmp_by_start (const void *a, const void *b)
{
  const TaGoSortItem *x = a, *y = b;
  if (x->created != y->created)
    return (x->created > y->created) - (x->created < y->created);
  return cmp_by_id (a, b);
}

static int
cmp_func_by_id (const void *a, const void *b)
{
  const TaGoSortItem *x = a, *y = b;
  if (x->func_rank != y->func_rank)
    return (x->func_rank > y->func_rank) - (x->func_rank < y->func_rank);
  return cmp_by_id (a, b);
}

static int
cmp_func_by_start (const void *a, const void *b)
{
  const TaGoSortItem *x = a, *y = b;
  if (x->func_rank != y->func_rank)
    return (x->func_rank > y->func_rank) - (x->func_rank < y->func_rank);
  return cmp_by_start (a, b);
}

static gboolean
is_sorted (const TaGoSortItem *items, guint32 n, int (*cmp) (const void *, const void *))
{
  for (guint32 i = 1; i < n; i++)
    if (cmp (&items[i - 1], &items[i]) > 0)
      return FALSE;
  return TRUE;
}

static int
cmp_region_entry (const void *a, const void *b)
{
  const RegionEntry *x = a, *y = b;
  return (x->entry > y->entry) - (x->entry < y->entry);
}

/* The sparse list of goroutines with region rows, in display order. */
static void
set_regions (TaGoLayout *self, const guint32 *region_rows, const guint32 *region_depths, guint32 n_regions)
{
  guint32 n = self->n;

  if (n_regions && n)
    {
      /* Display position of each table row, for the rows with regions. */
      guint32 max_row = 0;
      guint32 *entry_of_row;
      GArray *regions = g_array_new (FALSE, FALSE, sizeof (RegionEntry));
      guint64 before = 0;

      for (guint32 i = 0; i < n; i++)
        max_row = MAX (max_row, self->rows[i]);
      entry_of_row = g_new (guint32, (gsize)max_row + 1);
      memset (entry_of_row, 0xff, sizeof (guint32) * ((gsize)max_row + 1));
      for (guint32 i = 0; i < n; i++)
        entry_of_row[self->rows[i]] = i;
      for (guint32 k = 0; k < n_regions; k++)
        if (region_depths[k] && region_rows[k] <= max_row && entry_of_row[region_rows[k]] != G_MAXUINT32)
          {
            RegionEntry r = { entry_of_row[region_rows[k]], region_depths[k], 0 };
            g_array_append_val (regions, r);
          }
      g_free (entry_of_row);
      g_array_sort (regions, cmp_region_entry);
      for (guint32 k = 0; k < regions->len; k++)
        {
          RegionEntry *r = &g_array_index (regions, RegionEntry, k);
          r->before = before;
          before += r->depths;
        }
      self->n_regions = regions->len;
      self->n_region_rows = before;
      self->regions = (RegionEntry *)g_array_free (regions, FALSE);
    }
}

TaGoLayout *
ta_go_layout_new (TaGoSortItem *items, guint32 n, gboolean by_start, gboolean group_by_func,
                  const guint32 *region_rows, const guint32 *region_depths, guint32 n_regions,
                  TaGoPitch pitch)
{
  TaGoLayout *self = g_new0 (TaGoLayout, 1);
  int (*cmp) (const void *, const void *);

  self->ref = 1;
  self->n = n;
  self->grouped = group_by_func;
  self->pitch = pitch;
  if (group_by_func)
    cmp = by_start ? cmp_func_by_start : cmp_func_by_id;
  else
    cmp = by_start ? cmp_by_start : cmp_by_id;
  /* Goroutines mostly arrive in id and creation order: skip the sort then. */
  if (!is_sorted (items, n, cmp))
    qsort (items, n, sizeof *items, cmp);

  self->rows = g_new (guint32, MAX (n, 1));
  for (guint32 i = 0; i < n; i++)
    self->rows[i] = items[i].row;

  if (group_by_func)
    {
      GArray *groups = g_array_new (FALSE, FALSE, sizeof (Group));
      for (guint32 i = 0; i < n; i++)
        if (i == 0 || items[i].func_rank != items[i - 1].func_rank)
          {
            Group g = { i, 0, items[i].func };
            g_array_append_val (groups, g);
          }
      for (guint32 k = 0; k < groups->len; k++)
        {
          Group *g = &g_array_index (groups, Group, k);
          guint32 end = k + 1 < groups->len ? g_array_index (groups, Group, k + 1).first : n;
          g->count = end - g->first;
        }
      self->n_groups = groups->len;
      self->groups = (Group *)g_array_free (groups, FALSE);
    }

  set_regions (self, region_rows, region_depths, n_regions);
  return self;
}

TaGoLayout *
ta_go_layout_new_spliced (const TaGoLayout *prev, guint32 keep, TaGoSortItem *items, guint32 n,
                          gboolean by_start, const guint32 *region_rows, const guint32 *region_depths,
                          guint32 n_regions)
{
  int (*cmp) (const void *, const void *) = by_start ? cmp_by_start : cmp_by_id;
  TaGoLayout *self;

  g_return_val_if_fail (!prev->grouped && keep <= prev->n, NULL);
  if (!is_sorted (items, n, cmp))
    qsort (items, n, sizeof *items, cmp);
  self = g_new0 (TaGoLayout, 1);
  self->ref = 1;
  self->n = keep + n;
  self->pitch = prev->pitch;
  self->rows = g_new (guint32, MAX (self->n, 1));
  memcpy (self->rows, prev->rows, sizeof (guint32) * keep);
  for (guint32 i = 0; i < n; i++)
    self->rows[keep + i] = items[i].row;
  set_regions (self, region_rows, region_depths, n_regions);
  return self;
}

gboolean
ta_go_sort_item_before (const TaGoSortItem *a, const TaGoSortItem *b, gboolean by_start)
{
  return (by_start ? cmp_by_start : cmp_by_id) (a, b) < 0;
}

TaGoLayout *
ta_go_layout_ref (TaGoLayout *self)
{
  g_atomic_int_inc (&self->ref);
  return self;
}

void
ta_go_layout_unref (TaGoLayout *self)
{
  if (!self || !g_atomic_int_dec_and_test (&self->ref))
    return;
  g_free (self->rows);
  g_free (self->groups);
  g_free (self->regions);
  g_free (self);
}

guint32
ta_go_layout_get_n_goroutines (const TaGoLayout *self)
{
  return self->n;
}

guint32
ta_go_layout_get_n_groups (const TaGoLayout *self)
{
  return self->n_groups;
}

gboolean
ta_go_layout_is_grouped (const TaGoLayout *self)
{
  return self->grouped;
}

guint64
ta_go_layout_get_n_rows (const TaGoLayout *self)
{
  return self->n + self->n_region_rows + (self->grouped ? self->n_groups : 0);
}

double
ta_go_layout_get_height (const TaGoLayout *self)
{
  return self->n * self->pitch.goroutine + self->n_region_rows * self->pitch.region
         + (self->grouped ? self->n_groups * self->pitch.subheader : 0);
}

guint32
ta_go_layout_get_row (const TaGoLayout *self, guint32 entry)
{
  g_return_val_if_fail (entry < self->n, 0);
  return self->rows[entry];
}

/* Index of the last region entry with entry < e, or -1. */
static gint64
region_before (const TaGoLayout *self, guint32 e)
{
  guint32 lo = 0, hi = self->n_regions;
  while (lo < hi)
    {
      guint32 mid = lo + (hi - lo) / 2;
      if (self->regions[mid].entry < e)
        lo = mid + 1;
      else
        hi = mid;
    }
  return (gint64)lo - 1;
}

guint32
ta_go_layout_get_depths (const TaGoLayout *self, guint32 entry)
{
  gint64 k = region_before (self, entry + 1);
  return k >= 0 && self->regions[k].entry == entry ? self->regions[k].depths : 0;
}

/* Region rows above display position e. */
static guint64
regions_above (const TaGoLayout *self, guint32 e)
{
  gint64 k = region_before (self, e);
  return k < 0 ? 0 : self->regions[k].before + self->regions[k].depths;
}

static guint32
group_of (const TaGoLayout *self, guint32 e)
{
  guint32 lo = 0, hi = self->n_groups;
  while (lo < hi)
    {
      guint32 mid = lo + (hi - lo) / 2;
      if (self->groups[mid].first <= e)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo ? lo - 1 : 0;
}

void
ta_go_layout_get_group (const TaGoLayout *self, guint32 g, guint32 *first, guint32 *count,
                        guint32 *func)
{
  g_return_if_fail (g < self->n_groups);
  *first = self->groups[g].first;
  *count = self->groups[g].count;
  *func = self->groups[g].func;
}

/* Position of display entry e (its goroutine row) under weights w. */
static double
position (const TaGoLayout *self, guint32 e, const TaGoPitch *w)
{
  double p = e * w->goroutine + (double)regions_above (self, e) * w->region;
  if (self->grouped)
    p += (group_of (self, e) + 1) * w->subheader;
  return p;
}

static void
fill_goroutine (const TaGoLayout *self, guint32 e, TaGoItem *out)
{
  static const TaGoPitch unit = { 1, 1, 1 };
  out->kind = TA_GO_ITEM_GOROUTINE;
  out->entry = e;
  out->group = self->grouped ? group_of (self, e) : 0;
  out->row = self->rows[e];
  out->depth = 0;
  out->index = (guint64)position (self, e, &unit);
  out->top = position (self, e, &self->pitch);
  out->pitch = self->pitch.goroutine;
}

static void
fill_subheader (const TaGoLayout *self, guint32 g, TaGoItem *out)
{
  fill_goroutine (self, self->groups[g].first, out);
  out->kind = TA_GO_ITEM_SUBHEADER;
  out->group = g;
  out->row = 0;
  out->index -= 1;
  out->top -= self->pitch.subheader;
  out->pitch = self->pitch.subheader;
}

/* The row at `value` under weights w (unit weights: an index; pitches: y). */
static gboolean
item_at (const TaGoLayout *self, double value, const TaGoPitch *w, TaGoItem *out)
{
  guint32 lo = 0, hi = self->n, e;
  double p, off;

  if (self->n == 0 || value < 0)
    return FALSE;
  if (self->grouped)
    {
      /* The group whose subheader starts at or before value. */
      guint32 glo = 0, ghi = self->n_groups, g;
      while (glo < ghi)
        {
          guint32 mid = glo + (ghi - glo) / 2;
          if (position (self, self->groups[mid].first, w) - w->subheader <= value)
            glo = mid + 1;
          else
            ghi = mid;
        }
      g = glo ? glo - 1 : 0;
      if (value < position (self, self->groups[g].first, w))
        {
          fill_subheader (self, g, out);
          return TRUE;
        }
      lo = self->groups[g].first;
      hi = lo + self->groups[g].count;
    }
  /* The last entry of [lo, hi) at or before value. */
  {
    guint32 a = lo, b = hi;
    while (a < b)
      {
        guint32 mid = a + (b - a) / 2;
        if (position (self, mid, w) <= value)
          a = mid + 1;
        else
          b = mid;
      }
    if (a == lo)
      return FALSE;
    e = a - 1;
  }
  p = position (self, e, w);
  off = value - p;
  fill_goroutine (self, e, out);
  if (off < w->goroutine)
    return TRUE;
  {
    guint32 depths = ta_go_layout_get_depths (self, e);
    guint32 d = (guint32)floor ((off - w->goroutine) / w->region);
    if (d >= depths)
      return FALSE;  /* past the group's end */
    out->kind = TA_GO_ITEM_REGION;
    out->depth = d;
    out->index += 1 + d;
    out->top += self->pitch.goroutine + d * self->pitch.region;
    out->pitch = self->pitch.region;
  }
  return TRUE;
}

gboolean
ta_go_layout_item_at_y (const TaGoLayout *self, double y, TaGoItem *out)
{
  if (y >= ta_go_layout_get_height (self))
    return FALSE;
  return item_at (self, y, &self->pitch, out);
}

gboolean
ta_go_layout_item_at_index (const TaGoLayout *self, guint64 index, TaGoItem *out)
{
  static const TaGoPitch unit = { 1, 1, 1 };
  if (index >= ta_go_layout_get_n_rows (self))
    return FALSE;
  /* +0.5: the middle of the row, clear of rounding at its edges. */
  return item_at (self, (double)index + 0.5, &unit, out);
}

gboolean
ta_go_layout_item_of_entry (const TaGoLayout *self, guint32 entry, TaGoItem *out)
{
  if (entry >= self->n)
    return FALSE;
  fill_goroutine (self, entry, out);
  return TRUE;
}

gboolean
ta_go_layout_next (const TaGoLayout *self, TaGoItem *item)
{
  guint32 next;

  switch (item->kind)
    {
    case TA_GO_ITEM_SUBHEADER:
      fill_goroutine (self, item->entry, item);
      return TRUE;
    case TA_GO_ITEM_GOROUTINE:
    case TA_GO_ITEM_REGION:
      {
        guint32 depths = ta_go_layout_get_depths (self, item->entry);
        guint32 d = item->kind == TA_GO_ITEM_GOROUTINE ? 0 : item->depth + 1;
        if (d < depths)
          {
            double top = item->kind == TA_GO_ITEM_GOROUTINE ? item->top + self->pitch.goroutine
                                                            : item->top + self->pitch.region;
            item->kind = TA_GO_ITEM_REGION;
            item->depth = d;
            item->index++;
            item->top = top;
            item->pitch = self->pitch.region;
            return TRUE;
          }
      }
      break;
    }
  next = item->entry + 1;
  if (next >= self->n)
    return FALSE;
  if (self->grouped && self->groups[group_of (self, next)].first == next)
    fill_subheader (self, group_of (self, next), item);
  else
    fill_goroutine (self, next, item);
  return TRUE;
}

gboolean
ta_go_layout_find_row (const TaGoLayout *self, guint32 row, guint32 *entry_out)
{
  for (guint32 i = 0; i < self->n; i++)
    if (self->rows[i] == row)
      {
        *entry_out = i;
        return TRUE;
      }
  return FALSE;
}
