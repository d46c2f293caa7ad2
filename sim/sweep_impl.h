/* sweep_impl.h: what a sweep (sweep.c) and the merge of its shards
 * (merge.c) share: the files a sweep writes, in the order it writes them
 * and the merge puts them together. */
#ifndef ALLYSIM_SWEEP_IMPL_H
#define ALLYSIM_SWEEP_IMPL_H

enum { F_RUNS, F_POINTS, F_SERIES, F_TS, F_FAIL, N_FILES };
static const char *const file_names[N_FILES] = {"runs.csv", "points.csv", "series.csv",
                                                "timeseries.csv", "failures.csv"};

#endif
