/* datadir.c: the data directories of a relocatable topsim (datadir.h). */
#include "datadir.h"

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef TOPSIM_DATA_RELDIR
#define TOPSIM_DATA_RELDIR "../share/topsim"
#endif

static bool is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The directory of the running binary into buf; false when unknown. */
static bool exe_dir(char *buf, size_t size)
{
	char path[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
	if (n <= 0)
		return false;
	path[n] = '\0';
	char *slash = strrchr(path, '/');
	if (!slash)
		return false;
	*slash = '\0';
	snprintf(buf, size, "%s", path[0] ? path : "/");
	return true;
}

const char *datadir_find(const char *env_name, const char *sub, char *buf, size_t size)
{
	const char *env = env_name ? getenv(env_name) : NULL;
	if (env && *env) {
		snprintf(buf, size, "%s", env);
		return buf;
	}
	const char *data = getenv("TOPSIM_DATA_DIR");
	if (data && *data) {
		snprintf(buf, size, "%s/%s", data, sub);
		return buf;
	}
	char exe[PATH_MAX];
	if (!exe_dir(exe, sizeof(exe))) {
		snprintf(buf, size, "%s", sub);
		return buf;
	}
	const char *candidates[] = {"/share/topsim/", "/../share/topsim/"};
	for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++) {
		snprintf(buf, size, "%s%s%s", exe, candidates[i], sub);
		if (is_dir(buf))
			break;
		buf[0] = '\0';
	}
	char installed[PATH_MAX + 64];
	snprintf(installed, sizeof(installed), "%s/" TOPSIM_DATA_RELDIR "/%s", exe, sub);
	if (is_dir(installed) || !buf[0])
		snprintf(buf, size, "%s", installed);
	return buf;
}
