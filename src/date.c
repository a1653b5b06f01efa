/*
 * date.c - calendar arithmetic without the C library's locale or time zone.
 */
#include "date.h"

#include <string.h>
#include "util.h"

static const char *const month_names[] = {
	"January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December",
};

static bool is_leap(long long y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(long long y, int m)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	return m == 2 && is_leap(y) ? 29 : d[m - 1];
}

/* Days from 1970-01-01 to Y-M-D (Howard Hinnant's algorithm). */
static long long days_from_civil(long long y, int m, int d)
{
	y -= m <= 2;
	long long era = (y >= 0 ? y : y - 399) / 400;
	long long yoe = y - era * 400;
	long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(long long z, long long *y, int *m, int *d)
{
	z += 719468;
	long long era = (z >= 0 ? z : z - 146096) / 146097;
	long long doe = z - era * 146097;
	long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long long mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int date_parse(const char *s, struct date *out)
{
	int y, mo, d, h = 0, mi = 0, se = 0, oh = 0, om = 0, sign = 1;
	size_t n = strlen(s);
	memset(out, 0, sizeof(*out));
	if (n < 10 || digits(s, 4, &y) < 0 || s[4] != '-' || digits(s + 5, 2, &mo) < 0 ||
	    s[7] != '-' || digits(s + 8, 2, &d) < 0)
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
		return -1;
	const char *p = s + 10;
	if (*p) {
		if (*p != 'T' && *p != 't' && *p != ' ')
			return -1;
		p++;
		if (digits(p, 2, &h) < 0 || p[2] != ':' || digits(p + 3, 2, &mi) < 0)
			return -1;
		p += 5;
		if (*p == ':') {
			if (digits(p + 1, 2, &se) < 0)
				return -1;
			p += 3;
			if (*p == '.') {
				p++;
				if (!is_digit(*p))
					return -1;
				while (is_digit(*p))
					p++;
			}
		}
		if (h > 23 || mi > 59 || se > 60)
			return -1;
		/* Jekyll writes "2018-01-02 11:21:40 +0100": a space, and the
		 * zone without its colon. */
		if (*p == ' ' && (p[1] == '+' || p[1] == '-'))
			p++;
		if (*p == 'Z' || *p == 'z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			sign = *p == '-' ? -1 : 1;
			bool colon = p[3] == ':';
			if (digits(p + 1, 2, &oh) < 0 || digits(p + (colon ? 4 : 3), 2, &om) < 0 ||
			    oh > 23 || om > 59)
				return -1;
			p += colon ? 6 : 5;
		} else if (*p) {
			return -1;
		}
		if (*p)
			return -1;
		out->has_time = true;
	}
	out->offset = sign * (oh * 60 + om);
	out->epoch = days_from_civil(y, mo, d) * 86400LL + h * 3600 + mi * 60 + se
		- out->offset * 60LL;
	return 0;
}

/* Breaks D down in its own offset. */
static void local_parts(const struct date *d, long long *y, int *m, int *day,
			int *h, int *mi, int *s)
{
	long long t = d->epoch + d->offset * 60LL;
	long long days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
	long long secs = t - days * 86400;
	civil_from_days(days, y, m, day);
	*h = (int)(secs / 3600);
	*mi = (int)(secs / 60 % 60);
	*s = (int)(secs % 60);
}

void date_iso(const struct date *d, struct buf *out)
{
	long long y;
	int m, day, h, mi, s;
	local_parts(d, &y, &m, &day, &h, &mi, &s);
	if (y >= 0 && y <= 9999) {
		/* Every page's dates are written in feeds, sitemaps and
		 * JSON-LD: digits by hand cost a tenth of a printf. */
		char t[19];
		int v[6] = { (int)y, m, day, h, mi, s };
		static const char at[6] = { 0, 5, 8, 11, 14, 17 };
		memcpy(t, "0000-00-00T00:00:00", 19);
		for (int k = 0; k < 6; k++)
			for (int i = at[k] + (k ? 1 : 3), x = v[k]; x; i--, x /= 10)
				t[i] = (char)('0' + x % 10);
		buf_put(out, t, sizeof t);
	} else {
		buf_printf(out, "%04lld-%02d-%02dT%02d:%02d:%02d", y, m, day, h, mi, s);
	}
	if (d->offset == 0) {
		buf_putc(out, 'Z');
	} else {
		int o = d->offset < 0 ? -d->offset : d->offset;
		buf_printf(out, "%c%02d:%02d", d->offset < 0 ? '-' : '+', o / 60, o % 60);
	}
}

void date_human(const struct date *d, struct buf *out)
{
	long long y;
	int m, day, h, mi, s;
	local_parts(d, &y, &m, &day, &h, &mi, &s);
	buf_printf(out, "%d %s %lld", day, month_names[m - 1], y);
}

void date_ymd(const struct date *d, struct buf *out)
{
	long long y;
	int m, day, h, mi, s;
	local_parts(d, &y, &m, &day, &h, &mi, &s);
	buf_printf(out, "%04lld-%02d-%02d", y, m, day);
}

void date_iso_epoch(long long epoch, struct buf *out)
{
	struct date d = { .epoch = epoch, .offset = 0, .has_time = true };
	date_iso(&d, out);
}
