/*
 * http_stub.h - a tiny HTTP/1.1 server on 127.0.0.1 for unit tests.
 *
 *   struct stub s;
 *   stub_start(&s, handler, ctx);        listens on 127.0.0.1, port 0
 *   ... requests to stub_url(&s, "/path") ...
 *   s.req[i]: what arrived (method, target, headers, body)
 *   stub_stop(&s);
 *
 * One thread accepts connections one at a time; each carries one request
 * and gets one response ("Connection: close").  The handler fills the
 * response; a status of 0 closes the connection without answering.
 */
#ifndef COSTRANK_TEST_HTTP_STUB_H
#define COSTRANK_TEST_HTTP_STUB_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "costrank/buf.h"
#include "costrank/error.h"
#include "costrank/headers.h"

#define STUB_MAX_REQ 32

struct stub_request {
	char *method;
	char *target;          /* path and query as sent */
	cr_headers headers;
	char *body;
	size_t body_len;
};

struct stub_response {
	int status;            /* 0: close without answering */
	cr_headers headers;
	cr_buf body;
};

struct stub;
typedef void (*stub_handler)(struct stub *s, const struct stub_request *rq,
			     struct stub_response *resp, void *ctx);

struct stub {
	int fd;
	int port;
	pthread_t thread;
	pthread_mutex_t mu;
	volatile bool stop;
	stub_handler handler;
	void *ctx;
	struct stub_request req[STUB_MAX_REQ];
	size_t nreq;
	char url[128];
};

__attribute__((unused)) static void stub_request_free(struct stub_request *r)
{
	free(r->method);
	free(r->target);
	free(r->body);
	cr_headers_free(&r->headers);
	memset(r, 0, sizeof *r);
}

/* Reads one request from fd into *r; 0 or -1. */
__attribute__((unused)) static int stub_read_request(int fd, struct stub_request *r)
{
	cr_buf b = CR_BUF_INIT;
	char chunk[4096];
	char *head_end = NULL, *line, *next;
	size_t head_len, want = 0;

	memset(r, 0, sizeof *r);
	for (;;) {
		ssize_t n = recv(fd, chunk, sizeof chunk, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		cr_buf_add(&b, chunk, (size_t)n);
		if (!head_end && (head_end = strstr(b.ptr, "\r\n\r\n"))) {
			const char *cl = NULL;

			head_len = (size_t)(head_end - b.ptr) + 4;
			for (char *p = b.ptr; p < head_end; p++)
				if (strncasecmp(p, "\r\ncontent-length:", 17) == 0)
					cl = p + 17;
			want = head_len + (cl ? strtoul(cl, NULL, 10) : 0);
		}
		if (head_end && b.len >= want)
			break;
	}
	if (!head_end) {
		cr_buf_release(&b);
		return -1;
	}
	head_len = (size_t)(head_end - b.ptr);
	b.ptr[head_len] = '\0';
	line = b.ptr;
	next = strstr(line, "\r\n");
	if (next)
		*next = '\0';
	{
		char *sp1 = strchr(line, ' '), *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;

		if (!sp1 || !sp2) {
			cr_buf_release(&b);
			return -1;
		}
		r->method = cr_xstrndup(line, (size_t)(sp1 - line));
		r->target = cr_xstrndup(sp1 + 1, (size_t)(sp2 - sp1 - 1));
	}
	while (next && next < b.ptr + head_len) {
		char *colon, *v;

		line = next + 2;
		next = strstr(line, "\r\n");
		if (next)
			*next = '\0';
		colon = strchr(line, ':');
		if (!colon)
			continue;
		v = colon + 1;
		while (*v == ' ')
			v++;
		cr_headers_addn(&r->headers, line, (size_t)(colon - line), v, strlen(v));
	}
	r->body_len = b.len - head_len - 4;
	r->body = cr_xstrndup(b.ptr + head_len + 4, r->body_len);
	cr_buf_release(&b);
	return 0;
}

__attribute__((unused)) static void stub_send_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

__attribute__((unused)) static void *stub_main(void *arg)
{
	struct stub *s = arg;

	while (!s->stop) {
		struct pollfd pfd = { .fd = s->fd, .events = POLLIN };
		struct stub_request rq;
		struct stub_response resp = { 0, CR_HEADERS_INIT, CR_BUF_INIT };
		cr_buf out = CR_BUF_INIT;
		int c;

		if (poll(&pfd, 1, 50) <= 0)
			continue;
		c = accept(s->fd, NULL, NULL);
		if (c < 0)
			continue;
		if (stub_read_request(c, &rq) < 0) {
			close(c);
			continue;
		}
		resp.status = 200;
		s->handler(s, &rq, &resp, s->ctx);
		/* Recorded before answering: the client may look right after. */
		pthread_mutex_lock(&s->mu);
		if (s->nreq < STUB_MAX_REQ)
			s->req[s->nreq++] = rq;
		else
			stub_request_free(&rq);
		pthread_mutex_unlock(&s->mu);
		if (resp.status) {
			cr_buf_addf(&out, "HTTP/1.1 %d X\r\nConnection: close\r\n"
				    "Content-Length: %zu\r\n", resp.status, resp.body.len);
			for (size_t i = 0; i < resp.headers.n; i++)
				cr_buf_addf(&out, "%s: %s\r\n", resp.headers.v[i].name,
					    resp.headers.v[i].value);
			cr_buf_adds(&out, "\r\n");
			if (resp.body.len)
				cr_buf_add(&out, resp.body.ptr, resp.body.len);
			stub_send_all(c, out.ptr, out.len);
		}
		shutdown(c, SHUT_WR);
		close(c);
		cr_buf_release(&out);
		cr_buf_release(&resp.body);
		cr_headers_free(&resp.headers);
	}
	return NULL;
}

/* Starts the server; 0 or -1. */
__attribute__((unused)) static int stub_start(struct stub *s, stub_handler handler, void *ctx)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof a;

	memset(s, 0, sizeof *s);
	s->handler = handler;
	s->ctx = ctx;
	pthread_mutex_init(&s->mu, NULL);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s->fd < 0 || bind(s->fd, (struct sockaddr *)&a, sizeof a) < 0 ||
	    listen(s->fd, 16) < 0 || getsockname(s->fd, (struct sockaddr *)&a, &len) < 0)
		return -1;
	s->port = ntohs(a.sin_port);
	snprintf(s->url, sizeof s->url, "http://127.0.0.1:%d", s->port);
	return pthread_create(&s->thread, NULL, stub_main, s) == 0 ? 0 : -1;
}

/* Stops the server and frees what it recorded. */
__attribute__((unused)) static void stub_stop(struct stub *s)
{
	s->stop = true;
	pthread_join(s->thread, NULL);
	close(s->fd);
	for (size_t i = 0; i < s->nreq; i++)
		stub_request_free(&s->req[i]);
	s->nreq = 0;
	pthread_mutex_destroy(&s->mu);
}

/* Requests recorded so far. */
__attribute__((unused)) static size_t stub_count(struct stub *s)
{
	size_t n;

	pthread_mutex_lock(&s->mu);
	n = s->nreq;
	pthread_mutex_unlock(&s->mu);
	return n;
}

/* A port on 127.0.0.1 where nothing listens (bound, then closed). */
__attribute__((unused)) static int stub_closed_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) < 0)
		return 9;
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

#endif
