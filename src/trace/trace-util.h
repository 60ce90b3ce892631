/* trace-util.h: small containers shared by the decoder (hash map, vectors,
 * arena, uvarints, Go-compatible number conversions). Internal. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Allocation failure is not something a decoder can recover from. */
void *ta_xmalloc(size_t n);
void *ta_xcalloc(size_t n, size_t size);
void *ta_xrealloc(void *p, size_t n);

/* Grows a vector (ptr, len, cap) so one more element fits. */
#define TA_VEC_PUSH(ptr, len, cap)                                            \
  do {                                                                        \
    if ((len) == (cap)) {                                                     \
      (cap) = (cap) ? (cap) * 2 : 16;                                         \
      (ptr) = ta_xrealloc((ptr), (size_t)(cap) * sizeof(*(ptr)));             \
    }                                                                         \
  } while (0)

/* uint64 -> uint32 open-addressing hash map (linear probing, backward-shift
 * deletion). TA_MAP_ABSENT is never a stored value. */
#define TA_MAP_ABSENT UINT32_MAX
typedef struct {
  uint64_t *keys;
  uint32_t *vals;
  uint32_t cap;   /* power of two, 0 when empty */
  uint32_t count;
} ta_map;

void ta_map_clear(ta_map *m);
void ta_map_free(ta_map *m);
void ta_map_set(ta_map *m, uint64_t key, uint32_t val);
void ta_map_del(ta_map *m, uint64_t key);

static inline uint32_t
ta_map_hash(uint64_t key, uint32_t cap)
{
  key ^= key >> 29;
  key *= 0x9E3779B97F4A7C15ull;
  return (uint32_t)(key >> 32) & (cap - 1);
}

static inline uint32_t
ta_map_get(const ta_map *m, uint64_t key)
{
  if (m->count == 0)
    return TA_MAP_ABSENT;
  for (uint32_t i = ta_map_hash(key, m->cap);; i = (i + 1) & (m->cap - 1)) {
    if (m->vals[i] == TA_MAP_ABSENT)
      return TA_MAP_ABSENT;
    if (m->keys[i] == key)
      return m->vals[i];
  }
}

/* Bump allocator in 1 MiB chunks; reset keeps the chunks for reuse. */
typedef struct ta_arena_chunk ta_arena_chunk;
typedef struct {
  ta_arena_chunk *head;   /* chunk being filled */
  ta_arena_chunk *spare;  /* chunks kept after a reset */
  uint64_t used;          /* bytes handed out since the last reset */
} ta_arena;

void *ta_arena_alloc(ta_arena *a, size_t n);
void ta_arena_reset(ta_arena *a);
void ta_arena_free(ta_arena *a);

/* Decodes a uvarint as Go's binary.Uvarint: returns bytes used, 0 when the
 * buffer ends first, -1 on overflow (more than 10 bytes, or a 10th byte > 1).
 * Non-minimal encodings are accepted. */
static inline int
ta_uvarint(const uint8_t *p, size_t n, uint64_t *out)
{
  if (n > 0 && p[0] < 0x80) {
    *out = p[0];
    return 1;
  }
  uint64_t x = 0;
  unsigned s = 0;
  for (size_t i = 0; i < n; i++) {
    uint8_t b = p[i];
    if (i == 10)
      return -1;
    if (b < 0x80) {
      if (i == 9 && b > 1)
        return -1;
      *out = x | (uint64_t)b << s;
      return (int)i + 1;
    }
    x |= (uint64_t)(b & 0x7f) << s;
    s += 7;
  }
  return 0;
}

/* Go's float64 -> int64 conversion as amd64 performs it: out-of-range and
 * NaN give INT64_MIN. C leaves those undefined, so handle them first. */
static inline int64_t
ta_f64_to_i64(double d)
{
  if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0))
    return INT64_MIN;
  return (int64_t)d;
}

/* Go's Time(float64(ts) * nsPerUnit). */
static inline int64_t
ta_ticks_to_ns(uint64_t ticks, double ns_per_unit)
{
  return ta_f64_to_i64((double)ticks * ns_per_unit);
}

/* Two's-complement addition, as Go's int64 + int64. */
static inline int64_t
ta_add_wrap(int64_t a, int64_t b)
{
  return (int64_t)((uint64_t)a + (uint64_t)b);
}
