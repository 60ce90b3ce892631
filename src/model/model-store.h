/* model-store.h: the global model of one document (built by the merge,
 * read through snapshots). */
#pragma once

#include "model-genproc.h"

G_BEGIN_DECLS

/* Goroutine table columns. */
enum {
  GC_ID, GC_PARENT, GC_CREATED, GC_END, GC_CSTACK, GC_SSTACK, GC_FUNC, GC_FLAGS, GC_BLOB,
  GC_N
};
/* Region table columns. */
enum { RC_G, RC_TASK, RC_TYPE, RC_BEGIN, RC_END, RC_DEPTH, RC_STACK, RC_N };
/* Task table columns. */
enum { KC_ID, KC_PARENT, KC_TYPE, KC_BEGIN, KC_END, KC_BEGIN_G, KC_END_G, KC_NG, KC_LANE, KC_N };
/* Log table columns. */
enum { LC_TIME, LC_G, LC_TASK, LC_CAT, LC_MSG, LC_STACK, LC_N };
/* CPU sample columns. */
enum { SC_TIME, SC_G, SC_P, SC_M, SC_STACK, SC_N };
/* GC cycles, STW, metric samples. */
enum { CC_SEQ, CC_BEGIN, CC_END, CC_N };
enum { WC_BEGIN, WC_END, WC_REASON, WC_GC, WC_N };
enum { VC_TIME, VC_VALUE, VC_N };

typedef struct {
  guint64 number;
  gint64 start_offset, end_offset;
  gint64 sync_time, last_time;
  guint64 n_events;
  gint64 floor;      /* the previous generation's last event time (G_MININT64: none) */
  gint64 last_event; /* its own last event (not a closing Sync) */
} mg_gen;

typedef struct {
  guint64 row;       /* in the region table */
  gint64 begin;
  guint32 depth;
  TaStringId type;
  guint64 task;
  TaStackId stack;
} mg_open_region;

typedef struct {
  TaTrackKey key;
  ms_track *sum;
  gboolean open;
  TaSpan span;        /* the open span (end unused) */
  guint64 jkey;
  guint8 go_state;
  ms_pub *pub;        /* last published */
  gboolean changed;   /* open span changed since the last publish */
  /* goroutines */
  guint64 row;
  gint64 gv[GC_N];
  GArray *rstack;     /* mg_open_region */
  guint32 max_depth;  /* region depths used + 1 */
} mg_track;

typedef struct {
  guint64 row;
  guint32 lane;
  gint64 begin;
  GArray *gs;         /* goroutines involved */
  TaStringId type;
} mg_task;

typedef struct ta_store ta_store;

struct ta_store {
  gint ref;
  char *path;
  int format;
  gboolean plain;            /* windows can re-read byte ranges */
  guint shift;
  gint64 origin;
  gboolean have_shift;
  gboolean resident;
  ms_table *strtab;

  mc_table *gtab;
  mu_stream blobs;
  GHashTable *live;          /* TaTrackKey* -> mg_track* */
  GHashTable *ended;         /* TaTrackKey* (owned) -> ms_pub* of finished big tracks */
  gboolean ended_changed;
  GHashTable *region_gs;     /* goid -> guint32 depths (regions ever seen), for the track list */

  GMutex span_lock;          /* long_spans, resident_spans, overview spans */
  GHashTable *long_spans;    /* TaTrackKey* (owned) -> GArray of TaSpan */
  GHashTable *resident_spans;

  mc_table *regions, *tasks, *logs, *cpu, *gcs, *stws, *msamples[3];
  mm_track *metrics[TA_N_METRICS];
  GArray *procs, *threads;   /* TaProcInfo / TaThreadInfo, sorted by id */
  GArray *gens;              /* mg_gen */
  GArray *ov_spans[3];       /* GC, STW, SWEEP spans */
  guint n_lanes;

  /* merge-only state */
  GHashTable *open_tasks;    /* guint64* -> mg_task* */
  GArray *lane_busy;         /* gboolean */
  gint64 gc_open_begin, gc_open_seq;
  gint64 stw_open_begin;
  TaStringId stw_open_reason;
  TaStackId stw_open_stack;
  gint64 stw_open_g;
  GHashTable *sweeping;      /* proc -> 1 */
  GHashTable *rcarry;        /* goid -> GArray of mg_open_region (open regions) */
  gint64 sweep_begin;
  gint64 totals[TA_N_STATES];/* all goroutines, closed spans */
  gint64 counts_last[GP_N_COUNTS];

  gint64 first_time, frontier;
  guint64 n_events, bytes_indexed, bytes_total;
  guint n_redecoded;         /* generations decoded again because Go's clamp moved their times */
  GError *error;
  gboolean complete;
  GList *retired;            /* tables replaced while snapshots may view them */
};

#define TA_FINE_SHIFT 10     /* the provisional level-0 shift of the first generation */

ta_store *ta_store_new(const char *path);
ta_store *ta_store_ref(ta_store *s);
void ta_store_unref(ta_store *s);
/* Decides the level-0 width (from the first generation's spans). */
void ta_store_set_shift(ta_store *s, guint shift, gint64 origin);
guint ta_store_choose_shift(const gp_out *first, guint64 gen_bytes);
/* Merges a generation (in order). */
void ta_store_merge(ta_store *s, gp_out *out, const mg_gen *info);
/* Ends the trace: closes everything still open at the frontier. */
void ta_store_finish(ta_store *s);
gsize ta_store_memory(ta_store *s);
/* For tests: generations the parallel index decoded a second time (their
 * first event was not after the previous generation's last). */
guint ta_document_get_n_redecoded(TaDocument *doc);
/* For tests: when set, a parallel index never finds the previous
 * generation's end known when it starts a generation, so that every
 * generation takes the optimistic path (see model-index.c). */
extern gboolean ta_index_test_floor_late;
/* Tests: every first generation gets a preview, whatever its size. */
extern gboolean ta_index_test_preview_always;
/* For tests: check every summary blob made without building the goroutine's
 * pyramid against the one built through it (model-merge.c). */
extern gboolean ta_merge_test_check_blobs;
void ta_store_dump_memory(ta_store *s);

struct _TaSnapshot {
  gint ref;
  ta_store *store;
  mc_view *gtab, *regions, *tasks, *logs, *cpu, *gcs, *stws, *msamples[3];
  mm_state mstate[TA_N_METRICS];
  GHashTable *pubs;          /* TaTrackKey* -> ms_pub* (live and ended) */
  mu_extent blob_ext;
  GArray *procs, *threads, *gens;
  GArray *region_rows;       /* sn_region_g, sorted by goroutine row */
  guint64 n_region_tracks;
  guint n_lanes;
  gint64 start, end;
  guint64 n_events, bytes_indexed;
  gint64 totals[TA_N_STATES];
  gboolean complete;
  GError *error;
  guint n_levels;
  gsize memory;
};

typedef struct {
  guint64 row;
  gint64 goid;
  guint32 n;                 /* region depths */
  guint64 before;            /* region tracks before this goroutine's */
} sn_region_g;

TaSnapshot *ta_snapshot_new_from_store(ta_store *s);
/* A summary source for a track key. */
gboolean ta_snapshot_source(const TaSnapshot *snap, const TaTrackKey *key, ms_source *src);

/* Spans of a track from the long-span table and the overview/task/region
 * tables, overlapping [t0, t1) (appended to `out`). */
void ta_store_long_spans(ta_store *s, const TaSnapshot *snap, const TaTrackKey *key, gint64 t0,
                         gint64 t1, GArray *out);
/* The open span of a live track in a snapshot (FALSE if none). */
gboolean ta_snapshot_open_span(const TaSnapshot *snap, const TaTrackKey *key, TaSpan *out);

/* Cache (model-cache.c). */
char *ta_cache_path(const char *trace_path, const char *cache_dir);
gboolean ta_cache_save(ta_store *s, const char *cache_file, GError **error);
/* Called once the overview part is read (the store is usable, its tables
 * still empty); the rest follows. */
typedef void (*ta_cache_part_fn)(gpointer ud, ta_store *s);
ta_store *ta_cache_load(const char *trace_path, const char *cache_file, ta_cache_part_fn part_done,
                        gpointer ud, GError **error);

G_END_DECLS
