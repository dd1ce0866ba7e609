/* manpage.h: the manual pages, written by topsim itself (`topsim man`) from the same texts
 * as its help and from the scenario field tables, so a page cannot drift from --help or
 * from docs/scenario-reference.md.
 *
 * Pages: topsim(1) from `topsim --help`; topsim-COMMAND(1) from each listed command's help
 * text (cli.h gives the format it must follow); topsim-scenario(5) from the field tables
 * (the same walk as `topsim schema`). The build writes them all into build/man
 * (CMakeLists.txt) and `cmake --install` puts them under share/man.
 */
#ifndef TOPSIM_MANPAGE_H
#define TOPSIM_MANPAGE_H

#include <stdio.h>

/* Write the page called name ("topsim", "topsim-run", "topsim-scenario") as roff to out.
 * Returns 0, -ENOENT for no such page, -ENOMEM. */
int manpage_write(const char *name, FILE *out);

/* `topsim man`: --list, --dir DIR, or one PAGE to stdout. */
int cmd_man(int argc, char **argv);
extern const char cmd_man_usage[];

#endif
