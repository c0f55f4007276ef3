/* test_rules.c - tests for costrank/rules.h and costrank/json_pos.h */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "costrank/json_pos.h"
#include "costrank/rules.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define EC2C "Amazon Elastic Compute Cloud - Compute"

/* ---- glob matching ---- */

struct glob_case {
	const char *glob, *s;
	bool match;
};

static const struct glob_case glob_cases[] = {
	{ "*", "", true },
	{ "*", "anything", true },
	{ "", "", true },
	{ "", "x", false },
	{ "abc", "abc", true },
	{ "abc", "abcd", false },
	{ "abc", "ab", false },
	{ "Abc", "abc", false },                       /* case-sensitive */
	{ "*BoxUsage:*", "BoxUsage:m5.large", true },
	{ "*BoxUsage:*", "APN1-BoxUsage:m5.large", true },
	{ "*BoxUsage:*", "SpotUsage:m5.large", false },
	{ "*BoxUsage:*", "BoxUsage", false },
	{ "*SpotUsage*", "EU-SpotUsage:c5.xlarge", true },
	{ "a*b*c", "axxbyyc", true },
	{ "a*b*c", "axxbyy", false },
	{ "a**b", "ab", true },
	{ "*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false },
	{ "?", "x", true },
	{ "?", "", false },
	{ "?", "xy", false },
	{ "?\?-*", "EU-BoxUsage", true },
	{ "?\?-*", "USE1-BoxUsage", false },
	{ "?", "\xc3\xa9", true },                     /* one character, two bytes */
	{ "[abc]x", "bx", true },
	{ "[abc]x", "dx", false },
	{ "[a-c]", "b", true },
	{ "[a-c]", "d", false },
	{ "[!a-c]", "d", true },
	{ "[!a-c]", "a", false },
	{ "[]]", "]", true },
	{ "[!]]", "]", false },
	{ "[!]]", "x", true },
	{ "[-a]", "-", true },
	{ "[a-]", "-", true },
	{ "[0-9]g", "6g", true },
	{ "*[0-9]g*", "m6gd.large", true },
	{ "*[0-9]g*", "m5.large", false },
	{ "{a,b}", "a", true },
	{ "{a,b}", "b", true },
	{ "{a,b}", "c", false },
	{ "{a,b}", "ab", false },
	{ "x{,ARM-}y", "xy", true },                   /* empty alternative */
	{ "x{,ARM-}y", "xARM-y", true },
	{ "x{,ARM-}y", "xARMy", false },
	{ "*{Read,Write}RequestUnits", "APN1-WriteRequestUnits", true },
	{ "*{Read,Write}RequestUnits", "ReadCapacityUnit-Hrs", false },
	{ "*{InstanceUsage,Multi-AZUsage}:db.*", "Multi-AZUsage:db.r5.2xlarge", true },
	{ "*{InstanceUsage,Multi-AZUsage}:db.*", "HeavyUsage:db.r6g.large", false },
	{ "*Fargate-{,ARM-}{vCPU-Hours:perCPU,GB-Hours}", "Fargate-ARM-GB-Hours", true },
	{ "*Fargate-{,ARM-}{vCPU-Hours:perCPU,GB-Hours}", "USE1-Fargate-vCPU-Hours:perCPU", true },
	{ "*Fargate-{,ARM-}{vCPU-Hours:perCPU,GB-Hours}", "Fargate-EphemeralStorage-GB-Hours", false },
	/* alternatives holding wildcards and classes */
	{ "*BoxUsage:{a1.,*[0-9]g,t4g}*", "BoxUsage:m7gd.xlarge", true },
	{ "*BoxUsage:{a1.,*[0-9]g,t4g}*", "BoxUsage:a1.large", true },
	{ "*BoxUsage:{a1.,*[0-9]g,t4g}*", "USE1-BoxUsage:m5.large", false },
	{ "{*x,y*}z", "aaxz", true },
	{ "{*x,y*}z", "yaaz", true },
	{ "{*x,y*}z", "aaz", false },
	{ "{[,]x,y}", ",x", true },                    /* ',' inside a class is literal */
	{ "a\\*b", "a*b", true },
	{ "a\\*b", "axb", false },
	{ "{a\\,b,c}", "a,b", true },
	{ "Amazon Elastic Container Service*", "Amazon Elastic Container Service for Kubernetes", true },
	{ "*Lambda-GB-Second", "Lambda-GB-Second-ARM", false },
	{ "*Lambda-GB-Second", "APN1-Lambda-GB-Second", true },
	{ "*Lambda-GB-Second", "Lambda-Edge-GB-Second", false },
};

static void test_glob_match_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(glob_cases); i++) {
		const struct glob_case *c = &glob_cases[i];
		if (c->glob[0])
			assert_null(cr_glob_valid(c->glob));
		if (cr_glob_match(c->glob, c->s) != c->match) {
			print_error("glob '%s' on '%s': expected %s\n", c->glob, c->s,
				    c->match ? "a match" : "no match");
			fail();
		}
	}
	assert_false(cr_glob_match(NULL, "x"));
	assert_false(cr_glob_match("*", NULL));
}

struct invalid_case {
	const char *glob, *why;        /* a word of the message */
};

static const struct invalid_case invalid_globs[] = {
	{ "", "empty" },
	{ "*Box[Usage", "'['" },
	{ "[abc", "'['" },
	{ "[]", "'['" },
	{ "[!]", "'['" },
	{ "[z-a]", "reversed" },
	{ "*{a,b", "'{'" },
	{ "a}b", "'}'" },
	{ "{a,b}}", "'}'" },
	{ "{a,{b,c}}", "nested" },
	{ "abc\\", "'\\'" },
};

static void test_glob_invalid(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(invalid_globs); i++) {
		const char *why = cr_glob_valid(invalid_globs[i].glob);
		if (!why || !strstr(why, invalid_globs[i].why)) {
			print_error("glob '%s': expected a message with %s, got %s\n",
				    invalid_globs[i].glob, invalid_globs[i].why, why ? why : "valid");
			fail();
		}
	}
	assert_non_null(cr_glob_valid(NULL));
	assert_null(cr_glob_valid("[]a]"));
	assert_null(cr_glob_valid("{a,[}]}"));
	assert_null(cr_glob_valid("{a,b}{c,d}"));
	assert_null(cr_glob_valid("a,b"));
	/* an invalid glob still matches deterministically, its specials literal */
	assert_true(cr_glob_match("a[b", "a[b"));
	assert_true(cr_glob_match("a{b", "a{b"));
}

/* ---- names ---- */

static void test_names(void **state)
{
	int groups_seen[64] = { 0 };

	(void)state;
	for (int a = 0; a < CR_ACT_COUNT; a++) {
		const char *n = cr_action_name((enum cr_action)a);
		int g = cr_action_group((enum cr_action)a);
		assert_int_equal(cr_action_parse(n), a);
		assert_true(g >= 0 && g < 64);
		assert_non_null(cr_action_group_name(g));
		groups_seen[g]++;
	}
	assert_string_equal(cr_action_name(CR_ACT_WEEKEND_SHUTDOWN), "weekend-shutdown");
	assert_string_equal(cr_action_name(CR_ACT_GP3_MIGRATION), "gp3-migration");
	assert_int_equal(cr_action_parse("previous-generation"), CR_ACT_PREVIOUS_GENERATION);
	assert_int_equal(cr_action_parse("Spot"), -1);
	assert_int_equal(cr_action_parse(""), -1);
	assert_int_equal(cr_action_parse(NULL), -1);

	/* schedule: off-hours, weekend-shutdown, spot, scheduled-scaling */
	int sched = cr_action_group(CR_ACT_OFF_HOURS);
	assert_string_equal(cr_action_group_name(sched), "schedule");
	assert_int_equal(cr_action_group(CR_ACT_WEEKEND_SHUTDOWN), sched);
	assert_int_equal(cr_action_group(CR_ACT_SPOT), sched);
	assert_int_equal(cr_action_group(CR_ACT_SCHEDULED_SCALING), sched);
	assert_int_equal(groups_seen[sched], 4);
	assert_string_equal(cr_action_group_name(cr_action_group(CR_ACT_COMMITMENT)), "commitment");
	assert_int_equal(groups_seen[cr_action_group(CR_ACT_COMMITMENT)], 1);
	/* every other action is a group of its own, named after it */
	assert_string_equal(cr_action_group_name(cr_action_group(CR_ACT_GRAVITON)), "graviton");
	assert_int_not_equal(cr_action_group(CR_ACT_RIGHTSIZING), cr_action_group(CR_ACT_GRAVITON));
	assert_int_equal(groups_seen[cr_action_group(CR_ACT_RETENTION)], 1);
	assert_null(cr_action_group_name(-1));
	assert_null(cr_action_group_name(999));

	assert_string_equal(cr_level_name(CR_LEVEL_LOW), "low");
	assert_string_equal(cr_level_name(CR_LEVEL_MEDIUM), "medium");
	assert_string_equal(cr_level_name(CR_LEVEL_HIGH), "high");
	assert_string_equal(cr_model_name(CR_MODEL_FRACTION), "fraction");
	assert_string_equal(cr_model_name(CR_MODEL_SCHEDULE), "schedule");
	assert_string_equal(cr_model_name(CR_MODEL_WEEKEND), "weekend");
	assert_string_equal(cr_model_name(CR_MODEL_COMMITMENT), "commitment-floor");

	assert_int_equal(cr_env_bit("production"), CR_ENV_PRODUCTION);
	assert_int_equal(cr_env_bit("staging"), CR_ENV_STAGING);
	assert_int_equal(cr_env_bit("development"), CR_ENV_DEVELOPMENT);
	assert_int_equal(cr_env_bit("sandbox"), CR_ENV_SANDBOX);
	assert_int_equal(cr_env_bit("shared"), CR_ENV_SHARED);
	assert_int_equal(cr_env_bit("prod"), CR_ENV_PRODUCTION);
	assert_int_equal(cr_env_bit(""), CR_ENV_UNKNOWN);
	assert_int_equal(cr_env_bit(NULL), CR_ENV_UNKNOWN);
	assert_int_equal(cr_env_bit("qa-east"), CR_ENV_UNKNOWN);
}

/* ---- the position scanner ---- */

static void test_json_pos(void **state)
{
	const char *text = "{\"a\": [1, {\"b\": true}],\n"
			   "\t\"\\u00e9t\\u00e9\": \"x\",\n"
			   "  \"\xc3\xa9\": null, \"n\": -1.5e3}\n";
	cr_json_node *root = cr_json_pos_scan(text, strlen(text));
	const cr_json_node *a, *b, *n;

	(void)state;
	assert_non_null(root);
	assert_int_equal(root->kind, CR_JSON_OBJECT);
	assert_int_equal(root->n, 4);
	assert_int_equal(root->pos.line, 1);
	assert_int_equal(root->pos.column, 1);
	a = cr_json_pos_member(root, "a");
	assert_int_equal(a->kind, CR_JSON_ARRAY);
	assert_int_equal(a->key_pos.column, 2);
	assert_int_equal(a->pos.column, 7);
	b = cr_json_pos_member(cr_json_pos_element(a, 1), "b");
	assert_int_equal(b->key_pos.column, 12);
	assert_int_equal(b->pos.column, 17);
	assert_int_equal(b->kind, CR_JSON_TRUE);
	assert_null(cr_json_pos_element(a, 2));
	/* escaped keys are unescaped; a tab is one column */
	n = cr_json_pos_member(root, "\xc3\xa9t\xc3\xa9");
	assert_non_null(n);
	assert_int_equal(n->key_pos.line, 2);
	assert_int_equal(n->key_pos.column, 2);
	assert_int_equal(n->pos.column, 19);
	/* columns count characters, not bytes */
	n = cr_json_pos_member(root, "\xc3\xa9");
	assert_int_equal(n->key_pos.line, 3);
	assert_int_equal(n->key_pos.column, 3);
	assert_int_equal(n->pos.column, 8);
	assert_int_equal(n->kind, CR_JSON_NULL);
	n = cr_json_pos_member(root, "n");
	assert_int_equal(n->pos.column, 19);
	assert_int_equal(n->kind, CR_JSON_NUMBER);
	assert_null(cr_json_pos_member(root, "zzz"));
	assert_null(cr_json_pos_member(a, "a"));
	cr_json_pos_free(root);

	assert_null(cr_json_pos_scan("{\"a\": }", 7));
	assert_null(cr_json_pos_scan("[1, 2", 5));
	assert_null(cr_json_pos_scan("[1] x", 5));
	assert_null(cr_json_pos_scan("\"\\ud800\"", 8));
	assert_null(cr_json_pos_scan("", 0));
	root = cr_json_pos_scan("  [ ]  ", 7);
	assert_non_null(root);
	assert_int_equal(root->pos.column, 3);
	assert_int_equal(root->n, 0);
	cr_json_pos_free(root);
}

/* ---- the default table ---- */

static const cr_rule *find(const cr_ruleset *rs, const char *id)
{
	for (size_t i = 0; i < rs->n; i++)
		if (strcmp(rs->v[i].id, id) == 0)
			return &rs->v[i];
	return NULL;
}

static void test_default_table(void **state)
{
	cr_error err = { 0 };
	cr_ruleset *rs = cr_rules_load(NULL, NULL, &err);
	const char *json = cr_rules_default_json();
	bool action_seen[CR_ACT_COUNT] = { false };

	(void)state;
	assert_non_null(rs);
	assert_int_equal(err.code, 0);
	assert_true(rs->n >= 32);
	assert_int_equal(cr_rules_check_text("default", json, strlen(json), stderr, NULL), 0);
	for (size_t i = 0; i < rs->n; i++) {
		const cr_rule *r = &rs->v[i];
		bool nonprod_only = !(r->environments & (CR_ENV_PRODUCTION | CR_ENV_SHARED)) &&
				    (r->environments & CR_ENV_NONPROD);

		action_seen[r->action] = true;
		assert_true(r->is_default);
		assert_true(r->enabled);
		assert_non_null(r->title);
		assert_non_null(r->rationale);
		assert_non_null(r->basis);
		assert_non_null(r->service_glob);
		assert_null(cr_glob_valid(r->usage_glob));
		assert_true(strncmp(r->reference, "https://", 8) == 0);
		/* usage types may carry a region prefix */
		assert_int_equal(r->usage_glob[0], '*');
		/* measures for non-production never apply to unknown environments */
		if (nonprod_only && (r->environments & CR_ENV_UNKNOWN)) {
			print_error("rule %s is for non-production but lists unknown\n", r->id);
			fail();
		}
		/* schedules and Spot: never the whole estate blindly */
		if (cr_action_group(r->action) == cr_action_group(CR_ACT_OFF_HOURS))
			assert_false(r->environments & CR_ENV_UNKNOWN);
		/* conservative figures */
		if (r->model == CR_MODEL_COMMITMENT)
			assert_true(r->discount > 0 && r->discount <= 0.35);
		if (r->action == CR_ACT_SPOT)
			assert_true(r->fraction <= 0.7);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(rs->v[j].id, r->id);
	}
	for (int a = 0; a < CR_ACT_COUNT; a++) {
		if (!action_seen[a]) {
			print_error("no default rule for action %s\n", cr_action_name((enum cr_action)a));
			fail();
		}
	}
	cr_ruleset_free(rs);
}

/* A usage line and the default rules that must, or must not, apply to it. */
struct line_case {
	const char *service, *usage_type, *env, *rule;
	bool applies;
};

static const struct line_case line_cases[] = {
	{ EC2C, "BoxUsage:m5.xlarge", "production", "ec2-spot-production", true },
	{ EC2C, "SpotUsage:m5.xlarge", "production", "ec2-spot-production", false },
	{ EC2C, "BoxUsage:m5.xlarge", "development", "ec2-spot-production", false },
	{ EC2C, "BoxUsage:m5.xlarge", "development", "ec2-nonprod-weekend-stop", true },
	{ EC2C, "BoxUsage:m5.xlarge", "", "ec2-nonprod-weekend-stop", false },
	{ EC2C, "BoxUsage:m5.xlarge", "staging", "ec2-nonprod-weekend-stop", true },
	{ EC2C, "BoxUsage:m5.xlarge", "production", "ec2-dev-off-hours", false },
	{ EC2C, "BoxUsage:m5.xlarge", "staging", "ec2-dev-off-hours", false },
	{ EC2C, "EU-BoxUsage:t3.medium", "sandbox", "ec2-dev-off-hours", true },
	{ EC2C, "BoxUsage:t3.medium", "prod", "ec2-dev-off-hours", false },
	{ EC2C, "BoxUsage:m5.xlarge", "production", "ec2-graviton", true },
	{ EC2C, "APN1-BoxUsage:c6g.2xlarge", "production", "ec2-graviton", false },
	{ EC2C, "BoxUsage:m7gd.large", "production", "ec2-graviton", false },
	{ EC2C, "BoxUsage:t4g.small", "production", "ec2-graviton", false },
	{ EC2C, "BoxUsage:x2gd.large", "production", "ec2-graviton", false },
	{ EC2C, "BoxUsage:im4gn.large", "production", "ec2-graviton", false },
	{ EC2C, "BoxUsage:a1.large", "production", "ec2-graviton", false },
	{ EC2C, "BoxUsage:g4dn.xlarge", "sandbox", "ec2-graviton", false },
	{ EC2C, "BoxUsage:p3.2xlarge", "sandbox", "ec2-graviton", false },
	{ EC2C, "BoxUsage:m5.12xlarge", "production", "ec2-graviton", true },
	{ EC2C, "BoxUsage:t2.medium", "development", "ec2-previous-generation", true },
	{ EC2C, "BoxUsage:t3.medium", "development", "ec2-previous-generation", false },
	{ EC2C, "BoxUsage:c4.large", "production", "ec2-previous-generation", true },
	{ "EC2 - Other", "EBS:VolumeUsage.gp2", "production", "ebs-gp2-to-gp3", true },
	{ "EC2 - Other", "EBS:VolumeUsage.gp3", "production", "ebs-gp2-to-gp3", false },
	{ "Amazon Simple Storage Service", "TimedStorage-ByteHrs", "production", "s3-storage-class", true },
	{ "AmazonCloudWatch", "TimedStorage-ByteHrs", "production", "s3-storage-class", false },
	{ "Amazon DynamoDB", "TimedStorage-ByteHrs", "production", "s3-storage-class", false },
	{ "Amazon Simple Storage Service", "TimedStorage-INT-FA-ByteHrs", "production", "s3-storage-class", false },
	{ "AmazonCloudWatch", "TimedStorage-ByteHrs", "production", "cw-logs-retention", true },
	{ "Amazon Simple Storage Service", "TimedStorage-ByteHrs", "production", "cw-logs-retention", false },
	{ "AWS Lambda", "Lambda-GB-Second", "production", "lambda-graviton", true },
	{ "AWS Lambda", "EU-Lambda-GB-Second-ARM", "production", "lambda-graviton", false },
	{ "Amazon Relational Database Service", "Multi-AZUsage:db.r5.2xlarge", "production", "rds-graviton", true },
	{ "Amazon Relational Database Service", "InstanceUsage:db.r6g.large", "production", "rds-graviton", false },
	{ "Amazon Relational Database Service", "InstanceUsage:db.m6gd.large", "production", "rds-graviton", false },
	{ "Amazon Relational Database Service", "InstanceUsage:db.m4.large", "production", "rds-graviton", false },
	{ "Amazon Relational Database Service", "InstanceUsage:db.m4.large", "production", "rds-previous-generation", true },
	{ "Amazon Relational Database Service", "HeavyUsage:db.r6g.large", "production", "rds-reserved-instances", false },
	{ "Amazon Relational Database Service", "Multi-AZUsage:db.m5.large", "staging", "rds-nonprod-single-az", true },
	{ "Amazon Relational Database Service", "Multi-AZUsage:db.m5.large", "production", "rds-nonprod-single-az", false },
	{ "Amazon ElastiCache", "NodeUsage:cache.m5.large", "staging", "elasticache-graviton", true },
	{ "Amazon ElastiCache", "APN1-NodeUsage:cache.r6g.large", "production", "elasticache-graviton", false },
	{ "Amazon Elastic Container Service", "Fargate-vCPU-Hours:perCPU", "production", "fargate-graviton", true },
	{ "Amazon Elastic Container Service", "Fargate-ARM-vCPU-Hours:perCPU", "production", "fargate-graviton", false },
	{ "Amazon Elastic Container Service for Kubernetes", "USE1-Fargate-GB-Hours", "production", "fargate-rightsizing", true },
	{ "Amazon Elastic Container Service for Kubernetes", "AmazonEKS-Hours:extendedSupport", "staging", "eks-extended-support", true },
	{ "Amazon Virtual Private Cloud", "PublicIPv4:IdleAddress", "staging", "vpc-idle-public-ipv4", true },
	{ "Amazon Virtual Private Cloud", "PublicIPv4:InUseAddress", "staging", "vpc-idle-public-ipv4", false },
	{ "EC2 - Other", "USE1-APN1-AWS-Out-Bytes", "production", "cross-region-transfer", true },
	{ "EC2 - Other", "NatGateway-Hours", "production", "nat-gateway-nonprod-idle", true },
	{ "EC2 - Other", "USW2-NatGateway-Hours", "development", "nat-gateway-nonprod-idle", true },
};

static void test_default_matches(void **state)
{
	cr_error err = { 0 };
	cr_ruleset *rs = cr_rules_load(NULL, NULL, &err);

	(void)state;
	assert_non_null(rs);
	for (size_t i = 0; i < ARRAY_SIZE(line_cases); i++) {
		const struct line_case *c = &line_cases[i];
		const cr_rule *r = find(rs, c->rule);
		if (!r) {
			print_error("no default rule %s\n", c->rule);
			fail();
		}
		if (cr_rule_matches(r, c->service, c->usage_type, cr_env_bit(c->env)) != c->applies) {
			print_error("rule %s on %s / %s (%s): expected %s\n", c->rule, c->service,
				    c->usage_type, c->env, c->applies ? "a match" : "no match");
			fail();
		}
	}
	cr_ruleset_free(rs);
}

/* ---- cr_rule_matches ---- */

static void test_rule_matches(void **state)
{
	cr_rule r = { 0 };

	(void)state;
	r.id = "t";
	r.service_glob = EC2C;
	r.usage_glob = "*BoxUsage:*";
	r.exclude_usage_glob = "*BoxUsage:t4g.*";
	r.environments = CR_ENV_NONPROD;
	r.enabled = true;
	assert_true(cr_rule_matches(&r, EC2C, "BoxUsage:m5.large", CR_ENV_DEVELOPMENT));
	assert_true(cr_rule_matches(&r, EC2C, "BoxUsage:m5.large", CR_ENV_STAGING));
	assert_true(cr_rule_matches(&r, EC2C, "BoxUsage:m5.large", CR_ENV_SANDBOX));
	assert_false(cr_rule_matches(&r, EC2C, "BoxUsage:m5.large", CR_ENV_PRODUCTION));
	assert_false(cr_rule_matches(&r, EC2C, "BoxUsage:m5.large", CR_ENV_SHARED));
	/* unknown never gets a non-production measure; 0 counts as unknown */
	assert_false(cr_rule_matches(&r, EC2C, "BoxUsage:m5.large", CR_ENV_UNKNOWN));
	assert_false(cr_rule_matches(&r, EC2C, "BoxUsage:m5.large", 0));
	assert_false(cr_rule_matches(&r, EC2C, "BoxUsage:m5.large", cr_env_bit("")));
	assert_false(cr_rule_matches(&r, EC2C, "BoxUsage:t4g.small", CR_ENV_DEVELOPMENT));
	assert_false(cr_rule_matches(&r, "EC2 - Other", "BoxUsage:m5.large", CR_ENV_DEVELOPMENT));
	assert_false(cr_rule_matches(&r, NULL, "BoxUsage:m5.large", CR_ENV_DEVELOPMENT));
	assert_false(cr_rule_matches(&r, EC2C, NULL, CR_ENV_DEVELOPMENT));
	r.environments = CR_ENV_ANY;
	assert_true(cr_rule_matches(&r, EC2C, "BoxUsage:m5.large", CR_ENV_UNKNOWN));
	assert_true(cr_rule_matches(&r, EC2C, "BoxUsage:m5.large", 0));
	r.environments = CR_ENV_PRODUCTION | CR_ENV_UNKNOWN;
	assert_true(cr_rule_matches(&r, EC2C, "BoxUsage:m5.large", CR_ENV_UNKNOWN));
	assert_false(cr_rule_matches(&r, EC2C, "BoxUsage:m5.large", CR_ENV_STAGING));
	r.enabled = false;
	assert_false(cr_rule_matches(&r, EC2C, "BoxUsage:m5.large", CR_ENV_PRODUCTION));
	r.enabled = true;
	r.service_glob = NULL;                          /* "*" */
	r.exclude_usage_glob = NULL;
	assert_true(cr_rule_matches(&r, "anything", "BoxUsage:t4g.small", CR_ENV_PRODUCTION));
	assert_false(cr_rule_matches(NULL, EC2C, "BoxUsage:m5.large", CR_ENV_PRODUCTION));
}

/* ---- rule files ---- */

/* Writes text to a temporary file; returns its path (free it, unlink it). */
static char *temp_file(const char *text)
{
	const char *dir = getenv("TMPDIR");
	char *path = malloc(4096);
	int fd;

	snprintf(path, 4096, "%s/costrank-rules-XXXXXX", dir && *dir ? dir : "/tmp");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

/* Loads the default table plus one file holding text; returns the ruleset
 * (NULL on problems) and the problem report in *report. */
static cr_ruleset *load_with(const char *text, char **report)
{
	char *path = temp_file(text);
	const char *files[] = { path, NULL };
	size_t len = 0;
	FILE *mem = open_memstream(report, &len);
	cr_error err = { 0 };
	cr_ruleset *rs = cr_rules_load(files, mem, &err);

	fclose(mem);
	if (!rs) {
		assert_int_equal(err.code, CR_EXIT_INPUT);
		/* the first problem is also the error */
		assert_true(strncmp(*report, err.msg, strlen(err.msg)) == 0);
	} else {
		assert_int_equal(err.code, 0);
		assert_string_equal(*report, "");
	}
	unlink(path);
	free(path);
	return rs;
}

static void test_override_disable(void **state)
{
	char *report = NULL;
	cr_error err = { 0 };
	cr_ruleset *def = cr_rules_load(NULL, NULL, &err);
	cr_ruleset *rs = load_with("{\"rules\": [{\"id\": \"ec2-spot-production\", \"enabled\": false}]}",
				   &report);
	const cr_rule *r, *d;

	(void)state;
	assert_non_null(rs);
	assert_int_equal(rs->n, def->n);
	r = find(rs, "ec2-spot-production");
	d = find(def, "ec2-spot-production");
	assert_false(r->enabled);
	assert_false(r->is_default);
	/* everything else is kept */
	assert_string_equal(r->usage_glob, d->usage_glob);
	assert_string_equal(r->title, d->title);
	assert_int_equal(r->action, d->action);
	assert_true(r->fraction == d->fraction);
	assert_false(cr_rule_matches(r, EC2C, "BoxUsage:m5.large", CR_ENV_PRODUCTION));
	assert_true(find(rs, "ec2-rightsizing")->is_default);
	free(report);
	cr_ruleset_free(rs);
	cr_ruleset_free(def);
}

static void test_override_min_cost_and_match(void **state)
{
	char *report = NULL;
	cr_ruleset *rs = load_with(
		"{\"rules\": [\n"
		"  {\"id\": \"ec2-rightsizing\", \"min_monthly_cost\": 500},\n"
		"  {\"id\": \"ec2-graviton\", \"match\": {\"exclude_usage_type\": null},\n"
		"   \"savings\": {\"model\": \"fraction\", \"fraction\": 0.1}}\n"
		"]}\n", &report);
	const cr_rule *r;

	(void)state;
	assert_non_null(rs);
	r = find(rs, "ec2-rightsizing");
	assert_true(r->min_monthly_cost == 500);
	assert_true(r->enabled);
	assert_string_equal(r->service_glob, EC2C);
	r = find(rs, "ec2-graviton");
	assert_null(r->exclude_usage_glob);
	assert_string_equal(r->usage_glob, "*BoxUsage:*");
	assert_true(r->fraction == 0.1);
	assert_null(r->basis);                          /* savings is replaced whole */
	free(report);
	cr_ruleset_free(rs);
}

static const char new_rule[] =
	"{\"rules\": [\n"
	"  {\"id\": \"team-batch-spot\", \"title\": \"Batch on Spot\", \"action\": \"spot\",\n"
	"   \"match\": {\"usage_type\": \"*BoxUsage:c5.*\"},\n"
	"   \"environments\": [\"any\"], \"on_demand_only\": true,\n"
	"   \"savings\": {\"model\": \"fraction\", \"fraction\": 0.5},\n"
	"   \"effort\": \"low\", \"risk\": \"high\", \"rationale\": \"Batch tolerates interruptions.\",\n"
	"   \"reference\": \"https://aws.amazon.com/ec2/spot/pricing/\"}\n"
	"]}\n";

static void test_add_new_rule(void **state)
{
	char *report = NULL;
	cr_error err = { 0 };
	cr_ruleset *def = cr_rules_load(NULL, NULL, &err);
	cr_ruleset *rs = load_with(new_rule, &report);
	const cr_rule *r;

	(void)state;
	assert_non_null(rs);
	assert_int_equal(rs->n, def->n + 1);
	r = &rs->v[rs->n - 1];
	assert_string_equal(r->id, "team-batch-spot");
	assert_string_equal(r->service_glob, "*");     /* the default */
	assert_null(r->exclude_usage_glob);
	assert_int_equal(r->environments, CR_ENV_ANY);
	assert_true(r->on_demand_only);
	assert_true(r->enabled);
	assert_false(r->is_default);
	assert_true(r->min_monthly_cost == 0);
	assert_int_equal(r->model, CR_MODEL_FRACTION);
	assert_int_equal(r->effort, CR_LEVEL_LOW);
	assert_int_equal(r->risk, CR_LEVEL_HIGH);
	assert_true(cr_rule_matches(r, "whatever", "USE1-BoxUsage:c5.xlarge", 0));
	/* the same file checks clean on its own */
	assert_int_equal(cr_rules_check_text("new.json", new_rule, strlen(new_rule), NULL, NULL), 0);
	free(report);
	cr_ruleset_free(rs);
	cr_ruleset_free(def);
}

static void test_incomplete_new_rule(void **state)
{
	char *report = NULL;
	cr_ruleset *rs = load_with(
		"{\"rules\": [\n"
		"  {\"id\": \"brand-new\", \"enabled\": false}\n"
		"]}\n", &report);

	(void)state;
	assert_null(rs);
	assert_non_null(strstr(report, ":2:3: rule brand-new: missing required keys \"title\", "
			       "\"action\", \"match\", \"environments\", \"savings\", \"effort\", "
			       "\"risk\", \"rationale\", \"reference\" (\"brand-new\" is not an "
			       "existing rule"));
	free(report);
}

/* Files are read in order: a later file overrides what an earlier one added. */
static void test_two_files(void **state)
{
	char *a = temp_file(new_rule);
	char *b = temp_file("{\"rules\": [{\"id\": \"team-batch-spot\", \"risk\": \"medium\"}]}");
	const char *files[] = { a, b, NULL };
	const char *missing[] = { "/nonexistent/rules.json", NULL };
	cr_error err = { 0 };
	cr_ruleset *rs = cr_rules_load(files, NULL, &err);

	(void)state;
	assert_non_null(rs);
	assert_int_equal(find(rs, "team-batch-spot")->risk, CR_LEVEL_MEDIUM);
	cr_ruleset_free(rs);
	assert_null(cr_rules_load(missing, NULL, &err));
	assert_int_equal(err.code, CR_EXIT_INPUT);
	assert_non_null(strstr(err.msg, "/nonexistent/rules.json"));
	unlink(a);
	unlink(b);
	free(a);
	free(b);
}

/* ---- problems, each at its place ---- */

/* The base rule, one key per line so that columns are easy to count:
 *
 * 1 {"rules": [
 * 2   {"id": "t1", "title": "T", "action": "spot",
 * 3    "match": {"service": "*", "usage_type": "*BoxUsage:*"},
 * 4    "environments": ["production"],
 * 5    "savings": {"model": "fraction", "fraction": 0.5},
 * 6    "effort": "low", "risk": "low", "rationale": "R",
 * 7    "reference": "https://example.com/x"}
 * 8 ]}
 */
static const char *const base_lines[] = {
	"{\"rules\": [",
	"  {\"id\": \"t1\", \"title\": \"T\", \"action\": \"spot\",",
	"   \"match\": {\"service\": \"*\", \"usage_type\": \"*BoxUsage:*\"},",
	"   \"environments\": [\"production\"],",
	"   \"savings\": {\"model\": \"fraction\", \"fraction\": 0.5},",
	"   \"effort\": \"low\", \"risk\": \"low\", \"rationale\": \"R\",",
	"   \"reference\": \"https://example.com/x\"}",
	"]}",
};

/* The base text with line `line` (1-based) replaced, or as it is (line 0). */
static char *base_with(int line, const char *replacement)
{
	size_t cap = 4096;
	char *text = calloc(1, cap);

	for (size_t i = 0; i < ARRAY_SIZE(base_lines); i++) {
		strcat(text, (int)i + 1 == line ? replacement : base_lines[i]);
		strcat(text, "\n");
	}
	return text;
}

/* Checks text; returns the report and the number of problems. */
static char *check(const char *text, int *problems)
{
	char *report = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&report, &len);

	*problems = cr_rules_check_text("r.json", text, strlen(text), mem, NULL);
	fclose(mem);
	return report;
}

struct problem_case {
	int line;                   /* of base_lines to replace */
	const char *replacement;
	const char *expect;         /* the start of the one problem line */
};

static const struct problem_case problem_cases[] = {
	/* unknown key, with a hint */
	{ 6, "   \"effort\": \"low\", \"risk\": \"low\", \"rationale\": \"R\", \"enabeld\": true,",
	  "r.json:6:54: rule t1: unknown key \"enabeld\" (did you mean \"enabled\"?)" },
	/* a key one level off */
	{ 6, "   \"effort\": \"low\", \"risk\": \"low\", \"rationale\": \"R\", \"fraction\": 1,",
	  "r.json:6:54: rule t1: unknown key \"fraction\" (it belongs inside \"savings\")" },
	{ 3, "   \"match\": {\"service\": \"*\", \"usage_type\": \"*BoxUsage:*\", \"title\": \"x\"},",
	  "r.json:3:59: rule t1: unknown key \"title\" in \"match\" (it belongs to the rule itself" },
	/* wrong type */
	{ 4, "   \"environments\": \"production\",",
	  "r.json:4:20: rule t1: \"environments\" must be an array of environment names, not a string" },
	{ 6, "   \"effort\": \"low\", \"risk\": \"low\", \"rationale\": 7,",
	  "r.json:6:49: rule t1: \"rationale\" must be a string or {\"en\": \"...\", \"ja\": \"...\"}, not a number" },
	/* bad glob */
	{ 3, "   \"match\": {\"service\": \"*\", \"usage_type\": \"*Box{Usage:*\"},",
	  "r.json:3:44: rule t1: bad glob in \"match.usage_type\" \"*Box{Usage:*\": unterminated '{'" },
	{ 3, "   \"match\": {\"service\": \"[Amazon\", \"usage_type\": \"*\"},",
	  "r.json:3:25: rule t1: bad glob in \"match.service\"" },
	/* fractions outside 0..1 */
	{ 5, "   \"savings\": {\"model\": \"fraction\", \"fraction\": 1.5},",
	  "r.json:5:49: rule t1: \"savings.fraction\" is 1.5: it must be from 0 to 1" },
	{ 5, "   \"savings\": {\"model\": \"commitment-floor\", \"discount\": -0.2},",
	  "r.json:5:57: rule t1: \"savings.discount\" is -0.2: it must be from 0 to 1" },
	{ 5, "   \"savings\": {\"model\": \"schedule\", \"hours_on_per_week\": 200},",
	  "r.json:5:58: rule t1: \"savings.hours_on_per_week\" is 200: it must be from 0 to 168" },
	/* a parameter of another model, a missing parameter */
	{ 5, "   \"savings\": {\"model\": \"weekend\", \"fraction\": 0.5},",
	  "r.json:5:36: rule t1: \"fraction\" does not apply to savings model weekend (it takes no parameter)" },
	{ 5, "   \"savings\": {\"model\": \"schedule\"},",
	  "r.json:5:15: rule t1: savings model schedule needs \"hours_on_per_week\"" },
	/* unknown action, model, level, environment */
	{ 2, "  {\"id\": \"t1\", \"title\": \"T\", \"action\": \"spott\",",
	  "r.json:2:40: rule t1: unknown action \"spott\" (did you mean \"spot\"?; known: spot, rightsizing," },
	{ 5, "   \"savings\": {\"model\": \"fractional\", \"fraction\": 0.5},",
	  "r.json:5:25: rule t1: unknown savings model \"fractional\" (did you mean \"fraction\"?; known: fraction, schedule, weekend, commitment-floor, idle, aurora-io-optimized)" },
	{ 6, "   \"effort\": \"low\", \"risk\": \"hgih\", \"rationale\": \"R\",",
	  "r.json:6:29: rule t1: unknown risk level \"hgih\" (did you mean \"high\"?; known: low, medium, high)" },
	{ 4, "   \"environments\": [\"production\", \"prod\"],",
	  "r.json:4:35: rule t1: unknown environment \"prod\" (did you mean \"production\"?; known: production, staging, development, sandbox, shared, unknown, non-production, any)" },
	{ 4, "   \"environments\": [],",
	  "r.json:4:20: rule t1: \"environments\" lists no environment" },
	/* missing required keys */
	{ 6, "   \"effort\": \"low\", \"rationale\": \"R\",",
	  "r.json:2:3: rule t1: missing required key \"risk\" (\"t1\" is not an existing rule, so this entry is a new rule and must be complete)" },
	{ 3, "   \"match\": {\"service\": \"*\"},",
	  "r.json:3:13: rule t1: missing required key \"usage_type\" in \"match\"" },
	{ 2, "  {\"title\": \"T\", \"action\": \"spot\",",
	  "r.json:2:3: rule ? (rules[0]): missing required key \"id\"" },
	{ 2, "  {\"id\": \"t 1\", \"title\": \"T\", \"action\": \"spot\",",
	  "r.json:2:10: rule ? (rules[0]): id \"t 1\" must be 1 to 64 letters" },
	/* reference */
	{ 7, "   \"reference\": \"docs.aws.amazon.com/x\"}",
	  "r.json:7:17: rule t1: reference \"docs.aws.amazon.com/x\" is not an http(s) URL" },
	/* negative minimum */
	{ 7, "   \"reference\": \"https://example.com/x\", \"min_monthly_cost\": -1}",
	  "r.json:7:62: rule t1: \"min_monthly_cost\" is -1: it must not be negative" },
	/* syntax error: jansson's position (the end of the unexpected token) */
	{ 3, "   \"match\": {\"service\": \"*\" \"usage_type\": \"*BoxUsage:*\"},",
	  "r.json:3:40: '}' expected near '\"usage_type\"'" },
	/* the top level */
	{ 1, "{\"rulez\": [",
	  "r.json:1:2: unknown key \"rulez\" at the top level (only \"rules\"; did you mean \"rules\"?)" },
};

static void test_problem_positions(void **state)
{
	char *text = base_with(0, NULL);
	int n;
	char *report = check(text, &n);

	(void)state;
	/* the base is valid */
	assert_int_equal(n, 0);
	assert_string_equal(report, "");
	free(report);
	free(text);
	for (size_t i = 0; i < ARRAY_SIZE(problem_cases); i++) {
		const struct problem_case *c = &problem_cases[i];
		int want = 1;

		text = base_with(c->line, c->replacement);
		report = check(text, &n);
		/* a misspelt "rules" also leaves "rules" missing */
		if (c->line == 1)
			want = 2;
		if (n != want || (want == 1 ? strncmp(report, c->expect, strlen(c->expect)) != 0
					    : !strstr(report, c->expect))) {
			print_error("case %zu: expected %d problem(s) starting\n  %s\ngot %d:\n%s\n", i,
				    want, c->expect, n, report);
			fail();
		}
		free(report);
		free(text);
	}
}

static void test_duplicate_id(void **state)
{
	static const char text[] =
		"{\"rules\": [\n"
		"  {\"id\": \"ec2-rightsizing\", \"min_monthly_cost\": 10},\n"
		"  {\"id\": \"ec2-graviton\", \"enabled\": false},\n"
		"  {\"id\": \"ec2-rightsizing\", \"enabled\": false}\n"
		"]}\n";
	int n;
	char *report = check(text, &n);

	(void)state;
	assert_int_equal(n, 1);
	assert_string_equal(report, "r.json:4:10: rule ec2-rightsizing: duplicate id "
			    "\"ec2-rightsizing\": rules[0] at line 2 has it already\n");
	free(report);
}

static void test_top_level(void **state)
{
	int n;
	char *report;

	(void)state;
	report = check("[1, 2]", &n);
	assert_int_equal(n, 1);
	assert_string_equal(report, "r.json:1:1: expected an object {\"rules\": [...]}, not an array\n");
	free(report);
	report = check("\n  {\"rules\": {}}", &n);
	assert_int_equal(n, 1);
	assert_string_equal(report, "r.json:2:13: \"rules\" must be an array of rule objects, not an object\n");
	free(report);
	report = check("{\"rules\": [\"x\"]}", &n);
	assert_int_equal(n, 1);
	assert_string_equal(report, "r.json:1:12: rules[0]: expected a rule object {\"id\": ...}, not a string\n");
	free(report);
	report = check("{\"rules\": []}", &n);
	assert_int_equal(n, 0);
	free(report);
	report = check("", &n);
	assert_int_equal(n, 1);
	free(report);
	assert_int_equal(cr_rules_check_file("/nonexistent/rules.json", NULL, NULL), 1);
}

/* Several problems in several rules: all of them, in the order of the text. */
static void test_all_problems_reported(void **state)
{
	static const char text[] =
		"{\"rules\": [\n"
		"  {\"id\": \"ec2-rightsizing\", \"min_monthly_cost\": -5, \"colour\": \"red\"},\n"
		"  {\"id\": \"x\", \"title\": \"X\", \"action\": \"teleport\",\n"
		"   \"match\": {\"usage_type\": \"[\"},\n"
		"   \"environments\": [\"dev\"],\n"
		"   \"savings\": {\"model\": \"fraction\", \"fraction\": 2},\n"
		"   \"effort\": \"low\", \"risk\": \"low\", \"rationale\": \"R\",\n"
		"   \"reference\": \"https://example.com/\"},\n"
		"  {\"id\": \"ec2-rightsizing\"}\n"
		"], \"version\": 2}\n";
	static const char *const expect[] = {
		"r.json:2:49: rule ec2-rightsizing: \"min_monthly_cost\" is -5: it must not be negative",
		"r.json:2:53: rule ec2-rightsizing: unknown key \"colour\" (known: id, title, action,",
		"r.json:3:39: rule x: unknown action \"teleport\" (known: spot,",
		"r.json:4:28: rule x: bad glob in \"match.usage_type\" \"[\": unterminated character class",
		"r.json:5:21: rule x: unknown environment \"dev\" (did you mean \"development\"?;",
		"r.json:6:49: rule x: \"savings.fraction\" is 2: it must be from 0 to 1",
		"r.json:9:10: rule ec2-rightsizing: duplicate id \"ec2-rightsizing\": rules[0] at line 2",
		"r.json:10:4: unknown key \"version\" at the top level (only \"rules\")",
	};
	int n;
	char *report = check(text, &n);
	const char *p = report;

	(void)state;
	assert_int_equal(n, (int)ARRAY_SIZE(expect));
	for (size_t i = 0; i < ARRAY_SIZE(expect); i++) {
		if (strncmp(p, expect[i], strlen(expect[i])) != 0) {
			print_error("problem %zu: expected\n  %s\nin\n%s\n", i, expect[i], report);
			fail();
		}
		p = strchr(p, '\n') + 1;
	}
	assert_string_equal(p, "");
	free(report);
}

/* Loading reports every file's problems and keeps the first as the error. */
static void test_load_reports_all(void **state)
{
	char *a = temp_file("{\"rules\": [{\"id\": \"ec2-rightsizing\", \"risk\": \"none\"}]}");
	char *b = temp_file("{\"rules\": [{\"id\": \"ec2-graviton\", \"enabled\": 1}]}");
	const char *files[] = { a, b, NULL };
	char *report = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&report, &len);
	cr_error err = { 0 };
	cr_ruleset *rs = cr_rules_load(files, mem, &err);
	char first[512];

	(void)state;
	fclose(mem);
	assert_null(rs);
	assert_int_equal(err.code, CR_EXIT_INPUT);
	snprintf(first, sizeof first, "%s:1:46: rule ec2-rightsizing: unknown risk level \"none\"", a);
	assert_true(strncmp(err.msg, first, strlen(first)) == 0);
	assert_non_null(strstr(report, first));
	snprintf(first, sizeof first, "%s:1:46: rule ec2-graviton: \"enabled\" must be true or false, "
		 "not a number\n", b);
	assert_non_null(strstr(report, first));
	free(report);
	unlink(a);
	unlink(b);
	free(a);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_glob_match_table),
		cmocka_unit_test(test_glob_invalid),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_json_pos),
		cmocka_unit_test(test_default_table),
		cmocka_unit_test(test_default_matches),
		cmocka_unit_test(test_rule_matches),
		cmocka_unit_test(test_override_disable),
		cmocka_unit_test(test_override_min_cost_and_match),
		cmocka_unit_test(test_add_new_rule),
		cmocka_unit_test(test_incomplete_new_rule),
		cmocka_unit_test(test_two_files),
		cmocka_unit_test(test_problem_positions),
		cmocka_unit_test(test_duplicate_id),
		cmocka_unit_test(test_top_level),
		cmocka_unit_test(test_all_problems_reported),
		cmocka_unit_test(test_load_reports_all),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
