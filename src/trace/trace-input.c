/* trace-input.c: bounded-buffer file reading with streaming zstd. */
#include "trace-input.h"
#include "trace-util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

/* The decoder reads at most this much ahead of what it has consumed. */
#define INPUT_BUFFER (256u * 1024u)
/* What a plain read asks for after a skip past bytes left in the file:
 * enough for the next batch's header, whose payload is then often skipped
 * too, so reading a whole buffer would copy mostly bytes nobody looks at
 * (they are read again, by offset, when a cursor gets there). Each later
 * read asks for twice as much, back up to INPUT_BUFFER. */
#define READ_AFTER_SKIP (4u * 1024u)

struct ta_input {
  int fd;                 /* -1 for memory input */
  int64_t base_offset;    /* offset of the first byte we deliver */
  int64_t remaining;      /* raw bytes still allowed from fd, -1 = no limit */
  const uint8_t *buf;     /* current window of decoded bytes */
  size_t pos, len;
  int64_t consumed;       /* decoded bytes before buf[0] */
  uint8_t *own;           /* our buffer for decoded bytes (file input) */
  size_t read_size;       /* what the next plain read asks for */
  /* zstd */
  ZSTD_DCtx *zctx;
  uint8_t *zin;
  ZSTD_inBuffer zbuf;
  bool zfile_eof;
  bool zframe_open;       /* a frame is started and not finished */
  bool eof;
  /* Size of a plain regular file (else -1): its bytes can be left in the
   * file and read back by offset (ta_input_pread) instead of held. */
  int64_t file_size;
  char error[256];
};

static bool
is_zstd_magic(const uint8_t *p, size_t n)
{
  return n >= 4 && p[0] == 0x28 && p[1] == 0xB5 && p[2] == 0x2F && p[3] == 0xFD;
}

static ssize_t
raw_read(ta_input *in, uint8_t *dst, size_t n)
{
  if (in->remaining >= 0 && (int64_t)n > in->remaining)
    n = (size_t)in->remaining;
  if (n == 0)
    return 0;
  for (;;) {
    ssize_t r = read(in->fd, dst, n);
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0) {
      snprintf(in->error, sizeof in->error, "read error: %s", strerror(errno));
      return -1;
    }
    if (in->remaining >= 0)
      in->remaining -= r;
    return r;
  }
}

/* Refills the decoded window; false at end of data. */
static bool
refill(ta_input *in)
{
  if (in->eof || in->fd < 0) {
    in->eof = true;
    return false;
  }
  in->consumed += (int64_t)in->len;
  in->pos = in->len = 0;
  if (!in->zctx) {
    ssize_t r = raw_read(in, in->own, in->read_size);
    if (r <= 0) {
      in->eof = true;
      return false;
    }
    in->len = (size_t)r;
    if (in->read_size < INPUT_BUFFER)
      in->read_size *= 2;
    return true;
  }
  ZSTD_outBuffer out = { in->own, INPUT_BUFFER, 0 };
  while (out.pos == 0) {
    if (in->zbuf.pos == in->zbuf.size) {
      if (in->zfile_eof) {
        if (in->zframe_open)
          snprintf(in->error, sizeof in->error,
                   "zstd stream truncated after %lld decompressed bytes",
                   (long long)in->consumed);
        in->eof = true;
        return false;
      }
      ssize_t r = raw_read(in, in->zin, ZSTD_DStreamInSize());
      if (r < 0) {
        in->eof = true;
        return false;
      }
      if (r == 0) {
        in->zfile_eof = true;
        continue;
      }
      in->zbuf.src = in->zin;
      in->zbuf.size = (size_t)r;
      in->zbuf.pos = 0;
    }
    size_t ret = ZSTD_decompressStream(in->zctx, &out, &in->zbuf);
    if (ZSTD_isError(ret)) {
      snprintf(in->error, sizeof in->error, "zstd decompression failed after %lld bytes: %s",
               (long long)(in->consumed + (int64_t)out.pos), ZSTD_getErrorName(ret));
      in->eof = true;
      break;
    }
    in->zframe_open = ret != 0;
  }
  in->len = out.pos;
  return in->len > 0;
}

static ta_input *
input_from_fd(int fd, int64_t offset, int64_t len, bool allow_zstd)
{
  ta_input *in = ta_xcalloc(1, sizeof *in);
  in->fd = fd;
  in->base_offset = offset;
  in->remaining = len;
  in->own = ta_xmalloc(INPUT_BUFFER);
  in->read_size = INPUT_BUFFER;
  in->buf = in->own;
  in->file_size = -1;
  /* Peek at the first bytes to pick plain or zstd. */
  ssize_t r = raw_read(in, in->own, INPUT_BUFFER);
  if (r < 0)
    r = 0;
  if (allow_zstd && is_zstd_magic(in->own, (size_t)r)) {
    in->zctx = ZSTD_createDCtx();
    in->zin = ta_xmalloc(ZSTD_DStreamInSize() > (size_t)r ? ZSTD_DStreamInSize() : (size_t)r);
    memcpy(in->zin, in->own, (size_t)r);
    in->zbuf.src = in->zin;
    in->zbuf.size = (size_t)r;
    in->zbuf.pos = 0;
    in->len = 0;
    refill(in);
    in->consumed = 0;
  } else {
    in->len = (size_t)r;
    if (r == 0)
      in->eof = true;
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
      in->file_size = st.st_size;
  }
  return in;
}

ta_input *
ta_input_open_path(const char *path, char *msg, size_t msg_len)
{
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    snprintf(msg, msg_len, "cannot open %s: %s", path, strerror(errno));
    return NULL;
  }
  struct stat st;
  if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    snprintf(msg, msg_len, "cannot read %s: it is a directory, not a trace file", path);
    close(fd);
    return NULL;
  }
  posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  return input_from_fd(fd, 0, -1, true);
}

ta_input *
ta_input_open_range(const char *path, int64_t offset, int64_t len, char *msg, size_t msg_len)
{
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    snprintf(msg, msg_len, "cannot open %s: %s", path, strerror(errno));
    return NULL;
  }
  if (lseek(fd, offset, SEEK_SET) != offset) {
    snprintf(msg, msg_len, "cannot seek %s to byte %lld: %s", path, (long long)offset, strerror(errno));
    close(fd);
    return NULL;
  }
  return input_from_fd(fd, offset, len, false);
}

ta_input *
ta_input_open_memory(const void *data, size_t len)
{
  ta_input *in = ta_xcalloc(1, sizeof *in);
  in->fd = -1;
  in->remaining = -1;
  in->buf = data;
  in->len = len;
  in->eof = len == 0;
  in->file_size = -1;
  return in;
}

void
ta_input_close(ta_input *in)
{
  if (!in)
    return;
  if (in->fd >= 0)
    close(in->fd);
  if (in->zctx)
    ZSTD_freeDCtx(in->zctx);
  free(in->zin);
  free(in->own);
  free(in);
}

int
ta_input_getc(ta_input *in)
{
  if (in->pos == in->len && !refill(in))
    return -1;
  return in->buf[in->pos++];
}

size_t
ta_input_read(ta_input *in, void *dst, size_t n)
{
  uint8_t *d = dst;
  size_t done = 0;
  while (done < n) {
    if (in->pos == in->len && !refill(in))
      break;
    size_t k = in->len - in->pos;
    if (k > n - done)
      k = n - done;
    memcpy(d + done, in->buf + in->pos, k);
    in->pos += k;
    done += k;
  }
  return done;
}

bool
ta_input_unread(ta_input *in, size_t n)
{
  if (n > in->pos)
    return false;
  in->pos -= n;
  return true;
}

int64_t
ta_input_offset(const ta_input *in)
{
  return in->base_offset + in->consumed + (int64_t)in->pos;
}

const char *
ta_input_error(const ta_input *in)
{
  return in->error[0] ? in->error : NULL;
}

bool
ta_input_is_compressed(const ta_input *in)
{
  return in->zctx != NULL;
}

bool
ta_input_can_skip(const ta_input *in, size_t n)
{
  if (in->file_size < 0)
    return false;
  int64_t at = ta_input_offset(in);
  int64_t limit = in->remaining < 0 ? in->file_size
                                    : at + (int64_t)(in->len - in->pos) + in->remaining;
  return at + (int64_t)n <= limit && at + (int64_t)n <= in->file_size;
}

bool
ta_input_skip(ta_input *in, size_t n)
{
  size_t buffered = in->len - in->pos;
  if (n <= buffered) {
    in->pos += n;
    return true;
  }
  int64_t ahead = (int64_t)(n - buffered);
  if (lseek(in->fd, ahead, SEEK_CUR) < 0) {
    snprintf(in->error, sizeof in->error, "seek error: %s", strerror(errno));
    in->eof = true;
    return false;
  }
  in->consumed += (int64_t)in->len + ahead;
  in->pos = in->len = 0;
  in->read_size = READ_AFTER_SKIP;
  if (in->remaining >= 0)
    in->remaining -= ahead;
  return true;
}

size_t
ta_input_pread(const ta_input *in, int64_t offset, void *dst, size_t n)
{
  size_t done = 0;
  while (done < n) {
    ssize_t r = pread(in->fd, (uint8_t *)dst + done, n - done, offset + (int64_t)done);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      break;
    done += (size_t)r;
  }
  return done;
}
