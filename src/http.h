/*
 * http.h - the development server of folio serve (libmicrohttpd).
 *
 * Serves the files of one folder, looked up by path at every request (the
 * folder is replaced whole by each build), and tells the open pages when
 * to reload:
 *
 *   - Only GET and HEAD; the Host header must name the address listened
 *     on (403 otherwise: DNS rebinding); the path is percent-decoded once
 *     and refused (400) when it holds "." or ".." segments, an encoded
 *     "/" or "\", a backslash, NUL or another control byte; files reached
 *     through a symbolic link that leads out of the folder are 404.
 *   - A folder URL serves its index.html (without the final slash it is
 *     redirected to it); a missing file gets the folder's 404.html.
 *   - Every HTML response gets a script tag before </body>: the files on
 *     disk are never changed.  /_folio/live.js is that script and
 *     /_folio/events the Server-Sent Events it listens to: "reload",
 *     "css" (stylesheets only), "error" (JSON {"errors": [...]}, the page
 *     shows them over itself) and "ok" (the errors are gone).
 *
 * One thread per connection; the event streams are bounded in number.
 */
#ifndef FOLIO_HTTP_H
#define FOLIO_HTTP_H

#include <stdbool.h>
#include "buf.h"

typedef struct http http;

/*
 * Opens the listening socket on address or host name BIND and PORT (0:
 * any free port).  Returns NULL with a message in ERR ("port 1313 is
 * already in use ...").  Nothing is served before http_start().
 */
http *http_listen(const char *bind, unsigned port, struct buf *err);
/* The port listened on. */
unsigned http_port(const http *h);
/* The address to give users, as "http://127.0.0.1:1313/"; owned by H. */
const char *http_url(const http *h);
/* Starts serving the folder ROOT, which must exist.  Returns 0, or -1
 * with a message in ERR. */
int http_start(http *h, const char *root, struct buf *err);
/* The folder now holds a new site: pages reload, or with CSS_ONLY only
 * swap their stylesheets.  Clears a failure. */
void http_site_changed(http *h, bool css_only);
/* A build failed: ERRORS_JSON ({"errors": [{"file", "line", "col",
 * "message"}]}) is shown on every page, open or opened later, until the
 * next http_site_changed(). */
void http_build_failed(http *h, const char *errors_json);
/* Stops serving (open event streams end) and frees H. */
void http_stop(http *h);

#endif
