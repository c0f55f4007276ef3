/*
 * rules_ja.c - the Japanese texts of the built-in rule table.
 *
 * They live in a catalogue of their own, keyed by rule id
 * (src/rules/default_rules.ja.json), so that the English table can change
 * and grow without touching them: a rule the catalogue does not know yet is
 * shown in English and `costrank rules check` warns about it.
 */
#include <jansson.h>
#include <stdarg.h>
#include <string.h>

#include "costrank/buf.h"
#include "costrank/json_pos.h"
#include "rules/rules_internal.h"

static const char *const fields[] = { "title", "rationale", "basis" };

static int say(FILE *out, const char *name, cr_json_pos pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int say(FILE *out, const char *name, cr_json_pos pos, const char *fmt, ...)
{
	va_list ap;

	if (!out)
		return 1;
	fprintf(out, "%s:%d:%d: ", name, pos.line, pos.column);
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fputc('\n', out);
	return 1;
}

static bool known_field(const char *k)
{
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
		if (strcmp(k, fields[i]) == 0)
			return true;
	return false;
}

/* One rule's entry: an object of non-empty strings under known keys. */
static int check_entry(const char *name, const cr_json_node *pe, const json_t *e,
		       const char *id, FILE *out)
{
	int n = 0;

	if (!json_is_object(e))
		return say(out, name, pe->pos, "rule %s: expected an object {\"title\": ..., "
			   "\"rationale\": ..., \"basis\": ...}", id);
	for (size_t i = 0; i < pe->n; i++) {
		const cr_json_node *k = &pe->v[i];
		const json_t *v = json_object_get(e, k->key);

		if (!known_field(k->key))
			n += say(out, name, k->key_pos, "rule %s: unknown key \"%s\" (known: title, "
				 "rationale, basis)", id, k->key);
		else if (!json_is_string(v) || !json_string_value(v)[0])
			n += say(out, name, k->pos, "rule %s: \"%s\" must be a non-empty string",
				 id, k->key);
	}
	return n;
}

int cr_rules_ja_read(const char *name, const char *text, size_t len, const cr_ruleset *table,
		     struct cr_rules_ja *ja, FILE *out)
{
	cr_json_pos at = { 0, 0 };
	cr_json_node *proot;
	const cr_json_node *prules;
	json_error_t jerr;
	int n = 0;

	memset(ja, 0, sizeof *ja);
	ja->root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!ja->root) {
		at.line = jerr.line;
		at.column = jerr.column;
		return say(out, name, at, "%s", jerr.text);
	}
	proot = cr_json_pos_scan(text, len);
	prules = cr_json_pos_member(proot, "rules");
	ja->rules = json_object_get(ja->root, "rules");
	if (!proot || !prules || !json_is_object(ja->rules)) {
		ja->rules = NULL;
		n += say(out, name, proot ? proot->pos : at,
			 "expected {\"rules\": {\"RULE ID\": {\"title\": ...}, ...}}");
		goto done;
	}
	for (size_t i = 0; i < proot->n; i++)
		if (strcmp(proot->v[i].key, "rules") != 0)
			n += say(out, name, proot->v[i].key_pos,
				 "unknown key \"%s\" at the top level (only \"rules\")",
				 proot->v[i].key);
	for (size_t i = 0; i < prules->n; i++) {
		const cr_json_node *pe = &prules->v[i];

		n += check_entry(name, pe, json_object_get(ja->rules, pe->key), pe->key, out);
		if (table && !cr_ruleset_find(table, pe->key))
			n += say(out, name, pe->key_pos, "rule %s: no such rule in the built-in "
				 "table (renamed or removed?)", pe->key);
	}
done:
	cr_json_pos_free(proot);
	return n;
}

void cr_rules_ja_release(struct cr_rules_ja *ja)
{
	json_decref(ja->root);
	memset(ja, 0, sizeof *ja);
}
