// A file with given contents in a fresh temporary folder, removed at scope end.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

struct TempFile {
    std::filesystem::path dir;
    std::filesystem::path path;
    TempFile(const std::string &name, const std::string &text) {
        static int n = 0;
        dir = std::filesystem::temp_directory_path() /
              ("vsink-unit-" + std::to_string(::getpid()) + "-" + std::to_string(++n));
        std::filesystem::create_directories(dir);
        path = dir / name;
        std::ofstream(path) << text;
    }
    ~TempFile() { std::filesystem::remove_all(dir); }
    std::string str() const { return path.string(); }
};
