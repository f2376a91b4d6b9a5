#include "runtime/SplitChecks.h"

#include "runtime/Error.h"
#include "runtime/Program.h"

#include <algorithm>
#include <cstdio>

namespace marthe::rt {
namespace {

std::string shapeText(const std::vector<int64_t> &shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

std::vector<int64_t> withoutOnes(std::vector<int64_t> shape) {
  shape.erase(std::remove(shape.begin(), shape.end(), 1), shape.end());
  return shape;
}

/// The samples two splits share, when both are ranges of the same part.
int64_t overlap(const std::string &a, const std::string &b, int64_t aCount, int64_t bCount) {
  SplitSpec x = parseSplit(a), y = parseSplit(b);
  if (x.part != y.part)
    return 0;
  int64_t xEnd = x.begin + aCount, yEnd = y.begin + bCount;
  return std::max<int64_t>(0, std::min(xEnd, yEnd) - std::max(x.begin, y.begin));
}

} // namespace

void checkSplits(const ProgramSpec &program, const RunConfig &config, const ImageSet &train,
                 const ImageSet &validation, const ImageSet &test) {
  const FunctionSpec *forward = findFunction(program, "forward");
  const TensorSpec *input = nullptr;
  for (int32_t i = 0; forward && i < forward->numArgs; ++i)
    if (std::string(forward->args[i].role) == "input")
      input = &forward->args[i];
  if (!input)
    return;
  int64_t batch = input->dims[0];
  struct Named {
    const char *option;
    const std::string &split;
    const ImageSet &set;
  };
  for (Named s : {Named{"train", config.train, train},
                  Named{"validation", config.validation, validation}})
    if (s.set.count < batch)
      throw Error("[data] " + std::string(s.option) + " = \"" + s.split + "\" has " +
                  std::to_string(s.set.count) + " samples, fewer than the batch size " +
                  std::to_string(batch) + " the model was compiled with");
  for (Named s : {Named{"validation", config.validation, validation},
                  Named{"test", config.test, test}})
    if (s.set.shape != train.shape)
      throw Error("[data] " + std::string(s.option) + " = \"" + s.split + "\" has samples of shape " +
                  shapeText(s.set.shape) + " but the training split's are " +
                  shapeText(train.shape));
  std::vector<int64_t> sample(input->dims + 1, input->dims + input->rank);
  // A flat input takes any sample with as many values (checked when loaded).
  if (sample.size() > 1 && withoutOnes(sample) != withoutOnes(train.shape))
    throw Error("the model takes samples of shape " + shapeText(sample) + " but the data's are " +
                shapeText(train.shape));
  if (int64_t shared = overlap(config.train, config.validation, train.count, validation.count);
      shared > 0 && !config.quiet)
    std::fprintf(stderr,
                 "warning: the validation split \"%s\" shares %lld samples with the training "
                 "split \"%s\": validation figures will be optimistic\n",
                 config.validation.c_str(), (long long)shared, config.train.c_str());
}

} // namespace marthe::rt
