#include "frontend/OnnxSchema.h"

#include "onnx/checker.h"
#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstring>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "onnx/defs/schema.h"
#include "onnx/shape_inference/implementation.h"
#include "onnx/version_converter/convert.h"

namespace marthe {

/// How long ONNX's checks may take (they are linear in the model's size).
constexpr unsigned kCheckSeconds = 120;

int onnxOpVersion(const std::string &name, int opset) noexcept {
  try {
    const onnx::OpSchema *schema = onnx::OpSchemaRegistry::Schema(name, opset, "");
    return schema ? schema->SinceVersion() : 0;
  } catch (...) {
    return 0;
  }
}

/// ONNX's message on one line, whitespace runs collapsed (node dumps span
/// lines), at most 400 characters.
static std::string oneLine(const char *text) {
  std::string line;
  for (const char *c = text; *c && line.size() < 400; ++c) {
    bool space = std::isspace(static_cast<unsigned char>(*c));
    if (!space)
      line += *c;
    else if (!line.empty() && line.back() != ' ')
      line += ' ';
  }
  while (!line.empty() && line.back() == ' ')
    line.pop_back();
  return line;
}

/// check_model, then strict shape inference, in this process.
static std::string checkModel(onnx::ModelProto &model) noexcept {
  try {
    onnx::checker::check_model(model);
  } catch (const std::exception &error) {
    return "rejected by ONNX's checker: " + oneLine(error.what());
  }
  try {
    onnx::ShapeInferenceOptions options(/*check_type_val=*/true, /*strict_mode_val=*/1);
    onnx::shape_inference::InferShapes(model, onnx::OpSchemaRegistry::Instance(), options);
  } catch (const std::exception &error) {
    return "rejected by ONNX's shape inference: " + oneLine(error.what());
  }
  return "";
}

namespace {

/// What a call of ONNX's run in a child process returned: its bytes, or why
/// it returned none (`failed`: it crashed or ran past kCheckSeconds).
struct Isolated {
  std::string bytes;
  std::string failed;
};

/// Runs `work` in a child process: ONNX 1.12's shape inference and version
/// converter read out of bounds on some malformed models (a Conv whose
/// weight rank differs from its input's), so their crash, or a hang,
/// becomes an error here. `what` names the work in that error.
template <typename Work> Isolated runIsolated(const std::string &what, Work work) noexcept {
  int fds[2];
  if (pipe(fds) != 0)
    return {"", "cannot run " + what + ": pipe: " + std::strerror(errno)};
  pid_t child = fork();
  if (child < 0) {
    close(fds[0]);
    close(fds[1]);
    return {"", "cannot run " + what + ": fork: " + std::strerror(errno)};
  }
  if (child == 0) {
    close(fds[0]);
    // A crash ends the child quietly: no crash handler (LLVM's prints a stack
    // dump), nothing on stderr.
    for (int signal : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGALRM})
      std::signal(signal, SIG_DFL);
    if (int null = open("/dev/null", O_WRONLY); null >= 0)
      dup2(null, STDERR_FILENO);
    alarm(kCheckSeconds);
    std::string bytes = work();
    for (size_t done = 0; done < bytes.size();) {
      ssize_t n = write(fds[1], bytes.data() + done, bytes.size() - done);
      if (n <= 0)
        break;
      done += size_t(n);
    }
    _exit(0);
  }
  close(fds[1]);
  Isolated result;
  char buffer[4096];
  for (ssize_t n; (n = read(fds[0], buffer, sizeof buffer)) != 0;)
    if (n > 0)
      result.bytes.append(buffer, size_t(n));
    else if (errno != EINTR)
      break;
  close(fds[0]);
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status))
    result.failed = WTERMSIG(status) == SIGALRM
                        ? what + " did not finish within " + std::to_string(kCheckSeconds) + " s"
                        : what + " crashed on the model (signal " +
                              std::to_string(WTERMSIG(status)) +
                              "): it is malformed in a way ONNX 1.12 does not report";
  return result;
}

} // namespace

OnnxCheck checkOnnxModel(const onnx::ModelProto &model) noexcept {
  Isolated checked = runIsolated("ONNX's checker", [&] {
    onnx::ModelProto copy = model;
    return checkModel(copy);
  });
  if (!checked.failed.empty())
    return {checked.failed, true};
  return {checked.bytes, false};
}

std::string upgradeOpset(onnx::ModelProto &model, int opset) noexcept {
  // The child writes "+" and the converted model, or "-" and ONNX's message.
  Isolated converted = runIsolated("ONNX's version converter", [&]() -> std::string {
    try {
      // Some adapters (Softmax 12 -> 13) need the shapes of their inputs.
      onnx::ModelProto shaped = model;
      onnx::shape_inference::InferShapes(shaped);
      return "+" + onnx::version_conversion::ConvertVersion(shaped, opset).SerializeAsString();
    } catch (const std::exception &error) {
      return "-" + oneLine(error.what());
    }
  });
  if (!converted.failed.empty())
    return converted.failed;
  if (converted.bytes.empty() || converted.bytes[0] != '+')
    return converted.bytes.empty() ? "ONNX's version converter returned nothing"
                                   : "ONNX's version converter: " + converted.bytes.substr(1);
  onnx::ModelProto upgraded;
  if (!upgraded.ParseFromString(converted.bytes.substr(1)))
    return "ONNX's version converter returned a model that does not parse";
  model = std::move(upgraded);
  return "";
}

static const char *attributeTypeName(onnx::AttributeProto::AttributeType type) {
  return onnx::AttributeProto::AttributeType_Name(type).c_str();
}

std::string onnxAttributeProblem(const onnx::NodeProto &node, int opset) noexcept {
  try {
    const onnx::OpSchema *schema = onnx::OpSchemaRegistry::Schema(node.op_type(), opset, "");
    if (!schema)
      return "";
    for (const onnx::AttributeProto &attr : node.attribute()) {
      auto declared = schema->attributes().find(attr.name());
      if (declared == schema->attributes().end())
        return "attribute '" + attr.name() + "' is not an attribute of " + node.op_type() + "-" +
               std::to_string(schema->SinceVersion());
      if (attr.type() != declared->second.type)
        return "attribute '" + attr.name() + "' is stored as " +
               attributeTypeName(attr.type()) + " but " + node.op_type() + " expects " +
               attributeTypeName(declared->second.type);
    }
  } catch (...) {
    return "";
  }
  return "";
}

} // namespace marthe
