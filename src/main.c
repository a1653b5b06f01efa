/*
 * main.c - the command line: parses arguments, runs a command, prints
 * diagnostics.  The only module that writes to the terminal.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>
#include <yaml.h>

#include "cmd.h"

/* libcmark and cmark-gfm both have this, so it is declared here rather
 * than through either's header. */
const char *cmark_version_string(void);

/* folio's version and those of the libraries it runs with, as each
 * reports itself at run time (not as folio was compiled). */
static void print_versions(void)
{
	const char *md = cmark_version_string();
	printf("folio %s\n", FOLIO_VERSION);
	printf("%s %s (Markdown)\n", strstr(md, "gfm") ? "cmark-gfm" : "libcmark", md);
	printf("libyaml %s\n", yaml_get_version_string());
	printf("libmicrohttpd %s\n", MHD_get_version());
	printf("libstemmer (Snowball; reports no version)\n");
}

static const char usage_text[] =
"usage: folio build  [-s SITE] [-o OUT] [--base-url URL] [--drafts] [--strict]\n"
"                    [--force] [--no-wait] [-j N] [--quiet] [--error-format text|github]\n"
"       folio check  [-s SITE] [--drafts] [--strict] [--error-format text|github]\n"
"       folio serve  [-s SITE] [--bind ADDR] [--port N] [--drafts]\n"
"       folio new    [-s SITE] PATH\n"
"       folio mustache DATA.yaml TEMPLATE [--partials DIR]\n"
"       folio --version | --help\n";

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage_text, stderr);
		return 2;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
		print_versions();
		return 0;
	}
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (!strcmp(cmd, "mustache"))
		return cmd_mustache(argc - 1, argv + 1);
	if (!strcmp(cmd, "build"))
		return cmd_build(argc - 1, argv + 1, 0);
	if (!strcmp(cmd, "serve"))
		return cmd_serve(argc - 1, argv + 1);
	if (!strcmp(cmd, "new"))
		return cmd_new(argc - 1, argv + 1);
	if (!strcmp(cmd, "check"))
		return cmd_build(argc - 1, argv + 1, 1);
	fprintf(stderr, "folio: unknown command '%s'\n%s", cmd, usage_text);
	return 2;
}
