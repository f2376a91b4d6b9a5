// Folding of integer (shape) computations, with ONNX's semantics for each op
// at the versions the importer accepts.

#include "frontend/ShapeFolding.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/MathExtras.h"

#include <algorithm>
#include <optional>
#include <cstring>

#include <onnx/onnx_pb.h>

namespace marthe {
namespace {

/// A folded tensor never grows past this many elements: shape arithmetic is
/// small, and a larger one is a hostile or broken model.
constexpr int64_t kMaxFoldedElements = 1 << 20;

const onnx::AttributeProto *findAttr(const onnx::NodeProto &node, llvm::StringRef name) {
  for (const onnx::AttributeProto &attr : node.attribute())
    if (attr.name() == name)
      return &attr;
  return nullptr;
}

/// The one element of an int64 or int32 tensor.
std::optional<int64_t> integerScalar(const onnx::TensorProto &t) {
  bool wide = t.data_type() == onnx::TensorProto::INT64;
  if (!wide && t.data_type() != onnx::TensorProto::INT32)
    return std::nullopt;
  if (wide && t.int64_data_size() == 1)
    return t.int64_data(0);
  if (!wide && t.int32_data_size() == 1)
    return t.int32_data(0);
  if (t.raw_data().size() == (wide ? 8u : 4u)) {
    int64_t v64 = 0;
    int32_t v32 = 0;
    std::memcpy(wide ? static_cast<void *>(&v64) : &v32, t.raw_data().data(), wide ? 8 : 4);
    return wide ? v64 : v32;
  }
  return std::nullopt;
}

class Folder {
public:
  Folder(ImportedNode &node, llvm::ArrayRef<const IntTensor *> inputs)
      : node(node), inputs(inputs) {}

  llvm::Expected<IntTensor> fold() {
    llvm::StringRef op = node.node.op_type();
    if (op == "Shape")
      return shape();
    if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div")
      return binary(op);
    if (op == "Cast" || op == "Identity")
      return cast();
    if (op == "Gather")
      return gather();
    if (op == "ConstantOfShape")
      return constantOfShape();
    if (op == "Concat")
      return concat();
    if (op == "Reshape")
      return reshape();
    if (op == "Unsqueeze" || op == "Squeeze")
      return squeezeOrUnsqueeze(op == "Unsqueeze");
    if (op == "Slice")
      return slice();
    if (op == "Transpose")
      return transpose();
    return node.error("cannot fold " + op);
  }

private:
  llvm::Expected<const IntTensor *> input(unsigned i) {
    if (i >= inputs.size() || !inputs[i])
      return node.error("missing input " + llvm::Twine(i));
    return inputs[i];
  }
  const IntTensor *optionalInput(unsigned i) { return i < inputs.size() ? inputs[i] : nullptr; }

  static int64_t count(llvm::ArrayRef<int64_t> shape) {
    int64_t n = 1;
    for (int64_t d : shape)
      n *= d;
    return n;
  }
  static llvm::SmallVector<int64_t> stridesOf(llvm::ArrayRef<int64_t> shape) {
    llvm::SmallVector<int64_t> strides(shape.size(), 1);
    for (int i = int(shape.size()) - 2; i >= 0; --i)
      strides[i] = strides[i + 1] * shape[i + 1];
    return strides;
  }
  /// Calls `body(index)` for every index of `shape`, in row-major order.
  template <typename F> static void forEachIndex(llvm::ArrayRef<int64_t> shape, F body) {
    llvm::SmallVector<int64_t> index(shape.size(), 0);
    for (int64_t n = count(shape), k = 0; k < n; ++k) {
      body(llvm::ArrayRef<int64_t>(index));
      for (int axis = int(shape.size()) - 1; axis >= 0 && ++index[axis] == shape[axis]; --axis)
        index[axis] = 0;
    }
  }

  llvm::Error checkShape(llvm::ArrayRef<int64_t> shape) {
    int64_t n = 1;
    for (int64_t d : shape)
      if (d < 0 || (d > 0 && n > kMaxFoldedElements / d))
        return node.error("a shape computation makes a tensor of shape " + text(shape) +
                          " (at most " + llvm::Twine(kMaxFoldedElements) + " elements)");
      else
        n *= d;
    return llvm::Error::success();
  }
  static std::string text(llvm::ArrayRef<int64_t> values) {
    std::string s = "[";
    for (auto [i, v] : llvm::enumerate(values))
      s += (i ? ", " : "") + std::to_string(v);
    return s + "]";
  }

  llvm::Expected<int64_t> axisAttr(int64_t rank, int64_t fallback) {
    const onnx::AttributeProto *attr = findAttr(node.node, "axis");
    return normalized(attr ? attr->i() : fallback, rank);
  }
  llvm::Expected<int64_t> normalized(int64_t axis, int64_t rank) {
    if (axis < -rank || axis >= rank)
      return node.error("axis " + llvm::Twine(axis) + " is out of range for rank " +
                        llvm::Twine(rank));
    return axis < 0 ? axis + rank : axis;
  }

  llvm::Expected<IntTensor> shape() {
    auto x = input(0);
    if (!x)
      return x.takeError();
    int64_t rank = (*x)->shape.size();
    const onnx::AttributeProto *startAttr = findAttr(node.node, "start");
    const onnx::AttributeProto *endAttr = findAttr(node.node, "end");
    int64_t start = startAttr ? startAttr->i() : 0, end = endAttr ? endAttr->i() : rank;
    start = std::clamp<int64_t>(start < 0 ? start + rank : start, 0, rank);
    end = std::clamp<int64_t>(end < 0 ? end + rank : end, 0, rank);
    IntTensor result;
    result.values.assign((*x)->shape.begin() + start, (*x)->shape.begin() + std::max(start, end));
    result.shape = {int64_t(result.values.size())};
    return result;
  }

  llvm::Expected<IntTensor> binary(llvm::StringRef op) {
    auto a = input(0), b = input(1);
    if (!a || !b)
      return a ? b.takeError() : a.takeError();
    const IntTensor &x = **a, &y = **b;
    size_t rank = std::max(x.shape.size(), y.shape.size());
    llvm::SmallVector<int64_t> xs(rank - x.shape.size(), 1), ys(rank - y.shape.size(), 1);
    xs.append(x.shape.begin(), x.shape.end());
    ys.append(y.shape.begin(), y.shape.end());
    IntTensor result;
    for (size_t i = 0; i < rank; ++i) {
      if (xs[i] != ys[i] && xs[i] != 1 && ys[i] != 1)
        return node.error("shapes " + text(x.shape) + " and " + text(y.shape) +
                          " do not broadcast");
      result.shape.push_back(xs[i] == 1 ? ys[i] : xs[i]);
    }
    if (llvm::Error error = checkShape(result.shape))
      return std::move(error);
    auto xStrides = stridesOf(xs), yStrides = stridesOf(ys);
    llvm::Error failure = llvm::Error::success();
    forEachIndex(result.shape, [&](llvm::ArrayRef<int64_t> index) {
      int64_t i = 0, j = 0;
      for (size_t axis = 0; axis < rank; ++axis) {
        i += (xs[axis] == 1 ? 0 : index[axis]) * xStrides[axis];
        j += (ys[axis] == 1 ? 0 : index[axis]) * yStrides[axis];
      }
      int64_t value = 0;
      bool overflow = op == "Add"   ? llvm::AddOverflow(x.values[i], y.values[j], value)
                      : op == "Sub" ? llvm::SubOverflow(x.values[i], y.values[j], value)
                      : op == "Mul" ? llvm::MulOverflow(x.values[i], y.values[j], value)
                                    : y.values[j] == 0;
      if (op == "Div" && !overflow)
        value = x.values[i] / y.values[j];
      if (overflow && !failure)
        failure = node.error(op + " of " + llvm::Twine(x.values[i]) + " and " +
                             llvm::Twine(y.values[j]) + " overflows or divides by zero");
      result.values.push_back(value);
    });
    if (failure)
      return std::move(failure);
    return result;
  }

  llvm::Expected<IntTensor> cast() {
    const onnx::AttributeProto *to = findAttr(node.node, "to");
    if (node.node.op_type() == "Cast" && (!to || to->i() != onnx::TensorProto::INT64))
      return node.error("casts an integer tensor to a type other than int64");
    auto x = input(0);
    if (!x)
      return x.takeError();
    return **x;
  }

  llvm::Expected<IntTensor> gather() {
    auto data = input(0), indices = input(1);
    if (!data || !indices)
      return data ? indices.takeError() : data.takeError();
    int64_t rank = (*data)->shape.size();
    if (rank == 0)
      return node.error("gathers from a scalar");
    auto axis = axisAttr(rank, 0);
    if (!axis)
      return axis.takeError();
    llvm::ArrayRef<int64_t> shape = (*data)->shape;
    IntTensor result;
    result.shape.append(shape.begin(), shape.begin() + *axis);
    result.shape.append((*indices)->shape.begin(), (*indices)->shape.end());
    result.shape.append(shape.begin() + *axis + 1, shape.end());
    if (llvm::Error error = checkShape(result.shape))
      return std::move(error);
    int64_t outer = count(shape.take_front(*axis)), inner = count(shape.drop_front(*axis + 1));
    int64_t size = shape[*axis];
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t index : (*indices)->values) {
        if (index < -size || index >= size)
          return node.error("index " + llvm::Twine(index) + " is out of range for size " +
                            llvm::Twine(size));
        int64_t at = index < 0 ? index + size : index;
        for (int64_t i = 0; i < inner; ++i)
          result.values.push_back((*data)->values[(o * size + at) * inner + i]);
      }
    return result;
  }

  llvm::Expected<IntTensor> constantOfShape() {
    auto shapeInput = input(0);
    if (!shapeInput)
      return shapeInput.takeError();
    int64_t fill = 0;
    if (const onnx::AttributeProto *value = findAttr(node.node, "value")) {
      auto stored = integerScalar(value->t());
      if (!stored)
        return node.error("value must be one int64 or int32 element");
      fill = *stored;
    }
    IntTensor result;
    result.shape.assign((*shapeInput)->values.begin(), (*shapeInput)->values.end());
    if (llvm::Error error = checkShape(result.shape))
      return std::move(error);
    result.values.assign(count(result.shape), fill);
    return result;
  }

  llvm::Expected<IntTensor> concat() {
    if (inputs.empty())
      return node.error("has no inputs");
    for (unsigned i = 0; i < inputs.size(); ++i)
      if (auto x = input(i); !x)
        return x.takeError();
    int64_t rank = inputs[0]->shape.size();
    auto axis = axisAttr(rank, 0);
    if (!axis)
      return axis.takeError();
    IntTensor result;
    result.shape = inputs[0]->shape;
    result.shape[*axis] = 0;
    for (const IntTensor *x : inputs) {
      for (int64_t d = 0; d < rank; ++d)
        if (int64_t(x->shape.size()) != rank || (d != *axis && x->shape[d] != result.shape[d]))
          return node.error("joins " + text(inputs[0]->shape) + " and " + text(x->shape) +
                            " along axis " + llvm::Twine(*axis));
      result.shape[*axis] += x->shape[*axis];
    }
    int64_t outer = count(llvm::ArrayRef(result.shape).take_front(*axis));
    for (int64_t o = 0; o < outer; ++o)
      for (const IntTensor *x : inputs) {
        int64_t block = count(llvm::ArrayRef(x->shape).drop_front(*axis));
        result.values.insert(result.values.end(), x->values.begin() + o * block,
                             x->values.begin() + (o + 1) * block);
      }
    return result;
  }

  llvm::Expected<IntTensor> reshape() {
    auto data = input(0), target = input(1);
    if (!data || !target)
      return data ? target.takeError() : data.takeError();
    const onnx::AttributeProto *allowZero = findAttr(node.node, "allowzero");
    IntTensor result{{}, (*data)->values};
    int64_t known = 1, inferred = -1;
    for (auto [i, d] : llvm::enumerate((*target)->values)) {
      int64_t dim = d == 0 && !(allowZero && allowZero->i()) && i < (*data)->shape.size()
                        ? (*data)->shape[i]
                        : d;
      if (dim == -1 && inferred < 0)
        inferred = i;
      else if (dim < 0 || (dim > 0 && known > kMaxFoldedElements / dim))
        return node.error("invalid target shape " + text((*target)->values));
      else
        known *= dim;
      result.shape.push_back(dim);
    }
    int64_t total = result.values.size();
    if (inferred >= 0 && known > 0 && total % known == 0)
      result.shape[inferred] = total / known;
    if ((inferred >= 0 && result.shape[inferred] < 0) || count(result.shape) != total)
      return node.error("cannot reshape " + text((*data)->shape) + " into " +
                        text((*target)->values));
    return result;
  }

  llvm::Expected<IntTensor> squeezeOrUnsqueeze(bool unsqueeze) {
    auto data = input(0);
    if (!data)
      return data.takeError();
    const IntTensor *axesInput = optionalInput(1);
    IntTensor result{(*data)->shape, (*data)->values};
    int64_t rank = result.shape.size();
    if (!unsqueeze && !axesInput) {
      llvm::erase(result.shape, 1);
      return result;
    }
    if (!axesInput)
      return node.error("missing input 1 (axes)");
    llvm::SmallVector<int64_t> axes;
    for (int64_t axis : axesInput->values) {
      auto normal = normalized(axis, unsqueeze ? rank + int64_t(axesInput->values.size()) : rank);
      if (!normal)
        return normal.takeError();
      axes.push_back(*normal);
    }
    llvm::sort(axes);
    if (std::adjacent_find(axes.begin(), axes.end()) != axes.end())
      return node.error("repeats an axis in " + text(axesInput->values));
    if (unsqueeze) {
      for (int64_t axis : axes)
        result.shape.insert(result.shape.begin() + axis, 1);
      return result;
    }
    for (int64_t axis : llvm::reverse(axes)) {
      if (result.shape[axis] != 1)
        return node.error("squeezes axis " + llvm::Twine(axis) + " of size " +
                          llvm::Twine(result.shape[axis]));
      result.shape.erase(result.shape.begin() + axis);
    }
    return result;
  }

  llvm::Expected<IntTensor> slice() {
    auto data = input(0);
    if (!data)
      return data.takeError();
    llvm::ArrayRef<int64_t> shape = (*data)->shape;
    int64_t rank = shape.size();
    auto ranges = sliceRanges(node, shape, inputs.drop_front());
    if (!ranges)
      return ranges.takeError();
    std::vector<std::vector<int64_t>> picks(rank);
    for (int64_t axis = 0; axis < rank; ++axis)
      for (int64_t i = 0; i < shape[axis]; ++i)
        picks[axis].push_back(i);
    for (const SliceRange &range : *ranges) {
      picks[range.axis].clear();
      for (int64_t i = range.start; range.step > 0 ? i < range.end : i > range.end;
           i += range.step)
        picks[range.axis].push_back(i);
    }
    IntTensor result;
    for (const auto &pick : picks)
      result.shape.push_back(pick.size());
    auto strides = stridesOf(shape);
    forEachIndex(result.shape, [&](llvm::ArrayRef<int64_t> index) {
      int64_t at = 0;
      for (int64_t axis = 0; axis < rank; ++axis)
        at += picks[axis][index[axis]] * strides[axis];
      result.values.push_back((*data)->values[at]);
    });
    return result;
  }

  llvm::Expected<IntTensor> transpose() {
    auto data = input(0);
    if (!data)
      return data.takeError();
    int64_t rank = (*data)->shape.size();
    llvm::SmallVector<int64_t> perm;
    if (const onnx::AttributeProto *attr = findAttr(node.node, "perm"))
      perm.assign(attr->ints().begin(), attr->ints().end());
    else
      for (int64_t axis = rank - 1; axis >= 0; --axis)
        perm.push_back(axis);
    llvm::SmallVector<int64_t> sorted(perm);
    llvm::sort(sorted);
    if (sorted != llvm::to_vector(llvm::seq<int64_t>(0, rank)))
      return node.error("perm " + text(perm) + " is not a permutation of the axes");
    IntTensor result;
    for (int64_t axis : perm)
      result.shape.push_back((*data)->shape[axis]);
    auto strides = stridesOf((*data)->shape);
    forEachIndex(result.shape, [&](llvm::ArrayRef<int64_t> index) {
      int64_t at = 0;
      for (int64_t axis = 0; axis < rank; ++axis)
        at += index[axis] * strides[perm[axis]];
      result.values.push_back((*data)->values[at]);
    });
    return result;
  }

  ImportedNode &node;
  llvm::ArrayRef<const IntTensor *> inputs;
};

} // namespace

llvm::Expected<llvm::SmallVector<SliceRange>>
sliceRanges(ImportedNode node, llvm::ArrayRef<int64_t> shape,
            llvm::ArrayRef<const IntTensor *> bounds) {
  auto at = [&](unsigned i) { return i < bounds.size() ? bounds[i] : nullptr; };
  const IntTensor *starts = at(0), *ends = at(1), *axes = at(2), *steps = at(3);
  if (!starts || !ends)
    return node.error("missing input " + llvm::Twine(starts ? 2 : 1));
  size_t n = starts->values.size();
  if (ends->values.size() != n || (axes && axes->values.size() != n) ||
      (steps && steps->values.size() != n))
    return node.error("starts, ends, axes and steps differ in length");
  int64_t rank = shape.size();
  llvm::SmallVector<SliceRange> ranges;
  for (size_t k = 0; k < n; ++k) {
    int64_t axis = axes ? axes->values[k] : int64_t(k);
    if (axis < -rank || axis >= rank)
      return node.error("axis " + llvm::Twine(axis) + " is out of range for rank " +
                        llvm::Twine(rank));
    axis = axis < 0 ? axis + rank : axis;
    if (llvm::any_of(ranges, [&](const SliceRange &r) { return r.axis == axis; }))
      return node.error("slices axis " + llvm::Twine(axis) + " twice");
    int64_t step = steps ? steps->values[k] : 1, size = shape[axis];
    if (step == 0)
      return node.error("has step 0");
    int64_t start = starts->values[k], end = ends->values[k];
    start = start < 0 ? std::max<int64_t>(start, -size) + size : start;
    end = end < 0 ? std::max<int64_t>(end, -size - 1) + size : end;
    start = std::clamp<int64_t>(start, 0, step > 0 ? size : size - 1);
    end = std::clamp<int64_t>(end, step > 0 ? 0 : -1, step > 0 ? size : size - 1);
    ranges.push_back({axis, start, end, step});
  }
  return ranges;
}

llvm::Expected<IntTensor> foldIntegerNode(ImportedNode node,
                                          llvm::ArrayRef<const IntTensor *> inputs) {
  return Folder(node, inputs).fold();
}

std::optional<int64_t> checkedElementCount(llvm::ArrayRef<int64_t> dims) {
  int64_t count = 1;
  for (int64_t dim : dims)
    if (dim < 0 || llvm::MulOverflow(count, dim, count) || count > kMaxTensorElements)
      return std::nullopt;
  return count;
}

} // namespace marthe
