/* period.c - see costrank/period.h */
#include "costrank/period.h"
#include "costrank/i18n.h"

#include <stdio.h>
#include <string.h>

int cr_period_from_options(const char *month, const char *from, const char *to,
			   cr_period *p, bool *given, cr_error *err)
{
	*given = false;
	if (month && (from || to))
		return cr_error_set(err, CR_EXIT_USAGE,
				    _("--month cannot be combined with --from/--to"));
	if (month) {
		if (cr_month_parse(month, &p->start, &p->end))
			return cr_error_set(err, CR_EXIT_USAGE,
					    _("--month '%s' is not a month like 2026-10"), month);
		p->is_month = true;
		*given = true;
		return 0;
	}
	if (!from && !to)
		return 0;
	if (!from || !to)
		return cr_error_set(err, CR_EXIT_USAGE,
				    _("--from and --to go together (both dates inclusive)"));
	if (strlen(from) != 10 || cr_day_parse(from, 10, &p->start))
		return cr_error_set(err, CR_EXIT_USAGE,
				    _("--from '%s' is not a date like 2026-10-01"), from);
	if (strlen(to) != 10 || cr_day_parse(to, 10, &p->end))
		return cr_error_set(err, CR_EXIT_USAGE,
				    _("--to '%s' is not a date like 2026-10-31"), to);
	if (p->end < p->start)
		return cr_error_set(err, CR_EXIT_USAGE,
				    _("--to %s is before --from %s"), to, from);
	p->is_month = p->start == cr_month_first(p->start) &&
		      p->end == cr_month_last(p->start);
	*given = true;
	return 0;
}

void cr_period_default(cr_day first, cr_day last, cr_period *p, bool *complete)
{
	cr_day m_first = cr_month_first(last), m_last = cr_month_last(last);

	p->is_month = true;
	*complete = true;
	if (last >= m_last && first <= m_first) {
		p->start = m_first;
		p->end = m_last;
		return;
	}
	if (last < m_last) {
		cr_day prev_first = cr_month_first(m_first - 1);
		if (first <= prev_first) {
			p->start = prev_first;
			p->end = m_first - 1;
			return;
		}
	}
	*complete = false;
	p->start = m_first;
	p->end = m_last;
}

void cr_period_previous(const cr_period *p, cr_period *prev)
{
	if (p->is_month) {
		prev->end = p->start - 1;
		prev->start = cr_month_first(prev->end);
		prev->is_month = true;
		return;
	}
	prev->end = p->start - 1;
	prev->start = p->start - (p->end - p->start + 1);
	prev->is_month = false;
}

void cr_period_label(const cr_period *p, char *buf, size_t size)
{
	char a[CR_DATE_STRLEN], b[CR_DATE_STRLEN];

	cr_day_format(p->start, a);
	if (p->is_month) {
		snprintf(buf, size, "%.7s", a);
		return;
	}
	cr_day_format(p->end, b);
	snprintf(buf, size, "%s_%s", a, b);
}
