#include "runtime/Snapshot.h"

#include "runtime/Error.h"

#include <cstring>

namespace marthe::rt {

bool isBatchInput(const std::string &role) {
  return role == "input" || role == "labels" || role == "val_input" || role == "val_labels" ||
         role == "dropout_key";
}

StateTensors copyState(Function &fn) {
  StateTensors state;
  for (Tensor &arg : fn.args())
    if (!isBatchInput(arg.spec->role))
      state.push_back(
          {arg.spec->role, std::vector<unsigned char>(arg.data(), arg.data() + arg.byteSize())});
  return state;
}

void restoreState(Function &fn, const StateTensors &state, const std::string &what) {
  for (const auto &[role, bytes] : state) {
    if (!fn.hasArg(role) || isBatchInput(role) || fn.arg(role).byteSize() != bytes.size())
      throw Error(what + " does not match this executable (tensor '" + role + "')");
    std::memcpy(fn.arg(role).mutableData(), bytes.data(), bytes.size());
  }
}

} // namespace marthe::rt
