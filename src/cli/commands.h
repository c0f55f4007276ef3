/*
 * commands.h - the subcommands.  Each takes the arguments after its name
 * and returns an exit code (error.h); only main() exits.
 */
#ifndef COSTRANK_CLI_COMMANDS_H
#define COSTRANK_CLI_COMMANDS_H

int cmd_report(int argc, char **argv);
int cmd_rules(int argc, char **argv);

/* Prints "costrank: error: MSG" to stderr. */
void cr_cli_error(const char *msg);

#endif
