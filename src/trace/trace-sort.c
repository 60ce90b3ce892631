/* trace-sort.c: pattern-defeating quicksort with the same comparisons and
 * swaps as Go's slices.SortFunc (Go 1.22+), so unstable tie orders agree. */
#include "trace-sort.h"

#include <stdbool.h>
#include <stdint.h>

enum { HINT_UNKNOWN, HINT_INCREASING, HINT_DECREASING };

typedef struct {
  void **v;
  ta_less_fn less;
} sorter;

static inline bool
lt(const sorter *s, size_t i, size_t j)
{
  return s->less(s->v[i], s->v[j]) != 0;
}

static inline void
swap(const sorter *s, size_t i, size_t j)
{
  void *t = s->v[i];
  s->v[i] = s->v[j];
  s->v[j] = t;
}

static unsigned
bit_length(size_t x)
{
  unsigned n = 0;
  while (x) {
    n++;
    x >>= 1;
  }
  return n;
}

static void
insertion_sort(const sorter *s, size_t a, size_t b)
{
  for (size_t i = a + 1; i < b; i++)
    for (size_t j = i; j > a && lt(s, j, j - 1); j--)
      swap(s, j, j - 1);
}

static void
sift_down(const sorter *s, size_t lo, size_t hi, size_t first)
{
  size_t root = lo;
  for (;;) {
    size_t child = 2 * root + 1;
    if (child >= hi)
      return;
    if (child + 1 < hi && lt(s, first + child, first + child + 1))
      child++;
    if (!lt(s, first + root, first + child))
      return;
    swap(s, first + root, first + child);
    root = child;
  }
}

static void
heap_sort(const sorter *s, size_t a, size_t b)
{
  size_t first = a, hi = b - a;
  for (size_t i = (hi - 1) / 2 + 1; i-- > 0;)
    sift_down(s, i, hi, first);
  for (size_t i = hi; i-- > 0;) {
    swap(s, first, first + i);
    sift_down(s, 0, i, first);
  }
}

/* Returns the median's index of a, b, c, counting the swaps it implies. */
static size_t
median3(const sorter *s, size_t a, size_t b, size_t c, int *swaps)
{
  size_t t;
  if (lt(s, b, a)) { (*swaps)++; t = a; a = b; b = t; }
  if (lt(s, c, b)) { (*swaps)++; t = b; b = c; c = t; }
  if (lt(s, b, a)) { (*swaps)++; t = a; a = b; b = t; }
  (void)c;
  return b;
}

static size_t
choose_pivot(const sorter *s, size_t a, size_t b, int *hint)
{
  size_t l = b - a;
  int swaps = 0;
  size_t i = a + l / 4 * 1, j = a + l / 4 * 2, k = a + l / 4 * 3;
  if (l >= 8) {
    if (l >= 50) {
      i = median3(s, i - 1, i, i + 1, &swaps);
      j = median3(s, j - 1, j, j + 1, &swaps);
      k = median3(s, k - 1, k, k + 1, &swaps);
    }
    j = median3(s, i, j, k, &swaps);
  }
  *hint = swaps == 0 ? HINT_INCREASING : swaps == 12 ? HINT_DECREASING : HINT_UNKNOWN;
  return j;
}

static void
reverse_range(const sorter *s, size_t a, size_t b)
{
  size_t i = a, j = b - 1;
  while (i < j)
    swap(s, i++, j--);
}

static bool
partial_insertion_sort(const sorter *s, size_t a, size_t b)
{
  size_t i = a + 1;
  for (int step = 0; step < 5; step++) {
    while (i < b && !lt(s, i, i - 1))
      i++;
    if (i == b)
      return true;
    if (b - a < 50)
      return false;
    swap(s, i, i - 1);
    if (i - a >= 2)
      for (size_t j = i - 1; j >= 1; j--) {
        if (!lt(s, j, j - 1))
          break;
        swap(s, j, j - 1);
      }
    if (b - i >= 2)
      for (size_t j = i + 1; j < b; j++) {
        if (!lt(s, j, j - 1))
          break;
        swap(s, j, j - 1);
      }
  }
  return false;
}

static void
break_patterns(const sorter *s, size_t a, size_t b)
{
  size_t length = b - a;
  if (length < 8)
    return;
  uint64_t random = length;
  size_t modulus = (size_t)1 << bit_length(length);
  for (size_t idx = a + (length / 4) * 2 - 1; idx <= a + (length / 4) * 2 + 1; idx++) {
    random ^= random << 13;
    random ^= random >> 7;
    random ^= random << 17;
    size_t other = (size_t)random & (modulus - 1);
    if (other >= length)
      other -= length;
    swap(s, idx, a + other);
  }
}

static size_t
partition_equal(const sorter *s, size_t a, size_t b, size_t pivot)
{
  swap(s, a, pivot);
  ptrdiff_t i = (ptrdiff_t)a + 1, j = (ptrdiff_t)b - 1;
  for (;;) {
    while (i <= j && !lt(s, a, (size_t)i))
      i++;
    while (i <= j && lt(s, a, (size_t)j))
      j--;
    if (i > j)
      break;
    swap(s, (size_t)i, (size_t)j);
    i++;
    j--;
  }
  return (size_t)i;
}

static size_t
partition(const sorter *s, size_t a, size_t b, size_t pivot, bool *already)
{
  swap(s, a, pivot);
  ptrdiff_t i = (ptrdiff_t)a + 1, j = (ptrdiff_t)b - 1;
  while (i <= j && lt(s, (size_t)i, a))
    i++;
  while (i <= j && !lt(s, (size_t)j, a))
    j--;
  if (i > j) {
    swap(s, (size_t)j, a);
    *already = true;
    return (size_t)j;
  }
  swap(s, (size_t)i, (size_t)j);
  i++;
  j--;
  for (;;) {
    while (i <= j && lt(s, (size_t)i, a))
      i++;
    while (i <= j && !lt(s, (size_t)j, a))
      j--;
    if (i > j)
      break;
    swap(s, (size_t)i, (size_t)j);
    i++;
    j--;
  }
  swap(s, (size_t)j, a);
  *already = false;
  return (size_t)j;
}

static void
pdqsort(const sorter *s, size_t a, size_t b, unsigned limit)
{
  bool was_balanced = true, was_partitioned = true;
  for (;;) {
    size_t length = b - a;
    if (length <= 12) {
      insertion_sort(s, a, b);
      return;
    }
    if (limit == 0) {
      heap_sort(s, a, b);
      return;
    }
    if (!was_balanced) {
      break_patterns(s, a, b);
      limit--;
    }
    int hint;
    size_t pivot = choose_pivot(s, a, b, &hint);
    if (hint == HINT_DECREASING) {
      reverse_range(s, a, b);
      pivot = (b - 1) - (pivot - a);
      hint = HINT_INCREASING;
    }
    if (was_balanced && was_partitioned && hint == HINT_INCREASING &&
        partial_insertion_sort(s, a, b))
      return;
    if (a > 0 && !lt(s, a - 1, pivot)) {
      a = partition_equal(s, a, b, pivot);
      continue;
    }
    bool already;
    size_t mid = partition(s, a, b, pivot, &already);
    was_partitioned = already;
    size_t left = mid - a, right = b - mid, threshold = length / 8;
    if (left < right) {
      was_balanced = left >= threshold;
      pdqsort(s, a, mid, limit);
      a = mid + 1;
    } else {
      was_balanced = right >= threshold;
      pdqsort(s, mid + 1, b, limit);
      b = mid;
    }
  }
}

void
ta_go_sort(void **items, size_t n, ta_less_fn less)
{
  sorter s = { items, less };
  pdqsort(&s, 0, n, bit_length(n));
}
