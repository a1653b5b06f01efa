/*
 * search.c - unit tests for the search index: the tokenizer (the cases in
 * tests/search/tokens.tsv, which the JS client is tested against too), the
 * stemmer against the whole Snowball English vocabulary, and a round trip:
 * build tests/sites/search, read every index file back and check that the
 * text of each page leads to it, and so does each pair of its words next to
 * each other (the word-pair files, for phrases); the spool, and an index built in a few
 * bytes of memory (records and files in temporary files, postings in many
 * passes) the same as one built in memory.
 *
 * Run from the repository root.  SNOWBALL_DIR overrides where voc.txt and
 * output.txt are looked for (default ../shared/snowball-english).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "buf.h"
#include "build.h"
#include "output.h"
#include "search.h"
#include "search_int.h"
#include "spool.h"
#include "util.h"
#include "yamlvalue.h"

static void collect(void *arg, const char *term, size_t len)
{
	struct buf *b = arg;
	if (b->len)
		buf_putc(b, ' ');
	buf_put(b, term, len);
}

static char *terms_of(struct search_tokenizer *t, const char *s, size_t n)
{
	struct buf b = BUF_INIT;
	search_terms(t, s, n, collect, &b);
	return buf_detach(&b, NULL);
}

static void test_tokens(struct search_tokenizer *t)
{
	size_t len;
	char *text = file_read("tests/search/tokens.tsv", &len);
	OK(text != NULL);
	if (!text)
		return;
	int cases = 0;
	for (char *line = text, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (*line == '#' || !*line)
			continue;
		char *tab = strchr(line, '\t');
		OK(tab != NULL);
		if (!tab)
			continue;
		*tab = '\0';
		char *got = terms_of(t, line, strlen(line));
		if (strcmp(got, tab + 1))
			fprintf(stderr, "  input: %s\n", line);
		STR_EQ(got, tab + 1);
		free(got);
		cases++;
	}
	OK(cases >= 10);
	free(text);
}

/* Words read in a long text are the words read one at a time: the text
 * is read 8 bytes at a time, a word alone of under 8 bytes a byte at a
 * time.  Words of 1 to 7 bytes (letters in either case, digits, a letter
 * not ASCII), and some of 8 to 48 (over 40 are dropped), at every place
 * of an 8-byte word, apart by spaces, punctuation and dashes. */
static void test_token_runs(struct search_tokenizer *t)
{
	static const char *const pieces[] = { "a", "Q", "z", "M", "7", "0", "\xc3\xa9", "r" };
	static const char *const gaps[] = { " ", ", ", "-", ".\n", "\xe2\x80\x94", "'", "  (" };
	unsigned seed = 11;
	int mismatches = 0;
	for (int round = 0; round < 300; round++) {
		struct buf text = BUF_INIT, want = BUF_INIT, word = BUF_INIT;
		int words = 1 + round % 60;
		for (int k = 0; k < words; k++) {
			seed = seed * 1103515245u + 12345u;
			if (k)
				buf_puts(&text, gaps[(seed >> 16) % 7]);
			int len = (seed >> 20) % 8 == 0 ? 8 + (int)((seed >> 8) % 41) : 1 + (int)((seed >> 24) % 7);
			buf_reset(&word);
			for (int c = 0; c < len; c++) {
				seed = seed * 1103515245u + 12345u;
				buf_puts(&word, pieces[(seed >> 16) % 8]);
			}
			buf_put(&text, word.ptr, word.len);
			char *alone = terms_of(t, word.ptr, word.len);
			if (*alone) {
				if (want.len)
					buf_putc(&want, ' ');
				buf_puts(&want, alone);
			}
			free(alone);
		}
		char *got = terms_of(t, text.ptr, text.len);
		if (strcmp(got, want.ptr ? want.ptr : "") && mismatches++ < 3)
			fprintf(stderr, "  text: %s\n  got:  %s\n  want: %s\n", text.ptr, got, want.ptr);
		STR_EQ(got, want.ptr ? want.ptr : "");
		free(got);
		buf_free(&text);
		buf_free(&want);
		buf_free(&word);
	}
}

/* Every word of voc.txt stems to the same line of output.txt. */
static void test_vocabulary(struct search_tokenizer *t)
{
	const char *dir = getenv("SNOWBALL_DIR");
	struct buf p = BUF_INIT, q = BUF_INIT;
	buf_printf(&p, "%s/voc.txt", dir ? dir : "../shared/snowball-english");
	buf_printf(&q, "%s/output.txt", dir ? dir : "../shared/snowball-english");
	size_t nv, no;
	char *voc = file_read(p.ptr, &nv), *out = file_read(q.ptr, &no);
	if (!voc || !out) {
		harness_skip("the stemmer vocabulary test needs ../shared/snowball-english "
			     "(voc.txt and output.txt, or SNOWBALL_DIR)");
	} else {
		size_t words = 0, wrong = 0;
		char *v = voc, *o = out, *vn, *on;
		for (; v && *v && o && *o; v = vn, o = on) {
			vn = strchr(v, '\n');
			on = strchr(o, '\n');
			if (vn)
				*vn++ = '\0';
			if (on)
				*on++ = '\0';
			size_t n;
			const char *st = search_stem(t, v, strlen(v), &n);
			words++;
			if (n != strlen(o) || memcmp(st, o, n)) {
				if (wrong++ < 5)
					fprintf(stderr, "  %s: got %.*s, want %s\n", v, (int)n, st, o);
			}
		}
		INT_EQ(wrong, 0);
		OK(words > 40000);
		/* One check per word, as the JS test counts them. */
		harness_passed += (int)words - 1;
	}
	free(voc);
	free(out);
	buf_free(&p);
	buf_free(&q);
}

/* ---- round trip ---- */

static const char alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static int digit(char c)
{
	const char *at = strchr(alphabet, c);
	return c && at ? (int)(at - alphabet) : -1;
}

/* Reads a varint at *S; -1 on bad input. */
static long varint(const char **s)
{
	long v = 0;
	for (;;) {
		int d = digit(**s);
		if (d < 0)
			return -1;
		(*s)++;
		if (d >= 32)
			return v * 32 + (d - 32);
		v = v * 32 + d;
	}
}

struct index {
	arena *a;
	struct diags d;
	const char *dir;
	value *root;
	size_t pages;
	/* every key with its decoded pages */
	const char **keys;
	long **ids;
	int **tpos;             /* per posting: title place | 32 if last, or -1 */
	size_t *nids;
	size_t nkeys;
	size_t npairs;          /* pairs checked */
};

static value *load_json(struct index *x, const char *name)
{
	struct buf p = BUF_INIT;
	buf_printf(&p, "%s/%s", x->dir, name);
	size_t len;
	char *text = file_read(p.ptr, &len);
	value *v = NULL;
	if (text) {
		const char *file = arena_strdup(x->a, p.ptr);
		v = yamlvalue_load(x->a, file, text, len, 0, &x->d);
	}
	if (!v)
		fprintf(stderr, "  cannot read %s as JSON\n", p.ptr);
	free(text);
	buf_free(&p);
	return v;
}

/* The search folder's root file, from the search page in OUT. */
static value *load_root(struct index *x, const char *out)
{
	struct buf page = BUF_INIT;
	buf_printf(&page, "%s/search/index.html", out);
	size_t len;
	char *html = file_read(page.ptr, &len);
	buf_free(&page);
	char *at = html ? strstr(html, "data-index=\"/search/") : NULL;
	value *root = NULL;
	if (at) {
		at += strlen("data-index=\"/search/");
		*strchr(at, '"') = '\0';
		root = load_json(x, at);
	}
	free(html);
	return root;
}

static const char *str_at(value *list, size_t i)
{
	if (!list || list->type != V_LIST || i >= list->u.list.n)
		return NULL;
	value *v = list->u.list.items[i];
	return v->type == V_STRING ? v->u.str.s : NULL;
}

static long long int_at(value *list, size_t i)
{
	if (!list || list->type != V_LIST || i >= list->u.list.n)
		return -1;
	value *v = list->u.list.items[i];
	return v->type == V_INT ? v->u.i : -1;
}

static bool has_id(struct index *x, const char *key, long id)
{
	for (size_t k = 0; k < x->nkeys; k++)
		if (!strcmp(x->keys[k], key)) {
			for (size_t j = 0; j < x->nids[k]; j++)
				if (x->ids[k][j] == id)
					return true;
			return false;
		}
	return false;
}

/* The title place of KEY in page ID (| 32 if the title's last term), or
 * -1 when KEY is not in its title, -2 when not in the page. */
static int title_pos(struct index *x, const char *key, long id)
{
	for (size_t k = 0; k < x->nkeys; k++)
		if (!strcmp(x->keys[k], key)) {
			for (size_t j = 0; j < x->nids[k]; j++)
				if (x->ids[k][j] == id)
					return x->tpos[k][j];
			return -2;
		}
	return -2;
}

static void read_dictionary(struct index *x)
{
	value *dict = value_map_get(x->root, "dict");
	OK(dict && dict->type == V_LIST && dict->u.list.n > 0);
	if (!dict || dict->type != V_LIST)
		return;
	const char *prev = NULL;
	for (size_t i = 0; i < dict->u.list.n; i++) {
		value *e = dict->u.list.items[i];
		const char *first = str_at(e, 0), *file = str_at(e, 1);
		const char *next = i + 1 < dict->u.list.n ? str_at(dict->u.list.items[i + 1], 0) : NULL;
		OK(first && file);
		if (!first || !file)
			continue;
		if (i == 0)
			STR_EQ(first, "");
		value *shard = load_json(x, file);
		OK(shard != NULL);
		if (!shard)
			continue;
		value *plist = value_map_get(shard, "p"), *t = value_map_get(shard, "t");
		OK(plist && t && t->type == V_LIST);
		for (size_t k = 0; t && k < t->u.list.n; k++) {
			value *te = t->u.list.items[k];
			const char *key = str_at(te, 0);
			long long df = int_at(te, 1), pi = int_at(te, 2);
			OK(key && df > 0 && pi >= 0);
			if (!key || pi < 0)
				continue;
			/* Sorted, and inside this shard's range. */
			OK(!prev || strcmp(prev, key) < 0);
			OK(strcmp(first, key) <= 0);
			OK(!next || strcmp(key, next) < 0);
			prev = key;
			value *post = load_json(x, str_at(plist, (size_t)pi));
			value *enc = post ? value_map_get(post, key) : NULL;
			OK(enc && enc->type == V_STRING);
			if (!enc || enc->type != V_STRING)
				continue;
			long m = int_at(te, 3);
			OK(m >= 1 && m <= 10000);
			long *ids = xmalloc(((size_t)df + 1) * sizeof(long));
			int *tpos = xmalloc(((size_t)df + 1) * sizeof(int));
			size_t n = 0;
			long id = 0;
			bool ok = true;
			for (const char *s = enc->u.str.s; *s && ok;) {
				long d = varint(&s);
				bool title = d & 1;
				d >>= 1;
				int score = digit(*s);
				ok = d >= 0 && (n == 0 || d > 0) && score >= 1 && score <= 63 &&
				     n < (size_t)df;
				if (*s)
					s++;
				int pos = -1;
				if (title && ok) {
					ok = s[0] && s[1] && digit(s[0]) >= 0 && digit(s[1]) >= 0;
					pos = ok ? digit(s[0]) : -1;
					s += ok ? 2 : 0;
				}
				id += d;
				if (ok) {
					tpos[n] = pos;
					ids[n++] = id;
				}
			}
			OK(ok);
			INT_EQ(n, df);
			OK(n == 0 || ids[n - 1] < (long)x->pages);
			x->keys = xrealloc(x->keys, (x->nkeys + 1) * sizeof(*x->keys));
			x->ids = xrealloc(x->ids, (x->nkeys + 1) * sizeof(*x->ids));
			x->tpos = xrealloc(x->tpos, (x->nkeys + 1) * sizeof(*x->tpos));
			x->tpos[x->nkeys] = tpos;
			x->nids = xrealloc(x->nids, (x->nkeys + 1) * sizeof(*x->nids));
			x->keys[x->nkeys] = key;
			x->ids[x->nkeys] = ids;
			x->nids[x->nkeys] = n;
			x->nkeys++;
		}
	}
}

/* The number of pages the pair files list for the terms A and B next to
 * each other (-1 when the ids do not increase), and whether page ID is
 * one: the pair's bucket (from the FNV-1a hashes of A and B, as
 * doc/search-index.md says) is found in the table, its file read, its
 * pages decoded. */
static long pair_pages(struct index *x, const char *a, const char *b, long id, bool *has)
{
	*has = false;
	value *name = value_map_get(x->root, "pairs");
	value *table = name && name->type == V_STRING ? load_json(x, name->u.str.s) : NULL;
	value *files = table ? value_map_get(table, "files") : NULL;
	value *from = table ? value_map_get(table, "from") : NULL;
	if (!files || !from || files->type != V_STRING || from->type != V_STRING)
		return 0;
	struct buf key = BUF_INIT;
	buf_printf(&key, "%s %s", a, b);
	uint32_t ha = 2166136261u, hb = 2166136261u;
	for (const char *c = a; *c; c++)
		ha = (ha ^ (unsigned char)*c) * 16777619u;
	for (const char *c = b; *c; c++)
		hb = (hb ^ (unsigned char)*c) * 16777619u;
	long bucket = ((ha * 2654435761u) ^ hb) * 2246822507u >> 16, start = 0, file = -1;
	for (const char *c = from->u.str.s; *c;) {
		long d = varint(&c);
		if (d < 0 || start + d > bucket)
			break;
		start += d;
		file++;
	}
	struct buf fname = BUF_INIT;
	buf_printf(&fname, "%s%ld.json", files->u.str.s, file);
	value *f = file >= 0 ? load_json(x, fname.ptr) : NULL;
	value *enc = f ? value_map_get(f, key.ptr) : NULL;
	long at = 0, n = 0;
	for (const char *c = enc && enc->type == V_STRING ? enc->u.str.s : ""; *c;) {
		long d = varint(&c);
		if (d < 0 || (n && d == 0)) {
			n = -1;
			break;
		}
		at += d;
		n++;
		*has |= at == id;
	}
	buf_free(&key);
	buf_free(&fname);
	return n;
}

static bool pair_has(struct index *x, const char *a, const char *b, long id)
{
	bool has;
	pair_pages(x, a, b, id, &has);
	return has;
}

/* Each pair of terms next to each other in TEXT (stop words left out) is a
 * pair whose list holds ID. */
static void check_pairs_found(struct index *x, struct search_tokenizer *t, const char *text,
			      long id, const char *url)
{
	char *terms = terms_of(t, text, strlen(text));
	const char *prev = NULL;
	int n = 0;
	for (char *w = strtok(terms, " "); w; prev = w, w = strtok(NULL, " ")) {
		if (!prev)
			continue;
		bool found = pair_has(x, prev, w, id);
		if (!found)
			fprintf(stderr, "  %s: pair '%s %s' does not lead to it\n", url, prev, w);
		OK(found);
		n++;
	}
	free(terms);
	x->npairs += n;
}

/* Each term of TEXT is a key whose postings hold ID. */
static void check_text_found(struct index *x, struct search_tokenizer *t, const char *text,
			     long id, const char *url)
{
	char *terms = terms_of(t, text, strlen(text));
	for (char *w = strtok(terms, " "); w; w = strtok(NULL, " ")) {
		bool found = has_id(x, w, id);
		if (!found)
			fprintf(stderr, "  %s: term '%s' does not lead to it\n", url, w);
		OK(found);
	}
	free(terms);
}

static void test_round_trip(struct search_tokenizer *t)
{
	char tmpl[] = "/tmp/folio-search-XXXXXX";
	char *tmp = mkdtemp(tmpl);
	OK(tmp != NULL);
	if (!tmp)
		return;
	struct buf out = BUF_INIT;
	buf_printf(&out, "%s/out", tmp);
	struct index x = { .a = arena_new() };
	diags_init(&x.d);
	struct build_opts o = { .site_dir = "tests/sites/search", .out_dir = out.ptr, .threads = 2 };
	struct build_stats st;
	INT_EQ(build_run(&o, &x.d, &st), 0);
	struct buf dir = BUF_INIT;
	buf_printf(&dir, "%s/search", out.ptr);
	x.dir = dir.ptr;

	/* The search page names the root. */
	x.root = load_root(&x, out.ptr);
	OK(x.root != NULL);
	if (!x.root)
		goto out;
	value *pv = value_map_get(x.root, "pages");
	x.pages = pv && pv->type == V_INT ? (size_t)pv->u.i : 0;
	INT_EQ(x.pages, 7);     /* 9 content files, less the draft and search: false */
	read_dictionary(&x);
	OK(x.nkeys > 50);
	/* Title terms: their places, the last one flagged. */
	INT_EQ(title_pos(&x, "django", 6), 0 | 32);
	INT_EQ(title_pos(&x, "backend", 4), 0);
	INT_EQ(title_pos(&x, "develop", 4), 1 | 32);
	INT_EQ(title_pos(&x, "django", 4), -1);
	OK(!has_id(&x, "zanzibarquux", 0));

	/* Sections cover the ids in order. */
	value *secs = value_map_get(x.root, "sections");
	size_t next = 0;
	for (size_t i = 0; secs && i < secs->u.list.n; i++) {
		value *e = secs->u.list.items[i];
		INT_EQ(int_at(e, 3), next);
		OK(int_at(e, 4) > int_at(e, 3));
		next = (size_t)int_at(e, 4);
	}
	INT_EQ(next, x.pages);

	/* Every page's title, summary and headings lead back to it. */
	value *pk = value_map_get(x.root, "packs");
	value *size = value_map_get(x.root, "pack");
	OK(pk && pk->type == V_STRING && size && size->type == V_INT);
	long id = 0;
	for (long k = 0; pk && id < (long)x.pages; k++) {
		struct buf name = BUF_INIT;
		buf_printf(&name, "%s%ld.json", pk->u.str.s, k);
		value *pack = load_json(&x, name.ptr);
		buf_free(&name);
		OK(pack && pack->type == V_LIST);
		if (!pack || pack->type != V_LIST)
			break;
		for (size_t i = 0; i < pack->u.list.n; i++, id++) {
			/* [url after its section's, title, section, summary, headings] */
			value *pg = pack->u.list.items[i];
			const char *rel = str_at(pg, 0), *tt = str_at(pg, 1), *e = str_at(pg, 3);
			long long s = int_at(pg, 2);
			value *h = pg->type == V_LIST && pg->u.list.n > 4 ? pg->u.list.items[4] : NULL;
			OK(rel && tt && s >= 0 && (size_t)s < secs->u.list.n);
			if (!rel || !tt || s < 0 || (size_t)s >= secs->u.list.n)
				continue;
			value *sec = secs->u.list.items[s];
			OK(int_at(sec, 3) <= id && id < int_at(sec, 4));
			struct buf url = BUF_INIT;
			if (*rel != '/')
				buf_puts(&url, str_at(sec, 2));
			buf_puts(&url, rel);
			const char *u = url.ptr;
			check_text_found(&x, t, tt, id, u);
			check_pairs_found(&x, t, tt, id, u);
			if (e)
				check_text_found(&x, t, e, id, u);
			for (size_t j = 0; h && j < h->u.list.n; j++) {
				check_text_found(&x, t, str_at(h->u.list.items[j], 1), id, u);
				check_pairs_found(&x, t, str_at(h->u.list.items[j], 1), id, u);
				/* A piece of text under a heading is the page's too. */
				const char *piece = str_at(h->u.list.items[j], 2);
				if (piece && *piece)
					check_text_found(&x, t, piece, id, u);
			}
			OK(strcmp(u, "/roles/secret/") && strcmp(u, "/roles/draft/"));
			if (!strcmp(u, "/misc/escape/"))
				STR_EQ(tt, "</script><b>Escapes</b> & \"quotes\"");
			if (!strcmp(u, "/roles/backend/"))
				STR_EQ(rel, "backend/");
			buf_free(&url);
		}
	}
	INT_EQ(id, x.pages);
	OK(x.npairs >= 10);
	/* A pair of words apart in a page is not one of its pairs. */
	OK(!pair_has(&x, "develop", "backend", 4));
out:
	for (size_t k = 0; k < x.nkeys; k++) {
		free(x.ids[k]);
		free(x.tpos[k]);
	}
	free(x.tpos);
	free(x.keys);
	free(x.ids);
	free(x.nids);
	diags_free(&x.d);
	arena_free(x.a);
	output_remove_tree(tmp);
	buf_free(&dir);
	buf_free(&out);
}

/* ---- bounded memory ---- */

/* Record I of the spool test: 1 to 37 letters. */
static void spool_record(struct buf *b, int i)
{
	buf_reset(b);
	for (int k = 0; k <= i % 37; k++)
		buf_putc(b, 'a' + (i + k) % 26);
}

/* Records come back by offset, from memory and from the file. */
static void test_spool(void)
{
	for (size_t limit = 0; limit <= 64; limit += 64) {
		struct spool sp;
		spool_init(&sp, limit);
		uint64_t before = spool_spilled(), off[300], total = 0;
		struct buf rec = BUF_INIT;
		struct spool_reader r = { .b = BUF_INIT };
		for (int i = 0; i < 300; i++) {
			spool_record(&rec, i);
			off[i] = spool_add(&sp, rec.ptr, rec.len);
			INT_EQ(off[i], total);
			total += rec.len;
		}
		INT_EQ(spool_size(&sp), total);
		INT_EQ(spool_spilled() - before, sp.filed);
		if (limit) {
			OK(sp.filed > 0 && sp.mem.len <= limit);
		} else {
			INT_EQ(sp.filed, 0);
		}
		int bad = 0;
		for (int i = 299; i >= 0; i--) {
			spool_record(&rec, i);
			const char *got = spool_get(&sp, off[i], rec.len, &r);
			bad += memcmp(got, rec.ptr, rec.len) != 0;
		}
		INT_EQ(bad, 0);
		/* Settled, every record is in the file. */
		spool_settle(&sp);
		INT_EQ(sp.filed, total);
		INT_EQ(sp.mem.len, 0);
		bad = 0;
		for (int i = 0; i < 300; i++) {
			spool_record(&rec, i);
			const char *got = spool_get(&sp, off[i], rec.len, &r);
			bad += memcmp(got, rec.ptr, rec.len) != 0;
		}
		INT_EQ(bad, 0);
		spool_free(&sp);
		buf_free(&rec);
		buf_free(&r.b);
	}
}

/* Builds SITE into DIR/NAME on THREADS threads, the index's memory set to
 * MEM_KB (NULL: the default).  Returns the path of the search folder. */
static char *build_into(const char *site, const char *dir, const char *name, unsigned threads,
			const char *mem_kb)
{
	if (mem_kb)
		setenv("FOLIO_SEARCH_MEM_KB", mem_kb, 1);
	else
		unsetenv("FOLIO_SEARCH_MEM_KB");
	struct buf out = BUF_INIT;
	buf_printf(&out, "%s/%s", dir, name);
	struct diags d;
	diags_init(&d);
	struct build_opts o = { .site_dir = site, .out_dir = out.ptr, .threads = threads };
	struct build_stats st;
	INT_EQ(build_run(&o, &d, &st), 0);
	diags_free(&d);
	unsetenv("FOLIO_SEARCH_MEM_KB");
	buf_puts(&out, "/search");
	return buf_detach(&out, NULL);
}

/* The number of files in folder A, each with the same bytes in B, or -1
 * when one differs or B has another number of files.  *POSTINGS gets the
 * number of postings the dictionary shards count. */
static long same_tree(const char *a, const char *b, long *postings)
{
	struct index x = { .a = arena_new(), .dir = a };
	diags_init(&x.d);
	long files = 0, fb = 0;
	bool same = true;
	*postings = 0;
	DIR *d = opendir(a);
	for (struct dirent *e; d && (e = readdir(d));) {
		if (e->d_name[0] == '.')
			continue;
		struct buf pa = BUF_INIT, pb = BUF_INIT;
		buf_printf(&pa, "%s/%s", a, e->d_name);
		buf_printf(&pb, "%s/%s", b, e->d_name);
		size_t na, nb;
		char *ta = file_read(pa.ptr, &na), *tb = file_read(pb.ptr, &nb);
		if (!ta || !tb || na != nb || memcmp(ta, tb, na)) {
			fprintf(stderr, "  %s differs from %s\n", pb.ptr, pa.ptr);
			same = false;
		}
		value *t = e->d_name[0] == 'd' ? value_map_get(load_json(&x, e->d_name), "t") : NULL;
		for (size_t i = 0; t && t->type == V_LIST && i < t->u.list.n; i++)
			*postings += (long)int_at(t->u.list.items[i], 1);
		files++;
		free(ta);
		free(tb);
		buf_free(&pa);
		buf_free(&pb);
	}
	if (d)
		closedir(d);
	d = opendir(b);
	for (struct dirent *e; d && (e = readdir(d));)
		fb += e->d_name[0] != '.';
	if (d)
		closedir(d);
	diags_free(&x.d);
	arena_free(x.a);
	return same && files == fb ? files : -1;
}

/* An index built in 1 KiB (room for 42 postings a pass, records and
 * files in temporary files) or 16 KiB, on 2 or 3 threads, or in the
 * default memory on 3, is the one built in memory on one. */
static void test_spill_same(const char *site)
{
	char tmpl[] = "/tmp/folio-spill-XXXXXX";
	char *tmp = mkdtemp(tmpl);
	OK(tmp != NULL);
	if (!tmp)
		return;
	char *ref = build_into(site, tmp, "ref", 1, NULL);
	uint64_t before = spool_spilled();
	char *tiny = build_into(site, tmp, "tiny", 2, "1");
	OK(spool_spilled() > before);
	char *small = build_into(site, tmp, "small", 3, "16");
	char *multi = build_into(site, tmp, "multi", 3, NULL);
	long postings;
	long files = same_tree(ref, tiny, &postings);
	OK(files > 4);
	OK(postings > 42);      /* so the tiny build made more than one pass */
	INT_EQ(same_tree(ref, small, &postings), files);
	INT_EQ(same_tree(ref, multi, &postings), files);
	output_remove_tree(tmp);
	free(ref);
	free(tiny);
	free(small);
	free(multi);
}

/* Writes TEXT to DIR/NAME. */
static void put_file(const char *dir, const char *name, const char *text)
{
	struct buf p = BUF_INIT;
	buf_printf(&p, "%s/%s", dir, name);
	FILE *f = fopen(p.ptr, "w");
	OK(f != NULL);
	if (f) {
		fputs(text, f);
		fclose(f);
	}
	buf_free(&p);
}

/*
 * A site of COMMON_PAGES pages, each saying "alpha beta" and "beta wK"
 * (K its number, a word of its own), and page 7 "zeta alpha" twice: alpha
 * and beta are common (in more than an eighth of the pages and in 1,000
 * or more), so their pair is not listed; pairs with a word of one page
 * are, each page once.  Made in DIR; returns the site's folder.
 */
#define COMMON_PAGES 1200
static char *make_common_site(const char *dir)
{
	struct buf site = BUF_INIT, sub = BUF_INIT, text = BUF_INIT;
	buf_printf(&site, "%s/common", dir);
	mkdir(site.ptr, 0777);
	put_file(site.ptr, "site.yaml", "title: Common\nbase_url: https://example.org/\ntheme: none\n");
	buf_printf(&sub, "%s/layouts", site.ptr);
	mkdir(sub.ptr, 0777);
	const char *layouts[] = { "home", "page", "search", "section" };
	for (size_t i = 0; i < sizeof(layouts) / sizeof(*layouts); i++) {
		struct buf from = BUF_INIT, name = BUF_INIT;
		buf_printf(&from, "tests/sites/search/layouts/%s.mustache", layouts[i]);
		buf_printf(&name, "%s.mustache", layouts[i]);
		size_t n;
		char *t = file_read(from.ptr, &n);
		OK(t != NULL);
		put_file(sub.ptr, name.ptr, t ? t : "");
		free(t);
		buf_free(&from);
		buf_free(&name);
	}
	buf_reset(&sub);
	buf_printf(&sub, "%s/content", site.ptr);
	mkdir(sub.ptr, 0777);
	put_file(sub.ptr, "search.md", "---\ntitle: Search\nlayout: search\nsearch: false\n---\n");
	buf_puts(&sub, "/notes");
	mkdir(sub.ptr, 0777);
	for (int k = 0; k < COMMON_PAGES; k++) {
		struct buf name = BUF_INIT;
		buf_printf(&name, "%04d.md", k);
		buf_reset(&text);
		buf_printf(&text, "---\ntitle: Note %04d\n---\nAlpha beta w%04d, alpha.\n", k, k);
		if (k == 7)
			buf_puts(&text, "\nZeta alpha gamma; zeta alpha.\n");
		put_file(sub.ptr, name.ptr, text.ptr);
		buf_free(&name);
	}
	buf_free(&sub);
	buf_free(&text);
	return buf_detach(&site, NULL);
}

/* Pairs of two common terms are not listed; the others are, each page
 * once, and the table says which terms are common. */
static void test_common_pairs(const char *site, const char *tmp)
{
	struct buf out = BUF_INIT, dir = BUF_INIT;
	buf_printf(&out, "%s/common-out", tmp);
	buf_printf(&dir, "%s/search", out.ptr);
	struct index x = { .a = arena_new(), .dir = dir.ptr };
	diags_init(&x.d);
	struct build_opts o = { .site_dir = site, .out_dir = out.ptr, .threads = 2 };
	struct build_stats st;
	INT_EQ(build_run(&o, &x.d, &st), 0);
	x.root = load_root(&x, out.ptr);
	OK(x.root != NULL);
	value *pv = x.root ? value_map_get(x.root, "pages") : NULL;
	INT_EQ(pv ? pv->u.i : -1, COMMON_PAGES);
	value *name = x.root ? value_map_get(x.root, "pairs") : NULL;
	value *table = name && name->type == V_STRING ? load_json(&x, name->u.str.s) : NULL;
	value *most = table ? value_map_get(table, "most") : NULL;
	INT_EQ(most && most->type == V_INT ? most->u.i : -1, 999);
	long unlisted = 0, listed = 0, zeta = 0;
	for (long id = 0; id < COMMON_PAGES; id++) {
		bool has;
		unlisted += pair_pages(&x, "alpha", "beta", id, &has) != 0;
		char w[16];
		snprintf(w, sizeof(w), "w%04ld", id);
		/* Ids follow the files' names, all in one section. */
		listed += pair_pages(&x, "beta", w, id, &has) == 1 && has;
		listed += pair_pages(&x, w, "alpha", id, &has) == 1 && has;
	}
	INT_EQ(unlisted, 0);
	INT_EQ(listed, 2 * COMMON_PAGES);
	bool has;
	INT_EQ(pair_pages(&x, "zeta", "alpha", 7, &has), 1);    /* twice in the page, once listed */
	zeta += has;
	INT_EQ(pair_pages(&x, "alpha", "gamma", 7, &has), 1);
	zeta += has;
	INT_EQ(zeta, 2);
	INT_EQ(pair_pages(&x, "gamma", "zeta", 7, &has), 1);    /* a semicolon does not part words */
	INT_EQ(pair_pages(&x, "beta", "gamma", 7, &has), 0);    /* apart */
	INT_EQ(pair_pages(&x, "0007", "alpha", 7, &has), 0);    /* the title and the text */
	INT_EQ(pair_pages(&x, "note", "0007", 7, &has), 1);
	diags_free(&x.d);
	arena_free(x.a);
	buf_free(&out);
	buf_free(&dir);
}

/* The text of piece X of TEXT. */
static char *piece_text(const char *text, const struct search_piece *x)
{
	return xstrndup(text + x->from, x->to - x->from);
}

/* Words of the sections of TEXT (headings at AT[0..2 NH)) as the
 * tokenizer gives them to search_pieces, a term a distinct word but the
 * stop words "the" and "and"; FLAGS gets PIECE_TITLE for the words of
 * TITLE, PIECE_SHOWN for those of SHOWN.  Returns the number of words. */
static size_t piece_words(const char *text, const size_t *at, size_t nh, const char *title,
			  const char *shown, struct search_ptok *w, uint8_t *flags, size_t *nterms)
{
	char terms[64][16];
	size_t n = 0;
	*nterms = 0;
	memset(flags, 0, 64);
	for (int pass = 0; pass < 3; pass++) {
		const char *t = pass == 0 ? title : pass == 1 ? shown : text;
		for (size_t i = 0; t[i];) {
			if (!is_alnum((unsigned char)t[i])) {
				i++;
				continue;
			}
			size_t s = i;
			while (is_alnum((unsigned char)t[i]))
				i++;
			char word[16] = "";
			for (size_t k = 0; k < i - s && k < 15; k++)
				word[k] = (char)to_lower((unsigned char)t[s + k]);
			if (!strcmp(word, "the") || !strcmp(word, "and"))
				continue;
			size_t slot = 0;
			while (slot < *nterms && strcmp(terms[slot], word))
				slot++;
			if (slot == *nterms)
				memcpy(terms[(*nterms)++], word, 16);
			if (pass < 2) {
				flags[slot] |= pass == 0 ? PIECE_TITLE : PIECE_SHOWN;
				continue;
			}
			size_t sec = nh;
			for (size_t h = 0; h < nh; h++)
				if (s >= at[2 * h + 1])
					sec = h;
			if (sec < nh && (sec + 1 == nh || s < at[2 * (sec + 1)]))
				w[n++] = (struct search_ptok){ (uint32_t)s, (uint32_t)i, (uint32_t)slot,
							       (uint32_t)sec };
		}
	}
	return n;
}

/* The pieces kept under headings: the terms a result does not show yet,
 * one piece a section, about 150 bytes, cut where the section goes on. */
static void test_pieces(void)
{
	struct buf b = BUF_INIT;
	size_t at[6];
	/* Heading 0: only words the summary has.  Heading 1: a long section
	 * whose new words are at its end.  Heading 2: new words, short. */
	at[0] = b.len;
	buf_puts(&b, "Known");
	at[1] = b.len;
	buf_puts(&b, "\nalpha beta gamma, alpha.\n");
	at[2] = b.len;
	buf_puts(&b, "Long");
	at[3] = b.len;
	buf_puts(&b, "\n");
	for (int i = 0; i < 30; i++)
		buf_puts(&b, "alpha beta ");
	buf_puts(&b, "the zebra yak xylophone walrus vole. ");
	for (int i = 0; i < 30; i++)
		buf_puts(&b, "gamma ");
	at[4] = b.len;
	buf_puts(&b, "Short");
	at[5] = b.len;
	buf_puts(&b, "\nThe quokka and the numbat.");
	const char *shown = "Alpha beta gamma. Known Long Short";
	struct search_ptok w[512];
	uint8_t flags[64];
	size_t nt, n = piece_words(b.ptr, at, 3, "Title", shown, w, flags, &nt);
	struct search_piece x[3];

	/* One piece: the section whose piece adds the most terms. */
	search_pieces(w, n, flags, nt, b.ptr, b.len, at, 3, 1, x);
	INT_EQ(x[0].to - x[0].from, 0);
	INT_EQ(x[2].to - x[2].from, 0);
	OK(x[1].to > x[1].from && x[1].to - x[1].from <= SEARCH_SNIPPET_MAX - 8);
	char *p = piece_text(b.ptr, &x[1]);
	OK(strstr(p, "zebra yak xylophone walrus vole") != NULL);
	OK(x[1].cut_before && x[1].cut_after);
	free(p);

	/* Two: the short section's too, whole (its stop words and full stop
	 * with it), and never a second piece of one section. */
	search_pieces(w, n, flags, nt, b.ptr, b.len, at, 3, 3, x);
	INT_EQ(x[0].to - x[0].from, 0);
	OK(x[1].to > x[1].from);
	p = piece_text(b.ptr, &x[2]);
	STR_EQ(p, "\nThe quokka and the numbat.");
	OK(!x[2].cut_before && !x[2].cut_after);
	free(p);

	/* A title's terms weigh three: two of them beat five others. */
	n = piece_words(b.ptr, at, 3, "Quokka numbat", shown, w, flags, &nt);
	search_pieces(w, n, flags, nt, b.ptr, b.len, at, 3, 1, x);
	INT_EQ(x[1].to - x[1].from, 0);
	OK(x[2].to > x[2].from);

	/* Terms shown already do not make a piece. */
	n = piece_words(b.ptr, at, 3, "", "zebra yak xylophone walrus vole quokka numbat alpha beta gamma",
			w, flags, &nt);
	search_pieces(w, n, flags, nt, b.ptr, b.len, at, 3, 3, x);
	for (int i = 0; i < 3; i++)
		INT_EQ(x[i].to - x[i].from, 0);
	buf_free(&b);
}

int main(void)
{
	struct search_tokenizer *t = search_tokenizer_new();
	test_tokens(t);
	test_token_runs(t);
	test_vocabulary(t);
	test_round_trip(t);
	search_tokenizer_free(t);
	test_spool();
	test_pieces();
	test_spill_same("tests/sites/search");
	test_spill_same(".");
	char tmpl[] = "/tmp/folio-common-XXXXXX";
	char *tmp = mkdtemp(tmpl);
	OK(tmp != NULL);
	if (tmp) {
		char *site = make_common_site(tmp);
		test_common_pairs(site, tmp);
		test_spill_same(site);
		output_remove_tree(tmp);
		free(site);
	}
	return harness_finish();
}
