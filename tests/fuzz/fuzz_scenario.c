/* fuzz_scenario.c: libFuzzer target for the scenario loader (scenario_load_with).
 *
 * One input is a scenario file, optionally followed by more files it may include and by
 * --set assignments, each part introduced by a line starting with "@@":
 *
 *   { ...the scenario, written to main.json... }
 *   @@file base.json
 *   { ...written to base.json beside main.json, for "include": "base.json"... }
 *   @@set
 *   hosts[0].az=us-east-1b
 *
 * A plain scenario file is a valid input, so scenarios/ and tests/scenarios/bad/ seed the
 * corpus as they are. Files live in a private temporary directory that is also the include
 * root, so an include of "../x" or "/etc/passwd" exercises the refusal, never the host's
 * files. File names are restricted to [A-Za-z0-9._-] (no leading dot), at most 16 files.
 *
 * What is checked: the loader returns (0, -EINVAL or -ENOMEM) without a sanitizer report,
 * a leak, a hang (libFuzzer -timeout) or unbounded memory (-rss_limit_mb); errors are
 * printed (to /dev/null) so that diag_print runs too.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scenario.h"

#define FUZZ_FILES_MAX 16
#define FUZZ_SETS_MAX 16

static char fuzz_dir[PATH_MAX];
static FILE *devnull;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	const char *tmp = getenv("TMPDIR");
	snprintf(fuzz_dir, sizeof(fuzz_dir), "%s/topsim-fuzz.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(fuzz_dir)) {
		perror("fuzz_scenario: mkdtemp");
		abort();
	}
	devnull = fopen("/dev/null", "w");
	return 0;
}

static bool valid_name(const char *name, size_t len)
{
	if (len == 0 || len > 64 || name[0] == '.')
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

static void write_file(const char *name, const uint8_t *data, size_t len)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", fuzz_dir, name);
	FILE *f = fopen(path, "wb");
	if (!f)
		abort();
	if (len && fwrite(data, 1, len, f) != len)
		abort();
	fclose(f);
}

/* Next "\n@@" at or after p, or end. */
static const uint8_t *next_part(const uint8_t *p, const uint8_t *end)
{
	for (; p + 3 <= end; p++)
		if (p[0] == '\n' && p[1] == '@' && p[2] == '@')
			return p;
	return end;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *end = data + size, *part = next_part(data, end);
	char names[FUZZ_FILES_MAX][65];
	size_t n_files = 0, n_sets = 0;
	char *sets[FUZZ_SETS_MAX];
	write_file("main.json", data, (size_t)(part - data));
	while (part < end) {
		const uint8_t *head = part + 3; /* after "\n@@" */
		const uint8_t *nl = memchr(head, '\n', (size_t)(end - head));
		const uint8_t *body = nl ? nl + 1 : end;
		const uint8_t *next = next_part(body > end ? end : body, end);
		size_t head_len = (size_t)((nl ? nl : end) - head);
		if (head_len > 5 && memcmp(head, "file ", 5) == 0 && n_files < FUZZ_FILES_MAX &&
		    valid_name((const char *)head + 5, head_len - 5) &&
		    !(head_len - 5 == 9 && memcmp(head + 5, "main.json", 9) == 0)) {
			snprintf(names[n_files], sizeof(names[n_files]), "%.*s", (int)(head_len - 5),
				 (const char *)head + 5);
			write_file(names[n_files++], body, (size_t)(next - body));
		} else if (head_len == 3 && memcmp(head, "set", 3) == 0 && n_sets < FUZZ_SETS_MAX &&
			   body <= next) {
			size_t len = (size_t)(next - body);
			sets[n_sets] = malloc(len + 1);
			memcpy(sets[n_sets], body, len);
			sets[n_sets][len] = '\0';
			if (strlen(sets[n_sets]) == len) /* an assignment has no NUL inside */
				n_sets++;
			else
				free(sets[n_sets]);
		}
		part = next;
	}

	struct scenario_override overrides[FUZZ_SETS_MAX];
	for (size_t i = 0; i < n_sets; i++)
		overrides[i] = (struct scenario_override){sets[i], NULL};
	char main_path[PATH_MAX];
	snprintf(main_path, sizeof(main_path), "%s/main.json", fuzz_dir);
	struct scenario_load_opts o = {
		.overrides = overrides,
		.override_count = n_sets,
		.include_root = fuzz_dir,
	};
	struct diag diag;
	diag_init(&diag);
	struct scenario s;
	int rc = scenario_load_with(&s, main_path, &o, &diag);
	if (rc != 0 && rc != -EINVAL && rc != -ENOMEM)
		abort();
	if (rc == -EINVAL && diag_error_count(&diag) == 0)
		abort(); /* refused without saying why */
	diag_print(&diag, devnull);
	diag_release(&diag);
	scenario_release(&s);

	for (size_t i = 0; i < n_sets; i++)
		free(sets[i]);
	for (size_t i = 0; i < n_files; i++) {
		char path[PATH_MAX];
		snprintf(path, sizeof(path), "%s/%s", fuzz_dir, names[i]);
		unlink(path);
	}
	return 0;
}
