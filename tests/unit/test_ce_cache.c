/*
 * test_ce_cache.c - the Cost Explorer answer cache (ce_cache.h): keys,
 * lifetimes, the private directory and files, stale entries, and files
 * that must be ignored (corrupt, writable by others, symbolic links).
 */
#include <stdarg.h>
#include <stddef.h>
#include <dirent.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "costrank/ce_cache.h"
#include "costrank/error.h"

static char root[64];

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof root, "/tmp/costrank-ce-cache-XXXXXX");
	return mkdtemp(root) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static void path_of(char *buf, size_t size, const char *rel)
{
	snprintf(buf, size, "%s/%s", root, rel);
}

static void test_keys(void **state)
{
	char a[CR_CE_CACHE_KEY_STRLEN], b[CR_CE_CACHE_KEY_STRLEN];

	(void)state;
	cr_ce_cache_key("https://ce.us-east-1.amazonaws.com", "profile:prod", "GetCostAndUsage",
			"{}", a);
	cr_ce_cache_key("https://ce.us-east-1.amazonaws.com", "profile:prod", "GetCostAndUsage",
			"{}", b);
	assert_int_equal(strlen(a), 64);
	assert_string_equal(a, b);
	cr_ce_cache_key("https://ce.us-east-1.amazonaws.com", "profile:dev", "GetCostAndUsage",
			"{}", b);
	assert_string_not_equal(a, b);
	cr_ce_cache_key("http://127.0.0.1:1", "profile:prod", "GetCostAndUsage", "{}", b);
	assert_string_not_equal(a, b);
	cr_ce_cache_key("https://ce.us-east-1.amazonaws.com", "profile:prod", "GetCostAndUsage",
			"{ }", b);
	assert_string_not_equal(a, b);
	/* fields cannot run into each other */
	cr_ce_cache_key("a", "b\nc", "d", "e", a);
	cr_ce_cache_key("a\nb", "c", "d", "e", b);
	assert_string_not_equal(a, b);
}

static void test_expiry(void **state)
{
	cr_day today, nov1, oct1;

	(void)state;
	cr_day_parse("2026-11-15", 10, &today);
	cr_day_parse("2026-11-01", 10, &nov1);
	cr_day_parse("2026-10-01", 10, &oct1);
	/* a month that is over and final: for good */
	assert_int_equal(cr_ce_cache_expiry(nov1, today, false, 1000), 0);
	assert_int_equal(cr_ce_cache_expiry(today, today, false, 1000), 0);
	/* still estimated: six hours */
	assert_int_equal(cr_ce_cache_expiry(nov1, today, true, 1000), 1000 + CR_CE_CACHE_TTL);
	/* the running month */
	assert_int_equal(cr_ce_cache_expiry(today + 1, today, false, 1000), 1000 + CR_CE_CACHE_TTL);
	assert_int_equal(cr_ce_cache_expiry(nov1, oct1 + 20, false, 1000), 1000 + CR_CE_CACHE_TTL);
	assert_int_equal(CR_CE_CACHE_TTL, 6 * 3600);
}

static void test_round_trip_and_modes(void **state)
{
	char dir[128], file[256], key[CR_CE_CACHE_KEY_STRLEN];
	cr_ce_pages pages = CR_CE_PAGES_INIT, got = CR_CE_PAGES_INIT;
	cr_error err = { 0 };
	cr_ce_cache *c;
	struct stat st;
	time_t created = 0;

	(void)state;
	path_of(dir, sizeof dir, "a/b/costrank");
	c = cr_ce_cache_open(dir, &err);
	assert_non_null(c);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	cr_ce_pages_add(&pages, "{\"ResultsByTime\":[],\"NextPageToken\":\"t\"}", 40);
	cr_ce_pages_add(&pages, "{\"ResultsByTime\":[]}\n\"\\", 23);
	cr_ce_cache_key("e", "i", "GetCostAndUsage", "{\"a\":1}", key);
	assert_int_equal(cr_ce_cache_get(c, key, 100, &got, NULL), CR_CE_CACHE_MISS);
	assert_int_equal(cr_ce_cache_put(c, key, "GetCostAndUsage", "{\"a\":1}", &pages, 100,
					 100 + CR_CE_CACHE_TTL, &err), 0);
	snprintf(file, sizeof file, "%s/%s.json", dir, key);
	assert_int_equal(stat(file, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(cr_ce_cache_get(c, key, 200, &got, &created), CR_CE_CACHE_HIT);
	assert_int_equal(created, 100);
	assert_int_equal(got.n, 2);
	assert_string_equal(got.v[0], pages.v[0]);
	assert_string_equal(got.v[1], pages.v[1]);
	cr_ce_pages_free(&got);
	/* after its lifetime: stale, the pages all the same */
	assert_int_equal(cr_ce_cache_get(c, key, 100 + CR_CE_CACHE_TTL, &got, NULL),
			 CR_CE_CACHE_STALE);
	assert_int_equal(got.n, 2);
	cr_ce_pages_free(&got);
	/* kept for good */
	assert_int_equal(cr_ce_cache_put(c, key, "GetCostAndUsage", "{\"a\":1}", &pages, 100, 0,
					 &err), 0);
	assert_int_equal(cr_ce_cache_get(c, key, 1L << 40, &got, NULL), CR_CE_CACHE_HIT);
	cr_ce_pages_free(&got);

	/* writable by others: ignored */
	chmod(file, 0666);
	assert_int_equal(cr_ce_cache_get(c, key, 200, &got, NULL), CR_CE_CACHE_MISS);
	chmod(file, 0600);
	/* corrupt: a miss, not an error */
	{
		int fd = open(file, O_WRONLY | O_TRUNC);
		assert_true(fd >= 0);
		assert_int_equal(write(fd, "{\"schema\":", 10), 10);
		close(fd);
	}
	assert_int_equal(cr_ce_cache_get(c, key, 200, &got, NULL), CR_CE_CACHE_MISS);
	/* a symbolic link: not followed */
	unlink(file);
	{
		char target[256];
		snprintf(target, sizeof target, "%s/elsewhere.json", root);
		assert_int_equal(symlink(target, file), 0);
	}
	assert_int_equal(cr_ce_cache_get(c, key, 200, &got, NULL), CR_CE_CACHE_MISS);
	assert_int_equal(got.n, 0);
	cr_ce_cache_close(c);
	cr_ce_pages_free(&pages);
}

static void test_directory_is_made_private(void **state)
{
	char dir[128], file[160];
	cr_error err = { 0 };
	cr_ce_cache *c;
	struct stat st;
	int fd;

	(void)state;
	path_of(dir, sizeof dir, "open");
	assert_int_equal(mkdir(dir, 0755), 0);
	chmod(dir, 0755);
	c = cr_ce_cache_open(dir, &err);
	assert_non_null(c);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	cr_ce_cache_close(c);

	path_of(file, sizeof file, "a-file");
	fd = open(file, O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_null(cr_ce_cache_open(file, &err));
	assert_int_equal(err.code, CR_EXIT_OUTPUT);
}

static void test_default_dir(void **state)
{
	char *d;

	(void)state;
	setenv("XDG_CACHE_HOME", "/x/cache", 1);
	setenv("HOME", "/home/me", 1);
	d = cr_ce_cache_default_dir();
	assert_string_equal(d, "/x/cache/costrank");
	free(d);
	setenv("XDG_CACHE_HOME", "relative/cache", 1);
	d = cr_ce_cache_default_dir();
	assert_string_equal(d, "/home/me/.cache/costrank");
	free(d);
	unsetenv("XDG_CACHE_HOME");
	d = cr_ce_cache_default_dir();
	assert_string_equal(d, "/home/me/.cache/costrank");
	free(d);
	unsetenv("HOME");
	assert_null(cr_ce_cache_default_dir());
}

/* One limit for writing and reading: an answer past it is refused while
 * it is written (nothing left behind), and one just under it is read
 * back. */
static void test_entry_limit(void **state)
{
	char dir[128], key[CR_CE_CACHE_KEY_STRLEN];
	size_t page_len = 1u << 20;
	char *page = malloc(page_len + 1);
	cr_ce_pages got = CR_CE_PAGES_INIT;
	cr_error err = { 0 };
	cr_ce_cache_entry *e;
	cr_ce_cache *c;
	size_t added = 0;
	DIR *d;
	struct dirent *de;
	int files = 0;

	(void)state;
	assert_non_null(page);
	memset(page, 'x', page_len);
	page[page_len] = '\0';
	path_of(dir, sizeof dir, "limit");
	c = cr_ce_cache_open(dir, &err);
	assert_non_null(c);
	cr_ce_cache_key("e", "i", "GetCostAndUsage", "{\"big\":1}", key);
	e = cr_ce_cache_begin(c, key, "GetCostAndUsage", "{\"big\":1}", "ranking of 1", 100, &err);
	assert_non_null(e);
	while (cr_ce_cache_add(e, page, page_len, &err) == 0)
		added++;
	cr_ce_cache_abort(e);
	assert_int_equal(added, (CR_CE_CACHE_MAX_ENTRY >> 20) - 1);
	assert_int_equal(err.code, CR_EXIT_OUTPUT);
	assert_non_null(strstr(err.msg, "ranking of 1 passes 64 MiB"));
	assert_non_null(strstr(err.msg, "pays"));
	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d)))
		files += de->d_name[0] != '.' || strncmp(de->d_name, ".tmp", 4) == 0;
	closedir(d);
	assert_int_equal(files, 0);

	/* as many pages as fitted: written, and read back */
	cr_error_clear(&err);
	e = cr_ce_cache_begin(c, key, "GetCostAndUsage", "{\"big\":1}", "ranking of 1", 100, &err);
	assert_non_null(e);
	for (size_t i = 0; i < added; i++)
		assert_int_equal(cr_ce_cache_add(e, page, page_len, &err), 0);
	assert_int_equal(cr_ce_cache_commit(e, 0, &err), 0);
	assert_int_equal(cr_ce_cache_get(c, key, 200, &got, NULL), CR_CE_CACHE_HIT);
	assert_int_equal(got.n, added);
	cr_ce_pages_free(&got);
	cr_ce_cache_close(c);
	free(page);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_expiry),
		cmocka_unit_test(test_round_trip_and_modes),
		cmocka_unit_test(test_entry_limit),
		cmocka_unit_test(test_directory_is_made_private),
		cmocka_unit_test(test_default_dir),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
