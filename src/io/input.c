/*
 * input.c - see costrank/input.h
 *
 * Two layers:
 *   - the raw source: a file descriptor read with read(2) into a large
 *     buffer (the first bytes are peeked there at open to spot gzip);
 *   - the decoder: either a plain copy, or zlib inflate over the raw
 *     buffer, member after member.
 *
 * All decoder state lives in struct gz_decoder and is driven only through
 * gz_decode(), which fills a caller's buffer and reports progress in
 * compressed bytes.
 *
 * Inflating costs more than parsing what it produces, so a gzip input
 * inflates on a thread of its own: the producer fills a ring of RING_BLOCKS
 * blocks, and cr_input_read drains them in order while the caller parses;
 * the two overlap on two cores.  The end of the data and errors travel
 * through the ring behind the data before them, so the caller sees exactly
 * what a synchronous decoder would give.  If the thread cannot be started,
 * the decoder runs synchronously.
 */
#include "costrank/input.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>
#include <zlib.h>

#include "costrank/error.h"
#include "costrank/s3.h"
#include "io/input_seek.h"

#define RAW_BUF_SIZE (256u << 10) /* compressed bytes read at a time */
#define MAX_INFLATE_OUT (1u << 30) /* zlib counts in uInt */
#define RING_BLOCKS 4
#define RING_BLOCK (1u << 20)     /* decompressed bytes per block */

enum gz_state {
	GZ_MEMBER,   /* inside a gzip member: more compressed data expected */
	GZ_BETWEEN,  /* a member ended: another one, padding or the end */
	GZ_PADDING,  /* trailing zero bytes after the last member */
	GZ_DONE,     /* clean end of the data */
	GZ_FAILED    /* an error was reported; it is reported again */
};

struct gz_decoder {
	z_stream zs;
	bool zs_ready;
	enum gz_state state;
};

/* A block of the ring: data (len > 0), or the end (len 0, status 0), or
 * an error (status -1). */
struct ring_block {
	unsigned char *data;
	size_t len;
	int status;
};

struct gz_thread {
	pthread_t tid;
	pthread_mutex_t mu;
	pthread_cond_t filled;     /* the producer published a block */
	pthread_cond_t emptied;    /* the consumer released one */
	struct ring_block blk[RING_BLOCKS];
	unsigned head, tail;       /* blocks taken and published, counting up */
	bool stop;                 /* cr_input_close: the producer quits */
	size_t off;                /* consumer's offset in block head */
	cr_error error;            /* the producer's error */
};

struct cr_input {
	char *path;
	int fd;
	cr_s3_stream *s3;      /* an s3:// object, read instead of fd */
	bool own_fd;
	bool gzip;
	bool raw_eof;          /* read(2) returned 0 */
	int64_t size;          /* on disk, -1 when unknown */
	_Atomic int64_t pos;   /* compressed (on disk) bytes consumed */
	unsigned char *raw;    /* RAW_BUF_SIZE bytes */
	size_t raw_off;        /* unconsumed raw bytes are raw[raw_off..raw_len) */
	size_t raw_len;
	struct gz_decoder gz;
	cr_error failure;      /* the error reported, for later calls */
	struct gz_thread *th;  /* the producer, when one runs */
	zip_t *zip;            /* a ZIP archive (AWS's ZIP compression) */
	zip_file_t *zf;        /* its one member */
	int64_t zip_total;     /* the member's uncompressed size */
	int64_t zip_done;      /* uncompressed bytes read */
};

/* Only the decoding thread moves pos; others read it for progress. */
static inline void pos_add(cr_input *in, int64_t n)
{
	atomic_store_explicit(&in->pos,
			      atomic_load_explicit(&in->pos, memory_order_relaxed) + n,
			      memory_order_relaxed);
}

/* ---- raw source ------------------------------------------------------- */

static ssize_t read_fd(cr_input *in, void *buf, size_t n, cr_error *err)
{
	ssize_t got;

	if (n > (size_t)SSIZE_MAX)
		n = (size_t)SSIZE_MAX;
	if (in->s3) {
		got = cr_s3_stream_read(in->s3, buf, n, err);
		if (got == 0)
			in->raw_eof = true;
		return got;
	}
	do
		got = read(in->fd, buf, n);
	while (got < 0 && errno == EINTR);
	if (got < 0)
		return cr_error_errno(err, CR_EXIT_INPUT, errno, "%s: read error", in->path);
	if (got == 0)
		in->raw_eof = true;
	return got;
}

/* Replaces the (fully consumed) raw buffer with the next bytes of the file. */
static int raw_refill(cr_input *in, cr_error *err)
{
	ssize_t got;

	in->raw_off = in->raw_len = 0;
	if (in->raw_eof)
		return 0;
	got = read_fd(in, in->raw, RAW_BUF_SIZE, err);
	if (got < 0)
		return -1;
	in->raw_len = (size_t)got;
	return 0;
}

/* ---- gzip decoder ----------------------------------------------------- */

static int gz_fail(cr_input *in, cr_error *err, int code, const char *what, const char *detail)
{
	in->gz.state = GZ_FAILED;
	cr_error_clear(&in->failure);
	if (detail)
		cr_error_set(&in->failure, code, "%s: %s: %s", in->path, what, detail);
	else
		cr_error_set(&in->failure, code, "%s: %s", in->path, what);
	return cr_error_set(err, in->failure.code, "%s", in->failure.msg);
}

static int gz_init(cr_input *in, cr_error *err)
{
	memset(&in->gz.zs, 0, sizeof in->gz.zs);
	if (inflateInit2(&in->gz.zs, 16 + MAX_WBITS) != Z_OK)
		return cr_error_set(err, CR_EXIT_INTERNAL, "%s: cannot initialise zlib: %s",
		                    in->path, in->gz.zs.msg ? in->gz.zs.msg : "out of memory");
	in->gz.zs_ready = true;
	in->gz.state = GZ_MEMBER;
	return 0;
}

/* Reads more compressed bytes; a read error fails the decoder for good. */
static int gz_refill(cr_input *in, cr_error *err)
{
	cr_error rerr;

	cr_error_clear(&rerr);
	if (raw_refill(in, &rerr) == 0)
		return 0;
	in->gz.state = GZ_FAILED;
	in->failure = rerr;
	return cr_error_set(err, rerr.code, "%s", rerr.msg);
}

/*
 * Decodes up to n bytes into out: > 0 bytes, 0 at the clean end of the
 * last member (and of any zero padding after it), -1 on error.
 */
static ssize_t gz_decode(cr_input *in, unsigned char *out, size_t n, cr_error *err)
{
	z_stream *zs = &in->gz.zs;

	if (n > MAX_INFLATE_OUT)
		n = MAX_INFLATE_OUT;
	for (;;) {
		switch (in->gz.state) {
		case GZ_MEMBER: {
			size_t avail, used, produced;
			int ret;

			if (in->raw_off == in->raw_len && !in->raw_eof && gz_refill(in, err) < 0)
				return -1;
			avail = in->raw_len - in->raw_off;
			zs->next_in = in->raw + in->raw_off;
			zs->avail_in = (uInt)avail;
			zs->next_out = out;
			zs->avail_out = (uInt)n;
			ret = inflate(zs, Z_NO_FLUSH);
			used = avail - zs->avail_in;
			in->raw_off += used;
			pos_add(in, (int64_t)used);
			produced = n - zs->avail_out;
			if (ret == Z_STREAM_END) {
				in->gz.state = GZ_BETWEEN;
				if (produced)
					return (ssize_t)produced;
				continue;
			}
			if (ret == Z_OK || ret == Z_BUF_ERROR) {
				if (produced)
					return (ssize_t)produced;
				if (in->raw_off == in->raw_len && in->raw_eof)
					return gz_fail(in, err, CR_EXIT_INPUT,
					               "truncated gzip data (unexpected end of file)", NULL);
				continue;
			}
			if (ret == Z_MEM_ERROR)
				return gz_fail(in, err, CR_EXIT_INTERNAL, "out of memory in zlib", NULL);
			return gz_fail(in, err, CR_EXIT_INPUT, "corrupt gzip data",
			               zs->msg ? zs->msg :
			               ret == Z_NEED_DICT ? "preset dictionary required" : "invalid data");
		}
		case GZ_BETWEEN:
			if (in->raw_off == in->raw_len) {
				if (in->raw_eof) {
					in->gz.state = GZ_DONE;
					return 0;
				}
				if (gz_refill(in, err) < 0)
					return -1;
				continue;
			}
			if (in->raw[in->raw_off] == 0) {
				in->gz.state = GZ_PADDING;
				continue;
			}
			/* Another member follows (concatenated gzip files). */
			if (inflateReset(zs) != Z_OK)
				return gz_fail(in, err, CR_EXIT_INTERNAL, "cannot reset zlib", NULL);
			in->gz.state = GZ_MEMBER;
			continue;
		case GZ_PADDING:
			while (in->raw_off < in->raw_len && in->raw[in->raw_off] == 0) {
				in->raw_off++;
				pos_add(in, 1);
			}
			if (in->raw_off < in->raw_len)
				return gz_fail(in, err, CR_EXIT_INPUT, "corrupt gzip data",
				               "unexpected data after trailing zero padding");
			if (in->raw_eof) {
				in->gz.state = GZ_DONE;
				return 0;
			}
			if (gz_refill(in, err) < 0)
				return -1;
			continue;
		case GZ_DONE:
			return 0;
		case GZ_FAILED:
			return cr_error_set(err, in->failure.code, "%s", in->failure.msg);
		}
	}
}

/* ---- plain decoder ---------------------------------------------------- */

static ssize_t plain_read(cr_input *in, void *buf, size_t n, cr_error *err)
{
	ssize_t got;

	/* The bytes peeked at open come first. */
	if (in->raw_off < in->raw_len) {
		size_t k = in->raw_len - in->raw_off;
		if (k > n)
			k = n;
		memcpy(buf, in->raw + in->raw_off, k);
		in->raw_off += k;
		pos_add(in, (int64_t)k);
		return (ssize_t)k;
	}
	if (in->raw_eof)
		return 0;
	got = read_fd(in, buf, n, err);
	if (got > 0)
		pos_add(in, got);
	return got;
}

/* ---- ZIP archive ------------------------------------------------------ */

/* "PK\3\4": a local file header, the start of a ZIP archive; "PK\5\6":
 * the end record of an empty one. */
static bool zip_magic(const cr_input *in)
{
	return in->raw_len >= 4 && (memcmp(in->raw, "PK\3\4", 4) == 0 ||
				    memcmp(in->raw, "PK\5\6", 4) == 0);
}

/*
 * Opens the archive on in->fd (which libzip then owns) and its one member:
 * AWS compresses each part into an archive of one CSV file.
 */
static int zip_start(cr_input *in, cr_error *err)
{
	zip_error_t ze;
	zip_stat_t st;
	zip_int64_t n;
	int code = 0;

	in->zip = zip_fdopen(in->fd, ZIP_RDONLY | ZIP_CHECKCONS, &code);
	if (!in->zip) {
		zip_error_init_with_code(&ze, code);
		cr_error_set(err, CR_EXIT_INPUT, "%s: corrupt ZIP data: %s", in->path,
			     zip_error_strerror(&ze));
		zip_error_fini(&ze);
		return -1;
	}
	in->own_fd = false;   /* zip_close closes it */
	n = zip_get_num_entries(in->zip, 0);
	if (n != 1)
		return cr_error_set(err, CR_EXIT_INPUT, "%s: a ZIP archive of %lld files; a billing "
				    "part holds exactly one", in->path, (long long)n);
	zip_stat_init(&st);
	in->zf = zip_fopen_index(in->zip, 0, 0);
	if (!in->zf || zip_stat_index(in->zip, 0, 0, &st) < 0)
		return cr_error_set(err, CR_EXIT_INPUT, "%s: corrupt ZIP data: %s", in->path,
				    zip_strerror(in->zip));
	in->zip_total = (st.valid & ZIP_STAT_SIZE) ? (int64_t)st.size : -1;
	return 0;
}

static ssize_t zip_read_some(cr_input *in, void *buf, size_t n, cr_error *err)
{
	zip_int64_t got = zip_fread(in->zf, buf, n);

	if (got < 0)
		return cr_error_set(err, CR_EXIT_INPUT, "%s: corrupt ZIP data: %s", in->path,
				    zip_file_strerror(in->zf));
	in->zip_done += got;
	/* progress in bytes of the archive, in proportion */
	if (in->zip_total > 0 && in->size > 0)
		atomic_store_explicit(&in->pos, in->size * (in->zip_done > in->zip_total ? 1 :
				      (double)in->zip_done / (double)in->zip_total) + 0.5,
				      memory_order_relaxed);
	return (ssize_t)got;
}

/* ---- inflating thread ------------------------------------------------- */

static void *gz_producer(void *arg)
{
	cr_input *in = arg;
	struct gz_thread *th = in->th;

	for (;;) {
		struct ring_block *b;
		size_t len = 0;
		ssize_t got = 0;
		cr_error e;

		pthread_mutex_lock(&th->mu);
		while (th->tail - th->head == RING_BLOCKS && !th->stop)
			pthread_cond_wait(&th->emptied, &th->mu);
		if (th->stop) {
			pthread_mutex_unlock(&th->mu);
			return NULL;
		}
		b = &th->blk[th->tail % RING_BLOCKS];
		pthread_mutex_unlock(&th->mu);

		/* Fill the block; an end or error after some data is met
		 * again on the next round (gz_decode repeats them). */
		cr_error_clear(&e);
		while (len < RING_BLOCK) {
			got = gz_decode(in, b->data + len, RING_BLOCK - len, &e);
			if (got <= 0)
				break;
			len += (size_t)got;
		}
		pthread_mutex_lock(&th->mu);
		b->len = len;
		b->status = len ? 1 : got < 0 ? -1 : 0;
		if (b->status < 0)
			th->error = e;
		th->tail++;
		pthread_cond_signal(&th->filled);
		pthread_mutex_unlock(&th->mu);
		if (b->status <= 0)
			return NULL;
	}
}

static void gz_thread_start(cr_input *in)
{
	struct gz_thread *th = cr_xcalloc(1, sizeof *th);

	for (int i = 0; i < RING_BLOCKS; i++)
		th->blk[i].data = cr_xmalloc(RING_BLOCK);
	pthread_mutex_init(&th->mu, NULL);
	pthread_cond_init(&th->filled, NULL);
	pthread_cond_init(&th->emptied, NULL);
	in->th = th;
	if (pthread_create(&th->tid, NULL, gz_producer, in) != 0) {
		/* no thread: decode synchronously */
		in->th = NULL;
		pthread_mutex_destroy(&th->mu);
		pthread_cond_destroy(&th->filled);
		pthread_cond_destroy(&th->emptied);
		for (int i = 0; i < RING_BLOCKS; i++)
			free(th->blk[i].data);
		free(th);
	}
}

static void gz_thread_stop(cr_input *in)
{
	struct gz_thread *th = in->th;

	pthread_mutex_lock(&th->mu);
	th->stop = true;
	pthread_cond_signal(&th->emptied);
	pthread_mutex_unlock(&th->mu);
	pthread_join(th->tid, NULL);
	pthread_mutex_destroy(&th->mu);
	pthread_cond_destroy(&th->filled);
	pthread_cond_destroy(&th->emptied);
	for (int i = 0; i < RING_BLOCKS; i++)
		free(th->blk[i].data);
	free(th);
	in->th = NULL;
}

/* Drains the ring: the consumer's side of cr_input_read. */
static ssize_t ring_read(cr_input *in, void *buf, size_t n, cr_error *err)
{
	struct gz_thread *th = in->th;
	struct ring_block *b;
	size_t k;

	pthread_mutex_lock(&th->mu);
	while (th->head == th->tail)
		pthread_cond_wait(&th->filled, &th->mu);
	b = &th->blk[th->head % RING_BLOCKS];
	pthread_mutex_unlock(&th->mu);
	/* the end and errors stay in place, to be reported again */
	if (b->status < 0)
		return cr_error_set(err, th->error.code, "%s", th->error.msg);
	if (b->status == 0)
		return 0;
	k = b->len - th->off;
	if (k > n)
		k = n;
	memcpy(buf, b->data + th->off, k);
	th->off += k;
	if (th->off == b->len) {
		th->off = 0;
		pthread_mutex_lock(&th->mu);
		th->head++;
		pthread_cond_signal(&th->emptied);
		pthread_mutex_unlock(&th->mu);
	}
	return (ssize_t)k;
}

/* ---- public interface ------------------------------------------------- */

/* Peeks at the first bytes to spot gzip and starts the decoder. */
static cr_input *input_start(cr_input *in, cr_error *err)
{
	in->raw = cr_xmalloc(RAW_BUF_SIZE);
	/* Peek: at least two bytes, unless the data is shorter. */
	while (in->raw_len < 2 && !in->raw_eof) {
		ssize_t got = read_fd(in, in->raw + in->raw_len, RAW_BUF_SIZE - in->raw_len, err);
		if (got < 0) {
			cr_input_close(in);
			return NULL;
		}
		in->raw_len += (size_t)got;
	}
	in->gzip = in->raw_len >= 2 && in->raw[0] == 0x1f && in->raw[1] == 0x8b;
	if (in->s3 && zip_magic(in)) {
		/* libzip reads the central directory at the end first */
		cr_error_set(err, CR_EXIT_INPUT, "%s: ZIP-compressed objects are not read from S3: "
			     "copy them to disk, or choose GZIP compression for the export",
			     in->path);
		cr_input_close(in);
		return NULL;
	}
	if (zip_magic(in) && zip_start(in, err) < 0) {
		cr_input_close(in);
		return NULL;
	}
	if (in->gzip && gz_init(in, err) < 0) {
		cr_input_close(in);
		return NULL;
	}
	if (in->gzip)
		gz_thread_start(in);
	return in;
}

/* An s3:// object, streamed (s3.h). */
static cr_input *s3_open(const char *path, cr_error *err)
{
	cr_s3_stream *s = cr_s3_stream_open(path, err);
	cr_input *in;

	if (!s)
		return NULL;
	in = cr_xcalloc(1, sizeof *in);
	in->path = cr_xstrdup(path);
	in->fd = -1;
	in->s3 = s;
	in->size = cr_s3_stream_size(s);
	return input_start(in, err);
}

cr_input *cr_input_open(const char *path, cr_error *err)
{
	cr_input *in;
	struct stat st;
	bool is_stdin = strcmp(path, "-") == 0;
	int fd;

	if (cr_s3_is_url(path))
		return s3_open(path, err);
	if (is_stdin) {
		fd = STDIN_FILENO;
	} else {
		do
			fd = open(path, O_RDONLY | O_CLOEXEC);
		while (fd < 0 && errno == EINTR);
		if (fd < 0) {
			cr_error_errno(err, CR_EXIT_INPUT, errno, "%s: cannot open", path);
			return NULL;
		}
	}
	if (fstat(fd, &st) < 0) {
		cr_error_errno(err, CR_EXIT_INPUT, errno, "%s: cannot open", path);
		if (!is_stdin)
			close(fd);
		return NULL;
	}
	if (S_ISDIR(st.st_mode)) {
		cr_error_errno(err, CR_EXIT_INPUT, EISDIR, "%s: cannot read", path);
		if (!is_stdin)
			close(fd);
		return NULL;
	}

	in = cr_xcalloc(1, sizeof *in);
	in->path = cr_xstrdup(path);
	in->fd = fd;
	in->own_fd = !is_stdin;
	in->size = S_ISREG(st.st_mode) ? (int64_t)st.st_size : -1;
	if (S_ISREG(st.st_mode))
		(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	return input_start(in, err);
}

ssize_t cr_input_read(cr_input *in, void *buf, size_t n, cr_error *err)
{
	if (n == 0)
		return 0;
	if (in->th)
		return ring_read(in, buf, n, err);
	if (in->zip)
		return zip_read_some(in, buf, n, err);
	if (in->gzip)
		return gz_decode(in, buf, n, err);
	return plain_read(in, buf, n, err);
}

int cr_input_seek(cr_input *in, int64_t offset, cr_error *err)
{
	if (in->gzip || in->zip || in->s3 || in->size < 0 || offset < 0 || offset > in->size)
		return cr_error_set(err, CR_EXIT_INTERNAL, "%s: cannot seek here", in->path);
	if (lseek(in->fd, (off_t)offset, SEEK_SET) < 0)
		return cr_error_errno(err, CR_EXIT_INPUT, errno, "%s: cannot seek", in->path);
	in->raw_off = in->raw_len = 0;
	in->raw_eof = false;
	atomic_store_explicit(&in->pos, offset, memory_order_relaxed);
	return 0;
}

const char *cr_input_path(const cr_input *in)
{
	return in->path;
}

bool cr_input_is_gzip(const cr_input *in)
{
	return in->gzip;
}

bool cr_input_is_compressed(const cr_input *in)
{
	return in->gzip || in->zip;
}

int64_t cr_input_file_size(const cr_input *in)
{
	return in->size;
}

int64_t cr_input_file_pos(const cr_input *in)
{
	return atomic_load_explicit(&in->pos, memory_order_relaxed);
}

void cr_input_close(cr_input *in)
{
	if (!in)
		return;
	if (in->th)
		gz_thread_stop(in);
	if (in->gz.zs_ready)
		inflateEnd(&in->gz.zs);
	if (in->zf)
		zip_fclose(in->zf);
	if (in->zip)
		zip_discard(in->zip);   /* read only: closes the descriptor */
	if (in->own_fd)
		close(in->fd);
	cr_s3_stream_close(in->s3);
	free(in->raw);
	free(in->path);
	free(in);
}
