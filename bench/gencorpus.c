/*
 * gencorpus.c - writes a deterministic synthetic career site for
 * benchmarks: N role articles of 800-1500 words with tags and skills,
 * headings, lists, code, emphasis and links between articles.
 *
 * Usage: gencorpus N DIR
 * The same N always gives the same bytes.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static uint64_t rng = 0x9E3779B97F4A7C15ULL;

static uint32_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

static uint32_t below(uint32_t n) { return next() % n; }

static const char *const words[] = {
	"python", "service", "data", "pipeline", "team", "review", "deploy", "design",
	"system", "database", "query", "cache", "queue", "worker", "request", "response",
	"latency", "throughput", "schema", "migration", "model", "feature", "test", "coverage",
	"release", "incident", "monitor", "metric", "alert", "customer", "product", "roadmap",
	"mentor", "junior", "senior", "lead", "manager", "career", "skill", "growth",
	"the", "a", "and", "of", "to", "in", "with", "for", "on", "that", "is", "are",
	"builds", "writes", "ships", "measures", "improves", "reads", "plans", "owns",
	"reliable", "fast", "simple", "careful", "clear", "small", "large", "shared",
	"framework", "library", "endpoint", "container", "cluster", "cloud", "network", "storage",
	"analysis", "report", "dashboard", "notebook", "experiment", "training", "inference", "batch",
	"stream", "event", "log", "trace", "budget", "estimate", "sprint", "backlog",
	"interview", "portfolio", "project", "contribution", "documentation", "standard", "practice", "habit",
};
#define NWORDS (sizeof(words) / sizeof(words[0]))

static const char *const sections[] = {
	"backend", "data", "machine-learning", "devops", "web", "testing", "leadership", "security",
	"cloud", "analytics",
};
#define NSECTIONS (sizeof(sections) / sizeof(sections[0]))

static void word(FILE *f, int cap)
{
	const char *w = words[below(NWORDS)];
	if (cap)
		fprintf(f, "%c%s", w[0] - 32, w + 1);
	else
		fputs(w, f);
}

static int sentence(FILE *f, int n)
{
	for (int i = 0; i < n; i++) {
		if (i)
			fputc(' ', f);
		uint32_t r = below(40);
		if (r == 0) {
			fputs("**", f);
			word(f, i == 0);
			fputs("**", f);
		} else if (r == 1) {
			fputc('*', f);
			word(f, i == 0);
			fputc('*', f);
		} else if (r == 2) {
			fputc('`', f);
			word(f, 0);
			fputs("()`", f);
		} else {
			word(f, i == 0);
		}
	}
	fputs(". ", f);
	return n;
}

static void mkdirs(const char *path)
{
	char buf[4096];
	snprintf(buf, sizeof buf, "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(buf, 0755);
			*p = '/';
		}
	}
	mkdir(buf, 0755);
}

/* Opens PATH for writing, or says why not and exits. */
static FILE *create(const char *path)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "gencorpus: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	return f;
}

/* Closes F, written to PATH, or says why it failed (a full disk) and exits. */
static void finish(FILE *f, const char *path)
{
	if (ferror(f) | fclose(f)) {
		fprintf(stderr, "gencorpus: %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: gencorpus N DIR\n");
		return 2;
	}
	char *end;
	long n = strtol(argv[1], &end, 10);
	if (*end || end == argv[1] || n < 0) {
		fprintf(stderr, "gencorpus: N is a number of articles, not '%s'\n", argv[1]);
		return 2;
	}
	const char *dir = argv[2];
	char path[4096];
	snprintf(path, sizeof path, "%s/content", dir);
	mkdirs(path);
	snprintf(path, sizeof path, "%s/site.yaml", dir);
	FILE *f = create(path);
	fprintf(f, "title: Synthetic Careers\nbase_url: https://bench.example.org\n"
		   "taxonomies:\n  tags: {}\n  skills: {}\n");
	finish(f, path);
	snprintf(path, sizeof path, "%s/content/_index.md", dir);
	f = create(path);
	fprintf(f, "---\ntitle: Synthetic Careers\n---\nA generated site of %ld articles.\n", n);
	finish(f, path);
	for (size_t s = 0; s < NSECTIONS; s++) {
		snprintf(path, sizeof path, "%s/content/%s", dir, sections[s]);
		mkdirs(path);
		snprintf(path, sizeof path, "%s/content/%s/_index.md", dir, sections[s]);
		f = create(path);
		fprintf(f, "---\ntitle: %c%s\n---\nArticles about %s.\n", sections[s][0] - 32,
			sections[s] + 1, sections[s]);
		finish(f, path);
	}
	for (long i = 0; i < n; i++) {
		const char *sec = sections[i % NSECTIONS];
		snprintf(path, sizeof path, "%s/content/%s/article-%06ld.md", dir, sec, i);
		f = create(path);
		fprintf(f, "---\ntitle: \"Article %ld: ", i);
		word(f, 1);
		fputc(' ', f);
		word(f, 1);
		fprintf(f, "\"\ndate: 20%02u-%02u-%02u\n", 20 + below(6), 1 + below(12), 1 + below(28));
		fputs("tags: [", f);
		int nt = 2 + (int)below(4);
		for (int t = 0; t < nt; t++)
			fprintf(f, "%s\"tag %u\"", t ? ", " : "", below(200));
		fputs("]\nskills: [", f);
		int ns = 3 + (int)below(4);
		for (int t = 0; t < ns; t++)
			fprintf(f, "%s\"Skill %u\"", t ? ", " : "", below(100));
		fputs("]\n---\n", f);
		int target = 800 + (int)below(701), written = 0, h = 0;
		while (written < target) {
			uint32_t kind = below(10);
			if (kind == 0 || written == 0) {
				fprintf(f, "\n## Part %d: ", ++h);
				word(f, 1);
				fputs("\n\n", f);
				written += 3;
			} else if (kind == 1) {
				for (int k = 0; k < 4; k++) {
					fputs("- ", f);
					written += sentence(f, 4 + (int)below(6));
					fputc('\n', f);
				}
				fputc('\n', f);
			} else if (kind == 2) {
				fputs("```python\ndef handler(request):\n    return respond(request.data)\n```\n\n", f);
				written += 6;
			} else if (kind == 3 && i > 0) {
				long j = (long)below((uint32_t)i);
				fprintf(f, "See also [article %ld](../%s/article-%06ld.md). ", j,
					sections[j % NSECTIONS], j);
				written += sentence(f, 6);
				fputs("\n\n", f);
				written += 3;
			} else {
				for (int k = 0; k < 4; k++)
					written += sentence(f, 8 + (int)below(10));
				fputs("\n\n", f);
			}
		}
		finish(f, path);
	}
	return 0;
}
