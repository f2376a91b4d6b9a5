#pragma once

#include <stdexcept>

namespace marthe::rt {

// Runtime failure; the message names the file (or input text) and what is wrong.
struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

} // namespace marthe::rt
