/* trace-sort.h: Go's slices.SortFunc, reproduced swap for swap. Go sorts the
 * frontier with it when the earliest thread cannot advance; it is not
 * stable, so matching Go's output order for equal timestamps means making
 * exactly the same moves (pattern-defeating quicksort). Internal. */
#pragma once

#include <stddef.h>

typedef int (*ta_less_fn)(const void *a, const void *b);

void ta_go_sort(void **items, size_t n, ta_less_fn less);
