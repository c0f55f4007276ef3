/* test_output_set.c - report sets committed whole (output.h) and the
 * process module (proc.h): temporary files registered for signal
 * handlers, dead runs' leftovers swept, the process kept out of core
 * dumps. */
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "costrank/output.h"
#include "costrank/proc.h"
#include "tmpdir.h"

static int make_tmpdir(void **state)
{
	return tmpdir_make(state, "/tmp/costrank-set-XXXXXX");
}

static int remove_tmpdir(void **state)
{
	return tmpdir_remove(state);
}

static void put(const char *dir, const char *name, const char *text)
{
	char path[600];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
}

/* The text of dir/name, "" when it cannot be read. */
static const char *get(const char *dir, const char *name)
{
	static char text[256];
	char path[600];
	FILE *f;
	size_t n = 0;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	text[0] = '\0';
	if ((f = fopen(path, "r"))) {
		n = fread(text, 1, sizeof text - 1, f);
		fclose(f);
	}
	text[n] = '\0';
	return text;
}

static void test_set_commits_all(void **state)
{
	const char *dir = *state;
	cr_error err = { 0 };
	cr_outset *s;
	FILE *f;

	put(dir, "a.json", "old a");
	assert_non_null(s = cr_outset_open(dir, &err));
	assert_non_null(f = cr_outset_add(s, "a.json", &err));
	fputs("new a", f);
	assert_non_null(f = cr_outset_add(s, "b.csv", &err));
	fputs("new b", f);
	/* nothing takes its name before the commit */
	assert_string_equal(get(dir, "a.json"), "old a");
	assert_int_equal(count_entries(dir), 3);
	assert_int_equal(cr_outset_commit(s, &err), 0);
	assert_int_equal(err.code, 0);
	assert_int_equal(cr_outset_count(s), 2);
	assert_non_null(strstr(cr_outset_path(s, 1), "/b.csv"));
	cr_outset_free(s);
	assert_string_equal(get(dir, "a.json"), "new a");
	assert_string_equal(get(dir, "b.csv"), "new b");
	assert_int_equal(count_entries(dir), 2);   /* no temporary, no backup */
}

/* A directory where the last report goes: the reports renamed before it
 * are put back, the previous set stays whole. */
static void test_set_rolls_back(void **state)
{
	const char *dir = *state;
	char path[600];
	cr_error err = { 0 };
	cr_outset *s;

	put(dir, "a.json", "old a");
	put(dir, "b.csv", "old b");
	snprintf(path, sizeof path, "%s/c.csv", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_non_null(s = cr_outset_open(dir, &err));
	fputs("new a", cr_outset_add(s, "a.json", &err));
	fputs("new b", cr_outset_add(s, "b.csv", &err));
	fputs("new n", cr_outset_add(s, "new.md", &err));
	fputs("new c", cr_outset_add(s, "c.csv", &err));
	assert_int_equal(cr_outset_commit(s, &err), -1);
	assert_int_equal(err.code, CR_EXIT_OUTPUT);
	assert_non_null(strstr(err.msg, "c.csv"));
	assert_non_null(strstr(err.msg, "Is a directory"));
	cr_outset_free(s);
	assert_string_equal(get(dir, "a.json"), "old a");
	assert_string_equal(get(dir, "b.csv"), "old b");
	assert_int_equal(access(path, F_OK), 0);
	snprintf(path, sizeof path, "%s/new.md", dir);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(count_entries(dir), 3);
}

/* Dropped without a commit: nothing of the set is left. */
static void test_set_free_drops(void **state)
{
	const char *dir = *state;
	cr_error err = { 0 };
	cr_outset *s;

	assert_non_null(s = cr_outset_open(dir, &err));
	fputs("half", cr_outset_add(s, "a.json", &err));
	assert_int_equal(count_entries(dir), 1);
	cr_outset_free(s);
	assert_int_equal(count_entries(dir), 0);
	cr_outset_free(NULL);
}

/* A dead run's temporaries are swept; a live run's (it holds the
 * directory's lock) are not; other files never. */
static void test_set_sweeps_dead_runs_only(void **state)
{
	const char *dir = *state;
	cr_error err = { 0 };
	cr_outset *s;
	int live;

	put(dir, ".costrank-2026-10.json.tmp.AbC123", "dead");
	put(dir, ".costrank-xlsx.tmp.Zz9999", "dead");
	put(dir, "costrank-2026-10.json", "report");
	put(dir, ".costrank-notes", "kept");
	put(dir, "x.tmp.1", "kept");

	/* another run is writing there */
	live = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(live >= 0);
	assert_int_equal(flock(live, LOCK_SH), 0);
	assert_non_null(s = cr_outset_open(dir, &err));
	cr_outset_free(s);
	assert_int_equal(count_entries(dir), 5);
	close(live);

	assert_non_null(s = cr_outset_open(dir, &err));
	assert_int_equal(count_entries(dir), 3);
	assert_string_equal(get(dir, "costrank-2026-10.json"), "report");
	assert_string_equal(get(dir, ".costrank-notes"), "kept");
	/* while this one is open, a second one shares and sweeps nothing */
	cr_outset *t = cr_outset_open(dir, &err);
	assert_non_null(t);
	fputs("x", cr_outset_add(s, "a.json", &err));
	cr_outset_free(t);
	assert_int_equal(count_entries(dir), 4);
	cr_outset_free(s);
}

static void test_set_open_fails(void **state)
{
	const char *dir = *state;
	char path[600];
	cr_error err = { 0 };

	put(dir, "file", "x");
	snprintf(path, sizeof path, "%s/file/sub", dir);
	assert_null(cr_outset_open(path, &err));
	assert_int_equal(err.code, CR_EXIT_OUTPUT);
	assert_non_null(strstr(err.msg, "file/sub"));
}

/* What cr_tmp_remove_all (the signal handlers' call) removes. */
static void test_tmp_registry(void **state)
{
	const char *dir = *state;
	char a[600], b[600];
	int fd, sa, sb;

	snprintf(a, sizeof a, "%s/.costrank-a.tmp.XXXXXX", dir);
	snprintf(b, sizeof b, "%s/.costrank-b.tmp.XXXXXX", dir);
	assert_true((fd = cr_tmp_mkstemp(a, &sa)) >= 0);
	close(fd);
	assert_true((fd = cr_tmp_mkstemp(b, &sb)) >= 0);
	close(fd);
	put(dir, "kept", "x");
	cr_tmp_forget(sb);             /* b is renamed, say: no longer ours */
	cr_tmp_remove_all();
	assert_int_equal(access(a, F_OK), -1);
	assert_int_equal(access(b, F_OK), 0);
	assert_int_equal(count_entries(dir), 2);
	cr_tmp_forget(sa);
	cr_tmp_forget(-1);
	/* every slot taken: refused, not left unregistered */
	int slots[80], n = 0;
	while (n < 80 && (slots[n] = cr_tmp_track(a)) >= 0)
		n++;
	assert_true(n > 16 && n < 80);
	snprintf(a, sizeof a, "%s/.costrank-c.tmp.XXXXXX", dir);
	assert_int_equal(cr_tmp_mkstemp(a, &sa), -1);
	while (n-- > 0)
		cr_tmp_forget(slots[n]);
	assert_int_equal(count_entries(dir), 2);
}

static void test_no_dump(void **state)
{
	(void)state;
	assert_int_equal(prctl(PR_SET_DUMPABLE, 1, 0, 0, 0), 0);
	assert_int_equal(cr_proc_no_dump(), 0);
	assert_int_equal(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
}

/* A closed descriptor 1 is opened on /dev/null: the next file opened does
 * not become standard output. */
static void test_std_fds(void **state)
{
	const char *dir = *state;
	char path[600];
	int saved = dup(STDOUT_FILENO), fd;
	struct stat st, null;

	assert_true(saved >= 0);
	fflush(stdout);
	close(STDOUT_FILENO);
	assert_int_equal(cr_proc_std_fds(), 0);
	snprintf(path, sizeof path, "%s/report", dir);
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	assert_true(fd > STDERR_FILENO);
	assert_int_equal(fstat(STDOUT_FILENO, &st), 0);
	assert_int_equal(stat("/dev/null", &null), 0);
	assert_int_equal(st.st_rdev, null.st_rdev);
	assert_true(cr_proc_fd_was_closed(STDOUT_FILENO));
	assert_false(cr_proc_fd_was_closed(STDERR_FILENO));
	assert_false(cr_proc_fd_was_closed(7));
	close(fd);
	dup2(saved, STDOUT_FILENO);
	close(saved);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_set_commits_all, make_tmpdir, remove_tmpdir),
		cmocka_unit_test_setup_teardown(test_set_rolls_back, make_tmpdir, remove_tmpdir),
		cmocka_unit_test_setup_teardown(test_set_free_drops, make_tmpdir, remove_tmpdir),
		cmocka_unit_test_setup_teardown(test_set_sweeps_dead_runs_only, make_tmpdir,
						remove_tmpdir),
		cmocka_unit_test_setup_teardown(test_set_open_fails, make_tmpdir, remove_tmpdir),
		cmocka_unit_test_setup_teardown(test_tmp_registry, make_tmpdir, remove_tmpdir),
		cmocka_unit_test(test_no_dump),
		cmocka_unit_test_setup_teardown(test_std_fds, make_tmpdir, remove_tmpdir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
