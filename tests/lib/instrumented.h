#pragma once
#include <stdint.h>
int global_mid (int n);
int recurse (int depth);
void run_in_threads (int n_threads, int n);
void longjmp_across (int depth);
