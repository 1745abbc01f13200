// zkinfer-native: the native BN254 engine. `zkinfer-native <command> ...`; errors go to
// stderr as one line ("error: ...") with exit code 1 (user errors) or 2 (internal).
#include <cstdio>
#include <exception>

#include "command.hpp"

namespace zkn {
std::map<std::string, CommandInfo>& commands() {
  static std::map<std::string, CommandInfo> registry;
  return registry;
}
}  // namespace zkn

static void usage() {
  std::fprintf(stderr, "usage: zkinfer-native <command> ...\ncommands:\n");
  for (const auto& [name, info] : zkn::commands()) std::fprintf(stderr, "  %s %s\n", name.c_str(), info.usage.c_str());
}

int main(int argc, char** argv) {
  if (argc < 2) {
    usage();
    return 1;
  }
  auto it = zkn::commands().find(argv[1]);
  if (it == zkn::commands().end()) {
    std::fprintf(stderr, "error: unknown command \"%s\"\n", argv[1]);
    usage();
    return 1;
  }
  try {
    return it->second.run(argc - 2, argv + 2);
  } catch (const zkn::UserError& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "internal error: %s\n", e.what());
    return 2;
  }
}
