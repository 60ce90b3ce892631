/* tb.c: the unit tests' trace builder and decode helpers (see tb.h). */
#include "tb.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "trace-print.h"

/* No test trace needs more; a decoder that loops forever is a failure. */
#define TB_MAX_EVENTS 1000000

tb *
tb_new(int format)
{
  tb *t = g_new0(tb, 1);
  t->out = g_byte_array_new();
  t->format = format;
  t->size_override = -1;
  t->table_time = 1;
  char h[17] = { 0 };
  snprintf(h, sizeof h, "go 1.%d trace", format);
  g_byte_array_append(t->out, (const guint8 *)h, 16); /* 13 chars + 3 NULs */
  return t;
}

void
tb_free(tb *t)
{
  if (!t)
    return;
  if (t->payload)
    g_byte_array_unref(t->payload);
  g_byte_array_unref(t->out);
  g_free(t);
}

const uint8_t *
tb_data(const tb *t, size_t *len)
{
  g_assert_null(t->payload); /* close the batch first */
  *len = t->out->len;
  return t->out->data;
}

void
tb_put_uv(GByteArray *a, uint64_t v)
{
  while (v >= 0x80) {
    guint8 b = (guint8)(v | 0x80);
    g_byte_array_append(a, &b, 1);
    v >>= 7;
  }
  guint8 b = (guint8)v;
  g_byte_array_append(a, &b, 1);
}

static void
put_uv_padded(GByteArray *a, uint64_t v, int width)
{
  g_assert_cmpint(width, >=, 1);
  g_assert_cmpint(width, <=, 10);
  for (int i = 0; i < width - 1; i++) {
    guint8 b = (guint8)((v & 0x7f) | 0x80);
    g_byte_array_append(a, &b, 1);
    v >>= 7;
  }
  g_assert_cmpuint(v, <, 0x80); /* the value must fit the width */
  guint8 b = (guint8)v;
  g_byte_array_append(a, &b, 1);
}

static GByteArray *
sink(tb *t)
{
  return t->payload ? t->payload : t->out;
}

void
tb_bytes(tb *t, const void *p, size_t n)
{
  g_byte_array_append(sink(t), p, (guint)n);
}

void
tb_u8(tb *t, uint8_t b)
{
  g_byte_array_append(sink(t), &b, 1);
}

void
tb_uv(tb *t, uint64_t v)
{
  tb_put_uv(sink(t), v);
}

void
tb_uv_padded(tb *t, uint64_t v, int width)
{
  put_uv_padded(sink(t), v, width);
}

void
tb_end(tb *t)
{
  if (!t->payload)
    return;
  GByteArray *a = t->out;
  GByteArray *p = t->payload;
  t->payload = NULL;
  if (t->exp_batch) {
    guint8 hdr[2] = { TA_EV_EXPERIMENTAL_BATCH, t->exp };
    g_byte_array_append(a, hdr, 2);
  } else {
    guint8 hdr = TA_EV_EVENT_BATCH;
    g_byte_array_append(a, &hdr, 1);
  }
  tb_put_uv(a, t->gen);
  tb_put_uv(a, t->m);
  tb_put_uv(a, t->time);
  uint64_t size = t->size_override >= 0 ? (uint64_t)t->size_override : p->len;
  if (t->size_width)
    put_uv_padded(a, size, t->size_width);
  else
    tb_put_uv(a, size);
  g_byte_array_append(a, p->data, p->len);
  g_byte_array_unref(p);
  t->size_width = 0;
  t->size_override = -1;
}

static void
open_batch(tb *t, bool exp_batch, uint8_t exp, uint64_t gen, uint64_t m, uint64_t time)
{
  tb_end(t);
  t->payload = g_byte_array_new();
  t->exp_batch = exp_batch;
  t->exp = exp;
  t->gen = gen;
  t->m = m;
  t->time = time;
}

void
tb_batch(tb *t, uint64_t gen, uint64_t m, uint64_t time)
{
  open_batch(t, false, 0, gen, m, time);
}

void
tb_exp_batch(tb *t, uint8_t exp, uint64_t gen, uint64_t m, uint64_t time)
{
  open_batch(t, true, exp, gen, m, time);
}

void
tb_size_padded(tb *t, int width)
{
  g_assert_nonnull(t->payload);
  t->size_width = width;
}

void
tb_size_override(tb *t, uint64_t size)
{
  g_assert_nonnull(t->payload);
  t->size_override = (int64_t)size;
}

void
tb_eog(tb *t)
{
  tb_end(t);
  tb_u8(t, TA_EV_END_OF_GENERATION);
}

void
tb_ev_(tb *t, uint8_t type, const uint64_t *args, size_t n)
{
  g_assert_nonnull(t->payload);
  tb_u8(t, type);
  for (size_t i = 0; i < n; i++)
    tb_uv(t, args[i]);
}

void
tb_string_n(tb *t, uint64_t id, const void *s, size_t n)
{
  g_assert_nonnull(t->payload);
  tb_u8(t, TA_EV_STRING);
  tb_uv(t, id);
  tb_uv(t, n);
  tb_bytes(t, s, n);
}

void
tb_string(tb *t, uint64_t id, const char *s)
{
  tb_string_n(t, id, s, strlen(s));
}

void
tb_stack(tb *t, uint64_t id, size_t n, const uint64_t *frames)
{
  g_assert_nonnull(t->payload);
  tb_u8(t, TA_EV_STACK);
  tb_uv(t, id);
  tb_uv(t, n);
  for (size_t i = 0; i < 4 * n; i++)
    tb_uv(t, frames[i]);
}

void
tb_sample(tb *t, uint64_t time, uint64_t m, uint64_t p, uint64_t g, uint64_t stack)
{
  g_assert_nonnull(t->payload);
  tb_u8(t, TA_EV_CPU_SAMPLE);
  tb_uv(t, time);
  tb_uv(t, m);
  tb_uv(t, p);
  tb_uv(t, g);
  tb_uv(t, stack);
}

void
tb_strings_batch(tb *t, uint64_t gen, uint64_t time)
{
  tb_batch(t, gen, TB_NO_M, time);
  tb_u8(t, TA_EV_STRINGS);
}

void
tb_stacks_batch(tb *t, uint64_t gen, uint64_t time)
{
  tb_batch(t, gen, TB_NO_M, time);
  tb_u8(t, TA_EV_STACKS);
}

void
tb_samples_batch(tb *t, uint64_t gen, uint64_t time)
{
  tb_batch(t, gen, TB_NO_M, time);
  tb_u8(t, TA_EV_CPU_SAMPLES);
}

void
tb_sync_batch(tb *t, uint64_t gen, uint64_t time, uint64_t freq, uint64_t snap_dt,
              uint64_t mono, uint64_t sec, uint64_t nsec)
{
  tb_batch(t, gen, TB_NO_M, time);
  tb_u8(t, TA_EV_SYNC);
  tb_u8(t, TA_EV_FREQUENCY);
  tb_uv(t, freq);
  EV(t, TA_EV_CLOCK_SNAPSHOT, snap_dt, mono, sec, nsec);
  tb_end(t);
}

void
tb_freq_batch(tb *t, uint64_t gen, uint64_t time, uint64_t freq)
{
  if (t->format >= 25) {
    tb_sync_batch(t, gen, time, freq, 0, gen, 1700000000 + gen % 30, 0);
    return;
  }
  tb_batch(t, gen, TB_NO_M, time);
  tb_u8(t, TA_EV_FREQUENCY);
  tb_uv(t, freq);
  tb_end(t);
}

void
tb_gen_begin(tb *t, uint64_t gen)
{
  tb_end(t);
  t->cur_gen = gen;
  if (t->format >= 25)
    tb_freq_batch(t, gen, t->table_time, TB_FREQ_NS);
}

void
tb_gen_end(tb *t)
{
  uint64_t gen = t->cur_gen;
  tb_end(t);
  if (t->format < 25)
    tb_freq_batch(t, gen, t->table_time, TB_FREQ_NS);
  tb_stacks_batch(t, gen, t->table_time);
  tb_stack(t, 1, 1, TB_ARGS(0x1000, 2, 3, 10));
  tb_stack(t, 2, 2, TB_ARGS(0x2000, 4, 3, 20, 0x1000, 2, 3, 10));
  tb_strings_batch(t, gen, t->table_time);
  static const char *const strs[] = {
    "reason", "main.main", "/src/main.go", "main.f", "task", "region", "key", "value",
    "GC (dedicated)", "sleep", "other",
  };
  for (size_t i = 0; i < G_N_ELEMENTS(strs); i++)
    tb_string(t, i + 1, strs[i]);
  tb_end(t);
  if (t->format >= 26)
    tb_eog(t);
}

void
tb_running(tb *t, uint64_t m, uint64_t p, uint64_t g, uint64_t time)
{
  tb_batch(t, t->cur_gen, m, time);
  EV(t, TA_EV_PROC_STATUS, 1, p, 1);
  EV(t, TA_EV_GO_STATUS, 1, g, m, 2);
}

/* ---- decoding ---- */

static char *
parse_text_here(const uint8_t *data, size_t len)
{
  GString *s = g_string_new(NULL);
  ta_error err;
  ta_parser *p = ta_parser_open_memory(data, len, &err);
  if (!p) {
    g_string_append_printf(s, "!! %s\n", err.message);
    return g_string_free(s, FALSE);
  }
  ta_buf b = { 0 };
  ta_event ev;
  int r;
  size_t n = 0;
  while ((r = ta_parser_next(p, &ev)) == 1) {
    if (++n > TB_MAX_EVENTS) {
      g_string_append(s, "!! tb: too many events\n");
      break;
    }
    b.len = 0;
    ta_print_event(&b, &ev);
    g_string_append_len(s, b.data, (gssize)b.len);
    g_string_append_c(s, '\n');
  }
  if (r < 0)
    g_string_append_printf(s, "!! %s\n", ta_parser_error(p)->message);
  ta_buf_free(&b);
  ta_parser_free(p);
  return g_string_free(s, FALSE);
}

/* Under AddressSanitizer, decode in this process so that leaks and errors
 * are reported by the sanitizer itself; elsewhere decode in a child
 * process so that a decoder crash fails one check instead of killing the
 * whole test program. TA_UNIT_NOFORK=1 / TA_UNIT_FORK=1 override. */
#if defined(__SANITIZE_ADDRESS__)
#define TB_FORK_DEFAULT 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TB_FORK_DEFAULT 0
#endif
#endif
#ifndef TB_FORK_DEFAULT
#define TB_FORK_DEFAULT 1
#endif

#define TB_CHILD_TIMEOUT 5

bool
tb_isolated(void)
{
  bool fork_it = TB_FORK_DEFAULT;
  if (g_getenv("TA_UNIT_NOFORK"))
    fork_it = false;
  if (g_getenv("TA_UNIT_FORK"))
    fork_it = true;
  return fork_it;
}

char *
tb_parse_text(const uint8_t *data, size_t len)
{
  if (!tb_isolated())
    return parse_text_here(data, len);
  int fds[2];
  g_assert_cmpint(pipe(fds), ==, 0);
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  g_assert_cmpint(pid, >=, 0);
  if (pid == 0) {
    close(fds[0]);
    alarm(TB_CHILD_TIMEOUT); /* a decoder that hangs dies of SIGALRM (14) */
    char *text = parse_text_here(data, len);
    size_t n = strlen(text), done = 0;
    while (done < n) {
      ssize_t w = write(fds[1], text + done, n - done);
      if (w <= 0)
        _exit(3);
      done += (size_t)w;
    }
    _exit(0);
  }
  close(fds[1]);
  GString *s = g_string_new(NULL);
  char buf[4096];
  ssize_t r;
  while ((r = read(fds[0], buf, sizeof buf)) > 0 || (r < 0 && errno == EINTR))
    if (r > 0)
      g_string_append_len(s, buf, r);
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
  if (WIFSIGNALED(status))
    g_string_append_printf(s, "!! DECODER CRASHED (signal %d)\n", WTERMSIG(status));
  else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    g_string_append_printf(s, "!! DECODER CHILD FAILED (status %d)\n", status);
  return g_string_free(s, FALSE);
}

void
tb_dump(const uint8_t *data, size_t len, const char *expected)
{
  const char *dir = g_getenv("TA_UNIT_DUMP");
  if (!dir || !*dir)
    return;
  static char last_path[512];
  static int count;
  const char *path = g_test_get_path();
  if (!path)
    path = "unknown";
  if (strcmp(path, last_path) != 0) {
    g_strlcpy(last_path, path, sizeof last_path);
    count = 0;
  }
  count++;
  g_autofree char *name = g_strdup(path[0] == '/' ? path + 1 : path);
  for (char *c = name; *c; c++)
    if (*c == '/')
      *c = '.';
  g_autofree char *base = count > 1 ? g_strdup_printf("%s/%s-%d", dir, name, count)
                                    : g_strdup_printf("%s/%s", dir, name);
  g_autofree char *bin = g_strconcat(base, ".bin", NULL);
  g_autofree char *want = g_strconcat(base, ".want", NULL);
  g_mkdir_with_parents(dir, 0755);
  g_assert_true(g_file_set_contents(bin, (const char *)data, (gssize)len, NULL));
  g_assert_true(g_file_set_contents(want, expected, -1, NULL));
}

/* Splits "events\n!! error\n" into the event text and the error part. */
static void
split_expected(const char *text, GString *events, GString *error)
{
  const char *e = strstr(text, "!! ");
  while (e && e != text && e[-1] != '\n')
    e = strstr(e + 1, "!! ");
  if (!e) {
    g_string_assign(events, text);
    return;
  }
  g_string_append_len(events, text, e - text);
  g_string_assign(error, e + 3);
  if (error->len && error->str[error->len - 1] == '\n')
    g_string_truncate(error, error->len - 1);
}

static bool
compare(const uint8_t *data, size_t len, const char *expected, char **got_out)
{
  tb_dump(data, len, expected);
  char *got = tb_parse_text(data, len);
  g_autoptr(GString) want_ev = g_string_new(NULL), want_err = g_string_new(NULL);
  g_autoptr(GString) got_ev = g_string_new(NULL), got_err = g_string_new(NULL);
  split_expected(expected, want_ev, want_err);
  split_expected(got, got_ev, got_err);
  bool ok = strcmp(want_ev->str, got_ev->str) == 0;
  if (want_err->len)
    ok = ok && got_err->len && strstr(got_err->str, want_err->str);
  else
    ok = ok && got_err->len == 0;
  *got_out = got;
  return ok;
}

void
tb_check_bytes(const uint8_t *data, size_t len, const char *expected)
{
  g_autofree char *got = NULL;
  if (!compare(data, len, expected, &got)) {
    g_test_message("decoded text differs.\n--- expected:\n%s--- got:\n%s---", expected, got);
    g_test_fail_printf("decoded text differs (see the log)");
  }
}

void
tb_check(const tb *t, const char *expected)
{
  size_t len;
  const uint8_t *d = tb_data(t, &len);
  tb_check_bytes(d, len, expected);
}

void
tb_check_known_diff(const tb *t, const char *expected, const char *why)
{
  size_t len;
  const uint8_t *d = tb_data(t, &len);
  g_autofree char *got = NULL;
  if (compare(d, len, expected, &got)) {
    g_test_fail_printf("known difference from Go no longer present (%s): "
                       "turn this check into tb_check()", why);
    return;
  }
  g_test_message("KNOWN DIFFERENCE FROM GO: %s\n--- Go:\n%s--- decoder:\n%s---", why, expected, got);
  if (g_getenv("TA_UNIT_STRICT"))
    g_test_fail_printf("known difference from Go: %s", why);
  else
  {
    g_autofree char *msg = g_strdup_printf("known difference from Go: %s", why);
    g_test_incomplete(msg);
  }
}

void
tb_collect_bytes(const uint8_t *data, size_t len, tb_events *out)
{
  memset(out, 0, sizeof *out);
  ta_parser *p = ta_parser_open_memory(data, len, &out->err);
  if (!p) {
    out->status = -1;
    return;
  }
  size_t cap = 0;
  ta_buf b = { 0 };
  ta_event ev;
  int r;
  while ((r = ta_parser_next(p, &ev)) == 1 && out->n < TB_MAX_EVENTS) {
    if (out->n == cap) {
      cap = cap ? cap * 2 : 32;
      out->items = g_renew(tb_item, out->items, cap);
    }
    tb_item *it = &out->items[out->n++];
    memset(it, 0, sizeof *it);
    it->ev = ev;
    it->has_tr = ta_event_transition(&ev, &it->tr);
    it->tr.reason = (ta_str){ NULL, 0 };
    b.len = 0;
    ta_print_event(&b, &ev);
    it->text = g_strndup(b.data, b.len);
    it->ev.gen = NULL;
  }
  out->status = r;
  if (r < 0)
    out->err = *ta_parser_error(p);
  ta_buf_free(&b);
  ta_parser_free(p);
}

void
tb_collect(const tb *t, tb_events *out)
{
  size_t len;
  const uint8_t *d = tb_data(t, &len);
  tb_collect_bytes(d, len, out);
}

void
tb_events_free(tb_events *e)
{
  for (size_t i = 0; i < e->n; i++)
    g_free(e->items[i].text);
  g_free(e->items);
  memset(e, 0, sizeof *e);
}

long
tb_find(const tb_events *e, size_t from, const char *prefix)
{
  bool contains = prefix[0] == '*';
  for (size_t i = from; i < e->n; i++) {
    const char *t = e->items[i].text;
    if (contains ? strstr(t, prefix + 1) != NULL : g_str_has_prefix(t, prefix))
      return (long)i;
  }
  return -1;
}
