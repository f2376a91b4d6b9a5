#ifndef MARTHE_TOOLS_MARTHE_COMPILE_LINKER_H
#define MARTHE_TOOLS_MARTHE_COMPILE_LINKER_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <string>

namespace marthe {

/// Links `object` with the runtime into the executable `exe`, atomically.
/// The runtime libraries are found relative to marthe-compile itself
/// (`<prefix>/bin/marthe-compile` next to `<prefix>/lib/marthe/`), in the
/// build tree and in an install alike; `cuda` adds the CUDA runtime library
/// and CUDA's; `rpaths` are searched for shared libraries first (RUNPATH;
/// "$ORIGIN/../lib" for a trainer shipped with its libraries). Returns the
/// exit status.
int linkTrainer(const char *argv0, llvm::StringRef object, llvm::StringRef exe, bool cuda,
                llvm::ArrayRef<std::string> rpaths);

} // namespace marthe

#endif // MARTHE_TOOLS_MARTHE_COMPILE_LINKER_H
