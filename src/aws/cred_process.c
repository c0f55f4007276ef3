/* cred_process.c - see costrank/cred_process.h */
#include "costrank/cred_process.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "costrank/buf.h"
#include "costrank/cred_common.h"
#include "costrank/headers.h"

/* ---- words ---------------------------------------------------------------- */

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

void cr_cred_process_free(char **argv)
{
	if (!argv)
		return;
	for (char **p = argv; *p; p++)
		cr_free_secret(*p);
	free(argv);
}

int cr_cred_process_split(const char *cmd, const char *what, char ***argv, cr_error *err)
{
	cr_buf w = CR_BUF_INIT;
	char **v = cr_xcalloc(1, sizeof *v);
	size_t n = 0;
	bool in_word = false;
	const char *p = cmd, *problem = NULL;

	*argv = NULL;
	for (;;) {
		if (!*p || blank(*p)) {
			if (in_word) {
				v = cr_xrealloc(v, (n + 2) * sizeof *v);
				v[n++] = cr_buf_detach(&w);
				v[n] = NULL;
				in_word = false;
			}
			if (!*p)
				break;
			p++;
			continue;
		}
		in_word = true;
		if (*p == '\'') {
			const char *end = strchr(p + 1, '\'');

			if (!end) {
				problem = "an unterminated quote";
				break;
			}
			cr_buf_add(&w, p + 1, (size_t)(end - p - 1));
			p = end + 1;
		} else if (*p == '"') {
			for (p++; *p && *p != '"'; p++) {
				if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
					p++;
				cr_buf_addc(&w, *p);
			}
			if (!*p) {
				problem = "an unterminated quote";
				break;
			}
			p++;
		} else if (*p == '\\') {
			if (!p[1]) {
				problem = "a backslash at its end";
				break;
			}
			cr_buf_addc(&w, p[1]);
			p += 2;
		} else {
			cr_buf_addc(&w, *p++);
		}
	}
	if (problem) {
		cr_wipe(w.ptr, w.len);
		cr_buf_release(&w);
		cr_cred_process_free(v);
		return cr_error_set(err, CR_EXIT_AUTH, "%s has %s", what, problem);
	}
	*argv = v;
	return (int)n;
}

/* ---- the child ---------------------------------------------------------------- */

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct child {
	pid_t pid;
	int status;
	bool timed_out, too_big, lost;  /* lost: waitpid failed */
};

/* Makes room for extra more bytes in b like cr_buf_grow, but wipes the old
 * memory instead of leaving it to realloc: the output holds secrets. */
static void grow_wiped(cr_buf *b, size_t extra)
{
	char *p;

	if (b->ptr && b->len + extra + 1 <= b->cap)
		return;
	b->cap = b->cap * 2 > b->len + extra + 1 ? b->cap * 2 : b->len + extra + 1;
	p = cr_xmalloc(b->cap);
	if (b->ptr) {
		memcpy(p, b->ptr, b->len + 1);
		cr_wipe(b->ptr, b->len);
		free(b->ptr);
	} else {
		p[0] = '\0';
	}
	b->ptr = p;
}

/* Reads the child's stdout from fd into out until end of file, the cap or
 * the deadline. */
static void read_output(int fd, long long deadline, cr_buf *out, struct child *ch)
{
	for (;;) {
		long long left = deadline - now_ms();
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;
		int r;

		if (left <= 0) {
			ch->timed_out = true;
			return;
		}
		r = poll(&pfd, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (r < 0 && errno != EINTR)
			return;
		if (r <= 0)
			continue;
		grow_wiped(out, 4096);
		n = read(fd, out->ptr + out->len, out->cap - out->len - 1);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return;
		out->len += (size_t)n;
		out->ptr[out->len] = '\0';
		if (out->len > CR_CRED_PROCESS_MAX_OUTPUT) {
			ch->too_big = true;
			return;
		}
	}
}

/* Waits for the child until the deadline; kills it when it runs past it or
 * has already failed. */
static void reap(long long deadline, struct child *ch)
{
	while (!ch->timed_out && !ch->too_big) {
		struct timespec ts = { 0, 10 * 1000000L };
		pid_t w = waitpid(ch->pid, &ch->status, WNOHANG);

		if (w == ch->pid)
			return;
		if (w < 0 && errno != EINTR) {
			ch->lost = true;
			return;
		}
		if (now_ms() >= deadline)
			ch->timed_out = true;
		else
			nanosleep(&ts, NULL);
	}
	kill(ch->pid, SIGKILL);
	while (waitpid(ch->pid, &ch->status, 0) < 0 && errno == EINTR)
		;
}

/* Runs argv with stdin from /dev/null and stdout into out.  0, or -1 with
 * err set when it cannot be started. */
static int run_child(char **argv, long timeout_ms, const char *what, cr_buf *out,
		     struct child *ch, cr_error *err)
{
	posix_spawn_file_actions_t fa;
	long long deadline = now_ms() + timeout_ms;
	int fds[2], e;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return cr_error_errno(err, CR_EXIT_AUTH, errno, "%s", what);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
	e = posix_spawnp(&ch->pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	if (e) {
		close(fds[0]);
		return cr_error_errno(err, CR_EXIT_AUTH, e, "%s could not be started", what);
	}
	read_output(fds[0], deadline, out, ch);
	close(fds[0]);
	reap(deadline, ch);
	return 0;
}

/* ---- the credentials ---------------------------------------------------------------- */

/* The output's credentials into *out; 0 or -1. */
static int parse_output(const cr_buf *o, const char *what, const char *src, time_t now,
			cr_aws_credentials *out, cr_error *err)
{
	json_t *doc = cr_cred_json_load(o->ptr, o->len);
	json_t *version = json_object_get(doc, "Version");
	int rc = -1;

	if (!json_is_object(doc))
		cr_error_set(err, CR_EXIT_AUTH, "%s did not print a JSON object", what);
	else if (!json_is_integer(version) || json_integer_value(version) != 1)
		cr_error_set(err, CR_EXIT_AUTH, "%s printed an unsupported Version (must be 1)",
			     what);
	else if (cr_cred_from_json(doc, "SessionToken", what, src, out, err) == 0)
		rc = 0;
	cr_cred_json_free(doc);
	if (rc == 0 && out->expiration && out->expiration <= now) {
		char t[CR_AWS_TIME_STRLEN];

		cr_aws_time_format(out->expiration, t);
		cr_aws_credentials_clear(out);
		rc = cr_error_set(err, CR_EXIT_AUTH, "%s returned credentials that expired at %s",
				  what, t);
	}
	return rc;
}

int cr_cred_process_run(const char *cmd, const char *profile, long timeout_ms, time_t now,
			cr_aws_credentials *out, cr_error *err)
{
	cr_buf o = CR_BUF_INIT;
	struct child ch = { 0 };
	char what[400], src[400], **argv = NULL;
	int argc, rc = -1;

	memset(out, 0, sizeof *out);
	if (timeout_ms <= 0)
		timeout_ms = CR_CRED_PROCESS_TIMEOUT_MS;
	if (!now)
		now = time(NULL);
	snprintf(what, sizeof what, "profile '%.100s': credential_process", profile);
	argc = cr_cred_process_split(cmd, what, &argv, err);
	if (argc < 0)
		return -1;
	if (argc == 0) {
		cr_cred_process_free(argv);
		return cr_error_set(err, CR_EXIT_AUTH, "%s is empty", what);
	}
	/* Only argv[0] is named: the arguments may be secrets. */
	snprintf(what, sizeof what, "profile '%.100s': credential_process %.200s", profile,
		 argv[0]);
	snprintf(src, sizeof src, "credential_process %.200s (profile '%.100s')", argv[0],
		 profile);
	if (run_child(argv, timeout_ms, what, &o, &ch, err) < 0)
		goto out;
	if (ch.timed_out) {
		cr_error_set(err, CR_EXIT_AUTH, "%s did not finish within %ld %s and was killed",
			     what, timeout_ms % 1000 ? timeout_ms : timeout_ms / 1000,
			     timeout_ms % 1000 ? "ms" : "s");
	} else if (ch.too_big) {
		cr_error_set(err, CR_EXIT_AUTH, "%s printed more than %u bytes and was killed",
			     what, CR_CRED_PROCESS_MAX_OUTPUT);
	} else if (ch.lost) {
		cr_error_set(err, CR_EXIT_AUTH, "%s: its exit status is unknown", what);
	} else if (WIFSIGNALED(ch.status)) {
		cr_error_set(err, CR_EXIT_AUTH, "%s was killed by signal %d", what,
			     WTERMSIG(ch.status));
	} else if (!WIFEXITED(ch.status) || WEXITSTATUS(ch.status) != 0) {
		cr_error_set(err, CR_EXIT_AUTH, "%s exited with status %d", what,
			     WIFEXITED(ch.status) ? WEXITSTATUS(ch.status) : -1);
	} else {
		rc = parse_output(&o, what, src, now, out, err);
	}
out:
	cr_wipe(o.ptr, o.len);
	cr_buf_release(&o);
	cr_cred_process_free(argv);
	return rc;
}
