#pragma once
void bf_excluded (void);
void bf_kept (void);
