#include "vsink/test/process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <chrono>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "vsink/test/server_env.hpp"
#include "vsink/test/unique_name.hpp"

extern char **environ;

namespace vsink::test {
namespace {

std::string resolve(const std::string &program) {
    if (program.find('/') != std::string::npos) return program;
    const char *path = std::getenv("PATH");
    std::stringstream dirs(path ? path : "/usr/local/bin:/usr/bin:/bin");
    std::string dir;
    while (std::getline(dirs, dir, ':')) {
        const std::string candidate = (dir.empty() ? "." : dir) + "/" + program;
        if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    return program;  // execve fails with ENOENT, reported by the constructor
}

std::string base_name(const std::string &path) {
    const auto slash = path.rfind('/');
    std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
    for (char &c : name)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') c = '_';
    return name.empty() ? "child" : name;
}

}  // namespace

std::string ExitStatus::describe() const {
    if (signal) {
        const char *name = ::strsignal(signal);
        return "signal " + std::to_string(signal) + " (" + (name ? name : "?") + ")";
    }
    return "exit code " + std::to_string(code);
}

Process::Process(std::vector<std::string> argv,
                 std::vector<std::pair<std::string, std::string>> env, std::string log_path)
    : argv_(std::move(argv)), log_path_(std::move(log_path)) {
    if (argv_.empty()) throw std::invalid_argument("Process: empty argv");
    if (log_path_.empty())
        log_path_ = ServerEnv::load().scratch_dir() + "/" + unique_name(base_name(argv_[0])) + ".log";

    // Everything the child needs is built before fork: between fork and exec
    // a multi-threaded parent (librdkafka threads) allows only async-signal-safe calls.
    const std::string program = resolve(argv_[0]);
    std::vector<char *> args;
    for (auto &a : argv_) args.push_back(a.data());
    args.push_back(nullptr);

    std::map<std::string, std::string> overrides(env.begin(), env.end());
    std::vector<std::string> env_strings;
    for (char **e = environ; *e; ++e) {
        const std::string entry(*e);
        const std::string name = entry.substr(0, entry.find('='));
        if (!overrides.count(name)) env_strings.push_back(entry);
    }
    for (const auto &[k, v] : env) env_strings.push_back(k + "=" + v);
    std::vector<char *> envp;
    for (auto &s : env_strings) envp.push_back(s.data());
    envp.push_back(nullptr);

    const int log_fd = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log_fd < 0)
        throw std::runtime_error("Process: cannot open log " + log_path_ + ": " +
                                 std::strerror(errno));
    int err_pipe[2];
    if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
        ::close(log_fd);
        throw std::runtime_error(std::string("Process: pipe: ") + std::strerror(errno));
    }
    const pid_t parent = ::getpid();
    pid_ = ::fork();
    if (pid_ < 0) {
        const int e = errno;
        ::close(log_fd);
        ::close(err_pipe[0]);
        ::close(err_pipe[1]);
        throw std::runtime_error(std::string("Process: fork: ") + std::strerror(e));
    }
    if (pid_ == 0) {
        // Child: die with the test process, so a crashed test leaves no sinkhost behind.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent) ::_exit(127);
        const int devnull = ::open("/dev/null", O_RDONLY);
        if (devnull >= 0) ::dup2(devnull, STDIN_FILENO);
        ::dup2(log_fd, STDOUT_FILENO);
        ::dup2(log_fd, STDERR_FILENO);
        // Signals the test process ignores or blocks must not leak into the child.
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        ::signal(SIGPIPE, SIG_DFL);
        ::execve(program.c_str(), args.data(), envp.data());
        const int e = errno;
        ssize_t ignored = ::write(err_pipe[1], &e, sizeof e);
        (void)ignored;
        ::_exit(127);
    }
    ::close(log_fd);
    ::close(err_pipe[1]);
    int exec_errno = 0;
    ssize_t n;
    do {
        n = ::read(err_pipe[0], &exec_errno, sizeof exec_errno);
    } while (n < 0 && errno == EINTR);
    ::close(err_pipe[0]);
    if (n == static_cast<ssize_t>(sizeof exec_errno)) {
        reap(true);
        throw std::runtime_error("Process: cannot run " + program + ": " +
                                 std::strerror(exec_errno));
    }
}

Process::~Process() {
    if (pid_ > 0 && !status_) {
        ::kill(pid_, SIGKILL);
        reap(true);
    }
}

bool Process::reap(bool block) {
    if (status_) return true;
    int st = 0;
    pid_t r;
    do {
        r = ::waitpid(pid_, &st, block ? 0 : WNOHANG);
    } while (r < 0 && errno == EINTR);
    if (r != pid_) return false;
    ExitStatus s;
    if (WIFEXITED(st)) s.code = WEXITSTATUS(st);
    if (WIFSIGNALED(st)) s.signal = WTERMSIG(st);
    status_ = s;
    return true;
}

bool Process::alive() { return !reap(false); }

void Process::kill(int sig) {
    // Once reaped, the pid may belong to someone else: never signal it.
    if (!reap(false)) ::kill(pid_, sig);
}

std::optional<ExitStatus> Process::wait(int timeout_ms) {
    using Clock = std::chrono::steady_clock;
    const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    while (!reap(false)) {
        if (Clock::now() >= deadline) return std::nullopt;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return status_;
}

std::string Process::log() const {
    std::ifstream in(log_path_, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace vsink::test
