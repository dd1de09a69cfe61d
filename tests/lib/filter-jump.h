#pragma once
void fj_step (int i);
void fj_loop (int n);
