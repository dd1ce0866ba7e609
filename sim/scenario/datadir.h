/* datadir.h: where topsim finds the data it ships: the AWS catalog and the gnuplot scripts.
 *
 * A topsim binary carries no absolute path. It looks, in order, at
 *   1. the variable that names the directory itself ($TOPSIM_CATALOG_DIR, $TOPSIM_PLOTS_DIR),
 *   2. $TOPSIM_DATA_DIR/SUB (one variable for a whole relocated data directory),
 *   3. EXE/TOPSIM_DATA_RELDIR/SUB, where EXE is the directory of the running binary
 *      (/proc/self/exe) and TOPSIM_DATA_RELDIR the path from the installed bin/ to the
 *      installed data, fixed by CMake at configure time (default ../share/topsim): an
 *      installed /usr/bin/topsim reads /usr/share/topsim/catalog;
 *   4. EXE/share/topsim/SUB and EXE/../share/topsim/SUB: the build tree, where CMake links
 *      share/topsim/catalog and share/topsim/plots to the source tree (build/topsim and
 *      build/tests/test_* both find them).
 * The first directory that exists wins. When none exists, the installed location (3) is
 * returned so that the error the caller prints names where the data was expected.
 * A command line option (--catalog-dir, --plots-dir) overrides all of this; the caller
 * checks it first.
 */
#ifndef TOPSIM_DATADIR_H
#define TOPSIM_DATADIR_H

#include <stddef.h>

/* The directory of data SUB ("catalog", "plots"), per the order above; env_name is the
 * variable of step 1 (may be NULL). Writes at most size bytes into buf and returns buf.
 * Cannot fail: without /proc/self/exe it returns SUB relative to the current directory. */
const char *datadir_find(const char *env_name, const char *sub, char *buf /* OUT */,
			 size_t size);

#endif
