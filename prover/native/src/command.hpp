// Subcommands of the zkinfer-native binary register themselves at static-initialization
// time, so each lives in its own file and main.cpp never lists them.
#pragma once
#include <functional>
#include <map>
#include <stdexcept>
#include <string>

namespace zkn {

using CommandFn = std::function<int(int argc, char** argv)>;

struct CommandInfo {
  CommandFn run;
  std::string usage;
};

std::map<std::string, CommandInfo>& commands();

struct RegisterCommand {
  RegisterCommand(const std::string& name, const std::string& usage, CommandFn fn) { commands()[name] = {std::move(fn), usage}; }
};

// An error the user can act on (bad file, bad argument): printed as one line, exit code 1.
struct UserError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace zkn
