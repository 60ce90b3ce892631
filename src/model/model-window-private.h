/* model-window-private.h: window requests and the window cache. */
#pragma once

#include "model-index.h"

G_BEGIN_DECLS

typedef struct {
  GMutex lock;
  GHashTable *map;
  GQueue lru;
  guint64 bytes, budget;
  guint64 hits, misses, evictions;
} ta_wcache;

ta_wcache *ta_wcache_new(guint64 budget);
void ta_wcache_free(ta_wcache *c);
guint64 ta_wcache_size(ta_wcache *c);

typedef struct {
  TaSnapshot *snap;
  TaTrackKey *keys;
  guint n;
  gint64 t0, t1;
  ta_wcache *cache;
  guint decoded_generations;
} ta_wreq;

TaWindow *ta_wreq_run(ta_wreq *rq, GCancellable *cancellable, GError **error);

G_END_DECLS
