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

OnnxCheck checkOnnxModel(const onnx::ModelProto &model) noexcept {
  // ONNX 1.12's shape inference reads out of bounds on some malformed models
  // (a Conv whose weight rank differs from its input's): it runs in a child
  // process, so that its crash, or a hang, becomes an error here.
  int fds[2];
  if (pipe(fds) != 0)
    return {"cannot check the model: pipe: " + std::string(std::strerror(errno)), false};
  pid_t child = fork();
  if (child < 0) {
    close(fds[0]);
    close(fds[1]);
    return {"cannot check the model: fork: " + std::string(std::strerror(errno)), false};
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
    onnx::ModelProto copy = model;
    std::string problem = checkModel(copy);
    for (size_t done = 0; done < problem.size();) {
      ssize_t n = write(fds[1], problem.data() + done, problem.size() - done);
      if (n <= 0)
        break;
      done += size_t(n);
    }
    _exit(0);
  }
  close(fds[1]);
  std::string problem;
  char buffer[512];
  for (ssize_t n; (n = read(fds[0], buffer, sizeof buffer)) != 0;)
    if (n > 0)
      problem.append(buffer, size_t(n));
    else if (errno != EINTR)
      break;
  close(fds[0]);
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status))
    return {WTERMSIG(status) == SIGALRM
                ? "ONNX's checker did not finish within " + std::to_string(kCheckSeconds) + " s"
                : "ONNX's checker crashed on the model (signal " +
                      std::to_string(WTERMSIG(status)) + "): it is malformed in a way ONNX 1.12 "
                      "does not report",
            true};
  return {problem, false};
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
