#ifndef CLIBFUZZER_H
#define CLIBFUZZER_H

#include <stddef.h>
#include <stdint.h>

/// libFuzzer's driver (compiler-rt FuzzerInterface.h): parses libFuzzer's flags from argv and
/// runs `callback` on each input. A fuzz target calls it from its own entry point, since
/// SwiftPM names an executable's entry point itself and libFuzzer's `main` cannot be it.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
