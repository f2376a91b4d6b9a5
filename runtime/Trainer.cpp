#include "runtime/Trainer.h"

#include "runtime/Batcher.h"
#include "runtime/Checkpoint.h"
#include "runtime/Dataset.h"
#include "runtime/Divergence.h"
#include "runtime/Error.h"
#include "runtime/GemmLibrary.h"
#include "runtime/Metrics.h"
#include "runtime/OnnxModel.h"
#include "runtime/OptimizerState.h"
#include "runtime/Program.h"
#include "runtime/Progress.h"
#include "runtime/Resume.h"
#include "runtime/SeededInit.h"
#include "runtime/SchedulePlot.h"
#include "runtime/Snapshot.h"
#include "runtime/SplitChecks.h"
#include "runtime/Stall.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <numeric>
#include <optional>
#include <random>

namespace marthe::rt {
namespace {

/// "param:<name>": a trained initializer of the model.
bool isParameter(const std::string &role) { return role.rfind("param:", 0) == 0; }

/// Parameters and running statistics ("stat:<name>"): the initializers the
/// step reads and the written model holds.
bool isModelTensor(const std::string &role) {
  return isParameter(role) || role.rfind("stat:", 0) == 0;
}

/// Steps between two in-memory snapshots a rollback may return to.
constexpr int64_t kSnapshotEvery = 16;
/// While "auto" searches, a step that changes eta by more than this
/// fraction counts as beta overshooting.
constexpr double kLargestEtaChange = 0.5;
/// Below this, "auto" gives up: beta hardly moves any more.
constexpr double kSmallestBetaStep = 1e-15;

/// Set by SIGINT and SIGTERM: the run checkpoints after the current step and stops.
volatile std::sig_atomic_t stopRequested = 0;

void requestStop(int) { stopRequested = 1; }

struct Evaluation {
  double loss = 0, accuracy = 0;
};

/// Mean cross-entropy and accuracy of logits rows [0, rows).
void scoreLogits(const Tensor &logits, const Tensor &labels, int64_t rows, double &loss,
                 int64_t &correct) {
  int64_t classes = logits.spec->dims[1];
  for (int64_t r = 0; r < rows; ++r) {
    double max = -INFINITY;
    int64_t best = 0;
    for (int64_t c = 0; c < classes; ++c) {
      double v = logits.get(r * classes + c);
      if (v > max)
        max = v, best = c;
    }
    double sum = 0;
    for (int64_t c = 0; c < classes; ++c)
      sum += std::exp(logits.get(r * classes + c) - max);
    int64_t label = int64_t(labels.get(r));
    loss += std::log(sum) + max - logits.get(r * classes + label);
    correct += best == label;
  }
}

/// One training run: state, schedule scalars and outputs.
class Run {
public:
  Run(const ProgramSpec &program, const RunConfig &config, const ImageSet &train,
      const ImageSet &validation)
      : program_(program), config_(config),
        betaStep_(config.schedule == "marthe" ? config.betaStep.value_or(config.betaStepStart) : 0),
        trainBatches_(train, config.order == "shuffle", config.seed, &config.augment),
        valBatches_(validation, config.validationOrder == "shuffle", config.seed + 1),
        forward_(*requireFunction("forward"), program.device), validation_(validation),
        forwardLabels_(labelSpec(forward_.arg("input").spec->dims[0])) {
    bool hyper = isHypergradientSchedule(config.schedule);
    step_.emplace(*requireFunction(hyper ? "marthe_step" : "train_step"), program.device);
    evaluationPoint_.emplace(program, *step_, train, config.statisticsBatches);
    pipelined_ = hyper && program.device != Device::Cpu;
    initialize(hyper);
  }

  /// Continues from a checkpoint of this program.
  void restore(const Checkpoint &checkpoint) {
    restoreState(*step_, checkpoint.tensors, "the checkpoint");
    evaluationPoint_->invalidate();
    rows = checkpoint.rows;
    rollbacks = checkpoint.rollbacks;
    betaStep_ = checkpoint.betaStep;
    stepSeconds_ = checkpoint.stepSeconds;
    if (!rows.empty())
      lastLoss = rows.back()[kLoss];
  }

  /// Runs the steps after those already in `rows`, rolling back on
  /// divergence while the policy allows; false when training diverged and
  /// stopped (the state is then the last snapshot's).
  bool trainAll() {
    csv_.emplace(config_.out + "/metrics.csv", metricsColumnNames(), rows);
    detector_.restart(rows);
    // Rows for every step, up to a bound: a run of 10^8 steps grows them.
    rows.reserve(std::min<int64_t>(config_.steps, int64_t(1) << 20));
    start_ = std::chrono::steady_clock::now();
    progress_.emplace(rows.size(), config_.steps, config_.quiet);
    secondsBefore_ = rows.empty() ? 0 : rows.back()[kSeconds];
    // The schedule in effect for the first step, as initialized or restored.
    nextEta_ = scalar("eta");
    bool hyper = step_->hasArg("mu");
    nextMu_ = hyper ? scalar("mu") : NAN;
    nextBeta_ = hyper ? scalar("beta") : NAN;
    nextC_ = hyper ? scalar("c") : NAN;
    takeSnapshot();
    std::optional<Launched> pending;
    for (int64_t t = rows.size(); t < config_.steps;) {
      auto launchStart = std::chrono::steady_clock::now();
      Launched launched = launch(t);
      stepSeconds_ += seconds(launchStart);
      // On a device step t runs while the row of step t - 1 is read back.
      bool healthy = !pending || finish(*pending);
      bool stop = stopRequested; // read once: the checkpoint must hold every launched step
      if (healthy && (!pipelined_ || isSyncStep(t) || stop))
        healthy = finish(launched);
      else if (healthy)
        pending = launched;
      if (!healthy) {
        step_->scalar(launched.ticket, "loss"); // no step may run while the state is restored
        pending.reset();
        if (!rollBack())
          return false;
        t = rows.size();
        continue;
      }
      if (!pipelined_ || isSyncStep(t) || stop)
        pending.reset();
      if (stop) {
        checkpoint();
        throw Interrupted("interrupted after step " + std::to_string(t + 1) + "; " +
                          checkpointPath(config_) + " holds it: continue with --resume");
      }
      ++t;
    }
    secondsPerStep = stepSeconds_ / config_.steps;
    totalSeconds = seconds(start_);
    return true;
  }

  Evaluation evaluate(const ImageSet &set) {
    syncForward(/*statistics=*/true);
    std::unique_ptr<Batcher> &batcher = evaluationBatchers_[&set];
    if (!batcher) // kept: on a device the split stays there between evaluations
      batcher = std::make_unique<Batcher>(set, false, 0);
    Tensor &input = forward_.arg("input");
    int64_t batch = input.spec->dims[0];
    Tensor &labels = forwardLabels_;
    double loss = 0;
    int64_t correct = 0;
    for (int64_t begin = 0; begin < set.count; begin += batch) {
      batcher->fillRange(begin, input, labels);
      forward_.call();
      scoreLogits(forward_.results()[0], labels, std::min(batch, set.count - begin), loss,
                  correct);
    }
    return {loss / set.count, double(correct) / set.count};
  }

  /// The model's initializers at the evaluation point.
  std::vector<NamedTensor> parameters() {
    std::vector<NamedTensor> params;
    evaluationPoint_->update(/*statistics=*/true);
    for (Tensor &arg : step_->args()) {
      std::string role = arg.spec->role;
      if (!isModelTensor(role))
        continue;
      const Tensor &value = evaluationPoint_->tensor(role);
      NamedTensor tensor{role.substr(5 + isParameter(role)), {}, {}};
      tensor.shape.assign(arg.spec->dims, arg.spec->dims + arg.spec->rank);
      for (int64_t i = 0; i < arg.size(); ++i)
        tensor.values.push_back(value.get(i));
      params.push_back(std::move(tensor));
    }
    return params;
  }

  double scalar(const std::string &role) { return step_->arg(role).get(0); }

  double secondsPerStep = 0, totalSeconds = 0, lastLoss = NAN;
  /// The metrics.csv rows of this run.
  std::vector<MetricsRow> rows;

private:
  const FunctionSpec *requireFunction(const std::string &name) {
    const FunctionSpec *fn = findFunction(program_, name);
    if (!fn)
      throw Error(std::string("the program has no compiled function '") + name + "'");
    return fn;
  }

  const TensorSpec &labelSpec(int64_t batch) {
    labelSpec_ = TensorSpec{"labels", DType::I32, 1, {batch}};
    return labelSpec_;
  }

  void initialize(bool hyper) {
    std::map<std::string, NamedTensor> initial;
    for (NamedTensor &t : readFloatInitializers(program_.modelBytes,
                                                program_.modelEnd - program_.modelBytes,
                                                program_.modelName))
      initial[t.name] = std::move(t);
    std::mt19937_64 rng(config_.seed);
    std::map<std::string, InitRule> rules;
    if (config_.seededInit())
      rules = seededInitRules(program_.modelBytes, program_.modelEnd - program_.modelBytes,
                              program_.modelName);
    for (Tensor &arg : step_->args()) {
      std::string role = arg.spec->role;
      if (!isModelTensor(role))
        continue;
      std::string name = role.substr(5 + isParameter(role));
      std::vector<double> values = config_.seededInit() && isParameter(role)
                                       ? drawParameter(rules.at(name), arg.size(), rng)
                                       : initial.at(name).values;
      for (int64_t i = 0; i < arg.size(); ++i)
        arg.set(i, values[i]);
    }
    initializeOptimizerState(program_, *step_);
    step_->arg("eta").set(0, config_.eta0);
    if (!hyper)
      return;
    step_->arg("beta").set(0, config_.beta0);
    step_->arg("alpha").set(0, betaStep_);
    double mu = config_.schedule == "hd" ? 0.0 : config_.schedule == "rtho" ? 1.0
                                                                             : config_.mu.value_or(0.0);
    step_->arg("mu").set(0, mu);
  }

  double scheduledEta(int64_t t) {
    const RunConfig &c = config_;
    if (c.schedule == "exponential")
      return c.eta0 * std::pow(c.decay, double(t));
    if (c.schedule == "staircase")
      return c.eta0 * std::pow(c.decay, double(t / c.decaySteps));
    if (c.schedule == "sgdr") {
      double period = c.sgdrT0, position = t;
      while (position >= period)
        position -= period, period *= c.sgdrTMult;
      return 0.5 * c.eta0 * (1 + std::cos(M_PI * position / period));
    }
    return c.eta0;
  }

  /// The key of step t's dropout masks: a function of the seed and the step
  /// only (resumed runs draw the same masks), below 2^24 so that it is an
  /// exact integer in float32.
  double dropoutKey(int64_t t) const {
    return double((uint64_t(config_.seed) * 1000003u + uint64_t(t) + 1) % (1u << 24));
  }

  /// The distance estimate d of Prodigy and D-Adaptation that step `ticket`
  /// computed; NaN for other optimizers.
  double optimizerD(uint64_t ticket) {
    return step_->hasResult("opt:d") ? step_->scalar(ticket, "opt:d") : NAN;
  }

  /// A step started; its row is complete once finished.
  struct Launched {
    int64_t t;
    uint64_t ticket;
    MetricsRow row; // val_acc is left NaN
  };

  /// Steps after which nothing runs while the row is read: progress lines
  /// and snapshots.
  bool isSyncStep(int64_t t) const {
    return isLogStep(t) || (t + 1) % kSnapshotEvery == 0;
  }

  bool isLogStep(int64_t t) const {
    return (t + 1) % config_.logEvery == 0 || t + 1 == config_.steps;
  }

  /// Starts step t. A fixed schedule's step completes here (its validation
  /// loss reads the logits back); a hypergradient step's scalars are read
  /// back by finish().
  Launched launch(int64_t t) {
    Function &fn = *step_;
    trainBatches_.fill(t, fn.arg("input"), fn.arg("labels"));
    if (fn.hasArg("dropout_key"))
      fn.arg("dropout_key").set(0, dropoutKey(t));
    if (!fn.hasArg("val_input")) {
      fn.arg("eta").set(0, scheduledEta(t));
      double eta = fn.arg("eta").get(0); // as the step sees it
      uint64_t ticket = fn.launch();
      fn.feedBack();
      MetricsRow row;
      row.fill(NAN);
      row[kStep] = double(t), row[kLoss] = fn.scalar(ticket, "loss");
      row[kValLoss] = validationLoss(t), row[kEta] = eta;
      row[kD] = optimizerD(ticket);
      return {t, ticket, row};
    }
    valBatches_.fill(t, fn.arg("val_input"), fn.arg("val_labels"));
    uint64_t ticket = fn.launch();
    static const std::vector<std::string> hypergradientIsNextPrevious{"hg", "hg_prev"};
    fn.feedBack(hypergradientIsNextPrevious);
    return {t, ticket, {}};
  }

  /// The row of a launched step, from its scalar results: the schedule in
  /// effect during the step (the previous step's results), then the step's
  /// own values.
  MetricsRow collect(const Launched &step) {
    MetricsRow row = step.row;
    row[kSeconds] = secondsBefore_ + seconds(start_);
    if (!isHypergradientSchedule(config_.schedule))
      return row;
    auto result = [&](const char *role) { return step_->scalar(step.ticket, role); };
    row[kStep] = double(step.t), row[kLoss] = result("loss"), row[kValLoss] = result("val_loss");
    row[kEta] = nextEta_, row[kMu] = nextMu_, row[kBeta] = nextBeta_, row[kC] = nextC_;
    row[kBetaStep] = step_->arg("alpha").get(0);
    row[kHypergrad] = result("hg"), row[kG1] = result("g1");
    row[kD] = optimizerD(step.ticket);
    nextEta_ = result("eta"), nextMu_ = result("mu"), nextBeta_ = result("beta");
    nextC_ = result("c");
    return row;
  }

  /// Records the step's row; at progress lines also evaluates, logs and
  /// checkpoints, and every kSnapshotEvery steps takes a snapshot (no later
  /// step has started then). False when it diverged.
  bool finish(const Launched &step) {
    auto collectStart = std::chrono::steady_clock::now();
    MetricsRow row = collect(step);
    stepSeconds_ += seconds(collectStart);
    bool hyper = isHypergradientSchedule(config_.schedule);
    std::string why = hyper ? detector_.check(row, true, {nextEta_, nextMu_, nextBeta_, nextC_})
                            : detector_.check(row, false, {});
    if (why.empty() && searching() && betaStep_ / config_.betaStepCut >= kSmallestBetaStep)
      why = overshoot(row[kEta], nextEta_);
    if (!why.empty()) {
      divergence_ = {step.t, why};
      progress_->clearBar();
      if (!config_.quiet)
        std::fprintf(stderr, "step %lld: training diverged: %s\n", (long long)step.t + 1,
                     why.c_str());
      return false;
    }
    lastLoss = row[kLoss];
    std::string stalled = stall_.check(row[kLoss], forward_.results()[0].spec->dims[1]);
    if (!stalled.empty()) {
      progress_->clearBar();
      std::fprintf(stderr, "warning: %s\n", stalled.c_str());
    }
    bool logNow = isLogStep(step.t);
    if (logNow)
      row[kValAcc] = evaluate(validation_).accuracy;
    csv_->row(row.data(), row.size());
    rows.push_back(row);
    progress_->stepDone(step.t, describe(row), logNow);
    if (logNow)
      checkpoint();
    if (isSyncStep(step.t))
      takeSnapshot();
    return true;
  }

  struct Snapshot {
    int64_t step;
    StateTensors state;
    double eta, mu, beta, c;
  };

  void takeSnapshot() {
    if (snapshots_.size() == 2)
      snapshots_.pop_front();
    snapshots_.push_back(
        {int64_t(rows.size()), copyState(*step_), nextEta_, nextMu_, nextBeta_, nextC_});
  }

  void restoreSnapshot(const Snapshot &snapshot) {
    restoreState(*step_, snapshot.state, "a snapshot");
    evaluationPoint_->invalidate();
    rows.resize(snapshot.step);
    nextEta_ = snapshot.eta, nextMu_ = snapshot.mu, nextBeta_ = snapshot.beta;
    nextC_ = snapshot.c;
    lastLoss = rows.empty() ? NAN : rows.back()[kLoss];
    csv_->reset(rows);
    detector_.restart(rows);
  }

  /// After a divergence: "auto" returns to a snapshot with a smaller
  /// beta_step (docs/NOTES.md); anything else stops at the latest snapshot.
  /// While "auto" searches, eta clamped to 0 or moved by more than half in
  /// one step also counts: beta overshoots (docs/NOTES.md, "Divergence and
  /// rollback").
  static std::string overshoot(double eta, double next) {
    if (!(eta > 0))
      return {};
    if (next == 0)
      return "eta collapsed to 0 (beta_step too large)";
    if (std::abs(next - eta) > kLargestEtaChange * eta) {
      char text[96];
      std::snprintf(text, sizeof text, "eta jumped from %g to %g (beta_step too large)", eta, next);
      return text;
    }
    return {};
  }

  bool searching() const { return config_.schedule == "marthe" && !config_.betaStep; }

  bool rollBack() {
    double cut = betaStep_ / config_.betaStepCut;
    if (!searching() || cut < kSmallestBetaStep) {
      restoreSnapshot(snapshots_.back());
      return false;
    }
    if (config_.rollbackTo == "previous" && snapshots_.size() == 2)
      snapshots_.pop_back();
    restoreSnapshot(snapshots_.back());
    rollbacks.push_back({divergence_.step, snapshots_.back().step, betaStep_, cut});
    betaStep_ = cut;
    step_->arg("alpha").set(0, betaStep_);
    if (config_.resetBeta) {
      step_->arg("beta").set(0, config_.beta0);
      nextBeta_ = config_.beta0;
    }
    progress_->clearBar();
    if (!config_.quiet)
      std::fprintf(stderr, "rolled back to step %lld with beta_step %g\n",
                   (long long)snapshots_.back().step, betaStep_);
    return true;
  }

  /// The validation mini-batch loss of the updated weights (fixed schedules).
  double validationLoss(int64_t t) {
    syncForward(/*statistics=*/false);
    Tensor &input = forward_.arg("input");
    Tensor &labels = forwardLabels_;
    valBatches_.fill(t, input, labels);
    forward_.call();
    double loss = 0;
    int64_t correct = 0;
    scoreLogits(forward_.results()[0], labels, labels.size(), loss, correct);
    return loss / labels.size();
  }

  std::string describe(const MetricsRow &row) const {
    char text[192];
    std::snprintf(text, sizeof text,
                  "step %5lld/%lld  loss %.4f  val_loss %.4f  val_acc %.4f  eta %.5g  mu %.3g  "
                  "beta %.3g",
                  (long long)row[kStep] + 1, (long long)config_.steps, row[kLoss], row[kValLoss],
                  row[kValAcc], row[kEta], row[kMu], row[kBeta]);
    return text;
  }

  /// `statistics`: with the running statistics recomputed at the evaluation
  /// point (evaluations, not every step's validation loss).
  void syncForward(bool statistics) {
    evaluationPoint_->update(statistics);
    for (Tensor &arg : step_->args())
      if (forward_.hasArg(arg.spec->role) && std::string(arg.spec->role) != "input")
        forward_.arg(arg.spec->role).assign(evaluationPoint_->tensor(arg.spec->role));
  }

  /// The trained model so far and everything needed to resume.
  void checkpoint() {
    std::vector<NamedTensor> params = parameters();
    writeFileAtomically(config_.out + "/model.onnx",
                        replaceInitializers(program_.modelBytes,
                                            program_.modelEnd - program_.modelBytes, params,
                                            program_.modelName));
    Checkpoint state{buildFingerprint(program_), runConfigToJson(config_), int64_t(rows.size()),
                     betaStep_, rollbacks, stepSeconds_, rows, copyState(*step_)};
    writeCheckpoint(checkpointPath(config_), state);
  }

  static double seconds(std::chrono::steady_clock::time_point since) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
  }

public:
  /// Where and why training diverged (when trainAll returned false).
  struct Divergence {
    int64_t step = -1;
    std::string reason;
  };
  Divergence divergence() const { return divergence_; }
  double betaStep() const { return betaStep_; }
  std::vector<Rollback> rollbacks;

private:
  const ProgramSpec &program_;
  const RunConfig &config_;
  double betaStep_;
  std::optional<CsvWriter> csv_;
  std::optional<Progress> progress_;
  DivergenceDetector detector_;
  StallDetector stall_;
  std::deque<Snapshot> snapshots_;
  Divergence divergence_;
  std::chrono::steady_clock::time_point start_;
  double secondsBefore_ = 0;
  // Declared before the functions, so destroyed after them: a step still
  // running on a device (a run abandoned one step late) may read the
  // resident data until ~Function has waited for it.
  Batcher trainBatches_, valBatches_;
  std::map<const ImageSet *, std::unique_ptr<Batcher>> evaluationBatchers_;
  Function forward_;
  std::optional<Function> step_;
  /// Where evaluation and model.onnx take the parameters (schedule-free: x).
  std::optional<EvaluationPoint> evaluationPoint_;
  const ImageSet &validation_;
  TensorSpec labelSpec_{};
  /// Labels of the forward function's batches (evaluation, validation loss).
  Tensor forwardLabels_;
  double stepSeconds_ = 0;
  /// On a device, step t + 1 starts before the row of step t is read back
  /// (hypergradient schedules; a fixed schedule's step waits for its
  /// validation loss anyway).
  bool pipelined_ = false;
  /// The schedule in effect for the next step to be collected.
  double nextEta_ = NAN, nextMu_ = NAN, nextBeta_ = NAN, nextC_ = NAN;
};

/// The setting to lower when a run that may not roll back diverges.
std::string divergenceHint(const RunConfig &config) {
  if (config.schedule == "marthe")
    return config.betaStep ? "lower beta_step (--beta-step, [schedule] beta_step) or set it "
                             "to \"auto\""
                           : "even the smallest beta_step diverged: lower eta0 (--eta0, "
                             "[schedule] eta0)";
  if (config.schedule == "hd" || config.schedule == "rtho")
    return "lower beta (--beta0, [schedule] beta)";
  return "lower eta0 (--eta0, [schedule] eta0)";
}

} // namespace

static Series column(const std::vector<MetricsRow> &rows, size_t index,
                     const std::string &name) {
  Series series{name, {}};
  for (const MetricsRow &row : rows)
    series.values.push_back(row[index]);
  return series;
}

/// A split with samples whose labels are classes of the model.
static ImageSet loadSplit(const ProgramSpec &program, const RunConfig &config,
                          const std::string &split) {
  ImageSet set = loadSplit(config.data, parseSplit(split));
  normalize(set, config.augment);
  if (set.count == 0)
    throw Error("split \"" + split + "\" is empty");
  const FunctionSpec *forward = findFunction(program, "forward");
  int64_t classes = forward ? forward->results[0].dims[1] : 0;
  int32_t largest = *std::max_element(set.labels.begin(), set.labels.end());
  if (largest >= classes)
    throw Error("split \"" + split + "\" has labels up to " + std::to_string(largest) +
                " but the model has " + std::to_string(classes) + " classes");
  // Every split, the test split too, before any training.
  for (int32_t i = 0; forward && i < forward->numArgs; ++i) {
    const TensorSpec &input = forward->args[i];
    int64_t perSample = input.dims[0] ? elementCount(input) / input.dims[0] : 0;
    if (std::string(input.role) == "input" && perSample != set.sampleSize())
      throw Error("split \"" + split + "\": the compiled model takes " +
                  std::to_string(perSample) + " values per sample but the data has " +
                  std::to_string(set.sampleSize()));
  }
  return set;
}

/// marthe-compile's record of the build (version, fingerprint), if any.
static nlohmann::json buildInfo(const ProgramSpec &program) {
  nlohmann::json defaults = nlohmann::json::parse(program.configJson);
  return defaults.value("build", nlohmann::json::object());
}

void train(const ProgramSpec &program, RunConfig config) {
  std::optional<Checkpoint> resumed = resumeRun(program, config);
  validateRunConfig(program, config);
  checkGemmEnvironment();
  // A missing GPU is reported before any work.
  DeviceRuntime *device = deviceRuntime(program.device);
  std::string deviceName = device ? device->name() : "cpu";
  if (device && !config.quiet)
    std::fprintf(stderr, "training on %s\n", deviceName.c_str());
  std::signal(SIGINT, requestStop);
  std::signal(SIGTERM, requestStop);
  ImageSet trainSet = loadSplit(program, config, config.train);
  ImageSet validation = loadSplit(program, config, config.validation);
  ImageSet test = loadSplit(program, config, config.test);
  checkSplits(program, config, trainSet, validation, test);
  ensureDirectory(config.out);
  // --resume without a checkpoint (killed before its first) restarts the run.
  if (!config.resume)
    claimOutputDirectory(config);
  Run run(program, config, trainSet, validation);
  if (resumed)
    run.restore(*resumed);
  bool completed = run.trainAll();
  Evaluation val = run.evaluate(validation), tst = run.evaluate(test);
  writeFileAtomically(config.out + "/model.onnx",
                      replaceInitializers(program.modelBytes, program.modelEnd - program.modelBytes,
                                          run.parameters(), program.modelName));
  nlohmann::json rollbacks = nlohmann::json::array();
  for (const Rollback &r : run.rollbacks)
    rollbacks.push_back({{"step", r.step},
                         {"resumed_at", r.resumedAt},
                         {"beta_step_before", r.betaStepBefore},
                         {"beta_step_after", r.betaStepAfter}});
  nlohmann::json summary = {
      {"model", program.modelName},   {"device", deviceName},
      {"schedule", config.schedule},
      {"steps", config.steps},        {"steps_done", run.rows.size()},
      {"seed", config.seed},
      {"eta0", config.eta0},          {"beta_step", run.betaStep()},
      {"rollbacks", rollbacks},       {"final_train_loss", run.lastLoss},
      {"val_loss", val.loss},         {"val_acc", val.accuracy},
      {"test_loss", tst.loss},        {"test_acc", tst.accuracy},
      {"ms_per_step", run.secondsPerStep * 1e3}, {"seconds", run.totalSeconds},
      {"config", nlohmann::json::parse(runConfigToJson(config))},
      {"build", buildInfo(program)}};
  if (!completed)
    summary["diverged"] = {{"step", run.divergence().step},
                           {"reason", run.divergence().reason}};
  writeJsonAtomically(config.out + "/summary.json", summary);
  writeSchedulePlot(config.out + "/schedule.svg",
                    std::string(program.modelName) + ": " + config.schedule + " schedule",
                    {{column(run.rows, kEta, "eta")},
                     {column(run.rows, kMu, "mu")},
                     {column(run.rows, kBeta, "beta")},
                     {column(run.rows, kD, "d (Prodigy, D-Adaptation)")},
                     {column(run.rows, kLoss, "loss"), column(run.rows, kValLoss, "val_loss")}});
  if (!completed)
    throw Error("training diverged at step " + std::to_string(run.divergence().step + 1) + " (" +
                run.divergence().reason + "); the outputs in " + config.out +
                " hold step " + std::to_string(run.rows.size()) + ": " +
                divergenceHint(config));
  std::printf("validation accuracy %.4f (loss %.4f), test accuracy %.4f (loss %.4f), "
              "%.2f ms/step, beta_step %g, outputs in %s\n",
              val.accuracy, val.loss, tst.accuracy, tst.loss, run.secondsPerStep * 1e3,
              run.betaStep(), config.out.c_str());
}

} // namespace marthe::rt
