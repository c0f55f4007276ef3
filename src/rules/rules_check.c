/*
 * rules_check.c - reading and validating rule files.
 *
 * jansson reads the values; the position scanner (json_pos.h) says where
 * each one is, so that every problem is reported at its place.  Members are
 * visited in text order and every problem is reported, not only the first.
 */
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "costrank/accounts.h"
#include "costrank/buf.h"
#include "costrank/hint.h"
#include "costrank/json_pos.h"
#include "rules/rules_internal.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *const rule_keys[] = {
	"id", "title", "action", "match", "environments", "on_demand_only",
	"min_monthly_cost", "savings", "effort", "risk", "rationale", "reference", "enabled",
};
static const char *const match_keys[] = { "service", "usage_type", "exclude_usage_type" };
static const char *const savings_keys[] = {
	"model", "fraction", "hours_on_per_week", "discount", "traffic", "confidence", "basis",
};
static const char *const env_names[] = {
	"production", "staging", "development", "sandbox", "shared", "unknown",
	"non-production", "any",
};

struct problem {
	cr_json_pos pos;
	int seq;                   /* order of discovery, for ties */
	bool warning;              /* reported, but the rule is good */
	char *text;                /* the whole line */
};

struct parse {
	const char *name;          /* the file, for messages */
	FILE *out;
	cr_error *err;
	const cr_ruleset *base;
	const json_t *ja;          /* the built-in Japanese catalogue's "rules", or NULL */
	int *warnings;             /* NULL: translations are not checked */
	int problems;
	int nv;
	struct problem *v;         /* collected, then reported in text order */
	char label[128];           /* "rule ID" while inside a rule, else "" */
	char id[72];               /* the id of the rule being read, or "" */
};

static void report(struct parse *ps, cr_json_pos pos, bool warning, const char *fmt,
		   va_list ap) __attribute__((format(printf, 4, 0)));

static void report(struct parse *ps, cr_json_pos pos, bool warning, const char *fmt, va_list ap)
{
	cr_buf b = CR_BUF_INIT;
	char msg[CR_ERROR_MSG_MAX];

	vsnprintf(msg, sizeof msg, fmt, ap);
	cr_buf_adds(&b, ps->name);
	if (pos.line > 0)
		cr_buf_addf(&b, ":%d:%d", pos.line, pos.column);
	if (ps->label[0])
		cr_buf_addf(&b, ": %s", ps->label);
	cr_buf_addf(&b, ": %s%s", warning ? "warning: " : "", msg);
	/* one line of text each, whatever keys and values the file holds */
	for (char *p = b.ptr; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	ps->v = cr_xrealloc(ps->v, (size_t)(ps->nv + 1) * sizeof *ps->v);
	ps->v[ps->nv].pos = pos;
	ps->v[ps->nv].seq = ps->nv;
	ps->v[ps->nv].warning = warning;
	ps->v[ps->nv].text = cr_buf_detach(&b);
	ps->nv++;
	if (warning)
		(*ps->warnings)++;
	else
		ps->problems++;
}

static void problem(struct parse *ps, cr_json_pos pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void problem(struct parse *ps, cr_json_pos pos, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(ps, pos, false, fmt, ap);
	va_end(ap);
}

/* Only when translations are checked (ps->warnings). */
static void warning(struct parse *ps, cr_json_pos pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void warning(struct parse *ps, cr_json_pos pos, const char *fmt, ...)
{
	va_list ap;

	if (!ps->warnings)
		return;
	va_start(ap, fmt);
	report(ps, pos, true, fmt, ap);
	va_end(ap);
}

static int by_position(const void *a, const void *b)
{
	const struct problem *x = a, *y = b;

	if (x->pos.line != y->pos.line)
		return x->pos.line < y->pos.line ? -1 : 1;
	if (x->pos.column != y->pos.column)
		return x->pos.column < y->pos.column ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Reports the problems found, in the order of the text.  Warnings only
 * when there is no problem: the errors are what to fix first. */
static void flush(struct parse *ps)
{
	if (ps->nv > 1)
		qsort(ps->v, (size_t)ps->nv, sizeof *ps->v, by_position);
	if (ps->problems && ps->warnings)
		*ps->warnings = 0;
	for (int i = 0; i < ps->nv; i++) {
		if (ps->out && (!ps->v[i].warning || !ps->problems))
			fprintf(ps->out, "%s\n", ps->v[i].text);
		if (!ps->v[i].warning)
			cr_error_set(ps->err, CR_EXIT_INPUT, "%s", ps->v[i].text);
		free(ps->v[i].text);
	}
	free(ps->v);
	ps->v = NULL;
}

/* The name closest to s, when it is close enough to be a typo. */
static const char *closest(const char *s, const char *const *names, size_t n)
{
	size_t limit = strlen(s) >= 8 ? 3 : 2, best_d = limit + 1;
	const char *best = NULL;

	for (size_t i = 0; i < n; i++) {
		size_t d = cr_edit_distance(s, names[i]);
		if (d < best_d) {
			best_d = d;
			best = names[i];
		}
	}
	return best;
}

static void join(cr_buf *b, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		cr_buf_addf(b, "%s%s", i ? ", " : "", names[i]);
}

static bool in_list(const char *s, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return true;
	return false;
}

/* "unknown key 'x'" with the best hint: the level it belongs to, a close
 * name, or the list of known keys. */
static void unknown_key(struct parse *ps, const cr_json_node *member, const char *where,
			const char *const *known, size_t n)
{
	const char *near = closest(member->key, known, n);
	cr_buf b = CR_BUF_INIT;

	if (strcmp(where, "rule") != 0 && in_list(member->key, rule_keys, ARRAY_SIZE(rule_keys)))
		cr_buf_addf(&b, "it belongs to the rule itself, not inside \"%s\"", where);
	else if (strcmp(where, "match") != 0 &&
		 in_list(member->key, match_keys, ARRAY_SIZE(match_keys)))
		cr_buf_adds(&b, "it belongs inside \"match\"");
	else if (strcmp(where, "savings") != 0 &&
		 in_list(member->key, savings_keys, ARRAY_SIZE(savings_keys)))
		cr_buf_adds(&b, "it belongs inside \"savings\"");
	else if (near)
		cr_buf_addf(&b, "did you mean \"%s\"?", near);
	else {
		cr_buf_adds(&b, "known: ");
		join(&b, known, n);
	}
	if (strcmp(where, "rule") == 0)
		problem(ps, member->key_pos, "unknown key \"%s\" (%s)", member->key, b.ptr);
	else
		problem(ps, member->key_pos, "unknown key \"%s\" in \"%s\" (%s)", member->key,
			where, b.ptr);
	cr_buf_release(&b);
}

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER:
	case JSON_REAL: return "a number";
	case JSON_TRUE: return "true";
	case JSON_FALSE: return "false";
	case JSON_NULL: return "null";
	}
	return "?";
}

static void wrong_type(struct parse *ps, const cr_json_node *m, const char *path,
		       const char *want, const json_t *v)
{
	problem(ps, m->pos, "\"%s\" must be %s, not %s", path, want, type_name(v));
}

/* A string member that must not be empty; NULL after reporting a problem. */
static const char *text_value(struct parse *ps, const cr_json_node *m, const char *path,
			      const json_t *v)
{
	if (!json_is_string(v)) {
		wrong_type(ps, m, path, "a string", v);
		return NULL;
	}
	if (!json_string_value(v)[0]) {
		problem(ps, m->pos, "\"%s\" is empty", path);
		return NULL;
	}
	return json_string_value(v);
}

/*
 * A text of a rule (title, rationale, savings.basis): a string, English
 * only, or {"en": "...", "ja": "..."}.  *en and *ja take the values (*ja
 * NULL when not given); a text without Japanese takes the built-in
 * catalogue's translation of the rule, else it is a warning.
 */
static bool bilingual_value(struct parse *ps, const cr_json_node *m, const char *path,
			    const json_t *v, char **en, char **ja)
{
	static const char *const langs[] = { "en", "ja" };
	const char *e = NULL, *j = NULL;
	bool ok = true;

	if (json_is_string(v)) {
		if (!(e = text_value(ps, m, path, v)))
			return false;
	} else if (json_is_object(v)) {
		for (size_t i = 0; i < m->n; i++) {
			const cr_json_node *k = &m->v[i];
			const json_t *kv = json_object_get(v, k->key);
			char sub[64];
			const char *near;

			snprintf(sub, sizeof sub, "%s.%s", path, k->key);
			if (strcmp(k->key, "en") == 0) {
				ok &= (e = text_value(ps, k, sub, kv)) != NULL;
			} else if (strcmp(k->key, "ja") == 0) {
				ok &= (j = text_value(ps, k, sub, kv)) != NULL;
			} else {
				near = closest(k->key, langs, ARRAY_SIZE(langs));
				problem(ps, k->key_pos, "unknown language \"%s\" in \"%s\" (%s%s%sknown: "
					"en, ja)", k->key, path, near ? "did you mean \"" : "",
					near ? near : "", near ? "\"?; " : "");
				ok = false;
			}
		}
		if (ok && !e) {
			problem(ps, m->pos, "\"%s\" needs its English text: {\"en\": \"...\", "
				"\"ja\": \"...\"}", path);
			ok = false;
		}
	} else {
		wrong_type(ps, m, path, "a string or {\"en\": \"...\", \"ja\": \"...\"}", v);
		return false;
	}
	if (!ok)
		return false;
	if (!j && ps->ja && ps->id[0]) {
		const char *field = strrchr(path, '.') ? strrchr(path, '.') + 1 : path;
		j = json_string_value(json_object_get(json_object_get(ps->ja, ps->id), field));
	}
	if (!j)
		warning(ps, m->pos, "\"%s\" has no Japanese translation (give {\"en\": \"...\", "
			"\"ja\": \"...\"})", path);
	free(*en);
	*en = cr_xstrdup(e);
	free(*ja);
	*ja = j ? cr_xstrdup(j) : NULL;
	return true;
}

static bool number_value(struct parse *ps, const cr_json_node *m, const char *path,
			 const json_t *v, double min, double max, double *out)
{
	double d;

	if (!json_is_number(v)) {
		wrong_type(ps, m, path, "a number", v);
		return false;
	}
	d = json_number_value(v);
	if (!isfinite(d) || d < min || d > max) {
		if (max >= 1e300)
			problem(ps, m->pos, "\"%s\" is %g: it must not be negative", path, d);
		else
			problem(ps, m->pos, "\"%s\" is %g: it must be from %g to %g", path, d, min, max);
		return false;
	}
	*out = d;
	return true;
}

static bool bool_value(struct parse *ps, const cr_json_node *m, const char *path,
		       const json_t *v, bool *out)
{
	if (!json_is_boolean(v)) {
		wrong_type(ps, m, path, "true or false", v);
		return false;
	}
	*out = json_is_true(v);
	return true;
}

static bool glob_value(struct parse *ps, const cr_json_node *m, const char *path,
		       const json_t *v, char **out)
{
	const char *why;

	if (!json_is_string(v)) {
		wrong_type(ps, m, path, "a string (a glob pattern)", v);
		return false;
	}
	why = cr_glob_valid(json_string_value(v));
	if (why) {
		problem(ps, m->pos, "bad glob in \"%s\" \"%s\": %s", path, json_string_value(v), why);
		return false;
	}
	free(*out);
	*out = cr_xstrdup(json_string_value(v));
	return true;
}

static bool id_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 64)
		return false;
	for (const char *p = s; *p; p++) {
		bool alnum = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			     (*p >= '0' && *p <= '9');
		if (!alnum && (p == s || (*p != '-' && *p != '_' && *p != '.')))
			return false;
	}
	return true;
}

static bool url_valid(const char *s)
{
	const char *host, *p;
	bool dot = false;

	if (strncmp(s, "https://", 8) == 0)
		host = s + 8;
	else if (strncmp(s, "http://", 7) == 0)
		host = s + 7;
	else
		return false;
	for (p = s; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return false;
	for (p = host; *p && *p != '/' && *p != '?' && *p != '#'; p++) {
		if (*p == '.')
			dot = true;
		else if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			   (*p >= '0' && *p <= '9') || *p == '-' || *p == ':'))
			return false;
	}
	return p > host && dot && host[0] != '.';
}

static bool level_value(struct parse *ps, const cr_json_node *m, const char *path,
			const json_t *v, enum cr_level *out)
{
	static const char *const levels[] = { "low", "medium", "high" };
	int l;

	if (!json_is_string(v)) {
		wrong_type(ps, m, path, "a string (low, medium or high)", v);
		return false;
	}
	l = cr_level_parse(json_string_value(v));
	if (l < 0) {
		const char *near = closest(json_string_value(v), levels, ARRAY_SIZE(levels));
		problem(ps, m->pos, "unknown %s level \"%s\" (%s%s%sknown: low, medium, high)", path,
			json_string_value(v), near ? "did you mean \"" : "", near ? near : "",
			near ? "\"?; " : "");
		return false;
	}
	*out = (enum cr_level)l;
	return true;
}

static bool action_value(struct parse *ps, const cr_json_node *m, const json_t *v,
			 enum cr_action *out)
{
	const char *names[CR_ACT_COUNT], *near;
	cr_buf b = CR_BUF_INIT;
	int a;

	if (!json_is_string(v)) {
		wrong_type(ps, m, "action", "a string", v);
		return false;
	}
	a = cr_action_parse(json_string_value(v));
	if (a >= 0) {
		*out = (enum cr_action)a;
		return true;
	}
	for (int i = 0; i < CR_ACT_COUNT; i++)
		names[i] = cr_action_name((enum cr_action)i);
	near = closest(json_string_value(v), names, CR_ACT_COUNT);
	if (near)
		cr_buf_addf(&b, "did you mean \"%s\"?; ", near);
	cr_buf_adds(&b, "known: ");
	join(&b, names, CR_ACT_COUNT);
	problem(ps, m->pos, "unknown action \"%s\" (%s)", json_string_value(v), b.ptr);
	cr_buf_release(&b);
	return false;
}

static unsigned env_bits(const char *s)
{
	if (strcmp(s, "non-production") == 0)
		return CR_ENV_NONPROD;
	if (strcmp(s, "any") == 0)
		return CR_ENV_ANY;
	for (size_t i = 0; i < 6; i++)
		if (strcmp(s, env_names[i]) == 0)
			return cr_env_bit(s);
	return 0;
}

static bool envs_value(struct parse *ps, const cr_json_node *m, const json_t *v, unsigned *out)
{
	unsigned bits = 0;
	bool ok = true;

	if (!json_is_array(v)) {
		wrong_type(ps, m, "environments", "an array of environment names", v);
		return false;
	}
	if (json_array_size(v) == 0) {
		problem(ps, m->pos, "\"environments\" lists no environment "
			"(write [\"any\"] for every environment)");
		return false;
	}
	for (size_t i = 0; i < json_array_size(v); i++) {
		const json_t *e = json_array_get(v, i);
		const cr_json_node *en = cr_json_pos_element(m, i);
		unsigned b;

		if (!json_is_string(e)) {
			problem(ps, en->pos, "environments[%zu] must be a string, not %s", i,
				type_name(e));
			ok = false;
			continue;
		}
		b = env_bits(json_string_value(e));
		if (!b) {
			const char *s = json_string_value(e);
			const char *near = cr_environment_canonical(s);
			cr_buf hint = CR_BUF_INIT;

			if (!near)
				near = closest(s, env_names, ARRAY_SIZE(env_names));
			if (!near && (strncasecmp(s, "non", 3) == 0 || strncasecmp(s, "not", 3) == 0))
				near = "non-production";
			if (near)
				cr_buf_addf(&hint, "did you mean \"%s\"?; ", near);
			cr_buf_adds(&hint, "known: ");
			join(&hint, env_names, ARRAY_SIZE(env_names));
			problem(ps, en->pos, "unknown environment \"%s\" (%s)", s, hint.ptr);
			cr_buf_release(&hint);
			ok = false;
			continue;
		}
		bits |= b;
	}
	if (ok)
		*out = bits;
	return ok;
}

static void parse_match(struct parse *ps, const cr_json_node *m, const json_t *v,
			struct cr_rule_draft *d)
{
	if (!json_is_object(v)) {
		wrong_type(ps, m, "match", "an object {\"service\": ..., \"usage_type\": ...}", v);
		d->bad = true;
		return;
	}
	d->given |= CR_F_MATCH;
	for (size_t i = 0; i < m->n; i++) {
		const cr_json_node *k = &m->v[i];
		const json_t *kv = json_object_get(v, k->key);
		bool ok = true;

		if (strcmp(k->key, "service") == 0) {
			ok = glob_value(ps, k, "match.service", kv, &d->r.service_glob);
			if (ok)
				d->given |= CR_F_SERVICE;
		} else if (strcmp(k->key, "usage_type") == 0) {
			ok = glob_value(ps, k, "match.usage_type", kv, &d->r.usage_glob);
			if (ok)
				d->given |= CR_F_USAGE;
		} else if (strcmp(k->key, "exclude_usage_type") == 0) {
			/* null removes an exclusion an overridden rule had */
			if (!json_is_null(kv))
				ok = glob_value(ps, k, "match.exclude_usage_type", kv,
						&d->r.exclude_usage_glob);
			if (ok)
				d->given |= CR_F_EXCLUDE;
		} else {
			unknown_key(ps, k, "match", match_keys, ARRAY_SIZE(match_keys));
			ok = false;
		}
		if (!ok)
			d->bad = true;
	}
}

/* The parameter each model takes ("" when none). */
static const char *model_param(enum cr_model model)
{
	switch (model) {
	case CR_MODEL_FRACTION: return "fraction";
	case CR_MODEL_SCHEDULE: return "hours_on_per_week";
	case CR_MODEL_COMMITMENT: return "discount";
	case CR_MODEL_IDLE: return "traffic";
	default: return "";
	}
}

static void parse_savings(struct parse *ps, const cr_json_node *m, const json_t *v,
			  struct cr_rule_draft *d)
{
	const cr_json_node *model_node = cr_json_pos_member(m, "model");
	const json_t *model_v = json_object_get(v, "model");
	int model = -1;
	bool ok = true, conf_given = false;

	if (!json_is_object(v)) {
		wrong_type(ps, m, "savings", "an object {\"model\": ...}", v);
		d->bad = true;
		return;
	}
	if (!model_node) {
		problem(ps, m->pos, "missing required key \"model\" in \"savings\" "
			"(known models: fraction, schedule, weekend, commitment-floor, idle, "
			"aurora-io-optimized)");
		ok = false;
	} else if (!json_is_string(model_v)) {
		wrong_type(ps, model_node, "savings.model", "a string", model_v);
		ok = false;
	} else if ((model = cr_model_parse(json_string_value(model_v))) < 0) {
		static const char *const models[] = {
			"fraction", "schedule", "weekend", "commitment-floor", "idle",
			"aurora-io-optimized",
		};
		const char *near = closest(json_string_value(model_v), models, ARRAY_SIZE(models));
		problem(ps, model_node->pos,
			"unknown savings model \"%s\" (%s%s%sknown: fraction, schedule, weekend, "
			"commitment-floor, idle, aurora-io-optimized)", json_string_value(model_v),
			near ? "did you mean \"" : "", near ? near : "", near ? "\"?; " : "");
		ok = false;
	}
	for (size_t i = 0; i < m->n; i++) {
		const cr_json_node *k = &m->v[i];
		const json_t *kv = json_object_get(v, k->key);
		char path[64];

		snprintf(path, sizeof path, "savings.%s", k->key);
		if (strcmp(k->key, "model") == 0)
			continue;
		if (strcmp(k->key, "basis") == 0) {
			ok &= bilingual_value(ps, k, path, kv, &d->r.basis, &d->r.basis_ja);
			continue;
		}
		if (strcmp(k->key, "confidence") == 0) {
			int c = json_is_string(kv) ? cr_confidence_parse(json_string_value(kv)) : -1;
			if (c < 0) {
				problem(ps, k->pos, "savings.confidence must be \"measured\", \"priced\" "
					"or \"estimate\"");
				ok = false;
			} else {
				d->r.confidence = (enum cr_confidence)c;
				conf_given = true;
			}
			continue;
		}
		if (!in_list(k->key, savings_keys, ARRAY_SIZE(savings_keys))) {
			unknown_key(ps, k, "savings", savings_keys, ARRAY_SIZE(savings_keys));
			ok = false;
			continue;
		}
		if (model >= 0 && strcmp(k->key, model_param((enum cr_model)model)) != 0) {
			const char *p = model_param((enum cr_model)model);
			problem(ps, k->key_pos, "\"%s\" does not apply to savings model %s (%s%s%s)",
				k->key, cr_model_name((enum cr_model)model),
				*p ? "it takes \"" : "it takes no parameter", p, *p ? "\"" : "");
			ok = false;
			continue;
		}
		if (strcmp(k->key, "traffic") == 0) {
			const char *s = text_value(ps, k, path, kv);
			if (s && !strchr(s, '*') && strlen(s) < 128) {
				free(d->r.traffic);
				d->r.traffic = cr_xstrdup(s);
			} else {
				if (s)
					problem(ps, k->pos, "savings.traffic must be a usage type "
						"without a Region prefix or glob, under 128 bytes");
				ok = false;
			}
		} else if (strcmp(k->key, "fraction") == 0)
			ok &= number_value(ps, k, path, kv, 0, 1, &d->r.fraction);
		else if (strcmp(k->key, "discount") == 0)
			ok &= number_value(ps, k, path, kv, 0, 1, &d->r.discount);
		else
			ok &= number_value(ps, k, path, kv, 0, 168, &d->r.hours_on_per_week);
	}
	if (model >= 0) {
		const char *p = model_param((enum cr_model)model);
		if (*p && !cr_json_pos_member(m, p)) {
			problem(ps, m->pos, "savings model %s needs \"%s\" (%s)",
				cr_model_name((enum cr_model)model), p,
				model == CR_MODEL_SCHEDULE ? "hours switched on per week, 0 to 168"
				: model == CR_MODEL_IDLE ? "the traffic usage type, \"NatGateway-Bytes\""
							 : "a number from 0 to 1");
			ok = false;
		}
		d->r.model = (enum cr_model)model;
		if (!conf_given)
			d->r.confidence = cr_model_confidence((enum cr_model)model);
	}
	if (ok)
		d->given |= CR_F_SAVINGS;
	else
		d->bad = true;
}

/* One member of a rule object. */
static void parse_member(struct parse *ps, const cr_json_node *k, const json_t *v,
			 struct cr_rule_draft *d)
{
	const char *key = k->key;
	unsigned bit = 0;
	bool ok = true;

	if (strcmp(key, "id") == 0) {
		if (!json_is_string(v)) {
			wrong_type(ps, k, "id", "a string", v);
			ok = false;
		} else if (!id_valid(json_string_value(v))) {
			problem(ps, k->pos, "id \"%s\" must be 1 to 64 letters, digits, '-', '_' or '.', "
				"starting with a letter or digit", json_string_value(v));
			ok = false;
		} else {
			d->r.id = cr_xstrdup(json_string_value(v));
			bit = CR_F_ID;
		}
	} else if (strcmp(key, "title") == 0 || strcmp(key, "rationale") == 0) {
		bool title = key[0] == 't';
		ok = bilingual_value(ps, k, key, v, title ? &d->r.title : &d->r.rationale,
				     title ? &d->r.title_ja : &d->r.rationale_ja);
		bit = title ? CR_F_TITLE : CR_F_RATIONALE;
	} else if (strcmp(key, "action") == 0) {
		ok = action_value(ps, k, v, &d->r.action);
		bit = CR_F_ACTION;
	} else if (strcmp(key, "match") == 0) {
		parse_match(ps, k, v, d);
		return;
	} else if (strcmp(key, "environments") == 0) {
		ok = envs_value(ps, k, v, &d->r.environments);
		bit = CR_F_ENVS;
	} else if (strcmp(key, "on_demand_only") == 0) {
		ok = bool_value(ps, k, key, v, &d->r.on_demand_only);
		bit = CR_F_ON_DEMAND;
	} else if (strcmp(key, "enabled") == 0) {
		ok = bool_value(ps, k, key, v, &d->r.enabled);
		bit = CR_F_ENABLED;
	} else if (strcmp(key, "min_monthly_cost") == 0) {
		ok = number_value(ps, k, key, v, 0, HUGE_VAL, &d->r.min_monthly_cost);
		bit = CR_F_MIN_COST;
	} else if (strcmp(key, "savings") == 0) {
		parse_savings(ps, k, v, d);
		return;
	} else if (strcmp(key, "effort") == 0) {
		ok = level_value(ps, k, key, v, &d->r.effort);
		bit = CR_F_EFFORT;
	} else if (strcmp(key, "risk") == 0) {
		ok = level_value(ps, k, key, v, &d->r.risk);
		bit = CR_F_RISK;
	} else if (strcmp(key, "reference") == 0) {
		if (!json_is_string(v)) {
			wrong_type(ps, k, key, "a string (an http(s) URL)", v);
			ok = false;
		} else if (!url_valid(json_string_value(v))) {
			problem(ps, k->pos, "reference \"%s\" is not an http(s) URL "
				"(like https://docs.aws.amazon.com/...)", json_string_value(v));
			ok = false;
		} else {
			free(d->r.reference);
			d->r.reference = cr_xstrdup(json_string_value(v));
			bit = CR_F_REFERENCE;
		}
	} else {
		unknown_key(ps, k, "rule", rule_keys, ARRAY_SIZE(rule_keys));
		ok = false;
	}
	if (ok)
		d->given |= bit;
	else
		d->bad = true;
}

static const struct { unsigned bit; const char *key; } required[] = {
	{ CR_F_ID, "id" }, { CR_F_TITLE, "title" }, { CR_F_ACTION, "action" }, { CR_F_USAGE, "match" },
	{ CR_F_ENVS, "environments" }, { CR_F_SAVINGS, "savings" }, { CR_F_EFFORT, "effort" },
	{ CR_F_RISK, "risk" }, { CR_F_RATIONALE, "rationale" }, { CR_F_REFERENCE, "reference" },
};

/* After the members of a new rule: the required keys it lacks, in one
 * problem.  A key that is there but bad was reported already. */
static void check_complete(struct parse *ps, const cr_json_node *obj,
			   const struct cr_rule_draft *d)
{
	const cr_json_node *match = cr_json_pos_member(obj, "match");
	cr_buf keys = CR_BUF_INIT;
	int n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(required); i++) {
		if ((d->given & required[i].bit) || cr_json_pos_member(obj, required[i].key))
			continue;
		cr_buf_addf(&keys, "%s\"%s\"", n ? ", " : "", required[i].key);
		n++;
	}
	if (n)
		problem(ps, obj->pos, "missing required key%s %s%s%s%s", n > 1 ? "s" : "", keys.ptr,
			d->r.id ? " (\"" : "", d->r.id ? d->r.id : "",
			d->r.id ? "\" is not an existing rule, so this entry is a new rule and "
				  "must be complete)" : "");
	if (match && match->kind == CR_JSON_OBJECT && !cr_json_pos_member(match, "usage_type"))
		problem(ps, match->pos, "missing required key \"usage_type\" in \"match\"");
	cr_buf_release(&keys);
}

/* Sets ps->label for the rule entry at index i. */
static void set_label(struct parse *ps, size_t i, const json_t *obj)
{
	const json_t *id = json_object_get(obj, "id");

	ps->id[0] = '\0';
	if (json_is_string(id) && id_valid(json_string_value(id))) {
		snprintf(ps->label, sizeof ps->label, "rule %s", json_string_value(id));
		snprintf(ps->id, sizeof ps->id, "%s", json_string_value(id));
	} else {
		snprintf(ps->label, sizeof ps->label, "rule ? (rules[%zu])", i);
	}
}

static void parse_rule(struct parse *ps, size_t i, const json_t *obj, const cr_json_node *pn,
		       struct cr_rule_draft *d)
{
	int before = ps->problems;
	bool exists;

	memset(d, 0, sizeof *d);
	d->r.enabled = true;
	if (!json_is_object(obj)) {
		snprintf(ps->label, sizeof ps->label, "rules[%zu]", i);
		problem(ps, pn->pos, "expected a rule object {\"id\": ...}, not %s", type_name(obj));
		d->bad = true;
		return;
	}
	set_label(ps, i, obj);
	for (size_t k = 0; k < pn->n; k++)
		parse_member(ps, &pn->v[k], json_object_get(obj, pn->v[k].key), d);
	exists = d->r.id && ps->base && cr_ruleset_find(ps->base, d->r.id);
	if (!exists)
		check_complete(ps, pn, d);
	if (ps->problems != before)
		d->bad = true;
}

void cr_rule_drafts_free(struct cr_rule_draft *d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		cr_rule_release(&d[i].r);
	free(d);
}

static void check_duplicates(struct parse *ps, const cr_json_node *prules,
			     struct cr_rule_draft *d, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		if (!d[i].r.id)
			continue;
		for (size_t j = 0; j < i; j++) {
			if (d[j].r.id && strcmp(d[i].r.id, d[j].r.id) == 0) {
				const cr_json_node *at = cr_json_pos_member(&prules->v[i], "id");
				const cr_json_node *first = cr_json_pos_member(&prules->v[j], "id");

				snprintf(ps->label, sizeof ps->label, "rule %s", d[i].r.id);
				problem(ps, at->pos, "duplicate id \"%s\": rules[%zu] at line %d "
					"has it already", d[i].r.id, j, first->pos.line);
				d[i].bad = true;
				break;
			}
		}
	}
}

int cr_rules_parse(const char *name, const char *text, size_t len, const cr_ruleset *base,
		   const struct cr_rules_ja *ja, FILE *out, cr_error *err,
		   struct cr_rule_draft **drafts, size_t *ndrafts, int *warnings)
{
	struct parse ps = { .name = name, .out = out, .err = err, .base = base,
			    .ja = ja ? ja->rules : NULL, .warnings = warnings };
	cr_json_pos at = { 0, 0 };
	cr_json_node *proot = NULL;
	const cr_json_node *prules;
	json_error_t jerr;
	json_t *root, *rules;
	size_t n;

	*drafts = NULL;
	*ndrafts = 0;
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		if (jerr.line > 0) {
			at.line = jerr.line;
			at.column = jerr.column > 0 ? jerr.column : 1;
		}
		problem(&ps, at, "%s", jerr.text);
		flush(&ps);
		return ps.problems;
	}
	proot = cr_json_pos_scan(text, len);
	if (!proot) {
		problem(&ps, at, "not a JSON text the position scanner can read");
		goto done;
	}
	rules = json_object_get(root, "rules");
	prules = cr_json_pos_member(proot, "rules");
	if (!json_is_object(root)) {
		problem(&ps, proot->pos, "expected an object {\"rules\": [...]}, not %s",
			type_name(root));
		goto done;
	}
	for (size_t i = 0; i < proot->n; i++) {
		const cr_json_node *k = &proot->v[i];
		if (strcmp(k->key, "rules") == 0)
			continue;
		if (in_list(k->key, rule_keys, ARRAY_SIZE(rule_keys)))
			problem(&ps, k->key_pos, "unknown key \"%s\" at the top level "
				"(rules go inside {\"rules\": [...]})", k->key);
		else
			problem(&ps, k->key_pos, "unknown key \"%s\" at the top level "
				"(only \"rules\"%s)", k->key,
				closest(k->key, (const char *const[]){ "rules" }, 1)
				? "; did you mean \"rules\"?" : "");
	}
	if (!prules) {
		problem(&ps, proot->pos, "missing key \"rules\": expected {\"rules\": [...]}");
		goto done;
	}
	if (!json_is_array(rules)) {
		problem(&ps, prules->pos, "\"rules\" must be an array of rule objects, not %s",
			type_name(rules));
		goto done;
	}
	n = json_array_size(rules);
	*drafts = cr_xcalloc(n + 1, sizeof **drafts);
	for (size_t i = 0; i < n; i++) {
		parse_rule(&ps, i, json_array_get(rules, i), cr_json_pos_element(prules, i),
			   &(*drafts)[i]);
		ps.label[0] = '\0';
		ps.id[0] = '\0';
	}
	*ndrafts = n;
	check_duplicates(&ps, prules, *drafts, n);
done:
	flush(&ps);
	cr_json_pos_free(proot);
	json_decref(root);
	return ps.problems;
}
