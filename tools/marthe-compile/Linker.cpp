#include "tools/marthe-compile/Linker.h"

#include "RuntimeLinkFlags.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace marthe {

static int fail(const Twine &message) {
  errs() << "marthe-compile: error: " << message << "\n";
  return 1;
}

/// `<dir of marthe-compile>/../lib/marthe`.
static std::string runtimeDirectory(const char *argv0) {
  std::string self = sys::fs::getMainExecutable(argv0, (void *)&linkTrainer);
  SmallString<256> dir(sys::path::parent_path(sys::path::parent_path(self)));
  sys::path::append(dir, "lib", "marthe");
  return dir.str().str();
}

int linkTrainer(const char *argv0, StringRef object, StringRef exe, bool cuda,
                ArrayRef<std::string> rpaths) {
  std::string runtime = runtimeDirectory(argv0);
  SmallVector<std::string> libraries;
  for (StringRef name : {"libmarthe_main.a", "libmarthe_runtime.a"}) {
    SmallString<256> path(runtime);
    sys::path::append(path, name);
    libraries.push_back(path.str().str());
  }
  if (cuda) {
    SmallString<256> path(runtime);
    sys::path::append(path, "libmarthe_cuda_runtime.a");
    libraries.insert(libraries.begin() + 1, path.str().str());
  }
  for (const std::string &library : libraries)
    if (!sys::fs::exists(library))
      return fail("the runtime library " + library + " is missing (marthe-compile looks for " +
                  "it in ../lib/marthe beside itself)");
  const char *cxx = getenv("CXX");
  auto linker = sys::findProgramByName(cxx ? cxx : MARTHE_TRAINER_LINKER);
  if (!linker)
    return fail("no C++ compiler driver found to link with (set CXX)");
  std::string partial = (exe + ".partial").str();
  SmallVector<std::string> args{*linker, object.str()};
  llvm::append_range(args, libraries);
  args.append({"-o", partial});
  for (const std::string &rpath : rpaths)
    args.push_back("-Wl,-rpath," + rpath);
  SmallVector<StringRef> flags;
  if (cuda)
    StringRef(MARTHE_CUDA_LINK_FLAGS).split(flags, ' ', -1, false);
  StringRef(MARTHE_RUNTIME_LINK_FLAGS).split(flags, ' ', -1, false);
  for (StringRef flag : flags)
    args.push_back(flag.str());
  SmallVector<StringRef> argRefs(args.begin(), args.end());
  std::string message;
  if (sys::ExecuteAndWait(*linker, argRefs, std::nullopt, {}, 0, 0, &message) != 0) {
    sys::fs::remove(partial);
    return fail("linking the trainer failed" + (message.empty() ? "" : ": " + message));
  }
  if (std::error_code error = sys::fs::rename(partial, exe))
    return fail(exe + ": " + error.message());
  return 0;
}

} // namespace marthe
