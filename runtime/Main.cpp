// main() of every training executable that marthe-compile links.

#include "runtime/Error.h"
#include "runtime/Trainer.h"

#include <cstdio>
#include <cstring>
#include <exception>

static void printHelp(const char *argv0, const marthe::rt::RunConfig &c) {
  std::printf(
      "usage: %s [options]\n"
      "Trains %s with the schedule compiled in (defaults in brackets).\n"
      "  --steps N            training steps [%lld]\n"
      "  --seed S             data order and seeded initialization [%llu]\n"
      "  --out DIR            metrics.csv, summary.json, model.onnx [%s]\n"
      "  --schedule K         marthe | hd | rtho | constant | exponential | staircase | sgdr [%s]\n"
      "  --eta0 X             initial learning rate [%g]\n"
      "  --beta0 X            initial hyper-learning rate [%g]\n"
      "  --beta-step X|auto   step that adapts beta [%s]\n"
      "  --mu X|adaptive      discount factor (a fixed value needs a fixed-mu build)\n"
      "  --order shuffle|sequential   mini-batch order [%s]\n"
      "  --validation-order shuffle|sequential   validation mini-batch order [%s]\n"
      "  --rollback latest|previous   snapshot a divergence returns to (beta_step auto) [%s]\n"
      "  --beta-step-start X  the beta_step \"auto\" starts from [%g]\n"
      "  --beta-step-cut F    beta_step is divided by F at each rollback [%g]\n"
      "  --reset-beta yes|no  a rollback also resets beta to beta0 [%s]\n"
      "  --data-dir DIR       the data set's folder (fashion-mnist, mnist, cifar*) [%s]\n"
      "  --log-every N        progress period [%lld]\n"
      "  --resume             continue from DIR/checkpoint.bin (written at each progress line)\n"
      "  --quiet              no progress lines\n",
      argv0, marthe_program.modelName, (long long)c.steps, (unsigned long long)c.seed,
      c.out.c_str(), c.schedule.c_str(), c.eta0, c.beta0,
      c.betaStep ? std::to_string(*c.betaStep).c_str() : "auto", c.order.c_str(),
      c.validationOrder.c_str(), c.rollbackTo.c_str(), c.betaStepStart, c.betaStepCut, c.resetBeta ? "yes" : "no", c.data.dir.c_str(), (long long)c.logEvery);
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
