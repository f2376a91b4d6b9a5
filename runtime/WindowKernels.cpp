// The window kernels (runtime/KernelAbi.h): float32 convolutions through
// oneDNN, float64 ones (which oneDNN lacks) and max pooling as loops of ours.
// Max pooling's two kernels share one argmax (runtime/WindowIndexing.h), so
// the scatter always goes where the forward selected, ties included.

#include "runtime/Kernels.h"
#include "runtime/WindowIndexing.h"

#include <oneapi/dnnl/dnnl.hpp>

#include <array>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace marthe::rt {
namespace {

enum class ConvPass { Forward, BackwardData, BackwardFilter };

/// Calls f(input index, filter index, output index) for every product term of
/// the convolution, skipping taps in the padding.
template <typename F> void forEachTap(const ConvShape &g, F f) {
  int64_t kPerGroup = g.k / g.groups, cPerGroup = g.c / g.groups;
  for (int64_t n = 0; n < g.n; ++n)
    for (int64_t k = 0; k < g.k; ++k) {
      int64_t firstChannel = (k / kPerGroup) * cPerGroup;
      for (int64_t p = 0; p < g.p; ++p)
        for (int64_t q = 0; q < g.q; ++q) {
          int64_t out = ((n * g.k + k) * g.p + p) * g.q + q;
          for (int64_t c = 0; c < cPerGroup; ++c)
            forEachTapInside(g, p, q, [&](int64_t r, int64_t s, int64_t y, int64_t x) {
              f(((n * g.c + firstChannel + c) * g.h + y) * g.w + x,
                ((k * cPerGroup + c) * g.r + r) * g.s + s, out);
            });
        }
    }
}

template <typename T>
void referenceConv(ConvPass pass, const ConvShape &g, const T *a, const T *b, T *out) {
  switch (pass) {
  case ConvPass::Forward: // a = input, b = filter
    std::fill(out, out + g.outputSize(), T(0));
    forEachTap(g, [&](int64_t x, int64_t f, int64_t y) { out[y] += a[x] * b[f]; });
    return;
  case ConvPass::BackwardData: // a = output adjoint, b = filter
    std::fill(out, out + g.inputSize(), T(0));
    forEachTap(g, [&](int64_t x, int64_t f, int64_t y) { out[x] += a[y] * b[f]; });
    return;
  case ConvPass::BackwardFilter: // a = input, b = output adjoint
    std::fill(out, out + g.filterSize(), T(0));
    forEachTap(g, [&](int64_t x, int64_t f, int64_t y) { out[f] += a[x] * b[y]; });
    return;
  }
}

/// oneDNN's three convolution primitives for one geometry. They choose their
/// own memory layouts (blocked ones for the fast kernels); our tensors are
/// plain (nchw, [K, C/groups, R, S] filters) and are reordered into and out
/// of staging buffers, which live as long as the primitives.
class OneDnnConv {
public:
  OneDnnConv(const dnnl::engine &engine, const ConvShape &g) : engine(engine) {
    using tag = dnnl::memory::format_tag;
    using dt = dnnl::memory::data_type;
    dnnl::memory::dims inputDims{g.n, g.c, g.h, g.w}, outputDims{g.n, g.k, g.p, g.q};
    dnnl::memory::dims filterDims =
        g.groups == 1 ? dnnl::memory::dims{g.k, g.c, g.r, g.s}
                      : dnnl::memory::dims{g.groups, g.k / g.groups, g.c / g.groups, g.r, g.s};
    input = dnnl::memory::desc(inputDims, dt::f32, tag::nchw);
    output = dnnl::memory::desc(outputDims, dt::f32, tag::nchw);
    filter = dnnl::memory::desc(filterDims, dt::f32, g.groups == 1 ? tag::oihw : tag::goihw);
    dnnl::memory::desc anyInput(inputDims, dt::f32, tag::any),
        anyOutput(outputDims, dt::f32, tag::any), anyFilter(filterDims, dt::f32, tag::any);
    dnnl::memory::dims strides{g.strideH, g.strideW}, dilations{g.dilationH - 1, g.dilationW - 1},
        padBegin{g.padTop, g.padLeft}, padEnd{g.padBottom, g.padRight};
    auto algorithm = dnnl::algorithm::convolution_direct;
    forwardDesc = dnnl::convolution_forward::primitive_desc(
        {dnnl::prop_kind::forward_training, algorithm, anyInput, anyFilter, anyOutput, strides,
         dilations, padBegin, padEnd},
        engine);
    backwardDataDesc = dnnl::convolution_backward_data::primitive_desc(
        {algorithm, anyInput, anyFilter, anyOutput, strides, dilations, padBegin, padEnd}, engine,
        forwardDesc);
    backwardFilterDesc = dnnl::convolution_backward_weights::primitive_desc(
        {algorithm, anyInput, anyFilter, anyOutput, strides, dilations, padBegin, padEnd}, engine,
        forwardDesc);
    forward = dnnl::convolution_forward(forwardDesc);
    backwardData = dnnl::convolution_backward_data(backwardDataDesc);
    backwardFilter = dnnl::convolution_backward_weights(backwardFilterDesc);
  }

  void run(ConvPass pass, dnnl::stream &stream, const float *a, const float *b, float *out) {
    switch (pass) {
    case ConvPass::Forward:
      execute(stream, forward, forwardDesc,
              {{DNNL_ARG_SRC, input, a}, {DNNL_ARG_WEIGHTS, filter, b}},
              {DNNL_ARG_DST, output, out});
      break;
    case ConvPass::BackwardData:
      execute(stream, backwardData, backwardDataDesc,
              {{DNNL_ARG_DIFF_DST, output, a}, {DNNL_ARG_WEIGHTS, filter, b}},
              {DNNL_ARG_DIFF_SRC, input, out});
      break;
    case ConvPass::BackwardFilter:
      execute(stream, backwardFilter, backwardFilterDesc,
              {{DNNL_ARG_SRC, input, a}, {DNNL_ARG_DIFF_DST, output, b}},
              {DNNL_ARG_DIFF_WEIGHTS, filter, out});
      break;
    }
    stream.wait();
  }

private:
  struct Binding {
    int arg;
    const dnnl::memory::desc &plain;
    const float *data;
  };

  /// The memory the primitive reads or writes for `binding`: the user's own
  /// buffer when the layouts agree, else a staging buffer of the primitive's.
  dnnl::memory bind(const dnnl::primitive_desc_base &desc, const Binding &binding,
                    dnnl::memory &user) {
    user = dnnl::memory(binding.plain, engine, const_cast<float *>(binding.data));
    dnnl::memory::desc wanted = desc.query_md(dnnl::query::exec_arg_md, binding.arg);
    if (wanted == binding.plain)
      return user;
    dnnl::memory &staged = staging[{&desc, binding.arg}];
    if (!staged || staged.get_desc() != wanted)
      staged = dnnl::memory(wanted, engine);
    return staged;
  }

  void execute(dnnl::stream &stream, dnnl::primitive &primitive,
               const dnnl::primitive_desc_base &desc, std::initializer_list<Binding> inputs,
               const Binding &result) {
    std::unordered_map<int, dnnl::memory> args;
    for (const Binding &binding : inputs) {
      dnnl::memory user;
      dnnl::memory bound = bind(desc, binding, user);
      if (bound != user)
        dnnl::reorder(user, bound).execute(stream, user, bound);
      args[binding.arg] = bound;
    }
    dnnl::memory user;
    dnnl::memory bound = bind(desc, result, user);
    args[result.arg] = bound;
    primitive.execute(stream, args);
    if (bound != user)
      dnnl::reorder(bound, user).execute(stream, bound, user);
  }

  dnnl::engine engine;
  dnnl::memory::desc input, filter, output;
  dnnl::convolution_forward::primitive_desc forwardDesc;
  dnnl::convolution_backward_data::primitive_desc backwardDataDesc;
  dnnl::convolution_backward_weights::primitive_desc backwardFilterDesc;
  dnnl::convolution_forward forward;
  dnnl::convolution_backward_data backwardData;
  dnnl::convolution_backward_weights backwardFilter;
  std::map<std::pair<const void *, int>, dnnl::memory> staging;
};

/// Primitives are made once per geometry and kept for the process.
class OneDnn {
public:
  void run(ConvPass pass, const ConvShape &g, const float *a, const float *b, float *out) {
    std::lock_guard<std::mutex> lock(mutex);
    std::array<int64_t, sizeof(ConvShape) / sizeof(int64_t)> key;
    std::memcpy(key.data(), &g, sizeof(ConvShape));
    std::unique_ptr<OneDnnConv> &conv = convs[key];
    if (!conv)
      conv = std::make_unique<OneDnnConv>(engine, g);
    conv->run(pass, stream, a, b, out);
  }

private:
  std::mutex mutex;
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
  std::map<std::array<int64_t, sizeof(ConvShape) / sizeof(int64_t)>, std::unique_ptr<OneDnnConv>>
      convs;
};

void conv(ConvPass pass, const ConvShape &g, const float *a, const float *b, float *out) {
  static OneDnn oneDnn;
  try {
    oneDnn.run(pass, g, a, b, out);
  } catch (const dnnl::error &e) {
    int64_t size = pass == ConvPass::Forward        ? g.outputSize()
                   : pass == ConvPass::BackwardData ? g.inputSize()
                                                    : g.filterSize();
    std::fill(out, out + size, std::numeric_limits<float>::quiet_NaN());
    recordKernelError(std::string("oneDNN convolution failed: ") + e.what());
  }
}

void conv(ConvPass pass, const ConvShape &g, const double *a, const double *b, double *out) {
  referenceConv(pass, g, a, b, out);
}

/// Calls f(input index or -1, output index) with the position of each
/// window's maximum (windowArgmax).
template <typename T, typename F> void forEachWindowMax(const WindowShape &g, const T *keys, F f) {
  for (int64_t plane = 0; plane < g.planes(); ++plane)
    for (int64_t p = 0; p < g.p; ++p)
      for (int64_t q = 0; q < g.q; ++q) {
        int64_t best = windowArgmax(g, keys + plane * g.h * g.w, p, q);
        f(best < 0 ? -1 : plane * g.h * g.w + best, (plane * g.p + p) * g.q + q);
      }
}

} // namespace

template <typename T>
static void maxPool(const WindowShape &g, const T *keys, const T *values, T *out) {
  forEachWindowMax(g, keys, [&](int64_t in, int64_t o) { out[o] = in < 0 ? T(0) : values[in]; });
}

template <typename T>
static void maxUnpool(const WindowShape &g, const T *keys, const T *values, T *out) {
  std::fill(out, out + g.inputSize(), T(0));
  forEachWindowMax(g, keys, [&](int64_t in, int64_t o) {
    if (in >= 0)
      out[in] += values[o];
  });
}

} // namespace marthe::rt

using namespace marthe::rt;

#define WINDOW_SHAPE                                                                               \
  WindowShape {                                                                                    \
    n, c, h, w, p, q, r, s, strideH, strideW, padTop, padLeft, padBottom, padRight, dilationH,     \
        dilationW                                                                                  \
  }
#define DEFINE_WINDOW_KERNELS(T, suffix)                                                           \
  void marthe_rt_conv2d_##suffix(const T *a, const T *b, T *out, MARTHE_WINDOW_KERNEL_SIZES,       \
                                 int64_t k, int64_t groups) {                                      \
    conv(ConvPass::Forward, ConvShape{WINDOW_SHAPE, k, groups}, a, b, out);                        \
  }                                                                                                \
  void marthe_rt_conv2d_backward_data_##suffix(                                                    \
      const T *a, const T *b, T *out, MARTHE_WINDOW_KERNEL_SIZES, int64_t k, int64_t groups) {     \
    conv(ConvPass::BackwardData, ConvShape{WINDOW_SHAPE, k, groups}, a, b, out);                   \
  }                                                                                                \
  void marthe_rt_conv2d_backward_filter_##suffix(                                                  \
      const T *a, const T *b, T *out, MARTHE_WINDOW_KERNEL_SIZES, int64_t k, int64_t groups) {     \
    conv(ConvPass::BackwardFilter, ConvShape{WINDOW_SHAPE, k, groups}, a, b, out);                 \
  }                                                                                                \
  void marthe_rt_max_pool2d_##suffix(const T *a, const T *b, T *out, MARTHE_WINDOW_KERNEL_SIZES) { \
    maxPool(WINDOW_SHAPE, a, b, out);                                                              \
  }                                                                                                \
  void marthe_rt_max_unpool2d_##suffix(const T *a, const T *b, T *out,                             \
                                       MARTHE_WINDOW_KERNEL_SIZES) {                               \
    maxUnpool(WINDOW_SHAPE, a, b, out);                                                            \
  }

extern "C" {
DEFINE_WINDOW_KERNELS(float, f32)
DEFINE_WINDOW_KERNELS(double, f64)
}
