/*
 * cmd.h - the commands behind the command line.  Each takes the arguments
 * after "folio" (argv[0] is the command name) and returns the exit status:
 * 0 success, 1 content or template errors, 2 usage errors.
 */
#ifndef FOLIO_CMD_H
#define FOLIO_CMD_H

#define FOLIO_VERSION "0.1.0"

/*
 * Matches ARGV[*I] against the option LNG ("--site") or SHRT ("-s", may be
 * NULL) in the forms "--site DIR", "--site=DIR", "-s DIR" and "-sDIR", and
 * returns its value (advancing *I past a separate one), or NULL.  Sets
 * *MISSING when the option is last and has no value.
 */
const char *cmd_option(int argc, char **argv, int *i, const char *lng, const char *shrt,
		       int *missing);

int cmd_mustache(int argc, char **argv);
/* CHECK_ONLY: run the whole pipeline, write nothing (folio check). */
int cmd_build(int argc, char **argv, int check_only);

/* folio serve: build, serve over HTTP, rebuild and reload on change. */
int cmd_serve(int argc, char **argv);
/* folio new: a content file from an archetype. */
int cmd_new(int argc, char **argv);

#endif
