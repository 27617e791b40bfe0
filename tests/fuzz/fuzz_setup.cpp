// Linked into every fuzz target (and fuzz_seeds).
//
// Sanitizer defaults built into the binary, so that a crash input reproduces
// with the bare binary (`fuzz_json crash-...`), no environment needed. UBSan
// findings are recoverable at compile time (so ubsan.supp can skip the few
// that are not ours) and halt here: libFuzzer records the input.
// UBSAN_OPTIONS in the environment still overrides these.
//
// libprotobuf logs every string field that is not UTF-8 ("String field ...
// contains invalid UTF-8 data") before the parse fails, as it must; fuzzing
// meets millions of them, so the targets silence its log.
#include <cstddef>
#include <cstdint>

#include <google/protobuf/stubs/logging.h>

extern "C" const char *__ubsan_default_options() {
    return "halt_on_error=1:print_stacktrace=1:report_error_type=1:suppressions=" VSINK_FUZZ_UBSAN_SUPPRESSIONS;
}

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
    google::protobuf::SetLogHandler(nullptr);
    return 0;
}
