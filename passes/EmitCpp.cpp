#include "passes/EmitCpp.h"

#include "dialect/MartheOps.h"
#include "passes/FunctionUtils.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/Format.h"

#include <cmath>
#include <map>

using namespace mlir;
using namespace marthe;

namespace {

RankedTensorType tensorType(Value value) {
  return llvm::cast<RankedTensorType>(value.getType());
}

int64_t numElements(Value value) { return tensorType(value).getNumElements(); }

std::string cppType(Type elementType) {
  if (elementType.isF32())
    return "float";
  if (elementType.isF64())
    return "double";
  return "int32_t";
}

std::string cppType(Value value) { return cppType(tensorType(value).getElementType()); }

std::string dtypeName(Type elementType) {
  if (elementType.isF32())
    return "F32";
  if (elementType.isF64())
    return "F64";
  return "I32";
}

std::string literal(double value, Type elementType) {
  if (!std::isfinite(value)) {
    std::string limits = "std::numeric_limits<" + cppType(elementType) + ">::";
    if (std::isnan(value))
      return limits + "quiet_NaN()";
    return (value < 0 ? "-" : "") + limits + "infinity()";
  }
  std::string text;
  llvm::raw_string_ostream os(text);
  os << llvm::format("%.17g", value);
  if (text.find_first_of(".en") == std::string::npos)
    text += ".0";
  if (elementType.isF32())
    text += "f";
  return text;
}

double splatValue(ConstantOp op) {
  auto attr = llvm::cast<DenseElementsAttr>(op.getValue());
  return attr.getSplatValue<APFloat>().convertToDouble();
}

/// `text` as a double-quoted C (and GNU as) string literal.
std::string cString(StringRef text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    if (c == '"' || c == '\\')
      out += '\\';
    out += c;
  }
  return out + "\"";
}

/// Emits one function: pointers for arguments and results, a static arena
/// planned by liveness for the intermediates, and one statement per op.
class FunctionEmitter {
public:
  FunctionEmitter(func::FuncOp fn, raw_ostream &os) : fn(fn), os(os) {}

  /// Bytes of the function's static arena (after emit()).
  int64_t arenaBytes() const { return arenaSize; }

  LogicalResult emit() {
    Block &body = fn.getBody().front();
    for (auto [i, op] : llvm::enumerate(body))
      position[&op] = i;
    planStorage(body);
    os << "static void fn_" << fn.getSymName() << "(void *const *buffers) {\n";
    if (arenaSize)
      os << "  alignas(64) static unsigned char arena[" << arenaSize << "];\n";
    for (auto [i, arg] : llvm::enumerate(fn.getArguments()))
      os << "  auto *a" << i << " = static_cast<const " << cppType(arg) << " *>(buffers[" << i
         << "]);\n";
    for (Operation &op : body)
      if (failed(emitOp(&op)))
        return failure();
    os << "}\n\n";
    return success();
  }

private:
  /// Chooses where each value lives: an argument, a result buffer, a view of
  /// another value, a static constant, or an offset in the arena.
  void planStorage(Block &body) {
    for (auto [i, arg] : llvm::enumerate(fn.getArguments()))
      name[arg] = "a" + std::to_string(i);
    Operation *terminator = body.getTerminator();
    for (auto [k, value] : llvm::enumerate(terminator->getOperands())) {
      Operation *def = value.getDefiningOp();
      if (def && !llvm::isa<ReshapeOp, ConstantOp>(def) && !name.count(value))
        name[value] = "r" + std::to_string(k);
      else
        copiedResults.push_back(k);
    }
    computeLastUses(body);
    std::map<int64_t, SmallVector<int64_t>> freeBySize;
    for (Operation &op : body) {
      for (Value result : op.getResults())
        if (!name.count(result) && !llvm::isa<ReshapeOp, ConstantOp>(op))
          allocate(result, freeBySize);
      for (Value result : op.getResults())
        if (offset.count(result) && lastUse[result] <= position[&op])
          freeBySize[bytes(result)].push_back(offset[result]);
      for (Value operand : op.getOperands()) {
        Value root = rootOf(operand);
        if (offset.count(root) && lastUse[root] == position[&op] && !freed.count(root)) {
          freed.insert(root);
          freeBySize[bytes(root)].push_back(offset[root]);
        }
      }
    }
  }

  /// A reshape is a view: its storage is that of its input.
  Value rootOf(Value value) {
    while (auto reshape = value.getDefiningOp<ReshapeOp>())
      value = reshape.getInput();
    return value;
  }

  void computeLastUses(Block &body) {
    for (Operation &op : body)
      for (Value operand : op.getOperands()) {
        int64_t &last = lastUse[rootOf(operand)];
        last = std::max(last, position[&op]);
      }
  }

  static int64_t bytes(Value value) {
    int64_t width = tensorType(value).getElementTypeBitWidth() / 8;
    return (numElements(value) * width + 63) / 64 * 64;
  }

  void allocate(Value value, std::map<int64_t, SmallVector<int64_t>> &freeBySize) {
    SmallVector<int64_t> &reusable = freeBySize[bytes(value)];
    if (!reusable.empty()) {
      offset[value] = reusable.pop_back_val();
    } else {
      offset[value] = arenaSize;
      arenaSize += bytes(value);
    }
    if (!lastUse.count(value))
      lastUse[value] = -1;
  }

  /// The C++ pointer expression of a value, declaring it on first use.
  std::string define(Value value) {
    std::string var = "v" + std::to_string(nextVar++);
    std::string type = cppType(value);
    if (name.count(value)) {
      if (StringRef(name[value]).starts_with("r"))
        os << "  auto *" << name[value] << " = static_cast<" << type << " *>(buffers["
           << fn.getNumArguments() + std::stoi(name[value].substr(1)) << "]);\n";
      return name[value];
    }
    os << "  auto *" << var << " = reinterpret_cast<" << type << " *>(arena + "
       << offset[value] << ");\n";
    return name[value] = var;
  }

  std::string get(Value value) { return name.at(value); }

  std::string kernel(StringRef fnName, Value typed) {
    return ("marthe::rt::" + fnName + "<" + cppType(typed) + ">").str();
  }

  LogicalResult emitOp(Operation *op) {
    return llvm::TypeSwitch<Operation *, LogicalResult>(op)
        .Case<ConstantOp>([&](auto c) { return emitConstant(c); })
        .Case<ReshapeOp>([&](auto r) {
          name[r.getResult()] = get(r.getInput());
          return success();
        })
        .Case<MatmulOp>([&](auto m) { return emitMatmul(m); })
        .Case<SumToOp>([&](auto s) {
          std::string in = get(s.getInput()), out = define(s.getResult());
          int64_t n = numElements(s.getResult());
          os << "  " << kernel("sumTo", s.getResult()) << "(" << in << ", " << out << ", "
             << numElements(s.getInput()) / n << ", " << n << ");\n";
          return success();
        })
        .Case<DotOp>([&](auto d) {
          std::string out = define(d.getResult());
          os << "  *" << out << " = " << kernel("dot", d.getResult()) << "(" << get(d.getLhs())
             << ", " << get(d.getRhs()) << ", " << numElements(d.getLhs()) << ");\n";
          return success();
        })
        .Case<SoftmaxXentOp>([&](auto x) {
          std::string out = define(x.getResult());
          ArrayRef<int64_t> shape = tensorType(x.getLogits()).getShape();
          os << "  *" << out << " = " << kernel("softmaxXent", x.getResult()) << "("
             << get(x.getLogits()) << ", " << get(x.getLabels()) << ", " << shape[0] << ", "
             << shape[1] << ");\n";
          return success();
        })
        .Case<SoftmaxXentGradOp>([&](auto x) {
          return emitRowKernel("softmaxXentGrad", x.getLogits(), x.getLabels(), x.getResult());
        })
        .Case<SoftmaxXentHvpOp>([&](auto x) {
          return emitRowKernel("softmaxXentHvp", x.getLogits(), x.getTangent(), x.getResult());
        })
        .Case<ScheduleUpdateOp>([&](auto s) { return emitScheduleUpdate(s); })
        .Case<FusedOp>([&](auto f) { return emitFused(f); })
        .Case<func::ReturnOp>([&](auto r) { return emitReturn(r); })
        .Default([&](Operation *other) {
          return other->emitOpError("cannot be emitted as C++ (run marthe-fuse-elementwise "
                                    "before emission)");
        });
  }

  LogicalResult emitConstant(ConstantOp op) {
    auto attr = llvm::dyn_cast<DenseElementsAttr>(op.getValue());
    if (!attr || !llvm::isa<FloatType>(attr.getElementType()))
      return op.emitOpError("only dense float constants can be emitted");
    std::string var = "c" + std::to_string(nextVar++), type = cppType(op.getResult());
    Type elementType = attr.getElementType();
    if (attr.isSplat()) {
      os << "  static const std::vector<" << type << "> " << var << "("
         << attr.getNumElements() << ", " << literal(splatValue(op), elementType) << ");\n";
      name[op.getResult()] = var + ".data()";
      return success();
    }
    os << "  static const " << type << " " << var << "[] = {";
    llvm::interleaveComma(attr.getValues<APFloat>(), os, [&](const APFloat &v) {
      os << literal(v.convertToDouble(), elementType);
    });
    os << "};\n";
    name[op.getResult()] = var;
    return success();
  }

  LogicalResult emitMatmul(MatmulOp op) {
    ArrayRef<int64_t> lhs = op.getLhs().getType().getShape();
    ArrayRef<int64_t> result = op.getType().getShape();
    int64_t k = op.getTransposeLhs() ? lhs[0] : lhs[1];
    std::string a = get(op.getLhs()), b = get(op.getRhs()), c = define(op.getResult());
    os << "  " << kernel("matmul", op.getResult()) << "(" << a << ", " << b << ", " << c
       << ", " << result[0] << ", " << result[1] << ", " << k << ", "
       << (op.getTransposeLhs() ? "true" : "false") << ", "
       << (op.getTransposeRhs() ? "true" : "false") << ");\n";
    return success();
  }

  LogicalResult emitRowKernel(StringRef kernelName, Value logits, Value other, Value result) {
    ArrayRef<int64_t> shape = tensorType(logits).getShape();
    std::string in = get(logits), second = get(other), out = define(result);
    os << "  " << kernel(kernelName, result) << "(" << in << ", " << second << ", " << out
       << ", " << shape[0] << ", " << shape[1] << ");\n";
    return success();
  }

  LogicalResult emitScheduleUpdate(ScheduleUpdateOp op) {
    SmallVector<std::string> outs;
    for (Value result : op.getResults())
      outs.push_back(define(result));
    os << "  " << kernel("scheduleUpdate", op.getEta()) << "(";
    for (Value operand : op.getOperands())
      os << "*" << get(operand) << ", ";
    os << (op.getAdaptiveMu() ? "true" : "false");
    for (const std::string &out : outs)
      os << ", " << out;
    os << ");\n";
    return success();
  }

  /// One loop over the iteration space. Inputs of the full size are read at
  /// i, scalars once, and a bias-like suffix either at the inner index of a
  /// loop nest (one suffix size) or at i modulo its size.
  LogicalResult emitFused(FusedOp op) {
    Value result = op.getResult(0);
    int64_t n = numElements(result);
    std::string type = cppType(result);
    SmallVector<std::string> outs;
    for (Value each : op.getResults())
      outs.push_back(define(each));
    Type elementType = tensorType(result).getElementType();
    Block &body = op.getBody().front();
    llvm::SmallSetVector<int64_t, 2> partialSizes;
    for (Value input : op.getInputs())
      if (numElements(input) != n && numElements(input) != 1)
        partialSizes.insert(numElements(input));
    bool nested = partialSizes.size() == 1;
    int64_t inner = nested ? partialSizes[0] : n;

    os << "  {\n";
    DenseMap<Value, std::string> scalar;
    for (auto [i, input] : llvm::enumerate(op.getInputs()))
      if (numElements(input) == 1 && n != 1) {
        scalar[body.getArgument(i)] = "s" + std::to_string(i);
        os << "    const " << type << " s" << i << " = " << get(input) << "[0];\n";
      }
    if (nested)
      os << "    for (int64_t o = 0; o < " << n / inner << "; ++o)\n"
         << "    for (int64_t j = 0; j < " << inner << "; ++j) {\n"
         << "      const int64_t i = o * " << inner << " + j;\n";
    else
      os << "    for (int64_t i = 0; i < " << n << "; ++i) {\n";
    for (auto [i, input] : llvm::enumerate(op.getInputs())) {
      Value arg = body.getArgument(i);
      if (scalar.count(arg))
        continue;
      int64_t size = numElements(input);
      std::string index = size == n ? "i" : nested ? "j" : "i % " + std::to_string(size);
      scalar[arg] = "x" + std::to_string(i);
      os << "      const " << type << " x" << i << " = " << get(input) << "[" << index
         << "];\n";
    }
    int64_t temp = 0;
    for (Operation &inner : body.without_terminator()) {
      std::string expr;
      if (auto constant = llvm::dyn_cast<ConstantOp>(inner)) {
        scalar[constant.getResult()] = literal(splatValue(constant), elementType);
        continue;
      }
      if (failed(scalarExpression(&inner, scalar, expr)))
        return failure();
      std::string var = "t" + std::to_string(temp++);
      os << "      const " << type << " " << var << " = " << expr << ";\n";
      scalar[inner.getResult(0)] = var;
    }
    for (auto [out, yielded] : llvm::zip(outs, body.getTerminator()->getOperands()))
      os << "      " << out << "[i] = " << scalar[yielded] << ";\n";
    os << "    }\n  }\n";
    return success();
  }

  LogicalResult scalarExpression(Operation *op, DenseMap<Value, std::string> &scalar,
                                 std::string &expr) {
    auto operand = [&](unsigned i) { return scalar[op->getOperand(i)]; };
    return llvm::TypeSwitch<Operation *, LogicalResult>(op)
        .Case<AddOp>([&](auto) { expr = operand(0) + " + " + operand(1); return success(); })
        .Case<SubOp>([&](auto) { expr = operand(0) + " - " + operand(1); return success(); })
        .Case<MulOp>([&](auto) { expr = operand(0) + " * " + operand(1); return success(); })
        .Case<DivOp>([&](auto) { expr = operand(0) + " / " + operand(1); return success(); })
        .Case<NegOp>([&](auto) { expr = "-(" + operand(0) + ")"; return success(); })
        .Case<ReluOp>([&](auto) {
          expr = operand(0) + " > 0 ? " + operand(0) + " : 0";
          return success();
        })
        .Case<SqrtGradOp>([&](auto) {
          expr = operand(0) + " > 0 ? " + operand(1) + " / (" + operand(0) + " + " + operand(0) +
                 ") : 0";
          return success();
        })
        .Case<ReluGradOp>([&](auto) {
          expr = operand(0) + " > 0 ? " + operand(1) + " : 0";
          return success();
        })
        .Case<TanhOp>([&](auto) { expr = "std::tanh(" + operand(0) + ")"; return success(); })
        .Case<SqrtOp>([&](auto) { expr = "std::sqrt(" + operand(0) + ")"; return success(); })
        .Default([&](Operation *other) {
          return other->emitOpError("has no scalar form for a fused loop");
        });
  }

  LogicalResult emitReturn(func::ReturnOp op) {
    for (int64_t k : copiedResults) {
      Value value = op.getOperand(k);
      std::string type = cppType(value);
      os << "  std::memcpy(buffers[" << fn.getNumArguments() + k << "], " << get(value)
         << ", " << numElements(value) << " * sizeof(" << type << "));\n";
    }
    return success();
  }

  func::FuncOp fn;
  raw_ostream &os;
  DenseMap<Operation *, int64_t> position;
  DenseMap<Value, std::string> name;
  DenseMap<Value, int64_t> offset, lastUse;
  DenseSet<Value> freed;
  SmallVector<int64_t> copiedResults;
  int64_t arenaSize = 0;
  int64_t nextVar = 0;
};

LogicalResult emitSpecs(func::FuncOp fn, raw_ostream &os) {
  auto emitList = [&](StringRef suffix, TypeRange types, auto roleOf) -> LogicalResult {
    os << "static const marthe::rt::TensorSpec " << fn.getSymName() << suffix << "[] = {\n";
    for (auto [i, type] : llvm::enumerate(types)) {
      auto tensor = llvm::cast<RankedTensorType>(type);
      if (tensor.getRank() > 4)
        return fn.emitError("arguments and results must have rank <= 4");
      os << "  {" << cString(roleOf(i)) << ", marthe::rt::DType::"
         << dtypeName(tensor.getElementType()) << ", " << tensor.getRank() << ", {";
      llvm::interleaveComma(tensor.getShape(), os);
      os << "}},\n";
    }
    os << "};\n";
    return success();
  };
  if (failed(emitList("_args", fn.getArgumentTypes(),
                      [&](unsigned i) { return argRole(fn, i); })) ||
      failed(emitList("_results", fn.getResultTypes(),
                      [&](unsigned i) { return resultRole(fn, i); })))
    return failure();
  return success();
}

} // namespace

LogicalResult marthe::emitCpp(ModuleOp module, const ProgramInfo &info, raw_ostream &os) {
  os << "// Generated by marthe-compile from " << info.modelName << ". Do not edit.\n"
     << "#include \"runtime/Abi.h\"\n#include \"runtime/Kernels.h\"\n\n"
     << "#include <cmath>\n#include <cstdint>\n#include <cstring>\n#include <limits>\n#include <vector>\n\n"
     << "namespace {\n\n";
  SmallVector<std::pair<func::FuncOp, int64_t>> functions;
  for (auto fn : module.getOps<func::FuncOp>()) {
    if (fn.isPrivate() || fn.isExternal())
      continue;
    FunctionEmitter emitter(fn, os);
    if (failed(emitter.emit()) || failed(emitSpecs(fn, os)))
      return failure();
    functions.push_back({fn, emitter.arenaBytes()});
  }
  os << "const marthe::rt::FunctionSpec functions[] = {\n";
  for (auto [fn, arenaBytes] : functions)
    os << "  {\"" << fn.getSymName() << "\", fn_" << fn.getSymName() << ", "
       << fn.getSymName() << "_args, " << fn.getNumArguments() << ", " << fn.getSymName()
       << "_results, " << fn.getNumResults() << ", " << arenaBytes << "},\n";
  os << "};\n\n} // namespace\n\n"
     << "asm(" << cString(".section .rodata\n.balign 64\nmarthe_model_bytes:\n.incbin " +
                          cString(info.modelPath) + "\nmarthe_model_end:\n.previous\n")
     << ");\n"
     << "extern \"C\" const unsigned char marthe_model_bytes[], marthe_model_end[];\n\n"
     << "extern \"C\" const marthe::rt::ProgramSpec marthe_program = {\n"
     << "  functions, " << functions.size() << ",\n"
     << "  R\"marthe_json(" << info.configJson << ")marthe_json\",\n"
     << "  marthe_model_bytes, marthe_model_end, " << cString(info.modelName) << "};\n";
  return success();
}
