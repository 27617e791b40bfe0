// A child process for tests (e.g. sinkhost in integration and crash tests).
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace vsink::test {

struct ExitStatus {
    int code = -1;   // exit code, when the child exited
    int signal = 0;  // the signal that ended it, else 0

    bool exited() const { return signal == 0; }
    bool signaled() const { return signal != 0; }
    bool success() const { return signal == 0 && code == 0; }
    std::string describe() const;  // "exit code 3" or "signal 9 (Killed)"
};

class Process {
public:
    // Starts argv[0] (searched in PATH if it has no '/') with the parent's
    // environment plus `env` (which overrides same-named variables), stdin
    // from /dev/null and stdout and stderr appended to `log_path` (default: a
    // unique file in $VSINK_RUN_DIR or /tmp). The child is killed if the
    // thread that started it dies (PR_SET_PDEATHSIG): start children from the
    // test's own thread, not from a short-lived helper thread. Throws std::runtime_error if the
    // program cannot be started (exec failure included).
    explicit Process(std::vector<std::string> argv,
                     std::vector<std::pair<std::string, std::string>> env = {},
                     std::string log_path = {});
    ~Process();  // SIGKILLs and reaps a child that is still running
    Process(const Process &) = delete;
    Process &operator=(const Process &) = delete;

    pid_t pid() const { return pid_; }
    const std::string &log_path() const { return log_path_; }
    // The log's contents so far (for failure messages).
    std::string log() const;

    // Whether the child is still running (reaps it if it has ended).
    bool alive();
    // Sends `sig` unless the child has already been reaped.
    void kill(int sig);
    // Waits up to timeout_ms for the child to end; nullopt if it still runs.
    std::optional<ExitStatus> wait(int timeout_ms);
    // The exit status once the child has ended and been reaped.
    const std::optional<ExitStatus> &status() const { return status_; }

private:
    bool reap(bool block);

    std::vector<std::string> argv_;
    std::string log_path_;
    pid_t pid_ = -1;
    std::optional<ExitStatus> status_;
};

}  // namespace vsink::test
