/* test-timeline-math.c: unit tests of the timeline's pure logic (no display).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "ta-timeline-math.h"
#include "ta-timeline-raster.h"

#include <math.h>
#include <string.h>

#define NS_S G_GINT64_CONSTANT (1000000000)

static void
test_time_pixel_roundtrip (void)
{
  /* Absolute times near 1e18 must not lose precision. */
  TaViewport vp = { G_GINT64_CONSTANT (1700000000000000000), G_GINT64_CONSTANT (1700000000000001000), 1000 };

  g_assert_cmpfloat_with_epsilon (ta_viewport_time_to_x (&vp, vp.start), 0, 1e-9);
  g_assert_cmpfloat_with_epsilon (ta_viewport_time_to_x (&vp, vp.start + 500), 500, 1e-9);
  g_assert_cmpfloat_with_epsilon (ta_viewport_time_to_x (&vp, vp.end), 1000, 1e-9);
  g_assert_cmpint (ta_viewport_x_to_time (&vp, 250), ==, vp.start + 250);
  g_assert_cmpfloat_with_epsilon (ta_viewport_ns_per_px (&vp), 1.0, 1e-12);

  for (int x = 0; x <= 1000; x += 37)
    g_assert_cmpfloat_with_epsilon (ta_viewport_time_to_x (&vp, ta_viewport_x_to_time (&vp, x)), x, 1e-9);

  /* Before the start maps to negative pixels. */
  g_assert_cmpfloat (ta_viewport_time_to_x (&vp, vp.start - 10), <, 0);
}

static void
test_zoom_anchor (void)
{
  TaViewport vp = { 0, 1000000, 1000 };
  int64_t under;

  /* The time under the pointer stays under the pointer. */
  under = ta_viewport_x_to_time (&vp, 300);
  ta_viewport_zoom_at (&vp, 300, 2.0, 1, 0, 1000000);
  g_assert_cmpint (vp.end - vp.start, ==, 500000);
  g_assert_cmpint (llabs (ta_viewport_x_to_time (&vp, 300) - under), <=, 1);

  under = ta_viewport_x_to_time (&vp, 999);
  ta_viewport_zoom_at (&vp, 999, 10.0, 1, 0, 1000000);
  g_assert_cmpint (llabs (ta_viewport_x_to_time (&vp, 999) - under), <=, 1);

  /* Zooming in stops at the minimum span. */
  for (int i = 0; i < 100; i++)
    ta_viewport_zoom_at (&vp, 500, 4.0, 100, 0, 1000000);
  g_assert_cmpint (vp.end - vp.start, ==, 100);

  /* Zooming out stops at the extent and stays inside it. */
  for (int i = 0; i < 100; i++)
    ta_viewport_zoom_at (&vp, 10, 0.25, 100, 0, 1000000);
  g_assert_cmpint (vp.start, ==, 0);
  g_assert_cmpint (vp.end, ==, 1000000);
}

static void
test_pan_clamp (void)
{
  TaViewport vp = { 1000, 2000, 100 };

  ta_viewport_pan_px (&vp, 10, 0, 10000);  /* 10 px = 100 ns */
  g_assert_cmpint (vp.start, ==, 1100);
  g_assert_cmpint (vp.end, ==, 2100);
  ta_viewport_pan_px (&vp, -1000, 0, 10000);
  g_assert_cmpint (vp.start, ==, 0);
  g_assert_cmpint (vp.end, ==, 1000);
  ta_viewport_pan_px (&vp, 100000, 0, 10000);
  g_assert_cmpint (vp.start, ==, 9000);
  g_assert_cmpint (vp.end, ==, 10000);

  /* A view wider than the extent shrinks to it. */
  vp = (TaViewport){ -50, 50000, 100 };
  ta_viewport_clamp (&vp, 0, 10000);
  g_assert_cmpint (vp.start, ==, 0);
  g_assert_cmpint (vp.end, ==, 10000);
}

static void
test_tick_step (void)
{
  /* 1 µs over 1000 px, ticks >= 100 px apart: 100 ns. */
  g_assert_cmpint (ta_tick_step (1000, 1000, 100), ==, 100);
  /* 1 s over 1000 px at 80 px: 80 ms -> 100 ms. */
  g_assert_cmpint (ta_tick_step (NS_S, 1000, 80), ==, 100000000);
  /* 3 ms over 1000 px at 80 px: 240 µs -> 500 µs. */
  g_assert_cmpint (ta_tick_step (3000000, 1000, 80), ==, 500000);
  /* 1 ns span: 1 ns steps. */
  g_assert_cmpint (ta_tick_step (1, 1000, 80), ==, 1);
  /* 10 min over 1000 px at 80 px: 48 s -> 1 min. */
  g_assert_cmpint (ta_tick_step (600 * NS_S, 1000, 80), ==, 60 * NS_S);
  /* 100 s over 1000 px at 80 px: 8 s -> 10 s. */
  g_assert_cmpint (ta_tick_step (100 * NS_S, 1000, 80), ==, 10 * NS_S);
  /* 2 h over 1000 px at 80 px: 9.6 min -> 10 min. */
  g_assert_cmpint (ta_tick_step (7200 * NS_S, 1000, 80), ==, 10 * 60 * NS_S);

  /* Steps are monotonic in the span. */
  {
    int64_t prev = 0;
    for (int64_t span = 1; span < 100000 * NS_S; span = span * 3 / 2 + 1)
      {
        int64_t s = ta_tick_step (span, 1200, 90);
        g_assert_cmpint (s, >=, prev);
        g_assert_cmpfloat ((double)s / ((double)span / 1200.0), >=, 90 - 1e-6);
        prev = s;
      }
  }

  g_assert_cmpint (ta_tick_first (1050, 1000, 100), ==, 1100);
  g_assert_cmpint (ta_tick_first (1100, 1000, 100), ==, 1100);
  g_assert_cmpint (ta_tick_first (950, 1000, 100), ==, 1000);
  g_assert_cmpint (ta_tick_first (899, 1000, 100), ==, 900);
}

static void
check_str (char *got, const char *want)
{
  g_assert_cmpstr (got, ==, want);
  g_free (got);
}

static void
test_labels (void)
{
  check_str (ta_format_duration (0), "0 ns");
  check_str (ta_format_duration (999), "999 ns");
  check_str (ta_format_duration (1500), "1.5 µs");
  check_str (ta_format_duration (1234567), "1.234 ms");
  check_str (ta_format_duration (2 * NS_S), "2 s");
  check_str (ta_format_duration (125 * NS_S), "2 min 5 s");
  check_str (ta_format_duration (3780 * NS_S), "1 h 3 min");
  check_str (ta_format_duration (-1500), "-1.5 µs");

  check_str (ta_format_tick_label (0, 100000000), "0 ms");
  check_str (ta_format_tick_label (1250000000, 250000000), "1.25 s");
  check_str (ta_format_tick_label (1250020000, 10000), "1.25002 s");
  check_str (ta_format_tick_label (1500, 500), "1.5 µs");
  check_str (ta_format_tick_label (300, 100), "300 ns");
  check_str (ta_format_tick_label (90 * NS_S, 30 * NS_S), "1:30");
  check_str (ta_format_tick_label (3600 * NS_S + 60 * NS_S, 60 * NS_S), "1:01:00");

  check_str (ta_format_tick_delta (20000, 10000), "+20 µs");
  check_str (ta_format_tick_delta (2500, 500), "+2.5 µs");
  check_str (ta_format_tick_delta (40, 10), "+40 ns");
}

static void
test_hit_row (void)
{
  double tops[] = { 0, 20, 40, 100 };
  double heights[] = { 20, 20, 30, 10 };

  g_assert_cmpint (ta_hit_row (tops, heights, 4, -1), ==, -1);
  g_assert_cmpint (ta_hit_row (tops, heights, 4, 0), ==, 0);
  g_assert_cmpint (ta_hit_row (tops, heights, 4, 19.9), ==, 0);
  g_assert_cmpint (ta_hit_row (tops, heights, 4, 20), ==, 1);
  g_assert_cmpint (ta_hit_row (tops, heights, 4, 69), ==, 2);
  g_assert_cmpint (ta_hit_row (tops, heights, 4, 75), ==, -1);  /* a gap */
  g_assert_cmpint (ta_hit_row (tops, heights, 4, 105), ==, 3);
  g_assert_cmpint (ta_hit_row (tops, heights, 4, 110), ==, -1);
  g_assert_cmpint (ta_hit_row (tops, heights, 0, 5), ==, -1);
}

static void
test_hit_span (void)
{
  int64_t starts[] = { 10, 20, 100, 101 };
  int64_t ends[]   = { 20, 30, 101, 200 };

  g_assert_cmpint (ta_hit_span (starts, ends, 4, 15, 0), ==, 0);
  g_assert_cmpint (ta_hit_span (starts, ends, 4, 20, 0), ==, 1);   /* ends exclusive */
  g_assert_cmpint (ta_hit_span (starts, ends, 4, 50, 0), ==, -1);
  g_assert_cmpint (ta_hit_span (starts, ends, 4, 35, 10), ==, 1);  /* near the end of 1 */
  g_assert_cmpint (ta_hit_span (starts, ends, 4, 95, 10), ==, 2);  /* near a 1 ns span */
  g_assert_cmpint (ta_hit_span (starts, ends, 4, 100, 10), ==, 2);
  g_assert_cmpint (ta_hit_span (starts, ends, 4, 150, 0), ==, 3);
  g_assert_cmpint (ta_hit_span (starts, ends, 4, 5, 2), ==, -1);
  g_assert_cmpint (ta_hit_span (starts, ends, 4, 5, 5), ==, 0);
  g_assert_cmpint (ta_hit_span (starts, ends, 0, 5, 5), ==, -1);

  g_assert_cmpuint (ta_first_span_ending_after (ends, 4, 0), ==, 0);
  g_assert_cmpuint (ta_first_span_ending_after (ends, 4, 20), ==, 1);
  g_assert_cmpuint (ta_first_span_ending_after (ends, 4, 150), ==, 3);
  g_assert_cmpuint (ta_first_span_ending_after (ends, 4, 200), ==, 4);
}

static void
test_color_mix (void)
{
  TaColor colors[3] = { { 1, 0, 0, 1 }, { 0, 0, 1, 1 }, { 0, 1, 0, 0.5f } };
  int64_t cov[3] = { 75, 25, 0 };
  TaColor out;

  /* 3:1 red:blue over a fully covered bucket. */
  g_assert_true (ta_color_mix (cov, colors, 3, 100, 0.2f, &out));
  g_assert_cmpfloat_with_epsilon (out.r, 0.75, 1e-6);
  g_assert_cmpfloat_with_epsilon (out.g, 0.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (out.b, 0.25, 1e-6);
  g_assert_cmpfloat_with_epsilon (out.a, 1.0, 1e-6);

  /* Half covered: half opaque. */
  g_assert_true (ta_color_mix (cov, colors, 3, 200, 0.2f, &out));
  g_assert_cmpfloat_with_epsilon (out.a, 0.5, 1e-6);

  /* A 1 ns sliver in a 1 ms bucket still shows at min_alpha. */
  cov[0] = 1, cov[1] = 0;
  g_assert_true (ta_color_mix (cov, colors, 3, 1000000, 0.2f, &out));
  g_assert_cmpfloat_with_epsilon (out.a, 0.2, 1e-6);
  g_assert_cmpfloat_with_epsilon (out.r, 1.0, 1e-6);

  /* Translucent states weigh by their opacity. */
  cov[0] = 0, cov[1] = 50, cov[2] = 50;
  g_assert_true (ta_color_mix (cov, colors, 3, 100, 0.0f, &out));
  g_assert_cmpfloat_with_epsilon (out.b, 2.0 / 3.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (out.g, 1.0 / 3.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (out.a, 0.75, 1e-6);

  /* Nothing covered: transparent, FALSE. */
  cov[1] = cov[2] = 0;
  g_assert_false (ta_color_mix (cov, colors, 3, 100, 0.2f, &out));
  g_assert_cmpfloat (out.a, ==, 0);
}

/* The first offset of a column is where the float division moves to it. */
static void
test_column_first_offset (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (7);
  double fixed[] = { 1, 2.5, 0.3, 1.0 / 3.0, 205150.0417, 83846916.675 };

  g_assert_cmpint (ta_column_first_offset (2.5, 0), ==, 0);
  g_assert_cmpint (ta_column_first_offset (2.5, 1), ==, 3);
  g_assert_cmpint (ta_column_first_offset (2.5, 2), ==, 5);
  for (guint k = 0; k < 20000; k++)
    {
      double nspp = k < 6 * 100 ? fixed[k / 100] : g_rand_double_range (rand, 0.01, 1e8);
      guint col = k < 6 * 100 ? k % 100 : (guint)g_rand_int_range (rand, 0, 4000);
      int64_t x = ta_column_first_offset (nspp, col);
      g_assert_cmpint (x, >=, 0);
      g_assert_cmpuint ((guint)((double)x / nspp), >=, col);
      if (x > 0)
        g_assert_cmpuint ((guint)((double)(x - 1) / nspp), <, col);
    }
}

/* The mixer gives ta_color_mix's colour exactly, for any mix of states;
 * so does ta_color_mixer_mix_states told which states were added to (the
 * mask may also name states whose sum is zero or negative), without
 * reading the others. */
static void
test_color_mixer (void)
{
  TaColor colors[28];
  TaColorMixer mixer;
  g_autoptr (GRand) rand = g_rand_new_with_seed (4);

  for (guint i = 0; i < G_N_ELEMENTS (colors); i++)
    colors[i] = (TaColor){ (float)g_rand_double (rand), (float)g_rand_double (rand), (float)g_rand_double (rand),
                           i % 5 == 0 ? 0.5f : (float)g_rand_double_range (rand, 0.1, 1) };
  ta_color_mixer_init (&mixer, colors, G_N_ELEMENTS (colors), 0.35f);
  for (guint k = 0; k < 20000; k++)
    {
      int64_t cov[28] = { 0 }, masked[28], bucket = g_rand_int_range (rand, 1, 1000000);
      guint32 states = 0;
      TaColor want, got;
      gboolean want_ok, got_ok;
      for (guint s = 0, n = (guint)g_rand_int_range (rand, 0, 5); s < n; s++)
        {
          guint st = (guint)g_rand_int_range (rand, 0, 28);
          cov[st] += g_rand_int_range (rand, -10, 400000);
          states |= 1u << st;
        }
      want_ok = ta_color_mix (cov, colors, 28, bucket, 0.35f, &want);
      got_ok = ta_color_mixer_mix (&mixer, cov, bucket, &got);
      g_assert_cmpint (want_ok, ==, got_ok);
      g_assert_cmpmem (&want, sizeof want, &got, sizeof got);
      for (guint st = 0; st < 28; st++)
        masked[st] = states & (1u << st) ? cov[st] : g_rand_int_range (rand, 1, 400000);
      got_ok = ta_color_mixer_mix_states (&mixer, masked, states, bucket, &got);
      g_assert_cmpint (want_ok, ==, got_ok);
      g_assert_cmpmem (&want, sizeof want, &got, sizeof got);
    }
}

static void
test_palette (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TaPalette) pal = NULL;
  TaColor c;

  g_assert_true (ta_color_parse ("#fff", &c));
  g_assert_cmpfloat (c.r, ==, 1.0f);
  g_assert_true (ta_color_parse ("#00ff0080", &c));
  g_assert_cmpfloat (c.g, ==, 1.0f);
  g_assert_cmpfloat_with_epsilon (c.a, 128.0 / 255.0, 1e-6);
  g_assert_false (ta_color_parse ("fff", &c));
  g_assert_false (ta_color_parse ("#ggg", &c));
  g_assert_false (ta_color_parse ("#12345", &c));

  pal = ta_palette_parse ("# states\n"
                          "running = #3fa34d\n"
                          "  runnable: #e5a50a  \n"
                          "\n"
                          "; comment\n"
                          "running = #000\n", &error);
  g_assert_no_error (error);
  g_assert_nonnull (pal);
  g_assert_cmpuint (ta_palette_size (pal), ==, 2);
  g_assert_true (ta_palette_lookup (pal, "running", &c));
  g_assert_cmpfloat (c.r, ==, 0.0f);   /* last one wins */
  g_assert_true (ta_palette_lookup (pal, "runnable", &c));
  g_assert_cmpfloat_with_epsilon (c.r, 0xe5 / 255.0, 1e-6);
  g_assert_false (ta_palette_lookup (pal, "waiting", &c));

  g_clear_pointer (&pal, ta_palette_free);
  pal = ta_palette_parse ("running = #3fa34d\nbogus line\n", &error);
  g_assert_null (pal);
  g_assert_error (error, TA_PALETTE_ERROR, 0);
  g_assert_nonnull (strstr (error->message, "line 2"));
  g_clear_error (&error);
  pal = ta_palette_parse ("running = red\n", &error);
  g_assert_null (pal);
  g_assert_error (error, TA_PALETTE_ERROR, 0);
}

static void
test_jump (void)
{
  TaJumpQuery q;
  int64_t ns;

  ta_jump_parse ("g123", &q);
  g_assert_cmpint (q.kind, ==, TA_JUMP_GOROUTINE);
  g_assert_cmpint (q.id, ==, 123);
  ta_jump_parse ("  P4 ", &q);
  g_assert_cmpint (q.kind, ==, TA_JUMP_PROC);
  g_assert_cmpint (q.id, ==, 4);
  ta_jump_parse ("m7", &q);
  g_assert_cmpint (q.kind, ==, TA_JUMP_THREAD);
  g_assert_cmpint (q.id, ==, 7);
  ta_jump_parse ("@1.5ms", &q);
  g_assert_cmpint (q.kind, ==, TA_JUMP_TIME);
  g_assert_cmpint (q.id, ==, 1500000);
  ta_jump_parse ("main.worker", &q);
  g_assert_cmpint (q.kind, ==, TA_JUMP_FUNCTION);
  g_assert_cmpstr (q.text, ==, "main.worker");
  ta_jump_query_clear (&q);
  ta_jump_parse ("gc", &q);   /* not g + number: a function search */
  g_assert_cmpint (q.kind, ==, TA_JUMP_FUNCTION);
  ta_jump_query_clear (&q);
  ta_jump_parse ("   ", &q);
  g_assert_cmpint (q.kind, ==, TA_JUMP_NONE);

  g_assert_true (ta_parse_duration ("20 us", &ns));
  g_assert_cmpint (ns, ==, 20000);
  g_assert_true (ta_parse_duration ("3s", &ns));
  g_assert_cmpint (ns, ==, 3 * NS_S);
  g_assert_true (ta_parse_duration ("250", &ns));
  g_assert_cmpint (ns, ==, 250);
  g_assert_true (ta_parse_duration ("2min", &ns));
  g_assert_cmpint (ns, ==, 120 * NS_S);
  g_assert_false (ta_parse_duration ("fast", &ns));
  g_assert_false (ta_parse_duration ("3 parsecs", &ns));
}

static void
test_history (void)
{
  g_autoptr (TaHistory) h = ta_history_new (3);
  TaRange r;
  TaRange a = { 0, 10 }, b = { 2, 5 }, c = { 3, 4 }, d = { 1, 2 };

  g_assert_false (ta_history_can_back (h));
  g_assert_false (ta_history_back (h, a, &r));
  ta_history_push (h, a);          /* leaving a for b */
  ta_history_push (h, b);          /* leaving b for c */
  ta_history_push (h, b);          /* duplicate merged */
  g_assert_true (ta_history_back (h, c, &r));
  g_assert_true (r.start == b.start && r.end == b.end);
  g_assert_true (ta_history_can_forward (h));
  g_assert_true (ta_history_back (h, b, &r));
  g_assert_true (r.start == a.start && r.end == a.end);
  g_assert_false (ta_history_can_back (h));
  g_assert_true (ta_history_forward (h, a, &r));
  g_assert_true (r.start == b.start && r.end == b.end);
  /* A new navigation drops the forward entries. */
  ta_history_push (h, b);
  g_assert_false (ta_history_can_forward (h));
  /* Capacity keeps the newest. */
  ta_history_push (h, c);
  ta_history_push (h, d);
  ta_history_push (h, a);
  g_assert_true (ta_history_back (h, b, &r));
  g_assert_true (r.start == a.start);
  g_assert_true (ta_history_back (h, a, &r));
  g_assert_true (r.start == d.start);
  g_assert_true (ta_history_back (h, d, &r));
  g_assert_true (r.start == c.start);
  g_assert_false (ta_history_can_back (h));
}

static void
test_stats (void)
{
  int64_t v[100];
  TaDurationStats s;

  for (int i = 0; i < 100; i++)
    v[i] = 100 - i;
  ta_duration_stats (v, 100, &s);
  g_assert_cmpuint (s.count, ==, 100);
  g_assert_cmpint (s.min, ==, 1);
  g_assert_cmpint (s.max, ==, 100);
  g_assert_cmpint (s.total, ==, 5050);
  g_assert_cmpfloat_with_epsilon (s.mean, 50.5, 1e-9);
  g_assert_cmpint (s.p50, ==, 50);
  g_assert_cmpint (s.p99, ==, 99);

  {
    int64_t w[4] = { 4, 1, 3, 2 };
    ta_duration_stats (w, 4, &s);
    g_assert_cmpint (s.p50, ==, 2);
    g_assert_cmpint (s.p99, ==, 4);
  }
  ta_duration_stats (v, 0, &s);
  g_assert_cmpuint (s.count, ==, 0);
}

static void
test_raster (void)
{
  TaRaster r;
  guint32 line[8] = { 0 };
  guint32 red = ta_pixel_from_color ((TaColor){ 1, 0, 0, 1 });
  guint32 half_blue = ta_pixel_from_color ((TaColor){ 0, 0, 1, 0.5f });

  /* Premultiplied ARGB32 in native order. */
  g_assert_cmphex (red, ==, 0xffff0000);
  g_assert_cmphex (half_blue, ==, 0x80000080);
  /* Over: opaque replaces, transparent keeps, half blends. */
  g_assert_cmphex (ta_pixel_over (red, half_blue), ==, red);
  g_assert_cmphex (ta_pixel_over (0, red), ==, red);
  g_assert_cmphex (ta_pixel_over (half_blue, red), ==, 0xff7f0080);

  /* A span covers the pixels it touches, clipped to the line; a span
   * thinner than a pixel still shows in its pixel. */
  ta_line_blend (line, 8, 2.2, 4.6, red);
  g_assert_cmphex (line[1], ==, 0);
  g_assert_cmphex (line[2], ==, red);
  g_assert_cmphex (line[4], ==, red);
  g_assert_cmphex (line[5], ==, 0);
  ta_line_blend (line, 8, 6.3, 6.4, red);
  g_assert_cmphex (line[6], ==, red);
  ta_line_blend (line, 8, -5, 1, half_blue);
  g_assert_cmphex (line[0], ==, half_blue);
  ta_line_blend (line, 8, 7.5, 100, red);
  g_assert_cmphex (line[7], ==, red);

  /* Lines and rectangles are clipped to the raster. */
  ta_raster_init (&r, 8, 4);
  ta_raster_put_line (&r, line, -1, 2);
  g_assert_cmphex (r.px[2], ==, red);
  g_assert_cmphex (r.px[8 + 2], ==, 0);
  ta_raster_fill (&r, 6, 2, 5, 5, red);
  g_assert_cmphex (r.px[2 * 8 + 6], ==, red);
  g_assert_cmphex (r.px[3 * 8 + 7], ==, red);
  g_assert_cmphex (r.px[2 * 8 + 5], ==, 0);
  /* A band of 8 columns of 3 pixels, a column per line, put at row 4 of
   * an 8x6 raster: the same as filling the raster itself, its row 6
   * clipped. */
  {
    TaRaster band, direct, put;
    ta_raster_init (&band, 3, 8);
    ta_raster_init (&direct, 8, 6);
    ta_raster_init (&put, 8, 6);
    ta_raster_fill (&band, 1, 2, 2, 3, half_blue);       /* x 2..4, y 5..6 */
    ta_raster_fill (&direct, 2, 5, 3, 2, half_blue);
    ta_raster_fill (&band, 0, 6, 1, 2, red);             /* x 6..7, y 4 */
    ta_raster_fill (&direct, 6, 4, 2, 1, red);
    ta_raster_put_columns (&put, &band, 4);
    g_assert_cmpmem (put.px, sizeof (guint32) * 8 * 6, direct.px, sizeof (guint32) * 8 * 6);
    g_assert_cmphex (put.px[5 * 8 + 3], ==, half_blue);
    g_free (band.px);
    g_free (direct.px);
    g_free (put.px);
  }
  g_free (r.px);
}

static void
test_column_bucket_range (void)
{
  gint64 a, b;

  /* 10 columns of 100 ns over [1000, 2000); buckets of 64 ns from 0. */
  /* Column 0 takes the bucket straddling t0 (960) and those starting in
   * [1000, 1100): 1024, 1088; so it covers [960, 1152). */
  g_assert_true (ta_column_bucket_range (0, 64, 1000, 2000, 10, 0, &a, &b));
  g_assert_cmpint (a, ==, 960);
  g_assert_cmpint (b, ==, 1152);
  /* Column 1 [1100, 1200): 1152 only. */
  g_assert_true (ta_column_bucket_range (0, 64, 1000, 2000, 10, 1, &a, &b));
  g_assert_cmpint (a, ==, 1152);
  g_assert_cmpint (b, ==, 1216);
  /* The last column takes every bucket starting before t1. */
  g_assert_true (ta_column_bucket_range (0, 64, 1000, 2000, 10, 9, &a, &b));
  g_assert_cmpint (a, ==, 1920);
  g_assert_cmpint (b, ==, 2048);
  /* Columns tile: consecutive ranges meet, nothing counted twice. */
  {
    gint64 prev_end = 960;
    for (guint c = 0; c < 10; c++)
      if (ta_column_bucket_range (0, 64, 1000, 2000, 10, c, &a, &b))
        {
          g_assert_cmpint (a, ==, prev_end);
          prev_end = b;
        }
    g_assert_cmpint (prev_end, ==, 2048);
  }
  /* Buckets wider than a column (65.536 µs buckets, 44.5 µs columns): the
   * column a bucket starts in covers all of it (the tooltip used to say
   * "Idle: 65.536 µs" of a "44.5 µs" column); column 3, [199036, 243536),
   * has no bucket starting in it. */
  g_assert_true (ta_column_bucket_range (0, 65536, 65536, 65536 + 445000, 10, 0, &a, &b));
  g_assert_cmpint (a, ==, 65536);
  g_assert_cmpint (b - a, ==, 65536);
  g_assert_true (ta_column_bucket_range (0, 65536, 65536, 65536 + 445000, 10, 1, &a, &b));
  g_assert_cmpint (a, ==, 131072);
  g_assert_cmpint (b - a, ==, 65536);
  g_assert_false (ta_column_bucket_range (0, 65536, 65536, 65536 + 445000, 10, 3, &a, &b));
  /* Negative offsets from the origin round the right way. */
  g_assert_true (ta_column_bucket_range (1000, 64, 900, 1000, 1, 0, &a, &b));
  g_assert_cmpint (a, ==, 1000 - 128);
  g_assert_cmpint (b, ==, 1000);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/timeline-math/time-pixel", test_time_pixel_roundtrip);
  g_test_add_func ("/timeline-math/zoom-anchor", test_zoom_anchor);
  g_test_add_func ("/timeline-math/pan-clamp", test_pan_clamp);
  g_test_add_func ("/timeline-math/tick-step", test_tick_step);
  g_test_add_func ("/timeline-math/labels", test_labels);
  g_test_add_func ("/timeline-math/hit-row", test_hit_row);
  g_test_add_func ("/timeline-math/hit-span", test_hit_span);
  g_test_add_func ("/timeline-math/color-mix", test_color_mix);
  g_test_add_func ("/timeline-math/color-mixer", test_color_mixer);
  g_test_add_func ("/timeline-math/column-first-offset", test_column_first_offset);
  g_test_add_func ("/timeline-math/palette", test_palette);
  g_test_add_func ("/timeline-math/jump", test_jump);
  g_test_add_func ("/timeline-math/history", test_history);
  g_test_add_func ("/timeline-math/stats", test_stats);
  g_test_add_func ("/timeline/raster", test_raster);
  g_test_add_func ("/timeline/column-bucket-range", test_column_bucket_range);
  return g_test_run ();
}
