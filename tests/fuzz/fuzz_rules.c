/*
 * fuzz_rules.c - the rule-table loader: a rule file checked on its own
 * (cr_rules_check_text) and loaded over the built-in table
 * (cr_rules_load, from a file).
 *
 * Invariants: both agree on whether the file is valid (checked on every
 * valid file and a sample of invalid ones); every problem is
 * exactly one line naming the file; a table that loads has rules with ids,
 * valid globs and figures in range, and matching them against usage lines
 * (as the savings engine does with names from billing data) is safe.
 */
#include <stdbool.h>

#include "costrank/error.h"
#include "costrank/rules.h"

#include "fuzz.h"

#define NAME "fuzz-rules.json"

static const char *const services[] = {
	"Amazon Elastic Compute Cloud - Compute", "EC2 - Other", "AmazonCloudWatch", "",
	"Amazon Simple Storage Service", "\xc3\xa9\xe2\x82\xac\xff[{*?\\",
};
static const char *const usage_types[] = {
	"BoxUsage:m5.xlarge", "USE1-SpotUsage:c5.large", "EBS:VolumeUsage.gp2", "",
	"APN1-TimedStorage-ByteHrs", "EU-NatGateway-Bytes", "a,b}{[]!-*?\\\xe2\x82",
};

/* Problems written one per line: as many lines as problems, each naming
 * the file. */
static int count_lines(const char *text, size_t len, const char *name)
{
	int lines = 0;
	size_t nlen = strlen(name);

	for (size_t i = 0; i < len; ) {
		const char *nl = memchr(text + i, '\n', len - i);

		FUZZ_CHECK(nl != NULL);
		FUZZ_CHECK(strncmp(text + i, name, nlen) == 0 && text[i + nlen] == ':');
		lines++;
		i = (size_t)(nl - text) + 1;
	}
	return lines;
}

static void check_rule(const cr_rule *r)
{
	FUZZ_CHECK(r->id && *r->id);
	FUZZ_CHECK(r->service_glob && cr_glob_valid(r->service_glob) == NULL);
	FUZZ_CHECK(r->usage_glob && cr_glob_valid(r->usage_glob) == NULL);
	FUZZ_CHECK(!r->exclude_usage_glob || cr_glob_valid(r->exclude_usage_glob) == NULL);
	FUZZ_CHECK((unsigned)r->action < CR_ACT_COUNT);
	FUZZ_CHECK((unsigned)r->model < CR_MODEL_COUNT);
	FUZZ_CHECK(r->effort <= CR_LEVEL_HIGH && r->risk <= CR_LEVEL_HIGH);
	FUZZ_CHECK(r->environments != 0 && (r->environments & ~(unsigned)CR_ENV_ANY) == 0);
	FUZZ_CHECK(r->min_monthly_cost >= 0);
	/* a translation is never empty, and never without its English */
	FUZZ_CHECK(!r->title_ja || (*r->title_ja && r->title));
	FUZZ_CHECK(!r->rationale_ja || (*r->rationale_ja && r->rationale));
	FUZZ_CHECK(!r->basis_ja || (*r->basis_ja && r->basis));
	FUZZ_CHECK(r->fraction >= 0 && r->fraction <= 1);
	FUZZ_CHECK(r->discount >= 0 && r->discount <= 1);
	FUZZ_CHECK(r->hours_on_per_week >= 0 && r->hours_on_per_week <= 168);
	for (size_t s = 0; s < sizeof services / sizeof services[0]; s++)
		for (size_t u = 0; u < sizeof usage_types / sizeof usage_types[0]; u++)
			(void)cr_rule_matches(r, services[s], usage_types[u],
					      (unsigned)CR_ENV_PRODUCTION << (u % 6));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *out = NULL;
	size_t outlen = 0;
	FILE *mem = open_memstream(&out, &outlen);
	const char *path;
	const char *files[2];
	cr_ruleset *rs;
	cr_error err;
	int problems, warnings = 0;

	FUZZ_CHECK(mem != NULL);
	problems = cr_rules_check_text(NAME, (const char *)data, size, mem, &warnings);
	fclose(mem);
	FUZZ_CHECK(problems >= 0 && warnings >= 0);
	/* warnings (a text without Japanese) are lines of their own */
	FUZZ_CHECK(count_lines(out, outlen, NAME) == problems + warnings);
	free(out);

	/* Loading parses the built-in table again, which is most of the cost:
	 * every valid file is loaded, and one invalid file in eight (chosen by
	 * its bytes) to check that it is refused with the same verdict. */
	if (problems > 0) {
		uint32_t h = 2166136261u;
		for (size_t i = 0; i < size; i++)
			h = (h ^ data[i]) * 16777619u;
		if (h % 8)
			return 0;
	}
	path = fuzz_file(data, size);
	files[0] = path;
	files[1] = NULL;
	cr_error_clear(&err);
	rs = cr_rules_load(files, fuzz_devnull(), &err);
	if (!rs) {
		FUZZ_CHECK(problems > 0);
		FUZZ_CHECK(err.code == CR_EXIT_INPUT);
		FUZZ_CHECK(strncmp(err.msg, path, strlen(path)) == 0);
		FUZZ_CHECK(strchr(err.msg, '\n') == NULL);
		return 0;
	}
	FUZZ_CHECK(problems == 0);
	for (size_t i = 0; i < rs->n; i++) {
		check_rule(&rs->v[i]);
		for (size_t j = 0; j < i; j++)
			FUZZ_CHECK(strcmp(rs->v[i].id, rs->v[j].id) != 0);
	}
	cr_ruleset_free(rs);
	return 0;
}
