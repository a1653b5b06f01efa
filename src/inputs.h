/*
 * inputs.h - the fingerprint of what a build reads, so that a site that
 * has not changed since its last build is not built again.
 *
 * The fingerprint hashes the names and kinds of site.yaml and of every
 * file under content/, layouts/ and assets/ (symbolic links followed, as
 * the build follows them), each file's status (size, inode, modification
 * and change times to the nanosecond: any write changes the change time,
 * so the bytes need not be read a second time), the folio program's
 * status (a new build of it counts as a change), and the options and
 * environment that change the output (--drafts, --base-url,
 * SOURCE_DATE_EPOCH).  It covers more than a build reads (files the
 * build skips count too), never less.
 *
 * A build that succeeds without warnings records the fingerprint beside
 * its output, in .NAME.folio-inputs (with the lock file, output.h), with
 * its page and file counts; the next build with the same fingerprint
 * leaves that output as it is.
 */
#ifndef FOLIO_INPUTS_H
#define FOLIO_INPUTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "buf.h"

/* The fingerprint of SITE_DIR's inputs for a build with DRAFTS and
 * BASE_URL (NULL: site.yaml's). */
uint64_t inputs_fingerprint(const char *site_dir, bool drafts, const char *base_url);

/* Records that OUT, just committed, was built from FINGERPRINT (0: from
 * nothing the next build can trust: the record is removed). */
void inputs_record(const char *out, uint64_t fingerprint, size_t pages, size_t files);

/* Whether the output folder OUT was written by a build of FINGERPRINT;
 * then *PAGES and *FILES get its counts.  False, so that the build goes
 * the usual way, while another build holds OUT's lock or when a killed
 * build left its temporary folder beside OUT. */
bool inputs_unchanged(const char *out, uint64_t fingerprint, size_t *pages, size_t *files);

#endif
