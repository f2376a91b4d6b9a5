#pragma once

#include <stdexcept>

namespace marthe::rt {

// Runtime failure; the message names the file (or input text) and what is wrong.
struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A run stopped by SIGINT or SIGTERM after checkpointing.
struct Interrupted : Error {
  using Error::Error;
};

} // namespace marthe::rt
