/* test-goroutine-layout.c: the virtual goroutine group of the timeline
 * (ordering, group-by-function subheaders, region rows, row at y/index).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "ta-goroutine-layout.h"

#include <string.h>

static const TaGoPitch pitch = { 21, 15, 21 };

/* Six goroutines in table-row order (first appearance): ids out of order,
 * creation times tied for the ones that existed before the trace. */
static void
fill_items (TaGoSortItem *it)
{
  /*                 id   created row func rank */
  it[0] = (TaGoSortItem){ 5, 100, 0, 7, 1 };
  it[1] = (TaGoSortItem){ 2, 100, 1, 8, 0 };
  it[2] = (TaGoSortItem){ 9, 50, 2, 7, 1 };
  it[3] = (TaGoSortItem){ 1, 300, 3, 8, 0 };
  it[4] = (TaGoSortItem){ 7, 200, 4, 7, 1 };
  it[5] = (TaGoSortItem){ 3, 100, 5, 9, 2 };
}

static guint32
row_at (TaGoLayout *l, guint32 e)
{
  return ta_go_layout_get_row (l, e);
}

static void
test_order (void)
{
  TaGoSortItem it[6];
  g_autoptr (TaGoLayout) by_id = NULL, by_start = NULL;
  static const guint32 want_id[] = { 3, 1, 5, 0, 4, 2 };     /* ids 1 2 3 5 7 9 */
  static const guint32 want_start[] = { 2, 1, 5, 0, 4, 3 };  /* 50, 100 (ids 2 3 5), 200, 300 */

  fill_items (it);
  by_id = ta_go_layout_new (it, 6, FALSE, FALSE, NULL, NULL, 0, pitch);
  fill_items (it);
  by_start = ta_go_layout_new (it, 6, TRUE, FALSE, NULL, NULL, 0, pitch);
  for (guint32 e = 0; e < 6; e++)
    {
      g_assert_cmpuint (row_at (by_id, e), ==, want_id[e]);
      g_assert_cmpuint (row_at (by_start, e), ==, want_start[e]);
    }
  g_assert_cmpuint (ta_go_layout_get_n_rows (by_id), ==, 6);
  g_assert_cmpfloat (ta_go_layout_get_height (by_id), ==, 6 * 21);
  g_assert_cmpuint (ta_go_layout_get_n_groups (by_id), ==, 0);
}

static void
test_row_at_y (void)
{
  TaGoSortItem it[6];
  g_autoptr (TaGoLayout) l = NULL;
  /* Table rows 1 (id 2) and 4 (id 7) have 2 and 1 region depths. */
  guint32 rrows[] = { 1, 4 }, rdepths[] = { 2, 1 };
  TaGoItem item;
  double y = 0;
  guint64 index = 0;

  fill_items (it);
  l = ta_go_layout_new (it, 6, FALSE, FALSE, rrows, rdepths, 2, pitch);
  /* by id: rows 3, 1(+2 regions), 5, 0, 4(+1 region), 2 */
  g_assert_cmpuint (ta_go_layout_get_n_rows (l), ==, 9);
  g_assert_cmpfloat (ta_go_layout_get_height (l), ==, 6 * 21 + 3 * 15);
  g_assert_cmpuint (ta_go_layout_get_depths (l, 1), ==, 2);
  g_assert_cmpuint (ta_go_layout_get_depths (l, 4), ==, 1);
  g_assert_cmpuint (ta_go_layout_get_depths (l, 0), ==, 0);

  /* Walking with next() visits every row once, tops adding up; each row is
   * found again at its top, its middle and just before its end, by y and by
   * index. */
  g_assert_true (ta_go_layout_item_at_index (l, 0, &item));
  do
    {
      TaGoItem at;
      g_assert_cmpuint (item.index, ==, index);
      g_assert_cmpfloat_with_epsilon (item.top, y, 1e-9);
      for (double dy = 0; dy < item.pitch; dy += item.pitch / 2 - 0.01)
        {
          g_assert_true (ta_go_layout_item_at_y (l, y + dy, &at));
          g_assert_cmpuint (at.index, ==, index);
          g_assert_cmpint (at.kind, ==, item.kind);
          g_assert_cmpuint (at.row, ==, item.row);
          g_assert_cmpuint (at.depth, ==, item.depth);
        }
      g_assert_true (ta_go_layout_item_at_index (l, index, &at));
      g_assert_cmpfloat_with_epsilon (at.top, y, 1e-9);
      y += item.pitch;
      index++;
    }
  while (ta_go_layout_next (l, &item));
  g_assert_cmpuint (index, ==, 9);
  g_assert_cmpfloat_with_epsilon (y, ta_go_layout_get_height (l), 1e-9);
  g_assert_false (ta_go_layout_item_at_y (l, y, &item));
  g_assert_false (ta_go_layout_item_at_y (l, -1, &item));
  g_assert_false (ta_go_layout_item_at_index (l, 9, &item));

  /* The region rows sit right under their goroutine. */
  g_assert_true (ta_go_layout_item_at_index (l, 2, &item));
  g_assert_cmpint (item.kind, ==, TA_GO_ITEM_REGION);
  g_assert_cmpuint (item.row, ==, 1);
  g_assert_cmpuint (item.depth, ==, 0);
  g_assert_true (ta_go_layout_item_at_index (l, 3, &item));
  g_assert_cmpuint (item.depth, ==, 1);
  g_assert_true (ta_go_layout_item_at_index (l, 4, &item));
  g_assert_cmpint (item.kind, ==, TA_GO_ITEM_GOROUTINE);
  g_assert_cmpuint (item.row, ==, 5);
}

static void
test_group_by_function (void)
{
  TaGoSortItem it[6];
  g_autoptr (TaGoLayout) l = NULL;
  guint32 rrows[] = { 2 }, rdepths[] = { 1 };
  guint32 first, count, func, entry;
  TaGoItem item;
  int kinds[16], n = 0;

  fill_items (it);
  l = ta_go_layout_new (it, 6, TRUE, TRUE, rrows, rdepths, 1, pitch);
  /* rank 0 (func 8): rows 1 (100), 3 (300); rank 1 (func 7): rows 2 (50),
   * 0 (100), 4 (200); rank 2 (func 9): row 5. */
  g_assert_true (ta_go_layout_is_grouped (l));
  g_assert_cmpuint (ta_go_layout_get_n_groups (l), ==, 3);
  ta_go_layout_get_group (l, 0, &first, &count, &func);
  g_assert_cmpuint (first, ==, 0);
  g_assert_cmpuint (count, ==, 2);
  g_assert_cmpuint (func, ==, 8);
  ta_go_layout_get_group (l, 1, &first, &count, &func);
  g_assert_cmpuint (first, ==, 2);
  g_assert_cmpuint (count, ==, 3);
  g_assert_cmpuint (func, ==, 7);
  ta_go_layout_get_group (l, 2, &first, &count, &func);
  g_assert_cmpuint (first, ==, 5);
  g_assert_cmpuint (count, ==, 1);
  g_assert_cmpuint (row_at (l, 2), ==, 2);
  g_assert_cmpuint (row_at (l, 3), ==, 0);
  g_assert_cmpuint (row_at (l, 4), ==, 4);
  /* 6 goroutines + 3 subheaders + 1 region row */
  g_assert_cmpuint (ta_go_layout_get_n_rows (l), ==, 10);
  g_assert_cmpfloat (ta_go_layout_get_height (l), ==, 6 * 21 + 3 * 21 + 15);

  g_assert_true (ta_go_layout_item_at_y (l, 0, &item));
  do
    kinds[n++] = item.kind;
  while (ta_go_layout_next (l, &item) && n < 16);
  {
    static const int want[] = { TA_GO_ITEM_SUBHEADER, TA_GO_ITEM_GOROUTINE, TA_GO_ITEM_GOROUTINE,
                                TA_GO_ITEM_SUBHEADER, TA_GO_ITEM_GOROUTINE, TA_GO_ITEM_REGION,
                                TA_GO_ITEM_GOROUTINE, TA_GO_ITEM_GOROUTINE,
                                TA_GO_ITEM_SUBHEADER, TA_GO_ITEM_GOROUTINE };
    g_assert_cmpint (n, ==, G_N_ELEMENTS (want));
    for (int i = 0; i < n; i++)
      g_assert_cmpint (kinds[i], ==, want[i]);
  }
  /* The second subheader is at y = 21 * 3 (subheader + two goroutines). */
  g_assert_true (ta_go_layout_item_at_y (l, 63.5, &item));
  g_assert_cmpint (item.kind, ==, TA_GO_ITEM_SUBHEADER);
  g_assert_cmpuint (item.group, ==, 1);
  g_assert_cmpuint (item.index, ==, 3);
  g_assert_true (ta_go_layout_item_at_y (l, 63 + 21 + 21 + 1, &item));
  g_assert_cmpint (item.kind, ==, TA_GO_ITEM_REGION);
  g_assert_cmpuint (item.row, ==, 2);

  g_assert_true (ta_go_layout_find_row (l, 4, &entry));
  g_assert_cmpuint (entry, ==, 4);
  g_assert_false (ta_go_layout_find_row (l, 99, &entry));
}

static void
test_many (void)
{
  /* 200k goroutines in reverse id order: sorted, every index found again. */
  guint32 n = 200000;
  TaGoSortItem *it = g_new (TaGoSortItem, n);
  g_autoptr (TaGoLayout) l = NULL;
  TaGoItem item;

  for (guint32 i = 0; i < n; i++)
    it[i] = (TaGoSortItem){ (gint64)(n - i), i, i, 0, 0 };
  l = ta_go_layout_new (it, n, FALSE, FALSE, NULL, NULL, 0, pitch);
  g_free (it);
  g_assert_cmpuint (row_at (l, 0), ==, n - 1);
  g_assert_cmpuint (row_at (l, n - 1), ==, 0);
  for (guint64 k = 0; k < n; k += 997)
    {
      g_assert_true (ta_go_layout_item_at_y (l, k * 21 + 20.9, &item));
      g_assert_cmpuint (item.index, ==, k);
      g_assert_cmpuint (item.row, ==, n - 1 - k);
    }
}

static void
test_spliced (void)
{
  /* Rows 0-5 laid out (ids 1 2 3 5 7 9), then rows 6-8 arrive with ids 12,
   * 4, 11: keeping the entries before id 4 (1 2 3) and sorting the rest with
   * the new ones gives what a build from scratch gives. */
  TaGoSortItem it[9], tail[6], all[9];
  guint32 rrows[] = { 1, 7 }, rdepths[] = { 2, 1 };
  g_autoptr (TaGoLayout) prev = NULL, spliced = NULL, full = NULL;
  TaGoSortItem four = { 4, 400, 7, 7, 0 }, three = { 3, 100, 5, 9, 2 }, five = { 5, 100, 0, 7, 1 };

  fill_items (it);
  memcpy (all, it, sizeof (TaGoSortItem) * 6);
  prev = ta_go_layout_new (it, 6, FALSE, FALSE, rrows, rdepths, 1, pitch);
  all[6] = (TaGoSortItem){ 12, 400, 6, 7, 0 };
  all[7] = four;
  all[8] = (TaGoSortItem){ 11, 400, 8, 7, 0 };
  g_assert_true (ta_go_sort_item_before (&three, &four, FALSE));
  g_assert_false (ta_go_sort_item_before (&five, &four, FALSE));
  /* prev entries 3.. are rows 0 (id 5), 4 (id 7), 2 (id 9). */
  tail[0] = all[0];
  tail[1] = all[4];
  tail[2] = all[2];
  tail[3] = all[6];
  tail[4] = all[7];
  tail[5] = all[8];
  spliced = ta_go_layout_new_spliced (prev, 3, tail, 6, FALSE, rrows, rdepths, 2);
  full = ta_go_layout_new (all, 9, FALSE, FALSE, rrows, rdepths, 2, pitch);
  g_assert_cmpuint (ta_go_layout_get_n_rows (spliced), ==, ta_go_layout_get_n_rows (full));
  g_assert_cmpfloat (ta_go_layout_get_height (spliced), ==, ta_go_layout_get_height (full));
  for (guint32 e = 0; e < 9; e++)
    {
      g_assert_cmpuint (ta_go_layout_get_row (spliced, e), ==, ta_go_layout_get_row (full, e));
      g_assert_cmpuint (ta_go_layout_get_depths (spliced, e), ==, ta_go_layout_get_depths (full, e));
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/goroutine-layout/order", test_order);
  g_test_add_func ("/goroutine-layout/row-at-y", test_row_at_y);
  g_test_add_func ("/goroutine-layout/group-by-function", test_group_by_function);
  g_test_add_func ("/goroutine-layout/many", test_many);
  g_test_add_func ("/goroutine-layout/spliced", test_spliced);
  return g_test_run ();
}
