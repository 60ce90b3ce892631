/* ta-goroutine-layout.h: the goroutine group of the timeline, virtual.
 *
 * A trace may hold millions of goroutines; the timeline must never walk
 * them on the main thread. A TaGoLayout is an immutable, reference-counted
 * description of the group built once (off the main thread) from a sorted
 * array: the goroutines' table rows in display order, the optional
 * subheaders of group-by-start-function, and the goroutines that have
 * region rows (sparse). Every position (virtual row index or y offset) is
 * computed from those with binary searches, so nothing is materialised per
 * goroutine but a 4-byte row number.
 *
 * Pure logic (GLib only), unit tested in tests/ui/test-goroutine-layout.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Height plus gap of each kind of row. */
typedef struct {
  double goroutine;
  double region;
  double subheader;
} TaGoPitch;

/* One goroutine as the builder sorts it. */
typedef struct {
  gint64  id;
  gint64  created;
  guint32 row;        /* row in the snapshot's goroutine table */
  guint32 func;       /* start function string id */
  guint32 func_rank;  /* rank of the start function's name (group order) */
} TaGoSortItem;

typedef enum {
  TA_GO_ITEM_SUBHEADER,
  TA_GO_ITEM_GOROUTINE,
  TA_GO_ITEM_REGION,
} TaGoItemKind;

/* A row of the group, as the timeline draws it. */
typedef struct {
  TaGoItemKind kind;
  guint64 index;      /* virtual row index within the group */
  double  top;        /* y offset within the group */
  double  pitch;      /* height plus gap */
  guint32 entry;      /* display position of the goroutine (subheader: its group's first) */
  guint32 group;      /* group (0 when not grouped) */
  guint32 row;        /* goroutine table row (not for subheaders) */
  guint32 depth;      /* region depth (regions) */
} TaGoItem;

typedef struct _TaGoLayout TaGoLayout;

/* Sorts `items` in place (by id, or by creation time then id; by start
 * function name first when grouping) and builds the layout. `region_rows`
 * (ascending table rows) and `region_depths` list the goroutines with
 * region rows; rows not among the items are ignored. */
TaGoLayout *ta_go_layout_new      (TaGoSortItem *items, guint32 n, gboolean by_start,
                                   gboolean group_by_func, const guint32 *region_rows,
                                   const guint32 *region_depths, guint32 n_regions,
                                   TaGoPitch pitch);
/* While a trace loads, most goroutines arrive in display order and the rest
 * land near its end: the first `keep` rows of `prev` (not grouped) followed
 * by `items` sorted here, which must hold every goroutine of prev from
 * `keep` on plus the new ones, all sorting after prev's row keep - 1 (the
 * caller finds `keep` with ta_go_sort_item_before; a layout keeps only
 * rows). The region list is given whole, as for ta_go_layout_new. */
TaGoLayout *ta_go_layout_new_spliced  (const TaGoLayout *prev, guint32 keep, TaGoSortItem *items,
                                       guint32 n, gboolean by_start, const guint32 *region_rows,
                                       const guint32 *region_depths, guint32 n_regions);
/* Whether a sorts before b in the ungrouped order (by id, or by creation
 * time then id). */
gboolean    ta_go_sort_item_before    (const TaGoSortItem *a, const TaGoSortItem *b, gboolean by_start);
TaGoLayout *ta_go_layout_ref      (TaGoLayout *self);
void        ta_go_layout_unref    (TaGoLayout *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TaGoLayout, ta_go_layout_unref)

guint32  ta_go_layout_get_n_goroutines (const TaGoLayout *self);
guint32  ta_go_layout_get_n_groups     (const TaGoLayout *self);  /* 0 when not grouped */
guint64  ta_go_layout_get_n_rows       (const TaGoLayout *self);  /* virtual rows */
double   ta_go_layout_get_height       (const TaGoLayout *self);
gboolean ta_go_layout_is_grouped       (const TaGoLayout *self);
/* Table row of the goroutine shown at display position `entry`. */
guint32  ta_go_layout_get_row          (const TaGoLayout *self, guint32 entry);
/* Region depths under the goroutine at display position `entry`. */
guint32  ta_go_layout_get_depths       (const TaGoLayout *self, guint32 entry);
/* Group g: first display position, goroutine count, start function id. */
void     ta_go_layout_get_group        (const TaGoLayout *self, guint32 g, guint32 *first,
                                        guint32 *count, guint32 *func);

/* The row whose [top, top + pitch) holds `y` (FALSE outside [0, height)). */
gboolean ta_go_layout_item_at_y        (const TaGoLayout *self, double y, TaGoItem *out);
/* The row with virtual index `index` (FALSE past the end). */
gboolean ta_go_layout_item_at_index    (const TaGoLayout *self, guint64 index, TaGoItem *out);
/* Advances to the next row (FALSE at the end). */
gboolean ta_go_layout_next             (const TaGoLayout *self, TaGoItem *item);
/* Display position of a table row (a linear scan: for rare user actions);
 * FALSE when the layout does not hold it. */
gboolean ta_go_layout_find_row         (const TaGoLayout *self, guint32 row, guint32 *entry_out);
/* The goroutine row of display position `entry`. */
gboolean ta_go_layout_item_of_entry    (const TaGoLayout *self, guint32 entry, TaGoItem *out);

G_END_DECLS
