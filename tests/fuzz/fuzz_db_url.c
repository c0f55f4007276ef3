/*
 * fuzz_db_url.c - the --db-url checks of sql_source.h: a password never
 * passes and never shows.
 *
 * The input is a --db-url.  Whatever it is:
 *   - cr_sql_pg_check_url and cr_sql_redact_url return, the message one
 *     line naming --db-url;
 *   - when libpq reads a password (or sslpassword) from it, the check
 *     refuses it and neither the message nor the redacted name holds that
 *     password;
 *   - when the check refuses it, the redacted name is "the database";
 *   - the redacted name is printable ASCII.
 */
#include <stdbool.h>

#include <libpq-fe.h>

#include "costrank/sql_source.h"

#include "fuzz.h"

/* The password libpq reads from url (owned), or NULL. */
static char *password_of(const char *url)
{
	PQconninfoOption *opts = PQconninfoParse(url, NULL);
	char *pw = NULL;

	for (PQconninfoOption *o = opts; o && o->keyword; o++)
		if ((strcmp(o->keyword, "password") == 0 || strcmp(o->keyword, "sslpassword") == 0) &&
		    o->val && *o->val && !pw)
			pw = strdup(o->val);
	PQconninfoFree(opts);
	return pw;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *url = malloc(size + 1), *name, *pw;
	cr_error err = { 0 };
	int rc;

	if (!url)
		return 0;
	memcpy(url, data, size);
	url[size] = '\0';
	if (strlen(url) != size) {  /* a command-line argument holds no NUL */
		free(url);
		return 0;
	}
	rc = cr_sql_pg_check_url(url, &err);
	name = cr_sql_redact_url(url);
	pw = password_of(url);
	FUZZ_CHECK(rc == 0 || rc == -1);
	if (rc) {
		FUZZ_CHECK(err.code == 2);
		FUZZ_CHECK(strstr(err.msg, "--db-url") != NULL);
		FUZZ_CHECK(strchr(err.msg, '\n') == NULL);
		FUZZ_CHECK(strcmp(name, "the database") == 0);
	}
	if (pw) {
		FUZZ_CHECK(rc == -1);
		/* a password of a few characters may match words of the message,
		 * and any password may be a piece of its fixed advice (the
		 * refusal of a known password shows that text) */
		cr_error ref = { 0 };

		cr_sql_pg_check_url("postgresql://u:0123456789@h/db", &ref);
		if (strlen(pw) >= 8 && strstr(ref.msg, pw) == NULL)
			FUZZ_CHECK(strstr(err.msg, pw) == NULL);
	}
	for (const char *p = name; *p; p++)
		FUZZ_CHECK(*p >= ' ' && *p < 0x7f);
	free(pw);
	free(name);
	free(url);
	return 0;
}
