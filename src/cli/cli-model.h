/* cli-model.h: the trace-atlas-cli commands built on src/model. */
#pragma once

/* Runs `spans`, `summary` or `index`; -1 when argv[1] is none of them. */
int ta_cli_model_dispatch(int argc, char **argv);
/* Prints the model's time per state for `stats` (0 ok, 1 error). */
int ta_cli_stats_states(const char *path);
