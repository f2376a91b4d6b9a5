// main() of every training executable that marthe-compile links.

#include "runtime/Error.h"
#include "runtime/Trainer.h"

#include <cstdio>
#include <cstring>
#include <exception>

static void printHelp(const char *argv0, const marthe::rt::RunConfig &config) {
  std::printf("usage: %s [options]\n"
              "Trains %s with the schedule compiled in (defaults in brackets).\n",
              argv0, marthe_program.modelName);
  marthe::rt::printRunOptionsHelp(config, stdout);
  std::printf("  --resume                     continue from DIR/checkpoint.bin (written at each "
              "progress line)\n"
              "  --overwrite                  replace the outputs of another run in --out\n"
              "  --quiet                      no progress lines\n");
}

int main(int argc, char **argv) {
  try {
    marthe::rt::RunConfig config = marthe::rt::defaultRunConfig(marthe_program);
    for (int i = 1; i < argc; ++i)
      if (!std::strcmp(argv[i], "--help") || !std::strcmp(argv[i], "-h")) {
        printHelp(argv[0], config);
        return 0;
      }
    marthe::rt::applyCommandLine(config, argc, argv);
    marthe::rt::train(marthe_program, config);
    return 0;
  } catch (const marthe::rt::Interrupted &stop) {
    std::fprintf(stderr, "%s: %s\n", argv[0], stop.what());
    return 130;
  } catch (const std::exception &error) {
    std::fprintf(stderr, "%s: error: %s\n", argv[0], error.what());
    return 1;
  }
}
