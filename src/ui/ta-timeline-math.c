/* ta-timeline-math.c: the pure arithmetic of the timeline (no GTK here).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ta-timeline-math"

#include "ta-timeline-math.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- time <-> pixel ---------------------------------------------------- */

double
ta_viewport_ns_per_px (const TaViewport *vp)
{
  double span = (double)(vp->end - vp->start);
  double w = vp->width > 1 ? vp->width : 1;
  return MAX (span / w, 1e-6);
}

double
ta_viewport_time_to_x (const TaViewport *vp, int64_t t)
{
  /* Subtract in integers first: absolute times reach 1e18 and would lose
   * their low digits in a double. */
  return (double)(t - vp->start) / ta_viewport_ns_per_px (vp);
}

int64_t
ta_viewport_x_to_time (const TaViewport *vp, double x)
{
  return vp->start + (int64_t)llround (x * ta_viewport_ns_per_px (vp));
}

void
ta_viewport_clamp (TaViewport *vp, int64_t lo, int64_t hi)
{
  int64_t span = vp->end - vp->start;

  if (hi <= lo)
    {
      vp->start = lo;
      vp->end = lo + MAX (span, 1);
      return;
    }
  if (span > hi - lo)
    span = hi - lo;
  if (span < 1)
    span = 1;
  if (vp->start < lo)
    vp->start = lo;
  if (vp->start + span > hi)
    vp->start = hi - span;
  vp->end = vp->start + span;
}

void
ta_viewport_zoom_at (TaViewport *vp, double anchor_x, double factor,
                     int64_t min_span, int64_t lo, int64_t hi)
{
  double w = vp->width > 1 ? vp->width : 1;
  double frac = CLAMP (anchor_x / w, 0.0, 1.0);
  int64_t span = vp->end - vp->start;
  int64_t anchor_t = vp->start + (int64_t)llround (frac * (double)span);
  double new_span_d;
  int64_t new_span;

  if (factor <= 0)
    return;
  new_span_d = (double)span / factor;
  if (min_span < 1)
    min_span = 1;
  if (new_span_d < (double)min_span)
    new_span_d = (double)min_span;
  if (hi > lo && new_span_d > (double)(hi - lo))
    new_span_d = (double)(hi - lo);
  new_span = (int64_t)llround (new_span_d);

  vp->start = anchor_t - (int64_t)llround (frac * (double)new_span);
  vp->end = vp->start + new_span;
  ta_viewport_clamp (vp, lo, hi);
}

void
ta_viewport_pan_px (TaViewport *vp, double dx, int64_t lo, int64_t hi)
{
  int64_t dt = (int64_t)llround (dx * ta_viewport_ns_per_px (vp));
  vp->start += dt;
  vp->end += dt;
  ta_viewport_clamp (vp, lo, hi);
}

/* ---- ruler ------------------------------------------------------------- */

#define NS_S   G_GINT64_CONSTANT (1000000000)
#define NS_MIN (60 * NS_S)
#define NS_H   (60 * NS_MIN)

int64_t
ta_tick_step (int64_t span_ns, double width, double min_px)
{
  static const int64_t big[] = {
    1 * NS_S, 2 * NS_S, 5 * NS_S, 10 * NS_S, 15 * NS_S, 30 * NS_S,
    1 * NS_MIN, 2 * NS_MIN, 5 * NS_MIN, 10 * NS_MIN, 15 * NS_MIN, 30 * NS_MIN,
    1 * NS_H, 2 * NS_H, 3 * NS_H, 6 * NS_H, 12 * NS_H, 24 * NS_H,
  };
  double ns_per_px, want;
  int64_t p;

  if (width < 1)
    width = 1;
  if (span_ns < 1)
    span_ns = 1;
  ns_per_px = (double)span_ns / width;
  want = ns_per_px * min_px;

  for (p = 1; p < NS_S; p *= 10)
    {
      if ((double)p >= want)
        return p;
      if ((double)(2 * p) >= want && 2 * p < NS_S)
        return 2 * p;
      if ((double)(5 * p) >= want && 5 * p < NS_S)
        return 5 * p;
    }
  for (guint i = 0; i < G_N_ELEMENTS (big); i++)
    if ((double)big[i] >= want)
      return big[i];
  /* Beyond a day: whole days. */
  return (int64_t)ceil (want / (double)(24 * NS_H)) * 24 * NS_H;
}

int64_t
ta_tick_first (int64_t t, int64_t origin, int64_t step)
{
  int64_t rel = t - origin;
  int64_t q;

  if (step <= 0)
    return t;
  q = rel / step;
  if (q * step < rel)
    q++;
  return origin + q * step;
}

/* Prints v / unit with up to `max_dec` decimals, trailing zeros removed. */
static void
append_scaled (GString *s, int64_t v, int64_t unit, int max_dec)
{
  int64_t whole = v / unit;
  int64_t frac = v % unit;
  char digits[32];
  int n = 0;

  g_string_append_printf (s, "%" G_GINT64_FORMAT, whole);
  if (frac == 0 || max_dec <= 0)
    return;
  /* Scale the fraction to max_dec digits (rounding down is fine for labels
   * because ticks are multiples of the step). */
  {
    int64_t u = unit;
    int d = 0;
    while (u > 1 && d < max_dec)
      {
        u /= 10;
        d++;
      }
    frac = frac / (u ? u : 1);
    n = g_snprintf (digits, sizeof digits, "%0*" G_GINT64_FORMAT, d, frac);
  }
  while (n > 0 && digits[n - 1] == '0')
    digits[--n] = '\0';
  if (n > 0)
    g_string_append_printf (s, ".%s", digits);
}

/* Decimals needed to write multiples of `step` exactly in `unit`. */
static int
decimals_for (int64_t step, int64_t unit)
{
  int d = 0, tz = 0;
  int64_t u = unit, s = step;

  while (u > 1)
    {
      u /= 10;
      d++;
    }
  while (s > 0 && s % 10 == 0 && tz < d)
    {
      s /= 10;
      tz++;
    }
  return MAX (d - tz, 0);
}

char *
ta_format_duration (int64_t ns)
{
  GString *s = g_string_new (NULL);
  int64_t a;

  if (ns < 0)
    {
      g_string_append_c (s, '-');
      a = ns == G_MININT64 ? G_MAXINT64 : -ns;
    }
  else
    a = ns;

  if (a < 1000)
    g_string_append_printf (s, "%" G_GINT64_FORMAT " ns", a);
  else if (a < 1000000)
    {
      append_scaled (s, a, 1000, 3 - (a >= 100000) - (a >= 10000) + 1);
      g_string_append (s, " µs");
    }
  else if (a < NS_S)
    {
      append_scaled (s, a, 1000000, 3);
      g_string_append (s, " ms");
    }
  else if (a < NS_MIN)
    {
      append_scaled (s, a, NS_S, 3);
      g_string_append (s, " s");
    }
  else if (a < NS_H)
    {
      int64_t sec = (a % NS_MIN) / NS_S;
      g_string_append_printf (s, "%" G_GINT64_FORMAT " min", a / NS_MIN);
      if (sec)
        g_string_append_printf (s, " %" G_GINT64_FORMAT " s", sec);
    }
  else
    {
      int64_t min = (a % NS_H) / NS_MIN;
      g_string_append_printf (s, "%" G_GINT64_FORMAT " h", a / NS_H);
      if (min)
        g_string_append_printf (s, " %" G_GINT64_FORMAT " min", min);
    }
  return g_string_free (s, FALSE);
}

/* Picks the unit for labels of ticks `step` apart and how many decimals it
 * needs so neighbours differ. */
static void
tick_unit (int64_t step, int64_t mag, int64_t *unit, const char **name)
{
  int64_t ref = MAX (step, mag);
  if (ref < 1000)
    *unit = 1, *name = "ns";
  else if (ref < 1000000)
    *unit = 1000, *name = "µs";
  else if (ref < NS_S)
    *unit = 1000000, *name = "ms";
  else
    *unit = NS_S, *name = "s";
}

char *
ta_format_tick_label (int64_t rel, int64_t step)
{
  GString *s = g_string_new (NULL);
  int64_t a = rel < 0 ? -rel : rel;
  int64_t unit;
  const char *name;

  if (rel < 0)
    g_string_append_c (s, '-');
  if ((step >= NS_S && a >= NS_MIN) || a >= 10 * NS_MIN)
    {
      /* Minutes and up read better as m:ss. */
      int64_t h = a / NS_H, m = (a % NS_H) / NS_MIN, sec = (a % NS_MIN) / NS_S;
      int64_t sub = a % NS_S;
      if (h)
        g_string_append_printf (s, "%" G_GINT64_FORMAT ":%02" G_GINT64_FORMAT ":%02" G_GINT64_FORMAT,
                                h, m, sec);
      else
        g_string_append_printf (s, "%" G_GINT64_FORMAT ":%02" G_GINT64_FORMAT, m, sec);
      if (step < NS_S && sub)
        {
          GString *f = g_string_new (NULL);
          append_scaled (f, sub, NS_S, decimals_for (step, NS_S));
          /* f is "0.xxx": keep ".xxx" */
          g_string_append (s, f->str + 1);
          g_string_free (f, TRUE);
        }
      return g_string_free (s, FALSE);
    }
  tick_unit (step, a, &unit, &name);
  if (unit == 1)
    g_string_append_printf (s, "%" G_GINT64_FORMAT, a);
  else
    append_scaled (s, a, unit, decimals_for (step, unit));
  g_string_append_printf (s, " %s", name);
  return g_string_free (s, FALSE);
}

char *
ta_format_tick_delta (int64_t delta, int64_t step)
{
  g_autofree char *d = NULL;
  int64_t unit;
  const char *name;
  GString *s = g_string_new (delta < 0 ? "−" : "+");
  int64_t a = delta < 0 ? -delta : delta;

  if (step >= NS_MIN)
    {
      d = ta_format_duration (a);
      g_string_append (s, d);
      return g_string_free (s, FALSE);
    }
  tick_unit (step, a, &unit, &name);
  if (unit == 1)
    g_string_append_printf (s, "%" G_GINT64_FORMAT, a);
  else
    append_scaled (s, a, unit, decimals_for (step, unit));
  g_string_append_printf (s, " %s", name);
  return g_string_free (s, FALSE);
}

/* ---- hit testing ------------------------------------------------------- */

int
ta_hit_row (const double *tops, const double *heights, guint n_rows, double y)
{
  guint lo = 0, hi = n_rows;

  /* Last row whose top is <= y. */
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      if (tops[mid] <= y)
        lo = mid + 1;
      else
        hi = mid;
    }
  if (lo == 0)
    return -1;
  lo--;
  if (y < tops[lo] + heights[lo])
    return (int)lo;
  return -1;
}

guint
ta_first_span_ending_after (const int64_t *ends, guint n, int64_t t)
{
  guint lo = 0, hi = n;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      if (ends[mid] <= t)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

int
ta_hit_span (const int64_t *starts, const int64_t *ends, guint n, int64_t t,
             int64_t slop_ns)
{
  guint i;
  int best = -1;
  int64_t best_dist = G_MAXINT64;

  if (n == 0)
    return -1;
  if (slop_ns < 0)
    slop_ns = 0;
  /* Candidates are the spans ending after t - slop; look at the few around
   * t and keep the closest (an exact hit has distance 0). */
  i = ta_first_span_ending_after (ends, n, t - slop_ns - 1);
  for (; i < n && starts[i] <= t + slop_ns; i++)
    {
      int64_t dist;
      if (t >= starts[i] && t < ends[i])
        return (int)i;
      dist = t < starts[i] ? starts[i] - t : t - ends[i] + 1;
      if (dist <= slop_ns && dist < best_dist)
        {
          best = (int)i;
          best_dist = dist;
        }
    }
  return best;
}

int64_t
ta_column_first_offset (double ns_per_px, guint col)
{
  int64_t x = (int64_t)ceil (col * ns_per_px);

  /* ceil is off by one either way when the product rounds: the division
   * decides. It only grows with x. */
  while (x > 0 && (double)(x - 1) / ns_per_px >= col)
    x--;
  while ((double)x / ns_per_px < col)
    x++;
  return x;
}

/* ---- colours ----------------------------------------------------------- */

/* The mix once the weighted sums are in: shared by ta_color_mix and the
 * mixer so that both give the very same colour. */
static gboolean
color_mix_finish (double total, double r, double g, double b, double a, int64_t bucket_ns,
                  float min_alpha, TaColor *out)
{
  if (total <= 0 || a <= 0)
    {
      *out = (TaColor){ 0, 0, 0, 0 };
      return FALSE;
    }
  out->r = (float)(r / a);
  out->g = (float)(g / a);
  out->b = (float)(b / a);
  {
    double cov = bucket_ns > 0 ? MIN (total / (double)bucket_ns, 1.0) : 1.0;
    double alpha = (a / total) * cov;
    out->a = (float)MAX (alpha, (double)min_alpha);
  }
  return TRUE;
}

gboolean
ta_color_mix (const int64_t *coverage, const TaColor *colors, guint n,
              int64_t bucket_ns, float min_alpha, TaColor *out)
{
  double total = 0, r = 0, g = 0, b = 0, a = 0;

  for (guint i = 0; i < n; i++)
    {
      double w = (double)MAX (coverage[i], 0);
      if (w <= 0)
        continue;
      total += w;
      /* Mix premultiplied so a translucent state weighs by its opacity.
       * (A float times a float is exact in a double: the mixer's
       * precomputed products give the same sums.) */
      r += w * ((double)colors[i].r * colors[i].a);
      g += w * ((double)colors[i].g * colors[i].a);
      b += w * ((double)colors[i].b * colors[i].a);
      a += w * colors[i].a;
    }
  return color_mix_finish (total, r, g, b, a, bucket_ns, min_alpha, out);
}

void
ta_color_mixer_init (TaColorMixer *m, const TaColor *colors, guint n, float min_alpha)
{
  g_return_if_fail (n <= TA_MIX_MAX_COLORS);
  m->n = n;
  m->min_alpha = min_alpha;
  for (guint i = 0; i < n; i++)
    {
      m->premul[i][0] = (double)colors[i].r * colors[i].a;
      m->premul[i][1] = (double)colors[i].g * colors[i].a;
      m->premul[i][2] = (double)colors[i].b * colors[i].a;
      m->premul[i][3] = colors[i].a;
    }
}

gboolean
ta_color_mixer_mix (const TaColorMixer *m, const int64_t *coverage, int64_t bucket_ns, TaColor *out)
{
  guint32 present = 0;

  /* A column mostly holds one to three states of some thirty: find them
   * without a branch per state, then visit only those. */
  for (guint i = 0; i < m->n; i++)
    present |= (guint32)(coverage[i] > 0) << i;
  return ta_color_mixer_mix_states (m, coverage, present, bucket_ns, out);
}

gboolean
ta_color_mixer_mix_states (const TaColorMixer *m, const int64_t *coverage, uint32_t states, int64_t bucket_ns,
                           TaColor *out)
{
  double total = 0, r = 0, g = 0, b = 0, a = 0;

  if (m->n < 32)
    states &= (UINT32_C (1) << m->n) - 1;
  for (; states; states &= states - 1)
    {
      guint i = (guint)__builtin_ctz (states);
      double w;
      if (coverage[i] <= 0)
        continue;
      w = (double)coverage[i];
      total += w;
      r += w * m->premul[i][0];
      g += w * m->premul[i][1];
      b += w * m->premul[i][2];
      a += w * m->premul[i][3];
    }
  return color_mix_finish (total, r, g, b, a, bucket_ns, m->min_alpha, out);
}

/* floor(a / b) and ceil(a / b) for b > 0 and any sign of a. */
static int64_t
div_floor (int64_t a, int64_t b)
{
  int64_t q = a / b;
  return (a % b != 0 && a < 0) ? q - 1 : q;
}

static int64_t
div_ceil (int64_t a, int64_t b)
{
  int64_t q = a / b;
  return (a % b != 0 && a > 0) ? q + 1 : q;
}

/* First time whose column (floor((t - t0) * n / (t1 - t0)), as the model
 * computes it) is at least `col`. */
static int64_t
column_boundary (int64_t t0, int64_t t1, guint n, guint col)
{
  __int128 x = (__int128)(t1 - t0) * col;
  int64_t off = (int64_t)(x / n + (x % n != 0));
  return t0 + off;
}

void
ta_column_steps_init (TaColumnSteps *s, int64_t t0, int64_t t1, guint n_cols, guint first)
{
  __int128 x = (__int128)(t1 - t0) * first;
  s->n = MAX (n_cols, 1);
  s->q = (t1 - t0) / s->n;
  s->r = (t1 - t0) % s->n;
  s->f = (int64_t)(x / s->n);
  s->rem = (int64_t)(x % s->n);
}

gboolean
ta_column_bucket_range (int64_t origin, int64_t bucket_w, int64_t t0, int64_t t1, guint n_cols,
                        guint col, int64_t *start, int64_t *end)
{
  int64_t b0, b1;

  if (bucket_w <= 0 || n_cols == 0 || col >= n_cols || t1 <= t0)
    return FALSE;
  /* Buckets from b0 (inclusive) to b1 (exclusive) start in the column. */
  if (col == 0)
    b0 = div_floor (t0 - origin, bucket_w);
  else
    b0 = div_ceil (column_boundary (t0, t1, n_cols, col) - origin, bucket_w);
  if (col + 1 == n_cols)
    b1 = div_ceil (t1 - origin, bucket_w);
  else
    b1 = div_ceil (column_boundary (t0, t1, n_cols, col + 1) - origin, bucket_w);
  if (b1 <= b0)
    return FALSE;
  *start = origin + b0 * bucket_w;
  *end = origin + b1 * bucket_w;
  return TRUE;
}

static int
hexval (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

gboolean
ta_color_parse (const char *text, TaColor *out)
{
  size_t len;
  int v[8];

  if (!text || text[0] != '#')
    return FALSE;
  text++;
  len = strlen (text);
  if (len != 3 && len != 4 && len != 6 && len != 8)
    return FALSE;
  for (size_t i = 0; i < len; i++)
    if ((v[i] = hexval (text[i])) < 0)
      return FALSE;
  if (len <= 4)
    {
      out->r = (float)(v[0] * 17) / 255.f;
      out->g = (float)(v[1] * 17) / 255.f;
      out->b = (float)(v[2] * 17) / 255.f;
      out->a = len == 4 ? (float)(v[3] * 17) / 255.f : 1.f;
    }
  else
    {
      out->r = (float)(v[0] * 16 + v[1]) / 255.f;
      out->g = (float)(v[2] * 16 + v[3]) / 255.f;
      out->b = (float)(v[4] * 16 + v[5]) / 255.f;
      out->a = len == 8 ? (float)(v[6] * 16 + v[7]) / 255.f : 1.f;
    }
  return TRUE;
}

G_DEFINE_QUARK (ta-palette-error-quark, ta_palette_error)

struct _TaPalette {
  GHashTable *colors; /* char* -> TaColor* */
};

TaPalette *
ta_palette_parse (const char *text, GError **error)
{
  g_autoptr (TaPalette) pal = g_new0 (TaPalette, 1);
  g_auto (GStrv) lines = NULL;

  pal->colors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  lines = g_strsplit (text ? text : "", "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      char *line = g_strstrip (lines[i]);
      char *eq;
      TaColor c;
      g_autofree char *name = NULL;

      if (*line == '\0' || *line == '#' || *line == ';')
        continue;
      eq = strchr (line, '=');
      if (!eq)
        eq = strchr (line, ':');
      if (!eq)
        {
          g_set_error (error, TA_PALETTE_ERROR, 0,
                       "palette line %u: expected “name = #rrggbb”", i + 1);
          return NULL;
        }
      *eq = '\0';
      name = g_strdup (g_strstrip (line));
      if (*name == '\0' || !ta_color_parse (g_strstrip (eq + 1), &c))
        {
          g_set_error (error, TA_PALETTE_ERROR, 0,
                       "palette line %u: bad colour “%s”", i + 1, g_strstrip (eq + 1));
          return NULL;
        }
      g_hash_table_replace (pal->colors, g_steal_pointer (&name), g_memdup2 (&c, sizeof c));
    }
  return g_steal_pointer (&pal);
}

void
ta_palette_free (TaPalette *palette)
{
  if (!palette)
    return;
  g_clear_pointer (&palette->colors, g_hash_table_unref);
  g_free (palette);
}

gboolean
ta_palette_lookup (const TaPalette *palette, const char *name, TaColor *out)
{
  const TaColor *c = g_hash_table_lookup (palette->colors, name);
  if (!c)
    return FALSE;
  *out = *c;
  return TRUE;
}

guint
ta_palette_size (const TaPalette *palette)
{
  return g_hash_table_size (palette->colors);
}

/* ---- jump palette ------------------------------------------------------ */

gboolean
ta_parse_duration (const char *text, int64_t *out_ns)
{
  static const struct { const char *suffix; double mult; } units[] = {
    { "ns", 1 }, { "us", 1e3 }, { "µs", 1e3 }, { "ms", 1e6 },
    { "s", 1e9 }, { "min", 60e9 }, { "m", 60e9 }, { "h", 3600e9 },
  };
  const char *p;
  char *end = NULL;
  double v;

  if (!text)
    return FALSE;
  while (g_ascii_isspace (*text))
    text++;
  v = g_ascii_strtod (text, &end);
  if (end == text || v < 0 || !isfinite (v))
    return FALSE;
  p = end;
  while (g_ascii_isspace (*p))
    p++;
  if (*p == '\0')
    {
      *out_ns = (int64_t)llround (v);
      return TRUE;
    }
  for (guint i = 0; i < G_N_ELEMENTS (units); i++)
    {
      size_t l = strlen (units[i].suffix);
      if (strncmp (p, units[i].suffix, l) == 0)
        {
          const char *rest = p + l;
          while (g_ascii_isspace (*rest))
            rest++;
          if (*rest)
            continue;
          *out_ns = (int64_t)llround (v * units[i].mult);
          return TRUE;
        }
    }
  return FALSE;
}

static gboolean
parse_id (const char *s, int64_t *out)
{
  char *end = NULL;
  guint64 v;
  if (!g_ascii_isdigit (*s))
    return FALSE;
  v = g_ascii_strtoull (s, &end, 10);
  while (end && g_ascii_isspace (*end))
    end++;
  if (!end || *end || v > G_MAXINT64)
    return FALSE;
  *out = (int64_t)v;
  return TRUE;
}

void
ta_jump_parse (const char *input, TaJumpQuery *out)
{
  g_autofree char *t = g_strstrip (g_strdup (input ? input : ""));
  char c0 = g_ascii_tolower (t[0]);

  memset (out, 0, sizeof *out);
  if (t[0] == '\0')
    return;
  if ((c0 == 'g' || c0 == 'p' || c0 == 'm') && parse_id (t + 1, &out->id))
    {
      out->kind = c0 == 'g' ? TA_JUMP_GOROUTINE : c0 == 'p' ? TA_JUMP_PROC : TA_JUMP_THREAD;
      return;
    }
  if (t[0] == '@' && ta_parse_duration (t + 1, &out->id))
    {
      out->kind = TA_JUMP_TIME;
      return;
    }
  out->kind = TA_JUMP_FUNCTION;
  out->text = g_steal_pointer (&t);
}

void
ta_jump_query_clear (TaJumpQuery *q)
{
  g_clear_pointer (&q->text, g_free);
  q->kind = TA_JUMP_NONE;
}

/* ---- navigation history ------------------------------------------------ */

struct _TaHistory {
  GArray *back;     /* TaRange, oldest first */
  GArray *forward;  /* TaRange, nearest last */
  guint capacity;
};

TaHistory *
ta_history_new (guint capacity)
{
  TaHistory *h = g_new0 (TaHistory, 1);
  h->back = g_array_new (FALSE, FALSE, sizeof (TaRange));
  h->forward = g_array_new (FALSE, FALSE, sizeof (TaRange));
  h->capacity = MAX (capacity, 1);
  return h;
}

void
ta_history_free (TaHistory *h)
{
  if (!h)
    return;
  g_array_unref (h->back);
  g_array_unref (h->forward);
  g_free (h);
}

static gboolean
range_eq (TaRange a, TaRange b)
{
  return a.start == b.start && a.end == b.end;
}

void
ta_history_push (TaHistory *h, TaRange current)
{
  g_array_set_size (h->forward, 0);
  if (h->back->len && range_eq (g_array_index (h->back, TaRange, h->back->len - 1), current))
    return;
  g_array_append_val (h->back, current);
  if (h->back->len > h->capacity)
    g_array_remove_index (h->back, 0);
}

gboolean
ta_history_can_back (const TaHistory *h)
{
  return h->back->len > 0;
}

gboolean
ta_history_can_forward (const TaHistory *h)
{
  return h->forward->len > 0;
}

gboolean
ta_history_back (TaHistory *h, TaRange current, TaRange *out)
{
  if (!h->back->len)
    return FALSE;
  *out = g_array_index (h->back, TaRange, h->back->len - 1);
  g_array_set_size (h->back, h->back->len - 1);
  g_array_append_val (h->forward, current);
  return TRUE;
}

gboolean
ta_history_forward (TaHistory *h, TaRange current, TaRange *out)
{
  if (!h->forward->len)
    return FALSE;
  *out = g_array_index (h->forward, TaRange, h->forward->len - 1);
  g_array_set_size (h->forward, h->forward->len - 1);
  g_array_append_val (h->back, current);
  return TRUE;
}

/* ---- statistics -------------------------------------------------------- */

static int
cmp_i64 (const void *a, const void *b)
{
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

static int64_t
nearest_rank (const int64_t *sorted, guint n, double pct)
{
  double r = ceil (pct / 100.0 * (double)n);
  guint idx = r < 1 ? 0 : (guint)r - 1;
  if (idx >= n)
    idx = n - 1;
  return sorted[idx];
}

void
ta_duration_stats (int64_t *values, guint n, TaDurationStats *out)
{
  memset (out, 0, sizeof *out);
  if (n == 0)
    return;
  qsort (values, n, sizeof *values, cmp_i64);
  out->count = n;
  out->min = values[0];
  out->max = values[n - 1];
  for (guint i = 0; i < n; i++)
    out->total += values[i];
  out->mean = (double)out->total / (double)n;
  out->p50 = nearest_rank (values, n, 50);
  out->p99 = nearest_rank (values, n, 99);
}
