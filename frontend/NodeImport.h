#ifndef MARTHE_FRONTEND_NODEIMPORT_H
#define MARTHE_FRONTEND_NODEIMPORT_H

// The import of one ONNX node: what an op's handler sees of the graph
// (NodeImport) and the registry that finds the handler by the op's name
// (OpRegistry). Handlers live in files by kind: ElementwiseImport.cpp,
// LinearAlgebraImport.cpp, WindowImport.cpp (with PadImport.cpp),
// NormalizationImport.cpp and ShapeImport.cpp (with ShapeFolding.cpp).

#include "mlir/IR/Builders.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Error.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace onnx {
class AttributeProto;
class NodeProto;
} // namespace onnx

namespace marthe {

/// The most elements a tensor of the model may have: 2^36 (256 GiB of
/// float32). Larger ones are refused by name before any size can overflow.
constexpr int64_t kMaxTensorElements = int64_t(1) << 36;

/// The product of `dims`, or nullopt if a dim is negative or the product
/// passes kMaxTensorElements (it never overflows).
std::optional<int64_t> checkedElementCount(llvm::ArrayRef<int64_t> dims);

/// `node`'s attribute `name`, or null.
const onnx::AttributeProto *findAttribute(const onnx::NodeProto &node, llvm::StringRef name);

/// "[2,3,4]".
std::string shapeText(llvm::ArrayRef<int64_t> shape);

struct IntTensor {
  llvm::SmallVector<int64_t> shape;
  std::vector<int64_t> values;
};

/// Where to build a node's ops, and how to report an error about it (the
/// message gets the file, the node's name, op and opset).
struct ImportedNode {
  mlir::OpBuilder &builder;
  mlir::Location loc;
  const onnx::NodeProto &node;
  llvm::function_ref<llvm::Error(const llvm::Twine &)> error; // outlives the node
};

/// What the importer holds of one graph while it imports its nodes.
struct GraphState {
  /// Float tensors by name: arguments and node outputs.
  std::map<std::string, mlir::Value> values;
  /// Integer tensors: int64 initializers and constants, and what the
  /// importer folds from them (ShapeFolding.cpp).
  std::map<std::string, IntTensor> shapeConstants;
  /// Constants that are settings of a node: Clip's bounds, Dropout's ratio,
  /// Pad's constant_value (one float), training_mode flags (one bool).
  llvm::StringMap<double> settings;
  llvm::StringMap<bool> flags;
  /// The initializers that became arguments, by name.
  llvm::SmallVector<std::string> argNames;
  /// Whether @forward_train is being imported; the running statistics it
  /// updates and its dropout_key argument (if it has one).
  bool training = false;
  std::map<std::string, mlir::Value> updatedStats;
  mlir::Value dropoutKey;
  mlir::Type elementType;
};

/// A node as its op's handler sees it.
class NodeImport : public ImportedNode {
public:
  NodeImport(ImportedNode node, GraphState &graph, int version, int index)
      : ImportedNode(node), graph(graph), version(version), index(index) {}

  GraphState &graph;
  /// The op's version at the model's opset, and the node's position.
  int version, index;

  mlir::Type elementType() const { return graph.elementType; }
  bool hasInput(int index) const;
  /// Float input `index`, computed before this node.
  llvm::Expected<mlir::Value> operand(int index);
  /// The first `count` inputs.
  llvm::Expected<llvm::SmallVector<mlir::Value>> operands(int count);
  /// Input `index` as an integer constant, or null if it is not one.
  const IntTensor *intConstant(int index) const;
  std::optional<double> setting(int index) const;
  std::optional<bool> flag(int index) const;

  const onnx::AttributeProto *attribute(llvm::StringRef name) const;
  int64_t intAttr(llvm::StringRef name, int64_t fallback) const;
  float floatAttr(llvm::StringRef name, float fallback) const;

  /// Checks `axis` against `rank` and makes a negative one count from the end.
  llvm::Error normalizeAxis(int64_t &axis, int64_t rank);
  /// A rank-0 constant of the element type.
  mlir::Value scalar(double value);
  /// `x` with `shape` (itself if it has it already).
  mlir::Value reshape(mlir::Value x, llvm::ArrayRef<int64_t> shape);
  /// `lhs` and `rhs` broadcast as numpy does, into the forms the element-wise
  /// ops take (one of them may keep a suffix of the other's shape).
  llvm::Expected<std::pair<mlir::Value, mlir::Value>> broadcast(mlir::Value lhs, mlir::Value rhs);
  template <typename OpTy>
  llvm::Expected<mlir::Value> broadcastBinary(mlir::Value lhs, mlir::Value rhs) {
    auto pair = broadcast(lhs, rhs);
    if (!pair)
      return pair.takeError();
    return mlir::Value(OpTy::create(builder, loc, pair->first, pair->second));
  }
};

llvm::ArrayRef<int64_t> shapeOf(mlir::Value value);

/// Imports one node (its first output; a handler records any other).
using OpHandler = llvm::Expected<mlir::Value> (*)(NodeImport &node);

/// When a node is computed by the importer on integer constants
/// (ShapeFolding.cpp) instead of by its handler.
enum class IntegerFolding {
  Never,
  WhenConstant, // every input is an integer constant (Add, Concat, Reshape, ...)
  Always,       // shape arithmetic only (Shape, Gather, Cast, ...): no handler
};

struct OpEntry {
  std::string type;
  /// The versions of the op whose semantics for float tensors are
  /// implemented: an op's version at a model's opset is its newest schema
  /// not newer than the opset; between these only the element types changed.
  llvm::SmallVector<int> versions;
  OpHandler handler;
  /// The most outputs a node may have; only the first is a value.
  int outputs;
  IntegerFolding folding;
};

class OpRegistry {
public:
  void add(llvm::StringRef type, std::initializer_list<int> versions, OpHandler handler,
           IntegerFolding folding = IntegerFolding::Never);
  void add(llvm::StringRef type, std::initializer_list<int> versions, OpHandler handler,
           int outputs);
  const OpEntry *lookup(llvm::StringRef type) const;
  /// The supported ops, sorted, for error messages.
  std::string names() const;

  /// ONNX's default domain, filled once by the register functions below.
  static const OpRegistry &onnx();

private:
  std::map<std::string, OpEntry> entries;
};

void registerElementwiseOps(OpRegistry &registry);
void registerLinearAlgebraOps(OpRegistry &registry);
void registerWindowOps(OpRegistry &registry);
void registerPadOps(OpRegistry &registry);
void registerNormalizationOps(OpRegistry &registry);
void registerShapeOps(OpRegistry &registry);

} // namespace marthe

#endif // MARTHE_FRONTEND_NODEIMPORT_H
