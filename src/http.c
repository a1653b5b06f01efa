/*
 * http.c - the development server: static files, the Host and path
 * checks, the reload script and its event stream.
 */
#define _GNU_SOURCE
#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "theme.h"
#include "util.h"

/* Open event streams (one per open page) at most.  A stream waiting for
 * an event is suspended: it costs a socket and takes no request slot. */
#define HTTP_MAX_STREAMS 1024
/* Connections at most, streams included.  One thread serves them all
 * without blocking, so slow clients hold no thread. */
#define HTTP_MAX_CONNECTIONS 4096
/* Seconds a client has to send a whole request head, however it
 * trickles: past it the connection is dropped. */
#define HTTP_HEAD_TIMEOUT 10
/* Events kept for streams that fall behind; further back they reload. */
#define HTTP_RING 16
/* Seconds between the comments that keep an idle event stream open. */
#define HTTP_HEARTBEAT 15
/* Files larger than this are sent from their descriptor. */
#define HTTP_READ_MAX (16u << 20)

struct http {
	struct MHD_Daemon *daemon;
	int listen_fd;
	unsigned port;
	char *url;
	char *root;                     /* real path of the folder served */
	char **hosts;                   /* Host names accepted, NULL ended */
	bool any_ip;                    /* listening on every address */

	pthread_mutex_t lock;           /* guards what follows */
	pthread_cond_t cond;            /* signalled on each event and at stop */
	unsigned long long gen;         /* which site the folder holds */
	unsigned long long seq;         /* events published so far */
	char *ring[HTTP_RING];          /* event seq is ring[seq % HTTP_RING] */
	char *failed;                   /* errors JSON while the last build failed */
	unsigned streams;               /* open event streams */
	struct stream *stream_list;     /* open event streams */
	struct conn *conns;             /* open connections */
	bool stopping;
	pthread_t ticker;               /* heartbeats, closed pages, slow heads */
	bool ticking;
};

/* One open event stream. */
struct stream {
	http *h;
	struct MHD_Connection *c;
	int fd;                         /* its socket, to notice a closed page */
	unsigned long long seq;         /* the last event it has */
	struct buf out;                 /* still to send */
	size_t off;
	double sent;                    /* when it last sent something (s) */
	bool suspended;                 /* waiting for an event, out of the loop */
	bool gone;                      /* the page went away */
	struct stream *prev, *next;
};

/* One open connection, for the request head's time limit. */
struct conn {
	int fd;
	double start;                   /* when its current request began (s) */
	bool head;                      /* its request head is complete */
	bool cut;                       /* shut down for taking too long */
	struct conn *prev, *next;
};

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static const char not_found_html[] =
"<!DOCTYPE html>\n<html lang=\"en\">\n<meta charset=\"utf-8\">\n<title>Not found</title>\n"
"<body>\n<p>Not found.</p>\n</body>\n</html>\n";

/* Content types by extension; text types are UTF-8. */
static const struct {
	const char *ext, *type;
} types[] = {
	{ "html", "text/html; charset=utf-8" },
	{ "htm", "text/html; charset=utf-8" },
	{ "css", "text/css; charset=utf-8" },
	{ "js", "text/javascript; charset=utf-8" },
	{ "mjs", "text/javascript; charset=utf-8" },
	{ "json", "application/json" },
	{ "map", "application/json" },
	{ "webmanifest", "application/manifest+json" },
	{ "xml", "application/xml" },
	{ "atom", "application/atom+xml" },
	{ "rss", "application/rss+xml" },
	{ "xsl", "application/xml" },
	{ "svg", "image/svg+xml" },
	{ "txt", "text/plain; charset=utf-8" },
	{ "md", "text/markdown; charset=utf-8" },
	{ "csv", "text/csv; charset=utf-8" },
	{ "png", "image/png" },
	{ "jpg", "image/jpeg" },
	{ "jpeg", "image/jpeg" },
	{ "gif", "image/gif" },
	{ "webp", "image/webp" },
	{ "avif", "image/avif" },
	{ "ico", "image/vnd.microsoft.icon" },
	{ "woff", "font/woff" },
	{ "woff2", "font/woff2" },
	{ "ttf", "font/ttf" },
	{ "otf", "font/otf" },
	{ "pdf", "application/pdf" },
	{ "wasm", "application/wasm" },
	{ "mp4", "video/mp4" },
	{ "webm", "video/webm" },
	{ "mp3", "audio/mpeg" },
	{ "ogg", "audio/ogg" },
	{ "zip", "application/zip" },
	{ "gz", "application/gzip" },
};

static const char *content_type(const char *path)
{
	const char *slash = strrchr(path, '/'), *dot = strrchr(path, '.');
	if (dot && (!slash || dot > slash)) {
		for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
			if (!strcasecmp(dot + 1, types[i].ext))
				return types[i].type;
		}
	}
	return "application/octet-stream";
}

static bool is_html(const char *type)
{
	return !strncmp(type, "text/html", 9);
}

/*
 * Decodes the request path RAW ("/a/b%20c/") once into OUT, a path
 * relative to the folder served ("a/b c"), and sets *DIR when it ends in
 * "/".  Returns -1 when the path does not start with "/", has a bad
 * escape, "." or ".." segments, an encoded "/" or "\", a backslash, or
 * a control byte (NUL included).
 */
static int clean_path(const char *raw, struct buf *out, bool *dir)
{
	struct buf seg = BUF_INIT;
	int rc = -1;
	if (raw[0] != '/')
		goto out;
	for (const char *p = raw + 1;; p++) {
		if (*p == '/' || *p == '\0') {
			if ((seg.len == 1 && seg.ptr[0] == '.') ||
			    (seg.len == 2 && seg.ptr[0] == '.' && seg.ptr[1] == '.'))
				goto out;
			if (seg.len) {
				if (out->len)
					buf_putc(out, '/');
				buf_put(out, seg.ptr, seg.len);
				buf_reset(&seg);
			}
			if (*p == '\0') {
				*dir = p[-1] == '/';
				break;
			}
			continue;
		}
		int c = (unsigned char)*p;
		if (c == '%') {
			int hi = hex_value((unsigned char)p[1]);
			int lo = hi < 0 ? -1 : hex_value((unsigned char)p[2]);
			if (lo < 0)
				goto out;
			c = hi * 16 + lo;
			p += 2;
			if (c == '/')
				goto out;
		}
		if (c < 0x20 || c == 0x7f || c == '\\')
			goto out;
		buf_putc(&seg, c);
	}
	rc = 0;
out:
	buf_free(&seg);
	return rc;
}

/*
 * Does the Host header HOST name one of the names in ALLOWED (NULL
 * ended; lower case, IPv6 addresses without brackets), or, with ANY_IP,
 * any IP address?  A port may follow; a final dot is ignored.
 */
static bool host_allowed(const char *host, char *const *allowed, bool any_ip)
{
	if (!host)
		return false;
	const char *start = host, *end;
	bool bracket = host[0] == '[';
	if (bracket) {
		start = host + 1;
		end = strchr(start, ']');
		if (!end)
			return false;
	} else {
		end = start + strcspn(start, ":");
	}
	const char *rest = end + bracket;
	if (*rest == ':') {
		size_t digits = strspn(rest + 1, "0123456789");
		if (digits == 0 || digits > 5 || rest[1 + digits])
			return false;
	} else if (*rest) {
		return false;
	}
	size_t n = (size_t)(end - start);
	if (n && start[n - 1] == '.' && !bracket)
		n--;
	char name[256];
	if (n == 0 || n >= sizeof name)
		return false;
	for (size_t i = 0; i < n; i++)
		name[i] = (char)to_lower((unsigned char)start[i]);
	name[n] = '\0';
	unsigned char addr[sizeof(struct in6_addr)];
	if (bracket && inet_pton(AF_INET6, name, addr) != 1)
		return false;
	for (char *const *a = allowed; *a; a++) {
		if (!strcmp(name, *a))
			return true;
	}
	return any_ip && (bracket || inet_pton(AF_INET, name, addr) == 1);
}

/* Is PATH the folder ROOT or inside it? */
static bool within(const char *path, const char *root)
{
	size_t n = strlen(root);
	return !strncmp(path, root, n) && (path[n] == '\0' || path[n] == '/');
}

/* The real path of REL inside the folder served, with its stat in ST, or
 * NULL when it does not exist or leads out of the folder. */
static char *resolve(const http *h, const char *rel, struct stat *st)
{
	struct buf p = BUF_INIT;
	buf_printf(&p, "%s%s%s", h->root, *rel ? "/" : "", rel);
	char *real = realpath(p.ptr, NULL);
	buf_free(&p);
	if (real && within(real, h->root) && stat(real, st) == 0)
		return real;
	free(real);
	return NULL;
}

static unsigned long long current_gen(http *h)
{
	pthread_mutex_lock(&h->lock);
	unsigned long long g = h->gen;
	pthread_mutex_unlock(&h->lock);
	return g;
}

static void add_header(struct MHD_Response *r, const char *name, const char *value)
{
	MHD_add_response_header(r, name, value);
}

static enum MHD_Result queue(struct MHD_Connection *c, unsigned status, struct MHD_Response *r)
{
	if (!r)
		return MHD_NO;
	add_header(r, "X-Content-Type-Options", "nosniff");
	enum MHD_Result ok = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ok;
}

/* A short text/plain answer, for errors. */
static enum MHD_Result plain(struct MHD_Connection *c, unsigned status, const char *text)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), (void *)text,
								 MHD_RESPMEM_PERSISTENT);
	if (r) {
		add_header(r, "Content-Type", "text/plain; charset=utf-8");
		add_header(r, "Cache-Control", "no-store");
	}
	return queue(c, status, r);
}

/* HTML with the reload script before the last </body>, or at the end. */
static char *inject(const char *html, size_t n, unsigned long long gen, size_t *len)
{
	size_t at = n;
	for (size_t i = n; i-- > 0;) {
		if (html[i] == '<' && n - i >= 6 && !strncasecmp(html + i, "</body", 6)) {
			at = i;
			break;
		}
	}
	struct buf b = BUF_INIT;
	buf_grow(&b, n + 80);
	buf_put(&b, html, at);
	buf_printf(&b, "<script src=\"/_folio/live.js\" data-build=\"%llu\"></script>", gen);
	buf_put(&b, html + at, n - at);
	return buf_detach(&b, len);
}

/* An HTML response made from the bytes DATA (taken over) of length N. */
static struct MHD_Response *html_response(char *data, size_t n, unsigned long long gen)
{
	size_t len;
	char *page = inject(data, n, gen, &len);
	free(data);
	struct MHD_Response *r = MHD_create_response_from_buffer(len, page, MHD_RESPMEM_MUST_FREE);
	if (!r)
		free(page);
	return r;
}

static char *read_fd(int fd, size_t size, size_t *len)
{
	char *data = xmalloc(size + 1);
	size_t got = 0;
	while (got < size) {
		ssize_t r = read(fd, data + got, size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	*len = got;
	return data;
}

/*
 * The response for the file at PATH (a real path inside the folder), or
 * NULL when it cannot be read.  With STATUS 200 and an If-None-Match
 * naming the file's ETag, answers 304 (STATUS is changed).
 */
static struct MHD_Response *file_response(struct MHD_Connection *c, const char *path,
					  unsigned long long gen, unsigned *status)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return NULL;
	}
	const char *type = content_type(path);
	bool html = is_html(type);
	/* An HTML response holds the build number too. */
	char etag[96];
	int k = snprintf(etag, sizeof etag, "\"%llx-%llx-%llx-%llx", (unsigned long long)st.st_dev,
			 (unsigned long long)st.st_ino, (unsigned long long)st.st_size,
			 (unsigned long long)st.st_mtim.tv_sec * 1000000000ull +
			 (unsigned long long)st.st_mtim.tv_nsec);
	if (html)
		snprintf(etag + k, sizeof etag - (size_t)k, "-%llx\"", gen);
	else
		snprintf(etag + k, sizeof etag - (size_t)k, "\"");
	struct MHD_Response *r;
	const char *inm = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
	if (*status == MHD_HTTP_OK && inm && strstr(inm, etag)) {
		close(fd);
		*status = MHD_HTTP_NOT_MODIFIED;
		r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	} else if (!html && (size_t)st.st_size > HTTP_READ_MAX) {
		r = MHD_create_response_from_fd((size_t)st.st_size, fd);
		if (!r)
			close(fd);
	} else {
		size_t len;
		char *data = read_fd(fd, (size_t)st.st_size, &len);
		close(fd);
		if (html) {
			r = html_response(data, len, gen);
		} else {
			r = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
			if (!r)
				free(data);
		}
	}
	if (!r)
		return NULL;
	add_header(r, "Content-Type", type);
	if (*status == MHD_HTTP_NOT_FOUND) {
		add_header(r, "Cache-Control", "no-store");
	} else {
		/* Always ask again: the next build may change any file. */
		add_header(r, "Cache-Control", "no-cache");
		add_header(r, "ETag", etag);
	}
	return r;
}

/* The folder's 404.html, or a page of our own when it has none. */
static enum MHD_Result not_found(http *h, struct MHD_Connection *c, unsigned long long gen)
{
	unsigned status = MHD_HTTP_NOT_FOUND;
	struct stat st;
	char *path = resolve(h, "404.html", &st);
	struct MHD_Response *r = path && S_ISREG(st.st_mode) ? file_response(c, path, gen, &status) : NULL;
	free(path);
	if (!r) {
		r = html_response(xstrdup(not_found_html), strlen(not_found_html), gen);
		if (!r)
			return MHD_NO;
		add_header(r, "Content-Type", "text/html; charset=utf-8");
		add_header(r, "Cache-Control", "no-store");
	}
	return queue(c, status, r);
}

/* A redirect from a folder's URL without its final slash to the URL
 * with it, built from the decoded path so it cannot point elsewhere. */
static enum MHD_Result redirect_to_folder(struct MHD_Connection *c, const char *rel)
{
	static const char hex[] = "0123456789ABCDEF";
	struct buf loc = BUF_INIT;
	buf_putc(&loc, '/');
	for (const unsigned char *p = (const unsigned char *)rel; *p; p++) {
		if (is_alnum(*p) || strchr("/-._~", *p)) {
			buf_putc(&loc, *p);
		} else {
			buf_putc(&loc, '%');
			buf_putc(&loc, hex[*p >> 4]);
			buf_putc(&loc, hex[*p & 15]);
		}
	}
	buf_putc(&loc, '/');
	struct MHD_Response *r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	if (r) {
		add_header(r, "Location", loc.ptr);
		add_header(r, "Cache-Control", "no-store");
	}
	buf_free(&loc);
	return queue(c, MHD_HTTP_MOVED_PERMANENTLY, r);
}

static enum MHD_Result serve_file(http *h, struct MHD_Connection *c, const char *url)
{
	struct buf rel = BUF_INIT;
	bool dir = false;
	if (clean_path(url, &rel, &dir) < 0) {
		buf_free(&rel);
		return plain(c, MHD_HTTP_BAD_REQUEST, "400 Bad Request\n");
	}
	/* The build number is read before the file: a page is never newer
	 * than the number it carries, at worst older (one extra reload). */
	unsigned long long gen = current_gen(h);
	struct stat st;
	char *path = resolve(h, rel.ptr, &st);
	enum MHD_Result ok;
	if (path && S_ISDIR(st.st_mode)) {
		free(path);
		path = NULL;
		if (!dir && rel.len) {
			ok = redirect_to_folder(c, rel.ptr);
			buf_free(&rel);
			return ok;
		}
		buf_puts(&rel, rel.len ? "/index.html" : "index.html");
		path = resolve(h, rel.ptr, &st);
	}
	unsigned status = MHD_HTTP_OK;
	struct MHD_Response *r = path && S_ISREG(st.st_mode) ? file_response(c, path, gen, &status) : NULL;
	ok = r ? queue(c, status, r) : not_found(h, c, gen);
	free(path);
	buf_free(&rel);
	return ok;
}

/* Has the page at the other end of FD gone? */
static bool peer_closed(int fd)
{
	struct pollfd p = { fd, POLLRDHUP, 0 };
	return fd >= 0 && poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR));
}

/* Fills S->out with what the stream sends next: the events it has not
 * had, or a heartbeat when it has been quiet a while; nothing if neither.
 * H is locked. */
static void stream_fill_locked(struct stream *s, double now)
{
	http *h = s->h;
	if (h->seq - s->seq > HTTP_RING) {
		buf_puts(&s->out, "event: reload\ndata: {}\n\n");
	} else {
		for (unsigned long long q = s->seq + 1; q <= h->seq; q++)
			buf_puts(&s->out, h->ring[q % HTTP_RING]);
	}
	s->seq = h->seq;
	if (!s->out.len && now - s->sent >= HTTP_HEARTBEAT)
		buf_puts(&s->out, ": ping\n\n");
}

/* Lets suspended stream S run again (it will send, or end).  H is locked. */
static void stream_wake_locked(struct stream *s)
{
	if (!s->suspended)
		return;
	s->suspended = false;
	MHD_resume_connection(s->c);
}

static ssize_t stream_read(void *cls, uint64_t pos, char *dst, size_t max)
{
	struct stream *s = cls;
	http *h = s->h;
	(void)pos;
	pthread_mutex_lock(&h->lock);
	if (s->off == s->out.len) {
		buf_reset(&s->out);
		s->off = 0;
		if (h->stopping || s->gone) {
			pthread_mutex_unlock(&h->lock);
			return MHD_CONTENT_READER_END_OF_STREAM;
		}
		stream_fill_locked(s, now_s());
		if (!s->out.len) {
			/* Nothing to send: out of the loop until an event, a
			 * heartbeat or the page closing wakes it. */
			s->suspended = true;
			MHD_suspend_connection(s->c);
			pthread_mutex_unlock(&h->lock);
			return 0;
		}
	}
	size_t n = s->out.len - s->off;
	if (n > max)
		n = max;
	memcpy(dst, s->out.ptr + s->off, n);
	s->off += n;
	s->sent = now_s();
	pthread_mutex_unlock(&h->lock);
	return (ssize_t)n;
}

static void stream_free(void *cls)
{
	struct stream *s = cls;
	http *h = s->h;
	pthread_mutex_lock(&h->lock);
	h->streams--;
	if (s->prev)
		s->prev->next = s->next;
	else
		h->stream_list = s->next;
	if (s->next)
		s->next->prev = s->prev;
	pthread_mutex_unlock(&h->lock);
	buf_free(&s->out);
	free(s);
}

/* Once a second: wakes streams that owe a heartbeat or whose page went
 * away, and cuts connections whose request head is not complete after
 * HTTP_HEAD_TIMEOUT seconds in all (a client trickling a header line
 * every few seconds would otherwise hold its connection for ever). */
static void *ticker(void *arg)
{
	http *h = arg;
	pthread_mutex_lock(&h->lock);
	while (!h->stopping) {
		struct timespec t;
		clock_gettime(CLOCK_MONOTONIC, &t);
		t.tv_sec += 1;
		pthread_cond_timedwait(&h->cond, &h->lock, &t);
		if (h->stopping)
			break;
		double now = now_s();
		for (struct stream *s = h->stream_list; s; s = s->next) {
			if (!s->suspended)
				continue;
			s->gone = peer_closed(s->fd);
			if (s->gone || now - s->sent >= HTTP_HEARTBEAT)
				stream_wake_locked(s);
		}
		for (struct conn *k = h->conns; k; k = k->next) {
			if (!k->head && !k->cut && now - k->start > HTTP_HEAD_TIMEOUT) {
				k->cut = true;
				shutdown(k->fd, SHUT_RDWR);
			}
		}
	}
	pthread_mutex_unlock(&h->lock);
	return NULL;
}

/* Connections come and go: keep the list the ticker walks. */
static void on_connection(void *cls, struct MHD_Connection *c, void **ctx,
			  enum MHD_ConnectionNotificationCode code)
{
	http *h = cls;
	struct conn *k = *ctx;
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci =
			MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
		k = xcalloc(1, sizeof(*k));
		k->fd = ci ? ci->connect_fd : -1;
		k->start = now_s();
		pthread_mutex_lock(&h->lock);
		k->next = h->conns;
		if (h->conns)
			h->conns->prev = k;
		h->conns = k;
		pthread_mutex_unlock(&h->lock);
		*ctx = k;
	} else if (k) {
		pthread_mutex_lock(&h->lock);
		if (k->prev)
			k->prev->next = k->next;
		else
			h->conns = k->next;
		if (k->next)
			k->next->prev = k->prev;
		pthread_mutex_unlock(&h->lock);
		free(k);
		*ctx = NULL;
	}
}

/* The connection of C: its request head is complete (HEAD), or a request
 * ended and the next one's time starts now. */
static void mark_head(http *h, struct MHD_Connection *c, bool head)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct conn *k = ci ? ci->socket_context : NULL;
	if (!k)
		return;
	pthread_mutex_lock(&h->lock);
	k->head = head;
	if (!head)
		k->start = now_s();
	pthread_mutex_unlock(&h->lock);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **req,
			 enum MHD_RequestTerminationCode code)
{
	(void)req;
	(void)code;
	mark_head(cls, c, false);
}

/* /_folio/events?since=BUILD: the page's event stream.  A page built
 * before the latest build reloads at once; while the last build failed,
 * a page gets the errors at once. */
static enum MHD_Result serve_events(http *h, struct MHD_Connection *c, bool head)
{
	const char *since = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "since");
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	if (head) {
		struct MHD_Response *r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
		if (r)
			add_header(r, "Content-Type", "text/event-stream");
		return queue(c, MHD_HTTP_OK, r);
	}
	pthread_mutex_lock(&h->lock);
	if (h->streams >= HTTP_MAX_STREAMS || h->stopping) {
		pthread_mutex_unlock(&h->lock);
		return plain(c, MHD_HTTP_SERVICE_UNAVAILABLE, "503 Too many open pages\n");
	}
	struct stream *s = xcalloc(1, sizeof(*s));
	s->h = h;
	s->c = c;
	s->fd = ci ? ci->connect_fd : -1;
	s->seq = h->seq;
	s->sent = now_s();
	s->next = h->stream_list;
	if (h->stream_list)
		h->stream_list->prev = s;
	h->stream_list = s;
	buf_init(&s->out);
	buf_puts(&s->out, "retry: 500\n\n");
	char gen[32];
	snprintf(gen, sizeof gen, "%llu", h->gen);
	if (since && *since && strcmp(since, gen))
		buf_puts(&s->out, "event: reload\ndata: {}\n\n");
	else if (h->failed)
		buf_printf(&s->out, "event: error\ndata: %s\n\n", h->failed);
	h->streams++;
	pthread_mutex_unlock(&h->lock);
	struct MHD_Response *r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16384,
								   stream_read, s, stream_free);
	if (!r) {
		stream_free(s);
		return MHD_NO;
	}
	add_header(r, "Content-Type", "text/event-stream; charset=utf-8");
	add_header(r, "Cache-Control", "no-store");
	return queue(c, MHD_HTTP_OK, r);
}

/* The live-reload client, assets/_folio/live.js of the default theme: it is
 * served to the pages folio serve sends, never copied into a site. */
static const struct theme_file *live_script(void)
{
	for (size_t i = 0; i < theme_nfiles; i++)
		if (!strcmp(theme_files[i].path, "assets/_folio/live.js"))
			return &theme_files[i];
	return NULL;
}

static enum MHD_Result serve_script(struct MHD_Connection *c)
{
	const struct theme_file *f = live_script();
	struct MHD_Response *r = f ? MHD_create_response_from_buffer(f->len, (void *)f->data,
								      MHD_RESPMEM_PERSISTENT) : NULL;
	if (r) {
		add_header(r, "Content-Type", "text/javascript; charset=utf-8");
		add_header(r, "Cache-Control", "no-cache");
	}
	return queue(c, MHD_HTTP_OK, r);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version, const char *upload_data,
			      size_t *upload_size, void **req)
{
	static char seen;
	http *h = cls;
	(void)version;
	(void)upload_data;
	bool head = !strcmp(method, MHD_HTTP_METHOD_HEAD);
	bool allowed = head || !strcmp(method, MHD_HTTP_METHOD_GET);
	if (!*req)
		mark_head(h, c, true);
	const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
	if (!host_allowed(host, h->hosts, h->any_ip))
		return plain(c, MHD_HTTP_FORBIDDEN, "403 Forbidden: unknown Host\n");
	/* Answering a good request on the first call would close the
	 * connection: answer on the second, after any body is skipped. */
	if (allowed && !*req) {
		*req = &seen;
		return MHD_YES;
	}
	if (allowed && *upload_size) {
		*upload_size = 0;
		return MHD_YES;
	}
	if (!allowed) {
		struct MHD_Response *r = MHD_create_response_from_buffer(
			strlen("405 Method Not Allowed\n"), (void *)"405 Method Not Allowed\n",
			MHD_RESPMEM_PERSISTENT);
		if (r) {
			add_header(r, "Allow", "GET, HEAD");
			add_header(r, "Content-Type", "text/plain; charset=utf-8");
		}
		return queue(c, MHD_HTTP_METHOD_NOT_ALLOWED, r);
	}
	if (!strcmp(url, "/_folio/events"))
		return serve_events(h, c, head);
	if (!strcmp(url, "/_folio/live.js"))
		return serve_script(c);
	return serve_file(h, c, url);
}

/* The request path reaches handle() as sent: clean_path() decodes it,
 * once. */
static size_t unescape_none(void *cls, struct MHD_Connection *c, char *s)
{
	(void)cls;
	(void)c;
	return strlen(s);
}

static void add_host(http *h, size_t *n, const char *name)
{
	h->hosts = xrealloc(h->hosts, (*n + 2) * sizeof(*h->hosts));
	char *copy = xstrdup(name);
	for (char *p = copy; *p; p++)
		*p = (char)to_lower((unsigned char)*p);
	h->hosts[(*n)++] = copy;
	h->hosts[*n] = NULL;
}

static bool addr_is_loopback(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
		return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
	}
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
	return IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
}

static bool addr_is_any(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
		return in->sin_addr.s_addr == htonl(INADDR_ANY);
	}
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
	return IN6_IS_ADDR_UNSPECIFIED(&in6->sin6_addr);
}

/* Binds a socket to one of the addresses of RES.  Returns it, or -1
 * with the first failure's errno. */
static int bind_any(const struct addrinfo *res)
{
	int first = 0;
	for (const struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0) {
			first = first ? first : errno;
			continue;
		}
		int one = 1;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 64) == 0)
			return fd;
		first = first ? first : errno;
		close(fd);
	}
	errno = first;
	return -1;
}

/* Who may be named in the Host header: the name or address listened on,
 * and localhost for the loopback; with every address, any IP address and
 * this machine's name. */
static void allow_hosts(http *h, const char *bind, const struct sockaddr *sa, const char *numeric)
{
	size_t n = 0;
	add_host(h, &n, bind);
	add_host(h, &n, numeric);
	if (addr_is_loopback(sa) || addr_is_any(sa))
		add_host(h, &n, "localhost");
	if (addr_is_any(sa)) {
		char name[256];
		h->any_ip = true;
		if (gethostname(name, sizeof name) == 0) {
			name[sizeof name - 1] = '\0';
			add_host(h, &n, name);
		}
	}
}

http *http_listen(const char *bind, unsigned port, struct buf *err)
{
	/* "[::1]" is "::1". */
	char name[256];
	size_t len = strlen(bind);
	if (len >= 2 && bind[0] == '[' && bind[len - 1] == ']')
		snprintf(name, sizeof name, "%.*s", (int)(len - 2), bind + 1);
	else
		snprintf(name, sizeof name, "%s", bind);
	char service[16];
	snprintf(service, sizeof service, "%u", port);
	struct addrinfo hints, *res = NULL;
	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	int g = getaddrinfo(name, service, &hints, &res);
	if (g != 0) {
		buf_printf(err, "cannot listen on '%s': %s", bind, gai_strerror(g));
		return NULL;
	}
	int fd = bind_any(res);
	freeaddrinfo(res);
	if (fd < 0) {
		if (errno == EADDRINUSE)
			buf_printf(err, "port %u on %s is already in use (another folio serve?); "
				   "choose another with --port, or --port 0 for any free port", port, bind);
		else
			buf_printf(err, "cannot listen on %s port %u: %s", bind, port, util_strerror(errno));
		return NULL;
	}
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	char numeric[INET6_ADDRSTRLEN + 1] = "";
	getsockname(fd, (struct sockaddr *)&ss, &sl);
	const struct sockaddr *sa = (const struct sockaddr *)&ss;
	getnameinfo(sa, sl, numeric, sizeof numeric, NULL, 0, NI_NUMERICHOST);

	http *h = xcalloc(1, sizeof(*h));
	h->listen_fd = fd;
	h->port = ntohs(sa->sa_family == AF_INET ? ((const struct sockaddr_in *)(const void *)sa)->sin_port
			: ((const struct sockaddr_in6 *)(const void *)sa)->sin6_port);
	allow_hosts(h, name, sa, numeric);
	struct buf url = BUF_INIT;
	const char *shown = addr_is_any(sa) ? "localhost" : strcmp(name, numeric) ? name : numeric;
	bool v6 = strchr(shown, ':') != NULL;
	buf_printf(&url, "http://%s%s%s:%u/", v6 ? "[" : "", shown, v6 ? "]" : "", h->port);
	h->url = buf_detach(&url, NULL);
	/* Pages opened before a restart reload: the numbers differ. */
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	h->gen = (unsigned long long)now.tv_sec * 1000ull + (unsigned long long)now.tv_nsec / 1000000ull;
	pthread_mutex_init(&h->lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&h->cond, &ca);
	pthread_condattr_destroy(&ca);
	return h;
}

unsigned http_port(const http *h)
{
	return h->port;
}

const char *http_url(const http *h)
{
	return h->url;
}

int http_start(http *h, const char *root, struct buf *err)
{
	h->root = realpath(root, NULL);
	if (!h->root) {
		buf_printf(err, "cannot serve '%s': %s", root, util_strerror(errno));
		return -1;
	}
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	getsockname(h->listen_fd, (struct sockaddr *)&ss, &sl);
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
			 MHD_ALLOW_SUSPEND_RESUME;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	h->daemon = MHD_start_daemon(flags, 0, NULL, NULL, handle, h,
				     MHD_OPTION_LISTEN_SOCKET, h->listen_fd,
				     MHD_OPTION_UNESCAPE_CALLBACK, unescape_none, NULL,
				     MHD_OPTION_CONNECTION_LIMIT, (unsigned)HTTP_MAX_CONNECTIONS,
				     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)(2 * HTTP_HEARTBEAT),
				     MHD_OPTION_NOTIFY_CONNECTION, on_connection, h,
				     MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
				     MHD_OPTION_END);
	if (!h->daemon) {
		buf_printf(err, "cannot start the HTTP server on port %u", h->port);
		return -1;
	}
	h->ticking = pthread_create(&h->ticker, NULL, ticker, h) == 0;
	h->listen_fd = -1;      /* the daemon's now */
	return 0;
}

/* Adds event TEXT (taken over) for every stream; H is locked. */
static void publish_locked(http *h, char *text)
{
	h->seq++;
	free(h->ring[h->seq % HTTP_RING]);
	h->ring[h->seq % HTTP_RING] = text;
	for (struct stream *s = h->stream_list; s; s = s->next)
		stream_wake_locked(s);
}

void http_site_changed(http *h, bool css_only)
{
	struct buf ev = BUF_INIT;
	pthread_mutex_lock(&h->lock);
	h->gen++;
	if (h->failed)
		buf_puts(&ev, "event: ok\ndata: {}\n\n");
	free(h->failed);
	h->failed = NULL;
	buf_printf(&ev, "event: %s\ndata: {\"build\":\"%llu\"}\n\n", css_only ? "css" : "reload", h->gen);
	publish_locked(h, buf_detach(&ev, NULL));
	pthread_mutex_unlock(&h->lock);
}

void http_build_failed(http *h, const char *errors_json)
{
	struct buf json = BUF_INIT, ev = BUF_INIT;
	for (const char *p = errors_json; *p; p++) {
		if (*p != '\n' && *p != '\r')   /* one data line */
			buf_putc(&json, *p);
	}
	buf_printf(&ev, "event: error\ndata: %s\n\n", json.ptr);
	pthread_mutex_lock(&h->lock);
	free(h->failed);
	h->failed = buf_detach(&json, NULL);
	publish_locked(h, buf_detach(&ev, NULL));
	pthread_mutex_unlock(&h->lock);
}

void http_stop(http *h)
{
	if (!h)
		return;
	/* No connection may be suspended when the daemon stops. */
	pthread_mutex_lock(&h->lock);
	h->stopping = true;
	pthread_cond_broadcast(&h->cond);
	for (struct stream *s = h->stream_list; s; s = s->next)
		stream_wake_locked(s);
	pthread_mutex_unlock(&h->lock);
	if (h->ticking)
		pthread_join(h->ticker, NULL);
	if (h->daemon)
		MHD_stop_daemon(h->daemon);
	if (h->listen_fd >= 0)
		close(h->listen_fd);
	for (size_t i = 0; i < HTTP_RING; i++)
		free(h->ring[i]);
	for (char **p = h->hosts; p && *p; p++)
		free(*p);
	free(h->hosts);
	free(h->failed);
	free(h->root);
	free(h->url);
	pthread_cond_destroy(&h->cond);
	pthread_mutex_destroy(&h->lock);
	free(h);
}
