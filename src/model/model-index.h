/* model-index.h: the indexing pass and generation decoding. */
#pragma once

#include "model-store.h"

G_BEGIN_DECLS

typedef struct {
  guint n_threads;           /* generation workers; 1: one sequential stream */
  gboolean resident;         /* keep internal spans of every track */
  GCancellable *cancellable;
  gboolean background;       /* see TaModelOptions.index_in_background */
  /* Called on the indexing thread after each merged generation (and once at
   * the end with final = TRUE); the snapshot reference is the callee's. */
  void (*publish)(gpointer ud, TaSnapshot *snap, gboolean final);
  gpointer ud;
  /* Timings (filled): seconds from start to the first publish, and total. */
  double first_publish_s, total_s;
} ta_index_opts;

/* Indexes the whole file into `s` (blocking). FALSE when it stopped at an
 * error (kept in s->error; what was good before stays merged). */
gboolean ta_index_run(ta_store *s, ta_index_opts *opts);
/* Lowers the calling thread's priority (TaModelOptions.index_in_background). */
void ta_index_run_in_background(void);
/* In a thread indexing for the viewer (one that ta_index_run_in_background()
 * lowered, or generation 0's worker): waits while the viewer makes a frame
 * (ta_model_frame_begin), 25 ms at most. Elsewhere it returns at once. */
void ta_index_yield_to_frames(void);

/* Generation extents by walking batch headers (plain files only). */
typedef struct ta_scanner ta_scanner;
ta_scanner *ta_scanner_open(const char *path, GError **error);
int ta_scanner_format(ta_scanner *sc);
/* 1: next generation's [start, end) filled; 0: end of file; -1: broken. */
int ta_scanner_next(ta_scanner *sc, gint64 *start, gint64 *end);
void ta_scanner_free(ta_scanner *sc);

/* Decodes one generation (a byte range of a plain file) through a genproc. */
gp_out *ta_decode_generation(const char *path, int format, gint64 start, gint64 end,
                             gint64 prev_start, const gp_config *cfg, GCancellable *cancellable,
                             GError **error);
/* The same for any file, by reading it from the start (compressed traces). */
gp_out *ta_decode_generation_seq(const char *path, guint gen_index, const gp_config *cfg,
                                 GCancellable *cancellable, GError **error);

G_END_DECLS
