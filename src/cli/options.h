/*
 * options.h - command-line options declared as data.
 *
 * Each command lists its options in a table next to its usage text; one
 * parser serves them all.  "--name value", "--name=value", "-x value",
 * "-xvalue" and "--" are understood.  Unknown options and missing values
 * are usage errors with a hint, never an exit from inside the parser.
 */
#ifndef COSTRANK_CLI_OPTIONS_H
#define COSTRANK_CLI_OPTIONS_H

#include <stdbool.h>
#include <stdio.h>

#include "costrank/error.h"

struct cr_option {
	const char *long_name;   /* without the leading "--" */
	char short_name;         /* 0 when none */
	bool takes_value;
	int id;                  /* passed to the callback */
	const char *metavar;     /* "DIR", "N"... for --help */
	const char *help;
};

/* Called for each option found; returns 0 or -1 with err set. */
typedef int (*cr_option_fn)(void *ctx, int id, const char *value, cr_error *err);

/*
 * Parses argv[0..argc) (without the program and command names).  Positional
 * arguments are collected, in order, into args (an array of argc pointers
 * the caller provides) and counted in *nargs.  `command` names the command in
 * hints ("see 'costrank report --help'").  0, or -1 with err set
 * (CR_EXIT_USAGE unless the callback set another code).
 */
int cr_options_parse(const struct cr_option *opts, const char *command,
		     int argc, char **argv, cr_option_fn fn, void *ctx,
		     char **args, int *nargs, cr_error *err);

/* Prints the option table for --help. */
void cr_options_print(const struct cr_option *opts, FILE *out);

#endif
