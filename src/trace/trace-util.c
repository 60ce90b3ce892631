/* trace-util.c: allocation, hash map and arena used across the decoder. */
#include "trace-util.h"

#include <stdio.h>

void *
ta_xmalloc(size_t n)
{
  void *p = malloc(n ? n : 1);
  if (!p) {
    fprintf(stderr, "trace-atlas: out of memory allocating %zu bytes\n", n);
    abort();
  }
  return p;
}

void *
ta_xcalloc(size_t n, size_t size)
{
  void *p = calloc(n ? n : 1, size ? size : 1);
  if (!p) {
    fprintf(stderr, "trace-atlas: out of memory allocating %zu x %zu bytes\n", n, size);
    abort();
  }
  return p;
}

void *
ta_xrealloc(void *p, size_t n)
{
  void *q = realloc(p, n ? n : 1);
  if (!q) {
    fprintf(stderr, "trace-atlas: out of memory allocating %zu bytes\n", n);
    abort();
  }
  return q;
}

/* ---- hash map ---- */

static void
map_grow(ta_map *m)
{
  uint32_t old_cap = m->cap;
  uint64_t *old_keys = m->keys;
  uint32_t *old_vals = m->vals;
  m->cap = old_cap ? old_cap * 2 : 16;
  m->keys = ta_xmalloc((size_t)m->cap * sizeof(uint64_t));
  m->vals = ta_xmalloc((size_t)m->cap * sizeof(uint32_t));
  memset(m->vals, 0xff, (size_t)m->cap * sizeof(uint32_t));
  m->count = 0;
  for (uint32_t i = 0; i < old_cap; i++)
    if (old_vals[i] != TA_MAP_ABSENT)
      ta_map_set(m, old_keys[i], old_vals[i]);
  free(old_keys);
  free(old_vals);
}

void
ta_map_set(ta_map *m, uint64_t key, uint32_t val)
{
  if ((uint64_t)(m->count + 1) * 4 > (uint64_t)m->cap * 3)
    map_grow(m);
  for (uint32_t i = ta_map_hash(key, m->cap);; i = (i + 1) & (m->cap - 1)) {
    if (m->vals[i] == TA_MAP_ABSENT) {
      m->keys[i] = key;
      m->vals[i] = val;
      m->count++;
      return;
    }
    if (m->keys[i] == key) {
      m->vals[i] = val;
      return;
    }
  }
}

void
ta_map_del(ta_map *m, uint64_t key)
{
  if (m->count == 0)
    return;
  uint32_t mask = m->cap - 1;
  uint32_t i = ta_map_hash(key, m->cap);
  for (;; i = (i + 1) & mask) {
    if (m->vals[i] == TA_MAP_ABSENT)
      return;
    if (m->keys[i] == key)
      break;
  }
  /* Backward-shift: pull later members of the probe run into the hole. */
  uint32_t hole = i;
  for (uint32_t j = (hole + 1) & mask; m->vals[j] != TA_MAP_ABSENT; j = (j + 1) & mask) {
    uint32_t home = ta_map_hash(m->keys[j], m->cap);
    bool movable = (hole <= j) ? (home <= hole || home > j) : (home <= hole && home > j);
    if (movable) {
      m->keys[hole] = m->keys[j];
      m->vals[hole] = m->vals[j];
      hole = j;
    }
  }
  m->vals[hole] = TA_MAP_ABSENT;
  m->count--;
}

void
ta_map_clear(ta_map *m)
{
  if (m->count)
    memset(m->vals, 0xff, (size_t)m->cap * sizeof(uint32_t));
  m->count = 0;
}

void
ta_map_free(ta_map *m)
{
  free(m->keys);
  free(m->vals);
  memset(m, 0, sizeof *m);
}

/* ---- arena ---- */

struct ta_arena_chunk {
  ta_arena_chunk *next;
  size_t cap, used;
  uint8_t data[];
};

#define ARENA_CHUNK (1u << 20)

void *
ta_arena_alloc(ta_arena *a, size_t n)
{
  n = (n + 7) & ~(size_t)7;
  ta_arena_chunk *c = a->head;
  if (!c || c->cap - c->used < n) {
    if (a->spare && a->spare->cap >= n) {
      c = a->spare;
      a->spare = c->next;
    } else {
      size_t cap = n > ARENA_CHUNK ? n : ARENA_CHUNK;
      c = ta_xmalloc(sizeof *c + cap);
      c->cap = cap;
    }
    c->used = 0;
    c->next = a->head;
    a->head = c;
  }
  void *p = c->data + c->used;
  c->used += n;
  a->used += n;
  return p;
}

void
ta_arena_reset(ta_arena *a)
{
  while (a->head) {
    ta_arena_chunk *c = a->head;
    a->head = c->next;
    c->next = a->spare;
    a->spare = c;
  }
  a->used = 0;
}

void
ta_arena_free(ta_arena *a)
{
  ta_arena_reset(a);
  while (a->spare) {
    ta_arena_chunk *c = a->spare;
    a->spare = c->next;
    free(c);
  }
}
