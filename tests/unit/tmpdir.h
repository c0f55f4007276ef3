/*
 * tmpdir.h - a scratch directory per test for the writer tests: cmocka
 * setup and teardown, and a count of what a test left in it.  The file
 * including it includes <cmocka.h>, <dirent.h>, <ftw.h>, <stdlib.h> and
 * <string.h> first.
 */
#ifndef COSTRANK_TEST_TMPDIR_H
#define COSTRANK_TEST_TMPDIR_H

static inline int tmpdir_rm_entry(const char *path, const struct stat *st, int flag,
				  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

/* Setup: *state becomes a new directory made from template (...XXXXXX). */
static inline int tmpdir_make(void **state, const char *template)
{
	char *dir = strdup(template);

	assert_non_null(dir);
	assert_non_null(mkdtemp(dir));
	*state = dir;
	return 0;
}

/* Teardown: removes the directory and everything in it. */
static inline int tmpdir_remove(void **state)
{
	nftw(*state, tmpdir_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(*state);
	return 0;
}

/* Entries in dir, "." and ".." aside. */
static inline size_t count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

#endif
